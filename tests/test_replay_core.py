"""Replay without a hub: header rewriting keeps fixtures valid, invalid ones are refused locally,
the rate limiter spaces sends, the summary counts and percentiles are right."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from adapters.testkit.header import Rewrite, read_header, rewrite
from adapters.testkit.replay import RateLimiter, Refusal, ReplayOptions, Skip, prepare, replay
from adapters.testkit.sending import Outgoing
from adapters.testkit.summary import ReplaySummary, percentile
from gateway.conversatie.tabel import afzender_rol
from gateway.engine.ports import HubResult, Outcome
from gateway.model.berichttype import Berichttype, Rol
from gateway.xml.validate import validate_document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VALID = sorted((FIXTURES / "valid").rglob("*.xml"))
ME, THEM = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rewritten_fixture_stays_valid_with_fresh_header(path):
    original = read_header(path.read_bytes())
    prepared = prepare(path.name, path.read_bytes(), ReplayOptions(afzender=ME, ontvanger=THEM))
    assert isinstance(prepared, Outgoing), prepared
    header = read_header(prepared.document)
    assert header.afzender == ME and header.ontvanger == THEM and prepared.ontvanger == THEM
    assert header.referentienummer == prepared.referentienummer != original.referentienummer
    assert uuid.UUID(prepared.referentienummer).version == 4
    assert header.conversatie == original.conversatie
    assert prepared.berichttype == original.root
    assert validate_document(prepared.document).ok


def test_keep_ids_sends_the_bytes_unchanged():
    data = (FIXTURES / "valid/2.0/Saldoverzoek.xml").read_bytes()
    prepared = prepare("s.xml", data, ReplayOptions(afzender=ME, ontvanger=THEM, keep_ids=True))
    assert prepared.document == data
    assert prepared.ontvanger == read_header(data).ontvanger  # the fixture's own counterpart


def test_invalid_fixture_is_refused_locally_with_its_problem():
    data = (FIXTURES / "invalid/amount-negative.xml").read_bytes()
    refused = prepare("bad.xml", data, ReplayOptions(afzender=ME, ontvanger=THEM))
    assert isinstance(refused, Refusal) and refused.code == "min-inclusive"
    assert "PrognoseEindbedrag" in refused.problems[0]
    broken = prepare("t.xml", (FIXTURES / "invalid/truncated.xml").read_bytes(), ReplayOptions(ME, THEM))
    assert isinstance(broken, Refusal) and broken.code == "truncated"


def test_rewrite_leaves_unparseable_documents_alone():
    assert rewrite(b"<a><b>", Rewrite.fresh(ME, THEM)) == (b"<a><b>", None)


class FakeSender:
    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.sent: list[Outgoing] = []

    async def send(self, message):
        self.sent.append(message)
        outcome, code = self.outcomes.pop(0)
        return HubResult(outcome, f"because {code}", code)

    async def close(self):
        pass


async def test_summary_counts_retries_and_local_refusals():
    data = (FIXTURES / "valid/2.0/Kennisgeving.xml").read_bytes()
    bad = (FIXTURES / "invalid/amount-negative.xml").read_bytes()
    sender = FakeSender(
        [
            (Outcome.RETRYABLE, "http-503"),
            (Outcome.DELIVERED, None),
            (Outcome.DUPLICATE_ACCEPTED, None),
            (Outcome.PERMANENT, "OngeldigBericht"),
        ]
    )
    from adapters.testkit.sending import RetryPolicy

    options = ReplayOptions(ME, THEM, concurrency=1, retry=RetryPolicy(1, 0.0))
    summary = await replay([("a", data), ("b", data), ("c", data), ("x", bad)], sender, options)
    assert (summary.sent, summary.delivered, summary.duplicates, summary.retried) == (3, 1, 1, 1)
    assert dict(summary.refused) == {"OngeldigBericht": 1, "local:min-inclusive": 1}
    assert len(summary.latencies) == 4 and not summary.all_accepted
    assert len({m.referentienummer for m in sender.sent}) == 3  # the retry kept its Referentienummer
    text = "\n".join(summary.lines())
    assert "accepted  2" in text and "OngeldigBericht" in text and "p99" in text


async def test_rate_limiter_spaces_starts():
    limiter = RateLimiter(50.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(6):
        await limiter.wait()
    assert loop.time() - started >= 5 / 50 - 0.01


def test_percentiles_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0 and percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) == 0.0
    assert ReplaySummary().to_dict()["latency_ms"] == {"p50": 0.0, "p99": 0.0}


class FakeTty:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_bar_on_a_terminal_plain_lines_otherwise():
    from io import StringIO

    from adapters.testkit.progress import Progress

    tty = FakeTty()
    bar = Progress(4, tty, width=8)
    for ok in (True, True, False, True):
        bar.update("f.xml", ok, "detail")
    bar.finish()
    assert tty.text.count("\r") == 4 and "[########] 4/4  accepted 3  refused 1" in tty.text
    assert tty.text.endswith("\n") and "f.xml" not in tty.text
    plain = StringIO()
    lines = Progress(2, plain)
    lines.update("a.xml", True, "delivered x")
    lines.update("b.xml", False, "permanent OngeldigBericht y")
    assert plain.getvalue().splitlines() == [
        "[1/2] ok      a.xml: delivered x",
        "[2/2] REFUSED b.xml: permanent OngeldigBericht y",
    ]


@pytest.mark.parametrize(
    ("name", "rol", "skipped"),
    [
        ("SaldoverzoekAntwoord", Rol.SHV, True),  # an SE sends it
        ("Saldoverzoek", Rol.SHV, False),
        ("Saldoverzoek", Rol.SE, True),
        ("Statusverzoek", Rol.SE, False),
        ("Foutbericht", Rol.SHV, False),  # either side sends one
        ("Foutbericht", Rol.SE, False),
        ("SaldoverzoekAntwoord", None, False),  # our role unknown: everything is sent, the hub decides
    ],
)
def test_a_message_of_the_other_role_is_skipped(name, rol, skipped):
    data = (FIXTURES / f"valid/2.0/{name}.xml").read_bytes()
    prepared = prepare(name, data, ReplayOptions(ME, THEM, rol=rol))
    assert isinstance(prepared, Skip) == skipped, prepared
    if skipped:
        assert prepared.berichttype == name and prepared.afzender_rol != rol


def test_a_1_1_message_of_the_other_role_is_skipped_by_its_version_free_type():
    data = (FIXTURES / "valid/1.1/KlantOnbekend.xml").read_bytes()  # 1.1's GeenMedewerking: an SE's
    prepared = prepare("k.xml", data, ReplayOptions(ME, THEM, rol=Rol.SHV))
    assert isinstance(prepared, Skip) and prepared.berichttype == "GeenMedewerking"


async def test_skipped_messages_are_counted_apart_and_never_sent():
    folder = sorted((FIXTURES / "valid/2.0").glob("*.xml"))
    sender = FakeSender([(Outcome.DELIVERED, None)] * len(folder))
    summary = await replay(
        [(p.name, p.read_bytes()) for p in folder], sender, ReplayOptions(ME, THEM, rol=Rol.SHV)
    )
    se_types = {
        p.stem for p in folder if p.stem in {b.value for b in Berichttype if afzender_rol(b) is Rol.SE}
    }
    assert set(summary.skipped) == se_types and sum(summary.skipped.values()) == len(se_types) == 7
    assert {m.berichttype for m in sender.sent}.isdisjoint(se_types)
    assert summary.sent == len(folder) - 7 and summary.all_accepted
    lines = "\n".join(summary.lines())
    assert "skipped   7  (an SE sends these; we are the SHV: BetaalvoorstelAntwoord 1," in lines
    assert summary.to_dict()["skipped"]["SaldoverzoekAntwoord"] == 1


async def test_nothing_sent_because_everything_was_skipped_is_not_a_success():
    data = (FIXTURES / "valid/2.0/SaldoverzoekAntwoord.xml").read_bytes()
    sender = FakeSender([])
    summary = await replay([("a.xml", data)], sender, ReplayOptions(ME, THEM, rol=Rol.SHV))
    assert not sender.sent and not summary.all_accepted
    assert "nothing was sent: every message is one the other side sends" in summary.lines()
