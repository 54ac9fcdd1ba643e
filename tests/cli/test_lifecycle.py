"""``hocbaso build | issue | correct | revoke`` and ``verify --revocations/--previous``, each
through click's CliRunner: what a .NET or PHP integration drives with JSON in and out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hocbaso.cli._main import cli
from hocbaso.models import HocBa
from hocbaso.packet import from_xml, to_xml
from hocbaso.signature import IssuedRecord, record_digest
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TestPKI

from .conftest import RoleKeys, at, role_keys


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def answer(result: Result) -> Any:
    return json.loads(result.stdout)


def school_args(folder: Path) -> list[str | Path]:
    return ["--key", folder / "school.key", "--cert", folder / "school.crt",
            "--chain", folder / "school-ca.pem"]


def sign_through(packet: Path, keys: RoleKeys, folder: Path, start: float) -> Path:
    """Every GVBM, the GVCN and the CBQL sign with ``hocbaso sign``; returns the last file."""
    current = packet
    for i, (mon, args) in enumerate(keys.gvbm.items()):
        out = folder / f"{packet.stem}-gvbm{i}.xml"
        done = invoke("sign", current, "--role", "GVBM", "--mon", mon, *args,
                      "--time", at(start), "-o", out, "--json")
        assert done.exit_code == 0, done.output
        assert answer(done)["ok"] is True
        current = out
    for role, args, hours in (("GVCN", keys.gvcn, 1), ("CBQL", keys.cbql, 2)):
        out = folder / f"{packet.stem}-{role}.xml"
        done = invoke("sign", current, "--role", role, *args, "--time", at(start + hours),
                      "-o", out)
        assert done.exit_code == 0, done.output
        current = out
    return current


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, pki: TestPKI) -> dict[str, Path]:
    """v1 built from JSON, signed, issued; a notice revoking it."""
    folder = tmp_path_factory.mktemp("life")
    record = tao_hoc_ba(7)
    keys = role_keys(folder / "keys", pki, record)
    (folder / "v1.json").write_text(record.model_dump_json(), "utf-8")
    built = invoke("build", folder / "v1.json", "-o", folder / "v1.xml", "--json")
    assert built.exit_code == 0, built.output
    assert answer(built)["phien_ban"] == 1
    signed = sign_through(folder / "v1.xml", keys, folder, 0)
    issued = invoke("issue", signed, *keys.school, "--time", at(3), "-o", folder / "v1-issued.xml",
                    "--json")
    assert issued.exit_code == 0, issued.output
    notice = invoke("revoke", folder / "v1-issued.xml", "--reason", "Cấp nhầm", *keys.school,
                    "--time", at(4), "-o", folder / "v1-notice.xml", "--json")
    assert notice.exit_code == 0, notice.output
    return {
        "folder": folder,
        "json": folder / "v1.json",
        "unsigned": folder / "v1.xml",
        "cbql": signed,
        "issued": folder / "v1-issued.xml",
        "notice": folder / "v1-notice.xml",
        "trust": keys.trust,
        "crl": keys.crl,
        "keys_folder": folder / "keys",
    }


def test_build_writes_the_packet_of_the_json_record(chain: dict[str, Path]) -> None:
    record = tao_hoc_ba(7)
    assert chain["unsigned"].read_bytes() == to_xml(record)
    assert from_xml(chain["unsigned"].read_bytes()) == record


def test_issue_answers_in_json_and_the_record_is_issued(chain: dict[str, Path]) -> None:
    issued = IssuedRecord.from_signed(chain["issued"].read_bytes())
    assert issued.hoc_ba == tao_hoc_ba(7)
    assert issued.issued_at.isoformat() == at(3)


def test_issue_refuses_an_incomplete_record_with_a_coded_json_error(
    chain: dict[str, Path], tmp_path: Path
) -> None:
    args = school_args(chain["keys_folder"])
    out = tmp_path / "never.xml"
    done = invoke("issue", chain["unsigned"], *args, "--time", at(3), "-o", out, "--json")
    assert done.exit_code == 2
    assert answer(done)["error"]["code"].startswith("SIGN.")
    assert not out.exists()


def test_verify_reports_revoked_with_the_notice(chain: dict[str, Path]) -> None:
    base: list[str | Path] = [
        chain["issued"], "--trust", chain["trust"], "--crl", chain["crl"], "--at", at(5), "--json"
    ]
    plain = invoke("verify", *base)
    assert plain.exit_code == 0, plain.output
    (entry,) = answer(plain)
    assert entry["ok"] is True and entry["revoked"] is False
    revoked = invoke("verify", *base, "--revocations", chain["notice"])
    assert revoked.exit_code == 1
    (entry,) = answer(revoked)
    assert entry["revoked"] is True and entry["record"] is None
    assert any(s["code"] == "STATUS.REVOKED" and s["status"] == "FAIL" for s in entry["steps"])
    assert entry["record_digest"] == record_digest(chain["issued"].read_bytes())


def test_a_trailing_newline_does_not_dodge_the_notice(
    chain: dict[str, Path], tmp_path: Path
) -> None:
    """The notice names the record digest (signed content), not the file's bytes."""
    moved = tmp_path / "issued-with-newline.xml"
    moved.write_bytes(chain["issued"].read_bytes().replace(b"\n", b"\r\n") + b"\r\n")
    done = invoke(
        "verify", moved, "--trust", chain["trust"], "--crl", chain["crl"], "--at", at(5),
        "--revocations", chain["notice"], "--json",
    )  # fmt: skip
    assert done.exit_code == 1, done.output
    (entry,) = answer(done)
    assert entry["revoked"] is True
    assert entry["record_digest"] == record_digest(chain["issued"].read_bytes())


