"""The console in a real browser (headless chromium) against a real gateway and the hub simulator.

An operator logs in, filters, opens a message and its conversation, resends a dead letter and sees
it delivered; a form without its CSRF token is refused; a read-only token cannot act; logout ends
the session. Every page is saved as a 1366×768 screenshot under the test's tmp dir, checked for
horizontal overflow, and the browser's log must hold no Content-Security-Policy violation.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.browser_support import LoopThread, chromium, missing
from tests.console_support import BEHEER, LEZER, omgeving, quarantine_one, submit
from tests.transport_support import SE2_ID

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(missing() is not None, reason=str(missing())),
]
KLANT = "ZW-2025-00417"  # the fixtures' KlantnummerSHV


class Pagina:
    def __init__(self, driver, base: str, shots: Path) -> None:
        self.d = driver
        self.base = base
        self.shots = shots
        shots.mkdir(parents=True, exist_ok=True)

    def open(self, path: str) -> None:
        self.d.get(self.base + path)

    def css(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.d.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.d.find_elements(By.CSS_SELECTOR, selector)

    def text(self) -> str:
        return self.read("body")

    def read(self, selector: str) -> str:
        """The text of an element that may be replaced while it is read (a navigation, or htmx
        swapping the Overzicht's figures every refresh): found and read again until it holds still."""
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

        for _ in range(50):
            try:
                return self.css(selector).text
            except (StaleElementReferenceException, NoSuchElementException):
                time.sleep(0.1)
        return ""

    def wait_text(self, needle: str, timeout: float = 15, reload: bool = False) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            if reload:
                self.d.refresh()
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} not on {self.d.current_url}:\n{self.text()[:2000]}")

    def shot(self, name: str) -> Path:
        """Screenshot at 1366×768; the page must not scroll sideways (no overflowing table)."""
        path = self.shots / f"{name}.png"
        self.d.save_screenshot(str(path))
        wide = self.d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert wide[0] <= wide[1], f"{name}: the page is {wide[0]} px wide in a {wide[1]} px window"
        return path

    def select(self, name: str, visible_text: str) -> None:
        from selenium.webdriver.support.select import Select

        Select(self.css(f"select[name={name}]")).select_by_visible_text(visible_text)

    def login(self, token: str) -> None:
        self.open("/ui/login")
        self.css("#token").send_keys(token)
        self.css("form[action='/ui/login'] button").click()
        self.wait_text("Overzicht")

    def csp_violations(self) -> list[str]:
        entries = self.d.get_log("browser")
        return [e["message"] for e in entries if "Content Security Policy" in e["message"]]


@pytest.fixture
def world(tmp_path, monkeypatch):
    loop = LoopThread()
    try:
        with loop.hold(omgeving(tmp_path / "gw", monkeypatch, refresh_seconds=2)) as env:
            yield loop, env
    finally:
        loop.close()


def _seed(loop: LoopThread, env) -> dict[str, dict]:
    """A delivered Kennisgeving, a nul-aanbod to the 1.1 creditor (the € 0.00 SK workaround), a
    Saldoverzoek the hub refuses for good (a dead letter) and a quarantined answer."""

    async def seed() -> dict[str, dict]:
        kennisgeving = await submit(env, "Kennisgeving.xml")
        nul = await submit(env, "Betaalvoorstel-nul-aanbod-SA.xml", ontvanger=SE2_ID)
        env.sim.faults.update({"berichttype": {"Saldoverzoek": "OngeldigBericht"}})
        dead = await submit(env, "Saldoverzoek.xml")
        await env.api.wait_state(dead["referentienummer"], "dead")
        env.sim.faults.update({"berichttype": {}})
        for sent in (kennisgeving, nul):
            await env.api.wait_state(sent["referentienummer"], "delivered")
        quarantined = await quarantine_one(env)
        return {"kennisgeving": kennisgeving, "nul": nul, "dead": dead, "quarantaine": quarantined}

    return loop.run(seed())


