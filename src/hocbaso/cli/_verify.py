"""``hocbaso verify FILE… --trust PEM_OR_DIR``: every check of docs/verification.md, per file.

Exit code 0 only when every file verifies, 1 when any file fails a check (a file that cannot
be read — missing, a folder, a device, a FIFO — is such a failure: it gets its own FAIL entry
and the other files are still verified), 2 when the check cannot run at all (bad option, no
trust anchor, unreadable CRL, revocation notice or previous version). A thin shell over
:func:`hocbaso.verify.verify_many`, which isolates each file.

At national scale (docs/scale.md) the inputs are streamed (folders, glob patterns,
``--from-list``), ``--jsonl OUT`` writes one line per file as it is verified and prints a
summary (memory stays flat for any number of files), ``--resume`` continues an interrupted
run, and ``--scheduler`` runs the work on a Dask cluster.

Output is safe to print whatever the files contain: the table is built from ``rich`` Text
objects (a certificate name such as ``[bold]x[/]`` is shown as written, never interpreted as
markup), and ``--json`` prints the signed record only for a file that verified.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import glob
import itertools
import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import ParamSpec, TextIO, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from hocbaso.cli._files import echo_json, load_trust, read_input
from hocbaso.cli._inputs import iter_inputs, iter_list, open_list
from hocbaso.cli._jsonl import JsonlOutput, line_of
from hocbaso.cli._keys import iso_time
from hocbaso.cli._main import print_error
from hocbaso.cli._package import is_package_file, verify_package_file
from hocbaso.cli._package_inputs import Outcome, PackageInputs, PackageItem
from hocbaso.errors import HocBaSoError, VerificationInputError
from hocbaso.signature import VaiTroKy
from hocbaso.verify import (
    LEGACY,
    STRICT,
    CrlSet,
    Status,
    StepResult,
    TrustStore,
    VerificationPolicy,
    VerificationReport,
    dask_executor,
    load_issuer_registry,
    verify_many,
)

__all__ = ["render_report", "verify"]

_STYLE = {Status.PASS: "green", Status.FAIL: "bold red", Status.WARN: "yellow", Status.SKIP: "dim"}
_POLICIES = {"strict": STRICT, "legacy": LEGACY}

P = ParamSpec("P")
T = TypeVar("T")


class _InlineExecutor(Executor):
    """Runs each task at submission, in this process (``--workers 1``): one code path with
    the process pool, so a single file is isolated exactly as in a batch."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future, as a pool does
            future.set_exception(exc)
        return future


_SUBJECT = re.compile(r"MA_MON_HOC='([^']+)'")


def _who(r: StepResult) -> str:
    """``GVBM 15``, ``GVCN``… (a subject teacher is told apart by the subject code)."""
    if r.role is None:
        return ""
    m = _SUBJECT.search(r.path) if r.role == VaiTroKy.GVBM else None
    return f"{r.role} {m.group(1)}" if m else str(r.role)


def _verdict(report: VerificationReport) -> Text:
    if report.ok:
        verdict = Text("HỢP LỆ / VALID", style="green")
    else:
        verdict = Text("KHÔNG HỢP LỆ / INVALID", style="bold red")
    if report.revoked:
        verdict.append(" (THU HỒI / REVOKED)", style="bold red")
    return verdict


def render_report(path: Path | str, report: VerificationReport, lang: str) -> Table:
    """The table of one report, readable in an 80-column terminal.

    Code and status never wrap or shorten (their columns are exactly as wide as the longest
    value); role, signing time, message and signer share the last column, which wraps. Every
    string is a ``Text`` (no markup is parsed from file content).
    """
    title = Text(str(path))
    title.append(" — ")
    title.append_text(_verdict(report))
    table = Table(title=title, title_justify="left", expand=False, show_lines=False)
    code_width = max((len(r.code) for r in report.steps), default=4)
    table.add_column("#", justify="right", no_wrap=True, width=1)
    table.add_column("Mã / Code", no_wrap=True, min_width=code_width, max_width=code_width)
    table.add_column("KQ", no_wrap=True, width=4)
    table.add_column("Chi tiết" if lang == "vi" else "Details", overflow="fold", ratio=1)
    for r in report.steps:
        details = Text()
        when = r.signing_time.isoformat(timespec="minutes") if r.signing_time else ""
        head = " ".join(x for x in (_who(r), when) if x)
        if head:
            details.append(head, style="cyan")
            details.append("\n")
        details.append(r.message_vi if lang == "vi" else r.message_en)
        if r.signer and r.status is not Status.PASS:
            details.append("\n")
            details.append(r.signer, style="dim")
        table.add_row(
            Text(str(r.step.number)),
            Text(r.code),
            Text(r.status.value, style=_STYLE[r.status]),
            details,
        )
    return table


