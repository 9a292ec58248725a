"""The message types of module Schuldregeling, version-free, and how they relate.

The value of each member is the 2.0 root element name, which is also the version-free name used
everywhere inside the gateway (store, engine, API). Version-specific names (1.1 renames) live in
the schema catalogue, not here.
"""

from __future__ import annotations

import enum


class Rol(enum.StrEnum):
    SHV = "SHV"  # schuldhulpverlener
    SE = "SE"  # schuldeiser


class Berichttype(enum.StrEnum):
    KENNISGEVING = "Kennisgeving"
    KENNISGEVING_PUBLIEK = "KennisgevingPubliek"
    KENNISGEVING_ANTWOORD = "KennisgevingAntwoord"
    GEEN_MEDEWERKING = "GeenMedewerking"
    SALDOVERZOEK = "Saldoverzoek"
    SALDOVERZOEK_ANTWOORD = "SaldoverzoekAntwoord"
    SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD = "SaldoverzoekAntwoordVoorafAkkoord"
    BETAALVOORSTEL = "Betaalvoorstel"
    BETAALVOORSTEL_ANTWOORD = "BetaalvoorstelAntwoord"
    HEROVERWEGING = "Heroverweging"
    SCHULDREGELING_AKKOORD = "SchuldregelingAkkoord"
    SCHULDREGELING_BEEINDIGD = "SchuldregelingBeeindigd"
    STATUSVERZOEK = "Statusverzoek"
    STATUSBERICHT_SHV = "StatusberichtSHV"
    STATUSBERICHT_SE = "StatusberichtSE"
    FOUTBERICHT = "Foutbericht"

    @property
    def afzender_rol(self) -> Rol | None:
        """Who sends this type; None for Foutbericht (either side)."""
        return _SENDER.get(self)

    @property
    def verwachte_antwoorden(self) -> frozenset[Berichttype]:
        """The answers that close a conversation opened by this question (empty: not a question)."""
        return _ANSWERS.get(self, frozenset())

    @property
    def antwoordtermijn_werkdagen(self) -> int | None:
        """Answer deadline in werkdagen (process agreement 2.3); None when no deadline applies."""
        if not self.verwachte_antwoorden:
            return None
        if self in (Berichttype.KENNISGEVING, Berichttype.KENNISGEVING_PUBLIEK):
            return None  # Kennisgeving antwoord has no deadline (the creditors' process agreements)
        return 10


_B = Berichttype
_SENDER: dict[Berichttype, Rol] = {
    _B.KENNISGEVING: Rol.SHV,
    _B.KENNISGEVING_PUBLIEK: Rol.SHV,
    _B.SALDOVERZOEK: Rol.SHV,
    _B.BETAALVOORSTEL: Rol.SHV,
    _B.HEROVERWEGING: Rol.SHV,
    _B.SCHULDREGELING_AKKOORD: Rol.SHV,
    _B.SCHULDREGELING_BEEINDIGD: Rol.SHV,
    _B.STATUSBERICHT_SHV: Rol.SHV,
    _B.KENNISGEVING_ANTWOORD: Rol.SE,
    _B.GEEN_MEDEWERKING: Rol.SE,
    _B.SALDOVERZOEK_ANTWOORD: Rol.SE,
    _B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD: Rol.SE,
    _B.BETAALVOORSTEL_ANTWOORD: Rol.SE,
    _B.STATUSVERZOEK: Rol.SE,
    _B.STATUSBERICHT_SE: Rol.SE,
}
_ANSWERS: dict[Berichttype, frozenset[Berichttype]] = {
    _B.KENNISGEVING: frozenset({_B.KENNISGEVING_ANTWOORD, _B.GEEN_MEDEWERKING}),
    _B.KENNISGEVING_PUBLIEK: frozenset({_B.KENNISGEVING_ANTWOORD, _B.GEEN_MEDEWERKING}),
    _B.SALDOVERZOEK: frozenset(
        {_B.SALDOVERZOEK_ANTWOORD, _B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD, _B.GEEN_MEDEWERKING}
    ),
    _B.BETAALVOORSTEL: frozenset({_B.BETAALVOORSTEL_ANTWOORD}),
    _B.HEROVERWEGING: frozenset({_B.BETAALVOORSTEL_ANTWOORD}),
    _B.STATUSVERZOEK: frozenset({_B.STATUSBERICHT_SHV}),
}
