"""``hocbaso sign --pkcs11`` end to end against SoftHSM2, in a child process.

The CLI runs as a subprocess with its own ``SOFTHSM2_CONF`` (SoftHSM reads its configuration
once per process, so an in-process test would fight the token the signer tests set up).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hocbaso.testing.pki import HOMEROOM_CCCD, SUBJECT_TEACHER_CCCDS, TestPKI

from .conftest import make_packet, verify_all

pytestmark = pytest.mark.hsm

SOFTHSM_LIB = os.environ.get("HOCBASO_SOFTHSM_LIB", "/usr/lib/softhsm/libsofthsm2.so")


def test_cli_signs_with_a_token(tmp_path: Path, pki: TestPKI) -> None:
    tool = shutil.which("softhsm2-util")
    if tool is None or not Path(SOFTHSM_LIB).is_file():
        pytest.fail("SoftHSM2 is not installed: apt-get install softhsm2")
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\n"
    )
    env = {**os.environ, "SOFTHSM2_CONF": str(conf), "TOKEN_PIN": "123456"}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parents[2] / "src"), env.get("PYTHONPATH", "")]
    )
    ident = pki.personal(SUBJECT_TEACHER_CCCDS[0])
    (tmp_path / "k.pem").write_bytes(ident.key_pem())
    (tmp_path / "c.pem").write_bytes(ident.certificate_pem())
    (tmp_path / "chain.pem").write_bytes(ident.chain_pem())
    run = {"env": env, "capture_output": True, "timeout": 120}
    subprocess.run(
        [
            tool,
            "--init-token",
            "--free",
            "--label",
            "TRUONG",
            "--pin",
            "123456",
            "--so-pin",
            "12345678",
        ],
        check=True,
        **run,  # type: ignore[call-overload]
    )
    subprocess.run(
        [
            tool,
            "--import",
            str(tmp_path / "k.pem"),
            "--token",
            "TRUONG",
            "--label",
            "gv",
            "--id",
            "01",
            "--pin",
            "123456",
        ],
        check=True,
        **run,  # type: ignore[call-overload]
    )
    (tmp_path / "p.xml").write_bytes(make_packet())
    out = tmp_path / "signed.xml"
    cli = [
        sys.executable,
        "-c",
        "from hocbaso.cli import main; main()",
        "sign",
        str(tmp_path / "p.xml"),
        "--role",
        "GVBM",
        "--mon",
        "TOAN",
        "--pkcs11",
        SOFTHSM_LIB,
        "--token-label",
        "TRUONG",
        "--key-label",
        "gv",
        "--pin-env",
        "TOKEN_PIN",
        "--cert",
        str(tmp_path / "c.pem"),
        "--chain",
        str(tmp_path / "chain.pem"),
        "--time",
        "2025-05-21T08:30:00+07:00",
    ]
    done = subprocess.run([*cli, "-o", str(out)], **run)  # type: ignore[call-overload]
    assert done.returncode == 0, done.stderr.decode()
    assert verify_all(out.read_bytes()) == {"GVBM[TOAN]": None}
    # The token's key is the teacher's: signing as the homeroom teacher is refused (exit 2).
    role_at = cli.index("--role")
    bad = [*cli[: role_at + 1], "GVCN", *cli[role_at + 4 :]]
    assert "--mon" not in bad and "--pkcs11" in bad
    refused = subprocess.run([*bad, "-o", str(tmp_path / "x.xml")], **run)  # type: ignore[call-overload]
    assert refused.returncode == 2
    assert b"SIGN.ORDER.MISSING" in refused.stderr
    assert not (tmp_path / "x.xml").exists()
    assert HOMEROOM_CCCD.encode() not in refused.stderr
