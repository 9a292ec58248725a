"""The one retry / dead-letter table (gateway.engine.retry): where every class of outcome goes.

Three levels: the table itself (every row a user can meet, per peer); the real hub client against a
scripted TLS server and the simulator (each way a call can end reaches the table under the code the
table names, and its outcome is the table's); and the real dispatcher with the real client, where
HTTP 501 and 505 are dead letters after one attempt while 503 is retried.
"""

from __future__ import annotations

import ast
import asyncio
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from transport_support import SE_ID, SHV_ID, client_for, dev_pki, document, fake_validator, simulator_config

from adapters.hub import operations as ops
from adapters.hub.client import HubClient
from adapters.hub.settings import HubClientSettings
from adapters.hub.simulator import HubSimulator
from adapters.hub.simulator_faults import FaultPlan
from gateway.engine.dispatcher import Dispatcher
from gateway.engine.ports import Outcome
from gateway.engine.retry import TABLE, UNCLASSIFIED, Peer, classified, error_class
from gateway.security.devpki import HUB_OIN
from gateway.security.signer import WsSigner
from gateway.security.tls import server_context
from gateway.soap.envelope import Addressing, build_envelope, new_message_id, parse_envelope
from gateway.soap.faults import SoapFault, build_fault
from gateway.soap.namespaces import WSA, WSA_ANONYMOUS, q
from gateway.store.records import OutboxState
from tests.engine_helpers import FAST, enqueue, no_sleep
from tests.fakes import FakeClock
from tests.store_fixtures import store, store_factory  # noqa: F401  (fixtures)

pytestmark = pytest.mark.timeout(60)
R, P, D = Outcome.RETRYABLE, Outcome.PERMANENT, Outcome.DELIVERED

# ---------------------------------------------------------------------------------------------
# The table


@pytest.mark.parametrize(
    ("code", "hub", "quick", "sink"),
    [
        # transport
        ("timeout", R, True, R),
        ("connection", R, True, R),
        ("tls", R, False, R),
        ("exception", R, False, R),
        ("io", R, False, R),  # the folder sink (the hub never reports it: unclassified, retried)
        # HTTP, the named statuses
        ("http-408", R, True, R),
        ("http-429", R, False, R),
        ("http-400", P, False, P),
        ("http-401", P, False, R),
        ("http-403", P, False, R),
        ("http-404", P, False, R),
        ("http-413", P, False, P),
        ("http-415", P, False, P),
        ("http-422", P, False, P),
        ("http-501", P, False, P),
        ("http-505", P, False, P),
        # HTTP, by class
        ("http-100", R, False, R),
        ("http-204", R, False, D),
        ("http-301", R, False, R),
        ("http-409", P, False, R),
        ("http-418", P, False, R),
        ("http-500", R, False, R),
        ("http-502", R, False, R),
        ("http-503", R, False, R),
        ("http-504", R, False, R),
        ("http-599", R, False, R),
        # the hub's answer
        ("garbage-response", R, False, R),
        ("response-too-large", R, False, R),
        ("unsigned-response", R, False, R),
        ("signature-invalid", R, False, R),
        ("response-mismatch", R, False, R),
        ("bad-response", R, False, R),
        # SOAP faults of the hub
        ("TijdelijkNietBeschikbaar", R, False, R),
        ("OngeldigBericht", P, False, R),
        ("OnbekendeOntvanger", P, False, R),
        ("NietGeautoriseerd", P, False, R),
        ("soap:Server", R, False, R),
        ("soap:Client", P, False, R),
        # refused before sending; and a code nobody named
        ("not-decodable", P, False, R),
        ("something-new", R, False, R),
    ],
)
def test_every_class_of_outcome_goes_where_the_table_says(code, hub, quick, sink):
    klass = error_class(code)
    assert (klass.outcome, klass.quick) == (hub, quick)
    assert error_class(code, Peer.SINK).outcome is sink  # hub-only codes: unclassified there (retried)
    result = classified(code, "")
    assert (result.outcome, result.code, result.reason) == (hub, code, klass.explanation)


def test_a_fault_the_table_does_not_name_goes_by_its_family():
    assert error_class("NieuweFout", by=("NieuweFout", "soap:Client")).outcome is P
    assert error_class("NieuweFout", by=("NieuweFout", "soap:Server")).outcome is R
    # a named code is decided by its row, whatever family the hub gave it
    assert error_class("OngeldigBericht", by=("OngeldigBericht", "soap:Server")).outcome is P


def test_a_code_decided_by_another_key():
    """The test kit's gateway sender: a 409 reported as "conflict", decided as an HTTP 409."""
    result = classified("conflict", "used before", by=("http-409",))
    assert (result.outcome, result.code) == (P, "conflict")
    assert classified("wrong-role", "", by=("http-503",)).outcome is R