def test_an_operator_finds_acts_and_logs_out(world, tmp_path) -> None:
    loop, env = world
    sent = _seed(loop, env)
    with chromium(tmp_path / "profile") as driver:
        p = Pagina(driver, env.base, tmp_path / "screenshots")
        p.open("/ui/")
        assert driver.current_url.endswith("/ui/login")
        p.shot("01-login")
        p.login(BEHEER)
        p.wait_text("Onbestelbaar")
        assert "1" in p.read(".cijfer.alarm .waarde")  # the dead letter, in red
        p.shot("02-overzicht")
        stand = p.read(".stand")
        p.wait_text("Stand van", timeout=1)
        deadline = time.monotonic() + 10
        while p.read(".stand") == stand and time.monotonic() < deadline:
            time.sleep(0.3)  # htmx fetches the figures again every 2 s (refresh_seconds)
        assert p.read(".stand") != stand and driver.current_url.endswith("/ui/")

        # filter: state, then a KlantnummerSHV that must not end up in the URL
        p.css(".kop nav a[href='/ui/berichten']").click()
        p.select("status", "onbestelbaar (dead letter)")
        p.css("form.filter button[type=submit]").click()
        p.wait_text("Saldoverzoek")
        rows = p.all("table.lijst tbody tr")
        assert len(rows) == 1 and "onbestelbaar" in rows[0].text
        p.shot("03-berichten-onbestelbaar")
        p.open("/ui/berichten")
        p.css("input[name=klant]").send_keys(KLANT)
        p.css("form.filter button[type=submit]").click()
        p.wait_text("Kennisgeving")
        assert KLANT not in unquote(driver.current_url) and "z=" in driver.current_url
        assert len(p.all("table.lijst tbody tr")) == 3
        p.shot("04-berichten-klantnummer")

        # the nul-aanbod to the 1.1 creditor: how it went on the wire, and its conversation
        p.css(f"a[href='/ui/berichten/{sent['nul']['referentienummer']}']").click()
        p.wait_text("Nul-aanbod op de lijn")
        assert "SK met alle bedragen € 0,00" in p.text()
        assert "€ 1.097,96" in p.text()  # money in Dutch form
        p.shot("05-bericht-nul-aanbod")
        p.css(f"a[href='/ui/conversaties/{sent['nul']['conversatie']}']").click()
        p.wait_text("Wacht op Oude Schuldeiser")
        assert "BetaalvoorstelAntwoord" in p.text() and "werkdag" in p.text()
        p.shot("06-conversatie")

        # resend the dead letter: with JavaScript the button asks in a dialog and posts at once
        dead = sent["dead"]["referentienummer"]
        p.open(f"/ui/berichten/{dead}")
        p.wait_text("Opnieuw versturen")
        p.shot("07-bericht-onbestelbaar")
        p.css("button[hx-post$='/opnieuw/" + dead + "']").click()
        driver.switch_to.alert.accept()
        p.wait_text("gelukt")
        assert "actie=" in driver.current_url
        p.wait_text("Afgeleverd bij de hub (ontvangst bevestigd)", reload=True)
        p.shot("08-bericht-opnieuw-afgeleverd")

        # the other pages
        for name, path, needle in (
            ("09-conversaties", "/ui/conversaties", "Conversaties"),
            ("10-quarantaine", "/ui/quarantaine", "wrong-recipient"),
            ("11-adresboek", "/ui/adresboek", "Oude Schuldeiser"),
            ("12-logboek", "/ui/logboek", "opnieuw versturen"),
        ):
            p.open(path)
            p.wait_text(needle)
            p.shot(name)
        assert "beheer" in p.text()

        # a POST without its CSRF token (the form's hidden field removed) is refused
        p.open("/ui/acties/ophalen")
        p.shot("13-bevestigen")
        driver.execute_script("document.querySelector('main input[name=csrf]').remove()")
        p.css("main form button[type=submit]").click()
        p.wait_text("Niet toegestaan")
        p.shot("14-csrf-geweigerd")

        p.open("/ui/")
        p.css("form.wie button").click()
        p.wait_text("U bent uitgelogd")
        p.open("/ui/berichten")
        assert driver.current_url.endswith("/ui/login")
        assert p.csp_violations() == []


def test_a_read_only_token_sees_but_cannot_act(world, tmp_path) -> None:
    loop, env = world
    sent = _seed(loop, env)
    dead = sent["dead"]["referentienummer"]
    with chromium(tmp_path / "profile") as driver:
        p = Pagina(driver, env.base, tmp_path / "screenshots")
        p.login(LEZER)
        assert "(alleen lezen)" in p.text()
        assert not p.all("section.acties button")
        p.open(f"/ui/berichten/{dead}")
        p.wait_text("onbestelbaar")
        assert not p.all("button[hx-post]") and "rol operate" in p.text()
        p.shot("20-lezer-bericht")
        p.open(f"/ui/acties/opnieuw/{dead}")
        p.wait_text("Niet toegestaan")
        assert "lezer heeft de rol operate niet" in p.text()
        p.shot("21-lezer-geweigerd")
        assert p.csp_violations() == []
    state = loop.run(env.api.call("GET", f"/api/berichten/{dead}"))[1]["state"]
    assert state == "dead"
