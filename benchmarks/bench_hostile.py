"""Worst-case hostile inputs against ``verify``: each flood just under and just over its limit.

The target (docs/verification.md §2, step 1.4): every file within the size limit is verified or
refused in under one second on one core. The floods are the attack corpus's own builders
(``tests/vectors/make_vectors.py``) applied to a genuine issued record, sized from
``DEFAULT_LIMITS`` and from the genuine record's own counts, so "just under" is exactly at the
limit and "just over" is one past it. Each is reported in milliseconds and as a multiple of
verifying the genuine record in the same run (machine speed cancels out of the ratio; the
absolute figure is what the 1 s target is about).

    python -m benchmarks hostile [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from lxml import etree

from benchmarks._corpus import vector_generator as _generator
from benchmarks._timing import ops_per_second
from hocbaso.packet import DEFAULT_LIMITS
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import build_test_pki
from hocbaso.verify import TrustStore, verify

#: The target for one file on one core (docs/verification.md §2, step 1.4).
TARGET_SECONDS = 1.0



def _counts(genuine: bytes) -> dict[str, int]:
    """What the genuine record already uses of each limit (the floods add to it)."""
    root = etree.fromstring(genuine)
    ds = {"ds": "http://www.w3.org/2000/09/xmldsig#"}

    def count(expr: str) -> int:
        value = root.xpath(expr, namespaces=ds)
        assert isinstance(value, float)  # XPath count() is a number
        return int(value)

    return {
        "nodes": count("count(//node())"),
        "attributes": count("count(//@*)"),
        "ids": count("count(//@Id)"),
        "signatures": count("count(//ds:Signature)"),
        "namespaces": genuine.count(b"xmlns"),
        "object_attributes": 1,  # the first Object carries its Id
    }


def cases(mv: Any, genuine: bytes) -> list[tuple[str, int, Callable[[int], bytes]]]:
    """(name, limit, build(count) → bytes): ``build(limit)`` is at the limit, ``+1`` over."""
    lim = DEFAULT_LIMITS
    have = _counts(genuine)
    per_ns = lim.max_namespaces_per_element
    per_attr = lim.max_attributes_per_element
    return [
        (
            "namespaces on HOC_BA",
            per_ns,
            lambda n: mv.flood_namespaces_on_root(genuine, n),
        ),
        (
            "namespaces in all",
            lim.max_namespaces,
            lambda n: mv.flood_namespaces(genuine, n - have["namespaces"], per_ns),
        ),
        (
            "attributes on one Object",
            per_attr,
            lambda n: mv.flood_attributes_on_element(genuine, n - have["object_attributes"]),
        ),
        (
            "attributes in all",
            lim.max_attributes,
            lambda n: mv.flood_attributes(genuine, n - have["attributes"], per_attr),
        ),
        (
            "Signature elements",
            lim.max_signatures,
            lambda n: mv.flood_signatures(genuine, n - have["signatures"]),
        ),
        ("duplicate Ids", lim.max_ids, lambda n: mv.flood_ids(genuine, n - have["ids"])),
        (
            "comments in signed data (nodes)",
            lim.max_elements,
            lambda n: mv.flood_comments(genuine, n - have["nodes"]),
        ),
        (
            "sibling elements (nodes)",
            lim.max_elements,
            lambda n: mv.flood_elements(genuine, n - have["nodes"]),
        ),
        (
            "a name as long as the file (bytes)",
            lim.max_bytes,
            lambda n: mv.flood_text(genuine, n - len(genuine)),
        ),
        (
            "certificates in one KeyInfo",
            8,  # MAX_KEYINFO_CERTIFICATES: leaf + intermediate + copies
            lambda n: mv.flood_certificates(genuine, n - 2),
        ),
    ]


def _seconds(fn: Callable[[], Any], rounds: int) -> float:
    """Median wall time of ``fn`` over ``rounds`` calls (one call can take long: no batching)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(*, rounds: int = 5, seconds: float = 0.3) -> dict[str, Any]:
    mv = _generator()
    pki = build_test_pki()
    trust = TrustStore([pki.root])
    genuine = mv.issue(tao_hoc_ba(0), pki)

    def check(data: bytes) -> Any:
        return verify(data, trust, at=mv.VERIFY_AT)

    base = 1.0 / ops_per_second(lambda: check(genuine), seconds=seconds, rounds=rounds)
    rows = []
    for name, limit, build in cases(mv, genuine):
        for label, count in (("at limit", limit), ("limit + 1", limit + 1)):
            data = build(count)
            report = check(data)
            parse = [r.code for r in report.steps if r.step.value == "PARSE"]
            rows.append(
                {
                    "case": name,
                    "size": label,
                    "bytes": len(data),
                    "seconds": _seconds(lambda d=data: check(d), rounds),  # type: ignore[misc]
                    "parse": parse[0] if parse else "",
                }
            )
    return {"genuine_seconds": base, "genuine_bytes": len(genuine), "rows": rows}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="hocbaso hostile-input benchmark")
    parser.add_argument("--quick", action="store_true", help="3 rounds (rough)")
    args = parser.parse_args(argv if argv is not None else [])
    result = run(rounds=3, seconds=0.1) if args.quick else run()
    base = result["genuine_seconds"]
    print(f"genuine record: {result['genuine_bytes']} bytes, verify {base * 1000:.2f} ms")
    print(f"{'flood':<36}{'size':<11}{'bytes':>9}{'ms':>9}{'× genuine':>11}  parse step")
    worst = 0.0
    for row in result["rows"]:
        worst = max(worst, row["seconds"])
        print(
            f"{row['case']:<36}{row['size']:<11}{row['bytes']:>9}"
            f"{row['seconds'] * 1000:>9.1f}{row['seconds'] / base:>11.1f}  {row['parse']}"
        )
    verdict = "met" if worst < TARGET_SECONDS else "NOT met"
    print(f"slowest: {worst * 1000:.1f} ms (target < {TARGET_SECONDS * 1000:.0f} ms: {verdict})")


if __name__ == "__main__":
    main(sys.argv[1:])
