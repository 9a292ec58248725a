"""What ``skgw csv`` does, without the command line: pick the layout, gather the questions (XML
files or a gateway's API), export, import, and hand the answers on (XML files or the gateway)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.csv.answers import Antwoord, ImportResult
from adapters.csv.api_client import GatewayApi, Submitted, bounded
from adapters.csv.betaal_export import export_betaal
from adapters.csv.betaal_import import import_betaal
from adapters.csv.columns import BETAAL, SALDO, Layout, header_key
from adapters.csv.fileformat import DELIMITER, decode, read_table, sniff_delimiter
from adapters.csv.groups import group_by_conversation
from adapters.csv.problems import CsvRejected, Problems
from adapters.csv.saldo_export import export_saldo
from adapters.csv.saldo_import import import_saldo
from adapters.csv.vragen import Vraag, VraagError, by_conversation
from gateway.codec import encode
from gateway.codec.json_form import to_json
from gateway.conversatie.tabel import antwoorden_op
from gateway.model import Berichttype


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # the --berichttype value
    layout: Layout
    vraagtypen: tuple[str, ...]  # the questions it answers
    export: Callable[[Iterable[Vraag]], bytes]
    import_: Callable[..., ImportResult]

    @property
    def antwoordtypen(self) -> tuple[str, ...]:
        """The answers to its questions (the conversation table, gateway.conversatie.tabel)."""
        found = {a.value for t in self.vraagtypen for a in antwoorden_op(Berichttype(t))}
        return tuple(sorted(found))


KINDS = {
    "Saldoverzoek": Kind("Saldoverzoek", SALDO, ("Saldoverzoek",), export_saldo, import_saldo),
    "Betaalvoorstel": Kind(
        "Betaalvoorstel", BETAAL, ("Betaalvoorstel", "Heroverweging"), export_betaal, import_betaal
    ),
}


def kind_of_file(data: bytes) -> Kind:
    """The layout by the file's header row (Saldoverzoek unless it is our Betaalvoorstel layout);
    read as the import reads it (encoding and delimiter recognised, headers matched loosely)."""
    try:
        text, _ = decode(data, Problems())
    except CsvRejected:
        return KINDS["Saldoverzoek"]  # the import says what is wrong with the file
    delimiter = sniff_delimiter(text) or DELIMITER
    header = next(csv.reader([text.split("\n", 1)[0].rstrip("\r")], delimiter=delimiter), [])
    names = {header_key(cell) for cell in header} - {""}
    return KINDS["Betaalvoorstel"] if names == set(BETAAL.by_header) else KINDS["Saldoverzoek"]


def open_questions(
    vragen: Sequence[Vraag], answers: Iterable[tuple[str, datetime]]
) -> tuple[list[Vraag], list[Vraag]]:
    """(unanswered, answered): a question is answered when an answer in its conversation was made
    at or after it (an answer to a Betaalvoorstel does not answer the Heroverweging after it)."""
    latest: dict[str, datetime] = {}
    for conversatie, moment in answers:
        latest[conversatie] = max(moment, latest.get(conversatie, moment))
    open_, answered = [], []
    for vraag in vragen:
        moment = latest.get(vraag.conversatie)
        done = moment is not None and moment >= vraag.bericht.berichtheader.datum_tijd
        (answered if done else open_).append(vraag)
    return open_, answered


def answers_in(kind: Kind, berichten: Iterable[Vraag]) -> list[tuple[str, datetime]]:
    """The answers of this kind among message files (e.g. the XML files ``csv import --to-xml``
    wrote): (conversation, DatumTijd)."""
    return [
        (b.conversatie, b.bericht.berichtheader.datum_tijd)
        for b in berichten
        if b.bericht.berichttype.value in kind.antwoordtypen
    ]


def questions_for(kind: Kind, vragen: Iterable[Vraag]) -> list[Vraag]:
    """The questions of this kind, the latest per conversation (a Heroverweging replaces the
    Betaalvoorstel it reconsiders), oldest first."""
    mine = by_conversation(v for v in vragen if v.bericht.berichttype.value in kind.vraagtypen)
    return sorted(mine.values(), key=lambda v: v.bericht.berichtheader.datum_tijd)


async def gateway_questions(
    api: GatewayApi, kind: Kind, conversations: Sequence[str] | None = None
) -> list[Vraag]:
    """The received questions of this kind; with ``conversations``: only those conversations'."""
    found: list[Vraag] = []
    for berichttype in kind.vraagtypen:
        if conversations is None:
            found.extend(await api.received(berichttype))
        else:
            calls = [lambda c=c, t=berichttype: api.received(t, c) for c in conversations]
            found.extend(v for page in await bounded(calls) for v in page)
    return questions_for(kind, found)


def conversations_in(kind: Kind, name: str, data: bytes) -> list[str]:
    """The conversations a file answers (best effort: a file that cannot be read has none)."""
    try:
        table = read_table(name, data, kind.layout)
    except CsvRejected:
        return []
    return [c for c in group_by_conversation(table.rows) if c]


def import_file(
    kind: Kind, name: str, data: bytes, vragen: Iterable[Vraag], versie: str | None = None
) -> ImportResult:
    questions = by_conversation(vragen)
    unknown = [v for v in questions.values() if v.versie is None]
    if versie is None and unknown:
        raise VraagError(
            f"{len(unknown)} question(s) were read from their JSON form, which does not say the version "
            "they came in: give --version 2.0 or 1.1"
        )
    return kind.import_(name, data, questions, versie=versie)


def write_xml(antwoorden: Sequence[Antwoord], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for antwoord in antwoorden:
        document = encode(antwoord.bericht, antwoord.versie, pretty=True)
        path = (
            directory
            / f"{antwoord.bericht.berichttype.value}-{antwoord.bericht.berichtheader.referentienummer}.xml"
        )
        path.write_bytes(document)
        written.append(path)
    return written


def submission(antwoord: Antwoord) -> dict[str, Any]:
    """The JSON form with only the header fields the organisation gives: the gateway fills in the
    Afzender and DatumTijd (the same again on a resubmission, so it stays idempotent)."""
    body = to_json(antwoord.bericht)
    header = antwoord.bericht.berichtheader
    body["berichtheader"] = {
        "referentienummer": header.referentienummer,
        "conversatie_referentienummer": header.conversatie_referentienummer,
        "ontvanger": header.ontvanger,
    }
    return body


async def submit_all(api: GatewayApi, antwoorden: Sequence[Antwoord]) -> list[tuple[Antwoord, Submitted]]:
    results = await bounded([lambda a=a: api.submit(submission(a)) for a in antwoorden])
    return list(zip(antwoorden, results, strict=True))
