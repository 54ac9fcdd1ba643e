"""The Học bạ số XML packet: record ⇄ bytes, the hardened parser, and XSD validation."""

from hocbaso.packet._codec import from_xml, read_hoc_ba, to_element, to_xml
from hocbaso.packet._layout import FORMAT_VERSION
from hocbaso.packet._parser import DEFAULT_LIMITS, ParseLimits, parse_xml
from hocbaso.packet._schema import (
    Engine,
    is_valid,
    iter_errors,
    schema_dir,
    schema_path,
    validate,
)

__all__ = [
    "DEFAULT_LIMITS",
    "FORMAT_VERSION",
    "Engine",
    "ParseLimits",
    "from_xml",
    "is_valid",
    "iter_errors",
    "parse_xml",
    "read_hoc_ba",
    "schema_dir",
    "schema_path",
    "to_element",
    "to_xml",
    "validate",
]