def _read_all(paths: tuple[Path, ...]) -> list[bytes]:
    return [read_input(p) for p in paths]


def _executor(workers: int, scheduler: str | None, stack: contextlib.ExitStack) -> Executor:
    """Where the work runs: a Dask cluster (``--scheduler``), a local process pool
    (``--workers N``, N > 1) or this process (``--workers 1``)."""
    if scheduler is not None:
        return stack.enter_context(dask_executor(scheduler))
    if workers <= 1:
        return _InlineExecutor()
    return stack.enter_context(ProcessPoolExecutor(max_workers=workers))


def _pdf_inputs(path: Path) -> list[tuple[str, bytes | str]]:
    """A PDF soft copy (``hocbaso render``) stands for the signed packets it carries; a PDF
    without one is handed on as it is and reported as the unreadable packet it is."""
    # Only a regular file is looked into: opening a FIFO or a device could block or never
    # end; the verifier reports those paths itself.
    try:
        if not path.is_file():
            return [(str(path), str(path))]
        with path.open("rb") as fh:
            head = fh.read(5)
    except OSError:
        return [(str(path), str(path))]
    if head != b"%PDF-":
        return [(str(path), str(path))]
    try:
        from hocbaso.render import embedded_packets  # the render extra, only for a PDF
    except ModuleNotFoundError as missing:
        raise click.ClickException(str(missing)) from None

    data = read_input(path, max_bytes=_PDF_MAX_BYTES)
    try:
        found = embedded_packets(data)
    except HocBaSoError:  # a damaged PDF: the verifier reports it as the bytes it is
        found = []
    if not found:
        return [(str(path), data)]
    return [(f"{path}#{name}", packet) for name, packet in found]


#: A PDF copy may be larger than a packet (fonts, pages); its embedded packet is still
#: read through the verifier's own size limit.
_PDF_MAX_BYTES = 64 * 1024 * 1024


def _reports(
    inputs: Iterator[Path | PackageItem],
    trust: TrustStore,
    *,
    executor: Executor,
    at: dt.datetime,
    crls: CrlSet,
    revocations: list[bytes],
    previous: list[bytes],
    policy: VerificationPolicy,
    packages: PackageInputs | None = None,
    expand_pdf: bool = False,
) -> Iterator[tuple[str, VerificationReport | Outcome]]:
    """Each input with its report, in input order, streamed: the names waiting for their
    report are at most ``verify_many``'s in-flight window and look-ahead, whatever the number
    of inputs.

    With ``expand_pdf`` a PDF copy stands for the packets it carries (one report each, named
    ``file.pdf#packet``). JSON Lines runs leave it off: ``--resume`` pairs line k with input k,
    which holds only while every input gives exactly one report.

    A package's items (``packages.expand``) are prepared here: the package and its notices
    are decided in this process (an :class:`Outcome` waits in line), each record entry's
    bytes go to the verifier and its report is finished into an :class:`Outcome`."""
    waiting: deque[tuple[str, Outcome | Callable[[VerificationReport], Outcome] | None]] = (
        deque()
    )

    def feed() -> Iterator[bytes | str]:
        for path in inputs:
            if isinstance(path, PackageItem):
                assert packages is not None
                prepared = packages.prepare(path)
                if isinstance(prepared, Outcome):
                    waiting.append((str(path), prepared))
                else:
                    waiting.append((str(path), prepared[1]))
                    yield prepared[0]
                continue
            for name, item in _pdf_inputs(path) if expand_pdf else [(str(path), str(path))]:
                waiting.append((name, None))
                yield item

    def decided() -> Iterator[tuple[str, Outcome]]:
        while waiting and isinstance(waiting[0][1], Outcome):
            name, outcome = waiting.popleft()
            assert isinstance(outcome, Outcome)
            yield name, outcome

    inline = isinstance(executor, _InlineExecutor)
    for report in verify_many(
        feed(),
        trust,
        executor=executor,
        at=at,
        crls=crls,
        revocations=revocations,
        previous_versions=previous,
        policy=policy,
        chunk_size=1 if inline else None,  # verify_many picks: 32 locally, 128 on Dask
        max_in_flight=1 if inline else None,
    ):
        yield from decided()
        name, finish = waiting.popleft()
        assert not isinstance(finish, Outcome)
        yield name, finish(report) if finish is not None else report
    yield from decided()


