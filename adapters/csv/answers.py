"""What an import produces: the answer messages (model objects with a full Berichthader), the
conversations left unanswered, and the warnings; plus the last checks every answer passes
(rules, and encoding for the version it goes out in)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.csv.fileformat import Row, Table
from adapters.csv.groups import Cells, group_by_conversation
from adapters.csv.problems import CsvProblem
from adapters.csv.vragen import Vraag
from gateway.codec import EncodeError, encode
from gateway.model import Bericht, Berichtheader
from gateway.rules import check_rules


@dataclass(frozen=True, slots=True)
class Antwoord:
    bericht: Bericht
    vraag: Vraag
    rows: tuple[int, ...]  # the rows it was read from
    versie: str  # the version it is encoded in when written as XML


@dataclass(slots=True)
class ImportResult:
    antwoorden: list[Antwoord] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)  # conversations whose answer cells were all empty
    warnings: list[CsvProblem] = field(default_factory=list)
    read_as: str | None = None  # how the file was read: "Windows-1252, separator ';'"


def answer_header(vraag: Vraag, referentienummer: str, now: datetime | None) -> Berichtheader:
    """The answer goes back in the question's conversation, from the one asked to the one who asked."""
    return Berichtheader(
        referentienummer=referentienummer,
        conversatie_referentienummer=vraag.conversatie,
        afzender=vraag.se,
        ontvanger=vraag.shv,
        datum_tijd=(now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0),
    )


def checked(
    c: Cells, bericht: Bericht, rows: Sequence[Row], columns: dict[str, str], vraag: Vraag, versie: str
) -> Antwoord | None:
    """Run the rules (errors and warnings at their row/column) and encode once for the version."""
    before = len(c.problems.errors)
    c.findings(check_rules(bericht), rows, columns)
    if len(c.problems.errors) > before:
        return None
    try:
        encode(bericht, versie)
    except EncodeError as exc:
        c.fail(rows[0], None, f"cannot be written as version {versie}: {exc}")
        return None
    return Antwoord(bericht, vraag, tuple(r.number for r in rows), versie)


def collect_answers(
    table: Table,
    answer_columns: Sequence[str],
    question_for: Callable[[list[Row]], Vraag | None],
    answer_for: Callable[[list[Row], Vraag], Antwoord | None],
) -> ImportResult:
    """The loop every import shares: per conversation, find its question; a conversation whose answer
    cells are all empty is unanswered, not an error; read the answer. One error anywhere rejects the
    whole file (the portal's rule), with every problem listed."""
    result = ImportResult(read_as=table.read_as)
    for conversatie, group in group_by_conversation(table.rows).items():
        vraag = question_for(group)
        if all(not row[key] for row in group for key in answer_columns):
            result.unanswered.append(conversatie)
            continue
        if vraag is None:
            continue
        antwoord = answer_for(group, vraag)
        if antwoord is not None:
            result.antwoorden.append(antwoord)
    if table.problems.errors:
        raise table.rejected()
    result.warnings = table.problems.warnings
    return result


def question_for(
    c: Cells,
    rows: Sequence[Row],
    question_columns: Sequence[str],
    vragen: Mapping[str, Vraag],
    kinds: tuple[type, ...],
    named: str,
) -> Vraag | None:
    """The received question a conversation's rows answer, checking the repeated question columns
    against it; ``kinds`` are the message types that can be that question, ``named`` says them."""
    c.same(rows, question_columns)
    first = rows[0]
    conversatie = c.uuid(first, "conversatie")
    if conversatie is None:
        return None
    vraag = vragen.get(conversatie)
    if vraag is None or not isinstance(vraag.bericht, kinds):
        c.fail(first, "conversatie", f"no received {named} has this ConversatieReferentienummer")
        return None
    if first["referentienummer"] != vraag.referentienummer:
        c.fail(first, "referentienummer", f"is not the Referentienummer of the conversation's {named}")
    if not same_klantnummer(first["klantnummer_shv"], vraag.bericht.klantnummer_shv):
        c.fail(first, "klantnummer_shv", f"is not the KlantnummerSHV of the conversation's {named}")
    return vraag


def same_klantnummer(cell: str, asked: str) -> bool:
    """The cell holds the question's number; a spreadsheet that read an all-digit number as a
    number dropped its leading zeros ("00417" comes back as "417"), which is still the same."""
    if cell == asked:
        return True
    return cell.isdigit() and asked.isdigit() and cell.lstrip("0") == asked.lstrip("0")
