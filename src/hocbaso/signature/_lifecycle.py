"""Issue, correct, revoke (docs/signing.md §7): a record never changes after issuance.

- :func:`issue` adds the KY_PHAT_HANH signature and returns an :class:`IssuedRecord` — the signed
  bytes exactly as produced (never re-serialised) plus the record parsed from them.
- :func:`correct` makes the *unsigned* packet of the next version: same identifier, version + 1,
  a reason and the record digest of the previous version (``DINH_CHINH``; see
  :func:`~hocbaso.signature.record_digest`: over signed content, never file bytes). It is then
  signed afresh by every role, so the versions form a checkable chain.
- :func:`revoke` makes a signed revocation notice (``THONG_BAO_THU_HOI``, schema
  ``schemas/thong-bao-thu-hoi-1.0.xsd``), signed in the same profile with the school's
  organisation certificate; a verifier given the notice reports the record as revoked. It
  names the record by identifier, version and record digest, and its fields are read back only
  from the canonical bytes its signature covers (:func:`read_thong_bao_thu_hoi`).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from cryptography import x509

from hocbaso.errors import CertificateError, InputError, RoleOrderError, SigningError
from hocbaso.models import DinhChinh, HocBa, TrangThaiHocBa
from hocbaso.packet import DEFAULT_LIMITS, from_xml, parse_xml, to_xml
from hocbaso.packet._internal import PacketSource, VaiTroKy, packet_bytes, type_name
from hocbaso.packet._internal import layout as L
from hocbaso.signature import _memo
from hocbaso.signature._algorithms import DSIG_NS
from hocbaso.signature._certificate_check import check_certificate
from hocbaso.signature._certrules import HolderKind, certificate_identity
from hocbaso.signature._checks import check_content
from hocbaso.signature._element import ElementSlot, sign_element
from hocbaso.signature._keys import (
    signature_method_for,
)
from hocbaso.signature._packet_view import PacketView, load_packet
from hocbaso.signature._planner import format_time
from hocbaso.signature._policy import SigningPolicy
from hocbaso.signature._profile import (
    HocBaKy,
    SignatureProblem,
    check_signature,
)
from hocbaso.signature._record import record_digest as _record_digest
from hocbaso.signature._role_order import check_slot
from hocbaso.signature._signer import Signer
from hocbaso.signature._twophase import check_signer, sign

__all__ = [
    "THU_HOI_FORMAT_VERSION",
    "ChuKyDaXacThuc",
    "IssuedRecord",
    "ThongBaoThuHoi",
    "correct",
    "issue",
    "read_thong_bao_thu_hoi",
    "revoke",
]

#: Format version of the revocation notice (also in its XSD's file name).
THU_HOI_FORMAT_VERSION = "1.0"
_THU_HOI_DATA_ID = "thuhoi"
_THU_HOI_SIG_ID = f"{L.SIGNATURE_ID_PREFIX}{_THU_HOI_DATA_ID}"
_THU_HOI_OBJ_ID = f"{L.OBJECT_ID_PREFIX}{_THU_HOI_DATA_ID}"
_D = f"{{{DSIG_NS}}}"


@dataclass(frozen=True, slots=True)
class ChuKyDaXacThuc:
    """One verified signature of an issued record: who (role, certificate) and when."""

    role: VaiTroKy
    mon: str | None
    signing_time: datetime
    certificate: x509.Certificate


def _check_complete(view: PacketView, policy: SigningPolicy) -> tuple[ChuKyDaXacThuc, ...]:
    """Every role present and valid, certificates fit their roles, times in role order.

    Digests and values are recomputed unless these exact bytes were verified moments ago by
    this process (``_memo``); structure, certificates and order are always checked.
    """
    clean = _memo.is_verified(view.data, policy)
    missing = [s.label for s in view.slots if s.signature is None]
    if missing:
        raise RoleOrderError(
            f"the record is not fully signed: {', '.join(missing)} missing",
            f"học bạ chưa được ký đủ: thiếu {', '.join(missing)}",
            code="SIGN.ORDER.MISSING",
            path=missing[-1],
        )
    found: list[ChuKyDaXacThuc] = []
    for s in view.slots:
        assert s.signature is not None
        try:
            checked = check_slot(s, view, policy=policy, record=view.binding(), crypto=not clean)
        except SignatureProblem as problem:
            raise RoleOrderError(
                f"{s.label}: the signature is not valid ({problem.en})",
                f"{s.label}: chữ ký không hợp lệ ({problem.vi})",
                code="SIGN.ORDER.INVALID_PRIOR",
                path=s.label,
            ) from None
        check_certificate(view, s, checked.certificate, checked.signing_time, policy)
        found.append(ChuKyDaXacThuc(s.role, s.mon, checked.signing_time, checked.certificate))
    for earlier in found:
        for later in found:
            if later.role.rank > earlier.role.rank and (
                later.signing_time < earlier.signing_time - policy.clock_skew
            ):
                label = later.role.value
                raise RoleOrderError(
                    f"{label}: signed before an earlier role",
                    f"{label}: ký trước vai trò phải ký trước",
                    code="SIGN.ORDER.TIME_BACKWARDS",
                    path=label,
                )
    _memo.note_verified(view.data, policy)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class IssuedRecord:
    """An issued (phát hành) record: immutable signed bytes and the record read from them.

    ``signed`` is kept byte for byte; nothing in hocbaso ever re-serialises it. ``hoc_ba`` is
    parsed from those bytes (every part of it is covered by the CBQL and KY_PHAT_HANH
    signatures), and is a frozen model.
    """

    signed: bytes
    hoc_ba: HocBa
    issued_at: datetime
    signatures: tuple[ChuKyDaXacThuc, ...]

    def __bytes__(self) -> bytes:
        """The signed bytes: ``verify``, ``correct``, ``revoke`` and ``from_xml`` take an
        ``IssuedRecord`` wherever they take the packet's bytes."""
        return self.signed

    @property
    def transport_sha256(self) -> str:
        """SHA-256 (hex) of the file bytes exactly as kept: a *transport* digest (did these
        bytes arrive intact?). It does not identify the record: bytes no signature covers
        (a trailing newline, CRLF line ends) change it. Use :attr:`record_digest` for that."""
        return hashlib.sha256(self.signed).hexdigest()

    @property
    def record_digest(self) -> str:
        """The record digest (:func:`~hocbaso.signature.record_digest`, over signed content):
        what a correction (``BAM_PHIEN_BAN_TRUOC``) and a revocation notice (``BAM_HOC_BA``)
        name."""
        return _record_digest(self.signed)

    @property
    def ma_dinh_danh_hoc_ba(self) -> str:
        return self.hoc_ba.ma_dinh_danh_hoc_ba

    @property
    def phien_ban(self) -> int:
        return self.hoc_ba.phien_ban

    @classmethod
    def from_signed(
        cls,
        signed: PacketSource,
        *,
        policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
    ) -> IssuedRecord:
        """Accept already-issued bytes (e.g. after a two-phase KY_PHAT_HANH) after checking
        that every role signed, every signature verifies and the order holds.

        This is the signing side's completeness check, not the verifier: certificate paths,
        trust anchors and revocation are ``hocbaso.verify``'s job. It does not refuse a record
        whose results are wrong: such a record (issued elsewhere, or before this check
        existed) must still be correctable and revocable; issuing itself refuses them.
        """
        signed = packet_bytes(signed, what="signed", max_bytes=DEFAULT_LIMITS.max_bytes)
        view = load_packet(signed)
        signatures = _check_complete(view, policy)
        hoc_ba = from_xml(signed)
        issued_at = next(s.signing_time for s in signatures if s.role is VaiTroKy.KY_PHAT_HANH)
        return cls(signed, hoc_ba, issued_at, signatures)


