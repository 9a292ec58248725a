"""Submitting a message from the organisation's system: JSON form → model → rules → XML → outbox.

Every problem of the form comes back at once (the header checks and each field of the JSON form, one
refusal); the rules run when the form is right. :meth:`Submitter.dry_run` is the dry run: the same
checks and the exact XML, nothing stored.

The organisation may leave out what the gateway knows better: the Referentienummer (a new
UUID), the ConversatieReferentienummer of a question (a new conversation, derived from the
Referentienummer), the Afzender (this gateway) and DatumTijd (now). Idempotency is judged on what
the organisation sent (:func:`submission_sha256`): the same submission again is accepted again, also
when it overlaps the first one and cannot see its DatumTijd yet; other content under that number
is a conflict. A resubmission that sees the stored row reuses its DatumTijd and conversation.

Every message must fit its conversation (gateway.conversatie.tabel): an answer answers an open
question from that counterpart, a SchuldregelingAkkoord follows an Akkoord or a vooraf akkoord, and so
on (:meth:`Submitter._judge_conversatie`, also in the dry run); the conversation changes in the same
transaction that queues the message.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from lxml import etree

from gateway.adresboek import Adresboek, UnknownTegenpartij
from gateway.codec import EncodeError, encode
from gateway.codec.json_form import JsonFormError, from_json, to_json
from gateway.conversatie.tabel import afzender_rol, kan_openen
from gateway.conversatie.uitgaand import Afgekeurd, ConversatieLezer, uitgaande_stap
from gateway.model import values as v
from gateway.model.bericht import Bericht, klantnummer_shv
from gateway.model.berichttype import Berichttype, Rol
from gateway.rules import Finding, check_rules, has_errors
from gateway.store.base import ConversationChanged, EnqueueConflict, conflict_with
from gateway.store.records import ConversatieChange, EnqueueResult, NewOutbound, OutboxRow

JUDGE_ATTEMPTS = 3  # submissions racing in one conversation: judged again on what is there now
#: namespace of the conversations the gateway opens for a question: uuid5(this, Referentienummer)
_CONVERSATION_NAMESPACE = uuid.UUID("5b1c0d3e-8f52-4a39-9b6e-2d7c4e1f0a61")


@dataclass(frozen=True, slots=True)
class Submitted:
    referentienummer: str
    conversatie: str
    berichttype: str
    versie: str
    new: bool  # False: the same message was submitted before
    warnings: list[Finding] = field(default_factory=list)


class Refused(Exception):
    """The submission is refused; ``findings`` lists every reason (code, severity, field, message)."""

    def __init__(self, findings: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{f['field']}: {f['message']}" for f in findings))
        self.findings = findings


class Conflict(Exception):
    """A Referentienummer that was used before for other content."""


def _finding(code: str, field: str, message: str) -> dict[str, str]:
    return {"code": code, "severity": "error", "field": field, "message": message}


@dataclass(frozen=True, slots=True)
class DryRun:
    """The dry run's answer: what :meth:`Submitter.submit` would do with the message, nothing stored.

    ``document`` is the exact XML it would enqueue (and the dispatcher sign and send); ``bericht`` the JSON
    form with the header as filled in: submitting it gives that document again."""

    submitted: Submitted
    document: bytes
    bericht: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A submission that passed every check, encoded; not stored yet."""

    outbound: NewOutbound
    versie: str
    warnings: list[Finding]
    existing: OutboxRow | None  # the outbox row under its Referentienummer, if it was submitted before
    bericht: dict[str, Any]  # the JSON form, header filled in

    def submitted(self, *, new: bool) -> Submitted:
        u = self.outbound
        return Submitted(u.referentienummer, u.conversatie, u.berichttype, self.versie, new, self.warnings)


T = TypeVar("T")


def _collected(errors: list[dict[str, str]], step: Callable[..., T], *args: Any) -> T | None:
    """The step's result; a refusal is added to ``errors`` (None then), so the next steps still run."""
    try:
        return step(*args)
    except Refused as exc:
        errors.extend(exc.findings)
        return None


def _form(errors: list[dict[str, str]], filled: dict[str, Any]) -> Bericht | None:
    """The model object of the JSON form; every problem of the form is added to ``errors``."""
    try:
        return from_json(filled)
    except JsonFormError as exc:
        errors.extend(_finding("invalid-json-form", path, reason) for path, reason in exc.errors)
    except ValueError as exc:  # a model invariant
        field_name = getattr(exc, "field", None) or "/"
        errors.append(_finding("invalid-value", str(field_name), getattr(exc, "reason", str(exc))))
    return None


