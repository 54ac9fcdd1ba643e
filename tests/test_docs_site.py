"""The documentation site: every page in the nav, built strictly in ``make test``, and offline.

``make test`` runs ``mkdocs build --strict`` itself; these tests make sure that step keeps
meaning something: that ``--strict`` really fails on a broken link, that the build needs no
network (no web fonts, scripts or remote inventories), and that no page is left out of the nav.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
CONFIG: dict[str, Any] = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
MKDOCS = Path(sys.executable).parent / "mkdocs"

_NO_NETWORK = """
import socket

def _refuse(*args, **kwargs):
    raise OSError("network access during the docs build")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.getaddrinfo = _refuse
socket.create_connection = _refuse
"""


def _nav_files(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [f for item in node for f in _nav_files(item)]
    if isinstance(node, dict):
        return [f for value in node.values() for f in _nav_files(value)]
    return []


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    nav = _nav_files(CONFIG["nav"])
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(nav) == pages
    assert len(nav) == len(set(nav))


def test_guides_exist_in_vietnamese_and_english_and_link_each_other() -> None:
    pairs = [("guide-receiving-school.md", "huong-dan-truong-tiep-nhan.md"),
             ("guide-vendor.md", "huong-dan-nha-cung-cap.md")]
    for en, vi in pairs:
        en_text, vi_text = (DOCS / en).read_text("utf-8"), (DOCS / vi).read_text("utf-8")
        assert f"]({vi})" in en_text and f"]({en})" in vi_text
        # the same sections in both languages, so neither falls behind silently
        assert len(re.findall(r"^## ", en_text, re.M)) == len(re.findall(r"^## ", vi_text, re.M))


def test_the_configuration_fetches_nothing() -> None:
    assert CONFIG["theme"]["font"] is False  # no web-font service
    for key in ("extra_javascript", "extra_css"):
        assert not any(re.match(r"(https?:)?//", str(u)) for u in CONFIG.get(key, [])), key
    # mkdocstrings would download other projects' object inventories ("inventories"/"import").
    plugins = {k: v for p in CONFIG["plugins"] if isinstance(p, dict) for k, v in p.items()}
    handlers = plugins["mkdocstrings"]["handlers"]
    assert handlers["python"].keys() <= {"paths", "options"}


def test_make_test_builds_the_site_strictly() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe is not None
    build = re.search(r"^DOCS_BUILD\s*:=\s*(.*)$", makefile, re.M)
    assert build is not None and "$(DOCS_BUILD)" in recipe.group(1)
    assert "mkdocs build --strict" in build.group(1)
    # -q would hide the warnings that --strict turns into failures
    assert not re.search(r"(^|\s)(-q|--quiet)(\s|$)", build.group(1))


def _copy_site_sources(dest: Path) -> None:
    shutil.copytree(DOCS, dest / "docs")
    for name in ("mkdocs.yml", "CHANGELOG.md", "SECURITY.md", "CONTRIBUTING.md", "LICENSE"):
        shutil.copy2(REPO / name, dest / name)
    (dest / "src").symlink_to(REPO / "src", target_is_directory=True)


def _build(root: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(_NO_NETWORK, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(hooks), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(root / "site")],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("site-src")
    _copy_site_sources(root)
    out = _build(root, tmp_path_factory.mktemp("hooks"))
    assert out.returncode == 0, out.stderr
    return root / "site", out.stderr


def test_the_site_builds_without_network_and_loads_nothing_from_outside(
    offline_site: tuple[Path, str],
) -> None:
    site, _ = offline_site
    html = [p.read_text(encoding="utf-8") for p in site.rglob("*.html")]
    assert len(html) > 20
    external = re.compile(
        r"<(script|img|iframe)[^>]*\ssrc=\"(https?:)?//|<link[^>]*\shref=\"(https?:)?//"
    )
    offenders = [m.group(0) for page in html for m in external.finditer(page)]
    assert offenders == []
    # the API pages are really generated from the docstrings
    verify_page = (site / "reference" / "verify" / "index.html").read_text(encoding="utf-8")
    assert 'id="hocbaso.verify.verify"' in verify_page
    assert 'id="hocbaso.verify.VerificationReport"' in verify_page


@pytest.mark.parametrize(
    ("planted", "complaints"),
    [
        # link problems are collected and reported together at the end of a build
        (
            "[a page that is not there](no-such-page.md)\n\n"
            "[a heading that is not there](verification.md#no-such-step)",
            ["no-such-page.md", "#no-such-step"],
        ),
        # an API reference that no longer resolves stops the build at once
        ("::: hocbaso.verify.no_such_function", ["hocbaso.verify.no_such_function"]),
    ],
    ids=["links", "api-reference"],
)
def test_strict_build_fails_on_a_broken_reference(
    tmp_path: Path, planted: str, complaints: list[str]
) -> None:
    root = tmp_path / "src-copy"
    root.mkdir()
    _copy_site_sources(root)
    page = root / "docs" / "guide-vendor.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{planted}\n", encoding="utf-8")
    out = _build(root, tmp_path)
    assert out.returncode != 0
    for complaint in complaints:
        assert complaint in out.stderr
