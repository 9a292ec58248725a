"""XML namespaces and fixed URIs of the SOAP layer (SOAP 1.1, WS-Addressing 2005/08, the hub)."""

from __future__ import annotations

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
HUB = "urn:skp-gateway:hub:1.0"

WSA_ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"


def q(namespace: str, local: str) -> str:
    """Clark notation ``{namespace}local`` as lxml uses it."""
    return f"{{{namespace}}}{local}"
