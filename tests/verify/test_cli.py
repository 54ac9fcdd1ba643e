"""``hocbaso verify``: exit codes, JSON shape, table, workers, policies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from hocbaso.cli._main import main
from hocbaso.testing.pki import TestPKI

AT = "2025-05-21T08:30:00+07:00"


@pytest.fixture()
def files(
    tmp_path: Path, corpus: dict[str, Any], pki: TestPKI, crl: x509.CertificateRevocationList
) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for name in ("genuine", "genuine_other_record", "tampered_score", "downgrade_sha1_legacy"):
        p = tmp_path / f"{name}.xml"
        p.write_bytes(corpus[name].data)
        out[name] = p
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "root.pem").write_bytes(pki.root.public_bytes(Encoding.PEM))
    out["trust"] = trust
    out["crl"] = tmp_path / "ca.crl"
    out["crl"].write_bytes(crl.public_bytes(Encoding.DER))
    return out


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ei:
        main(["verify", *args])
    captured = capsys.readouterr()
    code = ei.value.code
    assert isinstance(code, int)
    return code, captured.out, captured.err


def test_json_for_genuine(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            str(files["genuine"]),
            "--trust",
            str(files["trust"]),
            "--crl",
            str(files["crl"]),
            "--at",
            AT,
            "--json",
        ],
        capsys,
    )
    assert code == 0
    (entry,) = json.loads(out)
    assert entry["file"] == str(files["genuine"]) and entry["ok"] is True
    assert entry["record"]["thong_tin_hoc_ba"]["thong_tin_chung"]["phien_ban"] == 1
    for step in entry["steps"]:
        assert {"code", "status", "message_vi", "message_en", "role", "path"} <= set(step)


def test_any_failure_exits_1_and_order_is_kept(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["genuine", "tampered_score", "genuine_other_record"]
    code, out, _ = run(
        [
            *(str(files[n]) for n in names),
            "--trust",
            str(files["trust"] / "root.pem"),
            "--at",
            AT,
            "--json",
            "--workers",
            "2",
        ],
        capsys,
    )
    assert code == 1
    report = json.loads(out)
    assert [Path(e["file"]).stem for e in report] == names
    assert [e["ok"] for e in report] == [True, False, True]
    assert report[1]["record"] is None


def test_table_output(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [str(files["tampered_score"]), "--trust", str(files["trust"]), "--at", AT, "--lang", "en"],
        capsys,
    )
    assert code == 1
    assert "SIGNATURE.DIGEST_MISMATCH" in out and "INVALID" in out
    assert "Signed data changed after signing" in out


def test_legacy_policy(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    base = [str(files["downgrade_sha1_legacy"]), "--trust", str(files["trust"]), "--at", AT]
    assert run(base, capsys)[0] == 1
    code, out, _ = run([*base, "--policy", "legacy"], capsys)
    assert code == 0 and "SIGNATURE.ALGORITHM_LEGACY" in out


@pytest.mark.parametrize(
    "extra",
    [
        ["--at", "2025-05-21T08:30:00"],  # no offset
        ["--at", "yesterday"],
        ["--workers", "0"],
        ["--policy", "lenient"],
    ],
)
def test_usage_errors_exit_2(
    extra: list[str], files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(files["genuine"]), "--trust", str(files["trust"]), *extra]
    assert run(args, capsys)[0] == 2


def test_unusable_inputs_exit_2(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    genuine = str(files["genuine"])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run([genuine, "--trust", str(empty)], capsys)[0] == 2
    assert run([genuine, "--trust", str(tmp_path / "missing.pem")], capsys)[0] == 2
    # A missing packet is that file's own FAIL (exit 1), not a reason to stop the others.
    code, out, _ = run([str(tmp_path / "missing.xml"), "--trust", str(files["trust"])], capsys)
    assert code == 1 and "PARSE.UNREADABLE" in out
    bad_crl = tmp_path / "bad.crl"
    bad_crl.write_bytes(b"not a crl")
    code, _, err = run([genuine, "--trust", str(files["trust"]), "--crl", str(bad_crl)], capsys)
    assert code == 2 and "VERIFY.INPUT.CRL" in err
    assert run([genuine], capsys)[0] == 2  # --trust is required


def test_input_errors_as_json(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "none"
    empty.mkdir()
    code, out, _ = run([str(files["genuine"]), "--trust", str(empty), "--json"], capsys)
    assert code == 2
    assert json.loads(out)["error"]["code"] == "VERIFY.INPUT.NO_TRUST_ANCHOR"


def test_demo_records_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    with pytest.raises(SystemExit) as ei:
        main(["demo", "--out", str(out), "--so-hoc-sinh", "2"])
    assert ei.value.code == 0
    capsys.readouterr()
    records = sorted(str(p) for p in (out / "records").glob("*.xml"))
    assert len(records) == 2
    crl = next((out / "pki").glob("*.crl"))
    code, stdout, _ = run(
        [
            *records,
            "--trust",
            str(out / "pki" / "root.pem"),
            "--crl",
            str(crl),
            "--at",
            "2025-05-22T08:30:00+07:00",  # pinned: the demo signs at TEST_NOW + a few hours
            "--json",
        ],
        capsys,
    )
    assert code == 0
    assert [e["ok"] for e in json.loads(stdout)] == [True, True]


@pytest.mark.parametrize(("mst", "expected"), [(None, 0), ("0109999999", 1)])
def test_issuer_registry_option_ties_the_issuer_to_the_school(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], mst: str | None, expected: int
) -> None:
    """``--issuer-registry`` reaches the policy: the test school's own MST passes without the
    "issuer not matched" warning, another MST fails with ``CERTIFICATE.ISSUER_NOT_SCHOOL``."""
    from hocbaso import from_xml
    from hocbaso.testing.pki import SCHOOL_MST

    school = from_xml(files["genuine"].read_bytes()).thong_tin_hoc_ba.thong_tin_truong.ma_truong
    registry = files["trust"].parent / "registry.json"
    registry.write_text(json.dumps({school: [f"MST:{mst or SCHOOL_MST}"]}), "utf-8")
    args = [str(files["genuine"]), "--trust", str(files["trust"]), "--crl", str(files["crl"])]
    code, out, _ = run([*args, "--at", AT, "--json", "--issuer-registry", str(registry)], capsys)
    assert code == expected
    codes = {s["code"] for entry in json.loads(out) for s in entry["steps"]}
    assert "CERTIFICATE.ISSUER_NOT_MATCHED" not in codes
    assert ("CERTIFICATE.ISSUER_NOT_SCHOOL" in codes) == (expected == 1)


def test_unreadable_issuer_registry_cannot_run(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = files["trust"].parent / "registry.txt"
    bad.write_text("not a registry", "utf-8")
    args = [str(files["genuine"]), "--trust", str(files["trust"]), "--issuer-registry", str(bad)]
    code, _, err = run([*args, "--at", AT], capsys)
    assert code == 2
    assert "VERIFY.INPUT.ISSUER_REGISTRY" in err


def test_table_honours_columns_when_piped(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Piped output is 100 columns wide unless COLUMNS says otherwise: a school reading the
    table through a pager in an 80-column console gets lines that fit."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(
        [str(files["genuine"]), "--trust", str(files["trust"]), "--at", AT, "--lang", "en"], capsys
    )
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "SIGNATURE.OK" in out
