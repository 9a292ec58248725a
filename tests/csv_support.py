"""Helpers for the CSV tests: questions built from the fixtures, and filling in an exported file
the way a creditor would (by column key), then writing it back in the portal's format."""

from __future__ import annotations

import csv
import dataclasses
import io
import uuid
from collections.abc import Callable
from functools import cache

from adapters.csv.columns import Layout
from adapters.csv.fileformat import BOM
from adapters.csv.vragen import Vraag, vraag_from_xml
from tests.conftest import FIXTURES


@cache
def _fixture(name: str) -> Vraag:
    return vraag_from_xml(name, (FIXTURES / "valid" / "2.0" / name).read_bytes())


def fixture_vraag(name: str = "Saldoverzoek.xml", *, conversatie: str | None = None, **changes) -> Vraag:
    """A question from a 2.0 fixture; with changes: in a conversation of its own."""
    vraag = _fixture(name)
    if conversatie is None and not changes:
        return vraag
    header = dataclasses.replace(
        vraag.bericht.berichtheader,
        referentienummer=str(uuid.uuid4()),
        conversatie_referentienummer=conversatie or str(uuid.uuid4()),
    )
    return Vraag(dataclasses.replace(vraag.bericht, berichtheader=header, **changes), vraag.versie)


def read_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline=""), delimiter=";"))


def write_rows(
    rows: list[list[str]], *, bom: bool = True, delimiter: str = ";", encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (BOM if bom else b"") + out.getvalue().encode(encoding)


def fill(data: bytes, layout: Layout, answer: Callable[[int, dict[str, str]], dict[str, str]]) -> bytes:
    """``answer(index, question)`` gives the answer cells (by column key) of each data row."""
    rows = read_rows(data)
    keys = [c.key for c in layout.columns]
    for index, row in enumerate(rows[1:]):
        cells = answer(index, dict(zip(keys, row, strict=True)))
        for key, value in cells.items():
            row[keys.index(key)] = value
    return write_rows(rows)
