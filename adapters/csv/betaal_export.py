"""Received Betaalvoorstellen and Heroverwegingen as rows of our "Betaalvoorstel antwoord" CSV:
one row per claim of the proposal, the proposal's columns repeated, the answer columns empty."""

from __future__ import annotations

from collections.abc import Iterable

from adapters.csv import cells
from adapters.csv.columns import BETAAL
from adapters.csv.fileformat import write_table
from adapters.csv.vragen import Vraag
from gateway.model import Betaalvoorstel, Heroverweging


def betaal_rows(vraag: Vraag) -> list[list[str]]:
    b = vraag.bericht
    if not isinstance(b, Betaalvoorstel | Heroverweging):
        raise TypeError(f"a {b.berichttype.value} is not a Betaalvoorstel or Heroverweging")
    v = b.voorstel
    question = {
        "conversatie": vraag.conversatie,
        "referentienummer": vraag.referentienummer,
        "berichttype": b.berichttype.value,
        "klantnummer_shv": b.klantnummer_shv,
        "klantnummer_se_volgens_shv": b.klantnummer_se or "",
        "type_schuldregeling": v.type_schuldregeling.value,
        "datum_voorstel": cells.datum(v.datum_voorstel),
        "afloscapaciteit": cells.bedrag(v.afloscapaciteit_per_maand),
        "looptijd": "" if v.looptijd_maanden is None else str(v.looptijd_maanden),
    }
    rows = []
    for claim in v.vorderingen:
        values = question | {
            "factuurnummer_se": claim.factuurnummer_se,
            "vorderingstype": claim.vorderingstype.value,
            "actueel_vorderingsbedrag": cells.bedrag(claim.actueel_vorderingsbedrag),
            "afkooppercentage": cells.percentage(claim.afkooppercentage),
            "prognose_eindbedrag": cells.bedrag(claim.prognose_eindbedrag),
        }
        rows.append([values.get(c.key, "") for c in BETAAL.columns])
    return rows


def export_betaal(vragen: Iterable[Vraag]) -> bytes:
    return write_table(BETAAL, [row for vraag in vragen for row in betaal_rows(vraag)])
