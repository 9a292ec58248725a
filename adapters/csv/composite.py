"""The "Tekst - Samengesteld" cells: several fields in one cell, in a fixed order, separated by
``|``. A ``|`` or ``\\`` inside a field is written as ``\\|`` or ``\\\\``; an empty field is
empty, so every cell of a kind has the same number of separators and reads back unambiguously.
Dates inside are dd-mm-jjjj. An absent part (no partner) is an empty cell.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.csv.cells import CellError

CONTACTPERSOON = ("naam", "telefoonnummer", "emailadres")
PERSOON = ("geslacht", "voorletters", "voornamen", "voorvoegsel", "achternaam", "geboortedatum")
ADRES = (
    "straatnaam",
    "huisnummer",
    "huisletter",
    "huisnummertoevoeging",
    "aanduiding bij huisnummer",
    "postcode",
    "woonplaats",
    "woonbootverwijzing",
    "woonwagenverwijzing",
)


def join(values: Sequence[str | None]) -> str:
    if all(v in (None, "") for v in values):
        return ""
    return "|".join((v or "").replace("\\", "\\\\").replace("|", "\\|") for v in values)


def split(text: str, fields: Sequence[str]) -> dict[str, str]:
    """The fields of a composite cell; raises :class:`CellError` when the count is wrong."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        raise CellError("ends with a lone \\ (write \\\\ for a backslash)")
    parts.append("".join(current))
    if len(parts) != len(fields):
        raise CellError(
            f"expected {len(fields)} fields separated by | ({' | '.join(fields)}), found {len(parts)}"
        )
    return dict(zip(fields, parts, strict=True))
