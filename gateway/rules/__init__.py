"""The rules on model objects: the NVVK Gedragscode (:mod:`.gedragscode`) and consistency checks.

``check_rules(bericht)`` returns every :class:`Finding`. Outbound, errors block sending, warnings are
reported and the message is sent (:func:`has_errors`); inbound, every finding is attached to the message
(its ``bevindingen``) and it is delivered. Which rules apply to which message is a table, not a chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from gateway.model.bericht import Bericht
from gateway.model.regeling import SchuldregelingAkkoord
from gateway.model.saldo import SaldoverzoekAntwoord, SaldoverzoekAntwoordVoorafAkkoord
from gateway.model.voorstel import Betaalvoorstel, BetaalvoorstelAntwoord, Heroverweging
from gateway.rules import consistency, gedragscode
from gateway.rules.findings import Finding, Severity

Rule = Callable[[Bericht], Iterator[Finding]]


def _voorstel(bericht: Betaalvoorstel | Heroverweging) -> Iterator[Finding]:
    yield from gedragscode.voorstel_rules(bericht.voorstel, "/voorstel")
    yield from consistency.prognose_rules(bericht.voorstel.vorderingen, "/voorstel")
    yield from consistency.totalen_rules(bericht.voorstel, "/voorstel")


def _akkoord(bericht: SchuldregelingAkkoord) -> Iterator[Finding]:
    yield from gedragscode.akkoord_rules(bericht, "")
    yield from consistency.prognose_rules(bericht.vorderingen, "")


def _saldo(bericht: SaldoverzoekAntwoord | SaldoverzoekAntwoordVoorafAkkoord) -> Iterator[Finding]:
    yield from consistency.openstaande_schuld_rules(bericht.vorderingen, "")


def _antwoord(bericht: BetaalvoorstelAntwoord) -> Iterator[Finding]:
    yield from consistency.antwoord_rules(bericht, "")


RULES: dict[type[Bericht], tuple[Rule, ...]] = {
    Betaalvoorstel: (_voorstel,),  # type: ignore[dict-item]
    Heroverweging: (_voorstel,),  # type: ignore[dict-item]
    SchuldregelingAkkoord: (_akkoord,),  # type: ignore[dict-item]
    SaldoverzoekAntwoord: (_saldo,),  # type: ignore[dict-item]
    SaldoverzoekAntwoordVoorafAkkoord: (_saldo,),  # type: ignore[dict-item]
    BetaalvoorstelAntwoord: (_antwoord,),  # type: ignore[dict-item]
}


def check_rules(bericht: Bericht) -> list[Finding]:
    """Every finding for this message (an empty list: nothing to report)."""
    return [finding for rule in RULES.get(type(bericht), ()) for finding in rule(bericht)]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


__all__ = ["RULES", "Finding", "Severity", "check_rules", "has_errors"]
