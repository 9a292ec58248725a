"""One answer row of the "CSV Saldoverzoek Antwoord" as a claim (SaldoVordering): the Schuldtype
decides which columns must, may and must not be filled in."""

from __future__ import annotations

from adapters.csv import cells
from adapters.csv.fileformat import Row
from adapters.csv.groups import Cells
from gateway.model import OnbekendeSchuld, OpenstaandeSchuld, OvergedragenSchuld, SaldoVordering

OPENSTAAND = ("ontstaansdatum", "oorspronkelijke_vordering", "rente", "kosten", "betaald",
              "actueel_vorderingsbedrag", "vorderingstype")  # fmt: skip
OVERGEDRAGEN = ("overgedragen_aan", "datum_overdracht")
ONBEKEND = ("onbekend_toelichting",)
CLAIM = ("schuldtype", "factuurnummer_se", *OPENSTAAND, *OVERGEDRAGEN, *ONBEKEND)

# model field -> column key, to place model errors and rule findings
FIELD_COLUMNS = {
    "factuurnummer_se_volgens_shv": "factuurnummer_se_volgens_shv",
    "factuurnummer_se": "factuurnummer_se",
    "ontstaansdatum": "ontstaansdatum",
    "oorspronkelijke_vordering": "oorspronkelijke_vordering",
    "rente": "rente",
    "kosten": "kosten",
    "betaald": "betaald",
    "actueel_vorderingsbedrag": "actueel_vorderingsbedrag",
    "vorderingstype": "vorderingstype",
    "overgedragen_aan": "overgedragen_aan",
    "datum_overdracht": "datum_overdracht",
    "toelichting": "toelichting",
    "klantnummer_shv": "klantnummer_shv",
    "klantnummer_se": "klantnummer_se",
    "peildatum": "datum",
    "naam": "cp_naam",
    "telefoonnummer": "cp_telefoon",
    "emailadres": "cp_email",
    "convenant": "convenant",
    "grondslag": "grondslag",
}


def _openstaand(c: Cells, row: Row) -> OpenstaandeSchuld | None:
    c.empty([row], OVERGEDRAGEN + ONBEKEND, "for an openstaande schuld")
    before = len(c.problems.errors)
    values = {
        "ontstaansdatum": c.get(row, "ontstaansdatum", cells.parse_datum, required=True),
        "oorspronkelijke_vordering": c.get(
            row, "oorspronkelijke_vordering", cells.parse_bedrag, required=True
        ),
        "rente": c.get(row, "rente", cells.parse_bedrag),
        "kosten": c.get(row, "kosten", cells.parse_bedrag),
        "betaald": c.get(row, "betaald", cells.parse_bedrag),
        "actueel_vorderingsbedrag": c.get(row, "actueel_vorderingsbedrag", cells.parse_bedrag, required=True),
        "vorderingstype": c.get(row, "vorderingstype", cells.parse_vorderingstype),
    }
    if len(c.problems.errors) > before:  # a cell that could not be read: no sum rule on a guess
        return None
    return c.make(row, FIELD_COLUMNS, OpenstaandeSchuld, **values)


def _overgedragen(c: Cells, row: Row) -> OvergedragenSchuld | None:
    c.empty([row], OPENSTAAND + ONBEKEND, "for an overgedragen schuld")
    aan = c.get(row, "overgedragen_aan", required=True)
    datum = c.get(row, "datum_overdracht", cells.parse_datum)
    if aan is None:
        return None
    return c.make(row, FIELD_COLUMNS, OvergedragenSchuld, overgedragen_aan=aan, datum_overdracht=datum)


def _onbekend(c: Cells, row: Row) -> OnbekendeSchuld | None:
    c.empty([row], OPENSTAAND + OVERGEDRAGEN, "for an onbekende schuld")
    return c.make(row, FIELD_COLUMNS, OnbekendeSchuld, toelichting=c.get(row, "onbekend_toelichting"))


def read_claim(c: Cells, row: Row) -> SaldoVordering | None:
    schuldtype = c.get(row, "schuldtype", cells.parse_schuldtype, required=True)
    if schuldtype is None:
        return None
    read = {"openstaande schuld": _openstaand, "overgedragen schuld": _overgedragen}.get(
        schuldtype, _onbekend
    )
    part = read(c, row)
    if part is None:
        return None
    key = {
        _openstaand: "openstaande_schuld",
        _overgedragen: "overgedragen_schuld",
        _onbekend: "onbekende_schuld",
    }[read]
    return c.make(
        row,
        FIELD_COLUMNS,
        SaldoVordering,
        factuurnummer_se_volgens_shv=row["factuurnummer_se_volgens_shv"] or None,
        factuurnummer_se=row["factuurnummer_se"] or None,
        **{key: part},
    )
