"""Requests the simulated hub must refuse — each with a signed fault and nothing stored.

These post hand-made envelopes over mTLS (not through the client) to play the attacker or the
misconfigured partner: replayed, tampered, SHA-1, expired, unsigned, wrong Action.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from transport_support import SE_ID, SHV_ID, dev_pki, document, fake_validator, simulator_config

from adapters.hub import operations as ops
from adapters.hub.simulator import HubSimulator
from gateway.security.namespaces import DS
from gateway.security.signer import WsSigner
from gateway.security.tls import client_context
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.security.xmldsig import exc_c14n
from gateway.soap.envelope import Addressing, build_envelope, message_id_for, parse_envelope
from gateway.soap.faults import parse_fault
from gateway.soap.namespaces import HUB, WSA, q

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


@pytest.fixture
async def hub(pki):
    sim = HubSimulator(simulator_config(pki), validator=fake_validator)
    await sim.start()
    yield sim
    await sim.stop()


def verstuur_envelope(hub, ref: str, action: str | None = None) -> etree._Element:
    payload = ops.verstuur_request(ops.Verzending(ref, SHV_ID, SE_ID, "Saldoverzoek", document()))
    return build_envelope(
        payload, Addressing(hub.url, action or ops.action(ops.VERSTUUR), message_id_for(ref))
    )


async def post(pki, hub, data: bytes) -> tuple[int, str | None]:
    """POST over mTLS as SHV; returns (HTTP status, verified fault code or None)."""
    connector = aiohttp.TCPConnector(ssl=client_context(pki.tls("shv")))
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.post(hub.url, data=data, headers={"Content-Type": "text/xml"}) as response:
            body = await response.read()
    verified = WsVerifier(TrustStore([pki.ca.certificate])).verify(parse_envelope(body))
    fault = parse_fault(verified.payload)
    return response.status, fault.code if fault else None


def signed(pki, hub, ref: str, clock=None) -> bytes:
    signer = WsSigner(pki.credentials("shv"), clock=clock) if clock else WsSigner(pki.credentials("shv"))
    return signer.sign(verstuur_envelope(hub, ref)).data


async def test_replayed_envelope_is_refused(pki, hub):
    ref = str(uuid.uuid4())
    data = signed(pki, hub, ref)
    assert await post(pki, hub, data) == (200, None)
    assert await post(pki, hub, data) == (500, "NietGeautoriseerd")
    assert await post(pki, hub, signed(pki, hub, ref)) == (200, None)  # a fresh resend is fine
    assert len(hub.state.bak(SE_ID)) == 1


def with_comment(data: bytes, tag: str, where: int) -> bytes:
    """``data`` with ``<!---->`` inserted ``where`` characters into the text of the element
    ``tag``: exclusive C14N drops comments, so the signature still verifies."""
    root = etree.fromstring(data)
    element = next(root.iter(tag))
    text = element.text
    element.text, comment = text[:where], etree.Comment("")
    comment.tail = text[where:]
    element.append(comment)
    return etree.tostring(root)


async def test_a_replay_with_comments_in_the_signed_message_id_is_refused(pki, hub):
    """Before: the same captured request with <!----> at three places in its wsa:MessageID was
    accepted three times (three "new" MessageIDs for the replay cache)."""
    ref = str(uuid.uuid4())
    data = signed(pki, hub, ref)
    assert await post(pki, hub, data) == (200, None)
    for where in (9, 20, 40):
        assert await post(pki, hub, with_comment(data, q(WSA, "MessageID"), where)) == (
            500,
            "NietGeautoriseerd",
        )
    assert [m["referentienummer"] for m in hub.state.bak(SE_ID)] == [ref]


async def test_a_comment_in_the_signed_referentienummer_stores_nothing(pki, hub):
    """Before: the hub read the text before the comment and stored a truncated Referentienummer,
    which the receiving gateway could neither confirm nor answer with a Foutbericht."""
    ref = str(uuid.uuid4())
    data = with_comment(signed(pki, hub, ref), q(HUB, "Referentienummer"), 8)
    assert await post(pki, hub, data) == (500, "NietGeautoriseerd")
    assert hub.state.bericht(ref) is None and hub.state.bericht(ref[:8]) is None
    assert hub.state.bak(SE_ID) == []


async def test_tampered_body_is_refused(pki, hub):
    ref = str(uuid.uuid4())
    data = signed(pki, hub, ref).replace(b">Saldoverzoek<", b">Betaalvoorstel<")
    assert await post(pki, hub, data) == (500, "NietGeautoriseerd")
    assert hub.state.bericht(ref) is None


async def test_expired_timestamp_is_refused(pki, hub):
    ref = str(uuid.uuid4())
    data = signed(pki, hub, ref, clock=lambda: datetime.now(UTC) - timedelta(hours=1))
    assert await post(pki, hub, data) == (500, "NietGeautoriseerd")
    assert hub.state.bericht(ref) is None


async def test_sha1_signature_is_refused(pki, hub):
    ref = str(uuid.uuid4())
    root = etree.fromstring(signed(pki, hub, ref))
    root.find(f".//{q(DS, 'SignatureMethod')}").set("Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    signed_info = root.find(f".//{q(DS, 'SignedInfo')}")
    value = pki.shv.key.sign(exc_c14n(signed_info), padding.PKCS1v15(), hashes.SHA1())
    root.find(f".//{q(DS, 'SignatureValue')}").text = base64.b64encode(value).decode()
    assert await post(pki, hub, etree.tostring(root)) == (500, "NietGeautoriseerd")
    assert hub.state.bericht(ref) is None


async def test_unsigned_request_is_refused(pki, hub):
    ref = str(uuid.uuid4())
    data = etree.tostring(verstuur_envelope(hub, ref))
    assert await post(pki, hub, data) == (500, "NietGeautoriseerd")
    assert hub.state.bericht(ref) is None


async def test_garbage_and_wrong_action_are_invalid(pki, hub):
    assert await post(pki, hub, b"<not xml") == (500, "OngeldigBericht")
    ref = str(uuid.uuid4())
    envelope = verstuur_envelope(hub, ref, action=ops.action(ops.BEVESTIG))
    assert await post(pki, hub, WsSigner(pki.credentials("shv")).sign(envelope).data) == (
        500,
        "OngeldigBericht",
    )
    assert hub.state.bericht(ref) is None


async def test_operation_payload_is_validated_against_hub_xsd(pki, hub):
    envelope = build_envelope(
        ops.haal_op_request(0), Addressing(hub.url, ops.action(ops.HAAL_OP), f"urn:uuid:{uuid.uuid4()}")
    )
    assert await post(pki, hub, WsSigner(pki.credentials("shv")).sign(envelope).data) == (
        500,
        "OngeldigBericht",
    )


async def test_admin_endpoint_shows_boxes_and_sets_faults(pki, hub):
    ref = str(uuid.uuid4())
    await post(pki, hub, signed(pki, hub, ref))
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{hub.admin_url}/boxes/{SE_ID}") as r:
            box = await r.json()
        assert [m["referentienummer"] for m in box] == [ref] and "document" not in box[0]
        async with session.put(f"{hub.admin_url}/faults", json={"http_503": 2}) as r:
            assert r.status == 200 and (await r.json())["http_503"] == 2
        async with session.put(f"{hub.admin_url}/faults", json={"berichttype": {"X": "Onzin"}}) as r:
            assert r.status == 400 and "Onzin" in (await r.json())["error"]
        async with session.post(f"{hub.admin_url}/clock", json={"days": 10}) as r:
            assert (await r.json())["expired"] == 1
        async with session.get(f"{hub.admin_url}/berichten/{ref}") as r:
            assert (await r.json())["status"] == "verlopen"
    assert hub.faults.http_503 == 2
