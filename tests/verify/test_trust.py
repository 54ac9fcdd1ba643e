from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from hocbaso.errors import VerificationInputError
from hocbaso.verify import TrustStore
from hocbaso.verify._certificates import identity_of, signer_summary

from ._certs import CA_KU, ENC_KU, NR_KU, T0, make, name

ROOT = make(name("Root"), name("Root"), ca=True, key_usage=CA_KU, days=3650)
INTER = make(name("Inter"), name("Root"), ca=True, key_usage=CA_KU, days=3650)
FAKE_INTER = make(name("Inter"), name("Root"), ca=False, key_usage=CA_KU, days=3650)
LEAF = make(name("GV", "CCCD:001234567890"), name("Inter"), ca=False, key_usage=NR_KU)
ORG = make(name("Truong", "MST:0101234567"), name("Inter"), ca=False, key_usage=NR_KU)
ENC = make(name("GV"), name("Inter"), ca=False, key_usage=ENC_KU)
NOKU = make(name("GV"), name("Inter"), ca=False, key_usage=None)
LATER = T0 + dt.timedelta(days=10)


def test_valid_chain_with_intermediate_from_keyinfo() -> None:
    out = TrustStore([ROOT]).validate(LEAF, [INTER], LATER)
    assert out.code is None
    assert out.chain[0] == LEAF and out.chain[-1] == ROOT


def test_missing_intermediate_is_untrusted() -> None:
    assert TrustStore([ROOT]).validate(LEAF, [], LATER).code == "CERTIFICATE.UNTRUSTED"


def test_issuer_without_ca_flag_is_untrusted() -> None:
    assert TrustStore([ROOT]).validate(LEAF, [FAKE_INTER], LATER).code == "CERTIFICATE.UNTRUSTED"


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (T0 - dt.timedelta(days=1), "CERTIFICATE.NOT_YET_VALID"),
        (T0 + dt.timedelta(days=400), "CERTIFICATE.EXPIRED"),
    ],
)
def test_validity_is_checked_at_the_given_time(when: dt.datetime, code: str) -> None:
    assert TrustStore([ROOT]).validate(LEAF, [INTER], when).code == code


def test_cache_never_turns_failure_into_pass() -> None:
    store = TrustStore([ROOT], time_bucket=dt.timedelta(days=3650))
    assert store.validate(LEAF, [INTER], LATER).code is None
    assert store.validate(LEAF, [INTER], LATER + dt.timedelta(hours=1)).code is None
    assert store.cache_hits == 1
    assert store.validate(LEAF, [INTER], T0 + dt.timedelta(days=400)).code == (
        "CERTIFICATE.EXPIRED"
    )


def test_naive_time_is_refused() -> None:
    with pytest.raises(VerificationInputError):
        TrustStore([ROOT]).validate(LEAF, [INTER], dt.datetime(2025, 2, 1))


def test_key_usage() -> None:
    assert TrustStore.check_key_usage(LEAF)
    assert not TrustStore.check_key_usage(ENC)
    assert not TrustStore.check_key_usage(NOKU)


def test_identity_and_summary_never_show_personal_id() -> None:
    assert identity_of(LEAF).holder == "person"
    assert identity_of(LEAF).cccd == "001234567890"
    assert identity_of(ORG).holder == "organisation"
    assert identity_of(ORG).organisation_id == "0101234567"
    assert identity_of(ENC).holder == "unknown"
    assert "001234567890" not in signer_summary(LEAF)
    assert "0101234567" in signer_summary(ORG)


def test_from_pem_file_and_folder(tmp_path: Path) -> None:
    (tmp_path / "root.pem").write_bytes(ROOT.public_bytes(Encoding.PEM))
    (tmp_path / "notes.txt").write_text("ignored")
    assert TrustStore.from_pem(tmp_path).anchors == (ROOT,)
    assert TrustStore.from_pem(tmp_path / "root.pem").anchors == (ROOT,)
    with pytest.raises(VerificationInputError):
        TrustStore.from_pem(tmp_path / "missing.pem")
    (tmp_path / "bad.pem").write_text("not a cert")
    with pytest.raises(VerificationInputError):
        TrustStore.from_pem(tmp_path)


def test_empty_store_refused(tmp_path: Path) -> None:
    with pytest.raises(VerificationInputError):
        TrustStore.from_pem(tmp_path)


def test_store_pickles() -> None:
    store = pickle.loads(pickle.dumps(TrustStore([ROOT])))
    assert store.validate(LEAF, [INTER], LATER).code is None
