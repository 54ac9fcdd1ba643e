"""The verifier's answer: a list of coded step results, never a bare bool.

A report keeps separate facts separate (schema valid, digest intact, certificate trusted, rules
satisfied …, one :class:`StepResult` each) and combines them in one ``ok`` property: a report
is ok when no result FAILed. Raising is opt-in through :meth:`VerificationReport.raise_for_status`,
in the style of httpx, so that batch callers can collect reports without ``try`` blocks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree

from hocbaso.errors import ErrorDetail, HocBaSoError, VerificationFailedError
from hocbaso.verify._codes import CODES, Status, Step

if TYPE_CHECKING:
    from hocbaso.models import HocBa

__all__ = ["StepResult", "VerificationReport", "make_step_result"]


@dataclass(frozen=True, slots=True)
class StepResult:
    """One check's outcome.

    ``signer`` summarises the certificate subject (common name, organisation, a short SHA-256
    fingerprint); it never contains the personal ID from ``UID=CCCD:…``. ``path`` names the
    element the result is about (``/HOC_BA/DANH_SACH_THONG_TIN_KY/GVCN/Signature``) or is empty.
    """

    code: str
    step: Step
    status: Status
    message_vi: str
    message_en: str
    role: str | None = None
    signer: str | None = None
    signing_time: dt.datetime | None = None
    path: str = ""

    @classmethod
    def of(
        cls,
        code: str,
        status: Status,
        *,
        role: str | None = None,
        signer: str | None = None,
        signing_time: dt.datetime | None = None,
        path: str = "",
        extra_vi: str = "",
        extra_en: str = "",
    ) -> StepResult:
        """A result for a catalogued ``code``, with an optional detail appended to each message.

        Details name fields and elements, never their personal values.
        """
        info = CODES[code]
        # Without a detail, share the catalogue's string objects (cheaper to pickle).
        vi = f"{info.message_vi} {extra_vi}".strip() if extra_vi else info.message_vi
        en = f"{info.message_en} {extra_en}".strip() if extra_en else info.message_en
        return make_step_result(code, info.step, status, vi, en, role, signer, signing_time, path)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Compact pickling: verify_many ships ~40 of these per report back from each worker,
        # and the default protocol for slotted dataclasses with enums is several times slower.
        return (
            _restore_step,
            (
                self.code,
                self.step.value,
                self.status.value,
                self.message_vi,
                self.message_en,
                self.role,
                self.signer,
                self.signing_time,
                self.path,
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (used by ``hocbaso verify --json``)."""
        return {
            "code": self.code,
            "step": self.step.value,
            "status": self.status.value,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "role": self.role,
            "signer": self.signer,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "path": self.path,
        }


#: Each field's slot setter, for :func:`make_step_result`.
_SET = tuple(
    getattr(StepResult, name).__set__
    for name in (
        "code",
        "step",
        "status",
        "message_vi",
        "message_en",
        "role",
        "signer",
        "signing_time",
        "path",
    )
)
_NEW = object.__new__


def make_step_result(
    code: str,
    step: Step,
    status: Status,
    message_vi: str,
    message_en: str,
    role: str | None = None,
    signer: str | None = None,
    signing_time: dt.datetime | None = None,
    path: str = "",
) -> StepResult:
    """``StepResult(code, step, …, path)``, built in about a third of the time: the frozen
    dataclass's ``__init__`` sets each of the nine slots through ``object.__setattr__`` after
    the class call; this sets the same slots through their descriptors directly (the
    dataclass has no ``__post_init__`` and no field processing, so the object is the same:
    equal, same hash, same pickle). A report holds about 40 results, built per record."""
    out: StepResult = _NEW(StepResult)
    c, st, s, vi, en, r, w, t, p = _SET
    c(out, code)
    st(out, step)
    s(out, status)
    vi(out, message_vi)
    en(out, message_en)
    r(out, role)
    w(out, signer)
    t(out, signing_time)
    p(out, path)
    return out


_STEPS = {s.value: s for s in Step}
_STATUSES = {s.value: s for s in Status}
#: Member → value, read by a dict lookup (an enum's ``.value`` is a property).
_STEP_VALUE = {s: s.value for s in Step}
_STATUS_VALUE = {s: s.value for s in Status}


