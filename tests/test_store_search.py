"""Read-side queries (API, metrics), run identically against SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from gateway.conversatie.machine import Gebeurtenis, stap
from gateway.model.berichttype import Berichttype, Rol
from gateway.store.records import NewInbound, NewOutbound, TermStart
from gateway.store.search import BerichtFilter
from gateway.store.sql_search import decode_cursor
from tests.fakes import T0, document
from tests.store_fixtures import store, store_factory  # noqa: F401  (fixtures)
from tests.test_store_contract import an_attempt

DAY = timedelta(days=1)


async def _seed(store) -> dict[str, list[str]]:  # noqa: F811
    refs: dict[str, list[str]] = {"uit": [], "in": []}
    for i in range(5):
        ref, conv = str(uuid.uuid4()), str(uuid.uuid4())
        berichttype = "Saldoverzoek" if i % 2 == 0 else "Betaalvoorstel"
        doc = document(berichttype, referentienummer=ref, conversatie=conv)
        await store.enqueue(
            NewOutbound(ref, berichttype, f"se-{i % 2}", conv, doc), now=T0 + i * DAY, deadline=T0 + 9 * DAY
        )
        refs["uit"].append(ref)
    for i in range(3):
        ref = str(uuid.uuid4())
        doc = document("SaldoverzoekAntwoord", referentienummer=ref)
        await store.store_inbound(
            NewInbound(ref, "SaldoverzoekAntwoord", "se-1", "shv", None, doc, b"", True, (), b"{}",
                          received_at=T0 + (i + 10) * DAY)
        )  # fmt: skip
        refs["in"].append(ref)
    return refs


async def test_filters_by_type_direction_counterpart_and_dates(store) -> None:  # noqa: F811
    refs = await _seed(store)
    everything = await store.search_messages(BerichtFilter(limit=100))
    assert len(everything.items) == 8 and everything.next_cursor is None
    assert [m.at for m in everything.items] == sorted((m.at for m in everything.items), reverse=True)
    uit = await store.search_messages(BerichtFilter(direction="out", berichttype="Saldoverzoek"))
    assert {m.referentienummer for m in uit.items} == {refs["uit"][0], refs["uit"][2], refs["uit"][4]}
    inkomend = await store.search_messages(BerichtFilter(direction="in", tegenpartij="se-1"))
    assert {m.referentienummer for m in inkomend.items} == set(refs["in"])
    window = await store.search_messages(BerichtFilter(since=T0 + DAY, until=T0 + 3 * DAY))
    assert {m.referentienummer for m in window.items} == {refs["uit"][1], refs["uit"][2]}
    assert (await store.search_messages(BerichtFilter(state="queued"))).items[0].direction == "out"


async def test_keyset_pages_cover_everything_once(store) -> None:  # noqa: F811
    await _seed(store)
    seen, cursor, pages = [], None, 0
    while True:
        page = await store.search_messages(BerichtFilter(limit=3, cursor=cursor))
        seen += [m.referentienummer for m in page.items]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        assert pages < 10
    assert pages == 3 and len(seen) == len(set(seen)) == 8


def test_foreign_cursor_is_refused() -> None:
    with pytest.raises(ValueError):
        decode_cursor("not-a-cursor")


async def test_conversations_by_state_and_counts(store) -> None:  # noqa: F811
    refs = await _seed(store)
    claimed = await store.claim_outbound(owner="A", now=T0 + 9 * DAY, lease_until=T0 + 10 * DAY,
                                         limit=10, max_claims=3)  # fmt: skip
    assert set(refs["uit"]) <= {r.referentienummer for r in claimed}
    for i, ref in enumerate(refs["uit"][:2]):
        row = await store.get_outbound(ref)
        g = Gebeurtenis(Berichttype.SALDOVERZOEK, ref, row.conversatie, "se-1", Rol.SHV, T0, aangekomen=False)
        await store.write_conversation(stap(None, g, eigen_rol=Rol.SHV).wijziging)
        term = TermStart(row.conversatie, ref, date(2026, 3, 10 + i * 20), T0)
        assert await store.record_delivered(
            ref, owner="A", attempt=an_attempt(ref, "A"), now=T0, term_start=term
        )
    today = date(2026, 3, 20)
    overdue = await store.list_conversations(state="overdue", today=today)
    opened = await store.list_conversations(state="open", today=today)
    assert len(opened) == 2 and len(overdue) == 1
    assert overdue[0].antwoord_uiterlijk == date(2026, 3, 10)
    counts = {(r, t, s): n for r, t, s, n in await store.message_counts()}
    assert counts[("in", "SaldoverzoekAntwoord", "received")] == 3
    assert sum(n for (r, _, _), n in counts.items() if r == "out") == 5
