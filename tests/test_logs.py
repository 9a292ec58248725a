from __future__ import annotations

import io
import json
import logging

from gateway.logs import configure, mask_bsn


def test_mask_bsn_only_masks_numbers_passing_the_elfproef() -> None:
    assert mask_bsn("klant 111222333 en 123456789") == "klant ********* en 123456789"
    assert mask_bsn("ref 1112223334") == "ref 1112223334"


def test_json_lines_carry_context_and_never_a_bsn() -> None:
    stream = io.StringIO()
    configure("info", json_lines=True, stream=stream)
    log = logging.getLogger("skpgw.test")
    log.info("bericht voor %s verwerkt", "111222333", extra={"referentienummer": "abc", "event": "sent"})
    try:
        raise ValueError("BSN 123456782 ongeldig")
    except ValueError:
        log.exception("fout")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["referentienummer"] == "abc" and first["event"] == "sent"
    assert "111222333" not in stream.getvalue() and "123456782" not in stream.getvalue()
    assert second["level"] == "error" and "exc" in second


def test_text_lines() -> None:
    stream = io.StringIO()
    configure("debug", json_lines=False, stream=stream)
    logging.getLogger("skpgw.test").debug("hallo", extra={"berichttype": "Saldoverzoek"})
    assert stream.getvalue().rstrip().endswith("hallo [berichttype=Saldoverzoek]")


def test_text_lines_never_show_a_bsn_not_even_in_a_traceback() -> None:
    stream = io.StringIO()
    configure("info", json_lines=False, stream=stream)
    log = logging.getLogger("skpgw.test")
    try:
        raise ValueError("BSN 123456782 ongeldig")
    except ValueError:
        log.exception("fout bij %s", "111222333")
    log.info("stack", stack_info=True)
    text = stream.getvalue()
    assert "Traceback" in text and "ValueError: BSN ********* ongeldig" in text
    assert "123456782" not in text and "111222333" not in text


def test_text_lines_carry_the_time_of_the_event_in_utc() -> None:
    stream = io.StringIO()
    configure("info", json_lines=False, stream=stream)
    record = logging.LogRecord("skpgw.test", logging.INFO, __file__, 1, "toen", None, None)
    record.created = 0.0  # 1970-01-01T00:00:00Z
    logging.getLogger("skpgw.test").handle(record)
    assert stream.getvalue().startswith("1970-01-01 00:00:00")


async def test_debug_logging_never_shows_a_stored_document(tmp_path) -> None:
    """aiosqlite logs each statement with its parameters at DEBUG; at level debug the gateway's log
    must still not carry what the store writes (a name from a message here)."""
    import uuid

    from gateway.store.records import NewOutbound
    from gateway.store.sqlite import SqliteStore
    from tests.fakes import T0

    stream = io.StringIO()
    configure("debug", json_lines=False, stream=stream)
    store = await SqliteStore.open(tmp_path / "gateway.db")
    try:
        document = b"<Saldoverzoek><Achternaam>Van der Linden</Achternaam></Saldoverzoek>"
        ref, ontvanger, conversatie = (str(uuid.uuid4()) for _ in range(3))
        message = NewOutbound(ref, "Saldoverzoek", ontvanger, conversatie, document)
        await store.enqueue(message, now=T0, deadline=T0)
    finally:
        await store.close()
    assert "Linden" not in stream.getvalue()
