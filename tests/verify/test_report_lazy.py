"""A report travels light between processes: pickling keeps the signed bytes, not the model,
and ``record`` is rebuilt from those bytes on first read, equal to the one verify built."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hocbaso.verify import CODES, Status, Step, StepResult, TrustStore, VerificationReport, verify
from hocbaso.verify._report import _UNSET

from .conftest import mv

AT = mv.VERIFY_AT


def test_pickled_report_is_smaller_and_rebuilds_the_same_record(
    corpus: dict[str, Any], trust: TrustStore
) -> None:
    eager = verify(corpus["genuine"].data, trust, at=AT)
    assert eager.ok and eager.record is not None
    blob = pickle.dumps(eager, protocol=pickle.HIGHEST_PROTOCOL)
    with_model = pickle.dumps(
        (eager.steps, eager.record, eager.signed_bytes), protocol=pickle.HIGHEST_PROTOCOL
    )
    assert len(blob) < len(with_model) * 0.8
    back = pickle.loads(blob)
    assert back._record is _UNSET  # nothing built yet
    assert back.record == eager.record
    assert back.record is back.record  # built once, then kept
    assert back == eager and hash(back) == hash(eager)


def test_a_failed_report_stays_without_record_across_pickling(
    corpus: dict[str, Any], trust: TrustStore
) -> None:
    failed = verify(corpus["tampered_score"].data, trust, at=AT)
    back = pickle.loads(pickle.dumps(failed))
    assert not back.ok and back.record is None and back.signed_bytes is None
    assert back.steps == failed.steps


def test_the_record_comes_from_the_signed_bytes_only(
    corpus: dict[str, Any], trust: TrustStore
) -> None:
    one = verify(corpus["genuine"].data, trust, at=AT)
    other = verify(corpus["genuine_other_record"].data, trust, at=AT)
    assert one.record != other.record
    # A report holding the other record's signed bytes reads the other record.
    swapped = VerificationReport(one.steps, signed_bytes=other.signed_bytes)
    assert swapped.record == other.record


def test_a_report_is_immutable(corpus: dict[str, Any], trust: TrustStore) -> None:
    report = verify(corpus["genuine"].data, trust, at=AT)
    for name in ("steps", "record", "signed_bytes", "ok"):
        try:
            setattr(report, name, None)
        except AttributeError:
            continue
        raise AssertionError(f"{name} was set")


_OFFSETS = st.sampled_from(
    [
        None,
        dt.UTC,
        dt.timezone(dt.timedelta(hours=7)),
        dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
    ]
)


@st.composite
def _steps(draw: st.DrawFn) -> StepResult:
    code = draw(st.sampled_from(sorted(CODES)))
    status = draw(st.sampled_from(list(Status)))
    when = draw(st.one_of(st.none(), st.datetimes(timezones=_OFFSETS)))
    if draw(st.booleans()):  # a catalogue message, possibly with a detail appended
        extra = draw(st.text(max_size=12))
        return StepResult.of(
            code,
            status,
            extra_en=extra,
            extra_vi=extra,
            role=draw(st.one_of(st.none(), st.text(max_size=8))),
            signer=draw(st.one_of(st.none(), st.text(max_size=20))),
            signing_time=when,
            path=draw(st.text(max_size=20)),
        )
    # A hand-built result: any step, any messages (not the catalogue's).
    return StepResult(
        code,
        draw(st.sampled_from(list(Step))),
        status,
        draw(st.text()),
        draw(st.text()),
        None,
        None,
        when,
        "",
    )


@given(steps=st.lists(_steps(), max_size=40), digest=st.one_of(st.none(), st.text(max_size=8)))
def test_packed_steps_survive_pickling_exactly(steps: list[StepResult], digest: str | None) -> None:
    """Across a process boundary the steps travel packed (messages from the catalogue left
    out, times as ISO 8601 text) and come back equal, field by field, with the same UTC
    offsets; ``ok`` is the same before and after the steps are rebuilt."""
    report = VerificationReport(tuple(steps), record_digest=digest)
    back = pickle.loads(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))
    assert back.ok == report.ok  # read before the steps are unpacked
    assert back.steps == report.steps
    for a, b in zip(back.steps, report.steps, strict=True):
        assert a.step is b.step and a.status is b.status
        assert (a.signing_time is None) == (b.signing_time is None)
        if a.signing_time is not None and b.signing_time is not None:
            assert a.signing_time.utcoffset() == b.signing_time.utcoffset()
            assert a.signing_time.replace(tzinfo=None) == b.signing_time.replace(tzinfo=None)
    assert back == report and back.record_digest == digest
    # Pickled again before and after unpacking: the same bytes.
    again = pickle.loads(pickle.dumps(report))
    first = pickle.dumps(again)
    assert again.steps == report.steps
    assert pickle.dumps(again) == first


def test_a_pickle_claiming_ok_over_a_failed_step_is_refused() -> None:
    """``ok`` travels beside the packed steps; restoring checks it against their statuses, so
    a tampered or mismatched pickle cannot make a failed report read as ok."""
    failed = VerificationReport((StepResult.of("SIGNATURE.DIGEST_MISMATCH", Status.FAIL),))
    fn, args = failed.__reduce__()
    assert args[1] is False
    with pytest.raises(ValueError, match="inconsistent"):
        fn(args[0], True, *args[2:])  # (packed, ok, record, *fields)
    assert fn(*args).ok is False


@given(
    when=st.datetimes(timezones=st.just(dt.UTC)),
    offsets=st.lists(_OFFSETS.filter(lambda z: z is not None), min_size=2, max_size=4),
)
def test_one_instant_in_several_offsets_keeps_each_offset(
    when: dt.datetime, offsets: list[dt.tzinfo]
) -> None:
    """Packing writes each signing time once per (instant, offset): equal instants written
    with different offsets (equal and of equal hash as datetimes) keep their own text."""
    times = []
    for zone in offsets:
        try:
            times.append(when.astimezone(zone))
        except OverflowError:  # the first or last hours of year 1 or 9999
            return
    steps = tuple(StepResult.of("SIGNATURE.OK", Status.PASS, signing_time=t) for t in times)
    back = pickle.loads(pickle.dumps(VerificationReport(steps)))
    got = [s.signing_time for s in back.steps]
    assert [t.isoformat() for t in got if t is not None] == [t.isoformat() for t in times]
