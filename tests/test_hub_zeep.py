"""A standard SOAP client (zeep, requests-based, sync) loads our WSDL and calls the simulator over mTLS."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import requests
import zeep
from transport_support import SE_ID, SHV_ID, dev_pki, document, fake_validator, simulator_config
from zeep.exceptions import Fault
from zeep.transports import Transport

from adapters.hub.operations import WSDL_PATH
from adapters.hub.simulator import HubSimulator
from adapters.hub.zeep_wsse import ZeepWsSecurity
from gateway.security.devpki import HUB_OIN
from gateway.security.signer import WsSigner
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier

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


def zeep_service(pki, url: str):
    session = requests.Session()
    session.cert = tuple(str(p) for p in pki.files("shv"))
    session.verify = str(pki.dir / "ca.pem")
    session.trust_env = False  # else REQUESTS_CA_BUNDLE silently overrides session.verify (requests #3829)
    wsse = ZeepWsSecurity(
        WsSigner(pki.credentials("shv")), WsVerifier(TrustStore([pki.ca.certificate])), hub_oin=HUB_OIN
    )
    # zeep adds To/Action/MessageID itself because our WSDL declares wsam:Action (WUS WS008)
    client = zeep.Client(
        str(WSDL_PATH),
        transport=Transport(session=session, timeout=10),
        wsse=wsse,
    )
    service = client.create_service("{urn:skp-gateway:hub:1.0}SchuldenknooppuntBinding", url)
    return service, wsse, session


async def test_zeep_sends_and_fetches_through_our_wsdl(pki, hub):
    ref = str(uuid.uuid4())
    doc = document()

    def call():
        service, wsse, session = zeep_service(pki, hub.url)
        try:
            receipt = service.VerstuurBericht(
                Referentienummer=ref,
                Afzender=SHV_ID,
                Ontvanger=SE_ID,
                Berichttype="Saldoverzoek",
                Document=doc,
            )
            fetched = service.HaalBerichtenOp(Maximum=5)  # SHV's own box: empty
            try:
                service.VerstuurBericht(
                    Referentienummer=str(uuid.uuid4()),
                    Afzender=SHV_ID,
                    Ontvanger=str(uuid.uuid4()),
                    Berichttype="Saldoverzoek",
                    Document=doc,
                )
                fault = None
            except Fault as exc:
                fault = exc
            return receipt, fetched, fault, wsse.last_verified
        finally:
            session.close()

    receipt, fetched, fault, verified = await asyncio.wait_for(asyncio.to_thread(call), 25)
    assert receipt.Referentienummer == ref and receipt.Herhaling is False
    assert fetched.Meer is False and not fetched.Bericht
    assert (
        fault is not None
        and fault.code.endswith("Client")
        and "OnbekendeOntvanger" in etree_text(fault.detail)
    )
    assert verified.oin == HUB_OIN
    stored = hub.state.bericht(ref)
    assert stored is not None and stored.regel.document == doc


def etree_text(element) -> str:
    from lxml import etree

    return etree.tostring(element).decode() if element is not None else ""
