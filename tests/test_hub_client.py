"""The hub client against the simulator over mTLS: deliveries, fetches, and every fault mode."""

from __future__ import annotations

import asyncio
import os
import ssl
import uuid
from dataclasses import replace
from datetime import timedelta

import aiohttp
import certificate_factory as cf
import pytest
from lxml import etree
from transport_support import SE_ID, SHV_ID, client_for, dev_pki, document, fake_validator, simulator_config

from adapters.hub.simulator import HubSimulator
from adapters.hub.simulator_faults import FaultPlan
from adapters.hub.simulator_timing import ProcessingTimes
from gateway.engine.ports import HubError, Outcome
from gateway.security.settings import TlsSettings
from gateway.security.signer import SignedEnvelope
from gateway.security.trust import TrustStore
from gateway.soap.namespaces import HUB, q

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


@pytest.fixture
async def shv(pki, hub):
    client = client_for(pki, hub.url)
    yield client
    await client.close()


@pytest.fixture
async def se(pki, hub):
    client = client_for(pki, hub.url, "se", SE_ID)
    yield client
    await client.close()


async def send(client, ref=None, berichttype="Saldoverzoek", doc=None, ontvanger=SE_ID):
    return await client.send(
        referentienummer=ref or str(uuid.uuid4()),
        ontvanger=ontvanger,
        berichttype=berichttype,
        document=doc or document(berichttype),
    )


async def test_send_fetch_confirm_over_mtls(shv, se, hub):
    doc = document()
    ref = str(uuid.uuid4())
    first = await send(shv, ref, doc=doc)
    assert first.outcome is Outcome.DELIVERED and first.receipt.startswith(b"<?xml")
    again = await send(shv, ref, doc=doc)
    assert again.outcome is Outcome.DUPLICATE_ACCEPTED
    fetched = await se.fetch(10)
    assert [(b.referentienummer, b.afzender, b.document) for b in fetched.messages] == [(ref, SHV_ID, doc)]
    assert fetched.messages[0].hub_received_at.tzinfo is not None and fetched.envelope
    assert (await se.confirm(ref)).outcome is Outcome.DELIVERED
    assert (await se.confirm(ref)).outcome is Outcome.DUPLICATE_ACCEPTED
    assert (await se.fetch(10)).messages == []


async def test_one_connection_pool_is_reused(shv, hub):
    for _ in range(3):
        assert (await send(shv)).outcome is Outcome.DELIVERED
    connector = shv._http().connector
    assert isinstance(connector, aiohttp.TCPConnector)
    assert sum(len(v) for v in connector._conns.values()) == 1


async def test_paging_with_meer(shv, se):
    refs = [str(uuid.uuid4()) for _ in range(3)]
    for ref in refs:
        await send(shv, ref)
    page = await se.fetch(2)
    assert [b.referentienummer for b in page.messages] == refs[:2] and page.more


@pytest.mark.parametrize(
    ("faults", "code"),
    [
        (FaultPlan(http_503=1), "http-503"),
        (FaultPlan(drop=1), "connection"),
        (FaultPlan(garbage=1), "garbage-response"),
        (FaultPlan(unsigned=1), "unsigned-response"),
        (FaultPlan(berichttype={"Saldoverzoek": "TijdelijkNietBeschikbaar"}), "TijdelijkNietBeschikbaar"),
    ],
)
async def test_retryable_fault_modes(shv, hub, faults, code):
    hub.faults = faults
    result = await send(shv)
    assert (result.outcome, result.code) == (Outcome.RETRYABLE, code), result.reason
    if faults.berichttype:
        hub.faults = FaultPlan()  # per-type faults stay until cleared; counters run out by themselves
    assert (await send(shv)).outcome is Outcome.DELIVERED


@pytest.mark.parametrize("code", ["OngeldigBericht", "OnbekendeOntvanger", "NietGeautoriseerd"])
async def test_permanent_fault_codes(shv, hub, code):
    hub.faults = FaultPlan(berichttype={"Saldoverzoek": code})
    result = await send(shv)
    assert (result.outcome, result.code) == (Outcome.PERMANENT, code)
    assert result.receipt  # the signed fault is kept as evidence


