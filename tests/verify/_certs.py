"""A tiny certificate factory for trust-store edge cases the shared test PKI does not cover
(a CA without ``cA``, a leaf without key usage). Record-level tests use ``hocbaso.testing.pki``."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
KEY = ec.generate_private_key(ec.SECP256R1())


def name(cn: str, uid: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if uid:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, uid))
    return x509.Name(attrs)


def make(
    subject: x509.Name,
    issuer: x509.Name,
    *,
    ca: bool,
    key_usage: x509.KeyUsage | None,
    start: dt.datetime = T0,
    days: int = 365,
) -> x509.Certificate:
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(KEY.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if key_usage is not None:
        b = b.add_extension(key_usage, critical=True)
    return b.sign(KEY, hashes.SHA256())


CA_KU = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
NR_KU = x509.KeyUsage(False, True, False, False, False, False, False, False, False)
ENC_KU = x509.KeyUsage(False, False, True, False, False, False, False, False, False)
