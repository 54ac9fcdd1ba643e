"""Step 3's per-record shortcuts (docs/verification.md §7, "Distinct records") against the code
they replaced, kept here verbatim, or against the functions they stand in for.

Each shortcut removes work that a batch of distinct records repeated on every record without
changing a single answer: the signed Object's facts read without a memory keyed by the signing
time, a KeyInfo's certificate chain remembered by its exact texts, derived certificate values
found by object identity inside a bucket of the certificate's signature bytes, the Id map built
in one pass, and each slot's path and Ids computed once per (role, subject code).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.packet import parse_xml
from hocbaso.packet._internal import VaiTroKy
from hocbaso.packet._internal import layout as L
from hocbaso.signature import HocBaKy
from hocbaso.signature import _profile_schema as schema
from hocbaso.signature._internal import DSIG_NS, ObjectFacts
from hocbaso.signature._profile_check import leaf_and_chain, usable_signing_time
from hocbaso.testing.pki import TestPKI
from hocbaso.verify import _certificates as certs
from hocbaso.verify import _structure as structure
from hocbaso.verify._report import StepResult

_D = f"{{{DSIG_NS}}}"

# -- the signed Object's facts --------------------------------------------------------------


def ref_facts(time: bytes, ident: bytes, version: bytes) -> ObjectFacts | None:
    """The replaced ``_facts``, without its memory keyed by (time, identifier, version)."""
    facts: ObjectFacts | None = None
    try:
        when = dt.datetime.fromisoformat(time.decode())
    except ValueError:
        when = None
    offset = when.utcoffset() if when is not None else None
    if when is not None and offset is not None and abs(offset) <= dt.timedelta(hours=14):
        facts = ObjectFacts(
            when if usable_signing_time(when) else None,
            HocBaKy(ident.decode(), str(int(version))),
        )
    return facts


_YEARS = st.one_of(
    st.integers(1, 9999),
    st.sampled_from([1, 1899, 1900, 1901, 1902, 8997, 8998, 8999, 9000, 9001, 9999]),
)


@settings(max_examples=600, deadline=None)
@given(
    year=_YEARS,
    month=st.sampled_from([1, 2, 6, 12]),
    day=st.sampled_from([1, 15, 28, 31]),
    hour=st.sampled_from([0, 9, 10, 13, 14, 23]),
    minute=st.sampled_from([0, 59]),
    fraction=st.sampled_from(["", ".5", ".999999", ".1234567"]),
    offset=st.sampled_from(
        ["Z", "+00:00", "+07:00", "+14:00", "-14:00", "+14:01", "-14:01", "-23:59", "+13:59"]
    ),
    ident=st.sampled_from([b"0b5b0e62-8a41-4a0b-9d38-3b5f2f0e4a11", b"00000000-0000-0000-0000-0"]),
    version=st.sampled_from([b"1", b"2", b"007", b"999999999"]),
)
def test_object_facts_equal_the_replaced_reader(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    fraction: str,
    offset: str,
    ident: bytes,
    version: bytes,
) -> None:
    """Every year, including the edges of the accepted range, where the year digits alone do
    not decide and the full comparison runs; days that do not exist; offsets past 14 hours."""
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00{fraction}{offset}"
    got = schema._facts(text.encode(), ident, version)
    assert got == ref_facts(text.encode(), ident, version)


def test_the_year_shortcut_stops_where_the_range_can_end() -> None:
    """31 December 8999 at -14:00 is past the last accepted instant (9000-01-01 UTC): a year
    the shortcut admitted would have been wrong there, so it ends at 8998."""
    late = b"8999-12-31T23:00:00-14:00"
    facts = schema._facts(late, b"x", b"1")
    assert facts is not None and facts.signing_time is None
    early = b"1900-01-01T10:00:00+14:00"  # 1899-12-31T20:00 UTC: before the first instant
    facts = schema._facts(early, b"x", b"1")
    assert facts is not None and facts.signing_time is None
    assert schema._SURE_YEARS == (1901, 8998)


def test_the_record_binding_memory_is_small() -> None:
    for n in range(3 * schema._MAX_BINDINGS):
        assert schema._binding(b"id", str(n + 1).encode()) == HocBaKy("id", str(n + 1))
        assert len(schema._BINDINGS) <= schema._MAX_BINDINGS


# -- a KeyInfo's certificate chain ----------------------------------------------------------


def _key_infos(genuine: bytes) -> list[etree._Element]:
    return list(parse_xml(genuine).iter(_D + "KeyInfo"))


def test_key_info_chain_equals_loading_and_splitting(genuine: bytes) -> None:
    for key_info in _key_infos(genuine):
        texts = schema._key_info_texts(key_info)
        assert texts is not None
        loaded = [certs.load_certificate_b64(t) for t in texts]
        leaf, intermediates = leaf_and_chain(loaded, key_info)
        for _ in range(2):  # the second answer comes from the memory
            found = schema._chain(texts, certs.load_certificate_b64, key_info)
            assert found == (leaf, tuple(intermediates))


@settings(max_examples=80, deadline=None)
@given(
    index=st.integers(0, 14),
    edit=st.sampled_from(
        ["space", "newline", "bad-char", "strip-pad", "reverse", "drop-intermediate", "dup-leaf"]
    ),
)
def test_key_info_chain_refuses_what_the_old_reader_refused(
    genuine: bytes, index: int, edit: str
) -> None:
    """Texts that are not canonical base64, certificates that do not load, and sets without
    exactly one leaf give None (then read_signature decides), every time they are asked."""
    key_info = _key_infos(genuine)[index]
    texts = list(schema._key_info_texts(key_info) or ())
    if edit == "space":
        texts[0] = texts[0][:10] + " " + texts[0][10:]
    elif edit == "newline":
        texts[0] = texts[0] + "\n"
    elif edit == "bad-char":
        texts[0] = "*" + texts[0][1:]
    elif edit == "strip-pad":
        texts[0] = texts[0].rstrip("=")
    elif edit == "reverse":
        texts.reverse()
    elif edit == "drop-intermediate":
        texts = texts[:1]
    else:
        texts = [texts[0], texts[0]]
    expected: Any
    try:
        if not all(schema._B64_FULL.fullmatch(t) for t in texts):
            raise ValueError("not canonical")
        leaf, inter = leaf_and_chain([certs.load_certificate_b64(t) for t in texts], key_info)
        expected = (leaf, tuple(inter))
    except Exception:
        expected = None
    for _ in range(2):
        assert schema._chain(tuple(texts), certs.load_certificate_b64, key_info) == expected


# -- derived certificate values -------------------------------------------------------------


def _forged_copy(cert: x509.Certificate) -> x509.Certificate:
    """Another certificate carrying ``cert``'s signature bytes (one byte of its serial number
    changed; the signature no longer verifies, which is not the point here)."""
    der = bytearray(cert.public_bytes(Encoding.DER))
    serial = cert.serial_number.to_bytes((cert.serial_number.bit_length() + 8) // 8, "big")
    at = bytes(der).index(serial)
    der[at + len(serial) - 1] ^= 1
    forged = x509.load_der_x509_certificate(bytes(der))
    assert forged.signature == cert.signature and forged != cert
    return forged


def test_certificates_sharing_signature_bytes_never_share_values(pki: TestPKI) -> None:
    original = pki.personal("001085000201").certificate
    forged = _forged_copy(original)
    serial = certs.memo(original, "test-serial", lambda c: c.serial_number)
    assert certs.memo(forged, "test-serial", lambda c: c.serial_number) == forged.serial_number
    assert serial == original.serial_number != forged.serial_number
    # Again, now both are in the same bucket, in either order.
    assert certs.memo(original, "test-serial", lambda c: -1) == original.serial_number
    assert certs.memo(forged, "test-serial", lambda c: -1) == forged.serial_number


def test_an_equal_certificate_object_shares_values_and_results_equal_computing(
    pki: TestPKI,
) -> None:
    everyone = [pki.school(), pki.personal("001085000201"), pki.expired(), pki.weak_rsa()]
    for ident in everyone:
        c = ident.certificate
        again = x509.load_der_x509_certificate(c.public_bytes(Encoding.DER))
        assert again is not c
        calls: list[x509.Certificate] = []

        def compute(cert: x509.Certificate, calls: list[x509.Certificate] = calls) -> int:
            calls.append(cert)
            return cert.serial_number

        name = f"test-shared-{id(calls)}"
        assert certs.memo(c, name, compute) == c.serial_number
        assert certs.memo(again, name, compute) == c.serial_number
        assert certs.memo(c, name, compute) == c.serial_number
        assert len(calls) == 1  # DER-equal objects share one entry of the DER-keyed memory
        assert certs.memo(c, f"{name}-none", lambda _c: None) is None  # None is a value too


def test_certificate_buckets_are_bounded(pki: TestPKI) -> None:
    c = pki.school().certificate
    copies = [x509.load_der_x509_certificate(c.public_bytes(Encoding.DER)) for _ in range(9)]
    for k in copies:
        certs.memo(k, "test-bound", lambda x: x.serial_number)
    assert len(certs._BY_SIGNATURE[c.signature]) <= certs._BUCKET
    assert all(certs.memo(k, "test-bound", lambda x: -1) == c.serial_number for k in copies)


# -- the Id map -----------------------------------------------------------------------------


def ref_unique_ids(
    root: etree._Element, out: structure.StructureOutcome
) -> dict[str, etree._Element] | None:
    """The replaced ``_unique_ids``, verbatim."""
    by_id: dict[str, list[etree._Element]] = {}
    found = structure._ALL_IDS(root)
    assert isinstance(found, list)
    for attr in found:
        assert isinstance(attr, etree._ElementUnicodeResult)
        el = attr.getparent()
        assert isinstance(el, etree._Element)
        by_id.setdefault(str(attr), []).append(el)
    ok = True
    for els in by_id.values():
        if len(els) > 1:
            ok = False
            for el in els:
                out.results.append(structure._fail("STRUCTURE.DUPLICATE_ID", out.path(el)))
    return {k: v[0] for k, v in by_id.items()} if ok else None


def _results(out: structure.StructureOutcome) -> list[StepResult]:
    return list(out.results)


@settings(max_examples=60, deadline=None)
@given(
    changes=st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(["data", "mon-15", "x", "", "st-gvcn"])),
        max_size=4,
    ),
    namespaced=st.booleans(),
)
def test_id_map_equals_the_replaced_one(
    genuine: bytes, changes: list[tuple[int, str]], namespaced: bool
) -> None:
    """Ids copied onto other elements (duplicates), empty Ids, and a namespaced ``Id`` (not an
    Id): the same map, or the same failures in the same order."""
    root = parse_xml(genuine)
    elements = list(root.iter(etree.Element))
    for pick, value in changes:
        el = elements[pick % len(elements)]
        el.set("{urn:x}Id" if namespaced else "Id", value)
    fast_out, slow_out = structure.StructureOutcome(), structure.StructureOutcome()
    fast = structure._unique_ids(copy.deepcopy(root), fast_out)
    slow = ref_unique_ids(copy.deepcopy(root), slow_out)
    # The two ran on separate copies: compare the maps by each element's path.

    def named(m: dict[str, etree._Element] | None) -> Any:
        if m is None:
            return None
        return {k: el.getroottree().getpath(el) for k, el in m.items()}

    assert named(fast) == named(slow)
    assert _results(fast_out) == _results(slow_out)


# -- a slot's path and Ids ------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    role=st.sampled_from(list(VaiTroKy)),
    mon=st.one_of(st.none(), st.text(max_size=6), st.sampled_from(["15", "01", "x'y"])),
)
def test_slot_strings_equal_the_layout_functions(role: VaiTroKy, mon: str | None) -> None:
    for _ in range(2):  # the second answer comes from the memory
        assert structure._slot_strings(role, mon) == (
            L.slot_xpath(role, mon),
            role.signature_id(mon),
            role.object_id(mon),
            role.reference_id(mon),
        )
        el = etree.Element("GVBM")
        slot = structure.Slot(role, mon, el, "p")
        assert (slot.signature_id, slot.object_id, slot.reference_id) == (
            role.signature_id(mon),
            role.object_id(mon),
            role.reference_id(mon),
        )
    assert len(structure._SLOT_STRINGS) <= structure._MAX_SLOT_STRINGS


def test_a_repeated_id_is_reported_as_before(genuine: bytes) -> None:
    root = parse_xml(genuine)
    root.set("Id", "data")  # the data block's Id, again on the root
    fast_out, slow_out = structure.StructureOutcome(), structure.StructureOutcome()
    assert structure._unique_ids(root, fast_out) is None
    assert ref_unique_ids(root, slow_out) is None
    assert _results(fast_out) == _results(slow_out) != []