async def test_latency_beyond_the_timeout_is_retryable(pki, hub):
    hub.faults = FaultPlan(latency_ms=1500)
    client = client_for(pki, hub.url, timeout=0.5)
    try:
        result = await send(client)
    finally:
        await client.close()
    assert (result.outcome, result.code) == (Outcome.RETRYABLE, "timeout")


async def test_a_request_the_client_gave_up_on_is_still_processed_and_a_resend_is_a_duplicate(pki, hub, shv):
    """The hub is slow, the client times out and goes away: the hub still takes the message it
    received (as a real server would), so the resend must be answered with the first receipt."""
    hub.faults = FaultPlan(latency_ms=600)
    impatient = client_for(pki, hub.url, timeout=0.2)
    ref, doc = str(uuid.uuid4()), document()
    try:
        first = await send(impatient, ref, doc=doc)
    finally:
        await impatient.close()
    assert (first.outcome, first.code) == (Outcome.RETRYABLE, "timeout")
    for _ in range(40):  # bounded: the hub finishes the request about 0.4 s later
        if hub.state.bericht(ref) is not None:
            break
        await asyncio.sleep(0.05)
    assert hub.state.bericht(ref) is not None
    hub.faults = FaultPlan()
    assert (await send(shv, ref, doc=doc)).outcome is Outcome.DUPLICATE_ACCEPTED


async def test_fetch_failures_raise_hub_error(se, hub):
    hub.faults = FaultPlan(http_503=1, unsigned=1)
    with pytest.raises(HubError) as info:
        await se.fetch()
    assert info.value.retryable and info.value.code == "http-503"
    with pytest.raises(HubError) as info:
        await se.fetch()
    assert info.value.retryable and info.value.code == "unsigned-response"


async def test_invalid_document_and_unknown_recipient_are_permanent(shv, hub):
    bad = await send(shv, doc=document(extra="<Fout/>"))
    assert (bad.outcome, bad.code) == (Outcome.PERMANENT, "OngeldigBericht")
    unknown = await send(shv, ontvanger=str(uuid.uuid4()))
    assert (unknown.outcome, unknown.code) == (Outcome.PERMANENT, "OnbekendeOntvanger")
    assert hub.state.bak(SE_ID) == []


async def test_certificate_of_another_party_than_the_afzender_is_refused(pki, hub):
    client = client_for(pki, hub.url, "se", SHV_ID)  # SE's certificate, SHV's address-book id
    try:
        result = await send(client)
    finally:
        await client.close()
    assert (result.outcome, result.code) == (Outcome.PERMANENT, "NietGeautoriseerd")
    assert hub.state.bak(SE_ID) == []


async def test_client_certificate_from_untrusted_ca_is_refused_by_tls(pki, hub):
    client = client_for(pki, hub.url, "rogue")
    try:
        result = await send(client)
    finally:
        await client.close()
    assert result.outcome is Outcome.RETRYABLE and result.code in ("tls", "connection"), result
    assert "certificate" in result.reason  # the operator is told what to check
    assert hub.state.bak(SE_ID) == []


async def test_missing_client_certificate_is_refused_by_tls(pki, hub):
    ctx = ssl.create_default_context(cafile=str(pki.dir / "ca.pem"))  # no client certificate
    client = client_for(pki, hub.url, ssl_context=ctx)
    try:
        result = await send(client)
    finally:
        await client.close()
    assert result.outcome is Outcome.RETRYABLE and result.code in ("tls", "connection"), result
    assert hub.state.bak(SE_ID) == []


async def test_hub_not_trusted_by_client_is_a_tls_error(pki, hub):
    tls = replace(pki.tls("shv"), ca_bundle=pki.dir / "other-ca.pem")
    from adapters.hub.client import HubClient
    from adapters.hub.settings import HubClientSettings
    from gateway.security.trust import TrustStore

    client = HubClient(
        HubClientSettings(endpoint=hub.url, afzender=SHV_ID, tls=tls), trust=TrustStore([pki.ca.certificate])
    )
    try:
        result = await send(client)
    finally:
        await client.close()
    assert (result.outcome, result.code) == (Outcome.RETRYABLE, "tls")
    assert "ca_bundle" in result.reason


