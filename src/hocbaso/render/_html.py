"""One Jinja2 template set → the HTML soft copy (and the input of the PDF engine).

Autoescaping is on for every value: record text is data, never markup. The stylesheet is
inlined so that the HTML file is one self-contained document; the QR codes are inline SVG
data URIs. Fonts are named by family (Noto Serif, then DejaVu Serif): a browser uses the
installed ones, the PDF engine gets the font files themselves (``_fonts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import jinja2

from hocbaso.render._view import CopyView, build_view
from hocbaso.verify import VerificationReport

__all__ = ["html_of_view", "render_view"]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("hocbaso.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


@cache
def _css() -> str:
    return (resources.files("hocbaso.render") / "templates" / "hocba.css").read_text("utf-8")


def _title(view: CopyView) -> str:
    # No personal data in the title (it becomes the PDF's metadata): the lookup code only.
    if not view.ok:
        return "Học bạ số – KHÔNG HỢP LỆ"
    codes = ", ".join(y.ma_tra_cuu for y in view.years)
    return f"Học bạ số – mã tra cứu {codes}" + (" (bản che thông tin)" if view.masked else "")


def html_of_view(view: CopyView, *, extra_css: str = "") -> str:
    """The HTML text of a built view; ``extra_css`` is appended (the PDF's font faces)."""
    pages = 1 if not view.ok else 2 + 2 * len(view.years)
    return _environment().get_template("hocba.html.j2").render(
        view=view,
        css=_css(),
        extra_css=extra_css,
        title=_title(view),
        pages=pages,
    )


def render_view(
    reports: Sequence[VerificationReport], *, masked: bool, booklet: bool
) -> CopyView:
    """Build the view (kept separate so that HTML and PDF share it)."""
    return build_view(reports, masked=masked, booklet=booklet)
