"""hocbaso: Vietnam's digital school transcript (Học bạ số) as a library."""

from hocbaso.errors import (
    AlgorithmError,
    CertificateError,
    ConfigurationError,
    HocBaSoError,
    ModelError,
    PacketError,
    ParseError,
    RoleOrderError,
    RulesError,
    SchemaError,
    SigningError,
    UsageError,
    VerificationInputError,
)

__version__ = "0.1.0"

__all__ = [
    "AlgorithmError",
    "CertificateError",
    "ConfigurationError",
    "HocBaSoError",
    "ModelError",
    "PacketError",
    "ParseError",
    "RoleOrderError",
    "RulesError",
    "SchemaError",
    "SigningError",
    "UsageError",
    "VerificationInputError",
    "__version__",
]
