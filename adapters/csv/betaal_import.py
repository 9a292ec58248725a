"""The filled-in "Betaalvoorstel antwoord" CSV as Betaalvoorstel antwoord messages, one per
conversation. A claim row is listed in the answer when its Betaalreferentie is filled in. A
conversation whose answer cells are all empty is left unanswered; any problem refuses the file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from adapters.csv import cells
from adapters.csv.answers import Antwoord, ImportResult, answer_header, checked, collect_answers
from adapters.csv.columns import BETAAL
from adapters.csv.fileformat import Row, read_table
from adapters.csv.groups import Cells, answer_referentienummer
from adapters.csv.vragen import Vraag
from gateway.model import (
    Akkoord,
    AntwoordVordering,
    Betaalvoorstel,
    BetaalvoorstelAntwoord,
    Contactpersoon,
    Heroverweging,
)

_CLAIM = ("factuurnummer_se", "vorderingstype", "actueel_vorderingsbedrag", "afkooppercentage",
          "prognose_eindbedrag")  # fmt: skip
_QUESTION = tuple(c.key for c in BETAAL.question if c.key not in _CLAIM)
_ANSWER = tuple(c.key for c in BETAAL.answer)
FIELD_COLUMNS = {
    "klantnummer_se": "klantnummer_se",
    "antwoord": "antwoord",
    "reden": "reden",
    "naam": "cp_naam",
    "emailadres": "cp_email",
    "telefoonnummer": "cp_telefoon",
    "factuurnummer_se": "factuurnummer_se",
    "betaalreferentie": "betaalreferentie",
}


def import_betaal(
    name: str,
    data: bytes,
    vragen: Mapping[str, Vraag],
    *,
    versie: str | None = None,
    now: datetime | None = None,
) -> ImportResult:
    rows, problems = read_table(name, data, BETAAL)
    c = Cells(BETAAL, problems)
    return collect_answers(
        rows,
        problems,
        _ANSWER,
        lambda group: _vraag(c, group, vragen),
        lambda group, vraag: _answer(c, group, vraag, versie or vraag.versie, now),
    )


def _vraag(c: Cells, rows: Sequence[Row], vragen: Mapping[str, Vraag]) -> Vraag | None:
    c.same(rows, _QUESTION)
    first = rows[0]
    conversatie = c.uuid(first, "conversatie")
    if conversatie is None:
        return None
    vraag = vragen.get(conversatie)
    if vraag is None or not isinstance(vraag.bericht, Betaalvoorstel | Heroverweging):
        c.fail(first, "conversatie", "no received Betaalvoorstel or Heroverweging has this conversation")
        return None
    if first["referentienummer"] != vraag.referentienummer:
        c.fail(first, "referentienummer", "is not the Referentienummer of the conversation's latest proposal")
    if first["klantnummer_shv"] != vraag.bericht.klantnummer_shv:
        c.fail(first, "klantnummer_shv", "is not the KlantnummerSHV of the conversation's proposal")
    return vraag


def _answer(
    c: Cells, rows: Sequence[Row], vraag: Vraag, versie: str, now: datetime | None
) -> Antwoord | None:
    before = len(c.problems.errors)
    antwoord = c.one(rows, "antwoord", lambda t: cells.parse_code(t, Akkoord), required=True)
    naam, email, telefoon = (c.one(rows, k) for k in ("cp_naam", "cp_email", "cp_telefoon"))
    if naam is None and (email or telefoon):
        c.fail(rows[0], "cp_naam", "required when an email address or telephone number is given")
    contactpersoon = None
    if naam is not None:
        contactpersoon = c.make(
            rows[0], FIELD_COLUMNS, Contactpersoon, naam=naam, emailadres=email, telefoonnummer=telefoon
        )
    claims = [
        c.make(row, FIELD_COLUMNS, AntwoordVordering, factuurnummer_se=row["factuurnummer_se"],
               betaalreferentie=row["betaalreferentie"])
        for row in rows
        if row["betaalreferentie"]
    ]  # fmt: skip
    fields = {
        "klantnummer_shv": vraag.bericht.klantnummer_shv,  # type: ignore[attr-defined]
        "klantnummer_se": c.one(rows, "klantnummer_se"),
        "antwoord": antwoord,
        "reden": c.one(rows, "reden"),
        "contactpersoon": contactpersoon,
    }
    if len(c.problems.errors) > before:
        return None
    header = answer_header(vraag, answer_referentienummer(BETAAL, rows), now)
    bericht = c.make(
        rows[0],
        FIELD_COLUMNS,
        BetaalvoorstelAntwoord,
        berichtheader=header,
        vorderingen=tuple(claims),
        **fields,
    )
    return None if bericht is None else checked(c, bericht, rows, FIELD_COLUMNS, vraag, versie)
