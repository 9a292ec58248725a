"""Inbound trust: whether a valid inbound message may reach the organisation's system.

Run by the poller on every valid message before it is accepted (gateway.engine.poller). A message
is refused — quarantined with these codes, answered with a Foutbericht naming them, never handed to
a sink — when:

- ``unknown-sender``: the hub's Afzender is not in the address book;
- ``sender-oin-mismatch``: the hub states the sender's OIN (HaalBerichtenOp ``AfzenderOIN``, from
  the certificate it authenticated) and the address book has another OIN for that Afzender;
- ``wrong-direction``: the message type is not sent by the counterpart's role (an SHV receiving a
  Saldoverzoek), or the address book lists the sender in our own role;
- ``duplicate-referentienummer``: the Referentienummer is one of a message this gateway sent;
- ``unknown-referenced-message``: a Foutbericht about a message we never sent to that sender;
- the conversation table's codes (gateway.conversatie.tabel): ``unknown-conversation``,
  ``no-open-question``, ``wrong-counterpart``, ``no-akkoord``, ``no-regeling``,
  ``no-niet-akkoord``, ``conversation-ended``, ``out-of-order``.

Every problem is listed, not only the first. That the Ontvanger is this gateway, that the
Referentienummer and Afzender agree with what the hub said, and that the document is valid are
checked before (gateway.inbound, the poller); a message under a Referentienummer we already hold
with other content is refused there too.

Migration (``[engine.conversations] deliver_unknown_answers = true``): an answer whose only problem
is ``unknown-conversation`` is delivered with a finding instead, and the conversation is adopted as
if the question had been sent (``bron = aangenomen``), so what follows it is judged as usual.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from gateway.adresboek import Adresboek
from gateway.conversatie.machine import (
    BRON_AANGENOMEN,
    Gebeurtenis,
    Weigering,
    stap,
    uitkomst_uit_json,
)
from gateway.conversatie.tabel import UNKNOWN_CONVERSATION, WRONG_DIRECTION, beantwoordt, tegenrol
from gateway.engine.findings import finding
from gateway.engine.processing import Judgement
from gateway.model.berichttype import Berichttype, Rol
from gateway.store.records import Conversatie, ConversatieChange, InboxRow, OutboxRow
from gateway.xml.parsing import parse_xml

_FIELD = {
    "unknown-sender": "Afzender",
    "sender-oin-mismatch": "Afzender",
    WRONG_DIRECTION: "Berichttype",
    "duplicate-referentienummer": "Referentienummer",
    "unknown-referenced-message": "GerefereerdBericht",
}


class TrustStore(Protocol):
    """What trust reads from the store."""

    async def get_conversation(self, conversatie: str) -> Conversatie | None: ...

    async def get_outbound(self, referentienummer: str) -> OutboxRow | None: ...


class Admission:
    """The gateway's :class:`~gateway.engine.processing.InboundTrust`."""

    def __init__(
        self,
        store: TrustStore,
        adresboek: Adresboek,
        *,
        rol: Rol,
        deliver_unknown_answers: bool = False,
    ) -> None:
        self._store = store
        self._adresboek = adresboek
        self._rol = rol
        self._deliver_unknown = deliver_unknown_answers

    async def judge(self, row: InboxRow) -> Judgement:
        """Whether ``row`` (stored, valid) may reach the organisation's system, and what it does to its
        conversation."""
        problems: list[tuple[str, str]] = []
        van = self._sender_rol(row, problems)
        try:
            bt = Berichttype(row.berichttype)
        except ValueError:
            return self._refused(row, [("unknown-berichttype", f"{row.berichttype} is not a known type")])
        body = _json(row.json_body)
        await self._references(row, bt, body, problems)
        g = Gebeurtenis(
            bt,
            row.referentienummer,
            row.conversatie or "",
            row.afzender,
            van,
            row.hub_received_at or row.received_at,
            uitkomst=uitkomst_uit_json(body),
        )
        huidig = await self._store.get_conversation(g.conversatie) if g.conversatie else None
        try:
            overgang = stap(huidig, g, eigen_rol=self._rol)
        except Weigering as w:
            if w.code == UNKNOWN_CONVERSATION and not problems and self._deliver_unknown:
                return self._adopted(g, w)
            problems.append((w.code, w.message))
            return self._refused(row, problems)
        if problems:
            return self._refused(row, problems)
        return Judgement(conversatie=overgang.wijziging)

    def _sender_rol(self, row: InboxRow, problems: list[tuple[str, str]]) -> Rol:
        """The sender's role (from the address book; unknown: the role we expect), noting problems."""
        if row.afzender not in self._adresboek:
            problems.append(
                ("unknown-sender", f"the Afzender {row.afzender} is not in this gateway's address book")
            )
            return tegenrol(self._rol)
        partij = self._adresboek.get(row.afzender)
        if row.afzender_oin and row.afzender_oin != partij.oin:
            problems.append(
                (
                    "sender-oin-mismatch",
                    f"the hub names OIN {row.afzender_oin} as the sender's; the address book has "
                    f"{partij.oin} for {row.afzender}",
                )
            )
        if partij.rol is self._rol:
            problems.append(
                (
                    WRONG_DIRECTION,
                    f"the sender is an {partij.rol.value} in the address book, like this gateway",
                )
            )
        return partij.rol

    async def _references(
        self, row: InboxRow, bt: Berichttype, body: dict[str, Any], problems: list[tuple[str, str]]
    ) -> None:
        if await self._store.get_outbound(row.referentienummer) is not None:
            problems.append(
                ("duplicate-referentienummer", "this Referentienummer belongs to a message this gateway sent")
            )
        if bt is Berichttype.FOUTBERICHT:
            ref = body.get("gerefereerd_bericht")
            sent = await self._store.get_outbound(ref) if isinstance(ref, str) else None
            if sent is None or sent.ontvanger != row.afzender:
                problems.append(
                    (
                        "unknown-referenced-message",
                        "the GerefereerdBericht is not a message this gateway sent to the sender",
                    )
                )

    def _adopted(self, g: Gebeurtenis, w: Weigering) -> Judgement:
        """An answer to an unknown conversation, admitted in migration mode: the conversation is
        adopted as if its question (the first one this answer answers) had been sent."""
        vraag = beantwoordt(g.berichttype)[0]
        verondersteld = Gebeurtenis(vraag, "", g.conversatie, g.tegenpartij, tegenrol(g.van), g.at)
        geopend = stap(None, verondersteld, eigen_rol=self._rol, bron=BRON_AANGENOMEN).na
        stand = stap(geopend, g, eigen_rol=self._rol).na
        adopted = finding(
            UNKNOWN_CONVERSATION,
            "warning",
            "/berichtheader/conversatie_referentienummer",
            f"{w.message}; delivered because [engine.conversations] deliver_unknown_answers is on, and "
            f"the conversation is taken on as if its {vraag.value} was sent",
        )
        return Judgement(
            conversatie=ConversatieChange(stand, 0) if stand is not None else None,
            bevindingen=(adopted,),
        )

    def _refused(self, row: InboxRow, problems: list[tuple[str, str]]) -> Judgement:
        root = _root_of(row.document) if row.document else None
        seen: set[str] = set()
        out = []
        for code, message in problems:
            if code in seen:
                continue
            seen.add(code)
            field = _FIELD.get(code, "ConversatieReferentienummer")
            where = "" if field == "GerefereerdBericht" else "Berichtheader/"
            problem = {"code": code, "message": message}
            if root:
                problem["path"] = f"/{root}/{where}{field}"
            out.append(problem)
        return Judgement(problems=tuple(out))


def _json(body: bytes | None) -> dict[str, Any]:
    if not body:
        return {}
    value = json.loads(body)
    return value if isinstance(value, dict) else {}


def _root_of(document: bytes) -> str | None:
    """The root element's name of a document that already passed validation."""
    return str(parse_xml(document).getroot().tag).rsplit("}", 1)[-1]
