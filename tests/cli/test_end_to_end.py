"""The whole life of a record through the installed command, as a .NET or PHP integration
runs it: separate processes, files in and out, JSON on stdout, exit codes.

build → sign (every GVBM, GVCN, CBQL) → issue → verify → correct → revoke →
verify --revocations reports the record revoked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TestPKI

from .conftest import at, role_keys


def hocbaso(*args: str | Path, expect: int = 0) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", "from hocbaso.cli import main; main()", *map(str, args)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == expect, done.stderr.decode() + done.stdout.decode()
    return json.loads(done.stdout.decode("utf-8"))


def test_build_sign_issue_verify_correct_revoke_verify(tmp_path: Path, pki: TestPKI) -> None:
    record = tao_hoc_ba(11)
    keys = role_keys(tmp_path / "keys", pki, record)
    src = tmp_path / "record.json"
    src.write_text(record.model_dump_json(), "utf-8")

    built = hocbaso("build", src, "-o", tmp_path / "v1.xml", "--json")
    assert built["ok"] and built["phien_ban"] == 1
    current = tmp_path / "v1.xml"
    for i, (mon, args) in enumerate(keys.gvbm.items()):
        out = tmp_path / f"v1-{i}.xml"
        hocbaso("sign", current, "--role", "GVBM", "--mon", mon, *args, "--time", at(0),
                "-o", out, "--json")
        current = out
    for role, args, hours in (("GVCN", keys.gvcn, 1), ("CBQL", keys.cbql, 2)):
        out = tmp_path / f"v1-{role}.xml"
        hocbaso("sign", current, "--role", role, *args, "--time", at(hours), "-o", out, "--json")
        current = out
    issued = tmp_path / "v1-issued.xml"
    reply = hocbaso("issue", current, *keys.school, "--time", at(3), "-o", issued, "--json")
    assert reply["phien_ban"] == 1

    trust: list[str | Path] = ["--trust", keys.trust, "--crl", keys.crl, "--at", at(5), "--json"]
    (first,) = hocbaso("verify", issued, *trust)
    assert first["ok"] is True and first["revoked"] is False
    assert first["record"]["thong_tin_hoc_ba"]["thong_tin_chung"]["phien_ban"] == 1

    corrected = hocbaso("correct", issued, src, "--reason", "Đính chính thử", "-o",
                        tmp_path / "v2.xml", "--json")
    assert corrected["phien_ban"] == 2 and len(corrected["bam_phien_ban_truoc"]) == 64

    notice = tmp_path / "notice.xml"
    revoked = hocbaso("revoke", issued, "--reason", "Cấp nhầm", *keys.school, "--time", at(4),
                      "-o", notice, "--json")
    assert revoked["phien_ban"] == 1

    (last,) = hocbaso("verify", issued, *trust, "--revocations", notice, expect=1)
    assert last["ok"] is False and last["revoked"] is True and last["record"] is None
    assert {"STATUS.REVOKED"} <= {s["code"] for s in last["steps"] if s["status"] == "FAIL"}
