"""Role order: the packet's signatures as the steps of one signing call add them.

Each step may only follow the roles it depends on (docs/signing.md §1): the earlier signatures
it builds on must be present and valid (re-checked by the one profile checker, or known valid
from this process's signing memo) and no later than its own signing time.
"""

from __future__ import annotations

from datetime import datetime

from hocbaso.errors import (
    RoleOrderError,
)
from hocbaso.packet._internal import VaiTroKy
from hocbaso.signature._packet_view import PacketView, SlotInfo
from hocbaso.signature._policy import SigningPolicy
from hocbaso.signature._profile import (
    CheckedSignature,
    HocBaKy,
    SignatureProblem,
    check_signature,
    read_signing_time,
)

__all__ = [
    "OrderState",
    "check_slot",
]

def _order_error(code: str, en: str, vi: str, label: str) -> RoleOrderError:
    return RoleOrderError(f"{label}: {en}", f"{label}: {vi}", code=f"SIGN.ORDER.{code}", path=label)


def check_slot(
    s: SlotInfo,
    view: PacketView,
    *,
    policy: SigningPolicy,
    record: HocBaKy,
    crypto: bool = True,
) -> CheckedSignature:
    """Check the signature in slot ``s`` of ``view`` against the profile.

    One call for the role-order state and for the lifecycle's re-check of an issued packet,
    so both read a slot's Ids the same way. Raises :class:`SignatureProblem`.
    """
    assert s.signature is not None
    return check_signature(
        s.signature,
        signature_id=s.signature_id,
        object_id=s.object_id,
        reference_id=s.reference_id,
        ids=view.ids,
        policy=policy,
        crypto=crypto,
        record=record,
    )


class OrderState:
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
        if view.derived and not (clean and latest is not None):
            # A derived view has no elements for the Signatures spliced since its parse: it may
            # only stand for bytes whose every signature is known valid, times included.
            raise AssertionError("a derived packet view needs a verified input")
        self.view = view
        self.policy = policy
        #: The input bytes are in the memory of fully verified packets (see ``_memo``).
        self.clean = clean
        self.signed: dict[tuple[VaiTroKy, str | None], datetime | None] = {
            (s.role, s.mon): None for s in view.slots if s.signed
        }
        self.verified: set[tuple[VaiTroKy, str | None]] = set()
        self.latest: datetime | None = None
        self.times_read = False
        if clean and latest is not None:
            # The memo knows these exact bytes' latest signing time (see ``_memo``).
            self.latest = latest
            self.times_read = True
        #: The input's latest signing time, once read (before any step's time is added).
        self.input_latest = self.latest
        #: (rank, label, key) of every slot in signing order, read once per call.
        self.order = [(s.role.rank, s.label, (s.role, s.mon)) for s in view.slots]
        #: Slot keys of each rank: whether a rank is complete or touched is a set comparison;
        #: the labels for a message are listed only when a refusal is certain.
        self.keys_by_rank: dict[int, frozenset[tuple[VaiTroKy, str | None]]] = {
            r: frozenset(key for rr, _, key in self.order if rr == r)
            for r in {rr for rr, _, _ in self.order}
        }
        #: Slots that already hold a signature in the input.
        self.existing = [s for s in view.slots if s.signed]
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
                checked = check_slot(s, self.view, policy=self.policy, record=self.binding())
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
            self.latest = self.input_latest = max(times) if times else None
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
        return self.clean or all((s.role, s.mon) in self.verified for s in self.existing)


