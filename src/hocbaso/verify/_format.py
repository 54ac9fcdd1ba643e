"""Step 2 without validating the signatures twice (docs/verification.md §speed).

The packet XSD validates each of the 15 ``ds:Signature`` subtrees against the XMLDSig schema:
four fifths of the XSD check's time (thirty base64 certificates), for subtrees that step 3 reads
element by element anyway. :func:`schema_valid_fast` answers "the full XSD accepts this packet"
more cheaply, and answers it only when it can prove it:

1. The packet is valid against the *data schema*: the bundled XSD with the one particle
   ``<xs:element ref="ds:Signature" minOccurs="0"/>`` of the slot type ``ONhanChuKy`` replaced
   by ``<xs:any namespace="…xmldsig#" processContents="skip" minOccurs="0"/>``, and without
   its two ``xs:unique`` constraints (4. below). Everything else (data, slots, their
   attributes, the slot's content model of at most one element) is validated by libxml2
   exactly as before.
2. Every slot holds nothing, or exactly one child node, a signature step 3 read with the
   profile's exact-shape reader (:func:`hocbaso.signature._profile_schema.read_signature_exact`,
   which proves that subtree valid against the XMLDSig schema; its Object facts are set only
   then).
3. Step 3 found every ``Id`` of the document distinct (the schema's ``xs:ID`` uniqueness across
   data and signatures: the shape check admits ``Id`` only on ``Signature`` and ``Object``, as
   ASCII NCNames) and no document-level layout failure.
4. The schema's two ``xs:unique`` constraints, which the data schema leaves out (libxml2's
   identity-constraint machinery cost about a fifth of its check), hold: step 3 keys every
   row by its subject code (the string-value of its ``MA_MON_HOC``, stripped) and every
   subject-teacher slot by its ``MA_MON_HOC`` attribute, and a repeat of either is a
   document-level failure (``STRUCTURE.ID_MISPLACED``, ``STRUCTURE.LAYOUT``), so 3. covers
   them. Once the data schema accepts the tree, each of those values is one ``MaMonHoc``
   (digits only, whitespace preserved: the string-value is the schema's value, the strip
   changes nothing, and the schema compares them as strings), so "distinct for step 3" is
   "unique for the schema". The same constraints are validated twice no more.

Then the full XSD accepts the packet: it differs from the data schema only inside the slots
(the elements of the slot types are exactly the slots step 3 finds: checked when the data
schema is built, and by a test), and there it requires a valid ``ds:Signature``, which 2.
establishes. Anything else (an unusual but valid signature, a failure of any kind) answers
"not proven", and the caller runs the full XSD: the report is the same in every case, only the
work differs. Tests compare the two on mutated signatures and on data parts
(``tests/verify/test_format_fast.py``).
"""

from __future__ import annotations

import functools

from lxml import etree

from hocbaso.packet import schema_path
from hocbaso.packet._internal import layout as L
from hocbaso.signature._internal import DSIG_NS
from hocbaso.verify._structure import StructureOutcome

__all__ = ["data_schema", "schema_valid_fast"]

_XS = "http://www.w3.org/2001/XMLSchema"
_SLOT_TYPES = frozenset({"ONhanChuKy", "ONhanChuKyGvbm"})

#: Set to False to always run the full XSD (the tests compare both ways).
ENABLED = True


def _load_schema_doc() -> etree._ElementTree:
    # Our own files, through a parser that never touches the network nor expands entities.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.parse(str(schema_path()), parser)


@functools.cache
def data_schema() -> etree.XMLSchema | None:
    """The bundled XSD with the slots' ``ds:Signature`` made an opaque ``xs:any`` (skip), or
    None (the fast path off) if the XSD is not shaped as this module's argument assumes."""
    doc = _load_schema_doc()
    root = doc.getroot()
    refs = [
        el
        for el in root.iter(f"{{{_XS}}}element")
        if el.get("ref") == "ds:Signature" and el.nsmap.get("ds") == DSIG_NS
    ]
    if len(refs) != 1:
        return None
    ref = refs[0]
    container = ref.getparent()
    owner = container.getparent() if container is not None else None
    if (
        sorted(ref.keys()) != ["minOccurs", "ref"]
        or ref.get("minOccurs") != "0"
        or container is None
        or container.tag != f"{{{_XS}}}sequence"
        or len(container) != 1
        or owner is None
        or owner.get("name") != "ONhanChuKy"
    ):
        return None
    # The slot tags are the only elements of the slot types (the argument's premise: step 3
    # finds every one of them); anything else and the fast path stays off.
    typed = sorted(
        el.get("name") or ""
        for el in root.iter(f"{{{_XS}}}element")
        if el.get("type") in _SLOT_TYPES
    )
    if typed != sorted(role.value for role in L.SLOT_PATHS):
        return None
    wildcard = etree.Element(
        f"{{{_XS}}}any",
        namespace=DSIG_NS,
        processContents="skip",
        minOccurs="0",
    )
    container.replace(ref, wildcard)
    # The two identity constraints, which step 3 already enforces (point 4. above); if the
    # bundled XSD declares them otherwise, the fast path stays off.
    hoc_ba = next(
        (el for el in root.iterchildren(f"{{{_XS}}}element") if el.get("name") == L.ROOT), None
    )
    found = [] if hoc_ba is None else list(hoc_ba.iterchildren(f"{{{_XS}}}unique"))
    shapes = [[(c.tag, c.get("xpath")) for c in u.iterchildren(etree.Element)] for u in found]
    if shapes != _UNIQUE_SHAPES or hoc_ba is None:
        return None
    for unique in found:
        hoc_ba.remove(unique)
    return etree.XMLSchema(doc)


#: The bundled XSD's ``xs:unique`` constraints on ``HOC_BA``, as (child, XPath) pairs: the
#: rows' subject codes, and the subject-teacher slots' ``MA_MON_HOC`` attributes.
_UNIQUE_SHAPES = [
    [
        (f"{{{_XS}}}selector", f"{L.DU_LIEU}/{L.BANG_DIEM}/{L.DIEM_TONG_KET}"),
        (f"{{{_XS}}}field", L.MA_MON_HOC),
    ],
    [
        (f"{{{_XS}}}selector", f"{L.DANH_SACH_KY}/{L.DANH_SACH_GVBM}/{L.VaiTroKy.GVBM.value}"),
        (f"{{{_XS}}}field", f"@{L.ATTR_MA_MON}"),
    ],
]


def schema_valid_fast(structure: StructureOutcome, root: etree._Element) -> bool:
    """True only when the full XSD accepts ``root`` (the module docstring's argument); False
    when that is not proven here."""
    if not ENABLED or structure.fatal:
        return False
    schema = data_schema()
    if schema is None:
        return False
    by_element = {ps.element: ps for ps in structure.signatures}
    for slot in structure.slots:
        n = len(slot.element)
        if n == 0:
            continue
        ps = by_element.get(slot.element[0]) if n == 1 else None
        if ps is None or ps.object_facts is None:
            return False
    return bool(schema.validate(root))
