"""The Security header our signer writes, as a template, and its SignedInfo in canonical form.

The signer copies one prebuilt Security header (Timestamp, BinarySecurityToken, the
SignatureConfirmations, and a Signature with one empty Reference per signed part) instead of
building ~40 elements one by one, and fills in ids, times and digests.

The SignedInfo it signs is ours alone, fixed in shape: only ``ds:`` elements, attributes
``Algorithm`` and ``URI``, base64 digests, no whitespace. Its exclusive canonical form is therefore
written here as text (a few µs) instead of asking libxml2 to canonicalize the element (~25 µs on
this machine). That text must be byte for byte what a verifier's exclusive C14N of the serialized
SignedInfo gives: ``tests/test_security_signed_info.py`` compares the two for every algorithm and
part count, and :func:`canonical_signed_info` refuses (returns None, and the signer falls back to
libxml2) any URI whose characters C14N would escape. Our Timestamp and SignatureConfirmations are
written as text the same way, with the prefixes read from the tree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from lxml import etree

from gateway.security.namespaces import BASE64_BINARY, DS, EXC_C14N, WSSE, WSSE11, WSU, X509V3
from gateway.soap.namespaces import q

SECURITY_NSMAP = {"wsse": WSSE, "wsu": WSU, "ds": DS}
_SAFE_URI = re.compile(r"#[A-Za-z0-9_.:-]+")  # nothing C14N escapes in an attribute value
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:+/=-]*")  # ids, times, base64: nothing C14N escapes
_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def security_template(
    sig_uri: str, digest_uri: str, token: str, references: int, confirmations: int
) -> etree._Element:
    """Security[Timestamp[Created, Expires], BinarySecurityToken, SignatureConfirmation x n,
    Signature[SignedInfo[C14N, SignatureMethod, Reference x m], SignatureValue, KeyInfo]]."""
    security = etree.Element(q(WSSE, "Security"), nsmap=SECURITY_NSMAP)
    timestamp = etree.SubElement(security, q(WSU, "Timestamp"))
    etree.SubElement(timestamp, q(WSU, "Created"))
    etree.SubElement(timestamp, q(WSU, "Expires"))
    etree.SubElement(
        security,
        q(WSSE, "BinarySecurityToken"),
        EncodingType=BASE64_BINARY,
        ValueType=X509V3,
    ).text = token
    for _ in range(confirmations):
        etree.SubElement(security, q(WSSE11, "SignatureConfirmation"), nsmap={"wsse11": WSSE11})
    signature = etree.SubElement(security, q(DS, "Signature"))
    signed_info = etree.SubElement(signature, q(DS, "SignedInfo"))
    etree.SubElement(signed_info, q(DS, "CanonicalizationMethod"), Algorithm=EXC_C14N)
    etree.SubElement(signed_info, q(DS, "SignatureMethod"), Algorithm=sig_uri)
    for _ in range(references):
        ref = etree.SubElement(signed_info, q(DS, "Reference"), URI="")
        transforms = etree.SubElement(ref, q(DS, "Transforms"))
        etree.SubElement(transforms, q(DS, "Transform"), Algorithm=EXC_C14N)
        etree.SubElement(ref, q(DS, "DigestMethod"), Algorithm=digest_uri)
        etree.SubElement(ref, q(DS, "DigestValue"))
    etree.SubElement(signature, q(DS, "SignatureValue"))
    key_info = etree.SubElement(signature, q(DS, "KeyInfo"))
    str_el = etree.SubElement(key_info, q(WSSE, "SecurityTokenReference"))
    etree.SubElement(str_el, q(WSSE, "Reference"), URI="", ValueType=X509V3)
    return security


def canonical_timestamp(
    prefix: str | None, ts_id: str | None, created: str | None, expires: str | None
) -> bytes | None:
    """Exclusive C14N of our Timestamp[Created, Expires] whose element and wsu:Id use ``prefix``;
    None when anything would need escaping or a default namespace (the caller canonicalizes)."""
    if not (_safe_prefix(prefix) and _safe(ts_id) and _safe(created) and _safe(expires)):
        return None
    p = prefix
    return (
        f'<{p}:Timestamp xmlns:{p}="{WSU}" {p}:Id="{ts_id}"><{p}:Created>{created}</{p}:Created>'
        f"<{p}:Expires>{expires}</{p}:Expires></{p}:Timestamp>"
    ).encode("ascii")


def canonical_confirmation(
    prefix: str | None, wsu_prefix: str | None, value: str | None, sc_id: str | None
) -> bytes | None:
    """Exclusive C14N of our SignatureConfirmation (prefix ``prefix``, wsu:Id with ``wsu_prefix``)."""
    if not (_safe_prefix(prefix) and _safe_prefix(wsu_prefix) and prefix != wsu_prefix):
        return None
    if not (_safe(value) and _safe(sc_id)):
        return None
    declarations = "".join(f' xmlns:{p}="{ns}"' for p, ns in sorted([(prefix, WSSE11), (wsu_prefix, WSU)]))
    tag = f"{prefix}:SignatureConfirmation"
    return f'<{tag}{declarations} Value="{value}" {wsu_prefix}:Id="{sc_id}"></{tag}>'.encode("ascii")


def _safe(text: str | None) -> bool:
    return text is not None and _SAFE_VALUE.fullmatch(text) is not None


def _safe_prefix(prefix: str | None) -> bool:
    return prefix is not None and _PREFIX.fullmatch(prefix) is not None and prefix != "xml"


def canonical_signed_info(
    sig_uri: str, digest_uri: str, uris: Sequence[str], digests: Sequence[str]
) -> bytes | None:
    """Exclusive C14N of the SignedInfo of :func:`security_template` with these References, or None
    when a URI holds a character that would need escaping (the caller then canonicalizes)."""
    if not all(_SAFE_URI.fullmatch(uri) for uri in uris):
        return None
    head, reference = _canonical_parts(sig_uri, digest_uri)
    references = "".join([reference.format(uri, digest) for uri, digest in zip(uris, digests, strict=True)])
    return f"{head}{references}</ds:SignedInfo>".encode("ascii")


@lru_cache(maxsize=8)
def _canonical_parts(sig_uri: str, digest_uri: str) -> tuple[str, str]:
    """The canonical SignedInfo up to its References, and the format of one Reference (URI, digest)."""
    head = (
        f'<ds:SignedInfo xmlns:ds="{DS}">'
        f'<ds:CanonicalizationMethod Algorithm="{EXC_C14N}"></ds:CanonicalizationMethod>'
        f'<ds:SignatureMethod Algorithm="{sig_uri}"></ds:SignatureMethod>'
    )
    reference = (
        '<ds:Reference URI="{}"><ds:Transforms>'
        f'<ds:Transform Algorithm="{EXC_C14N}"></ds:Transform></ds:Transforms>'
        f'<ds:DigestMethod Algorithm="{digest_uri}"></ds:DigestMethod>'
        "<ds:DigestValue>{}</ds:DigestValue></ds:Reference>"
    )
    return head, reference
