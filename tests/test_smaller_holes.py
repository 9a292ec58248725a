"""Issue 13 item 11, each hole with its own test: DatumTijd 24:00:00, text longer than any XSD allows
(refused before the XSD step, at a fraction of the memory), deep JSON, unknown query values, the
address book for case systems, and the warning when a fresh store starts."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from gateway.codec import decode, encode
from gateway.codec.json_form import from_json, to_json
from gateway.model.berichttype import Rol
from gateway.xml.catalogue import default_catalogue
from gateway.xml.validate import validate_document
from tests.conftest import FIXTURES, ROOT
from tests.daemon_support import Api, gateway_config, running, simulator
from tests.transport_support import SE2_ID, SE_ID, SHV_ID, dev_pki

BETAALVOORSTEL = (FIXTURES / "valid" / "2.0" / "Betaalvoorstel.xml").read_bytes()
AT_NINE = b"<DatumTijd>2025-11-03T09:00:00Z</DatumTijd>"


# -- DatumTijd 24:00:00 -----------------------------------------------------------------------------
def test_datumtijd_24_00_is_the_next_day_in_xml_and_json_alike() -> None:
    assert AT_NINE in BETAALVOORSTEL
    document = BETAALVOORSTEL.replace(AT_NINE, b"<DatumTijd>2025-12-31T24:00:00Z</DatumTijd>")
    assert validate_document(document).ok  # XSD 1.0 allows 24:00:00
    from_xml = decode(document).berichtheader.datum_tijd
    assert from_xml.isoformat() == "2026-01-01T00:00:00+00:00"
    body = to_json(decode(BETAALVOORSTEL))
    body["berichtheader"]["datum_tijd"] = "2025-12-31T24:00:00Z"
    assert from_json(body).berichtheader.datum_tijd == from_xml
    written = encode(decode(document), "2.0")
    assert b"<DatumTijd>2026-01-01T00:00:00Z</DatumTijd>" in written


# -- text longer than any XSD allows ---------------------------------------------------------------
def test_the_longest_length_is_read_from_the_xsds() -> None:
    limits = default_catalogue().text_limits
    assert limits.max_chars == 4000  # Toelichting: Tekst4000
    assert limits.unbounded_elements == {"Inhoud"}  # the consent statement's base64 PDF


_MEASURE = """
import json, resource, sys
from gateway.xml.parsing import ParseLimits
from gateway.xml.validate import validate_document
report = validate_document(sys.stdin.buffer.read(), limits=ParseLimits(max_bytes=16 * 1024 * 1024))
print(json.dumps({"codes": [p.code for p in report.problems], "paths": [p.path for p in report.problems],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _validate_in_a_fresh_process(document: bytes) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE],
        input=document,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.mark.slow
def test_nine_megabytes_of_text_is_refused_before_the_xsd_step() -> None:
    at = b"<Toelichting>Afloscapaciteit"
    document = BETAALVOORSTEL.replace(at, b"<Toelichting>" + b"x" * 9_000_000)
    result = _validate_in_a_fresh_process(document)
    assert result["codes"] == ["text-too-long"] and result["paths"] == ["/Betaalvoorstel/Toelichting"]
    baseline = _validate_in_a_fresh_process(BETAALVOORSTEL)["peak_mb"]
    # the XSD step's pattern check took ~43 bytes per character (~400 MB here); reading the text costs
    # about what the text takes
    assert result["peak_mb"] < baseline + 100, (result, baseline)


@pytest.mark.parametrize(
    ("replace", "by", "path"),
    [
        (
            b"<KlantnummerSHV>ZW",
            b"<KlantnummerSHV>" + (b"x" * 3000 + b"<!---->") * 2 + b"ZW",
            "/Betaalvoorstel/KlantnummerSHV",
        ),
        (b"<KlantnummerSHV>", b"\n" + b" " * 5000 + b"<KlantnummerSHV>", "/Betaalvoorstel"),
        (
            b"<Toelichting>Afloscapaciteit",
            b"<Toelichting><![CDATA[" + b"y" * 2500 + b"]]>" + b"y" * 2500,
            "/Betaalvoorstel/Toelichting",
        ),
    ],
    ids=["split-by-comments", "white-space-between-elements", "cdata-and-text"],
)
def test_long_text_in_any_disguise_is_refused(replace: bytes, by: bytes, path: str) -> None:
    report = validate_document(BETAALVOORSTEL.replace(replace, by))
    assert [(p.code, p.path) for p in report.problems] == [("text-too-long", path)]
    assert report.problems[0].expected == "at most 4000 characters"


def test_text_up_to_the_longest_allowed_and_long_binary_content_pass() -> None:
    toelichting = b"<Toelichting>" + b"z" * 4000 + b"</Toelichting>"
    document = BETAALVOORSTEL.replace(
        BETAALVOORSTEL[BETAALVOORSTEL.index(b"<Toelichting>") : BETAALVOORSTEL.index(b"</Toelichting>") + 14],
        toelichting,
    )
    assert validate_document(document).ok
    pdf = b"JVBERi0xLjQK" * 2000  # 24,000 characters of base64
    consent = (
        b"<Toestemmingsverklaring><Bestandsnaam>toestemming.pdf</Bestandsnaam><Inhoud>"
        + pdf
        + b"</Inhoud></Toestemmingsverklaring></Berichtheader>"
    )
    document = BETAALVOORSTEL.replace(b"</Berichtheader>", consent)
    report = validate_document(document)
    assert report.ok, report.problems


# -- the API: deep JSON, unknown query values, the address book -----------------------------------
@pytest.fixture
async def api(tmp_path, monkeypatch):
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = gateway_config(pki, sim.url, tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
        async with running(config, monkeypatch) as gw:
            yield Api(http, gw)


async def test_json_nested_10000_deep_is_a_400(api: Api) -> None:
    for depth in (10_000, 40):
        body = "[" * depth + "]" * depth
        status, answer = await api.call(
            "POST", "/api/berichten", data=body, headers={"Content-Type": "application/json"}
        )
        assert status == 400 and answer["error"] == "the body nests deeper than 32 levels", answer


@pytest.mark.parametrize(
    ("query", "named"),
    [
        (
            "state=bogus",
            "state: expected one of queued, sending, delivered, dead, received, decoded, quarantined",
        ),
        ("direction=in&state=queued", "state: expected one of received, decoded, delivered, quarantined"),
        ("berichttype=Saldoverzoeк", "berichttype: expected one of Kennisgeving, KennisgevingPubliek,"),
        ("berichttype=saldoverzoek", "SaldoverzoekAntwoord"),
    ],
)
async def test_an_unknown_query_value_is_a_400_naming_the_allowed_ones(
    api: Api, query: str, named: str
) -> None:
    status, answer = await api.call("GET", f"/api/berichten?{query}")
    assert status == 400 and named in answer["error"], answer


@pytest.mark.parametrize(
    ("method", "path", "named"),
    [
        ("GET", "/api/berichten?richting=uit",
         "unknown query parameter(s) richting; this route takes berichttype, direction, state"),
        ("GET", "/api/berichten?vanaf=2025-01-01T00:00:00Z&tot=x", "unknown query parameter(s) tot, vanaf;"),
        ("GET", "/api/conversaties?status=open", "unknown query parameter(s) status; this route takes state"),
        ("POST", "/api/berichten?dryrun=true", "unknown query parameter(s) dryrun; this route takes dry_run"),
        ("POST", "/api/queue/retry-now?ref=x",
         "unknown query parameter(s) ref; this route takes referentienummer"),
    ],
)  # fmt: skip
async def test_an_unknown_query_parameter_is_a_400_naming_the_ones_the_route_takes(
    api: Api, method: str, path: str, named: str
) -> None:
    """A misspelt or renamed filter (richting is direction since 0.x) never silently widens the answer."""
    status, answer = await api.call(method, path, data=b"{}" if method == "POST" else None)
    assert status == 400 and answer["error"].startswith(named), answer


@pytest.mark.parametrize(
    ("method", "path", "says"),
    [
        ("GET", "/api/berichten?richting=uit",
         "; renamed (CHANGELOG.md): richting=uit|in is now direction=out|in"),
        ("GET", "/api/berichten?vanaf=2025-01-01T00:00:00Z&tot=x",
         "; renamed (CHANGELOG.md): tot is now until, vanaf is now from"),
        ("POST", "/api/ophalen", "/api/ophalen was renamed: use POST /api/fetch (CHANGELOG.md)"),
        ("POST", "/api/wachtrij/nu", "/api/wachtrij/nu was renamed: use POST /api/queue/retry-now"),
        ("POST", "/api/berichten/0337f47f-563e-4ead-a961-892ecc6fb233/opnieuw",
         "use POST /api/berichten/0337f47f-563e-4ead-a961-892ecc6fb233/resend (CHANGELOG.md)"),
        ("GET", "/api/bericht", "no such API path: GET /api/bericht; GET /api/openapi.json lists them"),
        ("GET", "/api/fetch", "GET is not taken here: use POST /api/fetch"),
        ("POST", "/api/adresboek", "POST is not taken here: use GET /api/adresboek"),
    ],
)  # fmt: skip
async def test_a_name_of_the_previous_release_is_refused_with_its_new_name(
    api: Api, method: str, path: str, says: str
) -> None:
    """No alias is kept, but a script written for 0.1 learns the new name from the refusal."""
    status, answer = await api.call(method, path, data=b"{}" if method == "POST" else None)
    expected = 400 if "?" in path else 405 if "is not taken" in says else 404
    assert status == expected and says in answer["error"], answer


async def test_an_old_name_is_hinted_only_where_the_route_takes_the_new_one(api: Api) -> None:
    status, answer = await api.call("GET", "/api/conversaties?tot=x")
    assert status == 400 and "renamed" not in answer["error"], answer  # conversaties never took until


async def test_known_query_values_still_work(api: Api) -> None:
    for query in (
        "state=queued",
        "direction=in&state=quarantined",
        "direction=out&from=2025-01-01T00:00:00Z&until=2026-01-01T00:00:00%2B01:00",
        "berichttype=Saldoverzoek",
        "berichttype=KlantOnbekend",
    ):
        status, answer = await api.call("GET", f"/api/berichten?{query}")
        assert status == 200 and answer["items"] == [], (query, answer)


async def test_the_address_book_lists_the_counterparts(api: Api) -> None:
    status, answer = await api.call("GET", "/api/adresboek")
    assert status == 200
    assert answer["items"] == [
        {
            "id": SE_ID,
            "naam": "Energie Test",
            "oin": "00000003123456780000",
            "rol": "SE",
            "versie": "2.0",
            "kent_sa": True,
        },
        {
            "id": SE2_ID,
            "naam": "Oude Schuldeiser",
            "oin": "00000003123456780000",
            "rol": "SE",
            "versie": "1.1",
            "kent_sa": False,
        },
    ]
    api.headers = {}
    assert (await api.call("GET", "/api/adresboek"))[0] == 401


# -- a second gateway with the same identity -------------------------------------------------------
async def test_a_fresh_store_warns_about_a_second_gateway_with_the_same_identity(
    tmp_path: Path, monkeypatch, caplog
) -> None:
    pki = dev_pki()
    warning = "this store has never fetched from the hub: if another gateway with this identity"
    caplog.set_level(logging.WARNING, "gateway.service")
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = gateway_config(pki, sim.url, tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
        async with running(config, monkeypatch) as gw:
            assert sum(warning in r.getMessage() for r in caplog.records) == 1
            await Api(http, gw).call("POST", "/api/fetch")
            for _ in range(100):
                if gw.engine and (await gw.engine.fetch_freshness()).last_fetch:
                    break
                await __import__("asyncio").sleep(0.05)
        caplog.clear()
        async with running(config, monkeypatch):  # the same store again: it has fetched before
            assert not any(warning in r.getMessage() for r in caplog.records)