def _restore_step(
    code: str,
    step: str,
    status: str,
    message_vi: str,
    message_en: str,
    role: str | None,
    signer: str | None,
    signing_time: dt.datetime | None,
    path: str,
) -> StepResult:
    return StepResult(
        code,
        _STEPS[step],
        _STATUSES[status],
        message_vi,
        message_en,
        role,
        signer,
        signing_time,
        path,
    )


_UNSET: Any = object()


def record_from_signed_bytes(signed: bytes) -> HocBa | None:
    """The record from the canonical signed bytes of ``#data``: the one way a report's record
    is built, in ``verify`` (step 7) and again, lazily, in a process that received the report.

    ``None`` when the bytes hold a processing instruction (C14N keeps PIs and one would cut a
    field's text short; ``verify`` reports ``STRUCTURE.PROCESSING_INSTRUCTION``). Raises
    :class:`~hocbaso.errors.HocBaSoError` when the bytes are not a valid record.
    """
    from hocbaso.packet import parse_xml

    return record_from_signed_tree(parse_xml(signed))


def record_from_signed_tree(tree: etree._Element) -> HocBa | None:
    """:func:`record_from_signed_bytes` after the parse: ``verify`` parses the bytes itself
    when it knows they are a subtree's canonical form (``parse_canonical_subtree``)."""
    from hocbaso.packet import read_hoc_ba

    if next(tree.iter(etree.ProcessingInstruction), None) is not None:
        return None
    return read_hoc_ba(tree)


