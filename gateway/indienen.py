"""Submitting a message from the organisation's system: JSON form → model → rules → XML → outbox.

The organisation may leave out what the gateway knows better: the Referentienummer (a new
UUID), the ConversatieReferentienummer of a question (a new conversation, derived from the
Referentienummer), the Afzender (this gateway) and DatumTijd (now). Idempotency is judged on what
the organisation sent (:func:`indiening_sha256`): the same submission again is accepted again, also
when it overlaps the first one and cannot see its DatumTijd yet; other content under that number
is a conflict. A resubmission that sees the stored row reuses its DatumTijd and conversation.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from gateway.adresboek import Adresboek, OnbekendeTegenpartij
from gateway.codec import EncodeError, encode
from gateway.codec import Tegenpartij as Codering
from gateway.codec import values as v
from gateway.codec.json_form import JsonFormError, from_json
from gateway.model.berichttype import Berichttype, Rol
from gateway.rules import Finding, check_rules, has_errors
from gateway.store.base import EnqueueConflict
from gateway.store.records import EnqueueResult, NieuwUitgaand, OutboxRow

_ANSWERS = frozenset(a for b in Berichttype for a in b.verwachte_antwoorden)
#: namespace of the conversations the gateway opens for a question: uuid5(this, Referentienummer)
_CONVERSATIES = uuid.UUID("5b1c0d3e-8f52-4a39-9b6e-2d7c4e1f0a61")


@dataclass(frozen=True, slots=True)
class Ingediend:
    referentienummer: str
    conversatie: str
    berichttype: str
    versie: str
    nieuw: bool  # False: the same message was submitted before
    warnings: list[Finding] = field(default_factory=list)


class Afgewezen(Exception):
    """The submission is refused; ``findings`` lists every reason (code, severity, field, message)."""

    def __init__(self, findings: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{f['field']}: {f['message']}" for f in findings))
        self.findings = findings


class Conflict(Exception):
    """A Referentienummer that was used before for other content."""


def _finding(code: str, field: str, message: str) -> dict[str, str]:
    return {"code": code, "severity": "error", "field": field, "message": message}


class Indiener:
    def __init__(
        self,
        *,
        eigen_adres: str,
        rol: Rol,
        adresboek: Adresboek,
        enqueue: Callable[[NieuwUitgaand], Awaitable[EnqueueResult]],
        bestaand: Callable[[str], Awaitable[OutboxRow | None]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._eigen_adres = eigen_adres
        self._rol = rol
        self._adresboek = adresboek
        self._enqueue = enqueue
        self._bestaand = bestaand
        self._clock = clock

    async def dien_in(self, body: Any) -> Ingediend:
        if not isinstance(body, dict):
            raise Afgewezen([_finding("not-an-object", "/", "a message must be a JSON object")])
        berichttype = self._berichttype(body)
        header = body.get("berichtheader")
        if header is None:
            header = {}
        if not isinstance(header, dict):
            raise Afgewezen([_finding("invalid-json-form", "/berichtheader", "must be a JSON object")])
        ontvanger = self._ontvanger(header)
        given = header.get("referentienummer")
        referentienummer = str(given or uuid.uuid4())
        # a fresh UUID cannot have been submitted before: skip the store read (one round trip less)
        bestaand = await self._bestaand(referentienummer) if given else None
        filled = dict(body)  # only the header is replaced; nothing below it is changed (from_json reads)
        filled["berichtheader"] = {
            **header,
            "referentienummer": referentienummer,
            "conversatie_referentienummer": self._conversatie(
                header, berichttype, bestaand, referentienummer
            ),
            "afzender": self._afzender(header),
            "datum_tijd": header.get("datum_tijd") or self._datum_tijd(bestaand),
        }
        try:
            bericht = from_json(filled)
        except JsonFormError as exc:
            raise Afgewezen([_finding("invalid-json-form", exc.path, exc.reason)]) from None
        except ValueError as exc:  # a model invariant
            field_name = getattr(exc, "field", None) or "/"
            raise Afgewezen(
                [_finding("invalid-value", str(field_name), getattr(exc, "reason", str(exc)))]
            ) from None
        findings = check_rules(bericht)
        if has_errors(findings):
            raise Afgewezen([f.to_dict() for f in findings])
        partij = self._adresboek.get(ontvanger)
        try:
            document = encode(bericht, Codering(versie=partij.versie, kent_sa=partij.kent_sa))
        except EncodeError as exc:
            raise Afgewezen(
                [_finding("not-encodable", f"/{(exc.field or '').replace('.', '/')}", str(exc))]
            ) from None
        conversatie = filled["berichtheader"]["conversatie_referentienummer"]
        try:
            result = await self._enqueue(
                NieuwUitgaand(
                    referentienummer,
                    berichttype.value,
                    ontvanger,
                    conversatie,
                    document,
                    indiening_sha256(body),
                )
            )
        except EnqueueConflict as exc:
            raise Conflict(str(exc)) from None
        return Ingediend(
            referentienummer, conversatie, berichttype.value, partij.versie, result.created, findings
        )

    # -- the header fields the organisation may leave out --------------------------------------
    def _berichttype(self, body: dict[str, Any]) -> Berichttype:
        try:
            berichttype = Berichttype(body.get("berichttype"))
        except ValueError:
            allowed = ", ".join(b.value for b in Berichttype)
            raise Afgewezen(
                [_finding("unknown-berichttype", "/berichttype", f"must be one of {allowed}")]
            ) from None
        sender = berichttype.afzender_rol
        if sender is not None and sender is not self._rol:
            raise Afgewezen(
                [
                    _finding(
                        "wrong-role",
                        "/berichttype",
                        f"a {berichttype.value} is sent by an {sender.value}, "
                        f"this gateway is an {self._rol.value}",
                    )
                ]
            )
        return berichttype

    def _ontvanger(self, header: dict[str, Any]) -> str:
        ontvanger = header.get("ontvanger")
        if not ontvanger:
            raise Afgewezen(
                [_finding("missing", "/berichtheader/ontvanger", "the counterpart's address-book UUID")]
            )
        try:
            partij = self._adresboek.get(str(ontvanger))
        except OnbekendeTegenpartij:
            raise Afgewezen(
                [
                    _finding(
                        "unknown-counterpart",
                        "/berichtheader/ontvanger",
                        "not in this gateway's address book",
                    )
                ]
            ) from None
        if partij.rol is self._rol:
            raise Afgewezen(
                [
                    _finding(
                        "wrong-role",
                        "/berichtheader/ontvanger",
                        f"the counterpart is an {partij.rol.value} too",
                    )
                ]
            )
        return partij.id

    def _afzender(self, header: dict[str, Any]) -> str:
        afzender = header.get("afzender") or self._eigen_adres
        if afzender != self._eigen_adres:
            raise Afgewezen(
                [_finding("wrong-sender", "/berichtheader/afzender", "must be this gateway's address")]
            )
        return afzender

    @staticmethod
    def _conversatie(
        header: dict[str, Any], berichttype: Berichttype, bestaand: OutboxRow | None, referentienummer: str
    ) -> str:
        """The caller's, the stored row's, or (a new question) one derived from the Referentienummer:
        a retry that overlaps its original, and cannot see the stored row yet, gets the same one."""
        given = header.get("conversatie_referentienummer")
        if given:
            return str(given)
        if bestaand is not None:
            return bestaand.conversatie
        if berichttype in _ANSWERS or berichttype is Berichttype.FOUTBERICHT:
            raise Afgewezen(
                [
                    _finding(
                        "missing",
                        "/berichtheader/conversatie_referentienummer",
                        "an answer continues the conversation of its question",
                    )
                ]
            )
        return str(uuid.uuid5(_CONVERSATIES, referentienummer))

    def _datum_tijd(self, bestaand: OutboxRow | None) -> str:
        if bestaand is not None and bestaand.document:
            stored = _header_datum_tijd(bestaand.document)
            if stored:
                return stored
        return v.datum_tijd(self._clock().astimezone(UTC).replace(microsecond=0))


def indiening_sha256(body: Any) -> str:
    """What the caller submitted, as the outbox compares it (idempotency): SHA-256 of its canonical
    JSON, so key order and white space do not matter and the gateway's fill-ins are not part of it."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _header_datum_tijd(document: bytes) -> str | None:
    """DatumTijd of a document we encoded ourselves (trusted bytes from our own outbox)."""
    root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = etree.QName(root).namespace
    found = root.find(f"{{{ns}}}Berichtheader/{{{ns}}}DatumTijd")
    return found.text if found is not None else None
