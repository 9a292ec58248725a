"""Reading and writing the CSV file itself: the portal's file rules and our format decisions.

Decisions (README): ``;`` as delimiter, UTF-8 with a byte order mark, one header row with the
layout's column names, CRLF line ends, fields quoted only when needed. Rules: a ``.csv`` name,
at most 4 MB. Leading and trailing spaces of a cell are ignored; wholly empty rows are skipped.
Exported cells that a spreadsheet would run as a formula get a leading apostrophe, which is
removed again on import.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from adapters.csv.columns import Layout
from adapters.csv.problems import CsvRejected, Problems

MAX_BYTES = 4 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
DELIMITER = ";"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: dict[str, str]  # column key -> stripped text

    def __getitem__(self, key: str) -> str:
        return self.cells[key]


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ (or a tab or CR)
    gets a leading apostrophe. The question columns come from the counterpart, so their text is
    not trusted to be harmless when the creditor opens the file."""
    return "'" + text if text[:1] in _FORMULA_START else text


def from_spreadsheet(text: str) -> str:
    """The inverse of :func:`spreadsheet_safe`."""
    return text[1:] if text[:1] == "'" and text[1:2] in _FORMULA_START else text


def write_table(layout: Layout, rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(layout.header)
    for row in rows:
        if len(row) != len(layout):
            raise ValueError(f"a {layout.title} row has {len(row)} cells, the layout {len(layout)}")
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return BOM + out.getvalue().encode("utf-8")


def read_table(name: str, data: bytes, layout: Layout) -> tuple[list[Row], Problems]:
    """The data rows, and the problems found so far (the caller adds its own and decides).
    Raises :class:`CsvRejected` when the file cannot be read as a table at all."""
    problems = Problems()
    if not name.lower().endswith(".csv"):
        problems.add(None, None, None, "only files with the extension .csv are accepted")
    if len(data) > MAX_BYTES:
        problems.add(None, None, None, f"the file is {len(data)} bytes; at most 4 MB ({MAX_BYTES} bytes)")
    if data.startswith(BOM):
        data = data[len(BOM) :]
    else:
        problems.add(None, None, None, "encoding: expected UTF-8 with a byte order mark (BOM) at the start")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(line, None, None, "encoding: this row is not UTF-8 (save the file as UTF-8 with BOM)")
        raise CsvRejected(problems.items) from None
    records = _records(text, problems)
    if not records:
        problems.add(1, None, None, "the file is empty: expected a header row")
        raise CsvRejected(problems.items)
    _check_header(records[0][1], layout, problems)
    if problems.errors and any(p.row == 1 for p in problems.errors):
        raise CsvRejected(problems.items)
    rows = []
    for number, record in records[1:]:
        if all(not cell.strip() for cell in record):
            continue
        if len(record) != len(layout):
            problems.add(
                number, None, None, f"has {len(record)} cells, expected {len(layout)} (delimiter ';')"
            )
            continue
        cells = {c.key: from_spreadsheet(v.strip()) for c, v in zip(layout.columns, record, strict=True)}
        rows.append(Row(number, cells))
    return rows, problems


def _records(text: str, problems: Problems) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER, strict=True)
    records = []
    start = 1
    try:
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.add(start, None, None, f"not a valid CSV row: {exc}")
        raise CsvRejected(problems.items) from None
    return records


def _check_header(header: list[str], layout: Layout, problems: Problems) -> None:
    if len(header) == 1 and any(sep in header[0] for sep in (",", "\t")):
        problems.add(1, None, None, "delimiter: the cells must be separated by ';' (not ',' or tab)")
        return
    if header and header[0].startswith("\ufeff"):
        header = [header[0][1:], *header[1:]]
    if len(header) != len(layout):
        problems.add(
            1, None, None, f"the header has {len(header)} columns, expected {len(layout)} ({layout.title})"
        )
    for column, found in zip(layout.columns, header, strict=False):
        if found.strip() != column.name:
            problems.add(1, column.letter, column.name, f"the header cell must read {column.name!r}")
