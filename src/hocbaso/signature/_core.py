"""The signing core: reading a packet's slots, enforcing role order and certificate rules, and
building the bytes each role signs. Every path — :func:`~hocbaso.signature.sign`, two-phase
``prepare``, ``sign_roles`` — goes through :func:`plan_roles`, which checks a run of steps
against the packet as those steps would change it, one at a time.

Nothing here re-serialises the packet: it is parsed (through ``hocbaso.packet.parse_xml``, the
one hardened gate) only to find the slot, the signed element and the earlier signatures; the
result is the original bytes split at the slot, around the new Signature.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from lxml import etree

from hocbaso.errors import (
    AlgorithmError,
    CertificateError,
    InputError,
    RoleOrderError,
    SigningError,
)
from hocbaso.packet import parse_xml
from hocbaso.packet._internal import VaiTroKy
from hocbaso.packet._internal import layout as L
from hocbaso.signature import _memo
from hocbaso.signature._algorithms import DSIG_NS, SignatureMethod
from hocbaso.signature._c14n import canonicalize
from hocbaso.signature._certrules import HolderKind, certificate_identity, extended_key_usage_ok
from hocbaso.signature._checks import check_packet
from hocbaso.signature._keys import der, signature_method_for
from hocbaso.signature._policy import SigningPolicy
from hocbaso.signature._profile import (
    HocBaKy,
    SignatureProblem,
    SignatureTemplate,
    build_signature,
    check_signature,
    key_info_xml_der,
    read_signing_time,
)
from hocbaso.signature._record import record_binding_in
from hocbaso.signature._splice import SlotEdit, slot_edits

__all__ = [
    "SIGNS_RESULTS",
    "PacketView",
    "Plan",
    "Planned",
    "Prepared",
    "RoleRequest",
    "SlotInfo",
    "as_role",
    "check_certificate",
    "check_mon",
    "check_request_types",
    "format_time",
    "load_packet",
    "plan_roles",
    "prepare_role",
]

_XML_NS_PREFIX = "{http://www.w3.org/XML/1998/namespace}"
_ALL_IDS = etree.XPath("//@Id")


def _packet_error(code: str, en: str, vi: str, path: str = "") -> SigningError:
    return SigningError(en, vi, code=f"SIGN.PACKET.{code}", path=path)


@dataclass(frozen=True, slots=True)
class SlotInfo:
    """One signature slot of a packet and the Signature it holds, if any."""

    role: VaiTroKy
    mon: str | None
    element: etree._Element
    signature: etree._Element | None

    @property
    def label(self) -> str:
        """Role name for messages and error paths: ``GVBM[TOAN]``, ``GVCN``…"""
        return f"GVBM[{self.mon}]" if self.role is VaiTroKy.GVBM else self.role.value

    @property
    def signature_id(self) -> str:
        return self.role.signature_id(self.mon)

    @property
    def object_id(self) -> str:
        return self.role.object_id(self.mon)

    @property
    def reference_id(self) -> str:
        return self.role.reference_id(self.mon)


@dataclass(frozen=True, slots=True)
class PacketView:
    """A parsed packet: its Id index and its slots in signing order."""

    data: bytes
    root: etree._Element
    ids: dict[str, etree._Element]
    slots: tuple[SlotInfo, ...]

    def binding(self) -> HocBaKy:
        """The record identifier and version this packet names: what every signature in it
        must be bound to. Raises ``SIGN.PACKET.RECORD_ID`` when they cannot be read."""
        found = record_binding_in(self.root)
        if found is None:
            raise _packet_error(
                "RECORD_ID",
                "the packet names no single record identifier and version "
                "(THONG_TIN_CHUNG/MA_DINH_DANH_HOC_BA, PHIEN_BAN)",
                "gói tin không ghi đúng một mã định danh học bạ và phiên bản "
                "(THONG_TIN_CHUNG/MA_DINH_DANH_HOC_BA, PHIEN_BAN)",
                f"/{L.ROOT}/{L.THONG_TIN_CHUNG_PATH}",
            )
        return found

    def slot(self, role: VaiTroKy, mon: str | None) -> SlotInfo | None:
        for s in self.slots:
            if s.role is role and s.mon == mon:
                return s
        return None

    def record_id(self, role: VaiTroKy, mon: str | None) -> str | None:
        """The personal ID the record names for ``role`` (never logged, only compared)."""
        if role is VaiTroKy.GVBM:
            row = self.ids.get(L.mon_id(mon or ""))
            found = _child(row, L.PERSONAL_ID_TAG[role]) if row is not None else None
        elif role in (VaiTroKy.GVCN, VaiTroKy.CBQL):
            info = self.ids.get(L.ID_THONG_TIN)
            name = L.PERSONAL_ID_TAG[role]
            # What ``info.find(f"NGUOI_KY/{name}")`` finds, without ElementPath's overhead.
            found = (
                next((c for k in info.iterchildren("NGUOI_KY") for c in k.iterchildren(name)), None)
                if info is not None
                else None
            )
        else:
            return None
        return (found.text or "").strip() if found is not None else None


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    """``element.find(tag)`` for a plain (no-namespace) tag: the first such child."""
    return next(element.iterchildren(tag), None)


def _child_text(element: etree._Element, tag: str) -> str:
    """``element.findtext(tag) or ""`` for a plain tag."""
    found = _child(element, tag)
    return (found.text or "") if found is not None else ""


def _signature_in(slot: etree._Element, path: str) -> etree._Element | None:
    children = list(slot)
    if (slot.text or "").strip():
        raise _packet_error("SLOT_CONTENT", "a slot holds text", "ô chữ ký chứa văn bản", path)
    if not children:
        return None
    elements = [c for c in children if isinstance(c.tag, str)]
    if len(elements) != 1 or elements[0].tag != f"{{{DSIG_NS}}}Signature":
        raise _packet_error(
            "SLOT_CONTENT",
            "a slot holds something other than one Signature",
            "ô chữ ký chứa nội dung khác ngoài một chữ ký",
            path,
        )
    return elements[0]


def load_packet(data: bytes) -> PacketView:
    """Parse ``data`` with the hardened parser and index its Ids and signature slots."""
    root = parse_xml(data)
    ids: dict[str, etree._Element] = {}
    found_ids = _ALL_IDS(root)  # every element's Id, root included, in document order
    assert isinstance(found_ids, list)
    for attr in found_ids:
        assert isinstance(attr, etree._ElementUnicodeResult)
        key = str(attr)
        el = attr.getparent()
        assert el is not None
        if key in ids:
            # Two elements with one Id is the classic signature-wrapping set-up: refuse.
            raise _packet_error(
                "DUPLICATE_ID", "an Id occurs twice", "một Id xuất hiện hai lần", key
            )
        ids[key] = el
    # Each Id a role signs must sit where the layout puts it (SPEC §3), not anywhere.
    pinned = [(L.ID_DATA, L.DU_LIEU), (L.ID_THONG_TIN, f"{L.DU_LIEU}/{L.THONG_TIN}")]
    rows_path = f"{L.DU_LIEU}/{L.BANG_DIEM}/{L.DIEM_TONG_KET}"
    rows = root.findall(rows_path)
    row_codes = [_child_text(r, L.MA_MON_HOC).strip() for r in rows]
    for key, path in pinned:
        if key in ids and ids[key] is not root.find(path):
            raise _packet_error(
                "REFERENCE",
                f"the element with Id {key!r} is not at {path}",
                f"phần tử có Id {key!r} không nằm ở {path}",
                path,
            )
    for row, row_code in zip(rows, row_codes, strict=True):
        if row.get("Id") != L.mon_id(row_code):
            raise _packet_error(
                "REFERENCE",
                "a subject row's Id does not match its subject code",
                "Id của dòng môn học không khớp mã môn học",
                rows_path,
            )
    slots: list[SlotInfo] = []
    for role, path in L.SLOT_PATHS.items():
        found = root.findall(path)
        if role is VaiTroKy.GVBM:
            seen: set[str] = set()
            for el in found:
                code = el.get(L.ATTR_MA_MON)
                if not code or code in seen:
                    raise _packet_error(
                        "SLOT",
                        "a GVBM slot has no or a repeated MA_MON_HOC",
                        "ô GVBM thiếu hoặc lặp MA_MON_HOC",
                        path,
                    )
                seen.add(code)
                slots.append(SlotInfo(role, code, el, _signature_in(el, f"{path}[{code}]")))
            if sorted(seen) != sorted(row_codes):
                # Every subject row needs exactly one GVBM slot, or a row could go unsigned.
                raise _packet_error(
                    "SLOT",
                    "the GVBM slots do not match the subject rows one to one",
                    "các ô GVBM không tương ứng một-một với các dòng môn học",
                    path,
                )
            continue
        if len(found) != 1:
            raise _packet_error(
                "SLOT",
                f"the packet must have exactly one {path} slot",
                f"gói tin phải có đúng một ô {path}",
                path,
            )
        slots.append(SlotInfo(role, None, found[0], _signature_in(found[0], path)))
    return PacketView(data, root, ids, tuple(slots))


@dataclass(frozen=True, slots=True)
class RoleRequest:
    """One signature to add: who signs (certificate and chain), which role, when."""

    role: VaiTroKy
    mon: str | None
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    signing_time: datetime

    @property
    def label(self) -> str:
        return f"GVBM[{self.mon}]" if self.role is VaiTroKy.GVBM else self.role.value


@dataclass(frozen=True, slots=True)
class Planned:
    """One checked signature, ready for its value: what to sign and where it goes."""

    request: RoleRequest
    slot: SlotInfo
    method: SignatureMethod
    signing_time: str
    template: SignatureTemplate
    edit: SlotEdit


@dataclass(frozen=True, slots=True)
class Plan:
    """Every check passed for a run of signatures on one packet, in the order given."""

    data: bytes
    items: tuple[Planned, ...]
    #: Every signature already in the input is known valid (checked now or memoised).
    input_verified: bool
    #: The latest signing time of the output (input and new signatures).
    latest: datetime | None
    #: The input passed the record checks of CBQL/KY_PHAT_HANH (now or memoised, ``_memo``).
    record_checked: bool = False


@dataclass(frozen=True, slots=True)
class Prepared:
    """What :func:`prepare_role` produces: the bytes to sign and the document around them."""

    to_be_signed: bytes
    document_before: bytes
    document_after: bytes
    signature_method: str
    signing_time: str
    #: Every signature already in the input is known valid (checked now or memoised).
    input_verified: bool


#: Roles whose signature makes the record's results final: signing refuses a record that
#: fails a receiving school's checks (``_checks.py``).
SIGNS_RESULTS = frozenset({VaiTroKy.CBQL, VaiTroKy.KY_PHAT_HANH})


def as_role(role: object) -> VaiTroKy:
    """``role`` as a :class:`VaiTroKy` (its value, e.g. ``"GVBM"``, is accepted too)."""
    if isinstance(role, VaiTroKy):
        return role
    if isinstance(role, str) and role in VaiTroKy._value2member_map_:
        return VaiTroKy(role)
    allowed = ", ".join(r.value for r in VaiTroKy)
    raise InputError(
        f"role: pass a VaiTroKy ({allowed})",
        f"role: hãy truyền một VaiTroKy ({allowed})",
        code="INPUT.TYPE",
        path="role",
    )


def check_mon(mon: object, label: str) -> None:
    """``mon`` is a subject code as text (``"15"``) or ``None``; an int is refused with the
    text to pass, because ``5`` could not say whether ``"05"`` was meant."""
    if mon is None or isinstance(mon, str):
        return
    if isinstance(mon, int) and not isinstance(mon, bool):
        hint = f'mon="{mon:02d}"' if mon >= 0 else 'mon="15"'
    else:
        hint = 'mon="15"'
    raise InputError(
        f"{label}: the subject code must be text, e.g. {hint} (codes keep their leading zero)",
        f"{label}: mã môn học phải là chuỗi, ví dụ {hint} (giữ số 0 ở đầu)",
        code="INPUT.TYPE",
        path=label,
    )


def check_request_types(req: RoleRequest) -> None:
    """Refuse arguments of the wrong type with a message saying what to pass."""
    check_mon(req.mon, req.label)
    if not isinstance(req.certificate, x509.Certificate):
        raise InputError(
            f"{req.label}: the signer's certificate must be a cryptography x509.Certificate",
            f"{req.label}: chứng thư số của người ký phải là x509.Certificate (cryptography)",
            code="INPUT.TYPE",
            path=req.label,
        )


def _order_error(code: str, en: str, vi: str, label: str) -> RoleOrderError:
    return RoleOrderError(f"{label}: {en}", f"{label}: {vi}", code=f"SIGN.ORDER.{code}", path=label)


class _OrderState:
    """The packet's signatures as the steps of one call add them, one step at a time.

    Checking a run of steps against this state raises exactly what adding them one by one
    with :func:`~hocbaso.signature.sign` would raise, at the same step.
    """

    def __init__(
        self,
        view: PacketView,
        policy: SigningPolicy,
        clean: bool,
        latest: datetime | None = None,
    ) -> None:
        self.view = view
        self.policy = policy
        #: The input bytes are in the memory of fully verified packets (see ``_memo``).
        self.clean = clean
        self.signed: dict[tuple[VaiTroKy, str | None], datetime | None] = {
            (s.role, s.mon): None for s in view.slots if s.signature is not None
        }
        self.verified: set[tuple[VaiTroKy, str | None]] = set()
        self.latest: datetime | None = None
        self.times_read = False
        if clean and latest is not None:
            # The memo knows these exact bytes' latest signing time (see ``_memo``).
            self.latest = latest
            self.times_read = True
        #: (rank, label, key) of every slot in signing order, read once per call.
        self.order = [(s.role.rank, s.label, (s.role, s.mon)) for s in view.slots]
        #: Slot keys of each rank: whether a rank is complete or touched is a set comparison;
        #: the labels for a message are listed only when a refusal is certain.
        self.keys_by_rank: dict[int, frozenset[tuple[VaiTroKy, str | None]]] = {
            r: frozenset(key for rr, _, key in self.order if rr == r)
            for r in {rr for rr, _, _ in self.order}
        }
        #: Slots that already hold a signature in the input.
        self.existing = [s for s in view.slots if s.signature is not None]
        self._binding: HocBaKy | None = None

    def binding(self) -> HocBaKy:
        """:meth:`PacketView.binding`, read once per call."""
        if self._binding is None:
            self._binding = self.view.binding()
        return self._binding

    def _prior_problem(self, label: str, s: SlotInfo, problem: SignatureProblem) -> RoleOrderError:
        return RoleOrderError(
            f"{label}: the earlier signature of {s.label} is not valid ({problem.en})",
            f"{label}: chữ ký trước đó của {s.label} không hợp lệ ({problem.vi})",
            code="SIGN.ORDER.INVALID_PRIOR",
            path=s.label,
        )

    def check(self, target: SlotInfo, signing_time: datetime) -> None:
        label = target.label
        role = target.role
        signed = self.signed
        if (VaiTroKy.KY_PHAT_HANH, None) in signed:
            raise _order_error(
                "ISSUED",
                "the record is already issued (KY_PHAT_HANH present); nothing more can be signed",
                "học bạ đã được phát hành (đã có chữ ký KY_PHAT_HANH); không thể ký thêm",
                label,
            )
        if (role, target.mon) in signed:
            raise _order_error(
                "DUPLICATE", "this role has already signed", "vai trò này đã ký", label
            )
        rank = role.rank
        done = signed.keys()
        any_later = any(
            not keys.isdisjoint(done) for r, keys in self.keys_by_rank.items() if r > rank
        )
        later = (
            [lbl for r, lbl, key in self.order if r > rank and key in signed] if any_later else []
        )
        if later:
            raise _order_error(
                "LATER_ROLE_PRESENT",
                f"a later role has already signed ({', '.join(later)})",
                f"vai trò ký sau đã ký trước ({', '.join(later)})",
                label,
            )
        any_missing = any(not keys <= done for r, keys in self.keys_by_rank.items() if r < rank)
        missing = (
            [lbl for r, lbl, key in self.order if r < rank and key not in signed]
            if any_missing
            else []
        )
        if missing:
            raise _order_error(
                "MISSING",
                f"roles that must sign first have not signed: {', '.join(missing)}",
                f"các vai trò phải ký trước chưa ký: {', '.join(missing)}",
                label,
            )
        for s in self.existing if not self.clean and self.policy.verify_existing else ():
            key = (s.role, s.mon)
            if s.signature is None or key in self.verified or s.role.rank >= rank:
                continue
            try:
                checked = check_signature(
                    s.signature,
                    signature_id=s.signature_id,
                    object_id=s.object_id,
                    reference_id=s.reference_id,
                    ids=self.view.ids,
                    policy=self.policy,
                    record=self.binding(),
                )
            except SignatureProblem as problem:
                raise self._prior_problem(label, s, problem) from None
            self.verified.add(key)
            signed[key] = checked.signing_time
        if not self.times_read:
            for s in self.existing:
                key = (s.role, s.mon)
                if s.signature is None or signed.get(key) is not None:
                    continue
                try:
                    signed[key] = read_signing_time(s.signature, s.signature_id, s.object_id)
                except SignatureProblem as problem:
                    raise self._prior_problem(label, s, problem) from None
            times = [t for t in signed.values() if t is not None]
            self.latest = max(times) if times else None
            self.times_read = True
        if self.latest is not None and signing_time < self.latest - self.policy.clock_skew:
            raise _order_error(
                "TIME_BACKWARDS",
                "the signing time is earlier than an earlier signature's",
                "thời điểm ký sớm hơn thời điểm của chữ ký trước đó",
                label,
            )

    def add(self, target: SlotInfo, signing_time: datetime) -> None:
        self.signed[(target.role, target.mon)] = signing_time
        if self.latest is None or signing_time > self.latest:
            self.latest = signing_time

    @property
    def input_verified(self) -> bool:
        existing = [s for s in self.view.slots if s.signature is not None]
        return self.clean or all((s.role, s.mon) in self.verified for s in existing)


@dataclass(frozen=True, slots=True)
class _CertificateFacts:
    """What the signing rules read from one certificate, computed once per exact DER.

    The same teacher, principal and school certificates sign record after record; parsing the
    subject and extensions again each time changes nothing. Keyed by the DER bytes themselves
    (not by an object or a fingerprint), so two certificates share facts only if they are the
    same certificate byte for byte.
    """

    not_before: datetime
    not_after: datetime
    #: KeyUsage absent, or allows digitalSignature or contentCommitment.
    usage_allows_signing: bool
    #: Extended Key Usage absent, or names a signing purpose (``_certrules.ACCEPTED_EKUS``).
    eku_allows_signing: bool
    personal_ids: frozenset[str]
    #: Person or organisation, by the one rule the verifier also applies.
    holder: HolderKind


@functools.lru_cache(maxsize=256)
def _certificate_facts(certificate_der: bytes) -> _CertificateFacts:
    certificate = x509.load_der_x509_certificate(certificate_der)
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    identity = certificate_identity(certificate)
    return _CertificateFacts(
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        usage_allows_signing=usage is None or usage.digital_signature or usage.content_commitment,
        eku_allows_signing=extended_key_usage_ok(certificate),
        personal_ids=identity.personal_ids,
        holder=identity.holder,
    )


@functools.lru_cache(maxsize=256)
def _method_for_der(certificate_der: bytes) -> SignatureMethod:
    """:func:`signature_method_for` of a certificate that passed (refusals are not cached)."""
    return signature_method_for(x509.load_der_x509_certificate(certificate_der), "")


def _signature_method(
    certificate: x509.Certificate, label: str, certificate_der: bytes | None = None
) -> SignatureMethod:
    try:
        return _method_for_der(der(certificate) if certificate_der is None else certificate_der)
    except AlgorithmError:
        return signature_method_for(certificate, label)  # raises again, naming the role


def check_certificate(
    view: PacketView,
    target: SlotInfo,
    certificate: x509.Certificate,
    signing_time: datetime,
    policy: SigningPolicy,
    certificate_der: bytes | None = None,
) -> None:
    """Refuse ``certificate`` for ``target`` at ``signing_time`` (validity, key usage, identity).

    ``certificate_der`` may pass ``der(certificate)`` when the caller already has it.
    """
    label = target.label

    def fail(code: str, en: str, vi: str) -> CertificateError:
        return CertificateError(
            f"{label}: {en}", f"{label}: {vi}", code=f"SIGN.CERTIFICATE.{code}", path=label
        )

    facts = _certificate_facts(der(certificate) if certificate_der is None else certificate_der)
    if signing_time > facts.not_after:
        raise fail(
            "EXPIRED",
            "the certificate has expired at the signing time",
            "chứng thư số đã hết hạn tại thời điểm ký",
        )
    if signing_time < facts.not_before - policy.clock_skew:
        raise fail(
            "NOT_YET_VALID",
            "the certificate is not yet valid at the signing time",
            "chứng thư số chưa có hiệu lực tại thời điểm ký",
        )
    if not facts.usage_allows_signing:
        raise fail(
            "KEY_USAGE",
            "the certificate's key usage does not allow signatures",
            "mục đích sử dụng khoá của chứng thư số không cho phép ký",
        )
    if not facts.eku_allows_signing:
        raise fail(
            "EXTENDED_KEY_USAGE",
            "the certificate's extended key usage names no signing purpose (e.g. serverAuth only)",
            "mục đích sử dụng mở rộng của chứng thư số không cho phép ký (ví dụ chỉ serverAuth)",
        )
    if not policy.check_identity:
        return
    if target.role.personal:
        personal = facts.personal_ids
        if not personal:
            raise fail(
                "NOT_PERSONAL",
                "a personal certificate (UID=CCCD:…) is required for this role",
                "vai trò này cần chứng thư số cá nhân (UID=CCCD:…)",
            )
        expected = view.record_id(target.role, target.mon)
        if not expected:
            raise fail(
                "NO_RECORD_ID",
                "the record names no personal ID for this role",
                "học bạ không ghi số định danh cá nhân cho vai trò này",
            )
        if expected not in personal:
            raise fail(
                "IDENTITY",
                "the certificate's personal ID differs from the one the record names",
                "số định danh trong chứng thư số khác với số học bạ ghi cho vai trò này",
            )
    elif facts.holder is not HolderKind.ORGANISATION:
        raise fail(
            "NOT_ORGANISATION",
            "issuance needs the school's organisation certificate (UID=MST:… or budget-unit "
            "code) with no personal identifier (CCCD, CMND, passport…)",
            "ký phát hành cần chứng thư số tổ chức của nhà trường (UID=MST:… hoặc mã ĐVQHNS), "
            "không mang số định danh cá nhân (CCCD, CMND, hộ chiếu…)",
        )


def format_time(signing_time: datetime, label: str) -> str:
    if not isinstance(signing_time, datetime):
        raise InputError(
            f"{label}: the time must be a datetime with a UTC offset, e.g. "
            "datetime.now(timezone.utc)",
            f"{label}: thời điểm phải là datetime có múi giờ, ví dụ datetime.now(timezone.utc)",
            code="INPUT.TYPE",
            path=label,
        )
    if signing_time.tzinfo is None or signing_time.utcoffset() is None:
        raise SigningError(
            f"{label}: the signing time must carry a UTC offset",
            f"{label}: thời điểm ký phải có múi giờ",
            code="SIGN.TIME.NAIVE",
            path=label,
        )
    return signing_time.isoformat()


def plan_roles(data: bytes, requests: Sequence[RoleRequest], policy: SigningPolicy) -> Plan:
    """Check a run of signatures on one packet, in order, and build what each must sign.

    One parse serves every step: each role's Reference covers the data block, which no
    signature changes, and each Signature is canonicalised on its own, so the bytes to sign
    are the same as when the roles are added one call at a time.
    """
    # The same signer usually signs several steps: DER and KeyInfo once per certificate of
    # this call (a certificate hashes and compares by its DER, so equal certificates share).
    ders: dict[x509.Certificate, bytes] = {}

    def der_of(certificate: x509.Certificate) -> bytes:
        found = ders.get(certificate)
        if found is None:
            found = ders[certificate] = der(certificate)
        return found

    key_infos: dict[tuple[int, ...], str] = {}
    checked: list[tuple[RoleRequest, SignatureMethod, str, bytes]] = []
    for req in requests:
        label = req.label
        check_request_types(req)
        time_text = format_time(req.signing_time, label)
        cert_der = der_of(req.certificate)
        method = _signature_method(req.certificate, label, cert_der)
        if method not in policy.signature_methods:
            raise AlgorithmError(
                f"{label}: {method.name} is not allowed by the signing policy",
                f"{label}: chính sách ký không cho phép {method.name}",
                code="SIGN.ALGORITHM.POLICY",
                path=label,
            )
        if (req.role is VaiTroKy.GVBM) != (req.mon is not None):
            raise SigningError(
                f"{label}: a subject code is required for GVBM and only for GVBM",
                f"{label}: mã môn học là bắt buộc với GVBM và chỉ dùng cho GVBM",
                code="SIGN.SUBJECT",
                path=label,
            )
        checked.append((req, method, time_text, cert_der))
    view = load_packet(data)
    slots_by_key = {(s.role, s.mon): s for s in view.slots}
    data_digest = hashlib.sha256(data).digest()
    state = _OrderState(view, policy, *_memo.verified_latest(data_digest, policy))
    resolved: list[tuple[RoleRequest, SlotInfo, SignatureMethod, str]] = []
    for req, method, time_text, cert_der in checked:
        label = req.label
        target = slots_by_key.get((req.role, req.mon))
        if target is None:
            raise SigningError(
                f"{label}: the packet has no slot for this subject",
                f"{label}: gói tin không có ô chữ ký cho môn học này",
                code="SIGN.SUBJECT.UNKNOWN",
                path=label,
            )
        state.check(target, req.signing_time)
        check_certificate(view, target, req.certificate, req.signing_time, policy, cert_der)
        state.add(target, req.signing_time)
        resolved.append((req, target, method, time_text))
    record_checked = _memo.is_record_checked(data_digest)
    if not record_checked and any(req.role in SIGNS_RESULTS for req, _, _, _ in resolved):
        # CBQL and KY_PHAT_HANH sign the whole record as final: refuse it unless it passes
        # every check a receiving school runs (schema, catalogue, Thông tư 22; _checks.py).
        check_packet(view.root)
        _memo.note_record_checked(data_digest)
        record_checked = True
    binding = state.binding()
    edits = slot_edits(data, view.root, [(t.element, r.label) for r, t, _, _ in resolved])
    c14n_cache: dict[str, bytes] = {}
    clean: set[etree._Element] = set()
    items = []
    for (req, target, method, time_text), edit in zip(resolved, edits, strict=True):
        ref = target.reference_id
        if ref not in c14n_cache:
            signed = view.ids.get(ref)
            if signed is None:
                raise _packet_error(
                    "REFERENCE",
                    f"the element this role signs (#{ref}) is missing",
                    f"thiếu phần tử vai trò này phải ký (#{ref})",
                    req.label,
                )
            if next(signed.iter(etree.ProcessingInstruction), None) is not None:
                # C14N keeps processing instructions: signed, one would split a field's text
                # for every reader, and verifiers refuse such a record (docs/verification.md).
                raise _packet_error(
                    "PROCESSING_INSTRUCTION",
                    f"the element this role signs (#{ref}) holds a processing instruction",
                    f"phần tử vai trò này ký (#{ref}) chứa chỉ thị xử lý (processing instruction)",
                    req.label,
                )
            c14n_cache[ref] = canonicalize(signed)
        _refuse_xml_attributes(target, req.label, clean)
        certificates = (req.certificate, *req.chain)
        key = tuple(map(id, certificates))
        key_info = key_infos.get(key)
        if key_info is None:
            key_info = key_infos[key] = key_info_xml_der(tuple(map(der_of, certificates)))
        template = build_signature(
            signature_id=target.signature_id,
            object_id=target.object_id,
            reference_uri=f"#{ref}",
            reference_c14n=c14n_cache[ref],
            signing_time=time_text,
            record=binding,
            method=method,
            certificates=certificates,
            context_nsmap=target.element.nsmap,
            key_info=key_info,
        )
        items.append(Planned(req, target, method, time_text, template, edit))
    return Plan(data, tuple(items), state.input_verified, state.latest, record_checked)


def _refuse_xml_attributes(
    target: SlotInfo, label: str, clean: set[etree._Element] | None = None
) -> None:
    """Refuse ``xml:*`` attributes on the slot or its ancestors.

    ``clean`` remembers elements already found free of them in this call (the element proxies
    themselves, which the set keeps alive, so each stands for exactly its node): the slots of
    one packet share their ancestors.
    """
    ancestor: etree._Element | None = target.element
    while ancestor is not None:
        if clean is not None and ancestor in clean:
            return
        if any(str(k).startswith(_XML_NS_PREFIX) for k in ancestor.attrib):
            raise _packet_error(
                "XML_ATTRIBUTES",
                "xml:* attributes around a signature slot are not supported",
                "không hỗ trợ thuộc tính xml:* bao quanh ô chữ ký",
                label,
            )
        if clean is not None:
            clean.add(ancestor)
        ancestor = ancestor.getparent()


def prepare_role(
    data: bytes,
    role: VaiTroKy,
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...],
    *,
    mon: str | None,
    signing_time: datetime,
    policy: SigningPolicy,
) -> Prepared:
    """Run every check for adding ``role`` and build the bytes it must sign."""
    request = RoleRequest(as_role(role), mon, certificate, chain, signing_time)
    plan = plan_roles(data, [request], policy)
    (item,) = plan.items
    edit = item.edit
    return Prepared(
        to_be_signed=item.template.to_be_signed,
        document_before=data[: edit.start] + edit.head + item.template.before_value,
        document_after=item.template.after_value + edit.tail + data[edit.end :],
        signature_method=item.method.value,
        signing_time=item.signing_time,
        input_verified=plan.input_verified,
    )
