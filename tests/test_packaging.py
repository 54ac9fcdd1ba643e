"""Packaging promises: one version source, and a library that needs none of its extras.

``click``/``rich`` (the ``cli`` extra) and ``hypothesis`` (the ``testing`` extra) are not
dependencies of the library. Rather than build a second virtual environment, each check runs in a
subprocess whose ``sitecustomize`` installs a meta-path finder refusing those packages, which is
what a plain ``pip install hocbaso`` looks like to the importing code.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

import hocbaso
from hocbaso.testing.pki import TestPKI

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
EXTRA_ONLY = ("click", "rich", "hypothesis")
#: What only hocbaso.render needs (the ``render`` extra).
RENDER_ONLY = ("jinja2", "segno", "weasyprint", "pypdf", "pyhanko")

_BLOCKER = textwrap.dedent(
    """
    import sys

    BLOCKED = {blocked!r}

    class _RefuseExtras:
        # A meta-path finder first in line: these packages look not installed.
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, _RefuseExtras())
    """
)


def _run_without(
    blocked: tuple[str, ...], tmp_path: Path, argv: list[str]
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` with a Python that cannot import ``blocked`` (via ``sitecustomize``)."""
    (tmp_path / "sitecustomize.py").write_text(
        _BLOCKER.format(blocked=set(blocked)), encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300, check=False)


def _dep_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in requirements}


# -- one version source ------------------------------------------------------------------------


def test_version_is_written_once_in_pyproject() -> None:
    version = PYPROJECT["project"]["version"]
    assert "version" not in PYPROJECT["project"].get("dynamic", [])
    assert hocbaso.__version__ == version == importlib.metadata.version("hocbaso")
    # No second copy anywhere in the package: a literal would drift at the next release.
    stray = [
        p.relative_to(REPO)
        for p in (REPO / "src").rglob("*.py")
        if f'"{version}"' in p.read_text(encoding="utf-8")
        # the one literal allowed is the documented fallback of a never-installed source tree
        or re.search(r"__version__\s*(:\s*str\s*)?=\s*['\"](?!0\+unknown['\"])",
                     p.read_text(encoding="utf-8"))
    ]
    assert stray == []


def test_changelog_has_a_section_for_the_current_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(hocbaso.__version__)}\] - \d{{4}}-\d\d-\d\d$",
                     changelog, re.M)


# -- extras ------------------------------------------------------------------------------------


def test_extras_hold_what_only_the_cli_and_the_strategies_need() -> None:
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    assert not _dep_names(project["dependencies"]) & set(EXTRA_ONLY)
    assert {"click", "rich"} <= _dep_names(extras["cli"])
    assert "hypothesis" in _dep_names(extras["testing"])
    # `make venv` installs .[dev]: it must bring the CLI, the strategies and the docs tools.
    self_refs = [r for r in extras["dev"] if r.startswith("hocbaso[")]
    assert self_refs, extras["dev"]
    wanted = {e.strip() for r in self_refs for e in r[len("hocbaso[") : r.index("]")].split(",")}
    assert {"cli", "testing", "docs"} <= wanted


def test_the_blocker_really_blocks(tmp_path: Path) -> None:
    """Guard for the tests below: in the subprocess, the extras are really unimportable."""
    code = "import importlib\n" + "".join(
        f"try:\n    importlib.import_module({m!r})\nexcept ModuleNotFoundError:\n"
        f"    print('blocked', {m!r})\n"
        for m in EXTRA_ONLY
    )
    out = _run_without(EXTRA_ONLY, tmp_path, [sys.executable, "-c", code])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:3] == [f"blocked {m}" for m in EXTRA_ONLY]


