"""Which organisation may issue for which school: the issuer registry (docs/verification.md §5).

An issuance signature proves that *some* organisation certificate sealed the record; nothing in
the certificate says it is the certificate of the school the record names. A Sở (or the
Ministry) knows its schools' tax codes and budget-unit codes, so it can say which organisation
identifiers may issue for each school code (``MA_TRUONG``). With such a registry the verifier
checks the KY_PHAT_HANH certificate against the record's school; without one it only warns.

Shape: school code → organisation identifiers, each ``MST:<tax code>``, ``MNS:<budget-unit code>``
(``MQHNS:`` is read as ``MNS:``) or a bare value that matches either kind. Files:

- JSON: ``{"01234567": ["MST:0101234567", "MNS:1234567"], …}``;
- CSV (UTF-8, header row ``MA_TRUONG,DINH_DANH``): one line per (school, identifier) pair.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from hocbaso.errors import VerificationInputError
from hocbaso.signature._internal import LoaiDinhDanh, SubjectIdentity

__all__ = ["IssuerRegistry", "load_issuer_registry"]

_ORG_PREFIXES = {"MST": LoaiDinhDanh.MST, "MNS": LoaiDinhDanh.MNS, "MQHNS": LoaiDinhDanh.MNS}
#: (kind or None for "any organisation kind", value)
_Entry = tuple[LoaiDinhDanh | None, str]


def _bad(reason_en: str, reason_vi: str) -> VerificationInputError:
    return VerificationInputError(
        f"Issuer registry: {reason_en}",
        f"Danh mục đơn vị phát hành: {reason_vi}",
        code="VERIFY.INPUT.ISSUER_REGISTRY",
    )


def _entry(text: str) -> _Entry:
    raw = text.strip()
    if ":" in raw:
        prefix, value = (p.strip() for p in raw.split(":", 1))
        kind = _ORG_PREFIXES.get(prefix.upper())
        if kind is None:
            raise _bad(
                "an identifier's kind must be MST:, MNS: or MQHNS: (never a personal ID)",
                "loại định danh phải là MST:, MNS: hoặc MQHNS: (không dùng số định danh cá nhân)",
            )
    else:
        kind, value = None, raw
    if not value or any(c.isspace() for c in value):
        raise _bad("an empty or malformed organisation identifier", "định danh tổ chức rỗng/sai")
    return kind, value


class IssuerRegistry:
    """School code (``MA_TRUONG``) → the organisation identifiers allowed to issue for it.

    Immutable and picklable (``verify_many`` ships it to worker processes inside the policy).
    Build it from a mapping, or with :func:`load_issuer_registry` from a JSON or CSV file.
    """

    __slots__ = ("_schools",)

    def __init__(self, schools: Mapping[str, Iterable[str]]) -> None:
        built: dict[str, frozenset[_Entry]] = {}
        for school, identifiers in schools.items():
            code = str(school).strip()
            if not code:
                raise _bad("an empty school code", "mã trường rỗng")
            if isinstance(identifiers, str):
                raise _bad(
                    "each school needs a list of identifiers, not one string",
                    "mỗi trường cần một danh sách định danh, không phải một chuỗi",
                )
            entries = frozenset(_entry(str(i)) for i in identifiers)
            if not entries:
                raise _bad("a school with no identifier", "một trường không có định danh nào")
            built[code] = built.get(code, frozenset()) | entries
        self._schools = built

    def __contains__(self, school: object) -> bool:
        return isinstance(school, str) and school in self._schools

    def __len__(self) -> int:
        return len(self._schools)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IssuerRegistry) and other._schools == self._schools

    def __hash__(self) -> int:
        return hash(frozenset(self._schools.items()))

    def __repr__(self) -> str:
        return f"IssuerRegistry({len(self._schools)} schools)"

    def __getstate__(self) -> dict[str, frozenset[_Entry]]:
        return self._schools

    def __setstate__(self, state: dict[str, frozenset[_Entry]]) -> None:
        self._schools = state

    def allows(self, school: str, identities: Iterable[SubjectIdentity]) -> bool | None:
        """Whether one of ``identities`` (a certificate's organisation identities) may issue for
        ``school``; ``None`` when the school is not in the registry."""
        entries = self._schools.get(school)
        if entries is None:
            return None
        for ident in identities:
            if ident.personal:
                continue
            if (ident.kind, ident.value) in entries or (None, ident.value) in entries:
                return True
        return False


def _from_json(text: str) -> IssuerRegistry:
    try:
        data = json.loads(text)
    except ValueError as e:
        raise _bad("not valid JSON", "không phải JSON hợp lệ") from e
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise _bad(
            'JSON must be an object {"<MA_TRUONG>": ["MST:…", …]}',
            'JSON phải là đối tượng {"<MA_TRUONG>": ["MST:…", …]}',
        )
    return IssuerRegistry(data)


def _from_csv(text: str) -> IssuerRegistry:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().upper() for c in rows[0]] != ["MA_TRUONG", "DINH_DANH"]:
        raise _bad(
            "CSV must start with the header MA_TRUONG,DINH_DANH",
            "CSV phải bắt đầu bằng dòng tiêu đề MA_TRUONG,DINH_DANH",
        )
    schools: dict[str, list[str]] = {}
    for row in rows[1:]:
        if not any(c.strip() for c in row):
            continue
        if len(row) != 2:
            raise _bad("each CSV line needs exactly two columns", "mỗi dòng CSV cần đúng hai cột")
        schools.setdefault(row[0].strip(), []).append(row[1])
    return IssuerRegistry(schools)


def load_issuer_registry(source: str | Path | bytes) -> IssuerRegistry:
    """An :class:`IssuerRegistry` from a ``.json`` or ``.csv`` file (by suffix), or from the
    bytes of either (JSON when they start with ``{``). Raises
    :class:`~hocbaso.errors.VerificationInputError` (``VERIFY.INPUT.ISSUER_REGISTRY``) when the
    file cannot be read or has another shape."""
    if isinstance(source, bytes):
        raw, is_json = source, source.lstrip().startswith(b"{")
    else:
        path = Path(source)
        suffix = path.suffix.lower()
        if suffix not in (".json", ".csv"):
            raise _bad("the file must end in .json or .csv", "tệp phải có đuôi .json hoặc .csv")
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise _bad("the file cannot be read", "không đọc được tệp") from e
        is_json = suffix == ".json"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _bad("the file is not UTF-8", "tệp không mã hoá UTF-8") from e
    return _from_json(text) if is_json else _from_csv(text)
