"""What each version of the standard can carry (data, not code paths), and the counterpart's capability.

The per-version differences of module Schuldregeling (1.1 -> 2.0) are few and listed here; the message
mappers consult these flags instead of branching on version numbers or message names. Root element
names (the 1.1 renames) come from the schema catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.model.enums import NulAanbodCodering, TypeSchuldregeling

_ALL_TYPES = frozenset(TypeSchuldregeling)


@dataclass(frozen=True, slots=True)
class VersionProfile:
    versie: str
    typen: frozenset[TypeSchuldregeling]  # the TypeSchuldregeling codes the version knows
    adreskeuze: bool  # Kennisgeving: Adreskeuze (woon/brief/buitenlands) instead of a Dutch Adres
    reden_geen_medewerking: bool  # GeenMedewerking has a (required) Reden
    kennisgeving_antwoord_v2: bool  # KennisgevingAntwoord has Contactpersoon and a (required) Antwoord
    begeleiding: bool  # the proposal and the akkoord have a Begeleiding element

    @property
    def kent_sa(self) -> bool:
        return TypeSchuldregeling.SA in self.typen


PROFILES: dict[str, VersionProfile] = {
    "2.0": VersionProfile(
        versie="2.0",
        typen=_ALL_TYPES,
        adreskeuze=True,
        reden_geen_medewerking=True,
        kennisgeving_antwoord_v2=True,
        begeleiding=True,
    ),
    "1.1": VersionProfile(
        versie="1.1",
        typen=frozenset({TypeSchuldregeling.SK, TypeSchuldregeling.SB}),
        adreskeuze=False,
        reden_geen_medewerking=False,
        kennisgeving_antwoord_v2=False,
        begeleiding=False,
    ),
}


def profile_for(versie: str) -> VersionProfile:
    try:
        return PROFILES[versie]
    except KeyError:
        raise ValueError(f"unknown version {versie!r}; known: {', '.join(sorted(PROFILES))}") from None


@dataclass(frozen=True, slots=True)
class Tegenpartij:
    """The counterpart's encoding policy: which version it speaks and whether it knows TypeSchuldregeling SA.

    DESIGN.md §3: a nul-aanbod goes as ``SA`` (with Begeleiding) only to a 2.0 counterpart that knows SA;
    to every other counterpart (2.0 without SA, or any 1.1) as the € 0.00 saneringskrediet workaround.
    """

    versie: str = "2.0"
    kent_sa: bool = True

    def __post_init__(self) -> None:
        profile_for(self.versie)

    @property
    def profile(self) -> VersionProfile:
        return profile_for(self.versie)

    @property
    def nul_aanbod_codering(self) -> NulAanbodCodering:
        if self.kent_sa and self.profile.kent_sa:
            return NulAanbodCodering.SA
        return NulAanbodCodering.SK_WORKAROUND


EncodingPolicy = Tegenpartij  # the name the design discussion used; one type
