"""Public signing API: direct :func:`sign`, and the two-phase :func:`prepare` → :func:`complete`
path for USB-token browser plug-ins and remote-signing services (VNPT SmartCA, Viettel MySign,
VGCA), one record at a time or a whole class in one approval.

Direct signing *is* two-phase signing with the signer called in between, so the two give
byte-identical output for the same key and time (RSA PKCS#1 v1.5 is deterministic).

The prepared state is plain data (bytes, strings) that survives JSON: the packet split at the
slot around the new Signature, the exact bytes to sign (the canonical SignedInfo) and their
SHA-256. :func:`complete` only concatenates bytes: it never parses or re-serialises the document.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from hocbaso.errors import CertificateError, InputError, SigningError, UsageError
from hocbaso.packet import DEFAULT_LIMITS, parse_xml
from hocbaso.packet._internal import PacketSource, VaiTroKy, packet_bytes, type_name
from hocbaso.signature import _known, _memo
from hocbaso.signature._algorithms import SignatureMethod
from hocbaso.signature._checks import check_packet
from hocbaso.signature._keyfile import KeyFileSigner
from hocbaso.signature._keys import der, normalise_signature_value, verify_value
from hocbaso.signature._planner import SIGNS_RESULTS, RoleRequest, as_role, plan_roles, prepare_role
from hocbaso.signature._policy import SigningPolicy
from hocbaso.signature._signer import Signer
from hocbaso.signature._splice import apply_edits

__all__ = [
    "PreparedBatch",
    "PreparedSignature",
    "SigningStep",
    "check_signer",
    "complete",
    "complete_many",
    "prepare",
    "prepare_many",
    "sign",
    "sign_roles",
]

_STATE_FORMAT = "hocbaso.prepared-signature/1"
_BATCH_FORMAT = "hocbaso.prepared-batch/1"
_BYTES_FIELDS = ("certificate_der", "to_be_signed", "digest", "document_before", "document_after")


def _state_error(what: str) -> SigningError:
    return SigningError(
        f"unreadable prepared-signature state: {what}",
        f"trạng thái chuẩn bị ký không đọc được: {what}",
        code="SIGN.STATE",
    )


@dataclass(frozen=True, slots=True)
class PreparedSignature:
    """Everything :func:`complete` needs, and exactly what the key holder must sign.

    Hand ``to_be_signed`` (for a signer that hashes) or ``digest`` (SHA-256 of it, for a remote
    service or token that signs a pre-computed hash) to the key holder; keep the state (e.g. as
    :meth:`to_json`) until the signature value comes back. Store it as carefully as the packet
    itself: it contains the packet.
    """

    role: VaiTroKy
    mon: str | None
    signing_time: str
    signature_method: SignatureMethod
    certificate_der: bytes
    to_be_signed: bytes
    digest: bytes
    document_before: bytes
    document_after: bytes

    def __post_init__(self) -> None:
        if hashlib.sha256(self.to_be_signed).digest() != self.digest:
            raise _state_error("digest does not match the bytes to sign")

    @property
    def digest_hex(self) -> str:
        return self.digest.hex()

    @property
    def digest_base64(self) -> str:
        """The SHA-256 digest in base64, the form most remote-signing APIs take."""
        return base64.b64encode(self.digest).decode()

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.certificate_der)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": _STATE_FORMAT,
            "role": self.role.value,
            "mon": self.mon,
            "signing_time": self.signing_time,
            "signature_method": self.signature_method.value,
        }
        for name in _BYTES_FIELDS:
            out[name] = base64.b64encode(getattr(self, name)).decode()
        return out

    @classmethod
    def from_dict(cls, data: Any) -> PreparedSignature:
        if not isinstance(data, dict) or data.get("format") != _STATE_FORMAT:
            raise _state_error("not a hocbaso prepared-signature state")
        try:
            mon = data["mon"]
            if mon is not None and not isinstance(mon, str):
                raise TypeError("mon")
            if not isinstance(data["signing_time"], str):
                raise TypeError("signing_time")
            raw = {
                name: base64.b64decode(str(data[name]).encode(), validate=True)
                for name in _BYTES_FIELDS
            }
            return cls(
                role=VaiTroKy(data["role"]),
                mon=mon,
                signing_time=data["signing_time"],
                signature_method=SignatureMethod(data["signature_method"]),
                **raw,
            )
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            if isinstance(exc, SigningError):
                raise
            raise _state_error(f"bad field ({type(exc).__name__})") from None

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> PreparedSignature:
        try:
            return cls.from_dict(json.loads(text))
        except (json.JSONDecodeError, TypeError, UnicodeDecodeError):
            raise _state_error("not JSON") from None


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """Several prepared signatures of one key holder, approved together (one class)."""

    items: tuple[PreparedSignature, ...]

    @property
    def digests(self) -> tuple[bytes, ...]:
        return tuple(item.digest for item in self.items)

    def to_json(self) -> str:
        return json.dumps(
            {"format": _BATCH_FORMAT, "items": [i.to_dict() for i in self.items]}, sort_keys=True
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> PreparedBatch:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, TypeError, UnicodeDecodeError):
            raise _state_error("not JSON") from None
        if not isinstance(data, dict) or data.get("format") != _BATCH_FORMAT:
            raise _state_error("not a hocbaso prepared-batch state")
        items = data.get("items")
        if not isinstance(items, list):
            raise _state_error("items")
        return cls(tuple(PreparedSignature.from_dict(i) for i in items))


def _state_key(state: PreparedSignature) -> bytes:
    """Identifies a prepared state by all of its bytes (two packets can share a SignedInfo)."""
    return (
        state.digest
        + hashlib.sha256(state.document_before).digest()
        + hashlib.sha256(state.document_after).digest()
    )


def prepare(
    packet: PacketSource,
    role: VaiTroKy,
    certificate: x509.Certificate,
    chain: Iterable[x509.Certificate] = (),
    *,
    mon: str | None = None,
    signing_time: datetime,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> PreparedSignature:
    """Step 1 of two-phase signing: check everything and return what must be signed.

    Raises the same typed errors as :func:`sign` (:class:`~hocbaso.errors.RoleOrderError`,
    :class:`~hocbaso.errors.CertificateError`, :class:`~hocbaso.errors.AlgorithmError`).
    """
    data = packet_bytes(packet, what="packet", max_bytes=DEFAULT_LIMITS.max_bytes)
    role = as_role(role)
    done = prepare_role(
        data, role, certificate, tuple(chain), mon=mon, signing_time=signing_time, policy=policy
    )
    state = PreparedSignature(
        role=role,
        mon=mon,
        signing_time=done.signing_time,
        signature_method=SignatureMethod(done.signature_method),
        certificate_der=der(certificate),
        to_be_signed=done.to_be_signed,
        digest=hashlib.sha256(done.to_be_signed).digest(),
        document_before=done.document_before,
        document_after=done.document_after,
    )
    if done.input_verified:
        # Every signature of the input is known valid: complete() may skip re-reading them.
        _memo.note_prepared(state.digest, _state_key(state), policy)
    return state


def complete(
    state: PreparedSignature, signature_value: bytes, certificate: x509.Certificate
) -> bytes:
    """Step 2: put the key holder's signature value into the prepared packet.

    ``signature_value`` is what the signer produced over ``state.to_be_signed`` with SHA-256:
    RSA PKCS#1 v1.5, or ECDSA as DER (``r || s`` is accepted too). It is verified against
    ``certificate`` before anything is returned; a certificate other than the prepared one is
    refused. The packet is built by byte concatenation, never re-serialised.

    For CBQL and KY_PHAT_HANH the finished packet must pass every check a receiving school
    runs (schema, catalogue, Thông tư 22; :class:`~hocbaso.errors.ContentError` otherwise),
    unless this process prepared exactly this state (``prepare`` ran those checks then): a
    state can come from anywhere as JSON, and a wrong result must not be issued that way.
    """
    signed = _finish(state, signature_value, certificate)
    policy = _memo.prepared_policy(state.digest, lambda: _state_key(state))
    if state.role in SIGNS_RESULTS:
        if policy is None:
            check_packet(parse_xml(signed))
        _memo.note_record_checked(signed)
    if policy is not None:
        _memo.note_verified(signed, policy)
    return signed


def _finish(
    state: PreparedSignature, signature_value: bytes, certificate: x509.Certificate
) -> bytes:
    if not isinstance(state, PreparedSignature):
        raise UsageError("complete() takes the PreparedSignature returned by prepare()")
    label = f"GVBM[{state.mon}]" if state.role is VaiTroKy.GVBM else state.role.value
    if der(certificate) != state.certificate_der:
        raise CertificateError(
            f"{label}: the certificate differs from the one the signature was prepared for",
            f"{label}: chứng thư số khác với chứng thư số đã dùng khi chuẩn bị ký",
            code="SIGN.CERTIFICATE.MISMATCH",
            path=label,
        )
    value = _checked_value(
        label, certificate, state.signature_method, signature_value, state.to_be_signed
    )
    return state.document_before + base64.b64encode(value) + state.document_after


def _self_checked(signer: Signer, certificate: x509.Certificate, method: SignatureMethod) -> bool:
    """Whether ``signer``'s RSA value for ``certificate`` needs no verification afterwards.

    Every value a signer returns is verified against the certificate before it goes into a
    packet (:func:`_checked_value`), because a token, a remote service or any foreign
    :class:`Signer` may return a value made with another key, over other bytes, or garbage.
    One case proves nothing new, and is skipped (it costs ≈ 7 % of signing a record):

    - the signer is exactly :class:`KeyFileSigner` (``type() is``, not ``isinstance``: a
      subclass may override ``sign_raw``), whose constructor refused a private key whose
      public key is not the certificate's (``SIGN.CERTIFICATE.KEY_MISMATCH``), and whose key
      and certificate are private slots set once there (the class offers no way to change
      them; reaching into ``_key`` afterwards is outside every contract);
    - ``certificate`` is that signer's own certificate object (the one it was matched with);
    - the method is RSA-SHA256, and the value has the modulus length. The value is then
      computed in process by OpenSSL over exactly ``to_be_signed`` with PKCS#1 v1.5 (no
      randomness), and OpenSSL's RSA private operation checks its own CRT result (it
      re-computes ``s^e mod n`` and, on a mismatch — a fault — falls back to the plain
      exponentiation instead of releasing the faulty value), which is what a verification
      here would repeat.

    ECDSA values are always verified (ECDSA has no such self-check), as are PKCS#11 tokens,
    remote services and every value passed to :func:`complete`.
    """
    if type(signer) is not KeyFileSigner or method is not SignatureMethod.RSA_SHA256:
        return False
    if signer.certificate is not certificate:
        return False
    key = certificate.public_key()
    return isinstance(key, rsa.RSAPublicKey)


def _signer_value(
    signer: Signer,
    label: str,
    certificate: x509.Certificate,
    method: SignatureMethod,
    to_be_signed: bytes,
) -> bytes:
    """``signer``'s value over ``to_be_signed`` in XMLDSig form, known valid for the cert."""
    raw = signer.sign_raw(to_be_signed)
    if _self_checked(signer, certificate, method):
        key = certificate.public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        if isinstance(raw, bytes) and len(raw) == (key.key_size + 7) // 8:
            return raw
    return _checked_value(label, certificate, method, raw, to_be_signed)


