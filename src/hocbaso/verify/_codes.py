"""Every result code the verifier can emit, with its bilingual message and advice.

The code is the contract: callers (and the attack corpus in ``tests/vectors``) branch on it, so
a code never changes meaning between releases. Messages may be reworded. The advice is what a
receiving school should do; ``docs/verification.md`` is generated from the same words by hand,
so keep the two in step.

``CONTENT.*`` codes come from the Thông tư 22 check (``hocbaso.tt22``) and are passed through
as that module names them; only the umbrella codes ``CONTENT.OK`` / ``CONTENT.SKIPPED`` /
``CONTENT.CHECK_FAILED`` are defined here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CODES", "CodeInfo", "Status", "Step"]


class Step(StrEnum):
    """The eight steps of docs/verification.md §2, in the order they run."""

    PARSE = "PARSE"
    FORMAT = "FORMAT"
    STRUCTURE = "STRUCTURE"
    SIGNATURE = "SIGNATURE"
    CERTIFICATE = "CERTIFICATE"
    ORDER = "ORDER"
    CONTENT = "CONTENT"
    STATUS = "STATUS"

    @property
    def number(self) -> int:
        """1-based position in docs/verification.md §2."""
        return list(Step).index(self) + 1


class Status(StrEnum):
    """Outcome of one check. Only ``FAIL`` makes a report not ``ok``.

    ``WARN`` means "accepted, but look": a legacy algorithm under the legacy policy, a
    Thông tư 22 inconsistency under a lenient policy. ``SKIP`` means the check did not run,
    either because nothing was supplied for it (no CRL, no previous versions) or because an
    earlier failure made running it meaningless (no signature checks on a DTD-carrying file).
    """

    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"
    SKIP = "SKIP"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """Documentation of one code: its step, messages and what a receiving school should do."""

    step: Step
    message_vi: str
    message_en: str
    advice_en: str


def _c(step: Step, vi: str, en: str, advice: str) -> CodeInfo:
    return CodeInfo(step, vi, en, advice)


_REJECT = "Reject the file and ask the sending school for a fresh copy from its software."
_FORGED = (
    "Treat as tampered: reject, keep the file as evidence, and report it to the sending "
    "school and the Sở."
)

#: Code → documentation. Every code a report can carry (except pass-through ``CONTENT.*``
#: findings) is here; a test checks that ``docs/verification.md`` lists each of them.
CODES: dict[str, CodeInfo] = {
    # 1. PARSE
    "PARSE.OK": _c(Step.PARSE, "Đọc XML an toàn thành công.", "XML parsed safely.", "Nothing."),
    "PARSE.MALFORMED": _c(
        Step.PARSE, "Tệp không phải XML hợp lệ.", "The file is not well-formed XML.", _REJECT
    ),
    "PARSE.DTD": _c(
        Step.PARSE,
        "Tệp chứa khai báo DTD (bị cấm).",
        "The file carries a DTD, which is forbidden.",
        _FORGED,
    ),
    "PARSE.ENTITY": _c(
        Step.PARSE,
        "Tệp chứa thực thể XML (bị cấm).",
        "The file declares or uses XML entities, which are forbidden.",
        _FORGED,
    ),
    "PARSE.TOO_LARGE": _c(
        Step.PARSE,
        "Tệp vượt quá kích thước cho phép.",
        "The file exceeds the size limit.",
        _REJECT,
    ),
    "PARSE.TOO_DEEP": _c(
        Step.PARSE,
        "Tệp lồng nhau quá sâu.",
        "The file is nested deeper than allowed.",
        _FORGED,
    ),
    "PARSE.ENCODING": _c(
        Step.PARSE,
        "Tệp không được mã hoá UTF-8.",
        "The file is not encoded in UTF-8.",
        _REJECT,
    ),
    "PARSE.TOO_MANY_ELEMENTS": _c(
        Step.PARSE,
        "Tệp có quá nhiều phần tử.",
        "The file has more elements than allowed.",
        _FORGED,
    ),
    "PARSE.TOO_MANY_NAMESPACES_PER_ELEMENT": _c(
        Step.PARSE,
        "Một phần tử khai báo quá nhiều không gian tên (namespace).",
        "An element declares more namespaces than allowed.",
        _FORGED,
    ),
    "PARSE.TOO_MANY_NAMESPACES": _c(
        Step.PARSE,
        "Tệp khai báo quá nhiều không gian tên (namespace).",
        "The file declares more namespaces than allowed.",
        _FORGED,
    ),
    "PARSE.TOO_MANY_ATTRIBUTES_PER_ELEMENT": _c(
        Step.PARSE,
        "Một phần tử có quá nhiều thuộc tính.",
        "An element has more attributes than allowed.",
        _FORGED,
    ),
    "PARSE.TOO_MANY_ATTRIBUTES": _c(
        Step.PARSE,
        "Tệp có quá nhiều thuộc tính.",
        "The file has more attributes than allowed.",
        _FORGED,
    ),
    "PARSE.TOO_MANY_SIGNATURES": _c(
        Step.PARSE,
        "Tệp có quá nhiều phần tử chữ ký (Signature).",
        "The file has more Signature elements than allowed.",
        _FORGED,
    ),
    "PARSE.TOO_MANY_IDS": _c(
        Step.PARSE,
        "Tệp có quá nhiều thuộc tính Id.",
        "The file has more Id attributes than allowed.",
        _FORGED,
    ),
    "PARSE.REJECTED": _c(
        Step.PARSE,
        "Bộ đọc XML an toàn từ chối tệp.",
        "The hardened XML parser refused the file.",
        _REJECT,
    ),
    "PARSE.UNREADABLE": _c(
        Step.PARSE,
        "Không đọc được tệp (không tồn tại, không có quyền đọc hoặc lỗi đọc).",
        "The file could not be read (missing, no permission, or a read error).",
        "Check the file name and permissions, then verify again.",
    ),
    "PARSE.NOT_A_FILE": _c(
        Step.PARSE,
        "Không phải tệp thông thường (thư mục, thiết bị, ống dẫn); không đọc.",
        "Not a regular file (a directory, device, pipe or socket); not read.",
        "Give the packet file itself.",
    ),
    "PARSE.VERIFIER_ERROR": _c(
        Step.PARSE,
        "Bộ kiểm tra gặp lỗi bất ngờ với tệp này; tệp không được chấp nhận.",
        "The verifier met an unexpected error on this file; the file is not accepted.",
        "Reject for now and report the file to the hocbaso maintainers (it reveals a defect).",
    ),
    # 2. FORMAT
    "FORMAT.OK": _c(Step.FORMAT, "Đúng lược đồ XSD.", "Valid against the bundled XSD.", "Nothing."),
    "FORMAT.SCHEMA_INVALID": _c(
        Step.FORMAT,
        "Không đúng lược đồ XSD của Học bạ số.",
        "Invalid against the bundled Học bạ số XSD.",
        _REJECT,
    ),
    "FORMAT.MODEL_INVALID": _c(
        Step.FORMAT,
        "Dữ liệu đã ký không tạo thành học bạ hợp lệ theo danh mục.",
        "The signed data does not form a valid record under the catalogue rules.",
        _REJECT,
    ),
    # 3. STRUCTURE
    "STRUCTURE.OK": _c(
        Step.STRUCTURE,
        "Cấu trúc chữ ký đúng quy định.",
        "Signature layout as specified.",
        "Nothing.",
    ),
    "STRUCTURE.LAYOUT": _c(
        Step.STRUCTURE,
        "Bố cục gói tin khác quy định (phần tử gốc, khối dữ liệu, ô chữ ký).",
        "The packet layout differs from the one docs/packet.md specifies (root, data block, "
        "signature slots).",
        _REJECT,
    ),
    "STRUCTURE.DUPLICATE_ID": _c(
        Step.STRUCTURE,
        "Có thuộc tính Id bị trùng (dấu hiệu tấn công bọc chữ ký).",
        "An Id value occurs more than once (signature-wrapping pattern).",
        _FORGED,
    ),
    "STRUCTURE.ID_MISPLACED": _c(
        Step.STRUCTURE,
        "Phần tử mang Id được ký không nằm ở vị trí cố định.",
        "An element carrying a signed Id is not at its fixed place in the layout.",
        _FORGED,
    ),
    "STRUCTURE.MISPLACED_SIGNATURE": _c(
        Step.STRUCTURE,
        "Chữ ký nằm sai vị trí (ngoài ô ký của vai trò, hoặc nhiều chữ ký trong một ô).",
        "A signature is outside its role's slot, in another role's slot, or a slot holds two.",
        _FORGED,
    ),
    "STRUCTURE.REFERENCE_MISMATCH": _c(
        Step.STRUCTURE,
        "Tham chiếu của chữ ký không trỏ tới phần dữ liệu của vai trò.",
        "A signature's Reference does not point where its role must sign.",
        _FORGED,
    ),
    "STRUCTURE.ORPHAN_SLOT": _c(
        Step.STRUCTURE,
        "Có ô ký GVBM cho môn học không có dòng trong BANG_DIEM.",
        "A subject teacher's (GVBM) slot names a subject with no row in BANG_DIEM.",
        _REJECT,
    ),
    "STRUCTURE.SIGNATURE_SHAPE": _c(
        Step.STRUCTURE,
        "Chữ ký thiếu hoặc thừa thành phần (SignedInfo, SignatureValue, KeyInfo, chứng thư).",
        "A signature lacks or repeats a part (SignedInfo, SignatureValue, KeyInfo, certificate).",
        _REJECT,
    ),
    "STRUCTURE.COMMENT": _c(
        Step.STRUCTURE,
        "Có chú thích hoặc chỉ thị xử lý bên trong phần dữ liệu được ký.",
        "A comment or processing instruction sits inside signed content.",
        "Read only the report's record (comments are not signed); ask the sender why the file "
        "was edited.",
    ),
    "STRUCTURE.PROCESSING_INSTRUCTION": _c(
        Step.STRUCTURE,
        "Có chỉ thị xử lý (processing instruction) bên trong dữ liệu học bạ đã ký.",
        "A processing instruction sits inside the signed record data.",
        _FORGED,
    ),
    # 4. SIGNATURE
    "SIGNATURE.OK": _c(
        Step.SIGNATURE,
        "Chữ ký hợp lệ: dữ liệu toàn vẹn.",
        "Signature valid: digests and signature value match.",
        "Nothing.",
    ),
    "SIGNATURE.KEY_UNSUPPORTED": _c(
        Step.SIGNATURE,
        "Khoá công khai của chứng thư người ký không dùng được (không phải RSA/ECDSA hợp lệ).",
        "The signer certificate's public key is unusable (not a valid RSA or ECDSA key).",
        _FORGED,
    ),
    "SIGNATURE.C14N_FAILED": _c(
        Step.SIGNATURE,
        "Không thể chuẩn hoá nội dung được ký (ví dụ: URI không gian tên tương đối).",
        "The signed content cannot be canonicalised (for example a relative namespace URI).",
        _REJECT,
    ),
    "SIGNATURE.DIGEST_MISMATCH": _c(
        Step.SIGNATURE,
        "Dữ liệu đã bị thay đổi sau khi ký (giá trị băm không khớp).",
        "Signed data changed after signing (digest mismatch).",
        _FORGED,
    ),
    "SIGNATURE.VALUE_INVALID": _c(
        Step.SIGNATURE,
        "Giá trị chữ ký không khớp với khoá của chứng thư.",
        "The signature value does not verify with the certificate's key.",
        _FORGED,
    ),
    "SIGNATURE.ALGORITHM_REFUSED": _c(
        Step.SIGNATURE,
        "Thuật toán yếu hoặc không được phép (SHA-1, MD5, HMAC, …).",
        "A weak or disallowed algorithm is used (SHA-1, MD5, HMAC, …).",
        "Reject; ask the sending school to re-sign with SHA-256.",
    ),
    "SIGNATURE.ALGORITHM_LEGACY": _c(
        Step.SIGNATURE,
        "Thuật toán cũ (SHA-1) được chấp nhận theo chính sách cũ.",
        "A legacy algorithm (SHA-1) was accepted under the legacy policy.",
        "Accept for archives only; ask for re-signing with SHA-256.",
    ),
    "SIGNATURE.C14N_WITH_COMMENTS": _c(
        Step.SIGNATURE,
        "Phương pháp chuẩn hoá có giữ chú thích (#WithComments) bị cấm.",
        "A #WithComments canonicalisation is refused.",
        _FORGED,
    ),
    "SIGNATURE.TRANSFORM_REFUSED": _c(
        Step.SIGNATURE,
        "Phép biến đổi không được phép trong tham chiếu.",
        "A Reference uses a transform other than exactly one canonicalisation.",
        _REJECT,
    ),
    "SIGNATURE.SIGNING_TIME_INVALID": _c(
        Step.SIGNATURE,
        "Thời điểm ký bị thiếu, lặp, sai định dạng hoặc không có múi giờ.",
        "The signing time is missing, repeated, malformed or lacks a UTC offset.",
        _REJECT,
    ),
    "SIGNATURE.RECORD_BINDING_MISSING": _c(
        Step.SIGNATURE,
        "Chữ ký không ghi học bạ (mã định danh, phiên bản) mà nó được ký cho.",
        "The signature does not name the record (identifier, version) it was made for.",
        _REJECT,
    ),
    "SIGNATURE.RECORD_BINDING_MISMATCH": _c(
        Step.SIGNATURE,
        "Chữ ký được ký cho học bạ khác (mã định danh hoặc phiên bản khác).",
        "The signature was made for another record (another identifier or version).",
        _FORGED,
    ),
    "SIGNATURE.SKIPPED": _c(
        Step.SIGNATURE,
        "Không kiểm tra chữ ký vì bước trước đã lỗi.",
        "Signatures not checked because an earlier step failed.",
        "Fix the earlier failure first.",
    ),
    # 5. CERTIFICATE
    "CERTIFICATE.OK": _c(
        Step.CERTIFICATE,
        "Chứng thư số hợp lệ, tin cậy và đúng người ký.",
        "Certificate trusted, valid at signing time, and identity matches the role.",
        "Nothing.",
    ),
    "CERTIFICATE.UNTRUSTED": _c(
        Step.CERTIFICATE,
        "Chứng thư số không dẫn về tổ chức chứng thực được tin cậy.",
        "No path from the certificate to a configured trust anchor.",
        "Reject unless the issuing CA should be trusted; then add it to the trust store.",
    ),
    "CERTIFICATE.EXPIRED": _c(
        Step.CERTIFICATE,
        "Chứng thư số đã hết hạn tại thời điểm ký.",
        "The certificate had expired at the signing time.",
        "Reject; the record must be signed again with a valid certificate.",
    ),
    "CERTIFICATE.NOT_YET_VALID": _c(
        Step.CERTIFICATE,
        "Chứng thư số chưa có hiệu lực tại thời điểm ký.",
        "The certificate was not yet valid at the signing time.",
        _FORGED,
    ),
    "CERTIFICATE.REVOKED": _c(
        Step.CERTIFICATE,
        "Chứng thư số đã bị thu hồi trước thời điểm ký.",
        "The certificate was revoked on or before the signing time.",
        _FORGED,
    ),
    "CERTIFICATE.KEY_USAGE": _c(
        Step.CERTIFICATE,
        "Chứng thư số không cho phép ký số (digitalSignature/nonRepudiation).",
        "The certificate's key usage allows neither digitalSignature nor nonRepudiation.",
        _REJECT,
    ),
    "CERTIFICATE.WEAK_KEY": _c(
        Step.CERTIFICATE,
        "Khoá của chứng thư số quá yếu (RSA dưới 2048 bit, đường cong ECDSA không được chấp nhận).",
        "The certificate's key is one the signer refuses (RSA under 2048 bits, an ECDSA curve "
        "other than P-256/P-384/P-521).",
        "Reject; the record must be signed again with a certificate of adequate strength.",
    ),
    "CERTIFICATE.EXTENDED_KEY_USAGE": _c(
        Step.CERTIFICATE,
        "Mục đích sử dụng mở rộng (EKU) của chứng thư số không cho phép ký tài liệu.",
        "The certificate's Extended Key Usage names no document-signing purpose "
        "(e.g. serverAuth only).",
        _REJECT,
    ),
    "CERTIFICATE.REVOKED_TIME_UNPROVEN": _c(
        Step.CERTIFICATE,
        "Chứng thư số bị thu hồi sau đó do lộ khoá (hoặc không nêu lý do); thời điểm ký chỉ do "
        "người ký tự khai nên không chứng minh được chữ ký có trước khi thu hồi.",
        "The certificate was later revoked for key compromise (or no stated reason); the "
        "signing time is only the signer's claim and cannot prove the signature predates it.",
        "Reject; ask the sending school to have the record signed again with a valid certificate.",
    ),
    "CERTIFICATE.IDENTITY_MISMATCH": _c(
        Step.CERTIFICATE,
        "Số định danh trong chứng thư không khớp người ký ghi trong học bạ.",
        "The certificate's personal ID differs from the ID the record gives for this role.",
        _FORGED,
    ),
    "CERTIFICATE.NOT_ORGANISATION": _c(
        Step.CERTIFICATE,
        "Chữ ký phát hành không dùng chứng thư số của tổ chức (MST/mã ngân sách, không mang "
        "số định danh cá nhân).",
        "The issuance signature does not use an organisation certificate (MST/budget code and "
        "no personal identifier such as CCCD, CMND or passport).",
        "Reject; issuance must be sealed with the school's organisation certificate.",
    ),
    "CERTIFICATE.ISSUER_NOT_MATCHED": _c(
        Step.CERTIFICATE,
        "Không có danh mục đơn vị phát hành: chưa đối chiếu chứng thư phát hành với trường.",
        "No issuer registry was given: the issuing certificate was not matched to the "
        "record's school.",
        "Give the Sở's issuer registry (school code → organisation identifiers) for a "
        "complete check.",
    ),
    "CERTIFICATE.ISSUER_NOT_SCHOOL": _c(
        Step.CERTIFICATE,
        "Chứng thư phát hành không thuộc đơn vị được đăng ký cho trường ghi trong học bạ.",
        "The issuing certificate's organisation is not registered for the record's school "
        "(MA_TRUONG).",
        _FORGED,
    ),
    "CERTIFICATE.SCHOOL_NOT_REGISTERED": _c(
        Step.CERTIFICATE,
        "Trường ghi trong học bạ (MA_TRUONG) không có trong danh mục đơn vị phát hành.",
        "The record's school (MA_TRUONG) is not in the issuer registry.",
        "Reject unless the registry is out of date; then ask the Sở for the current one.",
    ),
    "CERTIFICATE.REVOCATION_NOT_CHECKED": _c(
        Step.CERTIFICATE,
        "Không kiểm tra thu hồi: không có CRL của đơn vị cấp.",
        "Revocation not checked: no CRL supplied for the issuing CA.",
        "Supply current CRLs of the CAs (--crl) for a complete check.",
    ),
    "CERTIFICATE.CRL_INVALID": _c(
        Step.CERTIFICATE,
        "CRL được cung cấp không có chữ ký hợp lệ của đơn vị cấp; bỏ qua.",
        "A supplied CRL is not validly signed by its issuer; it was ignored.",
        "Download the CRL again from the CA.",
    ),
    "CERTIFICATE.CRL_STALE": _c(
        Step.CERTIFICATE,
        "CRL được cung cấp đã quá hạn cập nhật (nextUpdate) tại thời điểm kiểm tra; không tính.",
        "A supplied CRL had passed its nextUpdate at the verification time; it does not count "
        "as a revocation check.",
        "Download the current CRL from the CA.",
    ),
    "CERTIFICATE.SKIPPED": _c(
        Step.CERTIFICATE,
        "Không kiểm tra chứng thư vì bước trước đã lỗi.",
        "Certificates not checked because an earlier step failed.",
        "Fix the earlier failure first.",
    ),
    # 6. ORDER
    "ORDER.OK": _c(
        Step.ORDER,
        "Đủ các vai trò ký, đúng thứ tự thời gian, phát hành sau cùng.",
        "All required roles present, signing times in order, issuance last.",
        "Nothing.",
    ),
    "ORDER.MISSING_ROLE": _c(
        Step.ORDER,
        "Thiếu chữ ký của một vai trò bắt buộc.",
        "A required role's signature is missing.",
        "Reject as incomplete; the sending school must finish signing and issuing.",
    ),
    "ORDER.TIME_ORDER": _c(
        Step.ORDER,
        "Thời điểm ký không theo thứ tự GVBM ≤ GVCN ≤ CBQL.",
        "Signing times go backwards (GVBM ≤ GVCN ≤ CBQL required).",
        _FORGED,
    ),
    "ORDER.ISSUANCE_NOT_LAST": _c(
        Step.ORDER,
        "Chữ ký phát hành không phải chữ ký sau cùng.",
        "The issuance signature is not the last one.",
        _FORGED,
    ),
    "ORDER.FUTURE_SIGNING_TIME": _c(
        Step.ORDER,
        "Thời điểm ký ở sau thời điểm kiểm tra.",
        "A signing time lies after the verification time.",
        _FORGED,
    ),
    "ORDER.SKIPPED": _c(
        Step.ORDER,
        "Không kiểm tra thứ tự vì bước trước đã lỗi.",
        "Order not checked because an earlier step failed.",
        "Fix the earlier failure first.",
    ),
    # 7. CONTENT
    "CONTENT.OK": _c(
        Step.CONTENT,
        "Kết quả nhất quán với Thông tư 22.",
        "Results consistent with Thông tư 22.",
        "Nothing.",
    ),
    "CONTENT.SKIPPED": _c(
        Step.CONTENT,
        "Không kiểm tra nội dung vì không có dữ liệu đã ký hợp lệ.",
        "Content not checked: no validly signed record to check.",
        "Fix the earlier failure first.",
    ),
    "CONTENT.CHECK_FAILED": _c(
        Step.CONTENT,
        "Không thể chạy kiểm tra Thông tư 22 trên học bạ này.",
        "The Thông tư 22 check could not run on this record.",
        "Report to the sending school; the record's data cannot be evaluated.",
    ),
    # 8. STATUS
    "STATUS.OK": _c(
        Step.STATUS,
        "Học bạ có hiệu lực; chuỗi phiên bản hợp lệ.",
        "Record in force; version chain intact.",
        "Nothing.",
    ),
    "STATUS.NOT_CHECKED": _c(
        Step.STATUS,
        "Không có phiên bản trước hoặc thông báo thu hồi để kiểm tra.",
        "No previous versions or revocation notices were supplied.",
        "For a correction (phiên bản > 1), obtain the earlier versions to check the chain.",
    ),
    "STATUS.REVOKED": _c(
        Step.STATUS,
        "Học bạ đã bị thu hồi.",
        "The record has been revoked.",
        "Do not accept; ask the issuing school for the current version.",
    ),
    "STATUS.NOTICE_INVALID": _c(
        Step.STATUS,
        "Thông báo thu hồi không đọc hoặc không xác thực được (chữ ký, chứng thư tổ chức).",
        "A revocation notice cannot be read or believed (signature or organisation certificate).",
        "Obtain the notice again from the issuing school or the Sở.",
    ),
    "STATUS.NOTICE_DIGEST_MISMATCH": _c(
        Step.STATUS,
        "Thông báo thu hồi đúng mã định danh và phiên bản nhưng mã băm học bạ không khớp.",
        "A revocation notice names this identifier and version but another record digest.",
        _FORGED,
    ),
    "STATUS.VERSION_DIGEST_MISMATCH": _c(
        Step.STATUS,
        "Mã băm phiên bản trước không khớp với phiên bản được cung cấp.",
        "The previous-version digest does not match the supplied previous version.",
        _FORGED,
    ),
    "STATUS.VERSION_IDENTIFIER_MISMATCH": _c(
        Step.STATUS,
        "Phiên bản trước có mã định danh học bạ khác.",
        "The previous version has a different record identifier.",
        "Supply the right previous version; otherwise reject.",
    ),
    "STATUS.VERSION_NUMBER_GAP": _c(
        Step.STATUS,
        "Số phiên bản không liên tiếp.",
        "Version numbers are not consecutive.",
        "Supply the immediately preceding version; otherwise reject.",
    ),
    "STATUS.VERSION_MISSING_LINK": _c(
        Step.STATUS,
        "Bản đính chính không ghi mã băm phiên bản trước.",
        "A correction does not name the digest of the previous version.",
        _REJECT,
    ),
    "STATUS.PREVIOUS_INVALID": _c(
        Step.STATUS,
        "Phiên bản trước được cung cấp không đọc được.",
        "A supplied previous version could not be read.",
        "Supply the previous version as issued.",
    ),
    "STATUS.PREVIOUS_UNTRUSTED": _c(
        Step.STATUS,
        "Chữ ký phát hành (KY_PHAT_HANH) của phiên bản trước không hợp lệ hoặc chứng thư số "
        "không tin cậy được.",
        "The previous version's issuance signature (KY_PHAT_HANH) does not verify or its "
        "certificate is not trusted.",
        "Supply the previous version exactly as issued; if it is, treat the chain as unproven "
        "and ask the issuing school.",
    ),
    "STATUS.VERSION_OTHER_ISSUER": _c(
        Step.STATUS,
        "Bản đính chính do một tổ chức khác với đơn vị đã phát hành phiên bản trước phát hành.",
        "The correction was issued by another organisation than the version it corrects.",
        _FORGED,
    ),
    "STATUS.SKIPPED": _c(
        Step.STATUS,
        "Không kiểm tra trạng thái vì không có dữ liệu đã ký hợp lệ.",
        "Status not checked: no validly signed record.",
        "Fix the earlier failure first.",
    ),
}