def _entry(path: Path | str, report: VerificationReport) -> dict[str, object]:
    d = report.to_dict()
    return {
        "file": str(path),
        "ok": report.ok,
        "revoked": report.revoked,
        "packet_sha256": d["packet_sha256"],
        # Which record (over signed content; not personal data): what notices name.
        "record_digest": d["record_digest"],
        "steps": d["steps"],
        # Personal data only for a record that verified; never for a failed file.
        "record": d["record"] if report.ok else None,
    }


@click.command(name="verify", short_help="Xác minh học bạ đã ký / verify signed packets.")
@click.argument("files", nargs=-1, required=False, type=click.Path(path_type=Path))
@click.option(
    "--trust",
    "trust_paths",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="Chứng thư gốc tin cậy: tệp PEM hoặc thư mục, lặp lại được; không bao giờ dùng kho "
    "của hệ điều hành / trust anchor PEM file or folder (repeatable); never the OS store.",
)
@click.option(
    "--crl",
    "crl_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Danh sách thu hồi chứng thư (CRL, PEM hoặc DER) lấy từ CA, lặp lại được / "
    "a CRL (PEM or DER) obtained from the CA (repeatable).",
)
@click.option(
    "--revocations",
    "notice_paths",
    multiple=True,
    metavar="NOTICE",
    type=click.Path(path_type=Path),
    help="Thông báo thu hồi đã ký (từ `hocbaso revoke`), lặp lại được / a signed revocation "
    "notice (from `hocbaso revoke`), repeatable.",
)
@click.option(
    "--previous",
    "previous_paths",
    multiple=True,
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="Phiên bản trước đã phát hành, để kiểm tra chuỗi đính chính, lặp lại được / an "
    "earlier issued version, to check the correction chain (repeatable).",
)
@click.option(
    "--at",
    "at_text",
    help="Thời điểm kiểm tra, ISO 8601 có múi giờ (mặc định: bây giờ) / verification time, "
    "ISO 8601 with offset (default: now).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="In báo cáo JSON (luôn là JSON hợp lệ) / print a JSON report (always valid JSON).",
)
@click.option(
    "--policy",
    "policy_name",
    type=click.Choice(sorted(_POLICIES)),
    default="strict",
    show_default=True,
    help="strict: chỉ SHA-2 / SHA-2 only; legacy: cả SHA-1, báo cảnh báo / also SHA-1, "
    "reported as a warning.",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Ngôn ngữ của bảng (JSON luôn có cả hai) / language of the table (JSON has both).",
)
@click.option(
    "--content-warn",
    is_flag=True,
    help="Sai lệch Thông tư 22 chỉ là cảnh báo / report Thông tư 22 inconsistencies as "
    "warnings instead of failures.",
)
@click.option(
    "--require-crl",
    is_flag=True,
    help="Lỗi khi không có CRL cho chứng thư người ký / fail when no CRL covers a signer's "
    "certificate.",
)
@click.option(
    "--issuer-registry",
    "registry_path",
    type=click.Path(path_type=Path),
    help="Danh mục mã trường → mã định danh tổ chức được phép phát hành (JSON hoặc CSV; xem "
    "docs/verification.md) / registry of school code → organisation identifiers allowed to "
    "issue for it (JSON or CSV; see docs/verification.md).",
)
@click.option(
    "--trust-signing-time",
    is_flag=True,
    help="Tin thời điểm ký do người ký tự khai khi khoá bị thu hồi vì lộ khoá / trust the "
    "signer's own signing time for keys revoked as compromised.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Số tiến trình kiểm tra song song / verify files in this many processes.",
)
@click.option(
    "--from-list",
    "list_file",
    metavar="FILE",
    help="Tệp liệt kê đường dẫn, mỗi dòng một tệp ('-': đầu vào chuẩn) / a file of paths, "
    "one per line ('-': standard input); see docs/scale.md.",
)
@click.option(
    "--jsonl",
    "jsonl_path",
    metavar="OUT",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Ghi mỗi tệp một dòng JSON vào OUT, rồi in tổng kết / write one JSON line per file "
    "to OUT as it is verified, then print a summary (constant memory).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Bỏ qua các tệp đã có trong OUT của --jsonl / skip the inputs already in the "
    "--jsonl OUT of an interrupted run.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Gửi việc kiểm tra tới cụm Dask đang chạy (cần hocbaso[dask]) / send the work to a "
    "running Dask cluster, e.g. tcp://10.0.0.5:8786 (needs hocbaso[dask]).",
)
def verify(
    files: tuple[Path, ...],
    trust_paths: tuple[Path, ...],
    crl_paths: tuple[Path, ...],
    notice_paths: tuple[Path, ...],
    previous_paths: tuple[Path, ...],
    at_text: str | None,
    as_json: bool,
    policy_name: str,
    lang: str,
    content_warn: bool,
    require_crl: bool,
    registry_path: Path | None,
    trust_signing_time: bool,
    workers: int,
    list_file: str | None,
    jsonl_path: Path | None,
    resume: bool,
    scheduler: str | None,
) -> None:
    """Xác minh học bạ số đã ký: đọc an toàn, XSD, bố cục, chữ ký, chứng thư, thứ tự, nội dung
    Thông tư 22 và trạng thái (thu hồi, đính chính).
    Verify signed Học bạ số packets: parse, XSD, layout, signatures, certificates, order,
    Thông tư 22 content and status (revocation, corrections).

    \b
    Mã thoát / exit: 0 mọi tệp hợp lệ / every file verifies, 1 có tệp không đạt hoặc không
    đọc được / any file fails or cannot be read, 2 không thể kiểm tra / the check cannot run
    (tuỳ chọn sai, không có chứng thư gốc, CRL hoặc thông báo không đọc được / bad option,
    no trust anchor, unreadable CRL, notice or previous version).
    """
    if not files and list_file is None:
        raise click.UsageError("give FILE… or --from-list FILE")
    if resume and jsonl_path is None:
        raise click.UsageError("--resume needs --jsonl OUT")
    if as_json and jsonl_path is not None:
        raise click.UsageError("--json and --jsonl are exclusive (--jsonl prints a summary)")
    at = iso_time(at_text, option="--at") if at_text else dt.datetime.now(dt.UTC)
    try:
        trust, crls = load_trust(trust_paths, crl_paths)
        revocations = _read_all(notice_paths)
        previous = _read_all(previous_paths)
        registry = load_issuer_registry(registry_path) if registry_path is not None else None
        listed = _open_list(list_file)
    except HocBaSoError as problem:  # an unusable trust store, CRL or notice: cannot run
        print_error(problem, as_json=as_json)
        raise click.exceptions.Exit(2) from None
    policy = dataclasses.replace(
        _POLICIES[policy_name],
        content_status=Status.WARN if content_warn else Status.FAIL,
        require_crl=require_crl,
        issuer_registry=registry,
        trust_signing_time=trust_signing_time,
    )
    # A package named on the command line (recognised by its first bytes) is verified as a
    # package (docs/package.md); everything else as records.
    packages = tuple(p for p in files if jsonl_path is None and is_package_file(p))
    files = tuple(p for p in files if p not in packages)
    package_results: list[dict[str, object]] = []
    packages_ok = True
    for path in packages:
        ok, result = verify_package_file(path, trust, at=at, crls=crls, policy=policy,
                                         as_json=as_json)
        packages_ok = packages_ok and ok
        package_results.append(result)
    # Packages among the streamed inputs (folders, globs, --from-list, and every argument
    # with --jsonl) stand for their envelope and each entry (docs/scale.md).
    packages_in = PackageInputs(trust, at=at, crls=crls)
    inputs = packages_in.expand(
        itertools.chain(iter_inputs(files), iter_list(listed) if listed else ())
    )
    run = functools.partial(
        _reports,
        trust=trust,
        at=at,
        crls=crls,
        revocations=revocations,
        previous=previous,
        policy=policy,
        packages=packages_in,
    )
    try:
        with contextlib.ExitStack() as stack:
            executor = _executor(workers, scheduler, stack)
            stack.callback(packages_in.close)
            if jsonl_path is not None:
                all_ok = _to_jsonl(jsonl_path, resume, inputs, run, executor)
            else:
                all_ok = _to_console(files, list_file, inputs, run, executor, as_json, lang,
                                     package_results) and packages_ok
    except HocBaSoError as problem:  # no scheduler, unusable output, resume mismatch
        print_error(problem, as_json=as_json or jsonl_path is not None)
        raise click.exceptions.Exit(2) from None
    if not all_ok:
        raise click.exceptions.Exit(1)


