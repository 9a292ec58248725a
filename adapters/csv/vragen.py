"""The questions a CSV answers: received Saldoverzoeken, Betaalvoorstellen and Heroverwegingen,
read from XML files or from a running gateway (through its API, see :mod:`adapters.csv.api_client`).

A :class:`Vraag` keeps what an answer needs: the conversation, who asked (the answer's Ontvanger),
who was asked (the answer's Afzender) and the version the question came in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gateway.codec import DecodeError, decode
from gateway.model import Bericht
from gateway.xml.validate import validate_document


class VraagError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Vraag:
    bericht: Bericht
    versie: str  # the version the question travelled in

    @property
    def conversatie(self) -> str:
        return self.bericht.berichtheader.conversatie_referentienummer

    @property
    def referentienummer(self) -> str:
        return self.bericht.berichtheader.referentienummer

    @property
    def shv(self) -> str:
        return self.bericht.berichtheader.afzender

    @property
    def se(self) -> str:
        return self.bericht.berichtheader.ontvanger


def vraag_from_xml(name: str, data: bytes) -> Vraag:
    report = validate_document(data)
    if not report.ok or report.entry is None:
        problem = report.problems[0] if report.problems else "not a message"
        raise VraagError(f"{name}: not a valid message: {problem}")
    try:
        return Vraag(decode(data), report.entry.versie)
    except DecodeError as exc:
        raise VraagError(f"{name}: {exc}") from None


def vragen_from_files(paths: Iterable[Path]) -> list[Vraag]:
    out = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise VraagError(f"{path}: cannot read: {exc.strerror}") from None
        out.append(vraag_from_xml(str(path), data))
    return out


def by_conversation(vragen: Iterable[Vraag]) -> dict[str, Vraag]:
    """The latest question per conversation (a Heroverweging replaces the Betaalvoorstel before it)."""
    found: dict[str, Vraag] = {}
    for vraag in vragen:
        earlier = found.get(vraag.conversatie)
        if (
            earlier is None
            or earlier.bericht.berichtheader.datum_tijd <= vraag.bericht.berichtheader.datum_tijd
        ):
            found[vraag.conversatie] = vraag
    return found
