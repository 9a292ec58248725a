"""Where the parts of a signed envelope are: the SOAP frame, the Security header, the Signature, ids.

Every level is walked once, child by child, and its parts sorted by tag: lxml's ``find``/``findall``
go through ElementPath (a few µs per call) and the verifier used to ask each level several times.
(The SignedInfo is read by :mod:`gateway.security.shape`.)
What a part *is* stays as strict as before: a part is a direct child with exactly that tag, and
where one is required and several are present the envelope is refused as ambiguous.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from gateway.security.errors import SecurityError
from gateway.security.namespaces import DS, WSSE, WSSE11, WSU, WSU_ID
from gateway.security.signed_text import verified_text
from gateway.soap.namespaces import SOAP, WSA, q

ID_ATTRS = (WSU_ID, "Id", "ID", "id")
_ID_SET = frozenset(ID_ATTRS)

_ENVELOPE, _HEADER, _BODY = q(SOAP, "Envelope"), q(SOAP, "Header"), q(SOAP, "Body")
_MUST_UNDERSTAND = q(SOAP, "mustUnderstand")
_WSA_PREFIX = f"{{{WSA}}}"
SECURITY, TIMESTAMP, CONFIRMATION = (
    q(WSSE, "Security"),
    q(WSU, "Timestamp"),
    q(WSSE11, "SignatureConfirmation"),
)
SIGNATURE, SIGNED_INFO, SIGNATURE_VALUE = q(DS, "Signature"), q(DS, "SignedInfo"), q(DS, "SignatureValue")
KEY_INFO, STR, STR_REFERENCE = q(DS, "KeyInfo"), q(WSSE, "SecurityTokenReference"), q(WSSE, "Reference")


@dataclass(slots=True)
class Layout:
    """The SOAP frame and the children of the one Security header, sorted by kind."""

    header: etree._Element
    body: etree._Element
    security: etree._Element
    addressing: list[etree._Element] = field(default_factory=list)  # WS-Addressing headers, in order
    timestamps: list[etree._Element] = field(default_factory=list)
    signatures: list[etree._Element] = field(default_factory=list)
    confirmations: list[etree._Element] = field(default_factory=list)


@dataclass(slots=True)
class SignatureParts:
    signed_infos: list[etree._Element]
    value: str | None  # text of the first SignatureValue (None when there is none)
    key_infos: list[etree._Element]


def locate(envelope: etree._Element) -> Layout:
    """One Envelope, at most one Header, exactly one Body; exactly one wsse:Security header;
    no header we do not understand marked mustUnderstand."""
    if envelope.tag != _ENVELOPE:
        raise SecurityError("not-soap", "the document is not a SOAP 1.1 Envelope")
    headers, bodies, others = [], [], 0
    for child in envelope:
        tag = child.tag
        if tag == _HEADER:
            headers.append(child)
        elif tag == _BODY:
            bodies.append(child)
        elif isinstance(tag, str):
            others += 1
    if len(bodies) != 1 or len(headers) > 1 or others:
        raise SecurityError("not-soap", "the Envelope must hold at most one Header and exactly one Body")
    if not headers:
        raise SecurityError("unsigned", "the envelope is not signed (no SOAP Header, no WS-Security)")
    securities, addressing = [], []
    for block in headers[0]:
        tag = block.tag
        if not isinstance(tag, str):
            continue
        if tag == SECURITY:
            securities.append(block)
        elif tag.startswith(_WSA_PREFIX):
            addressing.append(block)
        elif block.get(_MUST_UNDERSTAND) in ("1", "true"):
            raise SecurityError(
                "must-understand", f"header {tag} is marked mustUnderstand but is not supported"
            )
    if not securities:
        raise SecurityError("unsigned", "the envelope is not signed (no wsse:Security header)")
    if len(securities) > 1:
        raise SecurityError("ambiguous-security", "the envelope has more than one wsse:Security header")
    layout = Layout(headers[0], bodies[0], securities[0], addressing)
    _sort_security(layout)
    return layout


def _sort_security(layout: Layout) -> None:
    for child in layout.security:
        tag = child.tag
        if tag == TIMESTAMP:
            layout.timestamps.append(child)
        elif tag == SIGNATURE:
            layout.signatures.append(child)
        elif tag == CONFIRMATION:
            layout.confirmations.append(child)


def single(found: list[etree._Element], name: str) -> etree._Element:
    """The one part called ``name`` of the Security header (or of its Signature)."""
    if not found:
        code = "unsigned" if name == "Signature" else "missing-part"
        raise SecurityError(code, f"the wsse:Security header has no {name}")
    if len(found) > 1:
        raise SecurityError("ambiguous-security", f"the wsse:Security header has more than one {name}")
    return found[0]


def signature_parts(signature: etree._Element) -> SignatureParts:
    signed_infos, key_infos, value = [], [], None
    found_value = False
    for child in signature:
        tag = child.tag
        if tag == SIGNED_INFO:
            signed_infos.append(child)
        elif tag == KEY_INFO:
            key_infos.append(child)
        elif tag == SIGNATURE_VALUE and not found_value:
            value, found_value = verified_text(child), True
    return SignatureParts(signed_infos, value, key_infos)


def token_reference(key_infos: list[etree._Element]) -> etree._Element | None:
    """The first KeyInfo/SecurityTokenReference/Reference, in document order."""
    for key_info in key_infos:
        for str_el in key_info:
            if str_el.tag == STR:
                for ref in str_el:
                    if ref.tag == STR_REFERENCE:
                        return ref
    return None


def id_map(envelope: etree._Element, skip: etree._Element | None = None) -> dict[str, etree._Element]:
    """Every id in the envelope (wsu:Id, Id, ID, id) -> its element; an id used twice is refused.

    ``skip``: a subtree known to hold no id attribute at all (the verifier passes a SignedInfo whose
    canonical text showed every attribute in it), left out of the walk."""
    ids: dict[str, etree._Element] = {}
    elements = envelope.iter(etree.Element) if skip is None else _elements_outside(envelope, skip)
    for element in elements:  # elements only: no comments, no PIs; in document order
        names = element.keys()
        if not names or _ID_SET.isdisjoint(names):  # most elements carry no id: one C call each
            continue
        for attr in ID_ATTRS:
            if attr not in names:
                continue
            value = element.get(attr)
            if value in ids and ids[value] is not element:
                raise SecurityError("id-duplicate", f"the id {value!r} occurs more than once in the envelope")
            ids[value] = element
    return ids


def _elements_outside(root: etree._Element, skip: etree._Element) -> Iterator[etree._Element]:
    """The elements of ``root``'s tree in document order, but ``skip`` and its descendants."""
    path = [skip]
    for ancestor in skip.iterancestors():
        path.append(ancestor)
        if ancestor is root:
            break
    else:
        raise ValueError("skip is not inside root")
    path.reverse()  # root ... skip
    return _walk_beside(path)


def _walk_beside(path: list[etree._Element]) -> Iterator[etree._Element]:
    node, on_path = path[0], path[1]
    yield node
    for child in node:
        if child is on_path:
            if len(path) > 2:
                yield from _walk_beside(path[1:])
        elif isinstance(child.tag, str):
            yield from child.iter(etree.Element)
