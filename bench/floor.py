"""The floor: what the steps every message must pass cost on this machine, for one message.

hardened lxml parse + XSD validate (lxml) + exclusive C14N with SHA-256 + one RSA-2048 PKCS#1 v1.5
signature over a SignedInfo-sized input. Nothing of the gateway's own code runs here, so the
ratio figure/floor shows what the gateway adds on top of the unavoidable work.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from gateway.xml.catalogue import default_catalogue

_SIGNED_INFO = (
    b'<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
    b'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    b'<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    b'<ds:Reference URI="#id-body"><ds:Transforms><ds:Transform '
    b'Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
    b'<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
    b"<ds:DigestValue>%s</ds:DigestValue></ds:Reference></ds:SignedInfo>"
)


def make_floor(
    message: bytes, berichttype: str = "Betaalvoorstel", versie: str = "2.0"
) -> Callable[[], bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    schema = default_catalogue().schema(default_catalogue().lookup(berichttype, versie))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

    def floor() -> bytes:
        root = etree.fromstring(message, parser)
        if not schema.validate(root):
            raise AssertionError("benchmark message is not valid")
        canonical = etree.tostring(root, method="c14n", exclusive=True)
        digest = base64.b64encode(hashlib.sha256(canonical).digest())
        return key.sign(_SIGNED_INFO % digest, padding.PKCS1v15(), hashes.SHA256())

    return floor
