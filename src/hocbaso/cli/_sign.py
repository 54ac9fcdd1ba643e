"""``hocbaso sign FILE --role …``: add one role's signature to a packet with a key file or token.

The key options are shared with ``issue`` and ``revoke`` (``hocbaso.cli._keys``). The output is
written to a temporary file next to ``-o OUT`` and renamed into place, so OUT is never left
half-written. Refusals (wrong order, wrong certificate, …) print the typed error and exit
with status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from hocbaso.cli._files import echo_json, read_input, write_output
from hocbaso.cli._keys import FilePath, key_options, open_signer, signing_time, time_option
from hocbaso.cli._main import print_error
from hocbaso.errors import HocBaSoError
from hocbaso.signature import SigningStep, VaiTroKy, issue, sign_roles
from hocbaso.signature import sign as sign_packet

OUT_OPTION = click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp kết quả (ghi nguyên tử) / where to write the result (atomically).",
)
JSON_OPTION = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="In kết quả dạng JSON / print the result as JSON on stdout.",
)


@click.command("sign", short_help="Ký một vai trò / add one role's signature.")
@click.argument("file", type=FilePath)
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in VaiTroKy]),
    help="Vai trò ký / the signing role.",
)
@click.option(
    "--mon",
    multiple=True,
    help="Mã môn học của dòng GVBM ký, lặp lại cho nhiều môn / subject code of the row a GVBM "
    "signs; repeat for a teacher of several.",
)
@key_options
@time_option("Thời điểm ký", "Signing time")
@OUT_OPTION
@JSON_OPTION
def sign(
    file: Path,
    role: str,
    mon: tuple[str, ...],
    time_text: str | None,
    out: Path,
    as_json: bool,
    **keys: Any,
) -> None:
    """Thêm chữ ký của một vai trò vào gói tin FILE, ghi ra OUT.
    Add ROLE's signature to the packet FILE and write the result to OUT.

    \b
    Thứ tự ký / signing order: mọi GVBM (mỗi môn, --mon) / every GVBM (one per subject),
    rồi / then GVCN, CBQL, KY_PHAT_HANH (phát hành, chứng thư tổ chức của trường /
    issuance, with the school's organisation certificate; see also `hocbaso issue`).
    Mã thoát / exit: 0 đã ký / signed, 2 bị từ chối / refused.
    """
    vai_tro = VaiTroKy(role)
    if (vai_tro is VaiTroKy.GVBM) != bool(mon):
        raise click.UsageError("--mon is required for --role GVBM and only for it")
    if len(set(mon)) != len(mon):
        raise click.UsageError("each --mon may be given once")
    when = signing_time(time_text)
    try:
        data = read_input(file)
        with open_signer(**keys) as signer:
            if vai_tro is VaiTroKy.KY_PHAT_HANH:
                signed = issue(data, signer, signing_time=when).signed
            elif vai_tro is VaiTroKy.GVBM:
                steps = [SigningStep(vai_tro, signer, when, mon=code) for code in mon]
                signed = sign_roles(data, steps)
            else:
                signed = sign_packet(data, vai_tro, signer, signing_time=when)
    except HocBaSoError as err:
        print_error(err, as_json=as_json)
        raise click.exceptions.Exit(2) from None
    write_output(out, signed)
    label = ", ".join(f"GVBM[{c}]" for c in mon) if mon else vai_tro.value
    if as_json:
        echo_json(
            {
                "ok": True,
                "command": "sign",
                "role": vai_tro.value,
                "mon": list(mon),
                "signing_time": when.isoformat(),
                "out": str(out),
            }
        )
    else:
        click.echo(f"Đã ký / Signed: {label} → {out}")