def test_library_imports_and_works_without_any_extra(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys
        import hocbaso, hocbaso.verify, hocbaso.signature, hocbaso.packet, hocbaso.tt22
        import hocbaso.testing, hocbaso.testing.pki, hocbaso.cli
        from hocbaso import check_record, from_xml, to_xml, validate
        from hocbaso.testing import tao_hoc_ba
        from hocbaso.testing.pki import TestPKI
        from hocbaso.verify import TrustStore, verify

        record = tao_hoc_ba(seed=3)
        packet = to_xml(record)
        validate(packet)
        assert from_xml(packet) == record
        assert check_record(record).ok
        # An unsigned packet is reported, not raised on: the whole verifier ran.
        report = verify(packet, TrustStore.from_pem_bytes(TestPKI.cached().root_pem()))
        assert not report.ok
        loaded = sorted({m.partition(".")[0] for m in sys.modules} & {"click", "rich",
                                                                      "hypothesis"})
        print("loaded:", loaded)
        """
    )
    out = _run_without(EXTRA_ONLY + RENDER_ONLY, tmp_path, [sys.executable, "-c", code])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "loaded: []"


def test_strategies_without_hypothesis_name_the_testing_extra(tmp_path: Path) -> None:
    code = "import hocbaso.testing.strategies"
    out = _run_without(("hypothesis",), tmp_path, [sys.executable, "-c", code])
    assert out.returncode == 1
    assert "ModuleNotFoundError" in out.stderr
    assert "pip install 'hocbaso[testing]'" in out.stderr.strip().splitlines()[-1]


def test_render_without_its_extra_names_the_render_extra(tmp_path: Path) -> None:
    out = _run_without(("jinja2", "segno"), tmp_path, [sys.executable, "-c",
                                                       "import hocbaso.render"])
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()[-1]
    assert "ModuleNotFoundError" in last and "pip install 'hocbaso[render]'" in last
    assert "cần" in last and "needs" in last  # Vietnamese and English


@pytest.mark.parametrize("command", ["render", "verify"])
def test_render_and_verify_pdf_without_the_extra_print_one_line(
    tmp_path: Path, command: str
) -> None:
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(b"%PDF-1.7\n")
    trust = tmp_path / "t.pem"
    trust.write_bytes(TestPKI.cached().root_pem())
    argv = [command, str(copy), "--trust", str(trust)]
    argv += ["-o", str(tmp_path / "o.pdf")] if command == "render" else []
    out = _run_without(("jinja2",), tmp_path, [str(_console_script()), *argv])
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'hocbaso[render]'" in lines[0], out.stderr


def test_render_extra_is_in_dev() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"jinja2", "segno", "weasyprint", "pypdf", "pyhanko"} <= _dep_names(extras["render"])
    assert any("render" in r for r in extras["dev"] if r.startswith("hocbaso["))


def _console_script() -> Path:
    script = Path(sys.executable).parent / "hocbaso"
    assert script.is_file(), "the hocbaso console script is installed by `make venv`"
    return script


@pytest.mark.parametrize(
    ("blocked", "argv"),
    [
        (("click", "rich"), ["--help"]),
        (("click", "rich"), ["verify", "x.xml", "--trust", "t.pem"]),
        # click installed but rich not: the one command needing rich says the same.
        (("rich",), ["verify", "x.xml", "--trust", "t.pem"]),
    ],
)
def test_console_script_without_cli_extra_prints_one_bilingual_line(
    tmp_path: Path, blocked: tuple[str, ...], argv: list[str]
) -> None:
    out = _run_without(blocked, tmp_path, [str(_console_script()), *argv])
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    line = lines[0]
    assert "pip install 'hocbaso[cli]'" in line
    assert "Lỗi / Error" in line and "cần" in line and "needs" in line  # Vietnamese and English
    assert "Traceback" not in out.stderr


def test_console_script_with_the_extra_still_runs(tmp_path: Path) -> None:
    out = _run_without(("hypothesis",), tmp_path, [str(_console_script()), "--version"])
    assert out.returncode == 0, out.stderr
    assert hocbaso.__version__ in out.stdout


# -- the dask extra ----------------------------------------------------------------------------

DASK = ("dask", "distributed")


def test_dask_is_an_extra_included_in_dev() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert not _dep_names(PYPROJECT["project"]["dependencies"]) & set(DASK)
    assert "dask" in _dep_names(extras["dask"])
    assert "distributed" in extras["dask"][0]  # dask[distributed]
    self_refs = [r for r in extras["dev"] if r.startswith("hocbaso[")]
    assert any("dask" in r for r in self_refs)


def test_library_without_dask_imports_and_names_the_extra(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys
        import hocbaso.verify, hocbaso.cli
        from hocbaso.verify import dask_executor, verify_many
        from hocbaso.errors import VerificationInputError
        try:
            with dask_executor("tcp://127.0.0.1:8786"):
                pass
        except VerificationInputError as err:
            print(err.code)
        print("loaded:", sorted({m.partition(".")[0] for m in sys.modules} & {"dask",
                                                                             "distributed"}))
        """
    )
    out = _run_without(DASK, tmp_path, [sys.executable, "-c", code])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["VERIFY.INPUT.DASK_MISSING", "loaded:", "[]"]


def test_verify_scheduler_without_dask_exits_2_naming_the_extra(tmp_path: Path) -> None:
    from hocbaso.testing.pki import TestPKI

    root = tmp_path / "root.pem"
    root.write_bytes(TestPKI.cached().root_pem())
    packet = tmp_path / "x.xml"
    packet.write_bytes(b"<x/>")
    out = _run_without(DASK, tmp_path, [str(_console_script()), "verify", str(packet),
                                        "--trust", str(root), "--scheduler", "tcp://127.0.0.1:1"])
    assert out.returncode == 2, out.stderr
    assert "hocbaso[dask]" in out.stderr and "Traceback" not in out.stderr
