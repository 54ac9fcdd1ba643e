"""``hocbaso sign``: key sources, atomic output, refusals with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hocbaso.cli._main import cli
from hocbaso.packet import to_xml
from hocbaso.signature import IssuedRecord
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import (
    HOMEROOM_CCCD,
    SUBJECT_TEACHER_CCCDS,
    TestIdentity,
    TestPKI,
)

from .conftest import make_packet, verify_all

TIME = "2025-05-21T08:30:00+07:00"


def _files(tmp: Path, name: str, ident: TestIdentity) -> list[str]:
    key, cert, chain = tmp / f"{name}.key", tmp / f"{name}.crt", tmp / f"{name}-chain.pem"
    key.write_bytes(ident.key_pem())
    cert.write_bytes(ident.certificate_pem())
    chain.write_bytes(ident.chain_pem())
    return ["--key", str(key), "--cert", str(cert), "--chain", str(chain)]


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, env=env)
    return result.exit_code, result.output


def test_cli_signs_every_role_to_issuance(tmp_path: Path, pki: TestPKI) -> None:
    record = tao_hoc_ba(7)
    current = tmp_path / "v0.xml"
    current.write_bytes(to_xml(record))
    plans: list[tuple[list[str], list[str]]] = [
        (
            ["--role", "GVBM", "--mon", row.ma_mon_hoc],
            _files(tmp_path, row.ma_mon_hoc, pki.personal(row.so_ddcn_gvbm)),
        )
        for row in record.bang_diem
    ]
    nk = record.thong_tin_hoc_ba.nguoi_ky
    plans.append((["--role", "GVCN"], _files(tmp_path, "gvcn", pki.personal(nk.so_ddcn_gvcn))))
    plans.append((["--role", "CBQL"], _files(tmp_path, "cbql", pki.personal(nk.so_ddcn_giam_hieu))))
    # The school signs from a PKCS#12 file whose password comes from the environment.
    p12 = tmp_path / "school.p12"
    p12.write_bytes(pki.school().pkcs12(b"mat-khau"))
    plans.append(
        (["--role", "KY_PHAT_HANH"], ["--p12", str(p12), "--password-env", "HOCBASO_P12_PW"])
    )
    for step, (role_args, key_args) in enumerate(plans, start=1):
        out = tmp_path / f"v{step}.xml"
        code, output = _run(
            ["sign", str(current), *role_args, *key_args, "--time", TIME, "-o", str(out)],
            env={"HOCBASO_P12_PW": "mat-khau"},
        )
        assert code == 0, output
        assert "Signed" in output
        current = out
    result = verify_all(current.read_bytes())
    assert len(result) == len(record.bang_diem) + 3 and all(v is None for v in result.values())
    assert IssuedRecord.from_signed(current.read_bytes()).hoc_ba == record
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_refusal_exits_2_and_leaves_out_untouched(tmp_path: Path, pki: TestPKI) -> None:
    packet = tmp_path / "p.xml"
    packet.write_bytes(make_packet())
    out = tmp_path / "out.xml"
    out.write_bytes(b"previous content")
    code, output = _run(
        [
            "sign",
            str(packet),
            "--role",
            "GVCN",
            *_files(tmp_path, "g", pki.personal(HOMEROOM_CCCD)),
            "--time",
            TIME,
            "-o",
            str(out),
        ]
    )
    assert code == 2
    assert "SIGN.ORDER.MISSING" in output
    assert HOMEROOM_CCCD not in output
    assert out.read_bytes() == b"previous content"
    code, output = _run(
        [
            "sign",
            str(packet),
            "--role",
            "GVBM",
            "--mon",
            "TOAN",
            *_files(tmp_path, "w", pki.personal(SUBJECT_TEACHER_CCCDS[3])),
            "--time",
            TIME,
            "-o",
            str(out),
        ]
    )
    assert code == 2 and "SIGN.CERTIFICATE.IDENTITY" in output
    assert out.read_bytes() == b"previous content"


@pytest.mark.parametrize(
    "extra",
    [
        [],  # no key source
        ["--p12", "{p12}", "--key", "{key}", "--cert", "{cert}"],  # two sources
        ["--key", "{key}"],  # key without certificate
        ["--key", "{key}", "--cert", "{cert}", "--time", "2025-05-21T08:30:00"],  # naive time
        ["--key", "{key}", "--cert", "{cert}", "--password-env", "X", "--p12", "{p12}"],
    ],
)
def test_cli_usage_errors(tmp_path: Path, pki: TestPKI, extra: list[str]) -> None:
    ident = pki.personal(SUBJECT_TEACHER_CCCDS[0])
    files = _files(tmp_path, "t", ident)
    p12 = tmp_path / "t.p12"
    p12.write_bytes(ident.pkcs12())
    names = {"{key}": files[1], "{cert}": files[3], "{p12}": str(p12)}
    packet = tmp_path / "p.xml"
    packet.write_bytes(make_packet())
    out = tmp_path / "out.xml"
    code, _ = _run(
        ["sign", str(packet), "--role", "GVBM", "--mon", "TOAN", "-o", str(out)]
        + [names.get(a, a) for a in extra]
    )
    assert code == 2
    assert not out.exists()


def test_cli_missing_password_env(tmp_path: Path, pki: TestPKI) -> None:
    p12 = tmp_path / "s.p12"
    p12.write_bytes(pki.school().pkcs12(b"pw"))
    packet = tmp_path / "p.xml"
    packet.write_bytes(make_packet())
    code, output = _run(
        [
            "sign",
            str(packet),
            "--role",
            "GVBM",
            "--mon",
            "TOAN",
            "--p12",
            str(p12),
            "--password-env",
            "HOCBASO_NOT_SET_ANYWHERE",
            "-o",
            str(tmp_path / "o.xml"),
        ]
    )
    assert code == 2 and "HOCBASO_NOT_SET_ANYWHERE" in output


def test_cli_one_teacher_two_subjects(tmp_path: Path, pki: TestPKI) -> None:
    from datetime import datetime

    from hocbaso.signature import VaiTroKy, sign

    t0 = SUBJECT_TEACHER_CCCDS[0]
    packet = make_packet(teacher_ids=[t0, t0, *SUBJECT_TEACHER_CCCDS[2:4]])
    src = tmp_path / "p.xml"
    src.write_bytes(packet)
    out = tmp_path / "o.xml"
    ident = pki.personal(t0)
    code, output = _run(
        [
            "sign",
            str(src),
            "--role",
            "GVBM",
            "--mon",
            "TOAN",
            "--mon",
            "NGU_VAN",
            *_files(tmp_path, "t0", ident),
            "--time",
            TIME,
            "-o",
            str(out),
        ]
    )
    assert code == 0, output
    assert "GVBM[TOAN], GVBM[NGU_VAN]" in output
    when = datetime.fromisoformat(TIME)
    expected = sign(packet, VaiTroKy.GVBM, ident.signer(), mon="TOAN", signing_time=when)
    expected = sign(expected, VaiTroKy.GVBM, ident.signer(), mon="NGU_VAN", signing_time=when)
    assert out.read_bytes() == expected
    code, _ = _run(
        [
            "sign",
            str(src),
            "--role",
            "GVBM",
            "--mon",
            "TOAN",
            "--mon",
            "TOAN",
            *_files(tmp_path, "t0", ident),
            "-o",
            str(tmp_path / "x.xml"),
        ]
    )
    assert code == 2
