"""The language-neutral evaluator: one student-year as a JSON-shaped dict in, results out.

This is the contract vendors whose software is not Python use through
``hocbaso tt22 evaluate`` (``docs/tt22.md`` describes it field by field). It validates strictly
— unknown fields, a mark of 10.5 or 8.15, a wrong number of regular marks, an unknown level code
are errors naming the JSON path — because a silently ignored typo in a school's export would
yield a wrong result in a legal document. It does *not* judge the curriculum: any set of
subjects is evaluated as given.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from hocbaso.errors import RulesError
from hocbaso.models import DanhGiaNhanXet, Khoi, LoaiDanhGia, MucDanhGia, mon_hoc_info
from hocbaso.tt22._hoc_tap import KetQuaHocTap, KetQuaMon, muc_hoc_tap
from hocbaso.tt22._mon_hoc import (
    SO_DGTX_NHAN_XET,
    danh_gia_nhan_xet_ca_nam,
    danh_gia_nhan_xet_hoc_ky,
    diem_trung_binh_ca_nam,
    diem_trung_binh_hoc_ky,
    so_dgtx_yeu_cau,
)
from hocbaso.tt22._ren_luyen import ren_luyen_ca_nam
from hocbaso.tt22._so import DIEM_TOI_DA, DIEM_TOI_THIEU
from hocbaso.tt22._xet_len_lop import (
    SO_BUOI_NGHI_TOI_DA,
    danh_hieu,
    hoc_tap_sau_kiem_tra_lai,
    xet_len_lop,
)

__all__ = ["evaluate"]

_KHOA_GOC = frozenset({"khoi", "mon_hoc", "ren_luyen", "so_buoi_nghi"})
_KHOA_MON = frozenset(
    {"ma", "loai", "so_tiet_nam", "chuyen_de", "hk1", "hk2", "kiem_tra_lai", "khong_danh_gia"}
)
_KHOA_HOC_KY = frozenset({"tx", "gk", "ck"})
_KHOA_REN_LUYEN = frozenset({"hk1", "hk2", "sau_he"})
_SO = re.compile(r"[0-9]+(\.[0-9]+)?")
_MOT_CHU_SO = Decimal("0.1")
#: Without ``so_tiet_nam`` the count cannot be checked exactly; these are the counts the rules
#: can require (2–4, +1 for a chuyên đề).
_SO_DGTX_CO_THE = range(2, 6)
_KHONG_DANH_GIA = "M"


def _loi(code: str, path: str, en: str, vi: str) -> RulesError:
    return RulesError(en, vi, code=f"TT22.INPUT.{code}", path=path)


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _doi_tuong(value: object, path: str, khoa: frozenset[str]) -> Mapping[str, object]:
    """A JSON object with only the known keys (a typo must not be silently ignored)."""
    if not isinstance(value, Mapping):
        raise _loi("TYPE", path, "expected a JSON object", "cần một đối tượng JSON")
    for k in value:
        if not isinstance(k, str) or k not in khoa:
            ten = f"{path}.{k}" if path else str(k)
            raise _loi("UNKNOWN_FIELD", ten, "unknown field", "trường không được hỗ trợ")
    return value


def _con(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _diem(value: object, path: str) -> Decimal:
    """A mark: a string or number 0–10 with at most one decimal (Điều 5 khoản 3 điểm b)."""
    if isinstance(value, bool):
        raise _loi("MARK_FORMAT", path, "a mark must be a number", "điểm phải là một số")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _loi("MARK_FORMAT", path, "a mark must be a number", "điểm phải là một số")
        d = Decimal(repr(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise _loi("MARK_FORMAT", path, "a mark must be a number", "điểm phải là một số")
        d = value
    elif isinstance(value, str):
        text = _nfc(value)
        if not _SO.fullmatch(text):
            raise _loi(
                "MARK_FORMAT",
                path,
                "a mark must be written like 8 or 7.5 (decimal point, no sign or exponent)",
                "điểm phải viết dạng 8 hoặc 7.5 (dấu chấm thập phân)",
            )
        try:
            d = Decimal(text)
        except InvalidOperation as e:  # pragma: no cover - the pattern excludes this
            raise _loi("MARK_FORMAT", path, "not a number", "không phải là số") from e
    else:
        raise _loi("MARK_FORMAT", path, "a mark must be a number", "điểm phải là một số")
    if not DIEM_TOI_THIEU <= d <= DIEM_TOI_DA:
        raise _loi("MARK_RANGE", path, "a mark must be from 0 to 10", "điểm phải từ 0 đến 10")
    q = d.quantize(_MOT_CHU_SO)
    if q != d:
        raise _loi(
            "MARK_DECIMALS",
            path,
            "a mark has at most one decimal",
            "điểm chỉ có tối đa một chữ số thập phân",
        )
    return q


def _muc(value: object, path: str) -> MucDanhGia:
    if isinstance(value, str):
        text = _nfc(value)
        for m in MucDanhGia:
            if str(m) == text:
                return m
    raise _loi("LEVEL", path, "level must be T, K, Đ or CĐ", "mức đánh giá phải là T, K, Đ hoặc CĐ")


def _nhan_xet(value: object, path: str) -> DanhGiaNhanXet:
    if isinstance(value, str):
        text = _nfc(value)
        for m in DanhGiaNhanXet:
            if str(m) == text:
                return m
    raise _loi(
        "LEVEL",
        path,
        "a comment-assessed result must be Đ or CĐ",
        "kết quả nhận xét phải là Đ hoặc CĐ",
    )


def _so_nguyen(value: object, path: str, code: str, nho_nhat: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < nho_nhat:
        raise _loi(
            code,
            path,
            f"expected a whole number ≥ {nho_nhat}",
            f"cần một số nguyên ≥ {nho_nhat}",
        )
    return value


def _khoi(value: object) -> Khoi:
    so: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        so = value
    elif isinstance(value, str) and _nfc(value).isdigit():
        so = int(_nfc(value))
    if so is None or not 6 <= so <= 12:
        raise _loi("KHOI", "khoi", "grade must be 6 to 12", "khối phải từ 6 đến 12")
    return next(k for k in Khoi if k.so == so)


def _bat_buoc(obj: Mapping[str, object], key: str, path: str) -> object:
    value = obj.get(key)
    if value is None:
        raise _loi("MISSING", _con(path, key), "required field missing", "thiếu trường bắt buộc")
    return value


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


def _loai(mon: Mapping[str, object], ma: str, path: str) -> LoaiDanhGia:
    info = mon_hoc_info(ma)
    raw = mon.get("loai")
    if raw is None:
        if info is None:
            raise _loi(
                "SUBJECT_KIND",
                _con(path, "loai"),
                "loai (diem or nhan_xet) is required for a subject code outside the catalogue",
                "cần loai (diem hoặc nhan_xet) với mã môn ngoài danh mục",
            )
        return info.loai
    if raw not in ("diem", "nhan_xet"):
        raise _loi("SUBJECT_KIND", _con(path, "loai"), "loai must be diem or nhan_xet",
                   "loai phải là diem hoặc nhan_xet")  # fmt: skip
    loai = LoaiDanhGia(raw)
    if info is not None and info.loai is not loai:
        raise _loi(
            "SUBJECT_KIND",
            _con(path, "loai"),
            "loai contradicts the catalogue's kind of assessment for this subject code",
            "loai trái với hình thức đánh giá của mã môn trong danh mục",
        )
    return loai


def _hoc_ky_diem(value: object, path: str, so_dgtx: int | None) -> Decimal:
    if not isinstance(value, Mapping):
        return _diem(value, path)  # an average already recorded
    hk = _doi_tuong(value, path, _KHOA_HOC_KY)
    tx_raw = _bat_buoc(hk, "tx", path)
    if not isinstance(tx_raw, Sequence) or isinstance(tx_raw, str):
        raise _loi(
            "TYPE", _con(path, "tx"), "tx must be a list of marks", "tx phải là danh sách điểm"
        )
    tx = [_diem(v, f"{path}.tx[{i}]") for i, v in enumerate(tx_raw)]
    hop_le = [so_dgtx] if so_dgtx is not None else list(_SO_DGTX_CO_THE)
    if len(tx) not in hop_le:
        yeu_cau = str(so_dgtx) if so_dgtx is not None else "2–5"
        raise _loi(
            "TX_COUNT",
            _con(path, "tx"),
            f"{len(tx)} regular marks given, {yeu_cau} required for this subject (Điều 6 khoản 2)",
            f"có {len(tx)} điểm đánh giá thường xuyên, môn này cần {yeu_cau} (Điều 6 khoản 2)",
        )
    gk = _diem(_bat_buoc(hk, "gk", path), _con(path, "gk"))
    ck = _diem(_bat_buoc(hk, "ck", path), _con(path, "ck"))
    return diem_trung_binh_hoc_ky(tx, gk, ck)


def _hoc_ky_nhan_xet(value: object, path: str, so_dgtx: int) -> DanhGiaNhanXet:
    if not isinstance(value, Mapping):
        return _nhan_xet(value, path)
    hk = _doi_tuong(value, path, _KHOA_HOC_KY)
    tx_raw = hk.get("tx", [])
    if tx_raw is None:
        tx_raw = []
    if not isinstance(tx_raw, Sequence) or isinstance(tx_raw, str):
        raise _loi(
            "TYPE", _con(path, "tx"), "tx must be a list of Đ/CĐ", "tx phải là danh sách Đ/CĐ"
        )
    tx = [_nhan_xet(v, f"{path}.tx[{i}]") for i, v in enumerate(tx_raw)]
    gk_raw, ck_raw = hk.get("gk"), hk.get("ck")
    gk = None if gk_raw is None else _nhan_xet(gk_raw, _con(path, "gk"))
    ck = None if ck_raw is None else _nhan_xet(ck_raw, _con(path, "ck"))
    return danh_gia_nhan_xet_hoc_ky(tx, gk, ck, so_dgtx=so_dgtx)


def _mon(value: object, path: str, khoi: Khoi) -> _Mon:
    mon = _doi_tuong(value, path, _KHOA_MON)
    ma_raw = _bat_buoc(mon, "ma", path)
    if not isinstance(ma_raw, str) or not _nfc(ma_raw):
        raise _loi("SUBJECT_CODE", _con(path, "ma"), "ma must be a non-empty string",
                   "ma phải là chuỗi khác rỗng")  # fmt: skip
    ma = _nfc(ma_raw)
    chuyen_de_raw = mon.get("chuyen_de", False)
    if not isinstance(chuyen_de_raw, bool):
        raise _loi("TYPE", _con(path, "chuyen_de"), "chuyen_de must be true or false",
                   "chuyen_de phải là true hoặc false")  # fmt: skip
    if chuyen_de_raw and khoi.so < 10:
        raise _loi(
            "CHUYEN_DE",
            _con(path, "chuyen_de"),
            "chuyên đề học tập exists only in THPT (grades 10–12)",
            "chuyên đề học tập chỉ có ở cấp THPT (lớp 10–12)",
        )
    so_tiet_raw = mon.get("so_tiet_nam")
    so_tiet = (
        None
        if so_tiet_raw is None
        else _so_nguyen(so_tiet_raw, _con(path, "so_tiet_nam"), "PERIODS", 1)
    )
    khong_dg = mon.get("khong_danh_gia", False)
    if not isinstance(khong_dg, bool):
        raise _loi("TYPE", _con(path, "khong_danh_gia"), "khong_danh_gia must be true or false",
                   "khong_danh_gia phải là true hoặc false")  # fmt: skip
    if khong_dg:
        for key in ("hk1", "hk2", "kiem_tra_lai"):
            if mon.get(key) is not None:
                raise _loi(
                    "NOT_ASSESSED_WITH_RESULTS",
                    _con(path, key),
                    "a subject that is not assessed (khong_danh_gia) has no results",
                    "môn không đánh giá (khong_danh_gia) không có kết quả",
                )
        return _Mon(ma, True, None, None, None, None, None)

    loai = _loai(mon, ma, path)
    hk1_raw = _bat_buoc(mon, "hk1", path)
    hk2_raw = _bat_buoc(mon, "hk2", path)
    ktl_raw = mon.get("kiem_tra_lai")
    if loai is LoaiDanhGia.DIEM:
        so_dgtx = None if so_tiet is None else so_dgtx_yeu_cau(so_tiet, chuyen_de=chuyen_de_raw)
        hk1d = _hoc_ky_diem(hk1_raw, _con(path, "hk1"), so_dgtx)
        hk2d = _hoc_ky_diem(hk2_raw, _con(path, "hk2"), so_dgtx)
        ktld = None if ktl_raw is None else _diem(ktl_raw, _con(path, "kiem_tra_lai"))
        return _Mon(ma, False, so_dgtx, hk1d, hk2d, diem_trung_binh_ca_nam(hk1d, hk2d), ktld)
    so_nx = SO_DGTX_NHAN_XET + (1 if chuyen_de_raw else 0)
    hk1n = _hoc_ky_nhan_xet(hk1_raw, _con(path, "hk1"), so_nx)
    hk2n = _hoc_ky_nhan_xet(hk2_raw, _con(path, "hk2"), so_nx)
    ktln = None if ktl_raw is None else _nhan_xet(ktl_raw, _con(path, "kiem_tra_lai"))
    return _Mon(ma, False, so_nx, hk1n, hk2n, danh_gia_nhan_xet_ca_nam(hk1n, hk2n), ktln)


def _chu(kq: KetQuaMon | None) -> str | None:
    if kq is None:
        return None
    return str(kq)


def _hoc_tap_json(kq: KetQuaHocTap) -> dict[str, object]:
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
    goc = _doi_tuong(data, "", _KHOA_GOC)
    khoi = _khoi(_bat_buoc(goc, "khoi", ""))
    ds_raw = _bat_buoc(goc, "mon_hoc", "")
    if not isinstance(ds_raw, Sequence) or isinstance(ds_raw, str):
        raise _loi("TYPE", "mon_hoc", "mon_hoc must be a list", "mon_hoc phải là danh sách")
    ds: list[_Mon] = []
    da_co: set[str] = set()
    for i, m in enumerate(ds_raw):
        mon = _mon(m, f"mon_hoc[{i}]", khoi)
        if mon.ma in da_co:
            raise _loi("SUBJECT_CODE", f"mon_hoc[{i}].ma", "subject code appears twice",
                       "mã môn học bị lặp")  # fmt: skip
        da_co.add(mon.ma)
        ds.append(mon)
    danh_gia = [m for m in ds if not m.khong_danh_gia]
    if not danh_gia:
        raise _loi(
            "NO_SUBJECTS",
            "mon_hoc",
            "no assessed subject to evaluate",
            "không có môn học nào được đánh giá",
        )
    rl = _doi_tuong(_bat_buoc(goc, "ren_luyen", ""), "ren_luyen", _KHOA_REN_LUYEN)
    rl1 = _muc(_bat_buoc(rl, "hk1", "ren_luyen"), "ren_luyen.hk1")
    rl2 = _muc(_bat_buoc(rl, "hk2", "ren_luyen"), "ren_luyen.hk2")
    rl_he_raw = rl.get("sau_he")
    rl_he = None if rl_he_raw is None else _muc(rl_he_raw, "ren_luyen.sau_he")
    nghi = _so_nguyen(_bat_buoc(goc, "so_buoi_nghi", ""), "so_buoi_nghi", "ABSENCES", 0)

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
                "hk1": _chu(m.hk1),
                "hk2": _chu(m.hk2),
                "ca_nam": _chu(m.ca_nam),
                "sau_kiem_tra_lai": _chu(ktl.get(m.ma)),
                "so_dgtx_yeu_cau": m.so_dgtx,
            }
        )
    return {
        "mon_hoc": mon_json,
        "hoc_tap": {
            "hk1": _hoc_tap_json(ht1),
            "hk2": _hoc_tap_json(ht2),
            "ca_nam": _hoc_tap_json(htcn),
            "sau_kiem_tra_lai": None if ht_ktl is None else _hoc_tap_json(ht_ktl),
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