async def test_connection_refused_is_retryable(pki):
    client = client_for(pki, "https://127.0.0.1:9/skp")
    try:
        result = await send(client)
    finally:
        await client.close()
    assert (result.outcome, result.code) == (Outcome.RETRYABLE, "connection")


async def test_response_signed_by_other_party_than_the_hub_is_not_delivered(pki, hub):
    from adapters.hub.simulator import HubSimulator

    impostor = HubSimulator(
        replace(simulator_config(pki), tls=pki.tls("se")), validator=fake_validator
    )  # a valid certificate, but not the hub's OIN
    await impostor.start()
    client = client_for(pki, impostor.url)
    try:
        result = await send(client)
    finally:
        await client.close()
        await impostor.stop()
    assert (result.outcome, result.code) == (Outcome.RETRYABLE, "signature-invalid")
    assert "OIN" in result.reason


def test_tls_settings_type_is_the_security_one(pki):
    assert isinstance(pki.tls("shv"), TlsSettings)


async def test_response_without_our_signature_confirmation_is_not_delivered(shv, hub, monkeypatch):
    real_sign = hub._signer.sign
    monkeypatch.setattr(
        hub._signer, "sign", lambda env, confirmations=(): real_sign(env, confirmations=["b3RoZXI="])
    )
    result = await send(shv)
    assert (result.outcome, result.code) == (Outcome.RETRYABLE, "signature-invalid")
    assert "SignatureConfirmation" in result.reason


async def test_response_relating_to_another_request_is_not_delivered(shv, hub, monkeypatch):
    from adapters.hub import simulator

    real = simulator.Addressing
    monkeypatch.setattr(
        simulator, "Addressing", lambda to, action, mid, relates_to: real(to, action, mid, "urn:uuid:other")
    )
    result = await send(shv)
    assert (result.outcome, result.code) == (Outcome.RETRYABLE, "response-mismatch")


async def test_without_hub_oin_the_response_signer_must_be_the_tls_peer(pki):
    from adapters.hub.client import HubClient
    from adapters.hub.settings import HubClientSettings

    # TLS with the hub's certificate, responses signed with another party's key
    sim = HubSimulator(simulator_config(pki), validator=fake_validator, credentials=pki.credentials("se"))
    await sim.start()
    client = HubClient(HubClientSettings(endpoint=sim.url, afzender=SHV_ID, tls=pki.tls("shv")))
    try:
        result = await send(client)
        assert client.certificate_days_left() > 300
    finally:
        await client.close()
        await sim.stop()
    assert (result.outcome, result.code) == (Outcome.RETRYABLE, "signature-invalid")
    assert "TLS peer" in result.reason


def test_hub_client_implements_the_hub_port_exactly():
    import inspect

    from adapters.hub.client import HubClient
    from gateway.engine.ports import HubPort

    for name in ("send", "fetch", "confirm", "close"):
        port, ours = getattr(HubPort, name), getattr(HubClient, name)
        assert inspect.iscoroutinefunction(ours), name
        assert list(inspect.signature(ours).parameters) == list(inspect.signature(port).parameters), name
        port_defaults = {k: p.default for k, p in inspect.signature(port).parameters.items()}
        assert {k: p.default for k, p in inspect.signature(ours).parameters.items()} == port_defaults, name


async def test_the_simulator_reports_its_own_work_per_request(shv, hub):
    ref = str(uuid.uuid4())
    assert (await send(shv, ref)).outcome is Outcome.DELIVERED
    assert (await send(shv, ref)).outcome is Outcome.DUPLICATE_ACCEPTED  # a resend adds to the first
    async with aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{hub.admin_port}/admin/processing-times"
        async with http.get(url) as response:
            times = (await response.json())["ms"]
        assert 0 < times[f"urn:uuid:{ref}"] < 10_000
        async with http.delete(url) as response:
            assert (await response.json())["ms"] == {}
    assert hub.processing_times.as_ms() == {}