def _is_pattern(path: Path) -> bool:
    return not os.path.lexists(path) and glob.has_magic(str(path))


def _open_list(list_file: str | None) -> TextIO | None:
    if list_file is None:
        return None
    try:
        return open_list(list_file)
    except OSError as exc:
        raise VerificationInputError(
            f"Cannot read the list of files ({exc.strerror}).",
            f"Không đọc được danh sách tệp ({exc.strerror}).",
            code="VERIFY.INPUT.LIST",
        ) from None


_Run = Callable[..., Iterator[tuple[str, VerificationReport | Outcome]]]


def _progress(total: int | None) -> Progress:
    err = Console(stderr=True)
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=(total is not None and total < 2) or not err.is_terminal,
    )


def _to_jsonl(
    out_path: Path, resume: bool, inputs: Iterator[Path | PackageItem], run: _Run,
    executor: Executor,
) -> bool:
    """Stream every report to OUT as one JSON line; print the summary; True if all ok."""
    out = JsonlOutput(out_path, resume=resume)
    try:
        todo = out.resumed(inputs) if resume else inputs
        with _progress(None) as progress:
            task = progress.add_task("Kiểm tra / Verifying", total=None)
            for path, report in run(todo, executor=executor):
                out.write(report.line if isinstance(report, Outcome) else line_of(path, report))
                progress.advance(task)
    finally:
        out.close()
    summary = out.summary.to_dict()
    echo_json(summary)
    return bool(summary["failed"] == 0 and summary["packages_failed"] == 0)


