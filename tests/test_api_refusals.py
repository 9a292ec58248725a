"""Every refusal of the API says what is wrong in words and with a stable code, and its log line
carries that code (an operator debugging a case system's failing calls sees which refusal it got)."""

from __future__ import annotations

import json
import logging
import uuid

import aiohttp

from gateway.model.berichttype import Rol
from tests.daemon_support import Api, fixture_json, gateway_config, running, simulator
from tests.transport_support import SE_ID, SHV_ID, dev_pki


async def test_every_refusal_has_a_code_in_its_body_and_its_log_line(tmp_path, monkeypatch, caplog) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        async with running(config, monkeypatch) as gateway:
            api = Api(http, gateway)
            good = fixture_json("Saldoverzoek.xml", SE_ID)
            deep: object = 1
            for _ in range(100):
                deep = [deep]
            other = {**good, "berichtheader": {**good["berichtheader"]}}
            status, first = await api.submit(good)
            assert status == 202
            other["berichtheader"]["referentienummer"] = first["referentienummer"]
            other["berichtheader"]["conversatie_referentienummer"] = str(uuid.uuid4())
            unknown = str(uuid.uuid4())
            cases = [
                (("POST", "/api/berichten"), {"data": b"{not json"}, 400, "invalid-json"),
                (("POST", "/api/berichten"), {"data": json.dumps(deep)}, 400, "json-too-deep"),
                (("GET", "/api/berichten?direction=sideways"), {}, 400, "invalid-query"),
                (("GET", "/api/berichten?richting=uit"), {}, 400, "unknown-query-parameter"),
                (("POST", "/api/berichten?dry_run=yes"), {"json": good}, 400, "invalid-query"),
                (("GET", "/api/conversaties?state=late"), {}, 400, "invalid-query"),
                (("POST", "/api/queue/retry-now?referentienummer=x"), {}, 400, "invalid-query"),
                (("GET", f"/api/berichten/{unknown}"), {}, 404, "not-found"),
                (("GET", "/api/ophalen"), {}, 404, "unknown-path"),
                (("GET", "/api/fetch"), {}, 405, "method-not-allowed"),
                (("POST", f"/api/berichten/{first['referentienummer']}/resend"), {}, 409, "not-dead"),
                (("POST", "/api/berichten"), {"json": other}, 409, "referentienummer-conflict"),
                (("POST", "/api/berichten"), {"json": {"berichttype": "Saldoverzoek"}}, 422, "refused"),
            ]
            with caplog.at_level(logging.INFO, logger="gateway.api.app"):
                for (method, path), kw, expected_status, code in cases:
                    status, body = await api.call(method, path, **kw)
                    assert (status, body.get("code")) == (expected_status, code), (path, body)
                    assert body["error"]
            lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("API refused")]
            assert len(lines) == len(cases)
            for line, ((method, path), _, status, code) in zip(lines, cases, strict=True):
                assert line.startswith(f"API refused {method} {path.split('?')[0]}: {status} {code}"), line


def test_the_openapi_document_lists_exactly_the_codes_the_api_gives() -> None:
    import re

    from gateway.api.openapi_schemas import REFUSAL_CODES
    from tests.conftest import ROOT

    source = "\n".join(
        p.read_text() for p in (ROOT / "gateway" / "api").glob("*.py") if not p.name.startswith("openapi")
    )
    given = set(re.findall(r'code="([a-z-]+)"', source)) | set(
        re.findall(r'Refusal\(\s*\d+, "([a-z-]+)"', source)
    )
    given |= set(re.findall(r'_refuse\(\s*\d+,\s*"([a-z-]+)"', source)) | {"invalid-query"}  # bad_query()
    given -= {"refused"}  # the 422s' code: their findings say why (schema Refusal)
    assert given == set(REFUSAL_CODES)
