"""Every exception hocbaso raises, in one tree.

Library errors carry a stable ``code`` (a dotted string such as ``MODEL.SCHOOL_YEAR`` that
callers can branch on and that never changes between releases), the ``path`` of the offending
field or element when there is one, and a message in Vietnamese (``message_vi``) and English
(``message_en``). ``str(error)`` gives both. Messages never contain personal data (names,
personal IDs, birth dates): they name the *field*, never its value.

Each branch also inherits the matching builtin, so that generic ``except ValueError`` handlers
keep working::

    HocBaSoError
    ├── InputError(ValueError, TypeError) an argument of the wrong type, or a file that
    │                                     cannot be read (the message says what to pass)
    ├── ModelError(ValueError)            a record's data breaks a rule of the catalogue
    ├── ContentError(ValueError)          a record's Thông tư 22 results disagree with its own
    │                                     data (issuing, CBQL signing, full ``validate``)
    ├── PacketError(ValueError)           XML in or out of the packet layer
    │   ├── ParseError                    not well-formed, DTD/entity, too large, too deep
    │   └── SchemaError                   well-formed but invalid against the bundled XSD
    ├── RulesError(ValueError)            Thông tư 22 evaluator input that cannot be evaluated
    ├── SigningError(ValueError)          a signature cannot be added
    │   ├── RoleOrderError                role missing before, duplicated, or after issuance
    │   ├── CertificateError              the signer's certificate cannot sign this role
    │   └── AlgorithmError                a weak or unknown algorithm was asked for
    ├── VerificationInputError(ValueError) the verifier could not run (no trust anchors, …)
    ├── VerificationFailedError(ValueError) opt-in: report.raise_for_status() on a failed check
    ├── PackageError(ValueError)          a package, receipt or transfer bundle cannot be made
    │                                     or read at all (``PACKAGE.*``, docs/package.md)
    ├── ConfigurationError(ValueError)    a policy or option is inconsistent
    └── RenderError(ValueError)           a copy cannot be rendered (mixed students in a
                                          booklet, no font, a PDF without its packet …)

    UsageError(RuntimeError)              misuse of the API (finishing a two-phase signature
                                          twice, …); a programming error, not bad data

Bad *content* found while checking (a tampered score, an expired certificate) is not an
exception: verification and the rule check return reports made of findings. Exceptions are for
"could not do what was asked".
"""

from __future__ import annotations

__all__ = [
    "AlgorithmError",
    "CertificateError",
    "ConfigurationError",
    "ContentError",
    "ErrorDetail",
    "HocBaSoError",
    "InputError",
    "ModelError",
    "PackageError",
    "PacketError",
    "ParseError",
    "RenderError",
    "RoleOrderError",
    "RulesError",
    "SchemaError",
    "SigningError",
    "UsageError",
    "VerificationFailedError",
    "VerificationInputError",
]

from dataclasses import dataclass
from typing import Self


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One problem inside a larger error (a schema or model error can hold many)."""

    code: str
    path: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "path": self.path,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


class HocBaSoError(Exception):
    """Root of every error the library raises on bad input or a refused operation."""

    default_code = "HOCBASO"

    def __init__(
        self,
        message_en: str,
        message_vi: str | None = None,
        *,
        code: str | None = None,
        path: str = "",
        details: tuple[ErrorDetail, ...] = (),
    ) -> None:
        self.code = code or self.default_code
        self.path = path
        self.message_en = message_en
        self.message_vi = message_vi or message_en
        self.details = details
        super().__init__(self._render())

    @classmethod
    def from_details(cls, details: tuple[ErrorDetail, ...], en: str, vi: str) -> Self:
        """One error for several problems (at least one): the first gives the code, path and
        message after the prefixes ``en``/``vi``, and a count says how many more follow.

        Why here: the model, schema and content checks all report many problems as one
        exception and must word and code it the same way.
        """
        first = details[0]
        more = f" (+{len(details) - 1})" if len(details) > 1 else ""
        return cls(
            f"{en}{first.message_en}{more}",
            f"{vi}{first.message_vi}{more}",
            code=first.code,
            path=first.path,
            details=details,
        )

    def _render(self) -> str:
        where = f" [{self.path}]" if self.path else ""
        if self.message_vi == self.message_en:
            return f"{self.code}{where}: {self.message_en}"
        return f"{self.code}{where}: {self.message_vi} / {self.message_en}"

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form, used by the CLI's ``--json`` output."""
        return {
            "code": self.code,
            "path": self.path,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "details": [d.as_dict() for d in self.details],
        }


