"""The signing planner: checking a run of signatures and building the bytes each role signs.

Every path — :func:`~hocbaso.signature.sign`, two-phase ``prepare``, ``sign_roles`` — goes
through :func:`plan_roles`, which checks a run of steps against the packet as those steps would
change it, one at a time: the packet view (``_packet_view``), role order (``_role_order``) and
the certificate rules (``_certificate_check``).

Nothing here re-serialises the packet: it is parsed (through ``hocbaso.packet.parse_xml``, the
one hardened gate) only to find the slot, the signed element and the earlier signatures; the
result is the original bytes split at the slot, around the new Signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from lxml import etree

from hocbaso.errors import (
    AlgorithmError,
    InputError,
    SigningError,
)
from hocbaso.packet._internal import VaiTroKy
from hocbaso.signature import _known, _memo
from hocbaso.signature._algorithms import SignatureMethod
from hocbaso.signature._c14n import canonicalize
from hocbaso.signature._certificate_check import check_certificate, signature_method
from hocbaso.signature._checks import check_packet
from hocbaso.signature._keys import der
from hocbaso.signature._packet_view import SlotInfo, load_packet, packet_error, role_label
from hocbaso.signature._policy import SigningPolicy
from hocbaso.signature._profile import (
    SignatureTemplate,
    build_signature,
    key_info_xml_der,
)
from hocbaso.signature._role_order import OrderState
from hocbaso.signature._splice import SlotEdit, edits_at, slot_edits

__all__ = [
    "SIGNS_RESULTS",
    "Plan",
    "Planned",
    "Prepared",
    "RoleRequest",
    "as_role",
    "check_mon",
    "check_request_types",
    "format_time",
    "plan_roles",
    "prepare_role",
]

_XML_NS_PREFIX = "{http://www.w3.org/XML/1998/namespace}"
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
        return role_label(self.role, self.mon)


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
    #: What this process knows of the input's layout (``_known``), to carry to the output.
    known: _known.KnownPacket | None = None


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
        method = signature_method(req.certificate, label, cert_der)
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
    clean, latest = _memo.verified_latest(data, policy)
    record_checked = _memo.is_record_checked(data)
    needs_record = not record_checked and any(req.role in SIGNS_RESULTS for req, *_ in checked)
    # Bytes this process parsed or produced need no second parse (``_known``), unless the
    # record checks must read them or an earlier Signature's element might have to be read.
    derived = clean and latest is not None
    known = None if needs_record else _known.known(data, derived=derived)
    if known is not None:
        view = known.view(data)
    else:
        view = load_packet(data)
        known = _known.from_view(view)
        if known is not None:
            _known.note(data, known)
    slots_by_key = {(s.role, s.mon): s for s in view.slots}
    state = OrderState(view, policy, clean, latest)
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
    if not clean and state.times_read and state.input_verified:
        # Every signature of the input was just verified: a fact about these exact bytes,
        # remembered as if this process had produced them (a retry, or the next role, of the
        # same bytes needs no second verification).
        _memo.note_verified(data, policy, state.input_latest)
    if needs_record and any(req.role in SIGNS_RESULTS for req, _, _, _ in resolved):
        # CBQL and KY_PHAT_HANH sign the whole record as final: refuse it unless it passes
        # every check a receiving school runs (schema, catalogue, Thông tư 22; _checks.py).
        check_packet(view.root)
        _memo.note_record_checked(data)
        record_checked = True
    if known is None:
        binding = state.binding()
    else:
        # The data block, and so the record it names, is the same in every packet derived
        # from one parse: read once per parse.
        if known.base.record is None:
            known.base.record = state.binding()
        binding = known.base.record
    if known is not None:
        edits = edits_at(
            data,
            [
                (known.positions[key], known.base.qname[key], r.label)
                for r, t, _, _ in resolved
                for key in [(t.role, t.mon)]
            ],
        )
        # The data block, and so every element a role references, is the same in every
        # packet derived from one parse: its canonical bytes are kept with that parse.
        c14n_cache = known.base.c14n
    else:
        edits = slot_edits(data, view.root, [(t.element, r.label) for r, t, _, _ in resolved])
        c14n_cache = {}
    clean_ancestors: set[etree._Element] = set() if known is None else known.base.clean_ancestors
    items = []
    for (req, target, method, time_text), edit in zip(resolved, edits, strict=True):
        ref = target.reference_id
        if ref not in c14n_cache:
            signed = view.ids.get(ref)
            if signed is None:
                raise packet_error(
                    "REFERENCE",
                    f"the element this role signs (#{ref}) is missing",
                    f"thiếu phần tử vai trò này phải ký (#{ref})",
                    req.label,
                )
            if next(signed.iter(etree.ProcessingInstruction), None) is not None:
                # C14N keeps processing instructions: signed, one would split a field's text
                # for every reader, and verifiers refuse such a record (docs/verification.md).
                raise packet_error(
                    "PROCESSING_INSTRUCTION",
                    f"the element this role signs (#{ref}) holds a processing instruction",
                    f"phần tử vai trò này ký (#{ref}) chứa chỉ thị xử lý (processing instruction)",
                    req.label,
                )
            c14n_cache[ref] = canonicalize(signed)
        _refuse_xml_attributes(target, req.label, clean_ancestors)
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
    return Plan(data, tuple(items), state.input_verified, state.latest, record_checked, known)


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
            raise packet_error(
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