def test_unknown_codes_are_retried_until_the_deadline():
    assert error_class(None) is UNCLASSIFIED and error_class("") is UNCLASSIFIED
    assert UNCLASSIFIED.outcome is R and not UNCLASSIFIED.quick


def test_every_row_has_a_column_and_only_sinks_deliver():
    for code, (hub, sink) in TABLE.items():
        assert hub is not None or sink is not None, code
        assert hub is None or hub.outcome is not D, code
        assert not (sink is not None and sink.quick), code  # sinks have no in-attempt retries


def _codes_named_in(path: Path, function: str) -> set[str]:
    """The literal first arguments of every call to ``function`` in one source file."""
    tree = ast.parse(path.read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == function
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def test_every_code_the_hub_client_and_the_engine_name_is_a_row_of_the_table():
    root = Path(__file__).resolve().parent.parent
    named = set()
    for path in [*(root / "adapters/hub").glob("*.py"), *(root / "gateway/engine").glob("*.py")]:
        named |= _codes_named_in(path, "failed") | _codes_named_in(path, "classified")
    assert named >= {"response-too-large", "garbage-response", "connection", "exception"}
    assert {code for code in named if code not in TABLE} == set()


def test_no_production_code_decides_retry_or_dead_letter_but_the_table():
    """Nowhere in gateway/ and adapters/ is a retryable or permanent result made by hand."""
    root = Path(__file__).resolve().parent.parent
    by_hand = []
    for path in [*(root / "gateway").rglob("*.py"), *(root / "adapters").rglob("*.py")]:
        if path == root / "gateway/engine/retry.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "HubResult"
                and node.args
                and isinstance(node.args[0], ast.Attribute)
                and node.args[0].attr in ("RETRYABLE", "PERMANENT")
            ):
                by_hand.append(f"{path.relative_to(root)}:{node.lineno}")
    assert by_hand == []


# ---------------------------------------------------------------------------------------------
# The real hub client against a scripted hub


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


@dataclass
class Script:
    """What the scripted hub answers next: ``status`` with ``body``; ``fault``: a signed SOAP fault
    (``tamper``: with one byte changed after signing); ``sleep``: seconds before answering."""

    status: int = 200
    body: bytes = b""
    fault: SoapFault | None = None
    tamper: bool = False
    sleep: float = 0.0
    requests: list[bytes] = field(default_factory=list)


@pytest.fixture
async def scripted(pki):
    script = Script()
    signer = WsSigner(pki.credentials("hub"))

    async def handler(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        script.requests.append(body)
        if script.sleep:
            await asyncio.sleep(script.sleep)
        if script.fault is None:
            return web.Response(status=script.status, body=script.body, content_type="text/xml")
        message_id = parse_envelope(body).findtext(f".//{q(WSA, 'MessageID')}")
        addressing = Addressing(WSA_ANONYMOUS, ops.FAULT_ACTION, new_message_id(), message_id)
        envelope = build_envelope(build_fault(script.fault), addressing)
        data = signer.sign(envelope).data
        if script.tamper:
            data = data.replace(b"<faultstring>", b"<faultstring>!", 1)
        return web.Response(status=500, body=data, content_type="text/xml")

    app = web.Application()
    app.router.add_post("/skp", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context(pki.tls("hub")))
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield script, f"https://127.0.0.1:{port}/skp"
    await runner.cleanup()


def _client(pki, url: str, **settings: object) -> HubClient:
    return HubClient(
        HubClientSettings(
            endpoint=url,
            afzender=SHV_ID,
            tls=pki.tls("shv"),
            hub_oin=HUB_OIN,
            **{"connect_timeout_seconds": 3, "request_timeout_seconds": 5, **settings},  # type: ignore[arg-type]
        )
    )


async def _send(client: HubClient):
    try:
        ref = str(uuid.uuid4())
        return await client.send(
            referentienummer=ref, ontvanger=SE_ID, berichttype="Saldoverzoek", document=document()
        )
    finally:
        await client.close()


def _assert_table(result, code: str, outcome: Outcome) -> None:
    assert result.code == code, result
    assert result.outcome is outcome is error_class(code).outcome, result


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(202, R), (301, R), (307, R), (400, P), (401, P), (403, P), (404, P), (408, R), (413, P),
     (418, P), (429, R), (501, P), (502, R), (503, R), (504, R), (505, P), (507, R)],
)  # fmt: skip
async def test_http_statuses_through_the_client(pki, scripted, status, outcome):
    script, url = scripted
    script.status, script.body = status, b"not for us"
    _assert_table(await _send(_client(pki, url)), f"http-{status}", outcome)
    assert len(script.requests) == 1  # a redirect is not followed


