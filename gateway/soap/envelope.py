"""SOAP 1.1 envelopes with WS-Addressing 2005/08 headers: building, and reading untrusted bytes.

Requests carry To, Action and MessageID; a VerstuurBericht's MessageID is
``urn:uuid:<Referentienummer>`` so that every retry of one message carries the same id. Responses
carry Action, their own MessageID and RelatesTo (the request's MessageID), as Digikoppeling WUS asks.
Signing and verification live in :mod:`gateway.security`; this module never trusts a header it
read itself — the verified values come from :class:`gateway.security.verifier.VerifiedEnvelope`.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass

from lxml import etree

from gateway.security.namespaces import WSU
from gateway.soap.namespaces import HUB, SOAP, WSA, q
from gateway.xml.errors import Problem, XmlInputError
from gateway.xml.parsing import DEFAULT_LIMITS, ParseLimits, parse_xml

NSMAP = {"soap": SOAP, "wsa": WSA, "wsu": WSU, "hub": HUB}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True, slots=True)
class Addressing:
    to: str
    action: str
    message_id: str
    relates_to: str | None = None


def message_id_for(referentienummer: str) -> str:
    """The MessageID of the message with this Referentienummer (stable across retries)."""
    if not _UUID.match(referentienummer):
        raise ValueError(f"a Referentienummer is a lowercase UUID, not {referentienummer!r}")
    return f"urn:uuid:{referentienummer}"


def new_message_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def build_envelope(payload: etree._Element | None, addressing: Addressing) -> etree._Element:
    """An unsigned envelope: WS-Addressing headers and ``payload`` as the single Body child."""
    envelope = copy.deepcopy(_template(bool(addressing.relates_to)))
    header, body = envelope
    header[0].text = addressing.to
    header[1].text = addressing.action
    header[2].text = addressing.message_id
    if addressing.relates_to:
        header[3].text = addressing.relates_to
    if payload is not None:
        body.append(payload)
    return envelope


_TEMPLATES: dict[bool, etree._Element] = {}


def _template(relates_to: bool) -> etree._Element:
    """Envelope[Header[To, Action, MessageID, RelatesTo?], Body], built once: a copy of it costs a
    quarter of building the seven elements one by one."""
    template = _TEMPLATES.get(relates_to)
    if template is None:
        template = etree.Element(q(SOAP, "Envelope"), nsmap=NSMAP)
        header = etree.SubElement(template, q(SOAP, "Header"))
        for name in ("To", "Action", "MessageID", "RelatesTo")[: 4 if relates_to else 3]:
            etree.SubElement(header, q(WSA, name))
        etree.SubElement(template, q(SOAP, "Body"))
        _TEMPLATES[relates_to] = template
    return template


def parse_envelope(data: bytes, limits: ParseLimits = DEFAULT_LIMITS) -> etree._Element:
    """Parse untrusted bytes (hardened parser) and check that they are a SOAP 1.1 envelope."""
    root = parse_xml(data, limits).getroot()
    if root.tag != q(SOAP, "Envelope"):
        found = etree.QName(root)
        raise XmlInputError(
            Problem(
                code="not-soap",
                message="the document is not a SOAP 1.1 envelope",
                expected=f"{{{SOAP}}}Envelope",
                found=f"{{{found.namespace or ''}}}{found.localname}",
            )
        )
    return root


def payload_of(body: etree._Element) -> etree._Element | None:
    """The single element child of a Body (None for an empty Body)."""
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) > 1:
        raise XmlInputError(Problem(code="not-soap", message="the SOAP Body must hold exactly one element"))
    return children[0] if children else None
