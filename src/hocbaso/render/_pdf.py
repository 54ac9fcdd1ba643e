"""The PDF soft copy: WeasyPrint on the same HTML, PDF/A-3b, the signed packet inside.

* Fonts come from Debian font packages on this machine (``fonts-noto-core``, else
  ``fonts-dejavu-core``), named by file so the output does not depend on fontconfig's
  choice; WeasyPrint embeds the subset it uses. Nothing is fetched: the URL fetcher refuses
  every scheme but ``file:`` and ``data:``.
* ``pdf_variant="pdf/a-3b"`` writes the XMP identification (part 3, conformance B) and an
  sRGB output intent. The signed packet, byte for byte, is an associated file with
  ``AFRelationship /Source``; a masked copy never carries it (the packet holds every personal
  value the copy hides).
* An optional seal is a PAdES B-B signature by the school's organisation certificate, made
  with pyHanko through any :class:`hocbaso.signature.Signer` (key file, PKCS#12, token).
"""

from __future__ import annotations

import asyncio
import gc
import io
import warnings
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hocbaso.errors import RenderError
from hocbaso.signature import Signer

__all__ = ["FONT_FAMILIES", "PACKET_NAME", "embedded_packets", "font_css", "seal_pdf", "write_pdf"]

#: File name of a signed packet inside a PDF copy (``{}`` is the school year).
PACKET_NAME = "hocba-{}.xml"

_FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/truetype/dejavu"))
#: (family, regular, bold, italic, bold italic, Debian package), in order of preference.
FONT_FAMILIES = (
    ("Noto Serif", "NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf", "NotoSerif-Italic.ttf",
     "NotoSerif-BoldItalic.ttf", "fonts-noto-core"),
    ("DejaVu Serif", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf",
     "DejaVuSerif-BoldItalic.ttf", "fonts-dejavu-core"),
)


def _find(name: str) -> Path | None:
    for d in _FONT_DIRS:
        p = d / name
        if p.is_file():
            return p
    return None


def font_css() -> str:
    """``@font-face`` rules for the first font family whose four files are installed."""
    for family, *files, _package in FONT_FAMILIES:
        paths = [_find(f) for f in files]
        if all(p is not None for p in paths):
            faces = (("normal", "normal"), ("bold", "normal"), ("normal", "italic"),
                     ("bold", "italic"))
            rules = [
                f'@font-face {{ font-family: "{family}"; font-weight: {w}; font-style: {s}; '
                f'src: url("{p.as_uri()}"); }}'  # type: ignore[union-attr]
                for (w, s), p in zip(faces, paths, strict=True)
            ]
            rules.append(f'html, .pagefoot, .pagehead {{ font-family: "{family}"; }}')
            return f"/* {family} */\n" + "\n".join(rules)
    raise RenderError(
        "no Vietnamese serif font is installed: install fonts-noto-core or fonts-dejavu-core",
        "chưa cài phông chữ tiếng Việt: hãy cài gói fonts-noto-core hoặc fonts-dejavu-core",
        code="RENDER.FONT_MISSING",
    )


def _fetcher() -> Any:
    """WeasyPrint's fetcher limited to ``file:`` and ``data:`` (fonts, inline QR codes):
    rendering never touches the network, and a failed fetch is an error, not a blank."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


def write_pdf(
    html: str, *, packets: Sequence[tuple[str, bytes]] = (), created: datetime | None = None
) -> bytes:
    """PDF/A-3b bytes of ``html``; each ``(name, packet)`` (signed XML, byte for byte)
    becomes an associated file with relationship Source."""
    import weasyprint

    attachments = []
    for name, packet in packets:
        attachments.append(
            weasyprint.Attachment(
                string=packet,
                name=name,
                description="Học bạ số đã ký (XML) / the signed Học bạ số packet",
                relationship="Source",
                created=created,
                modified=created,
            )
        )
    # WeasyPrint opens its sRGB output-intent profile without closing it; the file is freed
    # here, inside the block, so its ResourceWarning is not left for a later collection.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        document = weasyprint.HTML(string=html, url_fetcher=_fetcher(), base_url="file:///")
        out = document.write_pdf(
            pdf_variant="pdf/a-3b",
            attachments=attachments,
            uncompressed_pdf=False,
            custom_metadata=False,
        )
        del document
        gc.collect()
    assert isinstance(out, bytes)
    return out


def embedded_packets(pdf: bytes) -> list[tuple[str, bytes]]:
    """The signed packets a PDF copy carries: its embedded ``.xml`` files that are associated
    files with ``AFRelationship /Source``, in document order (none: an empty list).
    Unreadable PDF bytes are ``RENDER.PDF_UNREADABLE``."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        root: Any = reader.trailer["/Root"]
        names = root.get("/Names", {}).get("/EmbeddedFiles", {}).get("/Names", [])
        af = root.get("/AF", [])
        sources = set()
        for ref in af:
            spec = ref.get_object()
            if str(spec.get("/AFRelationship")) == "/Source":
                sources.add(str(spec.get("/UF") or spec.get("/F")))
        found: list[tuple[str, bytes]] = []
        for i in range(0, len(names), 2):
            spec = names[i + 1].get_object()
            fname = str(spec.get("/UF") or spec.get("/F"))
            if fname.endswith(".xml") and fname in sources:
                found.append((fname, bytes(spec["/EF"]["/F"].get_object().get_data())))
    except (PdfReadError, KeyError, AttributeError, TypeError, ValueError) as exc:
        raise RenderError(
            "the PDF cannot be read",
            "không đọc được tệp PDF",
            code="RENDER.PDF_UNREADABLE",
        ) from exc
    return found


def seal_pdf(pdf: bytes, signer: Signer, *, reason: str = "Phát hành bản thể hiện học bạ số",
             location: str | None = None) -> bytes:
    """Add a PAdES B-B signature by ``signer`` (the school's organisation certificate).

    The PDF/A document is extended by an incremental update, so the embedded packet and the
    pages stay byte for byte; a PDF reader shows who sealed it.
    """
    from asn1crypto import algos
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def a1(cert: Any) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    public = signer.certificate.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        mechanism = "sha256_rsa"
    elif isinstance(public, ec.EllipticCurvePublicKey):
        mechanism = "sha256_ecdsa"
    else:
        raise RenderError(
            "the seal needs an RSA or EC certificate",
            "con dấu số cần chứng thư RSA hoặc EC",
            code="RENDER.SEAL",
        )

    class _Delegating(signers.Signer):
        async def async_sign_raw(
            self, data: bytes, digest_algorithm: str, dry_run: bool = False
        ) -> bytes:
            if digest_algorithm.lower() != "sha256":
                raise RenderError("the seal signs with SHA-256 only",
                                  "con dấu số chỉ ký với SHA-256", code="RENDER.SEAL")
            if dry_run:
                return bytes(512)
            return signer.sign_raw(data)

    registry = SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
        [a1(c) for c in signer.chain]
    )
    pyhanko_signer = _Delegating(
        signing_cert=a1(signer.certificate),
        cert_registry=registry,
        signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}),
        embed_roots=False,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name="HocBaSoSeal",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    pdf_signer = signers.PdfSigner(meta, signer=pyhanko_signer)
    try:
        out = asyncio.run(pdf_signer.async_sign_pdf(writer))
    except RenderError:
        raise
    except Exception as exc:  # pyHanko raises many kinds; the caller gets one coded error
        raise RenderError(
            "the PDF could not be sealed",
            "không đóng được dấu số lên tệp PDF",
            code="RENDER.SEAL",
        ) from exc
    return bytes(out.getvalue())
