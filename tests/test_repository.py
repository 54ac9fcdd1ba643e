"""The repository stands alone: license, changelog, security policy, contributor guide, glossary.

These files are promises to users (the license they may rely on, the stability of codes, where
to report a vulnerability) and to contributors (the naming rule); the tests keep them from
silently going stale as the code changes.
"""

from __future__ import annotations

import enum
import re
import tomllib
from pathlib import Path

import hocbaso
import hocbaso.models
from hocbaso.signature import VaiTroKy

REPO = Path(__file__).resolve().parents[1]


def _read(name: str) -> str:
    return (REPO / name).read_text(encoding="utf-8")


def test_license_is_the_full_apache_2_text_pyproject_declares() -> None:
    pyproject = tomllib.loads(_read("pyproject.toml"))
    assert pyproject["project"]["license"] == "Apache-2.0"
    text = _read("LICENSE")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    sections = [
        "1. Definitions.",
        "2. Grant of Copyright License.",
        "3. Grant of Patent License.",
        "4. Redistribution.",
        "5. Submission of Contributions.",
        "6. Trademarks.",
        "7. Disclaimer of Warranty.",
        "8. Limitation of Liability.",
        "9. Accepting Warranty or Additional Liability.",
        "END OF TERMS AND CONDITIONS",
    ]
    positions = [text.find(s) for s in sections]
    assert -1 not in positions, sections[positions.index(-1)]
    assert positions == sorted(positions)
    assert len(text.split()) > 1500  # the whole text, not a summary (the real one has ~1,580 words)


def test_changelog_follows_keep_a_changelog_with_a_stability_policy() -> None:
    text = _read("CHANGELOG.md")
    assert "Keep a Changelog" in text
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[:2] == ["Stability policy", "[Unreleased]"]
    assert re.fullmatch(r"\[0\.1\.0\] - \d{4}-\d\d-\d\d", headings[-1])
    policy = text.split("## Stability policy", 1)[1].split("## [Unreleased]", 1)[0]
    for subject in ("Error codes", "Verification codes", "packet format", "XSDs"):
        assert subject in policy, subject
    for release in ("Patch", "Minor", "Major"):
        assert release in policy, release


def test_security_policy_says_how_to_report_and_what_is_in_scope() -> None:
    text = _read("SECURITY.md")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert [h.split(" /")[0] for h in headings] == [
        "Reporting a vulnerability", "In scope", "Out of scope", "Supported versions",
    ]
    assert "privately" in text
    scope = text.split("## In scope", 1)[1].split("## Out of scope", 1)[0]
    for subject in ("Verifier bypass", "denial of service", "Personal-data leaks", "Key handling"):
        assert subject in scope, subject


# -- the glossary in CONTRIBUTING.md -----------------------------------------------------------


def _glossary() -> dict[str, str]:
    """Identifier → its table row, from the glossary table of CONTRIBUTING.md."""
    text = _read("CONTRIBUTING.md")
    section = text.split("### Glossary", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows, "the glossary table is empty"
    out: dict[str, str] = {}
    for row in rows:
        first_column = row.split("|")[1]
        for ident in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", first_column):
            out[ident] = row
    return out


def _domain_names() -> set[str]:
    """The Vietnamese domain names ``hocbaso`` exports: the records and code lists, the roles."""
    models = set(hocbaso.models.__all__)
    names = {n for n in hocbaso.__all__ if n in models}
    names |= {
        n for n in hocbaso.__all__
        if isinstance(getattr(hocbaso, n), type) and issubclass(getattr(hocbaso, n), enum.Enum)
    }
    names |= {role.name for role in VaiTroKy}
    return names


def test_every_exported_domain_name_is_in_the_glossary() -> None:
    glossary = _glossary()
    domain = _domain_names()
    assert {"HocBa", "DiemTongKet", "VaiTroKy", "KY_PHAT_HANH"} <= domain  # the rule is not vacuous
    assert sorted(domain - glossary.keys()) == []


def test_the_glossary_names_the_terms_of_the_packet_and_the_life_cycle() -> None:
    glossary = _glossary()
    for ident in ("BANG_DIEM", "ma_dinh_danh_hoc_ba", "phien_ban", "DinhChinh", "ThongBaoThuHoi",
                  "GVBM", "GVCN", "CBQL", "KY_PHAT_HANH", "TrangThaiHocBa"):
        assert ident in glossary, ident
    assert "đính chính" in glossary["DinhChinh"] and "thu hồi" in glossary["ThongBaoThuHoi"]


def test_every_glossary_identifier_still_exists() -> None:
    """A renamed field or class must not leave a stale glossary row behind."""
    corpus = "\n".join(
        p.read_text(encoding="utf-8")
        for p in [*(REPO / "src" / "hocbaso").rglob("*.py"), *(REPO / "schemas").glob("*.xsd")]
    )
    missing = [
        ident for ident in _glossary() if not re.search(rf"\b{re.escape(ident)}\b", corpus)
    ]
    assert missing == []


# -- nothing outside the repository ------------------------------------------------------------

#: What a reader of the repository cannot follow: notes and files kept elsewhere, including
#: absolute paths of the machine the project was built on (a team's notes folder, a home).
OUTSIDE = re.compile(
    r"\bSPEC\b|STYLE\.md|\bshared/|\b[Ii]ssue #?\d+|(?<![\w.~-])/(?:work|home|root)/"
)
LINK = re.compile(r"\]\(([^)#\s]+)[^)]*\)")


def _outside(files: list[Path]) -> list[str]:
    return [
        f"{p.relative_to(REPO)}:{n}: {line.strip()}"
        for p in files
        # attack vectors may hold bytes that are not UTF-8 on purpose
        for n, line in enumerate(p.read_bytes().decode("utf-8", "replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]


def test_documentation_cites_nothing_outside_the_repository() -> None:
    """Generated pages too (``docs/api.md``, ``docs/field-mapping.md``): they carry the code's
    docstrings and tables, so a stray citation in the code shows up there."""
    files = list((REPO / "docs").rglob("*.md"))
    assert {"api.md", "field-mapping.md"} <= {p.name for p in files}
    files += [REPO / n for n in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md", "SECURITY.md",
                                 "mkdocs.yml")]
    assert _outside(files) == []
    # relative links stay inside the repository (and point at something that exists)
    repo = REPO.resolve()
    for p in files:
        for target in LINK.findall(p.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            resolved = (p.parent / target).resolve()
            assert resolved.is_relative_to(repo) and resolved.exists(), (p.name, target)


def test_code_tests_and_benchmarks_cite_nothing_outside_the_repository() -> None:
    """Comments, docstrings, messages and test data cite ``docs/…``, never a specification,
    style guide, issue or file kept elsewhere."""
    files = [
        p
        for folder in ("src", "tests", "benchmarks", "schemas")
        for p in sorted((REPO / folder).rglob("*"))
        if p.is_file()
        and p.suffix in {".py", ".md", ".tsv", ".txt", ".toml", ".json", ".xml", ".xsd"}
        and p != Path(__file__).resolve()
    ]
    assert len(files) > 100  # the scan reads the repository, not an empty folder
    assert _outside(files) == []
