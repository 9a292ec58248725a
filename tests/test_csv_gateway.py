"""The CSV against running gateways: the SE exports the received questions through its gateway's
API, fills them in, and imports them to its outbox; the SHV receives the answers. A refused file
submits nothing; importing the same file again submits nothing twice."""

from __future__ import annotations

import asyncio
import stat

import aiohttp
import pytest

from adapters.csv.columns import BETAAL, SALDO
from gateway.cli import main
from gateway.model.berichttype import Rol
from tests.csv_support import fill, read_rows
from tests.daemon_support import Api, fixture_json, gateway_config, running, simulator
from tests.transport_support import SE_ID, SHV_ID, dev_pki

pytestmark = pytest.mark.timeout(60)
OPEN = {"klantnummer_se": "100384729", "cp_naam": "R. Smit", "datum": "01-10-2025",
        "schuldtype": "openstaande schuld", "ontstaansdatum": "31-03-2024",
        "oorspronkelijke_vordering": "1000", "actueel_vorderingsbedrag": "1000,00"}  # fmt: skip


def cli(*argv: str) -> int:
    return main(list(argv))


async def test_export_fill_import_through_the_gateways(tmp_path, monkeypatch, capsys) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        shv_config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        se_config = gateway_config(pki, sim.url, tmp_path / "se", rol=Rol.SE, adres=SE_ID, cert="se")
        async with running(shv_config, monkeypatch) as shv_gw, running(se_config, monkeypatch) as se_gw:
            shv, se = Api(http, shv_gw), Api(http, se_gw)
            conversations = []
            for name in ("Saldoverzoek.xml", "Saldoverzoek.xml", "Betaalvoorstel.xml"):
                status, sent = await shv.submit(fixture_json(name, SE_ID))
                assert status == 202, sent
                conversations.append(sent["conversatie"])
            for conv, kind in zip(
                conversations, ("Saldoverzoek", "Saldoverzoek", "Betaalvoorstel"), strict=True
            ):
                await se.wait_for(kind, conversatie=conv)

            url = se.base
            out = tmp_path / "saldo.csv"
            common = ("--gateway", url, "--token-env", "SKGW_TEST_API_TOKEN")
            assert await asyncio.to_thread(cli, "csv", "export", *common, str(out)) == 0
            assert "2 Saldoverzoek question(s), 4 row(s)" in capsys.readouterr().out
            assert stat.S_IMODE(out.stat().st_mode) == 0o600  # names, birth dates, addresses
            gewoon, onbekend = conversations[:2]

            def answer(index: int, q: dict[str, str]) -> dict[str, str]:
                if q["conversatie"] == onbekend:
                    return {"klant_onbekend": "Ja"}
                return OPEN | {"factuurnummer_se": q["factuurnummer_se_volgens_shv"]}

            filled = tmp_path / "antwoord.csv"
            filled.write_bytes(fill(out.read_bytes(), SALDO, answer))

            broken = tmp_path / "fout.csv"
            broken.write_bytes(
                fill(out.read_bytes(), SALDO, lambda i, q: answer(i, q) | {"datum": "2025-10-01"})
            )
            assert await asyncio.to_thread(cli, "csv", "import", str(broken), *common) == 1
            printed = capsys.readouterr().out
            assert "REFUSED, nothing was imported" in printed and "column R (Datum)" in printed
            _, page = await se.call("GET", "/api/berichten?direction=out")
            assert page["items"] == []  # nothing submitted

            assert await asyncio.to_thread(cli, "csv", "import", str(filled), *common) == 0
            printed = capsys.readouterr().out
            assert "2 of 2 answer(s) in the gateway's outbox" in printed, printed
            antwoord = await shv.wait_for("SaldoverzoekAntwoord", conversatie=gewoon)
            claims = antwoord["json"]["vorderingen"]
            assert [c["factuurnummer_se"] for c in claims] == ["EN-2024-0081734", "EN-2025-0012290"]
            assert claims[0]["openstaande_schuld"]["actueel_vorderingsbedrag"] == "1000.00"
            geen = await shv.wait_for("GeenMedewerking", conversatie=onbekend)
            assert geen["json"]["reden"] == "KlantOnbekend"

            assert await asyncio.to_thread(cli, "csv", "import", str(filled), *common) == 0
            assert "accepted (submitted before)" in capsys.readouterr().out
            _, page = await se.call("GET", "/api/berichten?direction=out")
            assert len(page["items"]) == 2  # nothing twice

            # a daily export does not ask again what was answered; --all does
            again = tmp_path / "weer.csv"
            assert await asyncio.to_thread(cli, "csv", "export", *common, str(again)) == 0
            printed = capsys.readouterr().out
            assert "0 Saldoverzoek question(s), 0 row(s)" in printed, printed
            assert "left out 2 question(s) answered already (--all exports them too)" in printed
            assert len(read_rows(again.read_bytes())) == 1 and stat.S_IMODE(again.stat().st_mode) == 0o600
            assert await asyncio.to_thread(cli, "csv", "export", "--all", *common, str(again)) == 0
            assert "2 Saldoverzoek question(s), 4 row(s)" in capsys.readouterr().out

            betaal = tmp_path / "betaal.csv"
            argv = ("csv", "export", "--berichttype", "Betaalvoorstel", *common, str(betaal))
            assert await asyncio.to_thread(cli, *argv) == 0
            rows = read_rows(betaal.read_bytes())
            assert len(rows) == 2 and rows[1][0] == conversations[2]
            betaal.write_bytes(
                fill(
                    betaal.read_bytes(), BETAAL, lambda i, q: {"antwoord": "NietAkkoord", "reden": "Te laag."}
                )
            )
            assert await asyncio.to_thread(cli, "csv", "import", str(betaal), *common) == 0
            capsys.readouterr()
            reply = await shv.wait_for("BetaalvoorstelAntwoord", conversatie=conversations[2])
            assert reply["json"]["antwoord"] == "NietAkkoord" and reply["json"]["reden"] == "Te laag."


def test_usage_errors(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("SKGW_NO_SUCH_TOKEN", raising=False)
    out = str(tmp_path / "x.csv")
    assert cli("csv", "export", out) == 2
    assert (
        cli("csv", "export", "--gateway", "http://127.0.0.1:9", "--token-env", "SKGW_NO_SUCH_TOKEN", out) == 2
    )
    assert "SKGW_NO_SUCH_TOKEN: the variable is not set" in capsys.readouterr().err
    assert cli("csv", "import", out, "--to-xml", str(tmp_path)) == 2
    assert "--from-xml" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # argparse's usage error: the flag of 0.1, named anew
        cli("csv", "export", "--alle", out)
    assert usage.value.code == 2
    assert "--alle is now --all (CHANGELOG.md)" in capsys.readouterr().err
