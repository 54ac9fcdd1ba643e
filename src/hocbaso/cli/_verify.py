"""``hocbaso verify FILE… --trust PEM_OR_DIR``: every SPEC §7 check, per file, as a table or JSON.

Exit code 0 only when every file verifies, 1 when any file fails a check, 2 for usage errors
(unreadable file, bad option, no trust anchor, unreadable CRL). A thin shell: it builds the
trust store and policy from options, calls :func:`hocbaso.verify.verify` /
:func:`hocbaso.verify.verify_many`, and renders the reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from hocbaso.cli._main import print_error
from hocbaso.errors import HocBaSoError
from hocbaso.verify import (
    LEGACY,
    STRICT,
    CrlSet,
    Status,
    StepResult,
    TrustStore,
    VerificationPolicy,
    VerificationReport,
    verify_many,
)
from hocbaso.verify import verify as verify_one

_STYLE = {Status.PASS: "green", Status.FAIL: "bold red", Status.WARN: "yellow", Status.SKIP: "dim"}
_POLICIES = {"strict": STRICT, "legacy": LEGACY}


def _parse_at(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "use ISO 8601 with an offset, e.g. 2025-06-01T08:00:00+07:00", param_hint="--at"
        ) from None
    if at.tzinfo is None:
        raise click.BadParameter(
            "the time needs a UTC offset, e.g. +07:00", param_hint="--at"
        ) from None
    return at


_SUBJECT = re.compile(r"MA_MON_HOC='([^']+)'")


def _who(r: StepResult) -> str:
    """``GVBM 15``, ``GVCN``… (a subject teacher is told apart by the subject code)."""
    if r.role is None:
        return ""
    m = _SUBJECT.search(r.path) if r.role == "GVBM" else None
    return f"{r.role} {m.group(1)}" if m else str(r.role)


def _table(path: Path, report: VerificationReport, lang: str) -> Table:
    verdict = "[green]HỢP LỆ / VALID[/]" if report.ok else "[bold red]KHÔNG HỢP LỆ / INVALID[/]"
    if report.revoked:
        verdict += " [bold red](THU HỒI / REVOKED)[/]"
    table = Table(title=f"{path} — {verdict}", title_justify="left", expand=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Mã / Code", no_wrap=True)
    table.add_column("KQ", no_wrap=True)
    table.add_column("Vai trò / Role", no_wrap=True)
    table.add_column("Thời điểm ký / Signed at", no_wrap=True)
    table.add_column("Nội dung" if lang == "vi" else "Message")
    for r in report.steps:
        when = r.signing_time.isoformat(timespec="minutes") if r.signing_time else ""
        message = r.message_vi if lang == "vi" else r.message_en
        if r.signer and r.status is not Status.PASS:
            message += f" [dim]{r.signer}[/]"
        table.add_row(
            str(r.step.number),
            r.code,
            f"[{_STYLE[r.status]}]{r.status.value}[/]",
            _who(r),
            when,
            message,
        )
    return table


def _reports(
    files: tuple[Path, ...],
    trust: TrustStore,
    at: dt.datetime,
    crls: CrlSet,
    policy: VerificationPolicy,
    workers: int,
) -> Iterator[VerificationReport]:
    if workers <= 1 or len(files) < 2:
        for f in files:
            yield verify_one(f.read_bytes(), trust, at=at, crls=crls, policy=policy)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from verify_many(
            [str(f) for f in files], trust, executor=pool, at=at, crls=crls, policy=policy
        )


@click.command(name="verify")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
)
@click.option(
    "--trust",
    "trust_paths",
    multiple=True,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Trust anchor PEM file or folder of certificates (repeatable). Never the OS store.",
)
@click.option(
    "--crl",
    "crl_paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CRL (PEM or DER) obtained from the CA (repeatable).",
)
@click.option("--at", "at_text", help="Verification time, ISO 8601 with offset (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report on stdout.")
@click.option(
    "--policy",
    "policy_name",
    type=click.Choice(sorted(_POLICIES)),
    default="strict",
    show_default=True,
    help="strict: SHA-2 only; legacy: also SHA-1, reported as a warning.",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Language of the messages in the table (JSON always has both).",
)
@click.option(
    "--content-warn",
    is_flag=True,
    help="Report Thông tư 22 inconsistencies as warnings instead of failures.",
)
@click.option("--require-crl", is_flag=True, help="Fail when no CRL covers a signer's certificate.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Verify files in this many processes.",
)
def verify(
    files: tuple[Path, ...],
    trust_paths: tuple[Path, ...],
    crl_paths: tuple[Path, ...],
    at_text: str | None,
    as_json: bool,
    policy_name: str,
    lang: str,
    content_warn: bool,
    require_crl: bool,
    workers: int,
) -> None:
    """Verify signed Học bạ số packets: parse, XSD, layout, signatures, certificates, order,
    Thông tư 22 content and status (SPEC §7).

    Exit code 0 only if every file verifies, 1 if any fails, 2 for usage errors.
    """
    at = _parse_at(at_text) or dt.datetime.now(dt.UTC)
    try:
        trust = TrustStore.from_pem(*trust_paths)
        crls = CrlSet([p.read_bytes() for p in crl_paths])
    except HocBaSoError as problem:  # unusable trust store or CRL: the check cannot run
        print_error(problem, as_json=as_json)
        raise click.exceptions.Exit(2) from None
    policy = dataclasses.replace(
        _POLICIES[policy_name],
        content_status=Status.WARN if content_warn else Status.FAIL,
        require_crl=require_crl,
    )
    err = Console(stderr=True)
    out = Console()
    if not out.is_terminal:
        out = Console(width=160)
    all_ok = True
    results: list[dict[str, object]] = []
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=len(files) < 2 or not err.is_terminal,
    )
    with progress:
        task = progress.add_task("Kiểm tra / Verifying", total=len(files))
        for path, report in zip(
            files, _reports(files, trust, at, crls, policy, workers), strict=True
        ):
            all_ok = all_ok and report.ok
            if as_json:
                d = report.to_dict()
                results.append(
                    {
                        "file": str(path),
                        "ok": report.ok,
                        "revoked": report.revoked,
                        "packet_sha256": d["packet_sha256"],
                        "steps": d["steps"],
                        "record": d["record"],
                    }
                )
            else:
                out.print(_table(path, report, lang))
            progress.advance(task)
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
    if not all_ok:
        raise click.exceptions.Exit(1)
