"""Single-process figures: the inbound codec path, the outbound pipeline and the large message.

Every figure runs the gateway's own functions on one message and is timed interleaved with the
floor (:mod:`bench.floor`) for the same message bytes, so machine noise hits both alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from adapters.hub import operations as ops
from bench.messages import betaalvoorstel, saldoverzoek_antwoord
from gateway.codec import decode, encode
from gateway.security.certificates import Credentials
from gateway.security.devpki import DevCa
from gateway.security.signer import WsSigner
from gateway.soap.envelope import Addressing, build_envelope, message_id_for

ENDPOINT = "https://127.0.0.1:8443/skp"


@dataclass(frozen=True, slots=True)
class MicroFigure:
    name: str
    group: str
    message: bytes  # the message the floor is measured for
    berichttype: str
    func: Callable[[], object]


@cache
def credentials() -> Credentials:
    issued = DevCa(name="bench CA").issue("Bench Gemeente", "00000001001234567000")
    return Credentials(issued.certificate, issued.key)


def inbound(message: bytes) -> Callable[[], object]:
    """Untrusted bytes -> hardened parse -> XSD -> content checks -> model (what the poller does)."""

    def run() -> object:
        return decode(message)

    return run


def outbound(message: bytes) -> Callable[[], bytes]:
    """Model -> XML (validated against its XSD inside encode) -> VerstuurBericht -> signed SOAP bytes,
    what a submission plus one dispatch costs in CPU, without the store and the network."""
    bericht = decode(message)
    signer = WsSigner(credentials())
    header = bericht.berichtheader
    referentienummer = str(uuid.uuid4())
    addressing = Addressing(ENDPOINT, ops.action(ops.VERSTUUR), message_id_for(referentienummer))

    def run() -> bytes:
        document = encode(bericht, "2.0")
        payload = ops.verstuur_request(
            ops.Verzending(
                referentienummer, header.afzender, header.ontvanger, bericht.berichttype.value, document
            )
        )
        return signer.sign(build_envelope(payload, addressing)).data

    return run


def micro_figures(groups: set[str], claim_counts: tuple[int, ...], large_claims: int) -> list[MicroFigure]:
    result: list[MicroFigure] = []
    for claims in claim_counts:
        message = betaalvoorstel(claims)
        if "inbound" in groups:
            result.append(
                MicroFigure(f"inbound Betaalvoorstel {claims}", "inbound", message, "Betaalvoorstel",
                            inbound(message))
            )  # fmt: skip
        if "outbound" in groups:
            result.append(
                MicroFigure(f"outbound Betaalvoorstel {claims}", "outbound", message, "Betaalvoorstel",
                            outbound(message))
            )  # fmt: skip
    if "large" in groups:
        message = saldoverzoek_antwoord(large_claims)
        kind = "SaldoverzoekAntwoord"
        result.append(
            MicroFigure(f"large in {kind} {large_claims}", "large", message, kind, inbound(message))
        )
        result.append(
            MicroFigure(f"large out {kind} {large_claims}", "large", message, kind, outbound(message))
        )
    return result