@pytest.mark.parametrize("new_kind", ["json", "xml"])
def test_correct_from_json_or_packet_then_verify_the_chain(
    chain: dict[str, Path], tmp_path: Path, pki: TestPKI, new_kind: str
) -> None:
    record = tao_hoc_ba(7)
    data = json.loads(record.model_dump_json())
    data["thong_tin_hoc_ba"]["hoc_sinh"]["nghe_nghiep_cha"] = "Kỹ sư"  # the corrected fact
    fixed = HocBa.model_validate_json(json.dumps(data))
    new = tmp_path / f"new.{new_kind}"
    if new_kind == "json":
        new.write_text(fixed.model_dump_json(), "utf-8")
    else:
        new.write_bytes(to_xml(fixed))
    out = tmp_path / "v2.xml"
    done = invoke("correct", chain["issued"], new, "--reason", "Sửa điểm", "-o", out, "--json")
    assert done.exit_code == 0, done.output
    reply = answer(done)
    issued_v1 = IssuedRecord.from_signed(chain["issued"].read_bytes())
    assert reply["phien_ban"] == 2 and reply["bam_phien_ban_truoc"] == issued_v1.record_digest
    v2 = from_xml(out.read_bytes())
    assert v2.thong_tin_hoc_ba.thong_tin_chung.dinh_chinh is not None
    assert v2.thong_tin_hoc_ba.hoc_sinh.nghe_nghiep_cha == "Kỹ sư"
    # The new version goes through every role again, then verifies with v1 as --previous.
    keys = role_keys(tmp_path / "keys", pki, record)
    signed = sign_through(out, keys, tmp_path, 6)
    v2_issued = tmp_path / "v2-issued.xml"
    assert invoke("issue", signed, *keys.school, "--time", at(9), "-o", v2_issued).exit_code == 0
    base: list[str | Path] = [v2_issued, "--trust", keys.trust, "--at", at(10), "--json"]
    linked = answer(invoke("verify", *base, "--previous", chain["issued"]))[0]
    assert linked["ok"] is True
    assert {"STATUS.OK"} <= {s["code"] for s in linked["steps"]}
    # Version 1 as it travelled (CRLF line ends): the same record, the chain still holds.
    crlf = tmp_path / "v1-crlf.xml"
    crlf.write_bytes(chain["issued"].read_bytes().replace(b"\n", b"\r\n"))
    assert answer(invoke("verify", *base, "--previous", crlf))[0]["ok"] is True
    # A version 1 whose signed content differs (same identifier and version): fail closed.
    other_v1 = tmp_path / "v1-other.xml"
    other_v1.write_bytes(
        chain["issued"].read_bytes().replace(b"<HO_VA_TEN>", b"<HO_VA_TEN>X", 1)
    )
    wrong = answer(invoke("verify", *base, "--previous", other_v1))[0]
    assert wrong["ok"] is False
    assert "STATUS.VERSION_DIGEST_MISMATCH" in {s["code"] for s in wrong["steps"]}


def test_build_refuses_invalid_json_with_a_path_and_no_personal_values(
    chain: dict[str, Path], tmp_path: Path
) -> None:
    data = json.loads(chain["json"].read_text("utf-8"))
    hs = data["thong_tin_hoc_ba"]["hoc_sinh"]
    name = hs["ho_va_ten"]
    hs["so_dinh_danh"] = "12345678901X"  # not 12 digits
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    out = tmp_path / "bad.xml"
    done = invoke("build", bad, "-o", out, "--json")
    assert done.exit_code == 1 and not out.exists()
    error = answer(done)["error"]
    assert error["code"].startswith("MODEL.")
    assert "HOC_SINH/SO_DINH_DANH" in error["path"]
    assert name not in done.output and "12345678901X" not in done.output
    human = invoke("build", bad, "-o", out)
    assert human.exit_code == 1 and "MODEL." in human.output and name not in human.output


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"thong_tin_hoc_ba": {}, "thong_tin_hoc_ba": {}}', "MODEL.DUPLICATE_KEY"),
        ("[1, 2]", "MODEL.JSON"),
        ("{not json", "MODEL.JSON"),
        ('{"x": NaN}', "MODEL.JSON"),
    ],
)
def test_build_refuses_what_is_not_one_record(tmp_path: Path, text: str, code: str) -> None:
    src = tmp_path / "in.json"
    src.write_text(text, "utf-8")
    done = invoke("build", src, "-o", tmp_path / "out.xml", "--json")
    assert done.exit_code == 1
    assert answer(done)["error"]["code"] == code


def test_build_refuses_a_non_regular_input(tmp_path: Path) -> None:
    done = invoke("build", "/dev/zero", "-o", tmp_path / "out.xml", "--json")
    assert done.exit_code == 2
    assert answer(done)["error"]["code"] == "VERIFY.INPUT.NOT_A_FILE"


def test_revoke_refuses_an_unissued_packet(chain: dict[str, Path], tmp_path: Path) -> None:
    args = school_args(chain["keys_folder"])
    done = invoke("revoke", chain["cbql"], "--reason", "x", *args, "--time", at(4),
                  "-o", tmp_path / "n.xml", "--json")
    assert done.exit_code == 2 and answer(done)["error"]["code"].startswith("SIGN.")


def test_verify_refuses_an_unreadable_notice_or_previous_as_json(
    chain: dict[str, Path], tmp_path: Path
) -> None:
    for option in ("--revocations", "--previous"):
        done = invoke("verify", chain["issued"], "--trust", chain["trust"], option,
                      tmp_path / "missing.xml", "--json")
        assert done.exit_code == 2
        assert answer(done)["error"]["code"] == "VERIFY.INPUT.UNREADABLE"
