"""The simulated Schuldenknooppunt's bookkeeping: address book, message boxes, idempotency, expiry.

No HTTP and no XML security here — the HTTP layer hands in what it verified (the caller's OIN
from its TLS client certificate, which the WS-Security signer matched) and gets receipts back or a
:class:`~gateway.soap.faults.SoapFault`. Time comes from an injectable clock so tests and testers
can let messages expire. Every change is written to the :class:`HubStore` before it is answered
(a SQLite file for ``skgw hub``, see :mod:`adapters.hub.simulator_store`); the state is read back
from it at start, so a restarted simulator still has what it accepted.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any, Protocol

from lxml import etree

from adapters.hub.operations import Berichtregel, Ontvangstbewijs, Verzending
from adapters.hub.simulator_config import Partij
from adapters.hub.simulator_store import HubStore, HubStoreError, MemoryHubStore, StoredMessage
from gateway.conversatie.tabel import afzender_rol
from gateway.engine.werkdagen import NL_TZ, add_werkdagen
from gateway.model.berichttype import Berichttype
from gateway.soap.faults import FaultCode, SoapFault
from gateway.xml.catalogue import default_catalogue
from gateway.xml.errors import XmlInputError
from gateway.xml.parsing import parse_xml
from gateway.xml.validate import validate_document, validate_tree

log = logging.getLogger("skgw.hub")
_HAS_SA = etree.XPath("boolean(//*[local-name()='TypeSchuldregeling'][.='SA'])")


@cache
def _berichttype_of_root() -> dict[str, str]:
    """Root element name of each catalogued version -> its version-free Berichttype (1.1: KlantOnbekend …)."""
    return {e.root: e.berichttype for e in default_catalogue().entries}


class SimClock:
    """Real UTC time plus an offset that tests and the admin endpoint can move forward."""

    def __init__(self, base: Callable[[], datetime] | None = None) -> None:
        self._base = base or (lambda: datetime.now(UTC))
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return self._base() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def verloopmoment(start: datetime, werkdagen: int) -> datetime:
    """``start`` moved forward by ``werkdagen`` Dutch working days, at the same Dutch wall-clock time.

    Counted on the calendar of :mod:`gateway.engine.werkdagen` (weekends and Dutch public holidays
    skipped) on the date in the Netherlands, so a message received late in the evening UTC counts
    from the Dutch date it arrived on. The result is in UTC.
    """
    if start.tzinfo is None:
        raise ValueError("verloopmoment needs an aware datetime")
    local = start.astimezone(NL_TZ)
    day = _werkdagen_later(local.date(), werkdagen)
    return datetime.combine(day, local.time(), NL_TZ).astimezone(UTC)


@lru_cache(maxsize=64)
def _werkdagen_later(day: date, werkdagen: int) -> date:
    """add_werkdagen, once per (Dutch date, count): every message of a day expires on the same date."""
    return add_werkdagen(day, werkdagen)


class Validator(Protocol):
    def __call__(
        self, data: bytes
    ) -> Any: ...  # gateway.xml.validate.ValidationReport (.ok, .problems, .entry)


def _report(validator: Validator, data: bytes, tree: etree._ElementTree) -> Any:
    """The validator's report; the catalogue's validator is handed the tree the hub parsed already
    (the same hardened parse with the same limits it would do itself) instead of the bytes again."""
    if validator is validate_document:
        return validate_tree(tree)
    return validator(data)


@dataclass(slots=True)
class Opgeslagen:
    regel: Berichtregel
    digest: str
    verloopt_op: datetime
    status: str = "wacht"  # wacht | bevestigd | verlopen
    volgnummer: int = 0  # arrival order: ties in ontvangen_op are fetched in the order they came in

    def public(self) -> dict[str, Any]:
        r = self.regel
        return {
            "referentienummer": r.referentienummer,
            "berichttype": r.berichttype,
            "afzender": r.afzender,
            "ontvanger": r.ontvanger,
            "ontvangen_op": r.ontvangen_op.isoformat(),
            "verloopt_op": self.verloopt_op.isoformat(),
            "status": self.status,
            "bytes": len(r.document),
        }


class HubState:
    def __init__(
        self,
        partijen: tuple[Partij, ...],
        *,
        clock: SimClock | None = None,
        validator: Validator | None = None,
        expiry_werkdagen: int = 5,
        store: HubStore | None = None,
        check_roles: bool = True,
    ) -> None:
        self.partijen = {p.id: p for p in partijen}
        self._check_roles = check_roles
        self.clock = clock or SimClock()
        self._validator = validator
        self._expiry = expiry_werkdagen
        self.store: HubStore = store or MemoryHubStore()
        self._berichten: dict[str, Opgeslagen] = {}  # every accepted message, for idempotency
        self._bakken: dict[str, dict[str, Opgeslagen]] = {p.id: {} for p in partijen}  # unconfirmed
        self._restore()

    def _restore(self) -> None:
        messages, offset = self.store.load()
        self.clock.offset = max(self.clock.offset, offset)
        orphans = 0
        for m in messages:
            # the OIN the sender authenticated with was its address-book OIN (verstuur checks that)
            afzender = self.partijen.get(m.regel.afzender)
            regel = replace(m.regel, afzender_oin=afzender.oin if afzender else None)
            stored = Opgeslagen(regel, m.digest, m.verloopt_op, m.status, len(self._berichten) + 1)
            self._berichten[m.regel.referentienummer] = stored
            if m.status == "wacht":
                box = self._bakken.get(m.regel.ontvanger)
                if box is None:
                    orphans += 1
                    box = self._bakken.setdefault(m.regel.ontvanger, {})
                box[m.regel.referentienummer] = stored
        if orphans:
            log.warning(
                "%d waiting message(s) are for parties no longer in the address book; they stay waiting",
                orphans,
            )

    @property
    def wachtend(self) -> int:
        """Messages waiting to be fetched and confirmed, over all boxes."""
        return sum(len(box) for box in self._bakken.values())

    @property
    def totaal(self) -> int:
        return len(self._berichten)

    def advance_clock(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        self._save(self.store.set_clock, self.clock.offset)

    # -- VerstuurBericht -------------------------------------------------------------------------
    def verstuur(self, caller_oin: str | None, v: Verzending) -> Ontvangstbewijs:
        afzender = self.partijen.get(v.afzender)
        if afzender is None:
            raise SoapFault.of(
                FaultCode.NIET_GEAUTORISEERD, f"Afzender {v.afzender} is not in the address book"
            )
        if afzender.oin != caller_oin:
            raise SoapFault.of(
                FaultCode.NIET_GEAUTORISEERD,
                f"the client certificate (OIN {caller_oin}) does not belong to Afzender {v.afzender}",
            )
        digest = hashlib.sha256(v.document).hexdigest()
        earlier = self._berichten.get(v.referentienummer)
        if earlier is not None:
            same = earlier.digest == digest and earlier.regel.afzender == v.afzender
            if not same or earlier.regel.ontvanger != v.ontvanger:
                raise SoapFault.of(
                    FaultCode.ONGELDIG_BERICHT,
                    f"Referentienummer {v.referentienummer} was already used for a different message",
                )
            log.info("VerstuurBericht %s: resend, first receipt returned", v.referentienummer)
            return Ontvangstbewijs(v.referentienummer, earlier.regel.ontvangen_op, herhaling=True)
        ontvanger = self.partijen.get(v.ontvanger)
        if ontvanger is None:
            raise SoapFault.of(
                FaultCode.ONBEKENDE_ONTVANGER, f"Ontvanger {v.ontvanger} is not in the address book"
            )
        if self._check_roles:
            self._check_role(afzender, v.berichttype)
        self._check_document(v, ontvanger)
        now = self.clock.now()
        regel = Berichtregel(
            v.referentienummer, v.afzender, v.ontvanger, v.berichttype, now, v.document, afzender.oin
        )
        volgnummer = len(self._berichten) + 1
        stored = Opgeslagen(regel, digest, verloopmoment(now, self._expiry), volgnummer=volgnummer)
        self._save(self.store.accepted, StoredMessage(regel, digest, stored.verloopt_op, stored.status))
        self._berichten[v.referentienummer] = stored
        self._bakken[ontvanger.id][v.referentienummer] = stored
        log.info(
            "VerstuurBericht %s: %s from %s to %s accepted",
            v.referentienummer,
            v.berichttype,
            afzender.naam,
            ontvanger.naam,
        )
        return Ontvangstbewijs(v.referentienummer, now, herhaling=False)

    def _check_role(self, afzender: Partij, berichttype: str) -> None:
        # the metadata may carry the version-free name or a version's root name (1.1: KlantOnbekend …)
        try:
            rol = afzender_rol(Berichttype(_berichttype_of_root().get(berichttype, berichttype)))
        except ValueError:
            return  # a type the model does not know (an added toolkit module): the XSD check decides
        if rol is not None and rol.value != afzender.rol:
            raise SoapFault.of(
                FaultCode.NIET_GEAUTORISEERD,
                f"a {afzender.rol} may not send {berichttype} (sent by {rol.value})",
            )

    def _check_document(self, v: Verzending, ontvanger: Partij) -> None:
        try:
            tree = parse_xml(v.document)
        except XmlInputError as exc:
            raise SoapFault.of(
                FaultCode.ONGELDIG_BERICHT, f"the Document is not acceptable XML: {exc}"
            ) from None
        root = tree.getroot()
        if self._validator is not None:
            report = _report(self._validator, v.document, tree)
            self._check_valid(v, ontvanger, report, etree.QName(root).localname)
        if not ontvanger.kent_sa and _HAS_SA(root):
            raise SoapFault.of(
                FaultCode.ONGELDIG_BERICHT,
                f"Ontvanger {ontvanger.id} does not know TypeSchuldregeling SA; "
                "send the nul-aanbod as a saneringskrediet of 0.00 (SK)",
            )

    @staticmethod
    def _check_valid(v: Verzending, ontvanger: Partij, report: Any, root_name: str) -> None:
        if not report.ok:
            first = "; ".join(str(p) for p in list(report.problems)[:3])
            raise SoapFault.of(FaultCode.ONGELDIG_BERICHT, f"the Document is not valid: {first}")
        entry = getattr(report, "entry", None)
        names = {root_name, getattr(entry, "berichttype", None), getattr(entry, "root", None)}
        if v.berichttype not in names:
            raise SoapFault.of(
                FaultCode.ONGELDIG_BERICHT,
                f"Berichttype {v.berichttype} does not match the Document ({root_name})",
            )
        version = getattr(entry, "versie", None) or getattr(entry, "version", None)
        if version is not None and str(version) not in ontvanger.versies:
            raise SoapFault.of(
                FaultCode.ONGELDIG_BERICHT,
                f"Ontvanger {ontvanger.id} does not support version {version} "
                f"(supports {', '.join(ontvanger.versies)})",
            )

    # -- HaalBerichtenOp / BevestigBericht ---------------------------------------------------------
    def eigen_partijen(self, caller_oin: str | None) -> list[Partij]:
        mine = [p for p in self.partijen.values() if p.oin == caller_oin]
        if not mine:
            raise SoapFault.of(
                FaultCode.NIET_GEAUTORISEERD,
                f"no address-book entry has OIN {caller_oin} (client certificate)",
            )
        return mine

    def haal_op(self, caller_oin: str | None, maximum: int) -> tuple[list[Berichtregel], bool]:
        self.verloop()
        waiting = sorted(
            (s for p in self.eigen_partijen(caller_oin) for s in self._bakken[p.id].values()),
            key=lambda s: (s.regel.ontvangen_op, s.volgnummer),
        )
        return [s.regel for s in waiting[:maximum]], len(waiting) > maximum

    def bevestig(self, caller_oin: str | None, referentienummer: str) -> bool:
        """Confirm; True when it had been confirmed before (idempotent)."""
        mine = {p.id for p in self.eigen_partijen(caller_oin)}
        stored = self._berichten.get(referentienummer)
        if stored is None or stored.regel.ontvanger not in mine:
            raise SoapFault.of(
                FaultCode.ONGELDIG_BERICHT, f"no message {referentienummer} for you at the hub"
            )
        if stored.status == "bevestigd":
            return True
        if stored.status == "verlopen":
            raise SoapFault.of(
                FaultCode.ONGELDIG_BERICHT, f"message {referentienummer} expired unconfirmed and was deleted"
            )
        self._save(self.store.set_status, [referentienummer], "bevestigd")
        stored.status = "bevestigd"
        self._bakken[stored.regel.ontvanger].pop(referentienummer, None)
        log.info("BevestigBericht %s: confirmed", referentienummer)
        return False

    def verloop(self) -> int:
        """Delete unconfirmed messages past their expiry (5 werkdagen); returns how many."""
        now = self.clock.now()
        expired = [(box, r) for box in self._bakken.values() for r, s in box.items() if s.verloopt_op <= now]
        if not expired:
            return 0
        self._save(self.store.set_status, [r for _, r in expired], "verlopen")
        for box, ref in expired:
            box.pop(ref).status = "verlopen"
            log.info("message %s expired unconfirmed and was deleted", ref)
        return len(expired)

    @staticmethod
    def _save(write: Callable[..., None], *args: Any) -> None:
        """Write a change to the store before it is answered; a hub that cannot is unavailable."""
        try:
            write(*args)
        except HubStoreError as exc:
            log.error("%s", exc)
            raise SoapFault.of(
                FaultCode.TIJDELIJK_NIET_BESCHIKBAAR, "the hub cannot record this now; try again later"
            ) from None

    # -- inspection (admin endpoint) ---------------------------------------------------------------
    def bak(self, partij_id: str) -> list[dict[str, Any]]:
        return [s.public() for s in self._bakken.get(partij_id, {}).values()]

    def bericht(self, referentienummer: str) -> Opgeslagen | None:
        return self._berichten.get(referentienummer)

    def overzicht(self) -> dict[str, Any]:
        return {pid: {"naam": p.naam, "waiting": len(self._bakken[pid])} for pid, p in self.partijen.items()}

    def close(self) -> None:
        self.store.close()