def issue(
    packet: PacketSource,
    signer: Signer,
    *,
    signing_time: datetime,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> IssuedRecord:
    """Issue a record: add the school's KY_PHAT_HANH signature and check the whole record.

    ``packet`` (bytes or a ``pathlib.Path``) must carry every GVBM, the GVCN and the CBQL
    signature. The effective date (ngày có hiệu lực) is the issue date, ``issued_at``.

    An issued record cannot be taken back, so it is refused unless it passes every check a
    receiving school runs: the XSD (``SchemaError``), the catalogue (``ModelError``) and
    Thông tư 22 (``ContentError``, with the ``CONTENT.*`` codes ``verify`` would report).
    """
    signed = sign(packet, VaiTroKy.KY_PHAT_HANH, signer, signing_time=signing_time, policy=policy)
    return IssuedRecord.from_signed(signed, policy=policy)


def correct(
    previous_signed: PacketSource,
    new_record: HocBa,
    reason: str,
    *,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> bytes:
    """The unsigned packet of the corrected version (đính chính) of an issued record.

    ``new_record`` carries the corrected data; its identifier must be the previous version's.
    Its version, status and ``dinh_chinh`` are set here: version + 1, in force, the reason and
    the record digest of ``previous_signed`` (over its signed content, so the same however the
    file's bytes travelled). Sign the result through all roles again.

    ``previous_signed`` is the issued bytes, a ``pathlib.Path`` or the ``IssuedRecord``. The
    corrected record must pass the Thông tư 22 content check (``ContentError``): a correction
    exists to fix a record, and its CBQL and KY_PHAT_HANH signatures would refuse it anyway.
    """
    if not isinstance(new_record, HocBa):
        raise InputError(
            f"new_record: got {type_name(new_record)}; pass a HocBa (e.g. "
            "issued.hoc_ba.model_copy(update=...) or HocBa.model_validate(data))",
            f"new_record: nhận được {type_name(new_record)}; hãy truyền một HocBa (ví dụ "
            "issued.hoc_ba.model_copy(update=...) hoặc HocBa.model_validate(dữ liệu))",
            code="INPUT.TYPE",
            path="new_record",
        )
    previous = IssuedRecord.from_signed(previous_signed, policy=policy)
    if new_record.ma_dinh_danh_hoc_ba != previous.ma_dinh_danh_hoc_ba:
        raise SigningError(
            "a correction must keep the record's identifier",
            "bản đính chính phải giữ nguyên mã định danh học bạ",
            code="SIGN.CORRECT.IDENTIFIER",
            path="THONG_TIN_CHUNG/MA_DINH_DANH_HOC_BA",
        )
    info = new_record.thong_tin_hoc_ba
    header = info.thong_tin_chung.model_dump()
    header.update(
        phien_ban=previous.phien_ban + 1,
        trang_thai=TrangThaiHocBa.CO_HIEU_LUC,
        dinh_chinh=DinhChinh(ly_do=reason, bam_phien_ban_truoc=previous.record_digest),
    )
    data = new_record.model_dump()
    data["thong_tin_hoc_ba"]["thong_tin_chung"] = header
    corrected = HocBa.model_validate(data)
    check_content(corrected)
    return to_xml(corrected)


# --------------------------------------------------------------------------------------------
# Revocation notice
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThongBaoThuHoi:
    """A revocation notice (thông báo thu hồi), as read back from its signed bytes."""

    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    bam_hoc_ba: str
    ly_do: str
    ngay_thu_hoi: str
    signing_time: datetime
    certificate: x509.Certificate
    signed: bytes


def _notice_bytes(previous: IssuedRecord, reason: str, revocation_time: datetime) -> bytes:
    when = format_time(revocation_time, "THU_HOI")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<THONG_BAO_THU_HOI PHIEN_BAN_DINH_DANG="{THU_HOI_FORMAT_VERSION}">\n'
        f'  <DU_LIEU_THU_HOI Id="{_THU_HOI_DATA_ID}">\n'
        f"    <MA_DINH_DANH_HOC_BA>{previous.ma_dinh_danh_hoc_ba}</MA_DINH_DANH_HOC_BA>\n"
        f"    <PHIEN_BAN>{previous.phien_ban}</PHIEN_BAN>\n"
        f"    <BAM_HOC_BA>{previous.record_digest}</BAM_HOC_BA>\n"
        f"    <LY_DO>{escape(unicodedata.normalize('NFC', reason.strip()))}</LY_DO>\n"
        f"    <NGAY_THU_HOI>{when}</NGAY_THU_HOI>\n"
        "  </DU_LIEU_THU_HOI>\n"
        "  <KY_THU_HOI/>\n"
        "</THONG_BAO_THU_HOI>\n"
    ).encode()


def _issuer_organisations(record: IssuedRecord) -> set[str]:
    kph = next(s for s in record.signatures if s.role is VaiTroKy.KY_PHAT_HANH)
    return set(certificate_identity(kph.certificate).organisation_ids)


def revoke(
    previous_signed: PacketSource,
    signer: Signer,
    *,
    reason: str,
    revocation_time: datetime,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> bytes:
    """A signed revocation notice for an issued record.

    Signed with the school's organisation certificate (the same organisation identity as the
    record's KY_PHAT_HANH signature when ``policy.check_identity``), in the docs/signing.md §1
    profile: Reference 1 to ``#thuhoi`` (the notice's data), Reference 2 to its SigningTime.
    """
    label = "THU_HOI"
    format_time(revocation_time, label)  # a datetime with a UTC offset, checked first
    if not isinstance(reason, str) or not reason.strip() or len(reason.strip()) > 500:
        raise SigningError(
            "a revocation needs a reason of at most 500 characters",
            "thu hồi học bạ phải có lý do, tối đa 500 ký tự",
            code="SIGN.REVOKE.REASON",
            path="LY_DO",
        )
    check_signer(signer)
    previous = IssuedRecord.from_signed(previous_signed, policy=policy)
    if revocation_time < previous.issued_at:
        raise RoleOrderError(
            "THU_HOI: the revocation time is before the issue time",
            "THU_HOI: thời điểm thu hồi sớm hơn thời điểm phát hành",
            code="SIGN.ORDER.TIME_BACKWARDS",
            path="THU_HOI",
        )
    certificate = signer.certificate
    signature_method_for(certificate, label)  # a usable key, before any other work
    if revocation_time > certificate.not_valid_after_utc or (
        revocation_time < certificate.not_valid_before_utc - policy.clock_skew
    ):
        raise CertificateError(
            f"{label}: the certificate is not valid at the revocation time",
            f"{label}: chứng thư số không có hiệu lực tại thời điểm thu hồi",
            code="SIGN.CERTIFICATE.EXPIRED",
            path=label,
        )
    if policy.check_identity:
        identity = certificate_identity(certificate)
        own = set(identity.organisation_ids)
        if not own or identity.holder is not HolderKind.ORGANISATION:
            raise CertificateError(
                f"{label}: a revocation needs the school's organisation certificate",
                f"{label}: thông báo thu hồi cần chứng thư số tổ chức của nhà trường",
                code="SIGN.CERTIFICATE.NOT_ORGANISATION",
                path=label,
            )
        if not own & _issuer_organisations(previous):
            raise CertificateError(
                f"{label}: the certificate is not the issuing school's",
                f"{label}: chứng thư số không phải của trường đã phát hành học bạ",
                code="SIGN.CERTIFICATE.IDENTITY",
                path=label,
            )
    # The notice is a document signed by Id like any other: the one element-signing path.
    return sign_element(
        _notice_bytes(previous, reason, revocation_time),
        ElementSlot(_THU_HOI_DATA_ID, "KY_THU_HOI", _THU_HOI_SIG_ID, _THU_HOI_OBJ_ID),
        binding=HocBaKy(previous.ma_dinh_danh_hoc_ba, str(previous.phien_ban)),
        signer=signer,
        signing_time=revocation_time,
        label=label,
        policy=policy,
    )


_NOTICE_FIELDS = ("MA_DINH_DANH_HOC_BA", "PHIEN_BAN", "BAM_HOC_BA", "LY_DO", "NGAY_THU_HOI")


def read_thong_bao_thu_hoi(
    data: bytes,
    *,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> ThongBaoThuHoi:
    """Parse a revocation notice and check its signature's digests and value.

    Trust in the certificate (path to an anchor, revocation) is ``hocbaso.verify``'s job; this
    only guarantees the fields returned are the ones the notice's signature covers: they are
    read from the canonical bytes Reference 1 digested (re-parsed with the hardened parser),
    never from the received tree, where a comment would cut ``.text`` short. The data block
    must hold exactly the five fields, in order, each plain text (no child element, no
    processing instruction), and the signature's signed ``HocBaKy`` must name the notice's own
    identifier and version. Anything else raises ``SIGN.REVOKE.NOTICE``.
    """
    root = parse_xml(data)
    label = "THU_HOI"

    def bad(en: str, vi: str) -> SigningError:
        return SigningError(en, vi, code="SIGN.REVOKE.NOTICE", path=label)

    body = root.find("DU_LIEU_THU_HOI")
    sigs = root.findall(f"KY_THU_HOI/{_D}Signature")
    if root.tag != "THONG_BAO_THU_HOI" or body is None or len(sigs) != 1:
        raise bad("not a signed revocation notice", "không phải thông báo thu hồi đã ký")
    ids = {el.get("Id") or "": el for el in root.iterfind(".//*[@Id]")}
    if len(ids) != len(root.findall(".//*[@Id]")) or ids.get(_THU_HOI_DATA_ID) is not body:
        raise bad("duplicate or misplaced Id", "Id bị lặp hoặc sai vị trí")
    try:
        checked = check_signature(
            sigs[0],
            signature_id=_THU_HOI_SIG_ID,
            object_id=_THU_HOI_OBJ_ID,
            reference_id=_THU_HOI_DATA_ID,
            ids=ids,
            policy=policy,
        )
    except SignatureProblem as problem:
        raise SigningError(
            f"{label}: the notice's signature is not valid ({problem.en})",
            f"{label}: chữ ký của thông báo không hợp lệ ({problem.vi})",
            code="SIGN.REVOKE.SIGNATURE",
            path=label,
        ) from None
    signed_body = parse_xml(checked.reference_c14n)
    fields = list(signed_body)  # elements, and any processing instruction C14N kept
    if signed_body.tag != "DU_LIEU_THU_HOI" or [f.tag for f in fields] != list(_NOTICE_FIELDS):
        raise bad(
            "the signed notice data is not exactly the five notice fields",
            "dữ liệu đã ký của thông báo không đúng năm trường quy định",
        )
    if (signed_body.text or "").strip() or any(len(f) or (f.tail or "").strip() for f in fields):
        raise bad(
            "a notice field holds markup or stray text",
            "một trường của thông báo chứa thẻ hoặc văn bản thừa",
        )
    values = {str(f.tag): (f.text or "").strip() for f in fields}
    if not all(values.values()):
        raise bad("an empty notice field", "một trường của thông báo bị trống")
    version = values["PHIEN_BAN"]
    if not (version.isascii() and version.isdigit() and len(version) <= 9):
        raise bad("PHIEN_BAN is not a number", "PHIEN_BAN không phải số")
    if checked.record != HocBaKy(values["MA_DINH_DANH_HOC_BA"], str(int(version))):
        raise bad(
            "the notice's signature was made for another record than the notice names",
            "chữ ký của thông báo được ký cho học bạ khác với học bạ thông báo ghi",
        )
    return ThongBaoThuHoi(
        ma_dinh_danh_hoc_ba=values["MA_DINH_DANH_HOC_BA"],
        phien_ban=int(version),
        bam_hoc_ba=values["BAM_HOC_BA"].lower(),
        ly_do=values["LY_DO"],
        ngay_thu_hoi=values["NGAY_THU_HOI"],
        signing_time=checked.signing_time,
        certificate=checked.certificate,
        signed=bytes(data),
    )
