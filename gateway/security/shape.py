"""What a SignedInfo says — its algorithms and References — read from its canonical text or its tree.

The verifier canonicalizes the SignedInfo anyway (that text is what the SignatureValue signs). When
the text has exactly the shape our signer writes (``gateway.security.signed_info``) — ``ds:``
elements only, one exclusive-C14N Transform per Reference, no comments, processing instructions,
whitespace, InclusiveNamespaces or escaped characters — every value the checks need is read from
that text with one regular expression, instead of walking ~40 elements of the tree. Anything else
(another implementation's layout, xmlsec1 templates, a tampered SignedInfo) is read from the tree as
before. Either way the same :class:`SignedInfoShape` goes to the same checks
(:mod:`gateway.security.references`), so what is accepted and how a refusal reads do not depend on
the path; and when the text path applies, the tree holds exactly the values the text shows.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lxml import etree

from gateway.security.namespaces import DS, EXC_C14N
from gateway.security.signed_text import verified_text
from gateway.security.xmldsig import b64_text, inclusive_prefixes
from gateway.soap.namespaces import q

_C14N_METHOD, _SIGNATURE_METHOD = q(DS, "CanonicalizationMethod"), q(DS, "SignatureMethod")
_REFERENCE, _TRANSFORMS, _TRANSFORM = q(DS, "Reference"), q(DS, "Transforms"), q(DS, "Transform")
_DIGEST_METHOD, _DIGEST_VALUE = q(DS, "DigestMethod"), q(DS, "DigestValue")

_VALUE = rb'[^"<&]*'  # an attribute value C14N did not have to escape


def _reference_text(group: bytes) -> bytes:
    """One Reference as our signer writes it; ``group`` opens each value's group: b"(" captures."""
    return (
        rb'<ds:Reference URI="' + group + rb'#[A-Za-z0-9_.:-]+)"><ds:Transforms><ds:Transform Algorithm="'
        + re.escape(EXC_C14N.encode())
        + rb'"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="' + group + _VALUE
        + rb')"></ds:DigestMethod><ds:DigestValue>' + group
        + rb"[A-Za-z0-9+/=]*)</ds:DigestValue></ds:Reference>"
    )  # fmt: skip


_SIGNED_INFO_TEXT = re.compile(
    rb'<ds:SignedInfo xmlns:ds="' + re.escape(DS.encode())
    + rb'"><ds:CanonicalizationMethod Algorithm="' + re.escape(EXC_C14N.encode())
    + rb'"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="(' + _VALUE
    + rb')"></ds:SignatureMethod>((?:' + _reference_text(b"(?:") + rb")*)</ds:SignedInfo>"
)  # fmt: skip
_REFERENCE_TEXT = re.compile(_reference_text(b"("))


class ReferenceSpec(NamedTuple):  # a tuple: built several times per message, at a third of a frozen dataclass
    uri: str
    transforms: tuple[str | None, ...]  # the Algorithm of each Transform
    prefixes: list[str] | None  # InclusiveNamespaces of the first Transform
    digest_uri: str | None
    digest_value: str  # base64, whitespace removed


class SignedInfoShape(NamedTuple):
    c14n_uri: str | None
    prefixes: list[str] | None  # InclusiveNamespaces of the CanonicalizationMethod
    signature_uri: str | None
    references: list[ReferenceSpec]


def from_text(canonical: bytes) -> SignedInfoShape | None:
    """The shape of a SignedInfo whose exclusive C14N *with comments* is ``canonical``, when it is
    exactly our signer's layout (then it is also the C14N without comments); else None."""
    match = _SIGNED_INFO_TEXT.fullmatch(canonical)
    if match is None:
        return None
    references = [
        ReferenceSpec(
            uri.decode("ascii"), (EXC_C14N,), None, digest_uri.decode("utf-8"), value.decode("ascii")
        )
        for uri, digest_uri, value in _REFERENCE_TEXT.findall(match.group(2))
    ]
    return SignedInfoShape(EXC_C14N, None, match.group(1).decode("utf-8"), references)


def from_tree(signed_info: etree._Element) -> SignedInfoShape:
    """The shape as the tree gives it: the first CanonicalizationMethod and SignatureMethod, every
    Reference (as find/findall would return them)."""
    c14n = method = None
    references = []
    for child in signed_info:
        tag = child.tag
        if tag == _REFERENCE:
            references.append(_reference(child))
        elif tag == _C14N_METHOD and c14n is None:
            c14n = child
        elif tag == _SIGNATURE_METHOD and method is None:
            method = child
    return SignedInfoShape(
        c14n.get("Algorithm") if c14n is not None else None,
        inclusive_prefixes(c14n) if c14n is not None else None,
        method.get("Algorithm") if method is not None else None,
        references,
    )


def _reference(ref: etree._Element) -> ReferenceSpec:
    # every Transforms/Transform, the first DigestMethod and the first DigestValue
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
    return ReferenceSpec(
        ref.get("URI") or "",
        tuple(t.get("Algorithm") for t in transforms),
        inclusive_prefixes(transforms[0]) if transforms else None,
        digest_method.get("Algorithm") if digest_method is not None else None,
        b64_text(verified_text(value_el) if value_el is not None else None),
    )
