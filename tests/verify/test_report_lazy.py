"""A report travels light between processes: pickling keeps the signed bytes, not the model,
and ``record`` is rebuilt from those bytes on first read, equal to the one verify built."""

from __future__ import annotations

import pickle
from typing import Any

from hocbaso.verify import TrustStore, VerificationReport, verify
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
