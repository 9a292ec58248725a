"""What the poller needs from validation, decoding and the Foutbericht codec, and from inbound trust
(written elsewhere: gateway.inbound, gateway.admission).

The engine only knows this Protocol; the daemon wires in the real implementation (XSD validation,
codec decode to the model's JSON form, Foutbericht encoding).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from gateway.engine.findings import merged
from gateway.store.records import ConversatieChange, InboxRow


@dataclass(frozen=True, slots=True)
class Inspection:
    """The result of inspecting one inbound business document."""

    ok: bool
    problems: tuple[Mapping[str, Any], ...] = ()  # each like gateway.xml.errors.Problem.to_dict()
    berichttype: str | None = None  # version-free name
    referentienummer: str | None = None
    conversatie: str | None = None
    afzender: str | None = None
    ontvanger: str | None = None
    json_body: bytes | None = None  # the model's JSON form (only when ok)
    klantnummer_shv: str | None = None  # the client's file number at the SHV (only when ok)
    # findings about a valid message, delivered with it (gateway.engine.findings): {code, severity,
    # field, message} each
    bevindingen: tuple[Mapping[str, str], ...] = ()

    def with_bevindingen(self, *groups: Iterable[Mapping[str, Any]]) -> Inspection:
        """This inspection with more findings attached (from any check; each finding once)."""
        return replace(self, bevindingen=merged(self.bevindingen, *groups))


class InboundProcessing(Protocol):
    def inspect(self, document: bytes) -> Inspection:
        """Parse, validate and decode; never raises for bad input (problems say what is wrong)."""

    def foutbericht(
        self,
        for_document: bytes,
        problems: Sequence[Mapping[str, Any]],
        *,
        referentienummer: str,
        gerefereerd: str,
        ontvanger: str,
        conversatie: str | None,
    ) -> bytes:
        """Encode the Foutbericht answering ``for_document``, carrying ``referentienummer``.

        ``gerefereerd`` (the faulty message's Referentienummer), ``ontvanger`` (its sender) and
        ``conversatie`` come from the hub's metadata, so even a document that does not parse can
        be answered."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """Whether a valid inbound message may reach the organisation's system.

    Refused: ``problems`` (quarantine, Foutbericht). Admitted: ``conversatie`` is written with the
    acceptance (compare-and-set), ``bevindingen`` travel with the message."""

    problems: tuple[Mapping[str, Any], ...] = ()
    conversatie: ConversatieChange | None = None
    bevindingen: tuple[Mapping[str, Any], ...] = ()

    @property
    def admitted(self) -> bool:
        return not self.problems


class InboundTrust(Protocol):
    async def judge(self, row: InboxRow) -> Judgement:
        """Judge a stored, valid message: sender, direction, references and its conversation."""
