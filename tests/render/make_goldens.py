"""Regenerate the golden pages of tests/render/golden/ after a deliberate layout change.

    .venv/bin/python -m tests.render.make_goldens

Look at every PNG it writes before committing (docs/render.md §7).
"""

from __future__ import annotations

from tests.render._golden import GOLDEN, golden_records, html_screenshot, pdf_pages

from hocbaso.render import render_html, render_pdf
from hocbaso.testing.pki import TestPKI
from hocbaso.verify import TrustStore


def main() -> None:
    trust = TrustStore([TestPKI.cached().root])
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for level, issued in golden_records().items():
        last = issued[-1]
        for i, page in enumerate(pdf_pages(render_pdf(last, trust=trust)), start=1):
            page.save(GOLDEN / f"{level}-pdf-{i}.png", optimize=True)
        html_screenshot(render_html(last, trust=trust)).save(
            GOLDEN / f"{level}-html.png", optimize=True
        )
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
