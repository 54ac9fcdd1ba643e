"""Key files for every role of a synthetic record, as a vendor would keep them on disk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from hocbaso.models import HocBa
from hocbaso.testing.pki import TEST_NOW, TestIdentity, TestPKI

#: Role order in time: GVBM at T, GVCN T+1h, CBQL T+2h, issue T+3h (ISO with offset).
T0 = TEST_NOW - timedelta(days=2)


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


@dataclass(frozen=True)
class RoleKeys:
    """``--key/--cert/--chain`` arguments per role of one record."""

    gvbm: dict[str, list[str]]
    gvcn: list[str]
    cbql: list[str]
    school: list[str]
    trust: Path
    crl: Path


def _files(folder: Path, name: str, ident: TestIdentity) -> list[str]:
    key, cert, chain = folder / f"{name}.key", folder / f"{name}.crt", folder / f"{name}-ca.pem"
    key.write_bytes(ident.key_pem())
    cert.write_bytes(ident.certificate_pem())
    chain.write_bytes(ident.chain_pem())
    return ["--key", str(key), "--cert", str(cert), "--chain", str(chain)]


def role_keys(folder: Path, pki: TestPKI, record: HocBa) -> RoleKeys:
    folder.mkdir(parents=True, exist_ok=True)
    nk = record.thong_tin_hoc_ba.nguoi_ky
    trust_files = pki.write_trust_files(folder / "pki")
    return RoleKeys(
        gvbm={
            row.ma_mon_hoc: _files(folder, f"gv{row.ma_mon_hoc}", pki.personal(row.so_ddcn_gvbm))
            for row in record.bang_diem
        },
        gvcn=_files(folder, "gvcn", pki.personal(nk.so_ddcn_gvcn)),
        cbql=_files(folder, "cbql", pki.personal(nk.so_ddcn_giam_hieu)),
        school=_files(folder, "school", pki.school()),
        trust=trust_files["root"],
        crl=trust_files["crl"],
    )


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return TestPKI.cached()
