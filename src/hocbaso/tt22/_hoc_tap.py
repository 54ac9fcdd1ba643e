"""Learning result (kết quả học tập) of a semester or year: Điều 9 khoản 2 and khoản 3.

Input is one result per assessed subject, keyed by subject code: a ``Decimal`` average for a
scored subject, a :class:`~hocbaso.models.DanhGiaNhanXet` for a comment subject. Subjects that
are "not assessed" (Điều 11) are simply left out (``docs/tt22.md`` §2). Because the input is a
mapping and every rule is a count or an "all", the result cannot depend on subject order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeGuard

from hocbaso.models import DanhGiaNhanXet, MucDanhGia

__all__ = ["KetQuaHocTap", "KetQuaMon", "muc_hoc_tap", "xep_muc_hoc_tap"]

#: A subject's result for one period: an average (scored) or Đạt/Chưa đạt (comment).
KetQuaMon = Decimal | DanhGiaNhanXet

_8_0 = Decimal("8.0")
_6_5 = Decimal("6.5")
_5_0 = Decimal("5.0")
_3_5 = Decimal("3.5")
#: "ít nhất 06 môn" in Điều 9 khoản 2 điểm a, b, c.
_SO_MON_TOI_THIEU = 6

DIEU_MUC: dict[MucDanhGia, str] = {
    MucDanhGia.TOT: "Điều 9 khoản 2 điểm a",
    MucDanhGia.KHA: "Điều 9 khoản 2 điểm b",
    MucDanhGia.DAT: "Điều 9 khoản 2 điểm c",
    MucDanhGia.CHUA_DAT: "Điều 9 khoản 2 điểm d",
}
DIEU_DIEU_CHINH = "Điều 9 khoản 3"


@dataclass(frozen=True, slots=True)
class KetQuaHocTap:
    """A learning level and how it was reached.

    ``muc`` is the level to record. ``muc_theo_khoan_2`` is the level of Điều 9 khoản 2 before
    the adjust-up rule; when khoản 3 fired, ``dieu_chinh`` is true, ``muc`` is one step higher
    and ``mon_gay_dieu_chinh`` names the single subject that pulled the level down. ``dieu``
    is the provision that decided ``muc``, so a report can cite it.
    """

    muc: MucDanhGia
    muc_theo_khoan_2: MucDanhGia
    dieu_chinh: bool
    mon_gay_dieu_chinh: str | None
    dieu: str


def _is_diem(kq: KetQuaMon) -> TypeGuard[Decimal]:
    """Scored or comment; anything else is a caller's bug (a float would be inexact)."""
    if isinstance(kq, DanhGiaNhanXet):
        return False
    if isinstance(kq, Decimal):
        return True
    raise TypeError(f"a subject result must be Decimal or DanhGiaNhanXet, not {type(kq)!r}")


def xep_muc_hoc_tap(ket_qua: Mapping[str, KetQuaMon]) -> MucDanhGia:
    """The level of Điều 9 khoản 2 (a–d), without the adjust-up rule.

    - a) Tốt: every comment subject Đạt; every scored subject ≥ 6.5, at least 6 of them ≥ 8.0;
    - b) Khá: every comment subject Đạt; every scored subject ≥ 5.0, at least 6 of them ≥ 6.5;
    - c) Đạt: at most one comment subject Chưa đạt; at least 6 scored subjects ≥ 5.0 and none
      below 3.5 (strictly: 3.5 itself passes);
    - d) Chưa đạt: every other case.

    Comparisons use the recorded one-decimal averages ("từ … trở lên" is ≥).
    """
    diem_so = [kq for kq in ket_qua.values() if _is_diem(kq)]
    so_chua_dat = sum(1 for kq in ket_qua.values() if kq is DanhGiaNhanXet.CHUA_DAT)

    def dem(nguong: Decimal) -> int:
        return sum(1 for d in diem_so if d >= nguong)

    if so_chua_dat == 0 and all(d >= _6_5 for d in diem_so) and dem(_8_0) >= _SO_MON_TOI_THIEU:
        return MucDanhGia.TOT
    if so_chua_dat == 0 and all(d >= _5_0 for d in diem_so) and dem(_6_5) >= _SO_MON_TOI_THIEU:
        return MucDanhGia.KHA
    if so_chua_dat <= 1 and dem(_5_0) >= _SO_MON_TOI_THIEU and all(d >= _3_5 for d in diem_so):
        return MucDanhGia.DAT
    return MucDanhGia.CHUA_DAT


