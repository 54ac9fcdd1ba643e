"""What the layers above ``models`` may use of its internals (the packet writer, its
generators and the Thông tư 22 engine): the model base class, the XSD facts of the field types,
the value reader and writer, the catalogue tables and constants and the subject-row Id
format. A test refuses ``from hocbaso.models._<module> import …`` outside this package.
"""

from hocbaso.models._base import HocBaModel, model_error
from hocbaso.models._catalogue import CATALOGUE, EXTRA_FIELDS, SYNC_COLUMNS
from hocbaso.models._codes import mon_hoc_info
from hocbaso.models._hocba import THONG_TU_22
from hocbaso.models._ids import MON_ID_PREFIX, mon_id, mon_of_id
from hocbaso.models._types import KHONG_DANH_GIA, Xsd, format_ket_qua, parse_ket_qua

__all__ = [
    "CATALOGUE",
    "EXTRA_FIELDS",
    "KHONG_DANH_GIA",
    "MON_ID_PREFIX",
    "SYNC_COLUMNS",
    "THONG_TU_22",
    "HocBaModel",
    "Xsd",
    "format_ket_qua",
    "model_error",
    "mon_hoc_info",
    "mon_id",
    "mon_of_id",
    "parse_ket_qua",
]
