"""Registering the open conversations a previous system started (an organisation moving to this gateway).

Each conversation is given as its messages so far, oldest first; they are replayed through the
same table (:func:`gateway.conversatie.machine.stap`) as live messages, so an impossible order is
refused the same way, and the conversation then stands where the previous system left it: what is
awaited and by when (the term counts from each question's ``datum_tijd``). The input (JSON)::

    {"conversaties": [
      {"conversatie": "8c0d…", "tegenpartij": "7dbe…",
       "berichten": [
         {"berichttype": "Saldoverzoek", "datum_tijd": "2025-10-01T09:00:00Z", "referentienummer": "…"},
         {"berichttype": "SaldoverzoekAntwoordVoorafAkkoord", "datum_tijd": "2025-10-06T14:12:00Z"},
         {"berichttype": "Betaalvoorstel", "datum_tijd": "2025-10-20T10:00:00Z"}]}]}

``berichttype`` by its 2.0 or 1.1 name; who sent it follows from the type (our role's types are
ours); a BetaalvoorstelAntwoord needs ``"antwoord": "Akkoord"`` or ``"NietAkkoord"``; the
Referentienummer is optional. A Foutbericht carries no state and is not imported.

Nothing is written unless the whole input is right (every mistake is listed). A conversation this
gateway already holds is left alone: unchanged when it is the same import (importing a file twice
is harmless), a mistake otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from gateway.adresboek import Adresboek, UnknownTegenpartij
from gateway.conversatie.machine import BRON_IMPORT, Gebeurtenis, Weigering, stap
from gateway.conversatie.tabel import afzender_rol
from gateway.conversatie.uitleg import berichttype_uit_naam
from gateway.model.berichttype import Berichttype, Rol
from gateway.store.base import ConversationChanged
from gateway.store.records import Conversatie, ConversatieChange

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_CONVERSATIES = 10_000
MAX_BERICHTEN = 100


class ImportStore(Protocol):
    async def get_conversation(self, conversatie: str) -> Conversatie | None: ...

    async def write_conversation(self, w: ConversatieChange) -> None: ...


@dataclass
class ImportResult:
    imported: list[str] = field(default_factory=list)  # written now
    already_known: list[str] = field(default_factory=list)  # the same import was done before: unchanged
    findings: list[dict[str, str]] = field(default_factory=list)  # code, field (a JSON pointer), message

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {"imported": self.imported, "already_known": self.already_known, "findings": self.findings}


class _Fout(Exception):
    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.finding = {"code": code, "severity": "error", "field": field, "message": message}


async def importeer(
    store: ImportStore, body: Any, *, adresboek: Adresboek, rol: Rol, dry_run: bool = False
) -> ImportResult:
    """Check every conversation of ``body``; when all are right (and not ``dry_run``), write them."""
    result = ImportResult()
    items = body.get("conversaties") if isinstance(body, dict) else body
    if not isinstance(items, list) or not items or len(items) > MAX_CONVERSATIES:
        result.findings.append(
            _Fout(
                "invalid-import", "/conversaties", f"expected a list of 1 to {MAX_CONVERSATIES} conversations"
            ).finding
        )
        return result
    nieuw: list[Conversatie] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"/conversaties/{index}"
        try:
            stand = _conversatie(item, where, adresboek, rol)
            if stand.conversatie in seen:
                raise _Fout("duplicate-conversation", f"{where}/conversatie", "named twice in this import")
            seen.add(stand.conversatie)
            bestaand = await store.get_conversation(stand.conversatie)
        except _Fout as exc:
            result.findings.append(exc.finding)
            continue
        if bestaand is None:
            nieuw.append(stand)
        elif _zelfde(bestaand, stand):
            result.already_known.append(stand.conversatie)
        else:
            result.findings.append(
                _Fout(
                    "conversation-exists",
                    f"{where}/conversatie",
                    "this gateway already holds this conversation (not from this same import)",
                ).finding
            )
    if result.findings or dry_run:
        return result
    for stand in nieuw:
        try:
            await store.write_conversation(ConversatieChange(stand, 0))
        except ConversationChanged:  # opened by a live message since it was checked
            result.findings.append(
                _Fout("conversation-exists", stand.conversatie, "opened meanwhile; not imported").finding
            )
            continue
        result.imported.append(stand.conversatie)
    return result


def _conversatie(item: Any, where: str, adresboek: Adresboek, rol: Rol) -> Conversatie:
    if not isinstance(item, dict):
        raise _Fout("invalid-import", where, "expected an object with conversatie, tegenpartij and berichten")
    conversatie = _uuid(item.get("conversatie"), f"{where}/conversatie")
    tegenpartij = _uuid(item.get("tegenpartij"), f"{where}/tegenpartij")
    try:
        partij = adresboek.get(tegenpartij)
    except UnknownTegenpartij:
        raise _Fout(
            "unknown-counterpart", f"{where}/tegenpartij", "not in this gateway's address book"
        ) from None
    if partij.rol is rol:
        raise _Fout("wrong-role", f"{where}/tegenpartij", f"the counterpart is an {rol.value} too")
    berichten = item.get("berichten")
    if not isinstance(berichten, list) or not berichten or len(berichten) > MAX_BERICHTEN:
        raise _Fout(
            "invalid-import", f"{where}/berichten", f"expected 1 to {MAX_BERICHTEN} messages, oldest first"
        )
    stand: Conversatie | None = None
    stappen: list[dict[str, str]] = []
    vorige: datetime | None = None
    for n, bericht in enumerate(berichten):
        at = f"{where}/berichten/{n}"
        g, stap_json = _gebeurtenis(bericht, at, conversatie, tegenpartij, rol)
        if vorige is not None and g.at < vorige:
            raise _Fout("invalid-import", f"{at}/datum_tijd", "the messages must be given oldest first")
        vorige = g.at
        try:
            stand = stap(stand, g, eigen_rol=rol, bron=BRON_IMPORT).na
        except Weigering as w:
            raise _Fout(w.code, f"{at}/berichttype", w.message) from None
        stappen.append(stap_json)
    if stand is None:
        raise _Fout(
            "invalid-import", f"{where}/berichten", "only notices: there is no conversation to import"
        )
    return replace(stand, geimporteerd=tuple(stappen))


def _gebeurtenis(
    bericht: Any, at: str, conversatie: str, tegenpartij: str, rol: Rol
) -> tuple[Gebeurtenis, dict[str, str]]:
    if not isinstance(bericht, dict):
        raise _Fout("invalid-import", at, "expected an object with berichttype and datum_tijd")
    try:
        bt = berichttype_uit_naam(str(bericht.get("berichttype")))
    except ValueError as exc:
        raise _Fout("unknown-berichttype", f"{at}/berichttype", str(exc)) from None
    van = afzender_rol(bt)
    if van is None:
        raise _Fout("invalid-import", f"{at}/berichttype", f"a {bt.value} carries no conversation state")
    moment = _moment(bericht.get("datum_tijd"), f"{at}/datum_tijd")
    ref = bericht.get("referentienummer")
    ref = _uuid(ref, f"{at}/referentienummer") if ref is not None else ""
    antwoord = bericht.get("antwoord")
    if bt is Berichttype.BETAALVOORSTEL_ANTWOORD and antwoord not in ("Akkoord", "NietAkkoord"):
        raise _Fout(
            "invalid-import", f"{at}/antwoord", "a BetaalvoorstelAntwoord needs Akkoord or NietAkkoord"
        )
    g = Gebeurtenis(bt, ref, conversatie, tegenpartij, van, moment, uitkomst=antwoord if antwoord else None)
    stap_json = {
        "berichttype": bt.value,
        "referentienummer": ref,
        "richting": "uit" if van is rol else "in",
        "datum_tijd": moment.isoformat().replace("+00:00", "Z"),
    }
    if antwoord:
        stap_json["antwoord"] = str(antwoord)
    return g, stap_json


def _uuid(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _UUID.match(value):
        raise _Fout("invalid-import", where, "expected a lowercase UUID")
    return value


def _moment(value: Any, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise _Fout("invalid-import", where, "expected a date-time such as 2025-10-01T09:00:00Z") from None
    if moment.tzinfo is None:
        raise _Fout("invalid-import", where, "give the time zone (Z for UTC)")
    return moment.astimezone(UTC)


def _zelfde(a: Conversatie, b: Conversatie) -> bool:
    return a.bron == BRON_IMPORT and a.tegenpartij == b.tegenpartij and a.geimporteerd == b.geimporteerd
