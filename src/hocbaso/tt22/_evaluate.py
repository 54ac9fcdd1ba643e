"""The language-neutral evaluator: one student-year as a JSON-shaped dict in, results out.

This is the contract vendors whose software is not Python use through
``hocbaso tt22 evaluate`` (``docs/tt22.md`` describes it field by field). It validates strictly
— unknown fields, a mark of 10.5 or 8.15, a wrong number of regular marks, an unknown level code
are errors naming the JSON path — because a silently ignored typo in a school's export would
yield a wrong result in a legal document. It does *not* judge the curriculum: any set of
subjects is evaluated as given. The input contract itself is the frozen pydantic models of
``_dau_vao``; this module only computes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hocbaso.models import MucDanhGia
from hocbaso.tt22._dau_vao import (
    HocKyDiem,
    HocKyNhanXet,
    MonDiem,
    MonKhongDanhGia,
    MonLoaiSai,
    MonNhanXet,
    doc_dau_vao,
    doc_json,
)
from hocbaso.tt22._hoc_tap import KetQuaHocTap, KetQuaMon, muc_hoc_tap
from hocbaso.tt22._mon_hoc import (
    SO_DGTX_NHAN_XET,
    danh_gia_nhan_xet_ca_nam,
    danh_gia_nhan_xet_hoc_ky,
    diem_trung_binh_ca_nam,
    diem_trung_binh_hoc_ky,
)
from hocbaso.tt22._ren_luyen import ren_luyen_ca_nam
from hocbaso.tt22._xet_len_lop import (
    SO_BUOI_NGHI_TOI_DA,
    danh_hieu,
    hoc_tap_sau_kiem_tra_lai,
    xet_len_lop,
)

__all__ = ["evaluate", "evaluate_json"]

_KHONG_DANH_GIA = "M"


@dataclass(frozen=True, slots=True)
class _Mon:
    """One subject after validation, with its computed semester and year results."""

    ma: str
    khong_danh_gia: bool
    so_dgtx: int | None
    hk1: KetQuaMon | None
    hk2: KetQuaMon | None
    ca_nam: KetQuaMon | None
    kiem_tra_lai: KetQuaMon | None


def _ket_qua_mon(mon: MonDiem | MonNhanXet | MonKhongDanhGia | MonLoaiSai) -> _Mon:
    """The semester and year results of one validated subject (Điều 9 khoản 1)."""
    assert not isinstance(mon, MonLoaiSai)  # its validator refuses every instance
    if isinstance(mon, MonKhongDanhGia):
        return _Mon(mon.ma, True, None, None, None, None, None)
    if isinstance(mon, MonDiem):
        hk_d = [
            diem_trung_binh_hoc_ky(list(hk.tx), hk.gk, hk.ck) if isinstance(hk, HocKyDiem) else hk
            for hk in (mon.hk1, mon.hk2)
        ]
        ca_nam_d = diem_trung_binh_ca_nam(hk_d[0], hk_d[1])
        return _Mon(mon.ma, False, mon.so_dgtx, hk_d[0], hk_d[1], ca_nam_d, mon.kiem_tra_lai)
    so_nx = SO_DGTX_NHAN_XET + (1 if mon.chuyen_de else 0)
    hk_n = [
        danh_gia_nhan_xet_hoc_ky(list(hk.tx), hk.gk, hk.ck, so_dgtx=so_nx)
        if isinstance(hk, HocKyNhanXet)
        else hk
        for hk in (mon.hk1, mon.hk2)
    ]
    ca_nam_n = danh_gia_nhan_xet_ca_nam(hk_n[0], hk_n[1])
    return _Mon(mon.ma, False, so_nx, hk_n[0], hk_n[1], ca_nam_n, mon.kiem_tra_lai)


def _as_text(kq: KetQuaMon | None) -> str | None:
    if kq is None:
        return None
    return str(kq)


def _hoc_tap_to_json(kq: KetQuaHocTap) -> dict[str, object]:
    return {
        "muc": str(kq.muc),
        "dieu_chinh": kq.dieu_chinh,
        "mon_gay_dieu_chinh": kq.mon_gay_dieu_chinh,
    }


def evaluate(data: Mapping[str, object]) -> dict[str, Any]:
    """Evaluate one student-year given as a JSON-shaped dict; return the JSON-shaped results.

    Raises :class:`~hocbaso.errors.RulesError` (code ``TT22.INPUT.*``, ``path`` naming the JSON
    field such as ``mon_hoc[0].hk1.tx[2]``) for input that cannot be evaluated. The output
    holds only strings, booleans, integers, lists, dicts and ``None``, so ``json.dumps``
    round-trips it; it is typed ``dict[str, Any]`` like any parsed JSON.
    """
    dau_vao = doc_dau_vao(data)
    khoi = dau_vao.khoi
    ds = [_ket_qua_mon(m) for m in dau_vao.mon_hoc]
    danh_gia = [m for m in ds if not m.khong_danh_gia]
    rl1, rl2, rl_he = dau_vao.ren_luyen.hk1, dau_vao.ren_luyen.hk2, dau_vao.ren_luyen.sau_he
    nghi = dau_vao.so_buoi_nghi

    def ket_qua(attr: str) -> dict[str, KetQuaMon]:
        out: dict[str, KetQuaMon] = {}
        for m in danh_gia:
            kq = getattr(m, attr)
            assert kq is not None
            out[m.ma] = kq
        return out

    ca_nam = ket_qua("ca_nam")
    ht1, ht2, htcn = muc_hoc_tap(ket_qua("hk1")), muc_hoc_tap(ket_qua("hk2")), muc_hoc_tap(ca_nam)
    rlcn = ren_luyen_ca_nam(rl1, rl2)
    vang_qua = nghi > SO_BUOI_NGHI_TOI_DA
    rl_he_dung = rl_he if rlcn is MucDanhGia.CHUA_DAT and not vang_qua else None

    so_bo = xet_len_lop(
        khoi=khoi, hoc_tap_ca_nam=htcn.muc, ren_luyen_ca_nam=rlcn, so_buoi_nghi=nghi,
        ket_qua_ca_nam=ca_nam,
    )  # fmt: skip
    kt_mon = so_bo.mon_kiem_tra_lai
    ktl = {m.ma: m.kiem_tra_lai for m in danh_gia if m.ma in kt_mon and m.kiem_tra_lai is not None}
    ht_ktl = hoc_tap_sau_kiem_tra_lai(ca_nam, ktl) if kt_mon and len(ktl) == len(kt_mon) else None
    ket_luan = xet_len_lop(
        khoi=khoi,
        hoc_tap_ca_nam=htcn.muc,
        ren_luyen_ca_nam=rlcn,
        so_buoi_nghi=nghi,
        ket_qua_ca_nam=ca_nam,
        ren_luyen_sau_he=rl_he_dung,
        hoc_tap_sau_kiem_tra_lai=None if ht_ktl is None else ht_ktl.muc,
    )
    dh = danh_hieu(hoc_tap_ca_nam=htcn.muc, ren_luyen_ca_nam=rlcn, ket_qua_ca_nam=ca_nam)

    mon_json: list[dict[str, object]] = []
    for m in ds:
        if m.khong_danh_gia:
            mon_json.append(
                {"ma": m.ma, "hk1": _KHONG_DANH_GIA, "hk2": _KHONG_DANH_GIA,
                 "ca_nam": _KHONG_DANH_GIA, "sau_kiem_tra_lai": None, "so_dgtx_yeu_cau": None}
            )  # fmt: skip
            continue
        mon_json.append(
            {
                "ma": m.ma,
                "hk1": _as_text(m.hk1),
                "hk2": _as_text(m.hk2),
                "ca_nam": _as_text(m.ca_nam),
                "sau_kiem_tra_lai": _as_text(ktl.get(m.ma)),
                "so_dgtx_yeu_cau": m.so_dgtx,
            }
        )
    return {
        "mon_hoc": mon_json,
        "hoc_tap": {
            "hk1": _hoc_tap_to_json(ht1),
            "hk2": _hoc_tap_to_json(ht2),
            "ca_nam": _hoc_tap_to_json(htcn),
            "sau_kiem_tra_lai": None if ht_ktl is None else _hoc_tap_to_json(ht_ktl),
        },
        "ren_luyen": {
            "hk1": str(rl1),
            "hk2": str(rl2),
            "ca_nam": str(rlcn),
            "sau_he": None if rl_he_dung is None else str(rl_he_dung),
        },
        "mon_kiem_tra_lai": list(kt_mon),
        "xet_len_lop": ket_luan.ket_qua.value,
        "noi_dung": ket_luan.noi_dung,
        "danh_hieu": None if dh is None else dh.value,
    }


def evaluate_json(text: bytes | str) -> dict[str, Any]:
    """:func:`evaluate` for JSON text, as ``hocbaso tt22 evaluate`` reads it.

    On top of :func:`evaluate`'s rules: the text is UTF-8 (a BOM is tolerated), a key given twice
    in one object is refused at any depth (``TT22.INPUT.DUPLICATE_KEY``, with its path), and a
    JSON number is judged by its literal, so the mark ``1e1`` is refused exactly as ``"1e1"``
    (``docs/tt22.md`` §3.1). Unreadable text is ``TT22.INPUT.JSON``.
    """
    return evaluate(doc_json(text))  # type: ignore[arg-type]  # evaluate refuses a non-object
