"""The one interface every key holder implements: a certificate and "sign these bytes".

Local key files, PKCS#11 tokens and remote-signing services are separate implementations.
The signing core never sees a private key, only this protocol.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from cryptography import x509

from hocbaso.signature._algorithms import SignatureMethod

__all__ = ["Signer"]


@runtime_checkable
class Signer(Protocol):
    """Something that can produce an XML-signature value with one certificate's key.

    ``sign_raw(data)`` signs ``data`` (the canonical SignedInfo bytes) with SHA-256:
    RSA keys return the PKCS#1 v1.5 signature; EC keys return the **DER-encoded** ECDSA
    signature (what ``cryptography``, most HSM wrappers and remote services produce). The
    signing core converts DER to the ``r || s`` form XMLDSig requires.
    """

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's own certificate (the one whose key signs)."""
        ...

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """Intermediate CA certificates to put in KeyInfo, nearest first (may be empty)."""
        ...

    def sign_raw(self, data: bytes) -> bytes:
        """Sign ``data`` with SHA-256 and return the signature value as described above."""
        ...


class SignerBase:
    """The read-only half of :class:`Signer` that every key holder of this library shares.

    Why a base: the key file and the token signer hold the same three facts (certificate,
    chain, signature method) and must expose them the same way; only ``sign_raw`` differs.
    A subclass sets ``_certificate``, ``_chain`` and ``_method`` in its constructor.
    """

    __slots__ = ()
    _certificate: x509.Certificate
    _chain: tuple[x509.Certificate, ...]
    _method: SignatureMethod

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return self._chain

    @property
    def signature_method(self) -> SignatureMethod:
        """RSA-SHA256 or ECDSA-SHA256, from the key type of the certificate."""
        return self._method
