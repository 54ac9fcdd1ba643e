"""What the layers above ``verify`` (``package``) may use of its internals.

They import from here only (a test refuses ``from hocbaso.verify._<module> import …`` outside
this package): the one copy of the rules that decide whether an organisation's document
signature is believed (:func:`signer_distrust`: signing time, path to an anchor, key usage and
strength, a supplied CRL, an organisation holder), the intermediates a Signature carries
(:func:`signature_chain`), and :func:`believe_notice`, a revocation notice read by the signing
core and believed by those rules (what ``verify`` step 8.3 believes). Everything else in the
private modules may change without notice.
"""

from hocbaso.verify._notice import believe_notice, signature_chain, signer_distrust

__all__ = ["believe_notice", "signature_chain", "signer_distrust"]
