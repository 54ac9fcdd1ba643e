"""Shared builders for evaluator inputs (THCS catalogue codes, recorded semester results)."""

from __future__ import annotations

from typing import Any

#: Scored THCS subjects: Toán, Ngữ văn, Ngoại ngữ 1, LS&ĐL, KHTN, GDCD, Công nghệ, Tin học.
DIEM_THCS = ["15", "19", "69", "05", "66", "26", "27", "32"]
#: Comment THCS subjects: GDTC, HĐTN-HN, Nghệ thuật, ND GD địa phương.
NHAN_XET_THCS = ["88", "91", "97", "99"]


def dau_vao(
    ca_nam: list[str] | None = None,
    *,
    nhan_xet: list[str] | None = None,
    khoi: int = 8,
    ren_luyen: tuple[str, str] = ("T", "T"),
    so_buoi_nghi: int = 0,
) -> dict[str, Any]:
    """An input whose semester averages are both equal to ``ca_nam`` (so the year is too)."""
    diem = ca_nam if ca_nam is not None else ["8.0"] * 8
    nx = nhan_xet if nhan_xet is not None else ["Đ"] * 4
    mon: list[dict[str, Any]] = [
        {"ma": ma, "hk1": d, "hk2": d} for ma, d in zip(DIEM_THCS, diem, strict=False)
    ]
    mon += [{"ma": ma, "hk1": v, "hk2": v} for ma, v in zip(NHAN_XET_THCS, nx, strict=False)]
    return {
        "khoi": khoi,
        "mon_hoc": mon,
        "ren_luyen": {"hk1": ren_luyen[0], "hk2": ren_luyen[1]},
        "so_buoi_nghi": so_buoi_nghi,
    }


def mon_theo_ma(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["ma"]: m for m in out["mon_hoc"]}


def dat_mon(inp: dict[str, Any], ma: str, **fields: Any) -> dict[str, Any]:
    """Set fields of the subject ``ma`` in place and return the input."""
    for m in inp["mon_hoc"]:
        if m["ma"] == ma:
            m.update(fields)
            return inp
    raise KeyError(ma)
