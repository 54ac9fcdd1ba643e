"""hocbaso: Vietnam's digital school transcript (Học bạ số) as a library.

The public API is what this module and the subpackages' ``__init__`` modules export
(``docs/api.md`` lists it). Layers, from the bottom: ``models`` (typed records) → ``packet``
(XML in and out, schemas) → ``signature`` (signing, roles, issue/correct/revoke) → ``verify``
(the verification steps and report); ``tt22`` computes and checks Thông tư 22 results.
The verification entry point is ``hocbaso.verify.verify`` (not re-exported here, so that the
name ``hocbaso.verify`` keeps meaning the subpackage). ``hocbaso.validate`` is the full check
of a record's content (schema, catalogue, Thông tư 22; ``content=False`` skips the last);
``hocbaso.packet.validate`` is the XSD alone.

The version is written once, in ``pyproject.toml``; ``__version__`` reads it from the installed
package's metadata so the two can never disagree. A source tree put on ``sys.path`` without being
installed has no metadata; it reports ``0+unknown`` rather than failing to import.
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _installed_version

from hocbaso.errors import (
    AlgorithmError,
    CertificateError,
    ConfigurationError,
    ContentError,
    ErrorDetail,
    HocBaSoError,
    InputError,
    ModelError,
    PackageError,
    PacketError,
    ParseError,
    RoleOrderError,
    RulesError,
    SchemaError,
    SigningError,
    UsageError,
    VerificationFailedError,
    VerificationInputError,
)
from hocbaso.models import (
    MON_HOC,
    CapHoc,
    ChungChi,
    DanhGiaNhanXet,
    DanToc,
    DiaChi,
    DiaChiTruong,
    DiemTongKet,
    DinhChinh,
    GioiTinh,
    HinhThucKy,
    HocBa,
    HocSinh,
    Khoi,
    LoaiDanhGia,
    MonHocInfo,
    MucDanhGia,
    NguoiKy,
    QuaTrinhHocTap,
    ThongTinChung,
    ThongTinHocBa,
    ThongTinTruong,
    Tinh,
    TongKet,
    TrangThaiHocBa,
)
from hocbaso.packet import (
    ParseLimits,
    from_xml,
    is_valid,
    iter_errors,
    parse_xml,
    schema_path,
    to_xml,
)
from hocbaso.signature import (
    IssuedRecord,
    KeyFileSigner,
    Pkcs11Signer,
    PreparedBatch,
    PreparedSignature,
    Signer,
    SigningPolicy,
    VaiTroKy,
    complete,
    complete_many,
    correct,
    issue,
    prepare,
    prepare_many,
    revoke,
    sign,
    validate,
)
from hocbaso.tt22 import Finding, RuleReport, check_record, evaluate
from hocbaso.verify import (
    CrlSet,
    StepResult,
    TrustStore,
    VerificationPolicy,
    VerificationReport,
    verify_many,
)

try:
    __version__: str = _installed_version("hocbaso")
except _PackageNotFoundError:  # pragma: no cover - only outside an installation
    __version__ = "0+unknown"

__all__ = [
    "MON_HOC",
    "AlgorithmError",
    "CapHoc",
    "CertificateError",
    "ChungChi",
    "ConfigurationError",
    "ContentError",
    "CrlSet",
    "DanToc",
    "DanhGiaNhanXet",
    "DiaChi",
    "DiaChiTruong",
    "DiemTongKet",
    "DinhChinh",
    "ErrorDetail",
    "Finding",
    "GioiTinh",
    "HinhThucKy",
    "HocBa",
    "HocBaSoError",
    "HocSinh",
    "InputError",
    "IssuedRecord",
    "KeyFileSigner",
    "Khoi",
    "LoaiDanhGia",
    "ModelError",
    "MonHocInfo",
    "MucDanhGia",
    "NguoiKy",
    "PackageError",
    "PacketError",
    "ParseError",
    "ParseLimits",
    "Pkcs11Signer",
    "PreparedBatch",
    "PreparedSignature",
    "QuaTrinhHocTap",
    "RoleOrderError",
    "RuleReport",
    "RulesError",
    "SchemaError",
    "Signer",
    "SigningError",
    "SigningPolicy",
    "StepResult",
    "ThongTinChung",
    "ThongTinHocBa",
    "ThongTinTruong",
    "Tinh",
    "TongKet",
    "TrangThaiHocBa",
    "TrustStore",
    "UsageError",
    "VaiTroKy",
    "VerificationFailedError",
    "VerificationInputError",
    "VerificationPolicy",
    "VerificationReport",
    "__version__",
    "check_record",
    "complete",
    "complete_many",
    "correct",
    "evaluate",
    "from_xml",
    "is_valid",
    "issue",
    "iter_errors",
    "parse_xml",
    "prepare",
    "prepare_many",
    "revoke",
    "schema_path",
    "sign",
    "to_xml",
    "validate",
    "verify_many",
]
