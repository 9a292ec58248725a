"""The import of a previous system's open conversations: every mistake is named (code and field), nothing
is written unless all is right, and what is imported stands where the table says."""

from __future__ import annotations

import copy
import uuid
from datetime import date

import pytest

from gateway.adresboek import Adresboek, Tegenpartij
from gateway.conversatie.importeren import importeer
from gateway.model.berichttype import Rol
from gateway.store.records import ConversationState, WachtOp
from tests.store_fixtures import store, store_factory  # noqa: F401  (fixtures)

SE = "7dbe7773-70da-5a9f-bc63-3e0381e576d2"
OTHER_SHV = "00d7bf96-9533-514c-8d26-9365ed97530a"
BOOK = Adresboek(
    [
        Tegenpartij(SE, "Energie Noord", "0" * 20, Rol.SE),
        Tegenpartij(OTHER_SHV, "Stadsbank", "1" * 20, Rol.SHV),
    ]
)
GOOD = {
    "conversatie": "8c0d6f2e-3d0f-4a4b-9a51-2f1b0c7d9e10",
    "tegenpartij": SE,
    "berichten": [
        {"berichttype": "Saldoverzoek", "datum_tijd": "2025-10-01T09:00:00Z"},
        {"berichttype": "SaldoverzoekAntwoordVoorafAkkoord", "datum_tijd": "2025-10-06T14:12:00+02:00"},
        {"berichttype": "Betaalvoorstel", "datum_tijd": "2025-10-20T10:00:00Z"},
    ],
}


def item(**changes) -> dict:
    found = copy.deepcopy(GOOD)
    found["conversatie"] = str(uuid.uuid4())
    found.update(changes)
    return found


C, M = "/conversaties/0", "/conversaties/0/berichten"


def message(berichttype: str, when: str = "2025-10-01T09:00:00Z", **extra) -> dict:
    return {"berichttype": berichttype, "datum_tijd": when, **extra}


async def run(store, body, **kw):  # noqa: ANN001, F811
    return await importeer(store, body, adresboek=BOOK, rol=Rol.SHV, **kw)


async def test_a_conversation_stands_where_its_messages_left_it(store):  # noqa: F811
    result = await run(store, {"conversaties": [GOOD]})
    assert result.ok and result.imported == [GOOD["conversatie"]]
    c = await store.get_conversation(GOOD["conversatie"])
    assert (c.fase, c.vooraf_akkoord, c.bron, c.stappen) == ("voorstel-vooraf-akkoord", True, "import", 3)
    assert c.state is ConversationState.ANSWERED and c.antwoord_uiterlijk is None  # nothing awaited
    assert [s["richting"] for s in c.geimporteerd] == ["uit", "in", "uit"]
    assert c.geimporteerd[1]["datum_tijd"] == "2025-10-06T12:12:00Z"  # kept in UTC
    again = await run(store, [GOOD])  # a bare list works too; the same import twice changes nothing
    assert again.ok and again.already_known == [GOOD["conversatie"]] and again.imported == []


async def test_a_question_we_were_asked_waits_for_us_from_its_date(store):  # noqa: F811
    asked = item(berichten=[message("Statusverzoek", "2025-10-20T10:00:00Z")])
    assert (await run(store, [asked])).ok
    c = await store.get_conversation(asked["conversatie"])
    assert c.wacht_op is WachtOp.ONS and c.antwoord_uiterlijk == date(2025, 11, 3)


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"conversatie": "8C0D-not-a-uuid"}, "invalid-import", f"{C}/conversatie"),
        ({"tegenpartij": str(uuid.uuid4())}, "unknown-counterpart", f"{C}/tegenpartij"),
        ({"tegenpartij": OTHER_SHV}, "wrong-role", f"{C}/tegenpartij"),
        ({"berichten": []}, "invalid-import", f"{C}/berichten"),
        ({"berichten": [message("Aanvraag")]}, "unknown-berichttype", f"{M}/0/berichttype"),
        ({"berichten": [message("Foutbericht")]}, "invalid-import", f"{M}/0/berichttype"),
        ({"berichten": [message("Saldoverzoek", "1 oktober")]}, "invalid-import",
         f"{M}/0/datum_tijd"),
        ({"berichten": [message("Saldoverzoek", "2025-10-01T09:00:00")]}, "invalid-import",
         f"{M}/0/datum_tijd"),
        ({"berichten": [message("Saldoverzoek", referentienummer="x")]}, "invalid-import",
         f"{M}/0/referentienummer"),
        ({"berichten": [message("Betaalvoorstel"), message("BetaalvoorstelAntwoord")]}, "invalid-import",
         f"{M}/1/antwoord"),
        ({"berichten": [message("Saldoverzoek", "2025-10-02T09:00:00Z"), message("SaldoverzoekAntwoord")]},
         "invalid-import", f"{M}/1/datum_tijd"),
        ({"berichten": [message("SaldoverzoekAntwoord")]}, "unknown-conversation",
         f"{M}/0/berichttype"),
        ({"berichten": [message("Betaalvoorstel"), message("BetaalvoorstelAntwoord", antwoord="Akkoord"),
                        message("Heroverweging")]}, "no-niet-akkoord", f"{M}/2/berichttype"),
        ({"berichten": [message("StatusberichtSE")]}, "invalid-import", f"{C}/berichten"),
    ],
)  # fmt: skip
async def test_each_mistake_is_named_and_nothing_is_written(store, changes, code, field):  # noqa: F811
    wrong = item(**changes)
    result = await run(store, {"conversaties": [GOOD, wrong]})
    at = field.replace(C, "/conversaties/1", 1)  # the second conversation of the file
    assert [(f["code"], f["field"]) for f in result.findings] == [(code, at)]
    assert result.imported == [] and await store.get_conversation(GOOD["conversatie"]) is None


async def test_the_whole_file_is_checked(store):  # noqa: F811
    for body in (None, {}, {"conversaties": []}, "x"):
        assert [f["code"] for f in (await run(store, body)).findings] == ["invalid-import"]
    twice = await run(store, [GOOD, GOOD])
    assert [(f["code"], f["field"]) for f in twice.findings] == [
        ("duplicate-conversation", "/conversaties/1/conversatie")
    ]
    live = item(berichten=[message("Saldoverzoek")])
    assert (await run(store, [live], dry_run=True)).ok and await store.get_conversation(
        live["conversatie"]
    ) is None
    assert (await run(store, [live])).ok
    other = item(conversatie=live["conversatie"], berichten=[message("Kennisgeving")])
    assert [f["code"] for f in (await run(store, [other])).findings] == ["conversation-exists"]
