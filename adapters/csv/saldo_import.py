"""The filled-in "CSV Saldoverzoek Antwoord" as answer messages, one per conversation:

- "Klant onbekend" Ja → Geen medewerking (Reden KlantOnbekend; 1.1 has no Reden);
- "Standaard akkoord" Ja → Saldoverzoek antwoord vooraf akkoord;
- otherwise → Saldoverzoek antwoord, one claim per row.

A conversation whose answer cells are all empty is left unanswered (listed, not an error). Every
problem anywhere refuses the whole file (:class:`CsvRejected`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from adapters.csv import cells
from adapters.csv.answers import Antwoord, ImportResult, answer_header, checked, collect_answers, question_for
from adapters.csv.columns import SALDO
from adapters.csv.fileformat import Row, read_table
from adapters.csv.groups import Cells, answer_referentienummer
from adapters.csv.problems import CsvRejected, Problems
from adapters.csv.saldo_claims import CLAIM, FIELD_COLUMNS, read_claim
from adapters.csv.vragen import Vraag
from gateway.codec.profile import profile_for
from gateway.model import (
    Contactpersoon,
    GeenMedewerking,
    GrondslagVoorafAkkoord,
    RedenGeenMedewerking,
    Saldoverzoek,
    SaldoverzoekAntwoord,
    SaldoverzoekAntwoordVoorafAkkoord,
    SaldoVordering,
    VoorafAkkoord,
)
from gateway.rules.consistency import openstaande_schuld_rules

_QUESTION = tuple(c.key for c in SALDO.question if c.key != "factuurnummer_se_volgens_shv")
_ANSWER = tuple(c.key for c in SALDO.answer)
_AKKOORD = ("grondslag", "convenant")


def import_saldo(
    name: str,
    data: bytes,
    vragen: Mapping[str, Vraag],
    *,
    versie: str | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Every answer in the file, or :class:`CsvRejected` with every problem. ``vragen``: the
    received Saldoverzoeken by conversation; ``versie``: write every answer in this version
    (default: the version its question came in)."""
    table = read_table(name, data, SALDO)
    c = Cells(table)
    return collect_answers(
        table,
        _ANSWER,
        lambda group: question_for(c, group, _QUESTION, vragen, (Saldoverzoek,), "Saldoverzoek"),
        lambda group, vraag: _answer(c, group, vraag, versie or vraag.versie, now),
    )


def _contactpersoon(c: Cells, rows: Sequence[Row], required: bool) -> Contactpersoon | None:
    naam = c.one(rows, "cp_naam", required=required)
    email, telefoon = c.one(rows, "cp_email"), c.one(rows, "cp_telefoon")
    if naam is None:
        if email or telefoon:
            c.fail(rows[0], "cp_naam", "required when an email address or telephone number is given")
        return None
    return c.make(
        rows[0], FIELD_COLUMNS, Contactpersoon, naam=naam, emailadres=email, telefoonnummer=telefoon
    )


def _answer(
    c: Cells, rows: Sequence[Row], vraag: Vraag, versie: str, now: datetime | None
) -> Antwoord | None:
    onbekend = [c.get(r, "klant_onbekend", cells.parse_ja) for r in rows]
    if any(onbekend):
        for row, flag in zip(rows, onbekend, strict=True):
            if not flag:
                c.fail(
                    row, "klant_onbekend", "Ja on another row of this conversation: fill in Ja on every row"
                )
        return _geen_medewerking(c, rows, vraag, versie, now)
    before = len(c.problems.errors)
    akkoord = c.one(rows, "standaard_akkoord", cells.parse_ja)
    fields = {
        "klantnummer_shv": vraag.bericht.klantnummer_shv,  # type: ignore[attr-defined]
        "klantnummer_se": c.one(rows, "klantnummer_se", required=True),
        "contactpersoon": _contactpersoon(c, rows, required=True),
        "peildatum": c.one(rows, "datum", cells.parse_datum, required=True),
        "toelichting": c.one(rows, "toelichting"),
    }
    claims = [read_claim(c, row) for row in rows]
    if akkoord:
        fields["vooraf_akkoord"] = _vooraf_akkoord(c, rows)
    else:
        c.empty(rows, _AKKOORD, "without Standaard akkoord Ja")
    if len(c.problems.errors) > before:
        _claim_rules(c, rows, claims)
        return None
    kind = SaldoverzoekAntwoordVoorafAkkoord if akkoord else SaldoverzoekAntwoord
    header = answer_header(vraag, answer_referentienummer(SALDO, rows), now)
    bericht = c.make(rows[0], FIELD_COLUMNS, kind, berichtheader=header, vorderingen=tuple(claims), **fields)
    return None if bericht is None else checked(c, bericht, rows, FIELD_COLUMNS, vraag, versie)


def _vooraf_akkoord(c: Cells, rows: Sequence[Row]) -> VoorafAkkoord | None:
    grondslag = c.one(rows, "grondslag", lambda t: cells.parse_code(t, GrondslagVoorafAkkoord))
    return c.make(
        rows[0],
        FIELD_COLUMNS,
        VoorafAkkoord,
        grondslag=grondslag or GrondslagVoorafAkkoord.COLLECTIEF_SCHULDREGELEN,
        convenant=c.one(rows, "convenant"),
    )


def _claim_rules(c: Cells, rows: Sequence[Row], claims: Sequence[SaldoVordering | None]) -> None:
    """When other cells of the conversation are wrong, the claims that could be read still get
    their own rule checks, so every error of the file is listed at once."""
    valid = [(row, claim) for row, claim in zip(rows, claims, strict=True) if claim is not None]
    findings = list(openstaande_schuld_rules([claim for _, claim in valid], ""))
    c.findings(findings, [row for row, _ in valid], FIELD_COLUMNS)


def _geen_medewerking(
    c: Cells, rows: Sequence[Row], vraag: Vraag, versie: str, now: datetime | None
) -> Antwoord | None:
    c.empty(rows, ("standaard_akkoord", "datum", *CLAIM, *_AKKOORD), "when Klant onbekend is Ja")
    before = len(c.problems.errors)
    fields = {
        "klantnummer_shv": vraag.bericht.klantnummer_shv,  # type: ignore[attr-defined]
        "klantnummer_se": c.one(rows, "klantnummer_se"),
        "contactpersoon": _contactpersoon(c, rows, required=False),
        "toelichting": c.one(rows, "toelichting"),
    }
    if len(c.problems.errors) > before:
        return None
    reden = RedenGeenMedewerking.KLANT_ONBEKEND if profile_for(versie).reden_geen_medewerking else None
    header = answer_header(vraag, answer_referentienummer(SALDO, rows), now)
    bericht = c.make(rows[0], FIELD_COLUMNS, GeenMedewerking, berichtheader=header, reden=reden, **fields)
    return None if bericht is None else checked(c, bericht, rows, FIELD_COLUMNS, vraag, versie)


__all__ = ["CsvRejected", "Problems", "import_saldo"]
