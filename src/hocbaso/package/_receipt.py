"""``BIEN_NHAN.xml``: the signed receipt for a package (docs/package.md §6).

A receipt answers one package: the technical result (the container, envelope and signature
held, or the codes why not) and one business result per entry — accepted (``CHAP_NHAN``),
rejected with its codes (``TU_CHOI``), or already stored (``TRUNG``). It is signed by the
receiver's organisation certificate with the same element signer as the envelope, bound to the
receipt id, and read back only from the bytes its signature covers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from xml.sax.saxutils import escape

from lxml import etree

from hocbaso.errors import HocBaSoError
from hocbaso.package._codes import package_error
from hocbaso.package._envelope import ENVELOPE_LIMITS, validate_document
from hocbaso.package._signed import believe, binding_for
from hocbaso.packet import parse_xml
from hocbaso.packet._internal import layout as L
from hocbaso.signature import Signer, SigningPolicy
from hocbaso.signature._internal import (
    ElementSignature,
    ElementSlot,
    check_element_signature,
    sign_element,
)
from hocbaso.verify import CrlSet, TrustStore

__all__ = [
    "BienNhan",
    "KetQuaTep",
    "TrangThaiNhan",
    "own_receipt",
    "read_receipt",
    "receipt_bytes",
    "sign_receipt",
]

RECEIPT_FORMAT_VERSION = "1.0"
DATA_ID = "biennhan"
SIG_ID = f"{L.SIGNATURE_ID_PREFIX}{DATA_ID}"
OBJ_ID = f"{L.OBJECT_ID_PREFIX}{DATA_ID}"
SLOT = "CHU_KY_BIEN_NHAN"
_PLACE = ElementSlot(DATA_ID, SLOT, SIG_ID, OBJ_ID)
SCHEMA = "bien-nhan-1.0.xsd"


class TrangThaiNhan(StrEnum):
    """Outcome of a package or of one entry."""

    CHAP_NHAN = "CHAP_NHAN"  #: accepted
    TU_CHOI = "TU_CHOI"  #: rejected (with codes)
    TRUNG = "TRUNG"  #: duplicate: already stored, nothing changed


@dataclass(frozen=True, slots=True)
class KetQuaTep:
    """The business result for one entry."""

    duong_dan: str
    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    bam_hoc_ba: str
    trang_thai: TrangThaiNhan
    ma_loi: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"duong_dan": self.duong_dan, "ma_dinh_danh_hoc_ba": self.ma_dinh_danh_hoc_ba,
                "phien_ban": self.phien_ban, "bam_hoc_ba": self.bam_hoc_ba,
                "trang_thai": self.trang_thai.value, "ma_loi": list(self.ma_loi)}


@dataclass(frozen=True, slots=True)
class BienNhan:
    """A receipt (biên nhận): its fields and its exact signed bytes."""

    ma_bien_nhan: str
    ma_goi_tin: str | None
    bam_goi_tin: str
    noi_nhan: str
    thoi_diem_nhan: str
    trang_thai: TrangThaiNhan
    ma_loi: tuple[str, ...]
    canh_bao: tuple[str, ...]
    ket_qua: tuple[KetQuaTep, ...]
    signed: bytes = b""

    @property
    def accepted(self) -> int:
        return sum(k.trang_thai is TrangThaiNhan.CHAP_NHAN for k in self.ket_qua)

    def as_dict(self) -> dict[str, object]:
        return {
            "ma_bien_nhan": self.ma_bien_nhan, "ma_goi_tin": self.ma_goi_tin,
            "bam_goi_tin": self.bam_goi_tin, "noi_nhan": self.noi_nhan,
            "thoi_diem_nhan": self.thoi_diem_nhan, "trang_thai": self.trang_thai.value,
            "ma_loi": list(self.ma_loi), "canh_bao": list(self.canh_bao),
            "chap_nhan": self.accepted, "tong_so": len(self.ket_qua),
            "ket_qua": [k.as_dict() for k in self.ket_qua],
        }


def receipt_bytes(b: BienNhan) -> bytes:
    """The unsigned receipt with its empty slot."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<BIEN_NHAN PHIEN_BAN_DINH_DANG="{RECEIPT_FORMAT_VERSION}">',
        f'  <DU_LIEU_BIEN_NHAN Id="{DATA_ID}">',
        f"    <MA_BIEN_NHAN>{escape(b.ma_bien_nhan)}</MA_BIEN_NHAN>",
    ]
    if b.ma_goi_tin is not None:
        out.append(f"    <MA_GOI_TIN>{escape(b.ma_goi_tin)}</MA_GOI_TIN>")
    out += [
        f"    <BAM_GOI_TIN>{b.bam_goi_tin}</BAM_GOI_TIN>",
        f"    <NOI_NHAN>{escape(b.noi_nhan)}</NOI_NHAN>",
        f"    <THOI_DIEM_NHAN>{escape(b.thoi_diem_nhan)}</THOI_DIEM_NHAN>",
        "    <KET_QUA_KY_THUAT>",
        f"      <TRANG_THAI>{b.trang_thai.value}</TRANG_THAI>",
    ]
    out += [f"      <MA_LOI>{escape(c)}</MA_LOI>" for c in b.ma_loi]
    out += [f"      <CANH_BAO>{escape(c)}</CANH_BAO>" for c in b.canh_bao]
    out += ["    </KET_QUA_KY_THUAT>", "    <DANH_SACH_KET_QUA>"]
    for k in b.ket_qua:
        out += [
            "      <KET_QUA>",
            f"        <DUONG_DAN>{escape(k.duong_dan)}</DUONG_DAN>",
            f"        <MA_DINH_DANH_HOC_BA>{escape(k.ma_dinh_danh_hoc_ba)}</MA_DINH_DANH_HOC_BA>",
            f"        <PHIEN_BAN>{k.phien_ban}</PHIEN_BAN>",
            f"        <BAM_HOC_BA>{escape(k.bam_hoc_ba)}</BAM_HOC_BA>",
            f"        <TRANG_THAI>{k.trang_thai.value}</TRANG_THAI>",
        ]
        out += [f"        <MA_LOI>{escape(c)}</MA_LOI>" for c in k.ma_loi]
        out.append("      </KET_QUA>")
    out += ["    </DANH_SACH_KET_QUA>", "  </DU_LIEU_BIEN_NHAN>", f"  <{SLOT}/>", "</BIEN_NHAN>",
            ""]
    return "\n".join(out).encode("utf-8")


