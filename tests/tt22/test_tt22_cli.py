"""``hocbaso tt22 evaluate``: JSON in, JSON out, exit 0 / 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hocbaso.cli._main import cli
from hocbaso.tt22 import evaluate

ROOT = Path(__file__).resolve().parents[2]

DIEM = ["15", "19", "69", "05", "66", "26", "27", "32"]


def _dau_vao() -> dict[str, object]:
    return {
        "khoi": 9,
        "mon_hoc": [
            {
                "ma": "15",
                "so_tiet_nam": 140,
                "hk1": {"tx": ["8.0", "7.5", "8.1", "9"], "gk": "8.0", "ck": "7.5"},
                "hk2": "8.3",
            },
            *({"ma": ma, "hk1": "8.5", "hk2": "9.0"} for ma in DIEM[1:]),
            {"ma": "88", "hk1": {"tx": ["Đ", "Đ"], "gk": "Đ", "ck": "Đ"}, "hk2": "Đ"},
            {"ma": "14", "khong_danh_gia": True},
        ],
        "ren_luyen": {"hk1": "T", "hk2": "T"},
        "so_buoi_nghi": 3,
    }


def _chay(args: list[str], stdin: str | bytes | None = None) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli, ["tt22", "evaluate", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout_bytes.decode("utf-8"))


def test_stdin_gives_the_same_json_as_the_python_api() -> None:
    code, out = _chay(["-"], json.dumps(_dau_vao(), ensure_ascii=False))
    assert code == 0
    assert out == evaluate(_dau_vao())
    assert out["xet_len_lop"] == "LEN_LOP"
    assert out["noi_dung"] == "Được công nhận hoàn thành chương trình trung học cơ sở"


def test_file_argument_and_utf8_output(tmp_path: Path) -> None:
    f = tmp_path / "hs.json"
    f.write_text(json.dumps(_dau_vao(), ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["tt22", "evaluate", str(f)])
    assert result.exit_code == 0
    # Vietnamese letters are written as UTF-8, not as \\u escapes.
    assert "hoàn thành".encode() in result.stdout_bytes
    assert b"\\u" not in result.stdout_bytes


@pytest.mark.parametrize(
    ("sua", "code", "path"),
    [
        (lambda d: d["mon_hoc"][1].update(hk1="10.5"), "TT22.INPUT.MARK_RANGE", "mon_hoc[1].hk1"),
        (
            lambda d: d["mon_hoc"][0]["hk1"]["tx"].__setitem__(2, "8.125"),
            "TT22.INPUT.MARK_DECIMALS",
            "mon_hoc[0].hk1.tx[2]",
        ),
        (
            lambda d: d["mon_hoc"][0]["hk1"]["tx"].pop(),
            "TT22.INPUT.TX_COUNT",
            "mon_hoc[0].hk1.tx",
        ),
        (lambda d: d["ren_luyen"].update(hk2="B"), "TT22.INPUT.LEVEL", "ren_luyen.hk2"),
    ],
)
def test_invalid_input_exits_2_with_a_json_error_naming_the_field(
    sua: object, code: str, path: str
) -> None:
    d = _dau_vao()
    assert callable(sua)
    sua(d)
    exit_code, out = _chay(["-"], json.dumps(d, ensure_ascii=False))
    assert exit_code == 2
    err = out["error"]
    assert isinstance(err, dict)
    assert err["code"] == code
    assert err["path"] == path
    assert err["message_vi"] and err["message_en"]


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00", b"[1, 2]", b'{"khoi": NaN}', b""])
def test_unreadable_or_non_object_json_exits_2(raw: bytes) -> None:
    code, out = _chay(["-"], raw)
    assert code == 2
    err = out["error"]
    assert isinstance(err, dict)
    assert err["code"] in {"TT22.INPUT.JSON", "TT22.INPUT.TYPE"}


def test_json_numbers_are_read_exactly() -> None:
    """``8.15`` as a JSON number must be refused as two decimals, not read as a float."""
    d = _dau_vao()
    text = json.dumps(d).replace('"8.5"', "8.15", 1)
    code, out = _chay(["-"], text)
    assert code == 2
    err = out["error"]
    assert isinstance(err, dict)
    assert err["code"] == "TT22.INPUT.MARK_DECIMALS"


def test_real_process_exit_codes() -> None:
    """The installed entry point (``hocbaso.cli.main``), not only click's runner."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-c", "from hocbaso.cli import main; main()", "tt22", "evaluate", "-"]
    ok = subprocess.run(
        cmd, input=json.dumps(_dau_vao()).encode(), capture_output=True, env=env, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["danh_hieu"] == "GIOI"
    bad = subprocess.run(cmd, input=b'{"khoi": 5}', capture_output=True, env=env, check=False)
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["error"]["path"] == "khoi"
    assert b"Traceback" not in bad.stderr


def test_unreadable_file_is_a_json_error_without_the_file_name(tmp_path: Path) -> None:
    missing = tmp_path / "Nguyen Van An.json"
    code, out = _chay([str(missing)])
    assert code == 2
    err = out["error"]
    assert isinstance(err, dict)
    assert err["code"] == "TT22.INPUT.FILE"
    assert "Nguyen" not in json.dumps(out)


@pytest.mark.parametrize(
    ("edit", "code", "path"),
    [
        # issue: a key twice was silently accepted (the last value won)
        (lambda t: t.replace('"khoi": 9', '"khoi": 9, "khoi": 9', 1), "DUPLICATE_KEY", "khoi"),
        # issue: the JSON number 1e1 was accepted as 10 while the string "1e1" was refused
        (lambda t: t.replace('"hk1": "8.5"', '"hk1": 1e1', 1), "MARK_FORMAT", "mon_hoc[1].hk1"),
        # issue: 10^23 absences were accepted although a record holds at most 300
        (lambda t: t.replace('"so_buoi_nghi": 3', '"so_buoi_nghi": 100000000000000000000000'),
         "ABSENCES", "so_buoi_nghi"),
    ],
)  # fmt: skip
def test_one_rule_for_json_text(edit: Any, code: str, path: str) -> None:
    text = json.dumps(_dau_vao(), ensure_ascii=False)
    changed = edit(text)
    assert changed != text
    exit_code, out = _chay(["-"], changed)
    assert exit_code == 2
    err = out["error"]
    assert isinstance(err, dict)
    assert (err["code"], err["path"]) == (f"TT22.INPUT.{code}", path)
