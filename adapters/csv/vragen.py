"""The questions a CSV answers: received Saldoverzoeken, Betaalvoorstellen and Heroverwegingen,
read from files (the XML messages, or the JSON form the folder sink writes) or from a running
gateway (through its API, see :mod:`adapters.csv.api_client`).

A :class:`Vraag` keeps what an answer needs: the conversation, who asked (the answer's Ontvanger),
who was asked (the answer's Afzender) and the version the question came in (unknown for the JSON
form, which is version-free).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gateway.codec import DecodeError, decode
from gateway.codec.json_form import JsonFormError, from_json
from gateway.model import Bericht
from gateway.xml.validate import validate_document


class VraagError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Vraag:
    bericht: Bericht
    versie: str | None  # the version the question travelled in; None: read from its JSON form

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


def vraag_from_json(name: str, data: bytes) -> Vraag:
    """A message in its JSON form (as the folder sink writes it, ``format = "json"``)."""
    try:
        return Vraag(from_json(json.loads(data)), None)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise VraagError(f"{name}: not valid JSON: {exc}") from None
    except JsonFormError as exc:
        raise VraagError(f"{name}: not the JSON form of a message: {exc}") from None


def vraag_from_file(name: str, data: bytes) -> Vraag:
    """A message file: XML, or the JSON form (recognised by its first character)."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return vraag_from_json(name, data)
    return vraag_from_xml(name, data)


def vragen_from_files(paths: Iterable[Path]) -> list[Vraag]:
    out = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise VraagError(f"{path}: cannot read: {exc.strerror}") from None
        out.append(vraag_from_file(str(path), data))
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
