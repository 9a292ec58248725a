"""What a Signature signs: the SignedInfo algorithms, every Reference digest, and coverage.

Coverage is checked by position, not by following the references: the Body that is *the* child of
Envelope, the Timestamp, every WS-Addressing header and every SignatureConfirmation in the Security
header must each be one of the referenced elements, so a signed element moved elsewhere (signature
wrapping) leaves the real one unsigned and is refused.
"""

from __future__ import annotations

import hmac

from lxml import etree

from gateway.security.errors import SecurityError
from gateway.security.layout import Layout
from gateway.security.namespaces import DIGEST_METHODS, EXC_C14N, SHA1_URIS, SIGNATURE_METHODS
from gateway.security.shape import ReferenceSpec, SignedInfoShape
from gateway.security.signed_text import verified_text
from gateway.security.xmldsig import digest_b64, exc_c14n
from gateway.soap.namespaces import WSA

REQUIRED_WSA = ("To", "Action", "MessageID")
_WSA_LOCAL = slice(len(WSA) + 2, None)  # "{WSA}To" -> "To"
_ALLOWED_TRANSFORMS = ((), (EXC_C14N,))


def _fail(code: str, message: str) -> SecurityError:
    return SecurityError(code, message)


def check_signed_info(shape: SignedInfoShape) -> type:
    """Exclusive C14N and RSA with SHA-2 (SHA-1 refused by name); the hash class of the method."""
    if shape.c14n_uri != EXC_C14N:
        raise _fail("algorithm-refused", "SignedInfo must use exclusive C14N (xml-exc-c14n#)")
    uri = shape.signature_uri
    if uri in SHA1_URIS:
        raise _fail("sha1-refused", f"SHA-1 signatures are refused (Digikoppeling: SHA-2 only): {uri}")
    if uri not in SIGNATURE_METHODS:
        raise _fail("algorithm-refused", f"signature method {uri} is not allowed (rsa-sha256/384/512)")
    return SIGNATURE_METHODS[uri]


def check_references(
    references: list[ReferenceSpec], ids: dict[str, etree._Element], signature: etree._Element
) -> set[int]:
    """Verify every Reference digest; return the identities (id()) of the referenced elements."""
    if not references:
        raise _fail("unsigned-part", "the Signature references nothing")
    seen: set[int] = set()
    for ref in references:
        uri = ref.uri
        if not uri.startswith("#") or uri[1:] not in ids:
            raise _fail("reference-invalid", f"Reference URI {uri!r} does not point to an id in the envelope")
        target = ids[uri[1:]]
        if id(target) in seen:
            raise _fail("reference-invalid", f"the element {uri} is referenced twice")
        if _inside(target, signature):
            raise _fail("reference-invalid", "a Reference points into the Signature itself")
        _check_digest(ref, target)
        seen.add(id(target))
    return seen


def _inside(element: etree._Element, signature: etree._Element) -> bool:
    """Whether ``element`` is the Signature or lies within it. The walk up stops at the Signature's
    parent (the Security header): nothing above it can be the Signature."""
    if element is signature:
        return True
    security = signature.getparent()
    for ancestor in element.iterancestors():
        if ancestor is signature:
            return True
        if ancestor is security:
            return False
    return False


def _check_digest(ref: ReferenceSpec, target: etree._Element) -> None:
    uri = ref.uri
    if ref.transforms not in _ALLOWED_TRANSFORMS:  # none, or exactly one exclusive C14N
        raise _fail("algorithm-refused", f"Reference {uri}: only the exclusive C14N transform is allowed")
    digest_uri = ref.digest_uri
    if digest_uri in SHA1_URIS:
        raise _fail("sha1-refused", f"Reference {uri}: SHA-1 digests are refused (Digikoppeling: SHA-2 only)")
    if digest_uri not in DIGEST_METHODS:
        raise _fail("algorithm-refused", f"Reference {uri}: digest method {digest_uri} is not allowed")
    actual = digest_b64(exc_c14n(target, ref.prefixes), DIGEST_METHODS[digest_uri])
    if not hmac.compare_digest(ref.digest_value.encode("ascii", "replace"), actual.encode("ascii")):
        raise _fail("digest-mismatch", f"the signed element {target.tag} ({uri}) was changed after signing")


def require_covered(layout: Layout, timestamp: etree._Element, referenced: set[int]) -> dict[str, str]:
    """Body, Timestamp, every WS-Addressing header and SignatureConfirmation signed; the
    WS-Addressing values (local name -> text), each present once, To/Action/MessageID required."""

    def need(element: etree._Element, name: str) -> None:
        if id(element) not in referenced:
            raise _fail("unsigned-part", f"{name} is not covered by the signature")

    need(layout.body, "the SOAP Body")
    need(timestamp, "the Timestamp")
    wsa: dict[str, str] = {}
    for element in layout.addressing:
        local = element.tag[_WSA_LOCAL]
        need(element, f"the WS-Addressing header {local}")
        if local in wsa:
            raise _fail("ambiguous-addressing", f"the WS-Addressing header {local} occurs twice")
        wsa[local] = verified_text(element).strip()
    for conf in layout.confirmations:
        need(conf, "a SignatureConfirmation")
    missing = [name for name in REQUIRED_WSA if not wsa.get(name)]
    if missing:
        raise _fail("addressing-missing", f"required WS-Addressing headers missing: {', '.join(missing)}")
    return wsa
