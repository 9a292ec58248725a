"""Migration 0004 on both backends: conversations written before the state machine get the phase their
question and its answer (and what followed) put them in, so the table judges what comes next."""

from __future__ import annotations

from gateway.store.postgres import PostgresStore
from gateway.store.sqlite import SqliteStore
from tests.fakes import T0
from tests.store_fixtures import store_factory  # noqa: F401  (fixture)

S, B, BA = "Saldoverzoek", "Betaalvoorstel", "BetaalvoorstelAntwoord"
# conversation: (question, state, answer type, its JSON form (ours: XML), what followed, expected phase)
LEGACY = {
    "c-open": (S, "open", None, None, None, "saldo-gevraagd"),
    "c-vooraf": (S, "answered", "SaldoverzoekAntwoordVoorafAkkoord", None, None, "vooraf-akkoord"),
    "c-niet": (B, "answered", BA, '{"antwoord":"NietAkkoord"}', None, "niet-akkoord"),
    "c-regeling": (B, "answered", BA, '{"antwoord":"Akkoord"}', "SchuldregelingAkkoord", "regeling"),
    "c-geen": ("Kennisgeving", "answered", "GeenMedewerking", None, None, "geen-medewerking"),
    "c-status": ("Statusverzoek", "open", None, None, None, "status-gevraagd"),
    # a creditor's gateway: the question came in, its answer (ours) is in the outbox as XML
    "c-se-niet": (B, "answered", BA, "<m:Antwoord>NietAkkoord</m:Antwoord>", None, "niet-akkoord"),
}
_CONVERSATION = """INSERT INTO conversation (conversatie, vraag_referentienummer, vraag_berichttype,
    tegenpartij, wacht_op, verwachte_antwoorden, antwoord_uiterlijk, state, geopend_op, beantwoord_door,
    beantwoord_op, updated_at)
    VALUES ($1, $2, $3, 'se-1', 'tegenpartij', '[]', NULL, $4, $5, $6, $5, $5)"""
_OUTBOX = """INSERT INTO outbox (referentienummer, berichttype, ontvanger, conversatie, document, sha256,
    state, next_attempt_at, deadline, created_at, updated_at)
    VALUES ($1, $2, 'se-1', $3, $4, 'x', 'delivered', $5, $5, $5, $5)"""
_INBOX = """INSERT INTO inbox (referentienummer, berichttype, afzender, ontvanger, conversatie, document,
    sha256, envelope, valid, problems, json_body, state, received_at, updated_at)
    VALUES ($1, $2, 'se-1', 'shv-1', $3, $4, 'x', NULL, $5, '[]', $6, 'delivered', $7, $7)"""


async def _legacy_store(factory, monkeypatch) -> None:  # noqa: ANN001
    """Leave a store at schema version 3 holding conversations of the old kind."""
    cls = SqliteStore if factory.backend == "sqlite" else PostgresStore
    original = cls._migrations
    monkeypatch.setattr(cls, "_migrations", lambda self: original(self)[:3])
    old = await factory()
    assert await old.schema_version() == 3
    async with old._tx() as c:
        for conv, (vraag, state, answer, body, follow, _) in LEGACY.items():
            answered_by = f"a-{conv}" if answer else None
            await c.execute(_CONVERSATION, conv, f"q-{conv}", vraag, state, T0, answered_by)
            if answer and conv.startswith("c-se"):
                await c.execute(_OUTBOX, answered_by, answer, conv, body.encode(), T0)
            elif answer:
                await c.execute(_INBOX, answered_by, answer, conv, b"<x/>", True, (body or "{}").encode(), T0)
            if follow:
                await c.execute(_OUTBOX, f"f-{conv}", follow, conv, b"<x/>", T0)
    monkeypatch.setattr(cls, "_migrations", original)


async def test_old_conversations_get_their_phase(store_factory, monkeypatch):  # noqa: F811
    await _legacy_store(store_factory, monkeypatch)
    store = await store_factory()  # migrates to the latest version
    assert await store.schema_version() >= 4
    for conv, (*_, fase) in LEGACY.items():
        c = await store.get_conversation(conv)
        assert c.fase == fase, conv
        assert c.vooraf_akkoord is (fase == "vooraf-akkoord")
        assert c.termijn is (fase in ("saldo-gevraagd", "status-gevraagd"))
        assert c.stappen == 1 and c.bron == "gateway"
    assert (await store.get_inbound("a-c-niet")).afzender_oin is None  # the new column, empty
