"""Synthetic data and test helpers. Test-only: nothing here is a real person or key.

``tao_hoc_ba(seed)`` gives one realistic record with consistent Thông tư 22 results,
``tao_lop(seed, khoi, so_hoc_sinh)`` a whole class sharing school and teachers. The test PKI is
in ``hocbaso.testing.pki`` and Hypothesis strategies in ``hocbaso.testing.strategies``.
"""

from hocbaso.testing._synthetic import (
    GiaoVien,
    Lop,
    Truong,
    tao_hoc_ba,
    tao_hoc_ba_trong_lop,
    tao_lop,
    tao_lop_hoc,
    tao_truong,
)

__all__ = [
    "GiaoVien",
    "Lop",
    "Truong",
    "tao_hoc_ba",
    "tao_hoc_ba_trong_lop",
    "tao_lop",
    "tao_lop_hoc",
    "tao_truong",
]
