"""Reading and writing the CSV file itself: the portal's file rules and our format decisions.

Written (export): ``;`` as delimiter, UTF-8 with a byte order mark, one header row with the layout's
column names, CRLF line ends, fields quoted only when needed. Read (import), liberal in the form and
strict in the content: UTF-8 with or without a byte order mark, or Windows-1252 (what a Dutch Excel
writes as plain "CSV"), and said which; ``;`` or ``,`` as delimiter, recognised from the header row;
columns found by their header (case and spaces ignored), so a missing, renamed or unknown column is
one problem naming its header; rows shorter than the header are padded with empty cells (Excel drops
trailing empty cells on some rows). Rules: a ``.csv`` name, at most 4 MB. Leading and trailing
spaces of a cell are ignored; wholly empty rows are skipped. Exported cells that a spreadsheet would
run as a formula get a leading apostrophe, which is removed again on import.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from adapters.csv.columns import Column, Layout, header_key, letter
from adapters.csv.problems import CsvRejected, Problems

MAX_BYTES = 4 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
DELIMITER = ";"
DELIMITERS = (";", ",")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM, UTF8, WINDOWS_1252 = "UTF-8 with BOM", "UTF-8 without BOM", "Windows-1252"


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


@dataclass(slots=True)
class Table:
    """A read file: its data rows, the problems found so far (the caller adds its own and decides),
    the columns as this file has them (key -> letter and header as written), and how it was read."""

    layout: Layout
    rows: list[Row] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    columns: dict[str, Column] = field(default_factory=dict)
    encoding: str = ""
    delimiter: str = ""

    def column(self, key: str) -> Column:
        return self.columns.get(key) or self.layout[key]

    @property
    def read_as(self) -> str | None:
        """How the file was read, as the import says it: "Windows-1252, separator ';'"."""
        if not self.encoding:
            return None
        return f"{self.encoding}, separator {self.delimiter!r}" if self.delimiter else self.encoding

    def rejected(self) -> CsvRejected:
        return CsvRejected(self.problems.items, self.read_as)


def decode(data: bytes, problems: Problems) -> tuple[str, str]:
    """The text and the encoding it was found in; :class:`CsvRejected` when it is neither UTF-8
    nor Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.add(
            None, None, None,
            "encoding: UTF-16 (Excel's \"Unicode text\") is not read: save as \"CSV UTF-8\" or \"CSV\"",
        )  # fmt: skip
        raise CsvRejected(problems.items)
    if data.startswith(BOM):
        try:
            return data[len(BOM) :].decode("utf-8"), UTF8_BOM
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            problems.add(line, None, None, "encoding: the file starts as UTF-8 but this row is not UTF-8")
            raise CsvRejected(problems.items) from None
    try:
        return data.decode("utf-8"), UTF8
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), WINDOWS_1252
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(
            line, None, None,
            f"encoding: neither UTF-8 nor Windows-1252 (byte 0x{data[exc.start]:02X} in this row); "
            "save the file as \"CSV UTF-8\"",
        )  # fmt: skip
        raise CsvRejected(problems.items) from None


def sniff_delimiter(text: str) -> str | None:
    """``;`` or ``,``: whichever separates the header row into more cells (None: neither does)."""
    header = text.split("\n", 1)[0].rstrip("\r")
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 1 else None


def read_table(name: str, data: bytes, layout: Layout) -> Table:
    """The data rows and how the file was read. Raises :class:`CsvRejected` when the file cannot be
    read as a table of this layout at all (its encoding, its delimiter, its header)."""
    table = Table(layout)
    problems = table.problems
    if not name.lower().endswith(".csv"):
        problems.add(None, None, None, "only files with the extension .csv are accepted")
    if len(data) > MAX_BYTES:
        problems.add(None, None, None, f"the file is {len(data)} bytes; at most 4 MB ({MAX_BYTES} bytes)")
    text, table.encoding = decode(data, problems)
    delimiter = sniff_delimiter(text)
    if delimiter is None:
        problems.add(1, None, None, "delimiter: the header row is not separated by ';' or ','")
        raise table.rejected()
    table.delimiter = delimiter
    records = _records(text, table)
    if not records:
        problems.add(1, None, None, "the file is empty: expected a header row")
        raise table.rejected()
    positions = _header(records[0][1], table)
    if any(p.row == 1 for p in problems.errors):
        raise table.rejected()
    width = len(records[0][1])
    for number, record in records[1:]:
        if all(not cell.strip() for cell in record):
            continue
        if any(cell.strip() for cell in record[width:]):
            problems.add(
                number, letter(width), None,
                f"has {len(record)} cells, the header {width}: a cell beyond the last column is filled in "
                f"(delimiter {delimiter!r})",
            )  # fmt: skip
            continue
        record = record + [""] * (width - len(record))
        cells = {key: from_spreadsheet(record[i].strip()) for key, i in positions.items()}
        table.rows.append(Row(number, cells))
    return table


def _records(text: str, table: Table) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=table.delimiter, strict=True)
    records = []
    start = 1
    try:
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        table.problems.add(start, None, None, f"not a valid CSV row: {exc}")
        raise table.rejected() from None
    return records


def _header(header: list[str], table: Table) -> dict[str, int]:
    """Each layout column's position in the file; every missing, renamed, doubled or unknown column
    is one problem that names it by its header."""
    layout, problems = table.layout, table.problems
    while header and not header[-1].strip():
        header = header[:-1]  # empty cells after the last column (a spreadsheet's formatted range)
    positions: dict[str, int] = {}
    unknown: dict[int, str] = {}
    for index, cell in enumerate(header):
        column = layout.by_header.get(header_key(cell))
        if column is None:
            unknown[index] = cell.strip()
        elif column.key in positions:
            first = letter(positions[column.key])
            problems.add(
                1, letter(index), cell.strip(), f"the column {column.name!r} appears twice (also {first})"
            )
        else:
            positions[column.key] = index
            table.columns[column.key] = Column(letter(index), cell.strip(), column.key, column.personal)
    if len(positions) < len(layout) / 2:  # not this layout at all: one problem, not one per column
        problems.add(
            1, None, None,
            f"the header row is not the {layout.title} layout: {len(positions)} of its {len(layout)} "
            "column names found",
        )  # fmt: skip
        return positions
    for column in layout.columns:
        if column.key in positions:
            continue
        at = layout.columns.index(column)
        if at in unknown:  # where it belongs holds a header we do not know: renamed
            found = unknown.pop(at)
            shown = repr(found) if found else "an empty header cell"
            problems.add(
                1, letter(at), column.name, f"the header cell reads {shown}; expected {column.name!r}"
            )
        else:
            problems.add(
                1, None, column.name,
                f"the column {column.name!r} is missing "
                f"(column {column.letter} of the {layout.title} layout)",
            )  # fmt: skip
    for index, found in unknown.items():
        shown = repr(found) if found else "an empty header cell"
        problems.add(1, letter(index), found or None, f"{shown} is not a column of the {layout.title} layout")
    return positions
