"""The soft copy and the paper copy of a Học bạ số (bản thể hiện, bản giấy): HTML and PDF.

A layer above :mod:`hocbaso.verify`: it shows what the verifier accepted and never decides
validity itself. Every input is either a :class:`~hocbaso.verify.VerificationReport` or packet
bytes (an :class:`~hocbaso.signature.IssuedRecord`, ``bytes``) that are verified here first
with the caller's trust store. A report that did not verify is rendered only as a one-page
"KHÔNG HỢP LỆ" copy listing the failed checks (codes and identifiers, no personal data).

* :func:`render_html` and :func:`render_pdf` share one Jinja2 template set;
* the PDF is PDF/A-3b with each signed packet embedded as its Source (not in a masked copy),
  optionally sealed (PAdES B-B) by the school's organisation certificate;
* several yearly records of one student make a booklet (``booklet=True``);
* ``masked=True`` hides the personal ID, birth date, addresses and the parents' details
  (Nghị định 13/2023/NĐ-CP) and says so on every page;
* :class:`QrPayload` is what the QR of every page carries (docs/render.md §3).

It needs the ``render`` extra (``pip install 'hocbaso[render]'``).
"""

from __future__ import annotations

try:
    import jinja2 as _jinja2  # noqa: F401
    import segno as _segno  # noqa: F401
except ModuleNotFoundError as _e:  # exercised in a subprocess test (tests/test_packaging.py)
    raise ModuleNotFoundError(
        "hocbaso.render cần gói bổ sung: pip install 'hocbaso[render]' / "
        "hocbaso.render needs its extra: pip install 'hocbaso[render]'",
        name=_e.name,
    ) from _e

from hocbaso.render._api import Source, render_html, render_pdf
from hocbaso.render._payload import DIGEST_PREFIX_HEX, PAYLOAD_PREFIX, QrPayload, record_digest_of
from hocbaso.render._pdf import embedded_packets, seal_pdf
from hocbaso.render._view import MASK, masked_values

__all__ = [
    "DIGEST_PREFIX_HEX",
    "MASK",
    "PAYLOAD_PREFIX",
    "QrPayload",
    "Source",
    "embedded_packets",
    "masked_values",
    "record_digest_of",
    "render_html",
    "render_pdf",
    "seal_pdf",
]
