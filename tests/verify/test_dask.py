"""Dask as the distributed engine: verify_many on a LocalCluster (2 worker processes) gives
exactly the reports of the in-process run, in order; ``verify --scheduler`` uses a running
cluster; a missing scheduler is a coded refusal, not a traceback."""

from __future__ import annotations

import json
import pickle
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hocbaso.cli._main import cli
from hocbaso.errors import VerificationInputError
from hocbaso.testing.pki import TestPKI
from hocbaso.verify import (
    DASK_WORKER_CONFIG,
    STRICT,
    CrlSet,
    TrustStore,
    dask_environment,
    dask_executor,
    verify_many,
)
from hocbaso.verify._report import _UNSET

from .conftest import mv

AT = mv.VERIFY_AT
NAMES = [
    "genuine",
    "tampered_score",
    "genuine_other_record",
    "wrap_forged_before",
    "certificate_revoked",
    "genuine",
]


class _Inline(Executor):
    """The in-process reference run: each chunk is verified where it is submitted."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        from concurrent.futures import Future

        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def _items(corpus: dict[str, Any], tmp_path: Path) -> list[Any]:
    items: list[Any] = [corpus[n].data for n in NAMES if n in corpus]
    for i, n in enumerate(("genuine", "tampered_score")):
        p = tmp_path / f"{i}.xml"
        p.write_bytes(corpus[n].data)
        items.append(str(p))
    items.append(str(tmp_path / "missing.xml"))  # a FAIL of its own, on a worker
    return items


def test_local_cluster_gives_the_in_process_reports_in_order(
    dask_client: Any,
    corpus: dict[str, Any],
    trust: TrustStore,
    crl: Any,
    tmp_path: Path,
) -> None:
    items = _items(corpus, tmp_path)
    crls = CrlSet([crl])
    here = list(verify_many(items, trust, executor=_Inline(), at=AT, crls=crls, chunk_size=1))
    with dask_executor(dask_client) as executor:
        there = list(
            verify_many(items, trust, executor=executor, at=AT, crls=crls, chunk_size=2)
        )
    assert len(there) == len(items)
    assert [r.ok for r in here] == [r.ok for r in there]
    assert any(r.ok for r in there) and not all(r.ok for r in there)
    # Reports came back light (the record is not built until read), then equal in full.
    assert all(r._record is _UNSET for r in there if r.ok)
    assert there == here
    assert [r.record for r in there] == [r.record for r in here]
    # Really on the cluster: both worker processes took part.
    assert len(dask_client.nthreads()) == 2


def test_verify_cli_on_a_scheduler(
    dask_client: Any, corpus: dict[str, Any], pki: TestPKI, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i, n in enumerate(("genuine", "tampered_score", "genuine_other_record")):
        (folder / f"{i}.xml").write_bytes(corpus[n].data)
    (tmp_path / "root.pem").write_bytes(pki.root_pem())
    common = ["verify", str(folder), "--trust", str(tmp_path / "root.pem"), "--at", AT.isoformat()]
    address = dask_client.scheduler.address
    on_dask = CliRunner().invoke(
        cli, [*common, "--jsonl", str(tmp_path / "dask.jsonl"), "--scheduler", address]
    )
    local = CliRunner().invoke(cli, [*common, "--jsonl", str(tmp_path / "one.jsonl")])
    assert on_dask.exit_code == local.exit_code == 1, on_dask.output
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    summary = json.loads(on_dask.stdout)
    assert summary["records"] == 3 and summary["ok"] == 2 and summary["failed"] == 1


def test_no_scheduler_is_a_coded_refusal() -> None:
    with pytest.raises(VerificationInputError) as ei, dask_executor(
        "tcp://127.0.0.1:9", timeout=1
    ):
        pass
    assert ei.value.code == "VERIFY.INPUT.SCHEDULER"


def test_pickled_settings_and_reports_cross_the_cluster(
    dask_client: Any, corpus: dict[str, Any], trust: TrustStore
) -> None:
    """A report pickles without its model; the cluster's copy equals the original."""
    (report,) = verify_many([corpus["genuine"].data], trust, executor=_Inline(), at=AT)
    assert report.ok
    eager = pickle.dumps((report.steps, report.record, report.signed_bytes))
    assert len(pickle.dumps(report)) < len(eager)
    back = dask_client.submit(lambda r: r, report, pure=False).result()
    assert back == report and back.record == report.record


