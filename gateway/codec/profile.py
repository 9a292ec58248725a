"""What each version of the standard can carry (data, not code paths).

The per-version differences of module Schuldregeling (1.1 -> 2.0) are few and listed here; the message
mappers consult these flags instead of branching on version numbers or message names. Root element
names (the 1.1 renames) come from the schema catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.model.enums import TypeSchuldregeling

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
