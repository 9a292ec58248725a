"""The API protected by mutual TLS instead of a bearer token ([api] certificate + client_ca)."""

from __future__ import annotations

import ssl
from dataclasses import replace

import aiohttp
import pytest

from gateway.model.berichttype import Rol
from gateway.service import Gateway, StartupError
from tests.daemon_support import gateway_config, simulator
from tests.transport_support import SHV_ID, dev_pki


def _client_context(pki, name: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki.dir / "ca.pem"))
    if name:
        cert, key = pki.files(name)
        context.load_cert_chain(str(cert), str(key))
    return context


async def test_client_certificate_instead_of_token(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    monkeypatch.delenv("SKGW_TEST_API_TOKEN", raising=False)
    async with simulator(pki) as sim:
        config = gateway_config(pki, sim.url, tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
        cert, key = pki.files("hub")  # any server certificate for 127.0.0.1 under the dev CA
        api = replace(
            config.api, token_env=None, certificate=cert, private_key=key, client_ca=pki.dir / "ca.pem"
        )
        gateway = Gateway(replace(config, api=api))
        await gateway.start()
        try:
            url = f"https://127.0.0.1:{gateway.api_port}/api/berichten"
            async with aiohttp.ClientSession() as http:
                async with http.get(url, ssl=_client_context(pki, "se")) as response:
                    assert response.status == 200
                with pytest.raises(aiohttp.ClientError):  # no client certificate: the handshake fails
                    async with http.get(url, ssl=_client_context(pki, None)) as response:
                        await response.read()
        finally:
            await gateway.stop()


async def test_without_token_or_client_ca_the_gateway_refuses_to_start(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    monkeypatch.delenv("SKGW_TEST_API_TOKEN", raising=False)
    config = gateway_config(pki, "https://127.0.0.1:9/skp", tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
    with pytest.raises(StartupError, match="never open"):
        await Gateway(config).start()