class VerificationReport:
    """Everything ``verify`` found about one packet.

    ``record`` is the :class:`~hocbaso.models.HocBa` re-parsed from the canonical bytes that
    the ``#data`` signatures cover (``signed_bytes``). Nothing outside the signed bytes
    (comments, unsigned siblings, wrapped elements) can reach it. Both are present **only
    when the report is ok**: a report that failed carries no personal data, so that logging
    or printing a failure (``--json`` of a rejected file) cannot disclose a student's name,
    ID or birth date. The constructor enforces it.

    The report is light to send between processes: pickling keeps ``signed_bytes`` and drops
    the model, and ``record`` is rebuilt from those same signed bytes the first time it is
    read (by the one function ``verify`` itself uses), then kept. A ``verify_many`` worker
    therefore ships bytes, not a whole model, and a caller that never reads ``record`` never
    pays for it. The rebuilt record equals the one ``verify`` built; it is still ``None``
    whenever the report is not ok.

    ``ma_dinh_danh_hoc_ba`` and ``phien_ban`` (record identifier and version) are kept even
    when the report failed, whenever they were read from signed bytes (every ``#data``
    signature verified): a receiving school needs them to ask the issuer about a revoked or
    inconsistent record, and neither is personal data. ``record_digest`` (SHA-256 hex of the
    inclusive C14N 1.0 of ``#data``, the digest a correction or a revocation notice names) is
    kept on the same terms. ``packet_sha256`` is the SHA-256 of the input bytes as given, a
    transport digest only: bytes no signature covers (a trailing newline) change it.
    """

    __slots__ = (
        "_ok",
        "_packed",
        "_record",
        "_steps",
        "ma_dinh_danh_hoc_ba",
        "packet_sha256",
        "phien_ban",
        "record_digest",
        "revoked",
        "signed_bytes",
    )

    signed_bytes: bytes | None
    packet_sha256: str
    revoked: bool
    ma_dinh_danh_hoc_ba: str | None
    phien_ban: int | None
    record_digest: str | None
    _record: Any
    _steps: tuple[StepResult, ...] | None
    _packed: tuple[Any, ...] | None
    _ok: bool

    def __init__(
        self,
        steps: tuple[StepResult, ...],
        record: HocBa | None = None,
        signed_bytes: bytes | None = None,
        packet_sha256: str = "",
        revoked: bool = False,
        ma_dinh_danh_hoc_ba: str | None = None,
        phien_ban: int | None = None,
        record_digest: str | None = None,
    ) -> None:
        own = tuple(steps)
        ok = not any(s.status is Status.FAIL for s in own)
        self._fill(own, None, ok, record, signed_bytes, packet_sha256, revoked,
                   ma_dinh_danh_hoc_ba, phien_ban, record_digest)

    def _fill(
        self,
        steps: tuple[StepResult, ...] | None,
        packed: tuple[Any, ...] | None,
        ok: bool,
        record: HocBa | None,
        signed_bytes: bytes | None,
        packet_sha256: str,
        revoked: bool,
        ma_dinh_danh_hoc_ba: str | None,
        phien_ban: int | None,
        record_digest: str | None,
    ) -> None:
        """The one place the fields are set (the constructor and unpickling share it), so
        the rule "no signed bytes and no record unless ok" cannot differ between them."""
        init = object.__setattr__
        init(self, "_steps", steps)
        init(self, "_packed", packed)
        init(self, "_ok", ok)
        signed = signed_bytes if ok else None
        # No record given but signed bytes: built from them when first read.
        lazy = record is None and signed is not None
        init(self, "_record", None if not ok else _UNSET if lazy else record)
        init(self, "signed_bytes", signed)
        init(self, "packet_sha256", packet_sha256)
        init(self, "revoked", revoked)
        init(self, "ma_dinh_danh_hoc_ba", ma_dinh_danh_hoc_ba)
        init(self, "phien_ban", phien_ban)
        init(self, "record_digest", record_digest)

    @property
    def steps(self) -> tuple[StepResult, ...]:
        """One result per check, in the order the checks ran.

        A report that crossed a process boundary carries its steps packed in one flat tuple
        (see ``__reduce__``) and builds the :class:`StepResult` objects the first time they
        are read: a batch that only asks ``ok`` never pays for forty objects per record.
        """
        steps = self._steps
        if steps is None:
            steps = _unpack_steps(self._packed or ())
            # Idempotent: two threads racing here build equal tuples from the same data.
            object.__setattr__(self, "_steps", steps)
            object.__setattr__(self, "_packed", None)
        return steps

    @property
    def record(self) -> HocBa | None:
        """The signed record (only when ok), built from ``signed_bytes`` on first read."""
        record = self._record
        if record is _UNSET:
            record = None
            if self.signed_bytes is not None:
                try:
                    record = record_from_signed_bytes(self.signed_bytes)
                except HocBaSoError:  # never for bytes verify accepted; no record otherwise
                    record = None
            # Idempotent: two threads racing here build equal records from the same bytes.
            object.__setattr__(self, "_record", record)
        return record  # type: ignore[no-any-return]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"VerificationReport is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"VerificationReport is immutable (cannot delete {name!r})")

    def _fields(self) -> tuple[Any, ...]:
        """The fields after ``record`` in ``_fill``'s order (pickling sends them as they are)."""
        return (
            self.signed_bytes,
            self.packet_sha256,
            self.revoked,
            self.ma_dinh_danh_hoc_ba,
            self.phien_ban,
            self.record_digest,
        )

    def _state(self) -> tuple[Any, ...]:
        return (self.steps, *self._fields())

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # The model stays behind when signed bytes can rebuild it; a record given without
        # signed bytes (a hand-built report) travels as it is. The steps travel as one flat
        # tuple of plain values (a catalogue message as None), which pickles in C without a
        # Python call per step: about a quarter of the cost of pickling StepResult objects.
        record = self._record if self.signed_bytes is None else None
        packed = self._packed if self._steps is None else _pack_steps(self._steps)
        return (_restore_packed, (packed, self._ok, record, *self._fields()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerificationReport):
            return NotImplemented
        return self._state() == other._state() and self.record == other.record

    def __hash__(self) -> int:
        return hash(self._state())

    def __repr__(self) -> str:
        return (
            f"VerificationReport(ok={self.ok}, steps={len(self.steps)}, "
            f"revoked={self.revoked}, record_digest={self.record_digest!r})"
        )

    @property
    def ok(self) -> bool:
        """True when no check failed (warnings and skipped checks do not count)."""
        return self._ok

    @property
    def failures(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.status is Status.FAIL)

    @property
    def warnings(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.status is Status.WARN)

    @property
    def codes(self) -> frozenset[str]:
        """Every code present, whatever its status."""
        return frozenset(s.code for s in self.steps)

    @property
    def failed_codes(self) -> frozenset[str]:
        return frozenset(s.code for s in self.failures)

    def by_step(self, step: Step) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.step is step)

    def step_status(self, step: Step) -> Status:
        """The worst status of one step: FAIL > WARN > PASS > SKIP (SKIP if nothing ran)."""
        statuses = {s.status for s in self.by_step(step)}
        for st in (Status.FAIL, Status.WARN, Status.PASS):
            if st in statuses:
                return st
        return Status.SKIP

    def __iter__(self) -> Iterator[StepResult]:
        return iter(self.steps)

    def raise_for_status(self) -> VerificationReport:
        """Raise :class:`~hocbaso.errors.VerificationFailedError` if any check failed.

        The error's ``code`` is the first failing code, and every failure is a detail.
        Returns the report itself when ok, so it can be chained.
        """
        fails = self.failures
        if not fails:
            return self
        first = fails[0]
        raise VerificationFailedError(
            f"Verification failed: {len(fails)} check(s) failed, first {first.code}.",
            f"Kiểm tra không đạt: {len(fails)} mục lỗi, đầu tiên {first.code}.",
            code=first.code,
            path=first.path,
            details=tuple(ErrorDetail(f.code, f.path, f.message_vi, f.message_en) for f in fails),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``ok``, ``steps`` and the signed ``record`` (``None`` unless ok)."""
        return {
            "ok": self.ok,
            "revoked": self.revoked,
            "packet_sha256": self.packet_sha256,
            "ma_dinh_danh_hoc_ba": self.ma_dinh_danh_hoc_ba,
            "phien_ban": self.phien_ban,
            "record_digest": self.record_digest,
            "signed_sha256": (
                hashlib.sha256(self.signed_bytes).hexdigest() if self.signed_bytes else None
            ),
            "steps": [s.to_dict() for s in self.steps],
            "record": self.record.model_dump(mode="json") if self.record is not None else None,
        }


#: Fields per step in a packed report: code, step, status, message_vi, message_en, role,
#: signer, signing_time (ISO 8601 text), path.
_STRIDE = 9


def _pack_steps(steps: tuple[StepResult, ...]) -> tuple[Any, ...]:
    """Steps as one flat tuple; a message equal to its code's catalogue text becomes None.

    Runs in the worker for every report it sends (about forty steps), so the fixed parts are
    looked up in plain dicts (an enum's ``.value`` is a property), and each signing time is
    written out once: a signature's SIGNATURE and CERTIFICATE steps carry the same time."""
    out: list[Any] = []
    add = out.extend
    texts: dict[tuple[dt.datetime, dt.timedelta | None], str] = {}
    for s in steps:
        info = CODES.get(s.code)
        vi: str | None = s.message_vi
        en: str | None = s.message_en
        if info is not None:
            if vi == info.message_vi:
                vi = None
            if en == info.message_en:
                en = None
        # A datetime with a fixed-offset tzinfo pickles through Python code (about a
        # microsecond each, thirty per report); its ISO 8601 text keeps the instant and the
        # offset exactly and pickles as a plain string. Equal datetimes (the same instant)
        # with different offsets would share a text, so the key is the text's inputs: the
        # datetime and its offset.
        t = s.signing_time
        text = None
        if t is not None:
            key = (t, t.utcoffset())
            text = texts.get(key)
            if text is None:
                text = texts[key] = t.isoformat()
        add((s.code, _STEP_VALUE[s.step], _STATUS_VALUE[s.status], vi, en, s.role, s.signer,
             text, s.path))
    return tuple(out)


def _unpack_steps(packed: tuple[Any, ...]) -> tuple[StepResult, ...]:
    out: list[StepResult] = []
    for i in range(0, len(packed), _STRIDE):
        code, step, status, vi, en, role, signer, signing_time, path = packed[i : i + _STRIDE]
        if vi is None or en is None:
            info = CODES[code]
            vi = info.message_vi if vi is None else vi
            en = info.message_en if en is None else en
        when = None if signing_time is None else dt.datetime.fromisoformat(signing_time)
        out.append(
            StepResult(code, _STEPS[step], _STATUSES[status], vi, en, role, signer, when, path)
        )
    return tuple(out)


def _restore_packed(
    packed: tuple[Any, ...], ok: bool, record: HocBa | None, *fields: Any
) -> VerificationReport:
    """A report from its pickled form, steps still packed (built on first read).

    ``ok`` travels with the steps it was computed from and is checked against them: the
    statuses sit at a fixed place in every packed step, so this costs one slice, not forty
    objects. A report that claims ok while a packed step FAILed is refused, never restored.
    """
    statuses = packed[2::_STRIDE]
    if ok != (Status.FAIL.value not in statuses) or len(packed) % _STRIDE:
        raise ValueError("inconsistent pickled VerificationReport")
    report = VerificationReport.__new__(VerificationReport)
    report._fill(None, packed, ok, record, *fields)
    return report