def _checked_value(
    label: str,
    certificate: x509.Certificate,
    method: SignatureMethod,
    signature_value: bytes,
    to_be_signed: bytes,
) -> bytes:
    """The XMLDSig form of a signer's value, verified against ``certificate``."""
    try:
        value = normalise_signature_value(bytes(signature_value), certificate)
    except ValueError:
        value = b""
    if not value or not verify_value(certificate, method, value, to_be_signed):
        raise SigningError(
            f"{label}: the signature value does not verify with the certificate",
            f"{label}: giá trị chữ ký không khớp với chứng thư số",
            code="SIGN.VALUE",
            path=label,
        )
    return value


def sign(
    packet: PacketSource,
    role: VaiTroKy,
    signer: Signer,
    *,
    mon: str | None = None,
    signing_time: datetime,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> bytes:
    """Add ``role``'s signature to ``packet`` with ``signer`` and return the new packet bytes.

    Every byte outside the role's slot is unchanged. ``mon`` is the subject code for GVBM, as
    text (``mon="15"``). ``signing_time`` must carry a UTC offset; it goes into the signed
    SigningTime. ``packet`` is bytes or a ``pathlib.Path`` (a ``str`` is refused).

    CBQL and KY_PHAT_HANH make the record's results final, so they are refused for a record
    that fails any check a receiving school runs: the XSD (``SchemaError``), the catalogue
    (``ModelError``) or Thông tư 22 (``ContentError`` with the ``CONTENT.*`` codes).

    This is :func:`sign_roles` with one step: the same planner, checks, value check and
    splice as the two-phase path, without building a :class:`PreparedSignature` (whose two
    halves of the packet would be copied once more only to be joined again).
    """
    return sign_roles(packet, [SigningStep(role, signer, signing_time, mon)], policy=policy)


def prepare_many(
    packets: Iterable[PacketSource],
    role: VaiTroKy,
    certificate: x509.Certificate,
    chain: Iterable[x509.Certificate] = (),
    *,
    mon: str | None = None,
    signing_time: datetime,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> PreparedBatch:
    """:func:`prepare` for many packets with one certificate: one approval for a class."""
    if isinstance(packets, bytes | bytearray | memoryview | str | os.PathLike):
        raise InputError(
            "packets: pass a list of packets (bytes or Paths); for one packet use prepare()",
            "packets: hãy truyền một danh sách gói tin (bytes hoặc Path); một gói tin: prepare()",
            code="INPUT.TYPE",
            path="packets",
        )
    chain = tuple(chain)
    return PreparedBatch(
        tuple(
            prepare(p, role, certificate, chain, mon=mon, signing_time=signing_time, policy=policy)
            for p in packets
        )
    )


def complete_many(
    batch: PreparedBatch | Sequence[PreparedSignature],
    signature_values: Sequence[bytes],
    certificate: x509.Certificate,
) -> tuple[bytes, ...]:
    """:func:`complete` for a batch; every value is verified before any packet is returned."""
    if not isinstance(batch, PreparedBatch | Sequence) or isinstance(batch, str | bytes):
        raise InputError(
            f"batch: got {type_name(batch)}; pass the PreparedBatch from prepare_many()",
            f"batch: nhận được {type_name(batch)}; hãy truyền PreparedBatch từ prepare_many()",
            code="INPUT.TYPE",
            path="batch",
        )
    items = batch.items if isinstance(batch, PreparedBatch) else tuple(batch)
    if len(items) != len(signature_values):
        raise UsageError("complete_many() needs one signature value per prepared item")
    return tuple(complete(s, v, certificate) for s, v in zip(items, signature_values, strict=True))


def check_signer(signer: object) -> None:
    if not all(hasattr(signer, a) for a in ("certificate", "chain", "sign_raw")):
        raise InputError(
            f"signer: got {type_name(signer)}; pass a Signer (KeyFileSigner, Pkcs11Signer or "
            "an object with certificate, chain and sign_raw)",
            f"signer: nhận được {type_name(signer)}; hãy truyền một Signer (KeyFileSigner, "
            "Pkcs11Signer hoặc đối tượng có certificate, chain và sign_raw)",
            code="INPUT.TYPE",
            path="signer",
        )


@dataclass(frozen=True, slots=True)
class SigningStep:
    """One signature for :func:`sign_roles`: the role (and subject for GVBM), signer and time."""

    role: VaiTroKy
    signer: Signer
    signing_time: datetime
    mon: str | None = None


def sign_roles(
    packet: PacketSource,
    steps: Sequence[SigningStep],
    *,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> bytes:
    """Add several signatures to one packet in one pass, as :func:`sign` would one by one.

    For a teacher who teaches two subjects of the record, or a school server signing with every
    role's key.

    The result is byte-identical to calling :func:`sign` for each step in order, and every
    refusal is the one that sequence would raise, at the same step — but all checks run before
    any signer is asked for a value, and the packet is parsed once instead of once per step.
    """
    if not steps:
        raise UsageError("sign_roles() needs at least one step")
    packet = packet_bytes(packet, what="packet", max_bytes=DEFAULT_LIMITS.max_bytes)
    for step in steps:
        check_signer(step.signer)
    requests = [
        RoleRequest(
            as_role(step.role),
            step.mon,
            step.signer.certificate,
            tuple(step.signer.chain),
            step.signing_time,
        )
        for step in steps
    ]
    plan = plan_roles(packet, requests, policy)
    filled = []
    for item, step in zip(plan.items, steps, strict=True):
        template = item.template
        value = _signer_value(
            step.signer,
            item.request.label,
            item.request.certificate,
            item.method,
            template.to_be_signed,
        )
        content = template.before_value + base64.b64encode(value) + template.after_value
        filled.append((item.edit, content))
    signed = apply_edits(packet, filled)
    if plan.input_verified or plan.record_checked:
        if plan.input_verified:
            _memo.note_verified(signed, policy, plan.latest)
            if plan.known is not None:
                # The next role signing these bytes in this process needs no parse (_known).
                spliced = [
                    (edit, (item.request.role, item.request.mon), content)
                    for item, (edit, content) in zip(plan.items, filled, strict=True)
                ]
                _known.note(signed, plan.known.after(packet, spliced))
        if plan.record_checked:
            _memo.note_record_checked(signed)
    return signed
