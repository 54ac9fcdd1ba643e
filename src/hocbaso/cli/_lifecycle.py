"""``hocbaso build | issue | correct | revoke``: a record's life from the command line.

For software that is not Python (.NET, PHP, Java …): a record goes in as JSON (the shape of
``schemas/hocba-1.0.schema.json``, the same as ``HocBa.model_dump_json()``), packets and
notices come out as files written atomically, and ``--json`` prints a JSON answer on stdout
(``{"ok": true, …}`` or ``{"error": {"code", "path", "message_vi", "message_en",
"details"}}``), so a caller parses stdout and branches on the exit code:

- 0: done;
- 1 (``build`` and ``correct`` with JSON input): the record was checked and is invalid;
- 2: refused or could not run (wrong order, wrong certificate, unreadable file, bad option).

Error messages name fields and elements, never their values (no names or personal IDs).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from hocbaso.cli._files import echo_json, read_input, write_output
from hocbaso.cli._keys import FilePath, key_options, open_signer, signing_time, time_option
from hocbaso.cli._main import print_error
from hocbaso.cli._sign import JSON_OPTION, OUT_OPTION
from hocbaso.errors import HocBaSoError, ModelError
from hocbaso.models import HocBa
from hocbaso.packet import from_xml, to_xml
from hocbaso.signature import correct as correct_record
from hocbaso.signature import issue as issue_record
from hocbaso.signature import read_thong_bao_thu_hoi
from hocbaso.signature import revoke as revoke_record

__all__ = ["build", "correct", "issue", "read_record_json", "revoke"]

_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _fail(err: HocBaSoError, as_json: bool, code: int) -> NoReturn:
    print_error(err, as_json=as_json)
    raise click.exceptions.Exit(code)


def _refuse(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            # A key is a field name, not a value; anything else is not echoed.
            name = key if _FIELD.fullmatch(key) else "?"
            raise ModelError(
                f"the key {name!r} appears twice in one JSON object; each field once",
                f"khoá {name!r} xuất hiện hai lần trong một đối tượng JSON; mỗi trường một lần",
                code="MODEL.DUPLICATE_KEY",
                path=name.upper(),
            )
        seen[key] = value
    return seen


def read_record_json(data: bytes) -> HocBa:
    """A :class:`HocBa` from JSON bytes valid against ``schemas/hocba-1.0.schema.json``.

    A duplicate key is refused (a JSON reader would silently keep one of the two values).
    Every other problem is the model's own coded error with the field's path; no value is
    quoted. Raises :class:`~hocbaso.errors.ModelError`.
    """
    try:
        obj = json.loads(
            data.decode("utf-8-sig"),
            object_pairs_hook=_no_duplicates,
            parse_float=Decimal,
            parse_constant=_refuse,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError(
            "the input is not one JSON object in UTF-8",
            "dữ liệu vào không phải là một đối tượng JSON mã UTF-8",
            code="MODEL.JSON",
        ) from None
    if not isinstance(obj, dict):
        raise ModelError(
            "the input must be one JSON object (a record)",
            "dữ liệu vào phải là một đối tượng JSON (một học bạ)",
            code="MODEL.JSON",
        )
    try:
        return HocBa.model_validate_json(data.decode("utf-8-sig"))
    except ValidationError:
        # A raw pydantic error quotes input values. The same data through the model's own
        # constructor raises the coded ModelError (field paths, no values) instead.
        HocBa(**obj)
        raise ModelError(
            "the record is not valid against schemas/hocba-1.0.schema.json",
            "học bạ không đúng lược đồ schemas/hocba-1.0.schema.json",
            code="MODEL.INVALID",
        ) from None


def _looks_like_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


# --------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------


@click.command("build", short_help="Tạo gói tin từ JSON / build a packet from JSON.")
@click.argument("record_file", metavar="RECORD.json", type=FilePath)
@OUT_OPTION
@JSON_OPTION
def build(record_file: Path, out: Path, as_json: bool) -> None:
    """Tạo gói tin XML chưa ký từ một học bạ dạng JSON.
    Build the unsigned XML packet from a record given as JSON.

    \b
    RECORD.json theo / follows schemas/hocba-1.0.schema.json (như / as
    HocBa.model_dump_json()). Mã thoát / exit: 0 đã ghi / written, 1 học bạ không hợp lệ /
    invalid record (mã lỗi và đường dẫn trường / code and field path), 2 không đọc được /
    unreadable.
    """
    try:
        data = read_input(record_file)
    except HocBaSoError as err:
        _fail(err, as_json, 2)
    try:
        record = read_record_json(data)
        packet = to_xml(record)
    except HocBaSoError as err:
        _fail(err, as_json, 1)
    write_output(out, packet)
    tc = record.thong_tin_hoc_ba.thong_tin_chung
    if as_json:
        echo_json(
            {
                "ok": True,
                "command": "build",
                "out": str(out),
                "ma_dinh_danh_hoc_ba": tc.ma_dinh_danh_hoc_ba,
                "phien_ban": tc.phien_ban,
            }
        )
    else:
        click.echo(f"Đã tạo / Built: {out}")


# --------------------------------------------------------------------------------------------
# issue
# --------------------------------------------------------------------------------------------


@click.command("issue", short_help="Phát hành học bạ / issue a record (KY_PHAT_HANH).")
@click.argument("file", type=FilePath)
@key_options
@time_option("Thời điểm phát hành", "Issue time")
@OUT_OPTION
@JSON_OPTION
def issue(file: Path, time_text: str | None, out: Path, as_json: bool, **keys: Any) -> None:
    """Phát hành học bạ: chữ ký KY_PHAT_HANH bằng chứng thư số của trường.
    Issue a record: the KY_PHAT_HANH signature with the school's organisation key.

    \b
    FILE đã có chữ ký mọi GVBM, GVCN và CBQL / FILE carries every GVBM, GVCN and CBQL
    signature. Khoá: như `hocbaso sign` / key options as for `hocbaso sign`.
    Mã thoát / exit: 0 đã phát hành / issued, 2 bị từ chối / refused.
    """
    when = signing_time(time_text)
    try:
        data = read_input(file)
        with open_signer(**keys) as signer:
            issued = issue_record(data, signer, signing_time=when)
    except HocBaSoError as err:
        _fail(err, as_json, 2)
    write_output(out, issued.signed)
    if as_json:
        echo_json(
            {
                "ok": True,
                "command": "issue",
                "out": str(out),
                "ma_dinh_danh_hoc_ba": issued.ma_dinh_danh_hoc_ba,
                "phien_ban": issued.phien_ban,
                "issued_at": issued.issued_at.isoformat(),
                "record_digest": issued.record_digest,
                "transport_sha256": issued.transport_sha256,
            }
        )
    else:
        click.echo(f"Đã phát hành / Issued: {out}")


# --------------------------------------------------------------------------------------------
# correct
# --------------------------------------------------------------------------------------------


@click.command("correct", short_help="Đính chính / make the next version of a record.")
@click.argument("previous", metavar="ISSUED.xml", type=FilePath)
@click.argument("new", metavar="NEW.json|NEW.xml", type=FilePath)
@click.option(
    "--reason",
    required=True,
    help="Lý do đính chính / reason for the correction.",
)
@OUT_OPTION
@JSON_OPTION
def correct(previous: Path, new: Path, reason: str, out: Path, as_json: bool) -> None:
    """Đính chính: phiên bản mới của một học bạ đã phát hành.
    Correct an issued record: make its next version.

    \b
    ISSUED.xml là phiên bản đã phát hành / is the issued version; NEW là dữ liệu đúng /
    holds the corrected data: JSON (như `hocbaso build` / as for build) hoặc / or a packet
    (XML). Kết quả: gói tin phiên bản + 1, ghi lý do và mã băm phiên bản trước, cần ký lại
    mọi vai trò / Result: version + 1 with the reason and the previous version's digest, to be
    signed again by every role. Mã thoát / exit: 0, 1 dữ liệu sai / invalid data, 2 từ chối /
    refused.
    """
    try:
        previous_data = read_input(previous)
        new_data = read_input(new)
    except HocBaSoError as err:
        _fail(err, as_json, 2)
    try:
        record = read_record_json(new_data) if _looks_like_json(new_data) else from_xml(new_data)
    except HocBaSoError as err:
        _fail(err, as_json, 1)
    try:
        packet = correct_record(previous_data, record, reason)
    except HocBaSoError as err:
        _fail(err, as_json, 2)
    write_output(out, packet)
    tc = from_xml(packet, validate=False).thong_tin_hoc_ba.thong_tin_chung
    if as_json:
        echo_json(
            {
                "ok": True,
                "command": "correct",
                "out": str(out),
                "ma_dinh_danh_hoc_ba": tc.ma_dinh_danh_hoc_ba,
                "phien_ban": tc.phien_ban,
                "bam_phien_ban_truoc": (
                    tc.dinh_chinh.bam_phien_ban_truoc if tc.dinh_chinh else None
                ),
            }
        )
    else:
        click.echo(f"Đã đính chính / Corrected: phiên bản / version {tc.phien_ban} → {out}")


# --------------------------------------------------------------------------------------------
# revoke
# --------------------------------------------------------------------------------------------


@click.command("revoke", short_help="Thu hồi / a signed revocation notice.")
@click.argument("file", metavar="ISSUED.xml", type=FilePath)
@click.option("--reason", required=True, help="Lý do thu hồi / reason for the revocation.")
@key_options
@time_option("Thời điểm thu hồi", "Revocation time")
@OUT_OPTION
@JSON_OPTION
def revoke(
    file: Path, reason: str, time_text: str | None, out: Path, as_json: bool, **keys: Any
) -> None:
    """Thu hồi học bạ: thông báo thu hồi ký bằng chứng thư số của trường.
    Revoke an issued record: a revocation notice signed with the school's key.

    \b
    Đưa thông báo cho người kiểm tra / give the notice to verifiers:
    `hocbaso verify … --revocations NOTICE.xml`. Khoá: như `hocbaso sign` / key options
    as for `hocbaso sign`. Mã thoát / exit: 0 đã thu hồi / revoked, 2 bị từ chối / refused.
    """
    when = signing_time(time_text)
    try:
        data = read_input(file)
        with open_signer(**keys) as signer:
            notice = revoke_record(data, signer, reason=reason, revocation_time=when)
        read = read_thong_bao_thu_hoi(notice)
    except HocBaSoError as err:
        _fail(err, as_json, 2)
    write_output(out, notice)
    if as_json:
        echo_json(
            {
                "ok": True,
                "command": "revoke",
                "out": str(out),
                "ma_dinh_danh_hoc_ba": read.ma_dinh_danh_hoc_ba,
                "phien_ban": read.phien_ban,
                "bam_hoc_ba": read.bam_hoc_ba,
                "ngay_thu_hoi": read.ngay_thu_hoi,
            }
        )
    else:
        click.echo(f"Đã thu hồi / Revoked: thông báo / notice → {out}")
