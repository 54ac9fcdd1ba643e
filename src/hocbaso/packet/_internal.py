"""What the layers above ``packet`` may use of its internals, and nothing else.

``signature``, ``verify``, ``tt22`` and ``testing`` import packet plumbing from here only (a
test refuses ``from hocbaso.packet._<module> import …`` outside this package), so the packet
layer can reorganise its private modules freely as long as these names keep their meaning.
"""

from hocbaso.packet import _layout as layout
from hocbaso.packet._input import PacketSource, packet_bytes, type_name
from hocbaso.packet._layout import VaiTroKy
from hocbaso.packet._parser import check_canonical_subtree_bytes, parse_canonical_subtree
from hocbaso.packet._schema import Document

__all__ = [
    "Document",
    "PacketSource",
    "VaiTroKy",
    "check_canonical_subtree_bytes",
    "layout",
    "packet_bytes",
    "parse_canonical_subtree",
    "type_name",
]