def test_worker_settings_survive_the_environment_round_trip() -> None:
    """``dask_environment()`` is what docs/scale.md tells operators to export: read back the
    way Dask reads its environment, every variable gives the setting and the typed value of
    ``DASK_WORKER_CONFIG`` (``False`` a boolean, ``1s`` a duration string)."""
    import dask.config

    env = dask_environment()
    assert len(env) == len(DASK_WORKER_CONFIG)
    merged = dask.config.merge(dask.config.config, dask.config.collect_env(env))
    for key, value in DASK_WORKER_CONFIG.items():
        got = dask.config.get(key, config=merged)
        assert got == value and type(got) is type(value), key


def test_docs_export_exactly_the_worker_settings() -> None:
    """The worker start-up lines in docs/scale.md are the library's own settings, no more and
    no less (so the recommendation and the benchmark's cluster cannot drift apart)."""
    text = (Path(__file__).parents[2] / "docs" / "scale.md").read_text(encoding="utf-8")
    exported = dict(
        line.removeprefix("export ").split("=", 1)
        for line in text.splitlines()
        if line.startswith("export DASK_")
    )
    assert exported == dask_environment()


def test_the_local_cluster_workers_run_with_the_worker_settings(dask_client: Any) -> None:
    """A ``LocalCluster`` started inside ``dask.config.set(DASK_WORKER_CONFIG)`` hands the
    settings to its worker processes (through the nannies), as the benchmark relies on."""

    def settings() -> dict[str, Any]:
        import dask.config

        return {key: dask.config.get(key) for key in DASK_WORKER_CONFIG}

    per_worker = dask_client.run(settings)
    assert len(per_worker) == 2
    assert all(got == dict(DASK_WORKER_CONFIG) for got in per_worker.values())


@pytest.mark.parametrize("direct", [True, False])
def test_an_address_client_gathers_as_asked_with_the_same_reports(
    dask_client: Any, corpus: dict[str, Any], trust: TrustStore, tmp_path: Path, direct: bool
) -> None:
    """``dask_executor(address)`` opens a client that fetches reports straight from the
    workers (the default) or, when asked, through the scheduler; the reports are the same
    either way, in order."""
    items = _items(corpus, tmp_path)
    here = list(verify_many(items, trust, executor=_Inline(), at=AT, chunk_size=1))
    address = dask_client.scheduler.address
    with dask_executor(address, direct_to_workers=direct) as executor:
        assert executor._client.direct_to_workers is direct  # type: ignore[attr-defined]
        there = list(verify_many(items, trust, executor=executor, at=AT, chunk_size=2))
    assert there == here


def test_a_chunk_of_reports_goes_to_the_client_in_one_piece(
    corpus: dict[str, Any], trust: TrustStore
) -> None:
    """A worker hands a chunk's reports to Dask's wire format as one pickle, not one frame
    and header per report (which cost the worker ~9 ms per 128 records, docs/scale.md); the
    client reads back the same reports, as a list, in order."""
    from distributed.protocol import to_serialize
    from distributed.protocol.core import dumps, loads

    from hocbaso.verify._many import _Settings, _verify_chunk

    items = [corpus[n].data for n in NAMES if n in corpus]
    settings = _Settings((trust, AT, CrlSet([]), (), (), STRICT))
    reports = _verify_chunk(items, settings)
    # Dask's worker answers a client's fetch with exactly this message (Worker.get_data).
    frames = dumps(
        {"status": "OK", "data": {"chunk": to_serialize(reports)}},
        serializers=("dask", "pickle", "error"),
    )
    one_piece = 3  # the message header, the object's header and its one pickle
    assert len(frames) == one_piece
    back = loads(frames, deserializers=("dask", "pickle", "error"))["data"]["chunk"]
    assert isinstance(back, list) and back == reports
    expected = list(verify_many(items, trust, executor=_Inline(), at=AT))
    assert [r.steps for r in back] == [r.steps for r in expected]
    # The plain list it replaced goes out element by element: the test can fail.
    per_report = dumps(
        {"status": "OK", "data": {"chunk": to_serialize(list(reports))}},
        serializers=("dask", "pickle", "error"),
    )
    assert len(per_report) > len(items)
