"""Consistency checks on amounts, counts and answers.

- PrognoseEindbedrag = ActueelVorderingsbedrag × Afkooppercentage / 100, within a cent;
- the totals and counts of a proposal against the claims it lists, where that is computable: a proposal
  goes to one creditor and lists only that creditor's claims, while the totals and counts cover every
  creditor, so the claims of a kind can not exceed its total, and a kind with claims has at least one
  creditor;
- an open claim: ActueelVorderingsbedrag = OorspronkelijkeVordering + Rente + Kosten − Betaald;
- a Betaalvoorstel antwoord NietAkkoord gives its reden.

One currency: every amount is of type Bedrag, which the standard defines in euro, and no message has a
currency element, so mixed currencies cannot be expressed and need no rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from gateway.model.enums import Akkoord, VorderingsType
from gateway.model.regeling import AkkoordVordering
from gateway.model.saldo import SaldoVordering
from gateway.model.voorstel import BetaalvoorstelAntwoord, Voorstel, VoorstelVordering
from gateway.rules.findings import Finding, error

CENT = Decimal("0.01")
_HONDERD = Decimal(100)


def prognose_rules(
    vorderingen: Sequence[VoorstelVordering | AkkoordVordering], path: str
) -> Iterator[Finding]:
    for index, claim in enumerate(vorderingen):
        verwacht = claim.actueel_vorderingsbedrag * claim.afkooppercentage / _HONDERD
        if abs(claim.prognose_eindbedrag - verwacht) > CENT:
            yield error(
                "prognose-eindbedrag-inconsistent",
                f"{path}/vorderingen/{index}/prognose_eindbedrag",
                "PrognoseEindbedrag must equal ActueelVorderingsbedrag × Afkooppercentage / 100 "
                "(within a cent)",
                str(verwacht.quantize(CENT)),
            )


def totalen_rules(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    kinds = (
        (
            VorderingsType.PREFERENT,
            "preferent",
            voorstel.totale_vastgestelde_schuld_preferent,
            voorstel.totaal_aantal_preferente_schuldeisers,
            "preferente",
        ),
        (
            VorderingsType.CONCURRENT,
            "concurrent",
            voorstel.totale_vastgestelde_schuld_concurrent,
            voorstel.totaal_aantal_concurrente_schuldeisers,
            "concurrente",
        ),
    )
    for kind, name, totaal, aantal, adjective in kinds:
        claims = [c for c in voorstel.vorderingen if c.vorderingstype is kind]
        som = sum((c.actueel_vorderingsbedrag for c in claims), Decimal(0))
        if som > totaal:
            yield error(
                "totaal-kleiner-dan-vorderingen",
                f"{path}/totale_vastgestelde_schuld_{name}",
                f"the total of the {adjective} debts is below the sum of the {adjective} claims listed",
            )
        if claims and aantal == 0:
            yield error(
                "aantal-schuldeisers-nul",
                f"{path}/totaal_aantal_{adjective}_schuldeisers",
                f"the proposal lists {adjective} claims but counts no {adjective} creditors",
            )
        if aantal == 0 and totaal != 0:
            yield error(
                "totaal-zonder-schuldeisers",
                f"{path}/totale_vastgestelde_schuld_{name}",
                f"there is a total of {adjective} debts but no {adjective} creditor is counted",
            )


def openstaande_schuld_rules(vorderingen: Sequence[SaldoVordering], path: str) -> Iterator[Finding]:
    for index, claim in enumerate(vorderingen):
        schuld = claim.openstaande_schuld
        if schuld is None:
            continue
        verwacht = (
            schuld.oorspronkelijke_vordering
            + (schuld.rente or 0)
            + (schuld.kosten or 0)
            - (schuld.betaald or 0)
        )
        if schuld.actueel_vorderingsbedrag != verwacht:
            yield error(
                "openstaande-schuld-inconsistent",
                f"{path}/vorderingen/{index}/openstaande_schuld/actueel_vorderingsbedrag",
                "ActueelVorderingsbedrag must equal OorspronkelijkeVordering + Rente + Kosten − Betaald",
                str(verwacht),
            )


def antwoord_rules(antwoord: BetaalvoorstelAntwoord, path: str) -> Iterator[Finding]:
    if antwoord.antwoord is Akkoord.NIET_AKKOORD and antwoord.reden is None:
        yield error(
            "niet-akkoord-zonder-reden",
            f"{path}/reden",
            "a Betaalvoorstel antwoord NietAkkoord must give its reden",
        )
