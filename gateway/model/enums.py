"""The enumerations of the standard (common.xsd), with the codes as values."""

from __future__ import annotations

import enum


class TypeSchuldregeling(enum.StrEnum):
    SK = "SK"  # saneringskrediet
    SB = "SB"  # schuldbemiddeling
    SA = "SA"  # schuldregeling zonder afloscapaciteit: the nul-aanbod (2.0 only on the wire)
    BR = "BR"  # betalingsregeling
    HF = "HF"  # herfinanciering


class NulAanbodCodering(enum.StrEnum):
    """How a nul-aanbod travels: its own code, or the € 0.00 saneringskrediet workaround.

    Which one goes to which counterpart, and how each is read back: :mod:`gateway.codec.nul_aanbod`."""

    SA = "sa"
    SK_WORKAROUND = "sk-workaround"


class VorderingsType(enum.StrEnum):
    PREFERENT = "Preferent"
    CONCURRENT = "Concurrent"


class Uitbetaalmomenten(enum.StrEnum):
    EENMALIG = "Eenmalig"
    PERIODIEK = "Periodiek"


class Geslacht(enum.StrEnum):
    MAN = "M"
    VROUW = "V"
    ONBEKEND = "O"


class AanduidingBijHuisnummer(enum.StrEnum):
    BIJ = "by"
    TEGENOVER = "to"


class Schuldoorzaak(enum.StrEnum):
    OVERLEVINGSSCHULDEN = "Overlevingsschulden"
    COMPENSATIESCHULDEN = "Compensatieschulden"
    AANPASSINGSSCHULDEN = "Aanpassingsschulden"
    OVERKREDIETERINGSSCHULDEN = "Overkredieteringsschulden"


class Akkoord(enum.StrEnum):
    AKKOORD = "Akkoord"
    NIET_AKKOORD = "NietAkkoord"


class RedenGeenMedewerking(enum.StrEnum):
    KLANT_ONBEKEND = "KlantOnbekend"
    RECENTE_FINALE_KWIJTING = "RecenteFinaleKwijting"
    RECENTE_STABILISATIE = "RecenteStabilisatie"
    GEEN_SAMENWERKING = "GeenSamenwerking"


class RedenBeeindiging(enum.StrEnum):
    FINALE_KWIJTING = "FinaleKwijting"
    VOORTIJDIG_BEEINDIGD = "VoortijdigBeeindigd"
    TOEGELATEN_WSNP = "ToegelatenWsnp"
    OVERLEDEN = "Overleden"
    OVERIG = "Overig"


class StatusSHV(enum.StrEnum):
    STABILISATIE = "Stabilisatie"
    INVENTARISATIE = "Inventarisatie"
    VOORSTEL_GEDAAN = "VoorstelGedaan"
    REGELING_LOPEND = "RegelingLopend"
    REGELING_BEEINDIGD = "RegelingBeeindigd"
    UITGEVALLEN = "Uitgevallen"


class StatusSE(enum.StrEnum):
    VORDERING_GEWIJZIGD = "VorderingGewijzigd"
    BETALING_ONTVANGEN = "BetalingOntvangen"
    VORDERING_OVERGEDRAGEN = "VorderingOvergedragen"
    INCASSO_HERVAT = "IncassoHervat"
    OVERIG = "Overig"


class GrondslagVoorafAkkoord(enum.StrEnum):
    COLLECTIEF_SCHULDREGELEN = "CollectiefSchuldregelen"
    CONVENANT = "Convenant"
