"""``hocbaso sign FILE --role …``: add one role's signature to a packet with a key file or token.

The key comes from exactly one source: a PEM key and certificate (``--key``/``--cert``), a
PKCS#12 file (``--p12``), or a PKCS#11 token (``--pkcs11`` + labels). Passwords and PINs are read
from environment variables named on the command line, never from the command line itself (it
shows up in process lists and shell history). The output is written to a temporary file next to
``-o OUT`` and renamed into place, so OUT is never left half-written. Refusals (wrong order,
wrong certificate, …) print the typed error and exit with status 2.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from hocbaso.cli._files import write_atomically
from hocbaso.cli._main import print_error
from hocbaso.errors import HocBaSoError
from hocbaso.signature import (
    KeyFileSigner,
    Pkcs11Signer,
    Signer,
    SigningStep,
    VaiTroKy,
    issue,
    load_certificates,
    sign_roles,
)
from hocbaso.signature import sign as sign_packet

_FilePath = click.Path(dir_okay=False, exists=True, path_type=Path)


def _secret(var: str | None, what: str) -> str | None:
    if var is None:
        return None
    value = os.environ.get(var)
    if value is None:
        raise click.UsageError(f"environment variable {var} ({what}) is not set")
    return value


def _signing_time(text: str | None) -> datetime:
    if text is None:
        return datetime.now().astimezone().replace(microsecond=0)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("expected ISO 8601, e.g. 2025-05-21T08:30:00+07:00") from None
    if when.tzinfo is None:
        raise click.BadParameter("the time needs a UTC offset, e.g. +07:00")
    return when


def _make_signer(
    key: Path | None,
    cert: Path | None,
    chain: Path | None,
    key_password_env: str | None,
    p12: Path | None,
    password_env: str | None,
    pkcs11: str | None,
    token_label: str | None,
    key_label: str | None,
    pin_env: str | None,
) -> Signer:
    sources = [key is not None, p12 is not None, pkcs11 is not None]
    if sum(sources) != 1:
        raise click.UsageError("give exactly one key source: --key/--cert, --p12 or --pkcs11")
    if key is not None:
        if cert is None:
            raise click.UsageError("--key needs --cert")
        return KeyFileSigner.from_pem(
            key.read_bytes(),
            cert.read_bytes(),
            chain.read_bytes() if chain else None,
            password=_secret(key_password_env, "key password"),
        )
    if p12 is not None:
        if cert is not None or chain is not None:
            raise click.UsageError("--p12 carries its own certificate and chain")
        return KeyFileSigner.from_pkcs12(
            p12.read_bytes(), _secret(password_env, "PKCS#12 password")
        )
    assert pkcs11 is not None
    if token_label is None or key_label is None:
        raise click.UsageError("--pkcs11 needs --token-label and --key-label")
    return Pkcs11Signer(
        pkcs11,
        token_label,
        key_label,
        pin=_secret(pin_env, "token PIN"),
        cert=cert.read_bytes() if cert else None,
        chain=load_certificates(chain.read_bytes(), what="chain") if chain else (),
    )


@click.command("sign")
@click.argument("file", type=_FilePath)
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in VaiTroKy]),
    help="Signing role (vai trò ký).",
)
@click.option(
    "--mon",
    multiple=True,
    help="Subject code (mã môn học) of the row a GVBM signs; repeat for a teacher of several.",
)
@click.option("--key", type=_FilePath, help="PEM private key.")
@click.option("--cert", type=_FilePath, help="PEM certificate (with --key, or for --pkcs11).")
@click.option("--chain", type=_FilePath, help="PEM intermediate certificates, nearest first.")
@click.option("--key-password-env", metavar="VAR", help="Env var holding the PEM key password.")
@click.option("--p12", type=_FilePath, help="PKCS#12 (.p12/.pfx) file with key and chain.")
@click.option("--password-env", metavar="VAR", help="Env var holding the PKCS#12 password.")
@click.option("--pkcs11", metavar="LIB", help="PKCS#11 module (e.g. the token vendor's .so).")
@click.option("--token-label", help="Label of the PKCS#11 token.")
@click.option("--key-label", help="Label of the private key on the token.")
@click.option("--pin-env", metavar="VAR", help="Env var holding the token's user PIN.")
@click.option(
    "--time",
    "time_text",
    metavar="ISO",
    help="Signing time with offset (default: now, local offset).",
)
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the signed packet.",
)
def sign(
    file: Path,
    role: str,
    mon: tuple[str, ...],
    key: Path | None,
    cert: Path | None,
    chain: Path | None,
    key_password_env: str | None,
    p12: Path | None,
    password_env: str | None,
    pkcs11: str | None,
    token_label: str | None,
    key_label: str | None,
    pin_env: str | None,
    time_text: str | None,
    out: Path,
) -> None:
    """Add ROLE's signature to the packet FILE and write the result to OUT.

    Roles sign in order: every GVBM (one per subject, --mon), then GVCN, CBQL, and KY_PHAT_HANH
    (issuance, with the school's organisation certificate). Exit 0 when signed, 2 when refused.
    """
    vai_tro = VaiTroKy(role)
    if (vai_tro is VaiTroKy.GVBM) != bool(mon):
        raise click.UsageError("--mon is required for --role GVBM and only for it")
    if len(set(mon)) != len(mon):
        raise click.UsageError("each --mon may be given once")
    when = _signing_time(time_text)
    data = file.read_bytes()
    signer: Signer | None = None
    try:
        signer = _make_signer(
            key,
            cert,
            chain,
            key_password_env,
            p12,
            password_env,
            pkcs11,
            token_label,
            key_label,
            pin_env,
        )
        if vai_tro is VaiTroKy.KY_PHAT_HANH:
            signed = issue(data, signer, signing_time=when).signed
        elif vai_tro is VaiTroKy.GVBM:
            steps = [SigningStep(vai_tro, signer, when, mon=code) for code in mon]
            signed = sign_roles(data, steps)
        else:
            signed = sign_packet(data, vai_tro, signer, signing_time=when)
    except HocBaSoError as err:
        print_error(err)
        raise click.exceptions.Exit(2) from None
    finally:
        if isinstance(signer, Pkcs11Signer):
            signer.close()
    try:
        write_atomically(out, signed)
    except OSError as exc:
        raise click.UsageError(f"cannot write {out}: {exc.strerror}") from None
    label = ", ".join(f"GVBM[{c}]" for c in mon) if mon else vai_tro.value
    click.echo(f"Đã ký / Signed: {label} → {out}")
