"""Key options shared by every command that signs (``sign``, ``issue``, ``revoke``).

The key comes from exactly one source: a PEM key and certificate (``--key``/``--cert``), a
PKCS#12 file (``--p12``), or a PKCS#11 token (``--pkcs11`` + labels). Passwords and PINs are
read from environment variables named on the command line, never from the command line itself
(it shows up in process lists and shell history).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from hocbaso.signature import KeyFileSigner, Pkcs11Signer, Signer, load_certificates

__all__ = [
    "KEY_OPTION_NAMES", "iso_time", "key_options", "open_signer", "signing_time", "time_option",
]

FilePath = click.Path(dir_okay=False, exists=True, path_type=Path)

F = TypeVar("F", bound=Callable[..., Any])

#: Parameter names the decorator adds; a command passes them on with ``open_signer(**keys)``.
KEY_OPTION_NAMES = (
    "key",
    "cert",
    "chain",
    "key_password_env",
    "p12",
    "password_env",
    "pkcs11",
    "token_label",
    "key_label",
    "pin_env",
)

_OPTIONS = (
    click.option("--key", type=FilePath, help="Khoá bí mật PEM / PEM private key."),
    click.option(
        "--cert",
        type=FilePath,
        help="Chứng thư số PEM (với --key hoặc --pkcs11) / "
        "PEM certificate (with --key or --pkcs11).",
    ),
    click.option(
        "--chain",
        type=FilePath,
        help="Chứng thư trung gian PEM, gần nhất trước / "
        "PEM intermediate certificates, nearest first.",
    ),
    click.option(
        "--key-password-env",
        metavar="VAR",
        help="Biến môi trường chứa mật khẩu khoá PEM / env var holding the PEM key password.",
    ),
    click.option(
        "--p12",
        type=FilePath,
        help="Tệp PKCS#12 (.p12/.pfx) có khoá và chuỗi / PKCS#12 file with key and chain.",
    ),
    click.option(
        "--password-env",
        metavar="VAR",
        help="Biến môi trường chứa mật khẩu PKCS#12 / env var holding the PKCS#12 password.",
    ),
    click.option(
        "--pkcs11",
        metavar="LIB",
        help="Thư viện PKCS#11 của token / PKCS#11 module (the token vendor's .so).",
    ),
    click.option("--token-label", help="Nhãn của token / label of the PKCS#11 token."),
    click.option("--key-label", help="Nhãn khoá trên token / label of the key on the token."),
    click.option(
        "--pin-env",
        metavar="VAR",
        help="Biến môi trường chứa mã PIN / env var holding the token's user PIN.",
    ),
)


def key_options(f: F) -> F:
    """Add the key-source options (one set of names and help texts for every command)."""
    for option in reversed(_OPTIONS):
        f = option(f)
    return f


def time_option(what_vi: str, what_en: str) -> Callable[[F], F]:
    """``--time ISO``: the signing (or revocation) time, default now with the local offset."""
    return click.option(
        "--time",
        "time_text",
        metavar="ISO",
        help=f"{what_vi}, ISO 8601 có múi giờ (mặc định: bây giờ) / "
        f"{what_en}, ISO 8601 with offset (default: now).",
    )


def _secret(var: str | None, what: str) -> str | None:
    if var is None:
        return None
    value = os.environ.get(var)
    if value is None:
        raise click.UsageError(f"environment variable {var} ({what}) is not set")
    return value


def iso_time(text: str, *, option: str) -> datetime:
    """An ISO 8601 time with its UTC offset (``--time``, ``--at``), or a usage error that
    names the option: a time without an offset would be read in the machine's zone."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            "use ISO 8601 with a UTC offset, e.g. 2025-06-01T08:00:00+07:00", param_hint=option
        ) from None
    if when.tzinfo is None:
        raise click.BadParameter("the time needs a UTC offset, e.g. +07:00", param_hint=option)
    return when


def signing_time(text: str | None) -> datetime:
    """The time given with ``--time``, or now (local offset, whole seconds)."""
    if text is None:
        return datetime.now().astimezone().replace(microsecond=0)
    return iso_time(text, option="--time")


@contextmanager
def open_signer(
    *,
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
) -> Iterator[Signer]:
    """The signer the options name; a token session is closed however the block ends."""
    sources = [key is not None, p12 is not None, pkcs11 is not None]
    if sum(sources) != 1:
        raise click.UsageError("give exactly one key source: --key/--cert, --p12 or --pkcs11")
    if key is not None:
        if cert is None:
            raise click.UsageError("--key needs --cert")
        signer: Signer = KeyFileSigner.from_pem(
            key.read_bytes(),
            cert.read_bytes(),
            chain.read_bytes() if chain else None,
            password=_secret(key_password_env, "key password"),
        )
    elif p12 is not None:
        if cert is not None or chain is not None:
            raise click.UsageError("--p12 carries its own certificate and chain")
        signer = KeyFileSigner.from_pkcs12(
            p12.read_bytes(), _secret(password_env, "PKCS#12 password")
        )
    else:
        assert pkcs11 is not None
        if token_label is None or key_label is None:
            raise click.UsageError("--pkcs11 needs --token-label and --key-label")
        signer = Pkcs11Signer(
            pkcs11,
            token_label,
            key_label,
            pin=_secret(pin_env, "token PIN"),
            cert=cert.read_bytes() if cert else None,
            chain=load_certificates(chain.read_bytes(), what="chain") if chain else (),
        )
    try:
        yield signer
    finally:
        if isinstance(signer, Pkcs11Signer):
            signer.close()