def sign_receipt(
    b: BienNhan,
    signer: Signer,
    signing_time: dt.datetime,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> bytes:
    return sign_element(
        receipt_bytes(b), _PLACE, binding=binding_for(b.ma_bien_nhan), signer=signer,
        signing_time=signing_time, label="BIEN_NHAN", policy=policy, limits=ENVELOPE_LIMITS,
    )


def _texts(el: etree._Element, tag: str) -> tuple[str, ...]:
    return tuple((c.text or "").strip() for c in el.iterchildren(tag))


def _parse(signed_c14n: bytes, data: bytes) -> BienNhan:
    body = parse_xml(signed_c14n, limits=ENVELOPE_LIMITS)
    tech = body.find("KET_QUA_KY_THUAT")
    lst = body.find("DANH_SACH_KET_QUA")
    if body.tag != "DU_LIEU_BIEN_NHAN" or tech is None or lst is None:
        raise ValueError("layout")

    def one(el: etree._Element, tag: str) -> str:
        found = el.find(tag)
        if found is None or len(found):
            raise ValueError(tag)
        return (found.text or "").strip()

    goi = body.find("MA_GOI_TIN")
    return BienNhan(
        ma_bien_nhan=one(body, "MA_BIEN_NHAN"),
        ma_goi_tin=None if goi is None else (goi.text or "").strip(),
        bam_goi_tin=one(body, "BAM_GOI_TIN"),
        noi_nhan=one(body, "NOI_NHAN"),
        thoi_diem_nhan=one(body, "THOI_DIEM_NHAN"),
        trang_thai=TrangThaiNhan(one(tech, "TRANG_THAI")),
        ma_loi=_texts(tech, "MA_LOI"),
        canh_bao=_texts(tech, "CANH_BAO"),
        ket_qua=tuple(
            KetQuaTep(one(k, "DUONG_DAN"), one(k, "MA_DINH_DANH_HOC_BA"),
                      int(one(k, "PHIEN_BAN")), one(k, "BAM_HOC_BA"),
                      TrangThaiNhan(one(k, "TRANG_THAI")), _texts(k, "MA_LOI"))
            for k in lst.iterchildren("KET_QUA")
        ),
        signed=data,
    )


def own_receipt(data: bytes) -> BienNhan:
    """A receipt this process signed and kept (its own store): the profile signature is
    checked and the fields read from the signed bytes; no trust decision about ourselves."""
    sig = check_element_signature(data, _PLACE, label="BIEN_NHAN", limits=ENVELOPE_LIMITS)
    return _parse(sig.signed_c14n, data)


def read_receipt(
    data: bytes, trust: TrustStore, *, at: dt.datetime, crls: CrlSet | None = None
) -> BienNhan:
    """Check a receipt (schema, signature, the receiver's organisation certificate) and
    return its fields from the signed bytes; raises :class:`~hocbaso.errors.PackageError`
    (``RECEIPT.FORMAT`` / ``RECEIPT.SIGNATURE`` / ``RECEIPT.CERTIFICATE`` /
    ``RECEIPT.NOT_ORGANISATION``)."""
    try:
        root = parse_xml(data, limits=ENVELOPE_LIMITS)
        problem = validate_document(root, SCHEMA)
    except (HocBaSoError, ValueError):
        problem = "not well-formed"
    if problem is not None:
        raise package_error("RECEIPT.FORMAT", detail=problem)
    believed = believe(data, _PLACE, label="BIEN_NHAN", trust=trust, crls=crls or CrlSet(),
                       at=at, limits=ENVELOPE_LIMITS, prefix="RECEIPT")
    if believed.code is not None:
        raise package_error(believed.code)
    sig: ElementSignature | None = believed.signature
    assert sig is not None
    try:
        receipt = _parse(sig.signed_c14n, data)
    except (HocBaSoError, ValueError) as exc:
        raise package_error("RECEIPT.FORMAT") from exc
    if sig.binding != binding_for(receipt.ma_bien_nhan):
        raise package_error("RECEIPT.SIGNATURE", detail="bound to another receipt")
    return receipt
