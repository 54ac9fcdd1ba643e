"""``GOI_TIN.xml``: the signed envelope of a package (docs/package.md §3).

The envelope lists what the package holds — one ``TEP`` per entry with its path, kind, record
identifier and version, **record digest** (over signed content,
:func:`hocbaso.signature.record_digest`) and the SHA-256 of the entry's exact bytes (transport
integrity) — and the general information of the submission. It is signed by the sending
school's organisation certificate with :func:`hocbaso.signature.sign_element` (the record
profile: Reference 1 to ``#goitin``, Reference 2 to the signed SigningTime object), bound to the
package id. When reading, every field comes from the canonical bytes the signature covers
(:attr:`~hocbaso.signature.ElementSignature.signed_c14n`), never from the received tree.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast
from xml.sax.saxutils import escape

from lxml import etree

from hocbaso.errors import HocBaSoError
from hocbaso.package._codes import package_error
from hocbaso.packet import ParseLimits, parse_xml, schema_dir
from hocbaso.packet._internal import layout as L

__all__ = [
    "ENVELOPE_FORMAT_VERSION",
    "ENVELOPE_LIMITS",
    "GoiTin",
    "LoaiTep",
    "MucDich",
    "TepGoiTin",
    "envelope_bytes",
    "read_envelope",
    "validate_document",
]

ENVELOPE_FORMAT_VERSION = "1.0"
#: The envelope of a school of several thousand records is larger than one record.
ENVELOPE_LIMITS = ParseLimits(max_bytes=32 * 1024 * 1024, max_elements=200_000)
DATA_ID = "goitin"
SIG_ID = f"{L.SIGNATURE_ID_PREFIX}{DATA_ID}"
OBJ_ID = f"{L.OBJECT_ID_PREFIX}{DATA_ID}"
SLOT = "CHU_KY_GOI_TIN"
_FIELDS = (
    "MA_GOI_TIN", "MA_GOI_TIN_THAM_CHIEU", "MA_TRUONG_GUI", "NOI_NHAN", "MUC_DICH", "DOT_GUI",
    "NAM_HOC", "SO_HOC_BA", "SO_THONG_BAO_THU_HOI", "THOI_DIEM_TAO",
)
_TEP_FIELDS = (
    "DUONG_DAN", "LOAI", "MA_DINH_DANH_HOC_BA", "PHIEN_BAN", "BAM_HOC_BA", "BAM_TEP",
)


class MucDich(StrEnum):
    """Purpose of a package (mục đích)."""

    PHAT_HANH = "01"  #: issue: version-1 records
    DINH_CHINH = "02"  #: correct: later versions
    THU_HOI = "03"  #: revoke: revocation notices
    CHUYEN_TRUONG = "04"  #: transfer bundle (chuyển trường)


class LoaiTep(StrEnum):
    """Kind of an entry: a record (``hoc_ba/``) or a revocation notice (``thu_hoi/``)."""

    HOC_BA = "HOC_BA"
    THU_HOI = "THU_HOI"


@dataclass(frozen=True, slots=True)
class TepGoiTin:
    """One entry of the envelope."""

    duong_dan: str
    loai: LoaiTep
    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    #: Record digest (over signed content) of the record, or of the record a notice revokes.
    bam_hoc_ba: str
    #: SHA-256 (hex) of the entry's exact bytes: transport integrity only.
    bam_tep: str


@dataclass(frozen=True, slots=True)
class GoiTin:
    """The general information and entry list of a package, as its signature covers them."""

    ma_goi_tin: str
    ma_goi_tin_tham_chieu: str | None
    ma_truong_gui: str
    noi_nhan: str
    muc_dich: MucDich
    dot_gui: int | None
    nam_hoc: str
    so_hoc_ba: int
    so_thong_bao_thu_hoi: int
    thoi_diem_tao: str
    tep: tuple[TepGoiTin, ...]
    #: Transfer bundles only: the receiving school's code (MA_TRUONG_DEN).
    ma_truong_den: str | None = None


def envelope_bytes(goi_tin: GoiTin) -> bytes:
    """The unsigned envelope, with the empty signature slot ``CHU_KY_GOI_TIN``."""
    g = goi_tin
    values: dict[str, str | None] = {
        "MA_GOI_TIN": g.ma_goi_tin,
        "MA_GOI_TIN_THAM_CHIEU": g.ma_goi_tin_tham_chieu,
        "MA_TRUONG_GUI": g.ma_truong_gui,
        "NOI_NHAN": g.noi_nhan,
        "MUC_DICH": g.muc_dich.value,
        "DOT_GUI": None if g.dot_gui is None else str(g.dot_gui),
        "NAM_HOC": g.nam_hoc,
        "SO_HOC_BA": str(g.so_hoc_ba),
        "SO_THONG_BAO_THU_HOI": str(g.so_thong_bao_thu_hoi),
        "THOI_DIEM_TAO": g.thoi_diem_tao,
    }
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<GOI_TIN PHIEN_BAN_DINH_DANG="{ENVELOPE_FORMAT_VERSION}">',
        f'  <DU_LIEU_GOI_TIN Id="{DATA_ID}">',
        "    <THONG_TIN_CHUNG>",
    ]
    lines += [f"      <{k}>{escape(v)}</{k}>" for k, v in values.items() if v is not None]
    lines.append("    </THONG_TIN_CHUNG>")
    if g.ma_truong_den is not None:
        lines += [
            "    <CHUYEN_TRUONG>",
            f"      <MA_TRUONG_DEN>{escape(g.ma_truong_den)}</MA_TRUONG_DEN>",
            "    </CHUYEN_TRUONG>",
        ]
    lines.append("    <DANH_SACH_TEP>")
    for t in g.tep:
        lines.append("      <TEP>")
        for k, v in zip(
            _TEP_FIELDS,
            (t.duong_dan, t.loai.value, t.ma_dinh_danh_hoc_ba, str(t.phien_ban), t.bam_hoc_ba,
             t.bam_tep),
            strict=True,
        ):
            lines.append(f"        <{k}>{escape(v)}</{k}>")
        lines.append("      </TEP>")
    lines += ["    </DANH_SACH_TEP>", "  </DU_LIEU_GOI_TIN>", f"  <{SLOT}/>", "</GOI_TIN>", ""]
    return "\n".join(lines).encode("utf-8")


@functools.cache
def _schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(schema_dir() / name), parser))


def validate_document(root: etree._Element, schema_name: str) -> str | None:
    """None when ``root`` is valid against a bundled schema, else the first error's line
    and message (messages name elements, never values from the document)."""
    schema = _schema(schema_name)
    if schema.validate(root):
        return None
    errors = list(cast(Iterable[Any], schema.error_log))
    return f"line {errors[0].line}: {errors[0].type_name}" if errors else "invalid"


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    if len(el):
        raise ValueError("markup in a field")
    return (el.text or "").strip()


def read_envelope(signed_c14n: bytes) -> GoiTin:
    """The envelope's fields from the canonical bytes its signature covers (``#goitin``).

    Raises ``PACKAGE.ENVELOPE.FORMAT`` when they are not the envelope layout.
    """
    try:
        body = parse_xml(signed_c14n, limits=ENVELOPE_LIMITS)
        if body.tag != "DU_LIEU_GOI_TIN" or next(body.iter(etree.ProcessingInstruction), None):
            raise ValueError("layout")
        info = body.find("THONG_TIN_CHUNG")
        files = body.find("DANH_SACH_TEP")
        if info is None or files is None:
            raise ValueError("layout")
        v = {f: _text(info.find(f)) for f in _FIELDS}
        tep = []
        for el in files.iterchildren("TEP"):
            t = {f: _text(el.find(f)) or "" for f in _TEP_FIELDS}
            tep.append(
                TepGoiTin(
                    t["DUONG_DAN"],
                    LoaiTep(t["LOAI"]),
                    t["MA_DINH_DANH_HOC_BA"],
                    int(t["PHIEN_BAN"]),
                    t["BAM_HOC_BA"].lower(),
                    t["BAM_TEP"].lower(),
                )
            )
        den = body.find("CHUYEN_TRUONG/MA_TRUONG_DEN")
        return GoiTin(
            ma_goi_tin=v["MA_GOI_TIN"] or "",
            ma_goi_tin_tham_chieu=v["MA_GOI_TIN_THAM_CHIEU"] or None,
            ma_truong_gui=v["MA_TRUONG_GUI"] or "",
            noi_nhan=v["NOI_NHAN"] or "",
            muc_dich=MucDich(v["MUC_DICH"] or ""),
            dot_gui=int(v["DOT_GUI"]) if v["DOT_GUI"] else None,
            nam_hoc=v["NAM_HOC"] or "",
            so_hoc_ba=int(v["SO_HOC_BA"] or "-1"),
            so_thong_bao_thu_hoi=int(v["SO_THONG_BAO_THU_HOI"] or "-1"),
            thoi_diem_tao=v["THOI_DIEM_TAO"] or "",
            tep=tuple(tep),
            ma_truong_den=_text(den),
        )
    except (HocBaSoError, ValueError) as exc:
        raise package_error("PACKAGE.ENVELOPE.FORMAT", path="GOI_TIN.xml") from exc
