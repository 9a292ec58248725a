"""The conversation table in words: version 1.1 names, and the README's table rendered from
:mod:`gateway.conversatie.tabel` (a test keeps the README equal to it)."""

from __future__ import annotations

from functools import lru_cache

from gateway.conversatie.tabel import (
    OUT_OF_ORDER,
    REGELS,
    TERMIJN_WERKDAGEN,
    WACHT,
    WEIGERING,
    Als,
    Fase,
    Regel,
    tegenrol,
)
from gateway.model.berichttype import Berichttype
from gateway.xml.catalogue import default_catalogue


@lru_cache(maxsize=1)
def _namen() -> dict[str, Berichttype]:
    """Every name a type goes by: the version-free name and each version's root element."""
    names = {b.value: b for b in Berichttype}
    for entry in default_catalogue().entries:
        names.setdefault(entry.root, Berichttype(entry.berichttype))
    return names


def berichttype_uit_naam(naam: str) -> Berichttype:
    """A type by any of its names (2.0, 1.1 such as ``KlantOnbekend``); ValueError when unknown."""
    try:
        return _namen()[naam]
    except KeyError:
        raise ValueError(f"{naam!r} is not a message type of module Schuldregeling") from None


def naam_11(bt: Berichttype) -> str | None:
    """The version 1.1 root name when it differs from the 2.0 name."""
    for entry in default_catalogue().entries:
        if entry.versie == "1.1" and entry.berichttype == bt.value and entry.root != bt.value:
            return entry.root
    return None


def _fasen(regel: Regel) -> str:
    if regel.na == frozenset(Fase):
        return "any (also outside a conversation)"
    names = [f"`{f.value}`" for f in Fase if f in regel.na and f is not Fase.NIEUW]
    opens = ["**opens one**"] if Fase.NIEUW in regel.na else []
    return ", ".join(opens + names)


def _daarna(regel: Regel) -> str:
    if regel.wordt is None:
        return "unchanged (a notice)"
    when = {
        Als.VOORAF_AKKOORD: "after a vooraf akkoord: ",
        Als.NIET_AKKOORD: "NietAkkoord: ",
    }.get(regel.als, "")  # type: ignore[arg-type]
    return f"{when}`{regel.wordt.value}`"


def _verwacht(regel: Regel) -> str:
    wacht = WACHT.get(regel.wordt) if regel.wordt else None
    if wacht is None:
        return "–"
    answers = " / ".join(a.value for a in wacht.antwoorden)
    if not wacht.verwacht:
        return f"nothing ({answers} may come)"
    term = f"within {TERMIJN_WERKDAGEN} werkdagen" if wacht.termijn else "no deadline"
    return f"{answers} from the {wacht.van.value}, {term}"


def als_markdown() -> str:
    """The README's conversation table."""
    lines = [
        "| message (1.1 name) | from → to | may follow a conversation that is | phase after | "
        "then awaited | refused with |",
        "|---|---|---|---|---|---|",
    ]
    for regel in REGELS:
        bt = regel.berichttype
        old = naam_11(bt)
        name = f"{bt.value} ({old})" if old else bt.value
        if regel.van is None:
            route = "either"
        else:
            route = f"{regel.van.value} → {tegenrol(regel.van).value}"
        never = any(r.na == frozenset(Fase) for r in REGELS if r.berichttype is bt)
        code = "never" if never else f"`{WEIGERING.get(bt, OUT_OF_ORDER)}`"
        lines.append(
            f"| {name} | {route} | {_fasen(regel)} | {_daarna(regel)} | {_verwacht(regel)} | {code} |"
        )
    return "\n".join(lines)