@pytest.mark.parametrize(
    ("fault", "code", "outcome"),
    [
        (SoapFault("TijdelijkNietBeschikbaar", "busy"), "TijdelijkNietBeschikbaar", R),
        (SoapFault("OngeldigBericht", "xsd"), "OngeldigBericht", P),
        (SoapFault("OnbekendeOntvanger", "who"), "OnbekendeOntvanger", P),
        (SoapFault("NietGeautoriseerd", "no"), "NietGeautoriseerd", P),
        (SoapFault("NieuweFout", "final", retryable=False), "NieuweFout", P),
        (SoapFault("NieuweStoring", "later", retryable=True), "NieuweStoring", R),
    ],
)
async def test_signed_soap_faults_through_the_client(pki, scripted, fault, code, outcome):
    script, url = scripted
    script.fault = fault
    result = await _send(_client(pki, url))
    assert (result.code, result.outcome) == (code, outcome)
    assert result.outcome is error_class(code, by=(code, f"soap:{fault.soap_code}")).outcome
    assert result.receipt  # the signed fault is the evidence


async def test_a_fault_whose_signature_does_not_verify_is_retried(pki, scripted):
    script, url = scripted
    script.fault, script.tamper = SoapFault("OngeldigBericht", "final"), True
    _assert_table(await _send(_client(pki, url)), "signature-invalid", R)


async def test_a_garbage_answer_is_retried(pki, scripted):
    script, url = scripted
    script.body = b"\x00<html>proxy error"
    _assert_table(await _send(_client(pki, url)), "garbage-response", R)


async def test_a_500_without_a_soap_fault_is_garbage(pki, scripted):
    script, url = scripted
    script.status, script.body = 500, b"<html>Internal Server Error</html>"
    _assert_table(await _send(_client(pki, url)), "garbage-response", R)


async def test_an_answer_that_is_too_large_is_retried(pki, scripted):
    script, url = scripted
    script.body = b"<x>" + b"a" * 300_000 + b"</x>"
    _assert_table(await _send(_client(pki, url, max_response_bytes=100_000)), "response-too-large", R)


async def test_a_timeout_is_retried(pki, scripted):
    script, url = scripted
    script.sleep = 2.0
    _assert_table(await _send(_client(pki, url, request_timeout_seconds=0.3)), "timeout", R)


async def test_a_refused_connection_is_retried(pki):
    _assert_table(await _send(_client(pki, "https://127.0.0.1:9/skp")), "connection", R)


async def test_a_hub_certificate_we_do_not_trust_is_a_tls_error(pki):
    app = web.Application()
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context(pki.tls("rogue")))
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        _assert_table(await _send(_client(pki, f"https://127.0.0.1:{port}/skp")), "tls", R)
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("faults", "code", "outcome"),
    [(FaultPlan(unsigned=1), "unsigned-response", R), (FaultPlan(drop=1), "connection", R)],
)
async def test_simulator_faults_through_the_client(pki, faults, code, outcome):
    hub = HubSimulator(simulator_config(pki, faults), validator=fake_validator)
    await hub.start()
    try:
        _assert_table(await _send(client_for(pki, hub.url)), code, outcome)
    finally:
        await hub.stop()


# ---------------------------------------------------------------------------------------------
# The real dispatcher with the real client


@pytest.mark.parametrize(("status", "state"), [(501, OutboxState.DEAD), (505, OutboxState.DEAD),
                                               (503, OutboxState.QUEUED)])  # fmt: skip
async def test_http_501_and_505_are_dead_letters_at_once_through_the_dispatcher(
    pki, scripted, store, status, state  # noqa: F811
):
    script, url = scripted
    script.status, script.body = status, b"no"
    clock = FakeClock()
    m = await enqueue(store, clock)
    client = _client(pki, url)
    try:
        d = Dispatcher(store, client, FAST, clock=clock, owner="A", sleep=no_sleep)
        report = await d.run_once()
    finally:
        await client.close()
    row = await store.get_outbound(m.referentienummer)
    assert row.state is state and row.attempts == 1
    assert len(script.requests) == 1  # no in-attempt retry: an HTTP status is not a blip
    (attempt,) = await store.attempts(m.referentienummer)
    assert attempt.code == f"http-{status}"
    if state is OutboxState.DEAD:
        assert report.dead == 1 and f"[http-{status}]" in row.last_error
        assert row.deadline > clock()  # dead long before the deadline: not retried until then
    else:
        assert report.retried == 1 and row.next_attempt_at > clock()
