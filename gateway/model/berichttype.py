"""The message types of module Schuldregeling, version-free (how they relate: gateway.conversatie.tabel).

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
