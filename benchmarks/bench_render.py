"""Soft-copy speed: pages per second for HTML and PDF, one record and a THCS booklet, against
the engine's floor (a blank page with the same fonts) measured in the same run.

    python -m benchmarks render [--quick]
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks._timing import ops_per_second as _bench
from hocbaso.models import CapHoc
from hocbaso.render import render_html, render_pdf
from hocbaso.render._pdf import font_css, write_pdf
from hocbaso.testing import phat_hanh_thu, tao_hoc_ba_cac_nam
from hocbaso.testing.pki import TestPKI
from hocbaso.verify import TrustStore, verify

_BLANK = (
    "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>blank</title><style>"
    "@page {{ size: A4 }} {css}</style></head><body><p>Học bạ</p></body></html>"
)


def _chromium_pdf_seconds(html: str) -> float:
    """One headless Chromium print of the same HTML (the second engine of docs/render.md)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "c.html"
        src.write_text(html, "utf-8")
        start = time.perf_counter()
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp}/p", "--no-pdf-header-footer",
             f"--print-to-pdf={tmp}/c.pdf", src.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    quick = bool(argv and "--quick" in argv)
    seconds = 0.2 if quick else 0.5
    rounds = 3 if quick else 5
    trust = TrustStore([TestPKI.cached().root])
    issued = [phat_hanh_thu(r) for r in tao_hoc_ba_cac_nam(7, CapHoc.THCS)]
    reports = [verify(i.signed, trust) for i in issued]
    packets = [i.signed for i in issued]
    one, one_packet = reports[-1], packets[-1]
    blank = _BLANK.format(css=font_css())

    rows = [
        ("blank page, PDF (floor)", 1,
         _bench(lambda: write_pdf(blank), seconds=seconds, rounds=rounds)),
        ("one record, HTML", 4,
         _bench(lambda: render_html(one), seconds=seconds, rounds=rounds)),
        ("one record, PDF/A-3b", 4,
         _bench(lambda: render_pdf(one, packets=[one_packet]), seconds=seconds, rounds=rounds)),
        ("booklet (4 years), HTML", 10,
         _bench(lambda: render_html(reports, booklet=True), seconds=seconds, rounds=rounds)),
        ("booklet (4 years), PDF/A-3b", 10,
         _bench(lambda: render_pdf(reports, booklet=True, packets=packets), seconds=seconds,
                rounds=rounds)),
    ]
    floor = rows[0][2]
    print(f"{'what':32} {'docs/s':>8} {'pages/s':>8} {'× floor':>8}")
    for what, pages, rate in rows:
        print(f"{what:32} {rate:8.2f} {rate * pages:8.1f} {rate / floor:8.2f}")
    try:
        secs = _chromium_pdf_seconds(render_html(one))
        print(f"{'one record, Chromium print':32} {1 / secs:8.2f} {4 / secs:8.1f} "
              f"{(1 / secs) / floor:8.2f}  (second engine, one run incl. start-up)")
    except (OSError, subprocess.CalledProcessError):
        print("chromium not available: second engine not measured")
