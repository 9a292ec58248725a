"""The operator console without a browser (as with JavaScript off): security headers, sessions,
CSRF, roles, the login limit, BSN masking, no personal data in URLs or log lines, the pages, the
actions and their record."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from gateway.api.auth import Caller, Role
from gateway.console.app import HTMX_SHA256, htmx_script
from gateway.console.security import LoginLimiter, Sessions
from tests.console_support import BEHEER, INDIENER, LEZER, from_creditor, omgeving, quarantine_one, submit
from tests.transport_support import SE2_ID

BSN = "111222333"  # the fixtures' client
KLANT = "ZW-2025-00417"
pytestmark = pytest.mark.timeout(90)


def _personal(text: str) -> list[str]:
    return [v for v in (BSN, "123456782", "Linden", "Assendorperstraat", "ZW-7777") if v in text]


# -- units ------------------------------------------------------------------------------------------
def test_sessions_end_when_idle_and_after_their_maximum() -> None:
    now = [0.0]
    sessions = Sessions(idle_seconds=60, max_seconds=300, now=lambda: now[0])
    caller = Caller("beheer", frozenset({Role.READ}), "token")
    cookie, session = sessions.start(caller)
    now[0] = 59
    assert sessions.get(cookie) == (session, "")
    now[0] = 118  # used at 59: still within the idle time
    assert sessions.get(cookie)[0] is session
    now[0] = 179
    assert sessions.get(cookie) == (None, "idle")
    assert sessions.get(cookie) == (None, "unknown")
    cookie, _ = sessions.start(caller)
    for t in range(0, 300, 50):
        now[0] = 179 + t
        assert sessions.get(cookie)[0] is not None
    now[0] = 179 + 301
    assert sessions.get(cookie) == (None, "expired")
    assert sessions.get(None) == (None, "missing")
    cookie, _ = sessions.start(caller)
    assert sessions.end(cookie) and sessions.get(cookie) == (None, "unknown")
    # a page refreshing itself does not keep a session alive
    cookie, session = sessions.start(caller)
    start = now[0]
    for t in (20, 40, 59):
        now[0] = start + t
        assert sessions.get(cookie, touch=False)[0] is session
    now[0] = start + 61
    assert sessions.get(cookie, touch=False) == (None, "idle")


def test_login_limiter_counts_per_address_in_a_sliding_window() -> None:
    now = [0.0]
    limiter = LoginLimiter(attempts=3, window_seconds=60, now=lambda: now[0])
    assert [limiter.allow("10.0.0.1")[0] for _ in range(3)] == [True, True, True]
    allowed, wait = limiter.allow("10.0.0.1")
    assert not allowed and 1 <= wait <= 61
    assert limiter.allow("10.0.0.2") == (True, 0)  # another address has its own count
    now[0] = 61
    assert limiter.allow("10.0.0.1") == (True, 0)


def test_the_session_cookie_is_secure_when_the_api_runs_tls(tmp_path) -> None:
    from dataclasses import replace
    from types import SimpleNamespace

    from gateway.config import ApiSettings, Config
    from gateway.console.app import make_console
    from gateway.console.web import STATE

    for certificate, secure in ((None, False), (tmp_path / "api.pem", True)):
        config = replace(Config(), api=ApiSettings(certificate=certificate))
        app = make_console(SimpleNamespace(config=config))  # type: ignore[arg-type]
        assert app[STATE].secure is secure


def test_htmx_is_found_in_its_package_as_pinned() -> None:
    import hashlib

    data = htmx_script()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256 and b'version:"2.0.3"' in data


# -- with a real gateway ----------------------------------------------------------------------------
async def test_pages_carry_the_security_headers(tmp_path, monkeypatch) -> None:
    async with omgeving(tmp_path, monkeypatch) as env, env.console() as c:
        status, _, r = await c.get("/ui/login")
        assert status == 200
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "default-src 'none'" in csp
        assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Referrer-Policy"] == "no-referrer"
        assert r.headers["Cache-Control"] == "no-store" and r.headers["X-Content-Type-Options"] == "nosniff"
        await c.login(BEHEER)
        for path in ("/ui/", "/ui/berichten", "/ui/conversaties", "/ui/quarantaine", "/ui/adresboek",
                     "/ui/logboek", "/ui/acties/ophalen", "/ui/cijfers"):  # fmt: skip
            status, text, r = await c.get(path)
            assert status == 200, (path, text[:500])
            assert r.headers["Cache-Control"] == "no-store" and r.headers["Content-Security-Policy"] == csp
            assert "style=" not in text and "<script>" not in text and " on" + "click" not in text
        status, _, r = await c.get("/ui/static/htmx.min.js")
        assert status == 200 and r.content_type == "text/javascript" and "no-store" not in r.headers.get(
            "Cache-Control", ""
        )
        assert (await c.get("/ui/static/../../config.py"))[0] == 404
        # / and /ui lead a newcomer to the console
        status, _, r = await c.get("/", follow=False)
        assert status == 302 and r.headers["Location"] == "/ui/"


async def test_without_a_session_every_page_leads_to_the_login(tmp_path, monkeypatch) -> None:
    async with omgeving(tmp_path, monkeypatch) as env, env.console() as c:
        for path in ("/ui/", "/ui/berichten", "/ui/logboek", "/ui/berichten/x/download/xml"):
            status, _, r = await c.get(path, follow=False)
            assert status == 303 and r.headers["Location"] == "/ui/login", path
        status, _, r = await c.get("/ui/cijfers", follow=False, headers={"HX-Request": "true"})
        assert status == 200 and r.headers["HX-Redirect"] == "/ui/login"
        status, _, r = await c.post("/ui/acties/ophalen", {"csrf": "x"}, csrf=False)
        assert status == 303 and r.headers["Location"] == "/ui/login"
        assert await env.gateway.store.list_actions() == []


async def test_login_refusals_and_the_cookie(tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.INFO)
    async with omgeving(tmp_path, monkeypatch) as env:
        async with env.console() as c:
            status, text, _ = await c.login("not-a-token-" + "x" * 30)
            assert status == 401 and "niet bekend" in text
            status, text, _ = await c.login(INDIENER)  # submit only: no read role
            assert status == 403 and "rol read niet" in text
            await c.get("/ui/login")
            status, text, _ = await c.post("/ui/login", {"token": BEHEER}, csrf=False)
            assert status == 403 and "inlogformulier" in text  # login form without its CSRF token
        async with env.console() as c:
            await c.get("/ui/login")
            status, _, r = await c.post("/ui/login", {"token": BEHEER})
            assert status == 303 and r.headers["Location"] == "/ui/"
            cookie = r.headers.getall("Set-Cookie")
            session = next(h for h in cookie if h.startswith("skgw_console="))
            assert "HttpOnly" in session and "SameSite=Strict" in session and "Path=/ui" in session
            assert "Secure" not in session  # plain HTTP on loopback; Secure when the API runs TLS
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert "console login refused: invalid-token" in logged and "x" * 30 not in logged
        assert "console login refused: role-missing read (caller indiener" in logged
        assert "console refused POST /ui/login: 403 csrf-missing" in logged
        assert BEHEER not in logged and INDIENER not in logged


async def test_logins_are_limited_per_address(tmp_path, monkeypatch) -> None:
    async with omgeving(tmp_path, monkeypatch, login_attempts=3) as env, env.console() as c:
        for _ in range(3):
            assert (await c.login("wrong-" + "y" * 30))[0] == 401
        status, text, r = await c.login(BEHEER)  # even the right token: the address waits
        assert status == 429 and "Te veel inlogpogingen" in text and int(r.headers["Retry-After"]) > 0


async def test_an_idle_session_ends_and_logout_ends_it_at_once(tmp_path, monkeypatch) -> None:
    async with omgeving(tmp_path, monkeypatch, session_idle_minutes=0.01) as env:
        async with env.console() as c:
            assert (await c.login(LEZER))[0] == 200
            redirect = None
            for _ in range(20):  # the Overzicht refreshing itself is no use: the session still ends
                status, _, r = await c.get("/ui/cijfers", follow=False, headers={"HX-Request": "true"})
                redirect = r.headers.get("HX-Redirect")
                if redirect:
                    break
                await asyncio.sleep(0.2)
            assert redirect == "/ui/login?verlopen=1"
            status, _, r = await c.get("/ui/berichten", follow=False)
            assert status == 303 and r.headers["Location"].startswith("/ui/login")
            assert "sessie is verlopen" in (await c.get("/ui/login?verlopen=1"))[1]
        async with env.console() as c:
            await c.login(LEZER)
            status, _, r = await c.post("/ui/uitloggen")
            assert status == 303 and r.headers["Location"] == "/ui/login?uit=1"
            assert (await c.get("/ui/", follow=False))[0] == 303


async def test_a_post_without_its_csrf_token_is_refused_and_logged(tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.INFO)
    async with omgeving(tmp_path, monkeypatch) as env, env.console() as c:
        await c.login(BEHEER)
        status, text, _ = await c.post("/ui/acties/ophalen", csrf=False)
        assert status == 403 and "verlopen of komt niet van deze console" in text
        status, _, _ = await c.post("/ui/acties/ophalen", {"csrf": "forged"}, csrf=False)
        assert status == 403
        status, _, _ = await c.post("/ui/uitloggen", csrf=False)
        assert status == 403
        assert await env.gateway.store.list_actions() == []  # nothing ran
        logged = [r.getMessage() for r in caplog.records]
        refused = "console refused POST /ui/acties/ophalen: 403 csrf-missing (caller beheer, from 127.0.0.1)"
        assert refused in logged
        assert any("403 csrf-invalid (caller beheer" in line for line in logged)
        # the header form (htmx) is accepted
        status, _, r = await c.post(
            "/ui/acties/ophalen", csrf=False, headers={"X-CSRF-Token": c.csrf, "HX-Request": "true"}
        )
        assert status == 200 and r.headers["HX-Redirect"].startswith("/ui/?actie=")


async def test_a_read_only_token_looks_but_cannot_act(tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.INFO)
    async with omgeving(tmp_path, monkeypatch) as env:
        env.sim.faults.update({"berichttype": {"Saldoverzoek": "OngeldigBericht"}})
        dead = await submit(env, "Saldoverzoek.xml")
        await env.api.wait_state(dead["referentienummer"], "dead")
        ref = dead["referentienummer"]
        async with env.console() as c:
            await c.login(LEZER)
            status, text, _ = await c.get(f"/ui/berichten/{ref}")
            assert status == 200 and "onbestelbaar" in text and "/ui/acties/opnieuw/" not in text
            for method, path in (
                ("GET", f"/ui/acties/opnieuw/{ref}"), ("POST", f"/ui/acties/opnieuw/{ref}"),
                ("POST", "/ui/acties/ophalen"), ("POST", "/ui/acties/alles-nu"),
            ):  # fmt: skip
                status, text, _ = await (c.get(path) if method == "GET" else c.post(path))
                assert status == 403 and "lezer heeft de rol operate niet" in text, path
        assert (await env.gateway.store.get_outbound(ref)).state == "dead"
        assert await env.gateway.store.list_actions() == []
        assert any(
            f"console refused POST /ui/acties/opnieuw/{ref}: 403 role-missing (caller lezer" in r.getMessage()
            for r in caplog.records
        )


async def test_resend_a_dead_letter_without_javascript_is_confirmed_recorded_and_delivered(
    tmp_path, monkeypatch
) -> None:
    async with omgeving(tmp_path, monkeypatch) as env:
        env.sim.faults.update({"berichttype": {"Saldoverzoek": "OngeldigBericht"}})
        dead = await submit(env, "Saldoverzoek.xml")
        ref = dead["referentienummer"]
        await env.api.wait_state(ref, "dead")
        env.sim.faults.update({"berichttype": {}})
        async with env.console() as c:
            await c.login(BEHEER)
            status, text, _ = await c.get(f"/ui/acties/opnieuw/{ref}")
            assert status == 200 and "Ja, opnieuw versturen" in text and "Annuleren" in text
            assert (await env.gateway.store.get_outbound(ref)).state == "dead"  # asking changes nothing
            # a dead letter says until when it was tried (its deadline); a delivered one no longer does
            assert "Verzenden uiterlijk" in (await c.get(f"/ui/berichten/{ref}"))[1]
            status, _, r = await c.post(f"/ui/acties/opnieuw/{ref}")
            assert status == 303 and re.fullmatch(rf"/ui/berichten/{ref}\?actie=\d+", r.headers["Location"])
            status, text, _ = await c.get(r.headers["Location"])
            assert "Opnieuw versturen" in text and "gelukt" in text and "beheer" in text
            await env.api.wait_state(ref, "delivered")
            assert "Verzenden uiterlijk" not in (await c.get(f"/ui/berichten/{ref}"))[1]
            [actie] = await env.gateway.store.list_actions()
            assert (actie.caller, actie.action, actie.referentienummer, actie.result) == (
                "beheer", "resend", ref, "ok"
            )  # fmt: skip
            # again: it is delivered now, so the resend is refused, and that is recorded too
            status, _, r = await c.post(f"/ui/acties/opnieuw/{ref}")
            text = (await c.get(r.headers["Location"]))[1]
            assert "geweigerd" in text and "alleen een onbestelbaar bericht" in text
            assert [a.result for a in await env.gateway.store.list_actions()] == ["refused", "ok"]
            logboek = (await c.get("/ui/logboek"))[1]
            assert logboek.count("opnieuw versturen") == 2


async def test_retry_now_and_fetch_now(tmp_path, monkeypatch) -> None:
    async with omgeving(tmp_path, monkeypatch) as env:
        env.sim.faults.update({"http_503": 2})  # the first attempt fails: the message waits for its retry
        sent = await submit(env, "Kennisgeving.xml")
        ref = sent["referentienummer"]
        async with env.console() as c:
            await c.login(BEHEER)
            status, _, r = await c.post(f"/ui/acties/nu/{ref}")
            assert status == 303
            await env.api.wait_state(ref, "delivered")
            status, _, r = await c.post(f"/ui/acties/nu/{ref}")  # delivered: nothing to do
            assert "wacht niet op een volgende poging" in (await c.get(r.headers["Location"]))[1]
            status, _, r = await c.post("/ui/acties/ophalen")
            assert status == 303 and r.headers["Location"].startswith("/ui/?actie=")
            assert "ophalen bij de hub gestart" in (await c.get(r.headers["Location"]))[1]
            status, _, r = await c.post("/ui/acties/alles-nu")
            assert "nu aan de beurt" in (await c.get(r.headers["Location"]))[1]
            assert (await c.get("/ui/acties/onbekend"))[0] == 404
            assert (await c.get(f"/ui/acties/ophalen/{ref}"))[0] == 404
        actions = [(a.action, a.result) for a in await env.gateway.store.list_actions()]
        assert actions[:3] == [("retry-all-now", "ok"), ("fetch-now", "ok"), ("retry-now", "refused")]
        assert ("retry-now", "ok") in actions or ("retry-now", "refused") in actions[3:]


async def test_the_bsn_is_masked_until_asked_for_and_that_is_recorded(tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="gateway")  # (aiosqlite's own DEBUG lines carry SQL arguments)
    async with omgeving(tmp_path, monkeypatch) as env:
        sent = await submit(env, "KennisgevingPubliek.xml")
        ref = sent["referentienummer"]
        async with env.console() as c:
            await c.login(LEZER)  # looking is reading: the read role may show the BSN, recorded
            status, text, _ = await c.get(f"/ui/berichten/{ref}")
            assert status == 200 and BSN not in text and "123456782" not in text and "•••••••••" in text
            assert "BSN tonen" in text
            status, text, r = await c.post(f"/ui/berichten/{ref}/bsn")
            assert status == 200 and BSN in text and "123456782" in text and "BSN zichtbaar" in text
            assert r.headers["Cache-Control"] == "no-store" and BSN not in str(r.url)
            status, text, _ = await c.post(f"/ui/berichten/{ref}/bsn", headers={"HX-Request": "true"})
            assert text.lstrip().startswith('<section class="kaart" id="document">') and BSN in text
            status, text, r = await c.get(f"/ui/berichten/{ref}/download/xml")
            assert status == 200 and f"<BSN>{BSN}</BSN>" in text and "attachment" in r.headers[
                "Content-Disposition"
            ]
            status, text, _ = await c.get(f"/ui/berichten/{ref}/download/json")
            assert status == 200 and f'"bsn": "{BSN}"' in text
            assert BSN not in (await c.get(f"/ui/berichten/{ref}"))[1]  # masked again on the next view
        recorded = [(a.caller, a.action, a.referentienummer) for a in await env.gateway.store.list_actions()]
        assert recorded == [("lezer", "download-json", ref), ("lezer", "download-xml", ref),
                            ("lezer", "show-bsn", ref), ("lezer", "show-bsn", ref)]  # fmt: skip
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert _personal(logged) == [], [r.name + ": " + r.getMessage()[:300] for r in caplog.records
                                         if _personal(r.getMessage())]


async def test_search_filters_paging_and_no_personal_data_in_urls_or_logs(
    tmp_path, monkeypatch, caplog
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="gateway")  # (aiosqlite's own DEBUG lines carry SQL arguments)
    monkeypatch.setattr("gateway.console.berichten.PAGE", 2)
    async with omgeving(tmp_path, monkeypatch) as env:
        first = await submit(env, "Kennisgeving.xml", klantnummer="ZW-7777")
        saldo = await submit(env, "Saldoverzoek.xml")
        oud = await submit(env, "Betaalvoorstel-nul-aanbod-SA.xml", ontvanger=SE2_ID, klantnummer="ZW-7777")
        await env.api.wait_state(oud["referentienummer"], "delivered")
        async with env.console() as c:
            await c.login(LEZER)
            # the form is POSTed: the KlantnummerSHV stays in the session, the URL gets a handle
            status, _, r = await c.post("/ui/berichten", {"klant": "ZW-7777", "richting": "uit"})
            location = r.headers["Location"]
            assert status == 303 and "ZW-7777" not in location and re.search(r"[?&]z=[\w-]+", location)
            assert "richting=uit" in location
            status, text, _ = await c.get(location)
            refs = set(re.findall(r'href="/ui/berichten/([0-9a-f-]{36})"', text))
            assert refs == {first["referentienummer"], oud["referentienummer"]}
            assert "ZW-7777" in text  # shown on the page (no-store), never in a link
            assert not [u for u in re.findall(r'href="([^"]+)"', text) if "ZW-7777" in u]
            # a KlantnummerSHV in the query string is not read
            status, text, _ = await c.get("/ui/berichten?klant=ZW-7777")
            assert len(re.findall(r'href="/ui/berichten/[0-9a-f-]{36}"', text)) == 2  # page 1 of all 3
            # paging (keyset) and both orders
            nexts = re.findall(r'href="([^"]*na=[^"]+)"', text)
            assert len(nexts) == 1
            status, text2, _ = await c.get(nexts[0].replace("&amp;", "&"))
            assert len(re.findall(r'href="/ui/berichten/[0-9a-f-]{36}"', text2)) == 1
            status, text, _ = await c.get("/ui/berichten?sort=oud")
            assert text.index(first["referentienummer"]) < text.index(saldo["referentienummer"])
            # the counterpart by name, type, state, period, Referentienummer, conversation
            status, text, _ = await c.get(f"/ui/berichten?partij={SE2_ID}")
            assert "Oude Schuldeiser" in text and oud["referentienummer"] in text
            assert first["referentienummer"] not in text
            status, text, _ = await c.get(f"/ui/berichten?ref={first['referentienummer']}")
            assert first["referentienummer"] in text and oud["referentienummer"] not in text
            status, text, _ = await c.get(f"/ui/berichten?conv={oud['conversatie']}&type=Betaalvoorstel")
            assert oud["referentienummer"] in text and first["referentienummer"] not in text
            status, text, _ = await c.get("/ui/berichten?van=2000-01-01&tot=2000-01-02")
            assert "Geen berichten gevonden" in text
            status, text, _ = await c.get("/ui/berichten?status=nonsense&van=gisteren&na=garbage")
            assert status == 200 and "onbekende waarde" in text and "jjjj-mm-dd" in text
            assert "Onbekende pagina" in text
            # the handle belongs to the session that made it
        async with env.console() as other:
            await other.login(LEZER)
            status, text, _ = await other.get(location)
            assert "zoekopdracht met het klantnummer is verlopen" in text
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert _personal(logged) == []


async def test_message_conversation_quarantine_and_address_book_pages(tmp_path, monkeypatch) -> None:
    async with omgeving(tmp_path, monkeypatch) as env:
        sa = await submit(env, "Betaalvoorstel-nul-aanbod-SA.xml")
        sk = await submit(env, "Betaalvoorstel-nul-aanbod-SA.xml", ontvanger=SE2_ID)
        for sent in (sa, sk):
            await env.api.wait_state(sent["referentienummer"], "delivered")
        async with env.console() as c:
            await c.login(LEZER)
            text = (await c.get(f"/ui/berichten/{sa['referentienummer']}"))[1]
            assert "TypeSchuldregeling SA" in text and "SK met alle bedragen" not in text
            assert "Poging 1: afgeleverd" in text and "In de wachtrij gezet" in text
            text = (await c.get(f"/ui/berichten/{sk['referentienummer']}"))[1]
            assert "SK met alle bedragen € 0,00" in text and "€ 14.875,42" in text
            assert "Vordering 1" in text and "Vorderingen 1" not in text  # one item of the list
            assert "Financiële begeleiding" in text and "Nul-aanbod codering" in text
            assert "&lt;TypeSchuldregeling&gt;SK&lt;/TypeSchuldregeling&gt;" in text  # the XML as sent
            assert "&#34;nul_aanbod_codering&#34;" in text or "nul_aanbod_codering" in text
            text = (await c.get(f"/ui/conversaties/{sk['conversatie']}"))[1]
            assert "Wacht op Oude Schuldeiser" in text and "BetaalvoorstelAntwoord" in text
            assert "nog 10 werkdagen" in text and "→ Oude Schuldeiser (SE)" in text
            assert (await c.get("/ui/conversaties/00000000-0000-0000-0000-000000000000"))[0] == 404
            assert (await c.get("/ui/berichten/00000000-0000-0000-0000-000000000000"))[0] == 404
            text = (await c.get("/ui/conversaties?status=open"))[1]
            assert sk["conversatie"] in text and sa["conversatie"] in text
            text = (await c.get("/ui/adresboek"))[1]
            assert "Oude Schuldeiser" in text and "nee: nul-aanbod als SK met € 0,00" in text
            assert "ja: nul-aanbod als SA" in text
            assert "Niets in quarantaine" in (await c.get("/ui/quarantaine"))[1]
            ref = await quarantine_one(env)
            text = (await c.get("/ui/quarantaine"))[1]
            assert ref in text and "wrong-recipient" in text and "Energie Test" in text
            fout = re.search(r'Foutbericht</th>.*?href="/ui/berichten/([0-9a-f-]{36})"', text, re.S)
            [row] = await env.gateway.store.list_quarantine()
            assert row.foutbericht_referentienummer and row.foutbericht_referentienummer in text, fout
            text = (await c.get(f"/ui/berichten/{ref}"))[1]
            assert "In quarantaine" in text and "wrong-recipient" in text and "Ontvanger" in text
            text = (await c.get("/ui/"))[1]
            assert "In de wachtrij" in text and "nog " in text and "dagen geldig" in text


async def test_a_received_message_whose_delivery_died_is_handed_over_again(tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "shv" / "inbox"  # the folder sink's folder is a file: every delivery fails
    blocked.parent.mkdir(parents=True)
    blocked.write_text("not a folder")
    async with omgeving(tmp_path, monkeypatch, sink_deadline=0.5) as env:
        ref = await from_creditor(env)
        for _ in range(100):
            [delivery] = await env.gateway.store.sink_deliveries(ref)
            if delivery.state == "dead":
                break
            await asyncio.sleep(0.1)
        assert delivery.state == "dead"
        async with env.console() as c:
            await c.login(BEHEER)
            text = (await c.get(f"/ui/berichten/{ref}"))[1]
            assert "Overdracht aan het eigen systeem (map): mislukt (opgegeven)" in text
            assert f"/ui/acties/overdragen/{ref}" in text
            assert "Opnieuw overdragen" in (await c.get(f"/ui/acties/overdragen/{ref}"))[1]
            blocked.unlink()  # the folder is repaired
            status, _, r = await c.post(f"/ui/acties/overdragen/{ref}")
            assert status == 303
            assert "opnieuw aangeboden aan het eigen systeem (map)" in (await c.get(r.headers["Location"]))[1]
            await env.api.wait_state(ref, "delivered")
            assert len(list(blocked.glob("*.json"))) == 1
            status, _, r = await c.post(f"/ui/acties/overdragen/{ref}")  # nothing dead any more
            assert "geen overdracht van dit bericht is mislukt" in (await c.get(r.headers["Location"]))[1]
        assert [(a.action, a.result) for a in await env.gateway.store.list_actions()] == [
            ("redeliver", "refused"), ("redeliver", "ok")
        ]


def test_dutch_formatting_of_money_times_and_answer_dates() -> None:
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from gateway.console.formatting import euro, termijn, tijd

    assert euro(Decimal("1097.96")) == "€ 1.097,96" and euro("0.00") == "€ 0,00"
    assert euro(Decimal("1234567.5")) == "€ 1.234.567,50" and euro(Decimal("-12.30")) == "€ -12,30"
    assert tijd(datetime(2026, 1, 15, 9, 0, tzinfo=UTC)) == "15-01-2026 10:00:00"  # CET
    assert tijd(datetime(2026, 7, 15, 9, 0, tzinfo=UTC)) == "15-07-2026 11:00:00"  # CEST
    monday = date(2026, 3, 2)
    assert termijn(date(2026, 3, 6), monday) == ("nog 4 werkdagen", False)
    assert termijn(monday, monday) == ("vandaag", False)
    assert termijn(date(2026, 2, 27), monday) == ("1 werkdag te laat", True)  # Friday → Monday
    koningsdag = (date(2026, 4, 24), date(2026, 4, 28))  # Friday → Tuesday, Monday 27 April is a holiday
    assert termijn(*koningsdag) == ("1 werkdag te laat", True)
    assert termijn(None, monday) == ("geen termijn", False)


async def test_an_overdue_conversation_is_red_in_the_overview_the_list_and_its_page(
    tmp_path, monkeypatch
) -> None:
    from datetime import UTC, datetime

    from gateway.conversatie.machine import Gebeurtenis, stap
    from gateway.model.berichttype import Berichttype, Rol

    async with omgeving(tmp_path, monkeypatch) as env:
        conv = "5d7e0f42-3c1b-4a5e-9f00-0123456789ab"
        vraag = Gebeurtenis(
            Berichttype.SALDOVERZOEK, "0d7e0f42-3c1b-4a5e-9f00-0123456789ab", conv, SE2_ID, Rol.SHV,
            datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
        )  # fmt: skip
        opened = stap(None, vraag, eigen_rol=Rol.SHV).wijziging  # due 10 werkdagen later: 20 January
        await env.gateway.store.write_conversation(opened)  # an old question nobody answered
        async with env.console() as c:
            await c.login(LEZER)
            overzicht = (await c.get("/ui/"))[1]
            te_laat = re.search(
                r'<div class="cijfer( alarm)?">\s*<div class="naam">Te laat beantwoord</div>\s*'
                r'<div class="waarde"><a href="([^"]+)">(\d+)</a>', overzicht,
            )  # fmt: skip
            assert te_laat and te_laat.group(1) and te_laat.group(3) == "1"
            lijst = (await c.get(te_laat.group(2).replace("&amp;", "&")))[1]
            assert '<tr class="te-laat">' in lijst and "werkdagen te laat" in lijst
            assert "Oude Schuldeiser" in lijst
            pagina = (await c.get(f"/ui/conversaties/{conv}"))[1]
            assert 'class="kaart te-laat"' in pagina and 'class="laat"' in pagina
            assert "Wacht op Oude Schuldeiser (SE)" in pagina and "20-01-2025" in pagina
            # the conversation state machine's phase, in Dutch, from gateway.conversatie.tijdlijn
            assert "Stand: <strong>wacht op het antwoord op een Saldoverzoek</strong>" in pagina

        # answered: the list shows no answer date any more (nothing is awaited)
        antwoord = Gebeurtenis(
            Berichttype.SALDOVERZOEK_ANTWOORD, "1d7e0f42-3c1b-4a5e-9f00-0123456789ab", conv, SE2_ID, Rol.SE,
            datetime(2025, 1, 7, 9, 0, tzinfo=UTC),
        )  # fmt: skip
        current = await env.gateway.store.get_conversation(conv)
        await env.gateway.store.write_conversation(stap(current, antwoord, eigen_rol=Rol.SHV).wijziging)
        async with env.console() as c:
            await c.login(LEZER)
            lijst = (await c.get("/ui/conversaties?status=answered"))[1]
            [rij] = re.findall(r"<tr>\s*<td class=\"tijd\">.*?</tr>", lijst, re.S)
            assert "20-01-2025" not in rij and "beantwoord" in rij, rij
            assert ">Laatste vraag</th>" in lijst  # a conversation holds several questions
