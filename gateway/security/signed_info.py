"""The Security header our signer writes, as a template, and the canonical form of its own parts.

The signer copies one prebuilt Security header (Timestamp, BinarySecurityToken, the
SignatureConfirmations, and a Signature with one empty Reference per signed part) instead of
building ~40 elements one by one, and fills in ids, times and digests.

The SignedInfo, the Timestamp and the SignatureConfirmations are ours alone and fixed in shape, so
their exclusive canonical form is written here as text (a few µs each) instead of asking libxml2 to
canonicalize each element (~15-25 µs each on this machine). This is the only way the signer
canonicalizes them: every value is escaped as C14N escapes it, the prefixes are those of the tree,
and an envelope that would make lxml write our parts under other prefixes is refused before signing
(:func:`check_envelope_namespaces`). ``tests/test_security_signed_info.py`` holds the text to libxml2's
exclusive C14N (the oracle) for every algorithm, part count and any id or value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from lxml import etree

from gateway.security.errors import SecurityError
from gateway.security.namespaces import BASE64_BINARY, DS, EXC_C14N, WSSE, WSSE11, WSU, X509V3
from gateway.soap.namespaces import q

SECURITY_NSMAP = {"wsse": WSSE, "wsu": WSU, "ds": DS}
CONFIRMATION_NSMAP = {"wsse11": WSSE11}
_OUR_PREFIX = {uri: prefix for prefix, uri in (SECURITY_NSMAP | CONFIRMATION_NSMAP).items()}
_ATTRIBUTE_ESCAPES = re.compile('[&<"\t\n\r]')
_TEXT_ESCAPES = re.compile("[&<>\r]")
_C14N_ESCAPE = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;"
}  # fmt: skip


def _attribute(value: str) -> str:
    """An attribute value as C14N writes it."""
    return _ATTRIBUTE_ESCAPES.sub(lambda m: _C14N_ESCAPE[m.group()], value)


def _text(value: str) -> str:
    """Character content as C14N writes it."""
    return _TEXT_ESCAPES.sub(lambda m: _C14N_ESCAPE[m.group()], value)


def check_envelope_namespaces(parent: etree._Element) -> None:
    """Refuse to put our Security header under ``parent`` when a namespace of ours is declared there
    with another prefix (or as the default namespace): lxml would then write our parts with that
    prefix, and their canonical text would not be what we sign."""
    for prefix, uri in parent.nsmap.items():
        ours = _OUR_PREFIX.get(uri)
        if ours is not None and prefix != ours:
            raise SecurityError(
                "envelope-namespaces",
                f"the envelope declares {uri} as {'the default namespace' if prefix is None else prefix!r}; "
                f"the signer writes it as {ours!r} only",
            )


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
        etree.SubElement(security, q(WSSE11, "SignatureConfirmation"), nsmap=CONFIRMATION_NSMAP)
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


def canonical_timestamp(prefix: str | None, ts_id: str, created: str, expires: str) -> bytes:
    """Exclusive C14N of our Timestamp[Created, Expires] whose element and wsu:Id use ``prefix``."""
    p = _prefix(prefix)
    return (
        f'<{p}:Timestamp xmlns:{p}="{WSU}" {p}:Id="{_attribute(ts_id)}"><{p}:Created>{_text(created)}'
        f"</{p}:Created><{p}:Expires>{_text(expires)}</{p}:Expires></{p}:Timestamp>"
    ).encode()


def canonical_confirmation(prefix: str | None, wsu_prefix: str | None, value: str, sc_id: str) -> bytes:
    """Exclusive C14N of our SignatureConfirmation (prefix ``prefix``, wsu:Id with ``wsu_prefix``)."""
    p, w = _prefix(prefix), _prefix(wsu_prefix)
    declarations = "".join(f' xmlns:{k}="{ns}"' for k, ns in sorted([(p, WSSE11), (w, WSU)]))
    tag = f"{p}:SignatureConfirmation"
    return (
        f'<{tag}{declarations} Value="{_attribute(value)}" {w}:Id="{_attribute(sc_id)}"></{tag}>'
    ).encode()


def _prefix(prefix: str | None) -> str:
    if prefix is None or prefix in ("xml", "xmlns"):  # check_envelope_namespaces keeps ours
        raise SecurityError("envelope-namespaces", f"our parts cannot be written with prefix {prefix!r}")
    return prefix


def canonical_signed_info(
    sig_uri: str, digest_uri: str, uris: Sequence[str], digests: Sequence[str]
) -> bytes:
    """Exclusive C14N of the SignedInfo of :func:`security_template` with these References."""
    head, reference = _canonical_parts(sig_uri, digest_uri)
    references = "".join(
        [reference.format(_attribute(uri), _text(digest)) for uri, digest in zip(uris, digests, strict=True)]
    )
    return f"{head}{references}</ds:SignedInfo>".encode()


@lru_cache(maxsize=8)
def _canonical_parts(sig_uri: str, digest_uri: str) -> tuple[str, str]:
    """The canonical SignedInfo up to its References, and the format of one Reference (URI, digest)."""
    c14n, sig, digest = _attribute(EXC_C14N), _attribute(sig_uri), _attribute(digest_uri)
    head = (
        f'<ds:SignedInfo xmlns:ds="{DS}">'
        f'<ds:CanonicalizationMethod Algorithm="{c14n}"></ds:CanonicalizationMethod>'
        f'<ds:SignatureMethod Algorithm="{sig}"></ds:SignatureMethod>'
    )
    reference = (
        '<ds:Reference URI="{}"><ds:Transforms>'
        f'<ds:Transform Algorithm="{c14n}"></ds:Transform></ds:Transforms>'
        f'<ds:DigestMethod Algorithm="{digest}"></ds:DigestMethod>'
        "<ds:DigestValue>{}</ds:DigestValue></ds:Reference>"
    )
    return head, reference