def _to_console(
    files: tuple[Path, ...],
    list_file: str | None,
    inputs: Iterator[Path | PackageItem],
    run: _Run,
    executor: Executor,
    as_json: bool,
    lang: str,
    package_results: list[dict[str, object]],
) -> bool:
    """A table per file as it is verified, or one JSON document at the end (``--json``);
    ``package_results`` (packages, already verified) open the JSON list."""
    out = Console(highlight=False)
    if not out.is_terminal and not os.environ.get("COLUMNS"):
        # Piped into a file or a log: a fixed, roomy width. An explicit COLUMNS (a school's
        # 80-column console behind a pager, a CI log) is honoured as given.
        out = Console(width=100, highlight=False)
    all_ok = True
    results: list[dict[str, object]] = list(package_results)
    # The number of inputs is known up front only when each argument is one file.
    # (a PDF copy may carry several packets, one report each).
    known = list_file is None and not any(
        p.is_dir() or _is_pattern(p) or p.suffix.lower() == ".pdf" for p in files
    )
    with _progress(len(files) if known else None) as progress:
        task = progress.add_task("Kiểm tra / Verifying", total=len(files) if known else None)
        for path, report in run(inputs, executor=executor, expand_pdf=True):
            all_ok = all_ok and report.ok
            if isinstance(report, Outcome):  # a package, or an entry of one
                if as_json:
                    results.append(report.as_json())
                else:
                    if report.report is not None:
                        out.print(render_report(path, report.report, lang))
                    if report.summary():
                        out.print(Text(report.summary()))
            elif as_json:
                results.append(_entry(path, report))
            else:
                out.print(render_report(path, report, lang))
            progress.advance(task)
    if as_json:
        echo_json(results)
    return all_ok
