"""Replay without a hub: header rewriting keeps fixtures valid, invalid ones are refused locally,
the rate limiter spaces sends, the summary counts and percentiles are right."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from adapters.testkit.header import Rewrite, read_header, rewrite
from adapters.testkit.replay import RateLimiter, Refusal, ReplayOptions, prepare, replay
from adapters.testkit.sending import Outgoing
from adapters.testkit.summary import ReplaySummary, percentile
from gateway.engine.ports import HubResult, Outcome
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
