"""The filled-in "Betaalvoorstel antwoord" CSV as Betaalvoorstel antwoord messages, one per
conversation. A claim row is listed in the answer when its Betaalreferentie is filled in. A
conversation whose answer cells are all empty is left unanswered; any problem refuses the file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from adapters.csv import cells
from adapters.csv.answers import Antwoord, ImportResult, answer_header, checked, collect_answers, question_for
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
    table = read_table(name, data, BETAAL)
    c = Cells(table)
    return collect_answers(
        table,
        _ANSWER,
        lambda group: question_for(
            c,
            group,
            _QUESTION,
            vragen,
            (Betaalvoorstel, Heroverweging),
            "latest Betaalvoorstel or Heroverweging",
        ),
        lambda group, vraag: _answer(c, group, vraag, versie or vraag.versie, now),
    )


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
