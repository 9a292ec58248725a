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
from gateway.security.layout import Layout, SignedInfoParts
from gateway.security.namespaces import DIGEST_METHODS, DS, EXC_C14N, SHA1_URIS, SIGNATURE_METHODS
from gateway.security.xmldsig import b64_text, digest_b64, exc_c14n, inclusive_prefixes
from gateway.soap.namespaces import WSA, q

REQUIRED_WSA = ("To", "Action", "MessageID")
_TRANSFORMS, _TRANSFORM = q(DS, "Transforms"), q(DS, "Transform")
_DIGEST_METHOD, _DIGEST_VALUE = q(DS, "DigestMethod"), q(DS, "DigestValue")
_WSA_LOCAL = slice(len(WSA) + 2, None)  # "{WSA}To" -> "To"


def _fail(code: str, message: str) -> SecurityError:
    return SecurityError(code, message)


def check_signed_info(parts: SignedInfoParts) -> type:
    """Exclusive C14N and RSA with SHA-2 (SHA-1 refused by name); the hash class of the method."""
    c14n = parts.c14n_method
    if c14n is None or c14n.get("Algorithm") != EXC_C14N:
        raise _fail("algorithm-refused", "SignedInfo must use exclusive C14N (xml-exc-c14n#)")
    method = parts.signature_method
    uri = method.get("Algorithm") if method is not None else None
    if uri in SHA1_URIS:
        raise _fail("sha1-refused", f"SHA-1 signatures are refused (Digikoppeling: SHA-2 only): {uri}")
    if uri not in SIGNATURE_METHODS:
        raise _fail("algorithm-refused", f"signature method {uri} is not allowed (rsa-sha256/384/512)")
    return SIGNATURE_METHODS[uri]


def check_references(
    references: list[etree._Element], ids: dict[str, etree._Element], signature: etree._Element
) -> set[int]:
    """Verify every Reference digest; return the identities (id()) of the referenced elements."""
    if not references:
        raise _fail("unsigned-part", "the Signature references nothing")
    seen: set[int] = set()
    for ref in references:
        uri = ref.get("URI") or ""
        if not uri.startswith("#") or uri[1:] not in ids:
            raise _fail("reference-invalid", f"Reference URI {uri!r} does not point to an id in the envelope")
        target = ids[uri[1:]]
        if id(target) in seen:
            raise _fail("reference-invalid", f"the element {uri} is referenced twice")
        if target is signature or any(a is signature for a in target.iterancestors()):
            raise _fail("reference-invalid", "a Reference points into the Signature itself")
        _check_digest(ref, uri, target)
        seen.add(id(target))
    return seen


def _check_digest(ref: etree._Element, uri: str, target: etree._Element) -> None:
    # the children of ref sorted in one pass: every Transforms/Transform, the first DigestMethod and
    # the first DigestValue (what findall("ds:Transforms/ds:Transform") and find() would return)
    transforms: list[etree._Element] = []
    digest_method = value_el = None
    for child in ref:
        tag = child.tag
        if tag == _TRANSFORMS:
            transforms.extend(t for t in child if t.tag == _TRANSFORM)
        elif tag == _DIGEST_METHOD and digest_method is None:
            digest_method = child
        elif tag == _DIGEST_VALUE and value_el is None:
            value_el = child
    if len(transforms) > 1 or any(t.get("Algorithm") != EXC_C14N for t in transforms):
        raise _fail("algorithm-refused", f"Reference {uri}: only the exclusive C14N transform is allowed")
    prefixes = inclusive_prefixes(transforms[0]) if transforms else None
    digest_uri = digest_method.get("Algorithm") if digest_method is not None else None
    if digest_uri in SHA1_URIS:
        raise _fail("sha1-refused", f"Reference {uri}: SHA-1 digests are refused (Digikoppeling: SHA-2 only)")
    if digest_uri not in DIGEST_METHODS:
        raise _fail("algorithm-refused", f"Reference {uri}: digest method {digest_uri} is not allowed")
    expected = b64_text(value_el.text if value_el is not None else None)
    actual = digest_b64(exc_c14n(target, prefixes), DIGEST_METHODS[digest_uri])
    if not hmac.compare_digest(expected.encode("ascii", "replace"), actual.encode("ascii")):
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
        wsa[local] = (element.text or "").strip()
    for conf in layout.confirmations:
        need(conf, "a SignatureConfirmation")
    missing = [name for name in REQUIRED_WSA if not wsa.get(name)]
    if missing:
        raise _fail("addressing-missing", f"required WS-Addressing headers missing: {', '.join(missing)}")
    return wsa
