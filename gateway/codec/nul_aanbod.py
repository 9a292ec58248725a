"""The nul-aanbod on the wire: the one place that decides how it travels and how it is read back.

A nul-aanbod (NVVK Gedragscode per 1 juli 2024, §1.2 "Het doen van een 0-aanbod") is model type SA:
an offer of € 0.00 against final discharge, made only when the repayment capacity is 0. Version 2.0 of
the standard has its own code for it (TypeSchuldregeling ``SA``); version 1.1 does not, and neither does
a 2.0 counterpart whose system has not been adapted yet. For those the Gedragscode itself names the
interim form (§3, "Inzake schuldregelingen", question 4: "Als tijdelijke workaround is het nu al
mogelijk om in het Schuldenknooppunt een saneringskrediet van € 0,00 aan te bieden").

Which encoding goes to which counterpart (:func:`codering`, one :class:`NulAanbodCodering`):

============================  ==============================================================
counterpart                   a nul-aanbod travels as
============================  ==============================================================
2.0 that knows SA             ``SA`` with the Begeleiding element
2.0 without SA, and any 1.1   ``SK`` with every PrognoseEindbedrag 0.00 at 0 %, capacity 0.00,
                              the Begeleiding in a labelled Toelichting under a fixed heading
============================  ==============================================================

How one reads back (:func:`inbound`): ``SA`` is the nul-aanbod (codering ``sa``). An ``SK`` offering 0.00
at 0 % on every claim is the workaround (codering ``sk-workaround``) when nothing contradicts it; on a
proposal the AfloscapaciteitPerMaand decides: 0.00 is the workaround, anything above 0 is a real
saneringskrediet whose shares round to 0.00 (§1.8: "op dit moment is er geen ondergrens"), read as ``SK``
(the rule ``saneringskrediet-zonder-bedrag`` reports it). The same line holds outbound
(:func:`outbound`): such an SK is written as it is, while an all-0.00 SK at capacity 0 is refused (it
would be read back as the nul-aanbod). A Schuldregeling akkoord carries no capacity, so there an
all-0.00 SK is always the workaround, and an SK akkoord offering nothing cannot be sent.

The workaround's Toelichting: a heading that tells a human reader this is a nul-aanbod with financial
guidance and not a credit, then the three Begeleiding parts and the original Toelichting, each after a
labelled line, so :func:`parse_toelichting` recovers them exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from gateway.codec.errors import EncodeError
from gateway.codec.profile import VersionProfile, profile_for
from gateway.model.enums import NulAanbodCodering, TypeSchuldregeling
from gateway.model.voorstel import Begeleiding

KOP = (
    "NUL-AANBOD met financiële begeleiding (NVVK Gedragscode per 1 juli 2024): schuldregeling zonder "
    "afloscapaciteit, verzonden als saneringskrediet van EUR 0,00. Er wordt geen krediet verstrekt."
)
LABEL_BEGELEIDING = "\n[Financiële begeleiding] "
LABEL_INKOMEN = "\n[Inkomensperspectief komende 18 maanden] "
LABEL_DOELEN = "\n[Afgesproken doelen] "
LABEL_TOELICHTING = "\n[Toelichting] "
_LABELS = (LABEL_BEGELEIDING, LABEL_INKOMEN, LABEL_DOELEN, LABEL_TOELICHTING)
MAX_TOELICHTING = 4000
_ZERO = Decimal(0)


def codering(versie: str, kent_sa: bool) -> NulAanbodCodering:
    """How a nul-aanbod goes to a counterpart that speaks ``versie`` and (says it) knows SA or not."""
    if kent_sa and profile_for(versie).kent_sa:
        return NulAanbodCodering.SA
    return NulAanbodCodering.SK_WORKAROUND


@dataclass(frozen=True, slots=True)
class WireVoorstel:
    """What the mapper writes for the type, the Begeleiding element and the Toelichting."""

    type_schuldregeling: TypeSchuldregeling
    begeleiding: Begeleiding | None
    toelichting: str | None


def render_toelichting(begeleiding: Begeleiding | None, toelichting: str | None) -> str:
    parts = [KOP]
    if begeleiding is not None:
        parts += [
            LABEL_BEGELEIDING + begeleiding.financiele_begeleiding,
            LABEL_INKOMEN + begeleiding.inkomensperspectief_komende_18_maanden,
            LABEL_DOELEN + begeleiding.afgesproken_doelen,
        ]
    if toelichting is not None:
        parts.append(LABEL_TOELICHTING + toelichting)
    return "".join(parts)


def parse_toelichting(text: str | None) -> tuple[Begeleiding | None, str | None]:
    """The Begeleiding and Toelichting written by :func:`render_toelichting`; other text stays Toelichting."""
    if text is None or not text.startswith(KOP):
        return None, text
    rest = text[len(KOP) :]
    begeleiding = None
    if rest.startswith(LABEL_BEGELEIDING):
        after_b = rest.find(LABEL_INKOMEN)
        after_i = rest.find(LABEL_DOELEN, after_b + 1)
        if after_b < 0 or after_i < 0:
            return None, text
        end = rest.find(LABEL_TOELICHTING, after_i + 1)
        end = len(rest) if end < 0 else end
        try:
            begeleiding = Begeleiding(
                financiele_begeleiding=rest[len(LABEL_BEGELEIDING) : after_b],
                inkomensperspectief_komende_18_maanden=rest[after_b + len(LABEL_INKOMEN) : after_i],
                afgesproken_doelen=rest[after_i + len(LABEL_DOELEN) : end],
            )
        except ValueError:
            return None, text
        rest = rest[end:]
    if not rest:
        return begeleiding, None
    if rest.startswith(LABEL_TOELICHTING) and len(rest) > len(LABEL_TOELICHTING):
        return begeleiding, rest[len(LABEL_TOELICHTING) :]
    return None, text  # not our layout after all: keep the whole text


def outbound(
    type_schuldregeling: TypeSchuldregeling,
    begeleiding: Begeleiding | None,
    toelichting: str | None,
    bedragen: Iterable[tuple[Decimal, Decimal]],
    capaciteit: Decimal | None,
    profile: VersionProfile,
    nul_aanbod_codering: NulAanbodCodering,
    field: str,
) -> WireVoorstel:
    """The wire form of a proposal or akkoord for this counterpart.

    ``bedragen``: (percentage, prognose) per claim; ``capaciteit``: the AfloscapaciteitPerMaand of a
    proposal, None for an akkoord (it has none)."""
    if type_schuldregeling is TypeSchuldregeling.SA:
        if nul_aanbod_codering is NulAanbodCodering.SA:
            _check_type(TypeSchuldregeling.SA, profile, field)
            return WireVoorstel(TypeSchuldregeling.SA, begeleiding, toelichting)
        return _workaround(begeleiding, toelichting, bedragen, capaciteit, field)
    _check_type(type_schuldregeling, profile, field)
    if type_schuldregeling is TypeSchuldregeling.SK and is_workaround(bedragen, capaciteit):
        raise EncodeError(
            "an SK offering 0.00 at 0 % on every claim"
            + (" at a repayment capacity of 0.00" if capaciteit is not None else "")
            + " is the wire form of a nul-aanbod and would be read back as one: make it a nul-aanbod "
            "(type SA)",
            field=_at(field, "type_schuldregeling"),
        )
    if begeleiding is not None and not profile.begeleiding:
        raise EncodeError(
            f"version {profile.versie} has no Begeleiding element (only a nul-aanbod carries it "
            "in the Toelichting)",
            field=_at(field, "begeleiding"),
        )
    return WireVoorstel(type_schuldregeling, begeleiding, toelichting)


def _at(field: str, name: str) -> str:
    return f"{field}.{name}" if field else name


def _check_type(type_schuldregeling: TypeSchuldregeling, profile: VersionProfile, field: str) -> None:
    if type_schuldregeling not in profile.typen:
        raise EncodeError(
            f"version {profile.versie} cannot carry TypeSchuldregeling {type_schuldregeling.value} "
            f"(it knows {', '.join(sorted(t.value for t in profile.typen))})",
            field=_at(field, "type_schuldregeling"),
        )


def check_type(
    type_schuldregeling: TypeSchuldregeling | None,
    profile: VersionProfile,
    nul_aanbod_codering: NulAanbodCodering,
    field: str,
) -> None:
    """For messages that only name the type (Saldoverzoek): the counterpart must know it. Only proposals
    and akkoorden have a workaround for SA (they carry the amounts that make it a € 0.00 credit)."""
    if type_schuldregeling is TypeSchuldregeling.SA and nul_aanbod_codering is not NulAanbodCodering.SA:
        raise EncodeError(
            "the counterpart does not know TypeSchuldregeling SA; leave the type out (only a proposal or "
            "akkoord has the € 0.00 saneringskrediet workaround)",
            field=_at(field, "type_schuldregeling"),
        )
    if type_schuldregeling is not None:
        _check_type(type_schuldregeling, profile, field)


def _workaround(
    begeleiding: Begeleiding | None,
    toelichting: str | None,
    bedragen: Iterable[tuple[Decimal, Decimal]],
    capaciteit: Decimal | None,
    field: str,
) -> WireVoorstel:
    if capaciteit is not None and capaciteit != _ZERO:
        raise EncodeError(
            "a nul-aanbod is made at a repayment capacity of 0.00: as the SK workaround a capacity above 0 "
            "would be read back as a real saneringskrediet",
            field=_at(field, "afloscapaciteit_per_maand"),
        )
    for index, (afkooppercentage, prognose) in enumerate(bedragen):
        if afkooppercentage != _ZERO or prognose != _ZERO:
            raise EncodeError(
                "a nul-aanbod offers 0.00 at 0 %: as the SK workaround a claim with an amount would be "
                "booked as a real saneringskrediet",
                field=_at(field, f"vorderingen[{index}]"),
            )
    texts = (
        []
        if begeleiding is None
        else [
            begeleiding.financiele_begeleiding,
            begeleiding.inkomensperspectief_komende_18_maanden,
            begeleiding.afgesproken_doelen,
        ]
    )
    if toelichting is not None:
        texts.append(toelichting)
    if any(label in text for text in texts for label in _LABELS):
        raise EncodeError(
            "the text contains a line that starts like a heading of the nul-aanbod layout",
            field=_at(field, "begeleiding"),
        )
    rendered = render_toelichting(begeleiding, toelichting)
    if len(rendered) > MAX_TOELICHTING:
        raise EncodeError(
            f"the Begeleiding and Toelichting together are too long for the workaround's Toelichting "
            f"({len(rendered)} of at most {MAX_TOELICHTING} characters)",
            field=_at(field, "toelichting"),
        )
    return WireVoorstel(TypeSchuldregeling.SK, None, rendered)


@dataclass(frozen=True, slots=True)
class ModelVoorstel:
    """What the decoder puts in the model for the type, Begeleiding, Toelichting and codering."""

    type_schuldregeling: TypeSchuldregeling
    begeleiding: Begeleiding | None
    toelichting: str | None
    nul_aanbod_codering: NulAanbodCodering | None


def inbound(
    type_schuldregeling: TypeSchuldregeling,
    begeleiding: Begeleiding | None,
    toelichting: str | None,
    bedragen: Iterable[tuple[Decimal, Decimal]],
    capaciteit: Decimal | None,
) -> ModelVoorstel:
    """The model's reading of a received proposal (``capaciteit`` given) or akkoord (None)."""
    if type_schuldregeling is TypeSchuldregeling.SA:
        return ModelVoorstel(TypeSchuldregeling.SA, begeleiding, toelichting, NulAanbodCodering.SA)
    if type_schuldregeling is TypeSchuldregeling.SK and is_workaround(bedragen, capaciteit):
        parsed, rest = parse_toelichting(toelichting)
        return ModelVoorstel(
            TypeSchuldregeling.SA, begeleiding or parsed, rest, NulAanbodCodering.SK_WORKAROUND
        )
    return ModelVoorstel(type_schuldregeling, begeleiding, toelichting, None)


def is_workaround(bedragen: Iterable[tuple[Decimal, Decimal]], capaciteit: Decimal | None) -> bool:
    """Whether an SK with these (percentage, prognose) pairs is the € 0.00 workaround: every claim offers
    0.00 at 0 %, and the capacity (when the message has one) is 0.00. Above 0 it is a real credit."""
    if capaciteit is not None and capaciteit != _ZERO:
        return False
    return all(afkooppercentage == _ZERO and prognose == _ZERO for afkooppercentage, prognose in bedragen)
