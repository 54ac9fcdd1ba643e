"""Synthetic data and test helpers. Test-only: nothing here is a real person or key.

``tao_hoc_ba(seed)`` gives one realistic record with consistent Thông tư 22 results,
``tao_lop(seed, khoi, so_hoc_sinh)`` a whole class sharing school and teachers,
``tao_hoc_ba_cac_nam`` the yearly records of one student and ``phat_hanh_thu`` an issued record
signed by every role with test keys. The test PKI is
in ``hocbaso.testing.pki`` and Hypothesis strategies in ``hocbaso.testing.strategies``.
"""

from hocbaso.testing._issue import phat_hanh_thu, tao_hoc_ba_cac_nam
from hocbaso.testing._synthetic import (
    GiaoVien,
    Lop,
    Truong,
    tao_hoc_ba,
    tao_hoc_ba_trong_lop,
    tao_lop,
    tao_lop_hoc,
)

__all__ = [
    "GiaoVien",
    "Lop",
    "Truong",
    "phat_hanh_thu",
    "tao_hoc_ba",
    "tao_hoc_ba_cac_nam",
    "tao_hoc_ba_trong_lop",
    "tao_lop",
    "tao_lop_hoc",
]
