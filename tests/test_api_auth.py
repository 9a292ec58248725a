"""API callers: named tokens with roles, a minimum strength, distinct refusals, a log line per refusal."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from gateway.api.auth import Role, TokenBook, WeakToken, check_strength, required_role
from gateway.config import ApiToken, ConfigError, load_config
from gateway.model.berichttype import Rol
from gateway.service import Gateway, StartupError
from tests.daemon_support import Api, gateway_config, simulator
from tests.transport_support import SE_ID, SHV_ID, dev_pki

READER = "reader-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SUBMITTER = "submitter-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
OPERATOR = "operator-f0e1d2c3b4a5968778695a4b3c2d1e0f"
TOKENS = (
    ApiToken("dashboard", "SKGW_T_READ", (Role.READ,)),
    ApiToken("zaaksysteem", "SKGW_T_SUBMIT", (Role.READ, Role.SUBMIT)),
    ApiToken("beheer", "SKGW_T_OPERATE", (Role.READ, Role.OPERATE)),
)


# -- strength -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("x", "1 characters"),
        ("0123456789abcdef0123456789abcde", "31 characters"),
        ("a" * 40, "fewer than 8 different"),
        ("abababababababababababababababab12", "fewer than 8 different"),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1234567", "more than half"),
        ("0123456789abcdef 0123456789abcdef", "white space"),
    ],
)
def test_weak_tokens_are_refused_with_the_reason(secret: str, why: str) -> None:
    with pytest.raises(WeakToken, match=why) as info:
        check_strength(secret)
    assert secret not in str(info.value) or len(secret) < 2
    assert str(info.value).endswith("; make one with e.g. openssl rand -hex 24")  # and what to do


def test_tokens_as_openssl_and_python_make_them_pass() -> None:
    """Random tokens of the shortest length allowed pass: the rules refuse only what no generator makes
    (at 32 hex characters, fewer than 8 distinct ones has a chance below 1e-7 a token)."""
    import secrets

    for _ in range(2000):
        check_strength(secrets.token_hex(16))
        check_strength(secrets.token_hex(24))
        check_strength(secrets.token_urlsafe(24))


def test_identify_names_the_caller_and_its_roles() -> None:
    book = TokenBook([("dashboard", READER, (Role.READ,)), ("beheer", OPERATOR, (Role.READ, Role.OPERATE))])
    caller = book.identify(OPERATOR)
    assert caller is not None and caller.name == "beheer" and caller.may(Role.OPERATE)
    assert not caller.may(Role.SUBMIT)
    assert book.identify(READER[:-1]) is None
    assert book.identify("") is None


def test_route_roles() -> None:
    assert required_role("GET", "/api/berichten") is Role.READ
    assert required_role("POST", "/api/berichten") is Role.SUBMIT
    assert required_role("POST", "/api/berichten/{referentienummer}/resend") is Role.OPERATE
    assert required_role("POST", "/api/fetch") is Role.OPERATE
    assert required_role("DELETE", "/api/anything-new") is Role.OPERATE  # unlisted: the strictest


# -- config -------------------------------------------------------------------------------------
def test_tokens_from_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "skgw.toml"
    path.write_text(
        '[api]\nport = 0\n\n[[api.tokens]]\nname = "zaaksysteem"\nenv = "X"\nroles = ["read", "submit"]\n'
        '\n[[api.tokens]]\nname = "beheer"\nenv = "Y"\nroles = ["operate"]\n'
    )
    api = load_config(path).api
    assert [(t.name, t.env, t.roles) for t in api.tokens] == [
        ("zaaksysteem", "X", (Role.READ, Role.SUBMIT)),
        ("beheer", "Y", (Role.OPERATE,)),
    ]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('name = "a"\nenv = "X"\nroles = ["admin"]\n', "expected one of read, submit, operate"),
        ('name = "a"\nenv = "X"\nroles = []\n', "roles is empty"),
        ('env = "X"\n', "missing required key name"),
    ],
)
def test_bad_token_tables_name_the_key(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "skgw.toml"
    path.write_text("[[api.tokens]]\n" + table)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_one_name_per_caller(tmp_path: Path) -> None:
    path = tmp_path / "skgw.toml"
    path.write_text('[[api.tokens]]\nname = "a"\nenv = "X"\n\n[[api.tokens]]\nname = "a"\nenv = "Y"\n')
    with pytest.raises(ConfigError, match="a appear more than once"):
        load_config(path)


# -- start-up -----------------------------------------------------------------------------------
async def test_a_weak_token_stops_the_start_and_is_never_printed(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    config = gateway_config(pki, "https://127.0.0.1:9/skp", tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
    monkeypatch.setenv("SKGW_TEST_API_TOKEN", "geheim")
    gateway = Gateway(config)
    with pytest.raises(StartupError, match=r"token 'test' \(\$SKGW_TEST_API_TOKEN\) is too weak") as info:
        await gateway.start()
    await gateway.stop()
    assert "geheim" not in str(info.value)


async def test_two_tokens_with_one_secret_stop_the_start(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    config = gateway_config(pki, "https://127.0.0.1:9/skp", tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
    for name in ("SKGW_T_READ", "SKGW_T_SUBMIT", "SKGW_T_OPERATE"):
        monkeypatch.setenv(name, READER)
    gateway = Gateway(replace(config, api=replace(config.api, tokens=TOKENS)))
    with pytest.raises(StartupError, match="same secret"):
        await gateway.start()
    await gateway.stop()


# -- requests -----------------------------------------------------------------------------------
async def test_roles_refusals_and_their_log_lines(tmp_path, monkeypatch, caplog) -> None:
    pki = dev_pki()
    monkeypatch.setenv("SKGW_T_READ", READER)
    monkeypatch.setenv("SKGW_T_SUBMIT", SUBMITTER)
    monkeypatch.setenv("SKGW_T_OPERATE", OPERATOR)
    async with simulator(pki) as sim:
        config = gateway_config(pki, sim.url, tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
        gateway = Gateway(replace(config, api=replace(config.api, tokens=TOKENS)))
        await gateway.start()
        try:
            async with aiohttp.ClientSession() as http:
                reader, submitter = Api(http, gateway, READER), Api(http, gateway, SUBMITTER)
                operator = Api(http, gateway, OPERATOR)
                nobody = Api(http, gateway, "")
                nobody.headers = {}
                with caplog.at_level(logging.INFO, logger="gateway.api.app"):
                    assert (await reader.call("GET", "/api/berichten"))[0] == 200
                    status, body = await reader.submit({"berichttype": "Saldoverzoek"})
                    assert (status, body["code"]) == (403, "role-missing")
                    assert "dashboard (read) may not do this: it needs the role submit" in body["error"]

                    # a submitter may submit (this one is refused for its content, not its role)
                    status, body = await submitter.submit(
                        {"berichttype": "Saldoverzoek", "berichtheader": {"ontvanger": SE_ID}}
                    )
                    assert status == 422
                    assert (await submitter.call("POST", "/api/fetch"))[0] == 403
                    assert (await operator.call("POST", "/api/fetch"))[0] == 202

                    status, body = await nobody.call("GET", "/api/berichten?klantnummer_shv=K-77")
                    assert (status, body["code"]) == (401, "missing-token")
                    status, body = await Api(http, gateway, "wrong-" + READER).call("GET", "/api/berichten")
                    assert (status, body["code"]) == (401, "invalid-token")
                    status, body = await nobody.call(
                        "GET", "/api/berichten", headers={"Authorization": f"Basic {READER}"}
                    )
                    assert (status, body["code"]) == (401, "malformed-authorization")

                lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("API refused")]
                joined = "\n".join(lines)
                assert "API refused POST /api/berichten: 403 role-missing (caller dashboard" in joined
                assert "API refused POST /api/fetch: 403 role-missing (caller zaaksysteem" in joined
                assert "API refused GET /api/berichten: 401 missing-token (caller -" in joined
                assert "API refused GET /api/berichten: 401 invalid-token (caller -" in joined
                assert "API refused GET /api/berichten: 401 malformed-authorization" in joined
                refused_422 = [line for line in lines if ": 422 " in line]
                assert len(refused_422) == 1 and "(caller zaaksysteem" in refused_422[0]
                assert refused_422[0].split(": 422 ")[1].split(" (")[0] != "-"  # the finding codes
                for secret in (READER, SUBMITTER, OPERATOR, "K-77"):
                    assert secret not in joined  # no token, no query string
                assert len(lines) == 6
        finally:
            await gateway.stop()


async def test_a_wrong_token_is_told_apart_in_the_challenge(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    monkeypatch.setenv("SKGW_T_READ", READER)
    async with simulator(pki) as sim:
        config = gateway_config(pki, sim.url, tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
        gateway = Gateway(replace(config, api=replace(config.api, tokens=TOKENS[:1])))
        await gateway.start()
        try:
            base = f"http://127.0.0.1:{gateway.api_port}/api/berichten"
            async with aiohttp.ClientSession() as http:
                async with http.get(base) as response:
                    assert response.headers["WWW-Authenticate"] == 'Bearer realm="skp-gateway"'
                async with http.get(base, headers={"Authorization": "Bearer nope"}) as response:
                    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
        finally:
            await gateway.stop()