def muc_hoc_tap(ket_qua: Mapping[str, KetQuaMon]) -> KetQuaHocTap:
    """The learning level to record: Điều 9 khoản 2, then the adjust-up rule of khoản 3.

    Khoản 3: when the level is two or more steps below Tốt or Khá "chỉ do kết quả đánh giá của
    duy nhất 01 môn học", it rises to the next level ("mức liền kề") above the actual one.
    ``docs/tt22.md`` §2 fixes the reading: the reference level of a subject X is the khoản 2
    level of all the *other* subjects (exclusion, the "at least 6" counts unchanged), X may be a
    comment subject, exactly one such X must exist, and the rule applies once (no cascading).

    So 7 × 9.0 and one 4.9 is Đạt → Khá; one 3.4 is Chưa đạt → Đạt; two subjects at 4.0 is
    Đạt with no adjustment (two culprits).
    """
    muc = xep_muc_hoc_tap(ket_qua)
    thu_pham = _thu_pham(ket_qua, muc)
    if len(thu_pham) == 1:
        return KetQuaHocTap(
            muc=MucDanhGia.from_rank(muc.rank + 1),
            muc_theo_khoan_2=muc,
            dieu_chinh=True,
            mon_gay_dieu_chinh=thu_pham[0],
            dieu=DIEU_DIEU_CHINH,
        )
    return KetQuaHocTap(
        muc=muc, muc_theo_khoan_2=muc, dieu_chinh=False, mon_gay_dieu_chinh=None, dieu=DIEU_MUC[muc]
    )


def _thu_pham_reference(ket_qua: Mapping[str, KetQuaMon], muc: MucDanhGia) -> list[str]:
    """Khoản 3's culprits by definition: every subject whose exclusion leaves a reference
    level of Khá or Tốt at least two steps above ``muc`` (one khoản 2 level per subject)."""
    thu_pham: list[str] = []
    if muc.rank <= MucDanhGia.DAT.rank:
        for ma in ket_qua:
            con_lai = {k: v for k, v in ket_qua.items() if k != ma}
            tham_chieu = xep_muc_hoc_tap(con_lai)
            if tham_chieu.rank >= MucDanhGia.KHA.rank and tham_chieu.rank - muc.rank >= 2:
                thu_pham.append(ma)
    return thu_pham


def _thu_pham(ket_qua: Mapping[str, KetQuaMon], muc: MucDanhGia) -> list[str]:
    """The same culprits as :func:`_thu_pham_reference`, with one exclusion at most.

    A reference level of Khá or better needs every *other* comment subject Đạt and every other
    score ≥ 5.0, so the subjects that break that floor (a comment Chưa đạt, a score below 5.0)
    must all be the excluded one: with two or more of them nobody is a culprit, with exactly one
    only that subject can be. With none, no exclusion can help either: excluding only lowers
    the "at least 6" counts, and if the other subjects reached Tốt (every score ≥ 6.5, six ≥
    8.0) the whole set would already be Khá (all ≥ 5.0, six ≥ 6.5), not two steps below it;
    below Đạt with none of them means fewer than six scored subjects, too few for Khá after
    any exclusion. So the one candidate, if any, is judged by the very rule the reference
    uses. docs/tt22.md §2 states the rule; a hypothesis test compares the two functions.
    """
    if muc.rank > MucDanhGia.DAT.rank:
        return []
    duoi_san = [
        ma
        for ma, kq in ket_qua.items()
        if kq is DanhGiaNhanXet.CHUA_DAT or (_is_diem(kq) and kq < _5_0)
    ]
    if len(duoi_san) != 1:
        return []
    ma = duoi_san[0]
    tham_chieu = xep_muc_hoc_tap({k: v for k, v in ket_qua.items() if k != ma})
    if tham_chieu.rank >= MucDanhGia.KHA.rank and tham_chieu.rank - muc.rank >= 2:
        return [ma]
    return []
