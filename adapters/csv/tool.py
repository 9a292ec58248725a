"""What ``skgw csv`` does, without the command line: pick the layout, gather the questions (XML
files or a gateway's API), export, import, and hand the answers on (XML files or the gateway)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.csv.answers import Antwoord, ImportResult
from adapters.csv.api_client import GatewayApi, Submitted, bounded
from adapters.csv.betaal_export import export_betaal
from adapters.csv.betaal_import import import_betaal
from adapters.csv.columns import BETAAL, SALDO, Layout
from adapters.csv.fileformat import BOM, DELIMITER, read_table
from adapters.csv.groups import group_by_conversation
from adapters.csv.problems import CsvRejected
from adapters.csv.saldo_export import export_saldo
from adapters.csv.saldo_import import import_saldo
from adapters.csv.vragen import Vraag, by_conversation
from gateway.codec import encode
from gateway.codec.json_form import to_json


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # the --berichttype value
    layout: Layout
    vraagtypen: tuple[str, ...]  # the questions it answers
    export: Callable[[Iterable[Vraag]], bytes]
    import_: Callable[..., ImportResult]


KINDS = {
    "Saldoverzoek": Kind("Saldoverzoek", SALDO, ("Saldoverzoek",), export_saldo, import_saldo),
    "Betaalvoorstel": Kind(
        "Betaalvoorstel", BETAAL, ("Betaalvoorstel", "Heroverweging"), export_betaal, import_betaal
    ),
}


def kind_of_file(data: bytes) -> Kind:
    """The layout by the file's header row (Saldoverzoek unless it is our Betaalvoorstel layout)."""
    first = data.removeprefix(BOM).split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    names = [cell.strip().strip('"') for cell in first.split(DELIMITER)]
    return KINDS["Betaalvoorstel"] if names[: len(BETAAL)] == BETAAL.header else KINDS["Saldoverzoek"]


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
        rows, _ = read_table(name, data, kind.layout)
    except CsvRejected:
        return []
    return [c for c in group_by_conversation(rows) if c]


def import_file(
    kind: Kind, name: str, data: bytes, vragen: Iterable[Vraag], versie: str | None = None
) -> ImportResult:
    return kind.import_(name, data, by_conversation(vragen), versie=versie)


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
