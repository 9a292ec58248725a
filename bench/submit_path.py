"""`python -m bench.submit_path [--claims N] [--rounds R] [--seconds S]`: the CPU of one API submission.

Times, for the body the end-to-end benchmark posts (:func:`bench.e2e.submission`, a Betaalvoorstel
with ``claims`` Vorderingen), each step of ``POST /api/berichten`` on its own and all of them together:

- ``json.loads``  the request body -> dict (what aiohttp's ``request.json`` does);
- ``from_json``   the filled-in JSON form -> model (every field check, every invariant);
- ``rules``       the Gedragscode and consistency rules;
- ``encode``      model -> XML bytes, including the XSD validation of the result;
- ``Submitter.submit``  :meth:`gateway.submission.Submitter.submit` (the three above plus the
  header defaults), with an in-memory enqueue instead of the store;
- ``submit``      ``json.loads`` + ``Submitter.submit``.

Prints the median and the best µs per operation over interleaved rounds (:mod:`bench.timing`); on a
shared machine the best round is the steadier figure.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.e2e import SE, SHV, Pki, submission
from bench.timing import interleaved
from gateway.adresboek import Adresboek, Tegenpartij
from gateway.codec import encode
from gateway.codec.json_form import from_json
from gateway.model.berichttype import Rol
from gateway.rules import check_rules
from gateway.store.records import EnqueueResult, NewOutbound
from gateway.submission import Submitter

EIGEN_ADRES = "0b5e7c1a-1111-4a2b-8c3d-000000000001"
ONTVANGER = "0b5e7c1a-2222-4a2b-8c3d-000000000002"
NOW = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)


def _submitter() -> Submitter:
    adresboek = Adresboek([Tegenpartij(ONTVANGER, SE[0], SE[1], Rol.SE)])

    async def enqueue(new: NewOutbound) -> EnqueueResult:
        return EnqueueResult(created=True, row=None)  # type: ignore[arg-type]

    async def existing(referentienummer: str) -> None:
        return None

    class NoConversations:  # every submission opens a new conversation (one store read, answered at once)
        async def get_conversation(self, conversatie: str) -> None:
            return None

        async def get_inbound(self, referentienummer: str) -> None:
            return None

    return Submitter(
        eigen_adres=EIGEN_ADRES,
        rol=Rol.SHV,
        adresboek=adresboek,
        enqueue=enqueue,
        existing=existing,
        conversations=NoConversations(),
        clock=lambda: NOW,
    )


def _filled(body: dict[str, Any]) -> dict[str, Any]:
    """The body as ``Submitter.submit`` hands it to ``from_json`` (the header defaults filled in)."""
    filled = dict(body)
    filled["berichtheader"] = {
        **body["berichtheader"],
        "referentienummer": "0b5e7c1a-3333-4a2b-8c3d-000000000003",
        "conversatie_referentienummer": "0b5e7c1a-4444-4a2b-8c3d-000000000004",
        "afzender": EIGEN_ADRES,
        "datum_tijd": "2025-11-03T09:00:00Z",
    }
    return filled


def _run(coroutine: Coroutine[Any, Any, object]) -> object:
    """Run a coroutine that never suspends (``Submitter.submit`` with the in-memory fakes) without an
    event loop."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    coroutine.close()
    raise RuntimeError("the coroutine suspended")


def steps(claims: int = 10) -> dict[str, Callable[[], object]]:
    """The steps of one submission, each a callable without arguments."""
    raw = submission(Pki(Path("."), SHV[1], ONTVANGER), claims)
    body = json.loads(raw)
    filled = _filled(body)
    bericht = from_json(filled)
    submitter = _submitter()
    return {
        "json.loads": lambda: json.loads(raw),
        "from_json": lambda: from_json(filled),
        "rules": lambda: check_rules(bericht),
        "encode": lambda: encode(bericht, "2.0"),
        "Submitter.submit": lambda: _run(submitter.submit(body)),
        "submit": lambda: _run(submitter.submit(json.loads(raw))),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.submit_path", description=__doc__)
    parser.add_argument("--claims", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=0.2, help="seconds per round and step")
    args = parser.parse_args(argv)
    results = interleaved(steps(args.claims), rounds=args.rounds, round_seconds=args.seconds)
    print(f"Betaalvoorstel, {args.claims} claims: µs per operation over {args.rounds} rounds")
    print(f"  {'step':<12} {'median':>9} {'best':>9} {'spread':>7}")
    for name, timing in results.items():
        median, best = timing.median_s * 1e6, timing.best_s * 1e6
        print(f"  {name:<12} {median:>9.1f} {best:>9.1f} {timing.spread:>7.0%}")


if __name__ == "__main__":
    main()
