"""The API protected by mutual TLS: only client certificates listed in [[api.clients]] get in."""

from __future__ import annotations

import logging
import ssl
from dataclasses import replace

import aiohttp
import pytest

from gateway.api.auth import Role
from gateway.config import ApiClient, ApiToken
from gateway.model.berichttype import Rol
from gateway.service import Gateway, StartupError
from tests.daemon_support import TOKEN, gateway_config, simulator
from tests.transport_support import SE_OIN, SHV_ID, SHV_OIN, dev_pki


def _client_context(pki, name: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki.dir / "ca.pem"))
    if name:
        cert, key = pki.files(name)
        context.load_cert_chain(str(cert), str(key))
    return context


def _mtls_api(pki, config, **kw):
    cert, key = pki.files("hub")  # any server certificate for 127.0.0.1 under the dev CA
    return replace(config.api, certificate=cert, private_key=key, client_ca=pki.dir / "ca.pem", **kw)


async def test_listed_client_certificate_instead_of_token(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    monkeypatch.delenv("SKGW_TEST_API_TOKEN", raising=False)
    async with simulator(pki) as sim:
        config = gateway_config(pki, sim.url, tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
        zaaksysteem = ApiClient(name="zaaksysteem", roles=(Role.READ,), oin=SHV_OIN)
        gateway = Gateway(replace(config, api=_mtls_api(pki, config, tokens=(), clients=(zaaksysteem,))))
        await gateway.start()
        try:
            url = f"https://127.0.0.1:{gateway.api_port}/api/berichten"
            async with aiohttp.ClientSession() as http:
                async with http.get(url, ssl=_client_context(pki, "shv")) as response:
                    assert response.status == 200
                # the certificate's roles hold: read only, so no submission
                async with http.post(url, json={}, ssl=_client_context(pki, "shv")) as response:
                    assert response.status == 403
                    assert (await response.json())["code"] == "role-missing"
                with pytest.raises(aiohttp.ClientError):  # no client certificate: the handshake fails
                    async with http.get(url, ssl=_client_context(pki, None)) as response:
                        await response.read()
        finally:
            await gateway.stop()


async def test_an_unlisted_certificate_opens_nothing(tmp_path, monkeypatch, caplog) -> None:
    """A counterpart's party certificate (same CA) must not open another party's API."""
    pki = dev_pki()
    monkeypatch.setenv("SKGW_TEST_API_TOKEN", TOKEN)
    async with simulator(pki) as sim:
        config = gateway_config(pki, sim.url, tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
        listed = ApiClient(name="zaaksysteem", roles=(Role.READ, Role.SUBMIT), oin=SHV_OIN)
        gateway = Gateway(replace(config, api=_mtls_api(pki, config, clients=(listed,))))
        await gateway.start()
        try:
            url = f"https://127.0.0.1:{gateway.api_port}/api/berichten"
            async with aiohttp.ClientSession() as http:
                with caplog.at_level(logging.WARNING, logger="gateway.api.app"):
                    async with http.get(url, ssl=_client_context(pki, "se")) as response:
                        assert response.status == 403
                        body = await response.json()
                assert body["code"] == "certificate-not-listed"
                assert SE_OIN in body["error"]
                assert any("403 certificate-not-listed" in r.getMessage() for r in caplog.records)
                # the same unlisted certificate with a valid token: the token decides
                headers = {"Authorization": f"Bearer {TOKEN}"}
                async with http.get(url, ssl=_client_context(pki, "se"), headers=headers) as response:
                    assert response.status == 200
        finally:
            await gateway.stop()


async def test_client_ca_without_listed_clients_refuses_to_start(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    monkeypatch.setenv("SKGW_TEST_API_TOKEN", TOKEN)
    config = gateway_config(pki, "https://127.0.0.1:9/skp", tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
    gateway = Gateway(replace(config, api=_mtls_api(pki, config)))
    with pytest.raises(StartupError, match=r"\[\[api.clients\]\]"):
        await gateway.start()
    await gateway.stop()


async def test_clients_without_client_ca_refuse_to_start(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    monkeypatch.setenv("SKGW_TEST_API_TOKEN", TOKEN)
    config = gateway_config(pki, "https://127.0.0.1:9/skp", tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
    listed = ApiClient(name="zaaksysteem", roles=(Role.READ,), oin=SHV_OIN)
    gateway = Gateway(replace(config, api=replace(config.api, clients=(listed,))))
    with pytest.raises(StartupError, match="client_ca"):
        await gateway.start()
    await gateway.stop()


async def test_without_token_or_client_ca_the_gateway_refuses_to_start(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    monkeypatch.delenv("SKGW_TEST_API_TOKEN", raising=False)
    config = gateway_config(pki, "https://127.0.0.1:9/skp", tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
    with pytest.raises(StartupError, match="never open.*SKGW_TEST_API_TOKEN"):
        await Gateway(config).start()


def test_a_default_token_only_when_nothing_is_configured() -> None:
    from gateway.config import DEFAULT_TOKEN, ApiSettings

    assert ApiSettings().effective_tokens() == (DEFAULT_TOKEN,)
    assert set(DEFAULT_TOKEN.roles) == set(Role)
    client = ApiClient(name="x", roles=(Role.READ,), oin=SHV_OIN)
    assert ApiSettings(clients=(client,)).effective_tokens() == ()
    token = ApiToken(name="t", env="T")
    assert ApiSettings(tokens=(token,)).effective_tokens() == (token,)
