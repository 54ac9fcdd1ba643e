"""Golden pages: the fixed records the golden images show, and how a page becomes a PNG.

Shared by the tests (tests/render/test_golden.py) and the regeneration script
(``python -m tests.render.make_goldens``), so both always rasterise the same way: PDF pages
with ``pdftoppm`` at a low resolution, the HTML copy as a headless Chromium screenshot.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from hocbaso.models import CapHoc
from hocbaso.signature import IssuedRecord
from hocbaso.testing import phat_hanh_thu, tao_hoc_ba_cac_nam

GOLDEN = Path(__file__).resolve().parent / "golden"
DPI = 40
#: Mean absolute difference per channel (0–255) a page may differ by from its golden image:
#: enough for anti-aliasing and font-hinting differences, far below a moved or missing block.
TOLERANCE = 4.0
SEED = 7

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
)


def golden_records() -> dict[str, list[IssuedRecord]]:
    """The issued records of one THCS and one THPT student, every year (fixed seed)."""
    return {
        "thcs": [phat_hanh_thu(r) for r in tao_hoc_ba_cac_nam(SEED, CapHoc.THCS)],
        "thpt": [phat_hanh_thu(r) for r in tao_hoc_ba_cac_nam(SEED, CapHoc.THPT)],
    }


def pdf_pages(pdf: bytes, dpi: int = DPI) -> list[Image.Image]:
    """Every page of ``pdf`` rasterised by pdftoppm."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(src), str(Path(tmp) / "p")],
                       check=True, timeout=120)
        return [Image.open(p).convert("RGB").copy() for p in sorted(Path(tmp).glob("p-*.png"))]


def html_screenshot(html: str) -> Image.Image:
    """The first sheets of ``html`` as headless Chromium shows them (screen media)."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "copy.html"
        page.write_text(html, "utf-8")
        shot = Path(tmp) / "shot.png"
        subprocess.run(
            ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile",
             "--window-size=900,1200", "--force-device-scale-factor=0.5",
             f"--screenshot={shot}", page.as_uri()],
            check=True, timeout=120, capture_output=True,
        )
        return Image.open(shot).convert("RGB").copy()


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel; a size mismatch is the largest difference."""
    if a.size != b.size:
        return 255.0
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3
