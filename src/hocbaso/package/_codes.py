"""Every code the package layer can emit, with its Vietnamese and English message.

The code is the contract (it never changes meaning); ``docs/package.md`` lists every one of
them, and a test checks the two agree. ``PACKAGE.ZIP.*`` codes are refusals of the hardened
ZIP reader; ``PACKAGE.*`` the checks of a package; ``STORE.*`` what the receiving store decides
about a record; ``TRANSFER.*`` the continuity checks of a transfer bundle.
"""

from __future__ import annotations

from hocbaso.errors import PackageError

__all__ = ["PACKAGE_CODES", "package_error"]

#: code → (message_vi, message_en)
PACKAGE_CODES: dict[str, tuple[str, str]] = {
    # -- the hardened ZIP reader ---------------------------------------------------------------
    "PACKAGE.ZIP.TOO_LARGE": ("Tệp gói tin vượt quá kích thước cho phép",
                              "The package file exceeds the size limit"),
    "PACKAGE.ZIP.NOT_ZIP": ("Không phải tệp ZIP (không tìm thấy thư mục trung tâm)",
                            "Not a ZIP file (no end of central directory)"),
    "PACKAGE.ZIP.TRUNCATED": ("Tệp ZIP bị cắt cụt", "The ZIP file is truncated"),
    "PACKAGE.ZIP.MULTIDISK": ("Tệp ZIP nhiều phần không được hỗ trợ",
                              "Multi-disk ZIP archives are refused"),
    "PACKAGE.ZIP.ZIP64": ("Bản ghi ZIP64 không được chấp nhận (gói tin không cần ZIP64)",
                          "ZIP64 records are refused (a package never needs them)"),
    "PACKAGE.ZIP.TOO_MANY_ENTRIES": ("Quá nhiều mục trong tệp ZIP",
                                     "Too many entries in the ZIP file"),
    "PACKAGE.ZIP.ENTRY_TOO_LARGE": ("Một mục vượt quá kích thước giải nén cho phép",
                                    "An entry exceeds the uncompressed size limit"),
    "PACKAGE.ZIP.TOTAL_TOO_LARGE": ("Tổng kích thước giải nén vượt quá giới hạn",
                                    "The total uncompressed size exceeds the limit"),
    "PACKAGE.ZIP.RATIO": ("Tỷ lệ nén bất thường (nghi bom ZIP)",
                          "Compression ratio too high (zip bomb suspected)"),
    "PACKAGE.ZIP.NAME_LENGTH": ("Tên mục quá dài", "An entry name is too long"),
    "PACKAGE.ZIP.NAME_INVALID": ("Tên mục không hợp lệ (rỗng, ký tự điều khiển, không phải UTF-8)",
                                 "An entry name is invalid (empty, control character, not UTF-8)"),
    "PACKAGE.ZIP.TRAVERSAL": ("Tên mục chứa '..' (vượt thư mục)",
                              "An entry name contains '..' (path traversal)"),
    "PACKAGE.ZIP.ABSOLUTE": ("Tên mục là đường dẫn tuyệt đối hoặc có ký tự ổ đĩa",
                             "An entry name is absolute or has a drive letter"),
    "PACKAGE.ZIP.BACKSLASH": ("Tên mục chứa dấu gạch ngược", "An entry name contains a backslash"),
    "PACKAGE.ZIP.DUPLICATE": ("Hai mục trùng tên (kể cả sau chuẩn hoá Unicode hay chữ hoa/thường)",
                              "Two entries share a name (also after Unicode NFC or case folding)"),
    "PACKAGE.ZIP.SYMLINK": ("Mục là liên kết tượng trưng, thư mục hoặc tệp đặc biệt",
                            "An entry is a symbolic link, a directory or a special file"),
    "PACKAGE.ZIP.ENCRYPTED": ("Mục được mã hoá", "An entry is encrypted"),
    "PACKAGE.ZIP.METHOD": ("Phương thức nén không được hỗ trợ (chỉ stored và deflate)",
                           "Unsupported compression method (stored and deflate only)"),
    "PACKAGE.ZIP.MIMETYPE": ("Mục đầu tiên không phải 'mimetype' không nén với kiểu của gói tin",
                             "The first entry is not an uncompressed 'mimetype' of a package"),
    "PACKAGE.ZIP.OUTSIDE_DATA": ("Có dữ liệu nằm ngoài các mục của tệp ZIP",
                                 "There are bytes outside the ZIP entries"),
    "PACKAGE.ZIP.HEADER_MISMATCH": ("Tiêu đề cục bộ không khớp thư mục trung tâm",
                                    "A local header disagrees with the central directory"),
    "PACKAGE.ZIP.CRC": ("Sai mã kiểm tra CRC-32 của một mục", "An entry's CRC-32 does not match"),
    "PACKAGE.ZIP.SIZE_MISMATCH": ("Kích thước giải nén không đúng kích thước khai báo",
                                  "An entry does not inflate to its declared size"),
    "PACKAGE.ZIP.CORRUPT": ("Dữ liệu nén bị hỏng", "Compressed data is corrupt"),
    "PACKAGE.ZIP.NO_ENTRY": ("Không có mục này trong gói tin", "No such entry in the package"),
    # -- the package -------------------------------------------------------------------------
    "PACKAGE.OK": ("Gói tin hợp lệ", "The package is valid"),
    "PACKAGE.INPUT": ("Tham số gói tin không hợp lệ", "Invalid package argument"),
    "PACKAGE.ENVELOPE.MISSING": ("Thiếu GOI_TIN.xml ở mục thứ hai",
                                 "GOI_TIN.xml is missing or not the second entry"),
    "PACKAGE.ENVELOPE.FORMAT": ("GOI_TIN.xml không đúng lược đồ XSD",
                                "GOI_TIN.xml does not match its XSD"),
    "PACKAGE.ENVELOPE.SIGNATURE": ("Chữ ký của GOI_TIN.xml không hợp lệ",
                                   "The signature of GOI_TIN.xml is not valid"),
    "PACKAGE.ENVELOPE.CERTIFICATE": ("Chứng thư số ký gói tin không tin cậy được",
                                     "The package signer's certificate is not trusted"),
    "PACKAGE.ENVELOPE.NOT_ORGANISATION": (
        "Gói tin phải được ký bằng chứng thư số tổ chức",
        "A package must be signed by an organisation certificate",
    ),
    "PACKAGE.ENVELOPE.ID": ("Mã gói tin không bắt đầu bằng mã trường gửi",
                            "The package id does not start with the sender's school code"),
    "PACKAGE.ENVELOPE.COUNT": ("Số học bạ khai báo không khớp số mục",
                               "The declared record count does not match the entries"),
    "PACKAGE.ENTRY.MISSING": ("Một mục khai báo trong GOI_TIN.xml không có trong gói",
                              "An entry listed in GOI_TIN.xml is not in the package"),
    "PACKAGE.ENTRY.EXTRA": ("Gói tin có mục không được khai báo trong GOI_TIN.xml",
                            "The package holds an entry GOI_TIN.xml does not list"),
    "PACKAGE.ENTRY.SHA256": ("Băm SHA-256 của mục không khớp (hỏng khi truyền)",
                             "An entry's SHA-256 does not match (damaged in transport)"),
    "PACKAGE.ENTRY.RECORD_DIGEST": ("Băm học bạ của mục không khớp khai báo",
                                    "An entry's record digest does not match the envelope"),
    "PACKAGE.ENTRY.IDENTITY": ("Mã định danh hoặc phiên bản của mục không khớp khai báo",
                               "An entry's identifier or version does not match the envelope"),
    "PACKAGE.RECORD.INVALID": ("Học bạ không qua được kiểm tra", "The record fails verification"),
    "PACKAGE.RECORD.OTHER_SCHOOL": ("Học bạ không do trường gửi gói tin phát hành",
                                    "The record was not issued by the sending school"),
    "PACKAGE.NOTICE.INVALID": ("Thông báo thu hồi không hợp lệ",
                               "The revocation notice is not valid"),
    "PACKAGE.PURPOSE.MISMATCH": ("Mục đích gói tin không khớp nội dung",
                                 "The package purpose does not match its content"),
    "PACKAGE.SCHOOL_YEAR.MISMATCH": ("Năm học của học bạ khác năm học của gói tin",
                                     "A record's school year differs from the package's"),
    "PACKAGE.ROUND.MISMATCH": ("Học bạ thuộc đợt gửi khác",
                               "The record belongs to the other round"),
    "PACKAGE.ROUND.PENDING": (
        "Học bạ chưa có kết quả cuối cùng (đang chờ rèn luyện hè/kiểm tra lại)",
        "The record has no final outcome yet (summer training/re-test pending)",
    ),
    "PACKAGE.ROUND.LATE": ("Gói tin được tạo sau hạn của đợt gửi",
                           "The package was created after its round's deadline"),
    # -- receipts ----------------------------------------------------------------------------
    "RECEIPT.FORMAT": ("Biên nhận không đúng lược đồ XSD", "The receipt does not match its XSD"),
    "RECEIPT.SIGNATURE": ("Chữ ký của biên nhận không hợp lệ",
                          "The receipt's signature is not valid"),
    "RECEIPT.CERTIFICATE": ("Chứng thư số ký biên nhận không tin cậy được",
                            "The receipt signer's certificate is not trusted"),
    "RECEIPT.NOT_ORGANISATION": ("Biên nhận phải được ký bằng chứng thư số tổ chức",
                                 "A receipt must be signed by an organisation certificate"),
    # -- the receiving store -----------------------------------------------------------------
    "STORE.ACCEPTED": ("Đã tiếp nhận", "Accepted"),
    "STORE.DUPLICATE": ("Đã có bản này (trùng)", "Already stored (duplicate)"),
    "STORE.CONFLICT": ("Đã có phiên bản này với nội dung khác",
                       "This version is already stored with other content"),
    "STORE.CHAIN.PREVIOUS_MISSING": ("Bản đính chính không theo sau phiên bản đã lưu",
                                     "A correction does not follow a stored version"),
    "STORE.CHAIN.DIGEST": ("Bản đính chính ghi băm khác với phiên bản đã lưu",
                           "A correction names another digest than the stored version"),
    "STORE.CHAIN.ISSUER": ("Bản đính chính không do đơn vị đã phát hành phiên bản trước phát "
                           "hành", "A correction was not issued by the organisation that issued "
                           "the version it corrects"),
    "STORE.REVOKE.UNKNOWN": ("Thông báo thu hồi nêu học bạ chưa được lưu",
                             "A revocation names a record that is not stored"),
    "STORE.SCHEMA": ("Kho lưu trữ có phiên bản lược đồ mới hơn thư viện",
                     "The store's schema version is newer than this library"),
    "STORE.NOT_FOUND": ("Không tìm thấy học bạ với mã tra cứu này",
                        "No record with this lookup code"),
    "STORE.LOOKUP.INPUT": ("Tham số tra cứu không hợp lệ (phiên bản từ 1; băm: 16–64 chữ số hex)",
                           "Invalid lookup argument (version from 1; digest: 16-64 hex digits)"),
    "STORE.LOOKUP.AMBIGUOUS": ("Mã tra cứu thuộc nhiều học bạ; cần mã định danh học bạ",
                               "The lookup code belongs to several records; give the identifier"),
    "STORE.LOOKUP.IDENTIFIER_MISMATCH": ("Mã định danh học bạ không khớp mã tra cứu",
                                         "The record identifier does not match the lookup code"),
    "STORE.LOOKUP.VERSION_UNKNOWN": ("Kho không có phiên bản này của học bạ",
                                     "No such version of this record is stored"),
    "STORE.LOOKUP.DIGEST_MISMATCH": ("Băm học bạ không khớp phiên bản nào đã lưu (bản giấy "
                                     "không phải học bạ đã tiếp nhận)",
                                     "The record digest matches no stored version (the copy is "
                                     "not a record that was received)"),
    # -- transfer bundles --------------------------------------------------------------------
    "TRANSFER.OK": ("Hồ sơ chuyển trường liên tục và hợp lệ",
                    "The transfer bundle is continuous and valid"),
    "TRANSFER.NOT_TRANSFER": ("Gói tin không phải hồ sơ chuyển trường (mục đích 04)",
                              "The package is not a transfer bundle (purpose 04)"),
    "TRANSFER.EMPTY": ("Hồ sơ chuyển trường không có học bạ", "The transfer bundle has no record"),
    "TRANSFER.OTHER_STUDENT": ("Một học bạ là của học sinh khác",
                               "A record belongs to another student"),
    "TRANSFER.GAP_YEAR": ("Các năm học không liên tiếp (thiếu năm hoặc trùng năm)",
                          "The school years are not consecutive (a gap or a repeat)"),
    "TRANSFER.GRADE_PROGRESSION": ("Khối lớp không khớp kết quả lên lớp của năm trước",
                                   "A grade does not follow the previous year's promotion result"),
    "TRANSFER.HISTORY": ("Quá trình học tập không khớp các học bạ",
                         "The learning history (QUA_TRINH_HOC_TAP) disagrees with the records"),
    "TRANSFER.SENDER": ("Học bạ cuối cùng không do trường chuyển đi phát hành",
                        "The last record was not issued by the sending school"),
}


def package_error(code: str, *, path: str = "", detail: str = "") -> PackageError:
    """A :class:`~hocbaso.errors.PackageError` for a catalogued code (details name entries
    and fields, never personal values)."""
    vi, en = PACKAGE_CODES[code]
    suffix = f" ({detail})" if detail else ""
    return PackageError(en + suffix, vi + suffix, code=code, path=path)
