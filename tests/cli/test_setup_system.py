"""A fresh machine: ``make test`` and ``.ci/run`` set up the system packages through one script.

The script runs here against stub commands on a private ``PATH`` (``id``, ``apt-get``,
``sudo``, ``xmlsec1``), so each branch — nothing to do, install as root, and "not root, no
sudo: say the command in one line" — is exercised without touching the machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "scripts/setup-system.sh"


def _recipe(target: str) -> list[str]:
    """The recipe lines of one Makefile target (tab-indented lines after ``target:``)."""
    lines = (ROOT / "Makefile").read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"{target}\s*:", line))
    out: list[str] = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        out.append(line.strip())
    return out


def test_make_test_and_ci_call_the_same_setup_script() -> None:
    assert SCRIPT in _recipe("test")[0]  # first, before any tool that needs the packages
    assert _recipe("demo")[0] == f"{SCRIPT} demo"  # only what the soft copies need
    ci = [line.strip() for line in (ROOT / ".ci/run").read_text("utf-8").splitlines()]
    assert ci.index(SCRIPT) < ci.index("make test")
    # One place installs packages: neither caller runs apt-get itself.
    assert "apt-get" not in (ROOT / ".ci/run").read_text("utf-8")
    assert "apt-get" not in (ROOT / "Makefile").read_text("utf-8")
    assert os.access(ROOT / SCRIPT, os.X_OK)


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!{shutil.which('bash')}\n{body}\n", "utf-8")
    path.chmod(0o755)


def _run(
    tmp: Path, *, uid: int, have: set[str], sudo: bool = False, mode: str = "test"
) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    log = tmp / "calls.log"
    _stub(bin_dir, "id", f"echo {uid}")
    _stub(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}')
    _stub(bin_dir, "env", 'while [ "${1#*=}" != "$1" ]; do shift; done; "$@"')
    if sudo:
        _stub(bin_dir, "sudo", f'echo "sudo $*" >> {log}; [ "$1" = -n ] && shift; "$@"')
    lib = tmp / "libsofthsm2.so"
    if "softhsm2" in have:
        _stub(bin_dir, "softhsm2-util", "exit 0")
        lib.write_bytes(b"")
    if "xmlsec1" in have:
        _stub(bin_dir, "xmlsec1", "exit 0")
    # The soft-copy tools (docs/render.md) are present unless the test says they are not.
    font = tmp / "NotoSerif-Regular.ttf"
    if "no-render" not in have:
        for tool in ("pdftoppm", "zbarimg", "chromium"):
            _stub(bin_dir, tool, "exit 0")
        font.write_bytes(b"")
        _stub(bin_dir, "ldconfig", "echo libpango-1.0.so.0")
    _stub(bin_dir, "grep", f'exec {shutil.which("grep")} "$@"')
    return subprocess.run(
        [shutil.which("bash") or "bash", str(ROOT / SCRIPT), mode],
        env={"PATH": str(bin_dir), "HOCBASO_SOFTHSM_LIB": str(lib),
             "HOCBASO_RENDER_FONT": str(font)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _calls(tmp: Path) -> list[str]:
    log = tmp / "calls.log"
    return log.read_text("utf-8").splitlines() if log.exists() else []


def test_nothing_to_do_when_both_are_present(tmp_path: Path) -> None:
    done = _run(tmp_path, uid=1000, have={"xmlsec1", "softhsm2"})
    assert done.returncode == 0 and done.stderr == ""
    assert _calls(tmp_path) == []


def test_root_installs_only_what_is_missing_with_one_update(tmp_path: Path) -> None:
    done = _run(tmp_path, uid=0, have={"softhsm2"})
    assert done.returncode == 0, done.stderr
    calls = _calls(tmp_path)
    assert calls.count("apt-get update -qq") == 1
    (install,) = (c for c in calls if " install " in c)
    assert install.split()[-1] == "xmlsec1" and "-y" in install.split()


def test_password_less_sudo_is_used_when_not_root(tmp_path: Path) -> None:
    done = _run(tmp_path, uid=1000, have=set(), sudo=True)
    assert done.returncode == 0, done.stderr
    calls = _calls(tmp_path)
    assert any(c.startswith("sudo -n") and "install" in c for c in calls)
    assert calls[-1].endswith("xmlsec1 softhsm2")


@pytest.mark.parametrize("have", [set(), {"xmlsec1"}])
def test_without_root_or_sudo_it_prints_one_line_and_fails(tmp_path: Path, have: set[str]) -> None:
    done = _run(tmp_path, uid=1000, have=have)
    assert done.returncode != 0
    (line,) = done.stderr.splitlines()
    missing = [p for p in ("xmlsec1", "softhsm2") if p not in have]
    assert line.endswith(f"run as root: apt-get update && apt-get install -y {' '.join(missing)}")
    assert not any("apt-get" in c for c in _calls(tmp_path))


def test_the_soft_copy_tools_are_installed_when_missing(tmp_path: Path) -> None:
    done = _run(tmp_path, uid=0, have={"xmlsec1", "softhsm2", "no-render"})
    assert done.returncode == 0, done.stderr
    (install,) = (c for c in _calls(tmp_path) if " install " in c)
    for package in ("fonts-noto-core", "poppler-utils", "zbar-tools", "chromium",
                    "libpango-1.0-0"):
        assert package in install.split()


def test_demo_mode_installs_only_what_the_soft_copies_need(tmp_path: Path) -> None:
    """``make demo`` on a fresh machine gets the font and Pango, not the test tools."""
    done = _run(tmp_path, uid=0, have={"no-render"}, mode="demo")
    assert done.returncode == 0, done.stderr
    (install,) = (c for c in _calls(tmp_path) if " install " in c)
    assert install.split()[-3:] == ["fonts-noto-core", "libpango-1.0-0", "libpangoft2-1.0-0"]


def test_demo_mode_without_root_prints_one_line(tmp_path: Path) -> None:
    done = _run(tmp_path, uid=1000, have={"no-render"}, mode="demo")
    assert done.returncode != 0
    (line,) = done.stderr.splitlines()
    assert line.startswith("hocbaso: the demo needs fonts-noto-core")
