"""The QR payload of a rendered copy (docs/render.md §3): enough to find the record, no person.

``HBS1|<MA_TRA_CUU>|<MA_DINH_DANH_HOC_BA>|<PHIEN_BAN>|<first 32 hex digits of the record digest>``

The record digest is the SHA-256 of the signed content (the inclusive C14N 1.0 of the packet's
``#data`` block), never of the file bytes, so a copy re-saved with other line ends still matches.
Nothing in the payload is personal data: the lookup code and identifier are random, the version
is a number and 128 bits of a digest reveal nothing of what was hashed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hocbaso.errors import RenderError
from hocbaso.verify import VerificationReport

__all__ = ["DIGEST_PREFIX_HEX", "PAYLOAD_PREFIX", "QrPayload", "record_digest_of"]

#: Version tag of the payload format; a later format gets a new tag, never a changed meaning.
PAYLOAD_PREFIX = "HBS1"
#: How many hex digits of the record digest the payload carries (128 bits).
DIGEST_PREFIX_HEX = 32

_PAYLOAD = re.compile(
    r"HBS1\|([0-9A-Z]{6,20})\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"\|([1-9][0-9]{0,4})\|([0-9a-f]{32})"
)


def record_digest_of(report: VerificationReport) -> str:
    """The record digest of a verified report: the verifier's own ``report.record_digest``
    (lowercase hex SHA-256 of the inclusive C14N 1.0 of the signed ``#data``, see
    docs/verification.md). The one place this package reads it."""
    if not report.ok or not report.record_digest:
        raise RenderError(
            "the report has no record digest (it did not verify)",
            "báo cáo không có mã băm học bạ (học bạ không xác minh được)",
            code="RENDER.NOT_VERIFIED",
        )
    return report.record_digest


@dataclass(frozen=True, slots=True)
class QrPayload:
    """What the QR of every page says: lookup code, identifier, version, digest prefix."""

    ma_tra_cuu: str
    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    digest_prefix: str

    @classmethod
    def of(cls, report: VerificationReport) -> QrPayload:
        """The payload of a verified report."""
        if not report.ok or report.record is None:
            raise RenderError(
                "only a verified record has a QR payload",
                "chỉ học bạ đã xác minh mới có mã QR",
                code="RENDER.NOT_VERIFIED",
            )
        chung = report.record.thong_tin_hoc_ba.thong_tin_chung
        return cls(
            str(chung.ma_tra_cuu),
            str(chung.ma_dinh_danh_hoc_ba),
            int(chung.phien_ban),
            record_digest_of(report)[:DIGEST_PREFIX_HEX],
        )

    def text(self) -> str:
        """The payload as the QR encodes it."""
        return "|".join(
            (PAYLOAD_PREFIX, self.ma_tra_cuu, self.ma_dinh_danh_hoc_ba, str(self.phien_ban),
             self.digest_prefix)
        )

    @classmethod
    def parse(cls, text: str) -> QrPayload:
        """Read a scanned payload; ``RENDER.QR_PAYLOAD`` when it is not in the format."""
        m = _PAYLOAD.fullmatch(text.strip())
        if m is None:
            raise RenderError(
                "not a hocbaso QR payload (HBS1|code|identifier|version|digest)",
                "không phải nội dung mã QR của học bạ số (HBS1|mã|định danh|phiên bản|băm)",
                code="RENDER.QR_PAYLOAD",
            )
        return cls(m[1], m[2], int(m[3]), m[4])

    def matches(self, report: VerificationReport) -> bool:
        """True when this payload names exactly the verified record of ``report``."""
        try:
            return QrPayload.of(report) == self
        except RenderError:
            return False