class ModelError(HocBaSoError, ValueError):
    """A record's data breaks a catalogue rule (length, pattern, code list, consistency)."""

    default_code = "MODEL"


class InputError(HocBaSoError, ValueError, TypeError):
    """An argument hocbaso cannot use: a ``str`` where packet bytes or a ``Path`` belong, a
    model where signed bytes belong, a file that is missing or not a regular file.

    Also a ``TypeError``: before this class existed some of these cases raised a bare one, and
    ``except TypeError`` handlers keep working. Codes: ``INPUT.TYPE``, ``INPUT.NOT_A_FILE``,
    ``INPUT.UNREADABLE``. The message says what to pass instead, and never repeats the value
    or the file name (a file name can be a student's name).
    """

    default_code = "INPUT"


class ContentError(HocBaSoError, ValueError):
    """A record whose Thông tư 22 results disagree with its own data (``CONTENT.*``).

    Raised where a wrong result must not go further: issuing, CBQL signing, ``correct`` and
    the full ``validate``. ``code`` and ``path`` are the first finding's; ``details`` lists
    every finding with its code, element path and the provision it breaks. Expected and
    actual values are left out (``hocbaso.check_record`` returns them, for the school's own
    screens).
    """

    default_code = "CONTENT"


class PacketError(HocBaSoError, ValueError):
    """Reading or writing the XML packet failed."""

    default_code = "PACKET"


class ParseError(PacketError):
    """Input is not acceptable XML: malformed, carries a DTD or entity, too large or deep."""

    default_code = "PARSE"


class SchemaError(PacketError):
    """Well-formed XML that the bundled XSD rejects."""

    default_code = "FORMAT"


class RulesError(HocBaSoError, ValueError):
    """Input to the Thông tư 22 evaluator that cannot be evaluated (mark 10.5, …)."""

    default_code = "TT22.INPUT"


class SigningError(HocBaSoError, ValueError):
    """A signature could not be added to a packet."""

    default_code = "SIGN"


class RoleOrderError(SigningError):
    """A role is missing before, present twice, or comes after issuance."""

    default_code = "SIGN.ORDER"


class CertificateError(SigningError):
    """The certificate cannot sign for this role (expired, wrong identity, wrong kind)."""

    default_code = "SIGN.CERTIFICATE"


class AlgorithmError(SigningError):
    """A weak or unknown algorithm was requested."""

    default_code = "SIGN.ALGORITHM"


class VerificationInputError(HocBaSoError, ValueError):
    """The verifier could not run at all (no trust anchors, unreadable CRL, …)."""

    default_code = "VERIFY.INPUT"


class VerificationFailedError(HocBaSoError, ValueError):
    """Raised only by ``VerificationReport.raise_for_status()``: a check failed.

    ``code`` is the first failing check's code; ``details`` lists every failure.
    """

    default_code = "VERIFY.FAILED"


class PackageError(HocBaSoError, ValueError):
    """A package (gói tin), receipt or transfer bundle cannot be made or opened at all."""

    default_code = "PACKAGE"


class ConfigurationError(HocBaSoError, ValueError):
    """A policy object or option combination is inconsistent."""

    default_code = "CONFIG"


class RenderError(HocBaSoError, ValueError):
    """A copy cannot be rendered: records of different students in one booklet, no usable
    font, a PDF that carries no signed packet, a seal that cannot be applied."""

    default_code = "RENDER"


class UsageError(RuntimeError):
    """The API was used in a way it does not allow; a bug in the caller, not bad data."""

    def __init__(self, message: str) -> None:
        self.code = "USAGE"
        super().__init__(message)