async def test_the_admin_endpoint_says_what_to_use_for_a_wrong_or_renamed_path(hub):
    base = f"http://127.0.0.1:{hub.admin_port}"
    cases = [
        ("GET", "/admin/bakken/x", 404, "/admin/bakken/x was renamed: use /admin/boxes/x (CHANGELOG.md)"),
        ("POST", "/admin/klok", 404, "/admin/klok was renamed: use /admin/clock"),
        ("GET", "/admin/nothing", 404, "no such admin path: /admin/nothing; see GET /admin"),
        ("POST", "/admin/faults", 405, "POST is not taken here: use DELETE or GET or PUT /admin/faults"),
    ]
    async with aiohttp.ClientSession() as http:
        for method, path, status, says in cases:
            async with http.request(method, base + path) as response:
                assert response.status == status, path
                assert (await response.json())["error"].startswith(says), path


def test_processing_times_keep_only_the_most_recent():
    times = ProcessingTimes(limit=2)
    for mid, seconds in (("a", 0.001), ("b", 0.002), ("a", 0.001), ("c", 0.004)):
        times.record(mid, seconds)
    assert times.as_ms() == {"a": 2.0, "c": 4.0}  # b was the oldest when c came


def _comment_in_referentienummers(signed: SignedEnvelope) -> SignedEnvelope:
    """The hub's signed answer with <!----> in every hub:Referentienummer (still validly signed:
    exclusive C14N drops comments)."""
    root = etree.fromstring(signed.data)
    for element in root.iter(q(HUB, "Referentienummer")):
        comment, text = etree.Comment(""), element.text
        element.text, comment.tail = text[:8], text[8:]
        element.append(comment)
    return SignedEnvelope(
        etree.tostring(root, xml_declaration=True, encoding="utf-8"), signed.signature_value
    )


async def test_a_comment_inside_a_signed_value_of_the_hubs_answer_is_not_trusted(shv, se, hub, monkeypatch):
    """Before: the client read the text before the comment (a truncated Referentienummer)."""
    ref = str(uuid.uuid4())
    assert (await send(shv, ref)).outcome is Outcome.DELIVERED
    real_sign = hub._signer.sign
    monkeypatch.setattr(
        hub._signer,
        "sign",
        lambda env, confirmations=(): _comment_in_referentienummers(
            real_sign(env, confirmations=confirmations)
        ),
    )
    with pytest.raises(HubError) as info:
        await se.fetch(10)
    assert info.value.code == "signature-invalid" and "comment-in-signed-part" in str(info.value)
    result = await send(shv)
    assert (result.outcome, result.code) == (Outcome.RETRYABLE, "signature-invalid")
    assert "comment" in result.reason


async def test_the_hub_takes_a_replaced_crl_without_a_restart(pki, tmp_path):
    """A stale CRL refuses every client of its CA (TLS and signature); the operator replaces the
    file and the running hub uses it from the next handshake on."""
    ca = cf.Made(pki.ca.certificate, pki.ca.key)
    path = cf.write_crl(
        tmp_path / "ca.crl.pem", cf.crl(ca, next_update_in=timedelta(minutes=-1), age=timedelta(days=8))
    )
    sim = HubSimulator(
        replace(simulator_config(pki), tls=pki.tls("hub", crl_files=(path,))),
        validator=fake_validator,
        trust=TrustStore.from_files(pki.dir / "ca.pem", [path], recheck_seconds=0),
    )
    await sim.start()
    client = client_for(pki, sim.url)
    try:
        refused = await send(client)
        assert refused.outcome is Outcome.RETRYABLE and sim.state.bak(SE_ID) == []
        cf.write_crl(path, cf.crl(ca))
        os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
        assert (await send(client)).outcome is Outcome.DELIVERED
    finally:
        await client.close()
        await sim.stop()