def _one_per_field(errors: list[dict[str, str]]) -> list[dict[str, str]]:
    """One finding per field: the header checks speak first (a missing Ontvanger is ``missing``, not
    also the form's "is required")."""
    seen: set[str] = set()
    result = []
    for error in errors:
        if error["field"] not in seen:
            seen.add(error["field"])
            result.append(error)
    return result


class Submitter:
    def __init__(
        self,
        *,
        eigen_adres: str,
        rol: Rol,
        adresboek: Adresboek,
        enqueue: Callable[[NewOutbound], Awaitable[EnqueueResult]],
        existing: Callable[[str], Awaitable[OutboxRow | None]],
        conversations: ConversatieLezer,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._eigen_adres = eigen_adres
        self._rol = rol
        self._adresboek = adresboek
        self._enqueue = enqueue
        self._existing = existing
        self._conversations = conversations
        self._clock = clock

    async def submit(self, body: Any) -> Submitted:
        prepared = await self._prepare(body)
        existing = prepared.existing
        for _attempt in range(JUDGE_ATTEMPTS):
            change = await self._judge_conversatie(prepared, existing)
            try:
                result = await self._enqueue(replace(prepared.outbound, conversatie_change=change))
            except EnqueueConflict as exc:
                raise Conflict(str(exc)) from None
            except ConversationChanged:  # another message of the conversation was queued or received
                existing = await self._existing(prepared.outbound.referentienummer)  # (this one?)
                continue
            return prepared.submitted(new=result.created)
        raise Conflict(
            f"conversation {prepared.outbound.conversatie} kept changing while this message was "
            "submitted; submit it again"
        )

    async def dry_run(self, body: Any) -> DryRun:
        """The dry run: every check of :meth:`submit` and the exact document it would enqueue; nothing is
        stored. Refusals are the same (:class:`Refused`, :class:`Conflict`)."""
        prepared = await self._prepare(body)
        existing, outbound = prepared.existing, prepared.outbound
        conflict = conflict_with(existing, outbound) if existing is not None else None
        if conflict is not None:
            raise Conflict(str(conflict))
        await self._judge_conversatie(prepared, existing)  # judged, nothing written
        return DryRun(
            submitted=prepared.submitted(new=existing is None),
            document=outbound.document,
            bericht=prepared.bericht,
        )

    async def _prepare(self, body: Any) -> Prepared:
        """The submission checked and encoded, the header filled in: every form error in one refusal."""
        if not isinstance(body, dict):
            raise Refused([_finding("not-an-object", "/", "a message must be a JSON object")])
        errors: list[dict[str, str]] = []
        berichttype = _collected(errors, self._berichttype, body)
        header = body.get("berichtheader")
        if header is None:
            header = {}
        if not isinstance(header, dict):
            errors.append(_finding("invalid-json-form", "/berichtheader", "must be a JSON object"))
            raise Refused(errors)
        ontvanger = _collected(errors, self._ontvanger, header)
        given = header.get("referentienummer")
        referentienummer = str(given or uuid.uuid4())
        # a fresh UUID cannot have been submitted before: skip the store read (one round trip less)
        existing = await self._existing(referentienummer) if given else None
        filled = dict(body)  # only the header is replaced; nothing below it is changed (from_json reads)
        filled["berichtheader"] = {
            **header,
            "referentienummer": referentienummer,
            "conversatie_referentienummer": (
                _collected(errors, self._conversatie, header, berichttype, existing, referentienummer)
                if berichttype is not None
                else header.get("conversatie_referentienummer")
            ),
            "afzender": _collected(errors, self._afzender, header) or header.get("afzender"),
            "datum_tijd": header.get("datum_tijd") or self._datum_tijd(existing),
        }
        bericht = _form(errors, filled)
        if errors or bericht is None or berichttype is None or ontvanger is None:
            raise Refused(_one_per_field(errors))
        findings = check_rules(bericht)
        if has_errors(findings):
            raise Refused([f.to_dict() for f in findings])
        partij = self._adresboek.get(ontvanger)
        try:
            document = encode(bericht, partij.versie, partij.nul_aanbod_codering)
        except EncodeError as exc:
            raise Refused(
                [_finding("not-encodable", f"/{(exc.field or '').replace('.', '/')}", str(exc))]
            ) from None
        conversatie = filled["berichtheader"]["conversatie_referentienummer"]
        return Prepared(
            NewOutbound(
                referentienummer,
                berichttype.value,
                ontvanger,
                conversatie,
                document,
                submission_sha256(body),
                klantnummer_shv=klantnummer_shv(bericht),
            ),
            partij.versie,
            findings,
            existing,
            to_json(bericht),
        )

    # -- the outbound answer check --------------------------------------------------------------
    async def _judge_conversatie(
        self, prepared: Prepared, existing: OutboxRow | None
    ) -> ConversatieChange | None:
        """What the message does to its conversation (gateway.conversatie.uitgaand); :class:`Refused`
        when it does not fit. A resubmission was judged the first time (the enqueue decides whether it
        is the same message)."""
        if existing is not None:
            return None
        outbound = prepared.outbound
        try:
            return await uitgaande_stap(
                self._conversations,
                berichttype=Berichttype(outbound.berichttype),
                referentienummer=outbound.referentienummer,
                conversatie=outbound.conversatie,
                ontvanger=outbound.ontvanger,
                body=prepared.bericht,
                rol=self._rol,
                nu=self._clock(),
            )
        except Afgekeurd as exc:
            raise Refused([_finding(exc.code, exc.field, exc.message)]) from None

    # -- the header fields the organisation may leave out --------------------------------------
    def _berichttype(self, body: dict[str, Any]) -> Berichttype:
        try:
            berichttype = Berichttype(body.get("berichttype"))
        except ValueError:
            allowed = ", ".join(b.value for b in Berichttype)
            raise Refused(
                [_finding("unknown-berichttype", "/berichttype", f"must be one of {allowed}")]
            ) from None
        sender = afzender_rol(berichttype)
        if sender is not None and sender is not self._rol:
            raise Refused(
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
            raise Refused(
                [
                    _finding(
                        "missing",
                        "/berichtheader/ontvanger",
                        "is required: the counterpart's address-book UUID (GET /api/adresboek lists them)",
                    )
                ]
            )
        try:
            partij = self._adresboek.get(str(ontvanger))
        except UnknownTegenpartij:
            raise Refused(
                [
                    _finding(
                        "unknown-counterpart",
                        "/berichtheader/ontvanger",
                        "not in this gateway's address book",
                    )
                ]
            ) from None
        if partij.rol is self._rol:
            raise Refused(
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
            raise Refused(
                [_finding("wrong-sender", "/berichtheader/afzender", "must be this gateway's address")]
            )
        return afzender

    @staticmethod
    def _conversatie(
        header: dict[str, Any], berichttype: Berichttype, existing: OutboxRow | None, referentienummer: str
    ) -> str:
        """The caller's, the stored row's, or (a new question) one derived from the Referentienummer:
        a retry that overlaps its original, and cannot see the stored row yet, gets the same one."""
        given = header.get("conversatie_referentienummer")
        if given:
            return str(given)
        if existing is not None:
            return existing.conversatie
        if names_its_conversation(berichttype):
            raise Refused(
                [
                    _finding(
                        "missing",
                        "/berichtheader/conversatie_referentienummer",
                        f"is required: a {berichttype.value} continues a conversation and names it",
                    )
                ]
            )
        return conversatie_of_new_question(referentienummer)

    def _datum_tijd(self, existing: OutboxRow | None) -> str:
        if existing is not None and existing.document:
            stored = _header_datum_tijd(existing.document)
            if stored:
                return stored
        return v.datum_tijd(self._clock().astimezone(UTC).replace(microsecond=0))


def names_its_conversation(berichttype: Berichttype) -> bool:
    """An answer or a Foutbericht continues a conversation (the conversation table): its header must
    name it. Only a question may leave it out."""
    return not kan_openen(berichttype) or berichttype is Berichttype.FOUTBERICHT


def conversatie_of_new_question(referentienummer: str) -> str:
    """The conversation a new question opens when the caller names none: derived from its
    Referentienummer, so a retry of the same submission gets the same one (API and skgw convert)."""
    return str(uuid.uuid5(_CONVERSATION_NAMESPACE, referentienummer))


def submission_sha256(body: Any) -> str:
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
