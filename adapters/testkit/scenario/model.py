"""What a scenario is: the parties it plays and its steps, as loaded from TOML.

Each step kind is its own dataclass; the runner dispatches on the class. A step knows where it
was written (``source``: file:line) so every failure can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.security.settings import TlsSettings

ACCEPTED = "accepted"  # delivered or duplicate-accepted


@dataclass(frozen=True, slots=True)
class PartyDef:
    """A party the runner plays: who it is at the hub and the key material it signs with."""

    name: str  # the scenario's handle, e.g. "gemeente"
    naam: str  # the organisation's display name (address book)
    rol: str  # SHV | SE
    oin: str
    id: str  # address-book UUID
    versies: tuple[str, ...] = ("2.0", "1.1")
    kent_sa: bool = True
    tls: TlsSettings | None = None  # None: only usable with --start-hub (generated certificates)
    hub_oin: str | None = None  # the OIN the hub signs with; None: any certificate under ca_bundle
    gateway: str | None = None  # served by a gateway: its API URL, or "local" (started in-process)
    token_env: str | None = None  # with a gateway URL: the variable holding its API token
    adresboek: bool = True  # False: local gateways leave it out of their address books (a stranger)

    @property
    def served_by_gateway(self) -> bool:
        return self.gateway is not None


@dataclass(frozen=True, slots=True)
class Retry:
    attempts: int = 1  # total attempts, at least 1
    delay_seconds: float = 0.1


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # given or "step-N"
    source: str  # file:line
    number: int  # 1-based position in the scenario

    @property
    def kind(self) -> str:
        return KINDS[type(self)]

    def describe(self) -> str:
        return self.kind


@dataclass(frozen=True, slots=True)
class Message:
    """The document a send-like step sends: a fixture file or an inline template."""

    fixture: Path | None
    template: str | None
    conversatie: str = "main"
    set: dict[str, str] = field(default_factory=dict)  # path -> value


@dataclass(frozen=True, slots=True)
class SendStep(Step):
    afzender: str = ""  # party name ("as")
    ontvanger: str = ""  # party name ("to")
    message: Message | None = None  # None when resending
    resend: str | None = None  # name of an earlier send step: send its exact bytes again
    outcome: str = ACCEPTED  # accepted | delivered | duplicate-accepted
    retry: Retry = Retry()

    def describe(self) -> str:
        what = f"resend {self.resend}" if self.resend else "send"
        return f"{what} {self.afzender} → {self.ontvanger}"


@dataclass(frozen=True, slots=True)
class ExpectFaultStep(Step):
    afzender: str = ""
    ontvanger: str = ""
    message: Message | None = None
    code: str = ""  # the fault code expected, e.g. OngeldigBericht
    outcome: str | None = None  # permanent | retryable; None: either

    def describe(self) -> str:
        return f"send {self.afzender} → {self.ontvanger}, expect fault {self.code}"


@dataclass(frozen=True, slots=True)
class ExpectStep(Step):
    berichttype: str = ""
    door: str = ""  # party that fetches ("by")
    van: str | None = None  # expected sender party ("from")
    within_seconds: float = 10.0
    conversatie: str | None = "main"  # None: any conversation
    check: dict[str, str] = field(default_factory=dict)
    confirm: bool = True

    def describe(self) -> str:
        return f"expect {self.berichttype} at {self.door}"


@dataclass(frozen=True, slots=True)
class HubStep(Step):
    faults: dict[str, Any] | None = None  # PUT /admin/faults
    clear_faults: bool = False
    advance_seconds: float = 0.0  # move the hub's clock forward

    def describe(self) -> str:
        parts = []
        if self.clear_faults:
            parts.append("clear faults")
        if self.faults is not None:
            parts.append(f"faults {self.faults}")
        if self.advance_seconds:
            parts.append(f"clock +{self.advance_seconds / 86400:g}d")
        return "hub: " + ", ".join(parts)


@dataclass(frozen=True, slots=True)
class ExpectExpiredStep(Step):
    sent: str = ""  # the send step whose message must have expired
    door: str | None = None  # when set: this party's fetch must no longer hold it

    def describe(self) -> str:
        return f"expect {self.sent} expired"


@dataclass(frozen=True, slots=True)
class WaitStep(Step):
    seconds: float = 0.0

    def describe(self) -> str:
        return f"wait {self.seconds:g}s"


@dataclass(frozen=True, slots=True)
class ExpectFindingStep(Step):
    """Submit through a gateway's API (as its organisation would) and expect a rule finding: a 422
    naming the code (severity error), or a 202 with a warning of that code."""

    via: str = ""  # the party whose gateway the message is submitted to
    ontvanger: str = ""  # the counterpart ("to")
    message: Message | None = None
    code: str = ""
    severity: str = "error"  # error | warning

    def describe(self) -> str:
        return f"submit via {self.via}'s gateway → {self.ontvanger}, expect {self.severity} {self.code}"


@dataclass(frozen=True, slots=True)
class ExpectFoutberichtStep(Step):
    """Send a message the hub accepts but the receiving party's gateway must refuse; expect the
    Foutbericht back at the sender, naming the problem by its code."""

    afzender: str = ""
    ontvanger: str = ""  # a party served by a gateway
    message: Message | None = None
    code: str = ""  # a Fout/Code the Foutbericht must hold, e.g. wrong-recipient
    within_seconds: float = 10.0

    def describe(self) -> str:
        return f"send {self.afzender} → {self.ontvanger}, expect Foutbericht {self.code}"


KINDS: dict[type, str] = {
    SendStep: "send",
    ExpectFaultStep: "expect_fault",
    ExpectStep: "expect",
    HubStep: "hub",
    ExpectExpiredStep: "expect_expired",
    WaitStep: "wait",
    ExpectFindingStep: "expect_finding",
    ExpectFoutberichtStep: "expect_foutbericht",
}


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    path: Path
    description: str
    steps: tuple[Step, ...]
    parties: dict[str, PartyDef]  # every party the steps name

    @property
    def gateway_parties(self) -> dict[str, PartyDef]:
        return {n: p for n, p in self.parties.items() if p.served_by_gateway}

    @property
    def changes_faults(self) -> bool:
        return any(isinstance(s, HubStep) and (s.faults is not None or s.clear_faults) for s in self.steps)
