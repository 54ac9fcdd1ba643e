"""Conduct (kết quả rèn luyện) of the year from the two semesters (Điều 8 khoản 2 điểm b).

The semester levels are the homeroom teacher's judgement against the phẩm chất of CT GDPT 2018;
only the year level is computed. Semester II dominates: it is the student's state at the end of
the year, and semester I can move it by at most one step.
"""

from __future__ import annotations

from hocbaso.models import MucDanhGia

__all__ = ["DIEU_REN_LUYEN_CA_NAM", "ren_luyen_ca_nam"]

#: The year-conduct table is Điều 8 khoản 2 điểm b (khoản 2 điểm a grades each semester).
DIEU_REN_LUYEN_CA_NAM = "Điều 8 khoản 2 điểm b"

_T, _K, _D, _CD = MucDanhGia.TOT, MucDanhGia.KHA, MucDanhGia.DAT, MucDanhGia.CHUA_DAT

#: ``_BANG[(hk1, hk2)]`` — the whole table, written out so that it can be read against the text.
_BANG: dict[tuple[MucDanhGia, MucDanhGia], MucDanhGia] = {
    (_T, _T): _T, (_T, _K): _K, (_T, _D): _K, (_T, _CD): _CD,
    (_K, _T): _T, (_K, _K): _K, (_K, _D): _D, (_K, _CD): _CD,
    (_D, _T): _K, (_D, _K): _K, (_D, _D): _D, (_D, _CD): _CD,
    (_CD, _T): _K, (_CD, _K): _D, (_CD, _D): _D, (_CD, _CD): _CD,
}  # fmt: skip


def ren_luyen_ca_nam(hk1: MucDanhGia, hk2: MucDanhGia) -> MucDanhGia:
    """Year conduct (Điều 8 khoản 2 điểm b): Tốt = II Tốt and I ≥ Khá; Khá = II Khá and I ≥ Đạt,
    or II Đạt and I Tốt, or II Tốt and I ≤ Đạt; Đạt = II Đạt and I ≤ Khá, or II Khá and I Chưa
    đạt; otherwise (every II Chưa đạt) Chưa đạt.
    """
    return _BANG[(hk1, hk2)]
