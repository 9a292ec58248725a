"""Signed values are read as exactly what was signed.

The signature covers the exclusive C14N *without comments* of each signed part, so a comment inside
a signed element is not signed: ``<wsa:MessageID>urn:uuid:6f1c<!---->2d3e…</wsa:MessageID>`` verifies
as the original, while lxml's ``.text`` is only the text before the first child node (``urn:uuid:6f1c``).
A processing instruction or an element inside a value splits the text the same way (those are
signed, but the value read would still not be the value signed). The contract here is refusal,
the stricter and simpler one, in two places that use this module and nothing else:

- :func:`refuse_hidden_nodes` (the verifier, after the References are checked): a comment inside
  any signed part is refused (``comment-in-signed-part``), and a processing instruction anywhere in
  the Envelope (``processing-instruction``: SOAP 1.1 §3 forbids them in a SOAP message);
- :func:`plain_text` (every reader of a value: WS-Addressing headers, Timestamp Created/Expires,
  the BinarySecurityToken, SignatureValue and DigestValue, the hub operations' fields, SOAP faults):
  the whole text of an element that holds text only, or :class:`NotPlainText`.

The message documents carried in the hub's ``Document`` field are another matter: they are base64
inside the signed Body, so every byte of them (comments included) is signed; the schema validator and
the codec read their values whole (``gateway.xml.checks.text_value``), as XSD sees them.
"""

from __future__ import annotations

from lxml import etree

from gateway.security.errors import SecurityError


class NotPlainText(ValueError):
    """An element whose value was to be read holds a child node (element, comment or processing
    instruction): its ``.text`` would be only part of its value."""

    def __init__(self, element: etree._Element) -> None:
        self.name = local_name(element)
        super().__init__(f"{self.name} must hold text only (no comment, element or processing instruction)")


def plain_text(element: etree._Element) -> str:
    """The whole text of ``element`` (CDATA and character references included, as the parser
    merges them); :class:`NotPlainText` when the element holds any child node."""
    if len(element):  # elements, comments and processing instructions all count as children
        raise NotPlainText(element)
    return element.text or ""


def verified_text(element: etree._Element) -> str:
    """:func:`plain_text` for the verifier: a :class:`SecurityError` (``not-plain-text``) instead."""
    try:
        return plain_text(element)
    except NotPlainText as exc:
        raise SecurityError("not-plain-text", str(exc)) from None


def local_name(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else "(node)"


def refuse_hidden_nodes(envelope: etree._Element, signed: set[int]) -> None:
    """Refuse a processing instruction anywhere in ``envelope`` and a comment inside any element
    whose identity (``id()``) is in ``signed`` (the referenced parts) or below one. One walk in C
    over the tree; an envelope without comments and PIs (every normal one) costs nothing more."""
    for node in envelope.iter(etree.Comment, etree.ProcessingInstruction):
        parent = node.getparent()
        where = local_name(parent) if parent is not None else "Envelope"
        if isinstance(node, etree._ProcessingInstruction):
            raise SecurityError(
                "processing-instruction",
                f"a processing instruction inside {where}: SOAP 1.1 messages must not contain them",
            )
        part = _signed_ancestor(node, signed)
        if part is not None:
            raise SecurityError(
                "comment-in-signed-part",
                f"a comment inside {where} in the signed {local_name(part)}: comments are not signed "
                "(exclusive C14N leaves them out), so signed values must be plain text",
            )


def _signed_ancestor(node: etree._Element, signed: set[int]) -> etree._Element | None:
    for ancestor in node.iterancestors():
        if id(ancestor) in signed:
            return ancestor
    return None
