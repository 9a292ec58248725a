"""Betaalvoorstel, Heroverweging (the proposal, incl. the nul-aanbod) and Betaalvoorstel antwoord."""

from __future__ import annotations

from typing import Annotated

from gateway.model.bericht import Bericht
from gateway.model.berichttype import Berichttype
from gateway.model.enums import (
    Akkoord,
    NulAanbodCodering,
    Schuldoorzaak,
    TypeSchuldregeling,
    Uitbetaalmomenten,
    VorderingsType,
)
from gateway.model.partijen import Contactpersoon
from gateway.model.types import (
    Aantal,
    Bedrag,
    Datum,
    Kenmerk,
    Lijst,
    LooptijdMaanden,
    ModelError,
    Percentage,
    Tekst1000,
    Tekst4000,
    model,
)


@model
class Begeleiding:
    """The toelichting of a nul-aanbod (NVVK Gedragscode per 1 July 2024, art. 1.2)."""

    financiele_begeleiding: Tekst1000
    inkomensperspectief_komende_18_maanden: Tekst1000
    afgesproken_doelen: Tekst1000


@model
class VoorstelVordering:
    factuurnummer_se: Kenmerk
    vorderingstype: VorderingsType
    actueel_vorderingsbedrag: Bedrag
    afkooppercentage: Percentage
    prognose_eindbedrag: Bedrag


def check_nul_aanbod_codering(type_schuldregeling: TypeSchuldregeling, codering: object) -> None:
    """``nul_aanbod_codering`` says how a received nul-aanbod travelled; only an SA can have one."""
    if codering is not None and type_schuldregeling is not TypeSchuldregeling.SA:
        raise ModelError("nul_aanbod_codering", "only a nul-aanbod (type SA) has a nul-aanbod codering")


@model
class Voorstel:
    """The proposal shared by Betaalvoorstel and Heroverweging.

    A nul-aanbod is ``type_schuldregeling`` SA. ``nul_aanbod_codering`` records how a *received*
    nul-aanbod travelled on the wire (its own code SA, or the € 0.00 SK workaround); it is None for
    proposals built here and is ignored when encoding (the counterpart decides the wire form).
    """

    type_schuldregeling: TypeSchuldregeling
    datum_voorstel: Datum
    afloscapaciteit_per_maand: Bedrag
    looptijd_maanden: LooptijdMaanden | None = None
    uitbetaalmomenten: Uitbetaalmomenten | None = None
    totaal_aantal_preferente_schuldeisers: Aantal
    totaal_aantal_concurrente_schuldeisers: Aantal
    totale_vastgestelde_schuld_preferent: Bedrag
    totale_vastgestelde_schuld_concurrent: Bedrag
    schuldoorzaken: Annotated[tuple[Schuldoorzaak, ...], Lijst(0, 4)] = ()
    vorderingen: Annotated[tuple[VoorstelVordering, ...], Lijst(1, 5000)]
    begeleiding: Begeleiding | None = None
    toelichting: Tekst4000 | None = None
    nul_aanbod_codering: NulAanbodCodering | None = None

    def _invariants(self) -> None:
        check_nul_aanbod_codering(self.type_schuldregeling, self.nul_aanbod_codering)

    @property
    def is_nul_aanbod(self) -> bool:
        return self.type_schuldregeling is TypeSchuldregeling.SA


@model
class Betaalvoorstel(Bericht):
    berichttype = Berichttype.BETAALVOORSTEL

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk | None = None
    voorstel: Voorstel


@model
class Heroverweging(Bericht):
    berichttype = Berichttype.HEROVERWEGING

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk | None = None
    voorstel: Voorstel
    motivering_heroverweging: Tekst4000


@model
class AntwoordVordering:
    factuurnummer_se: Kenmerk
    betaalreferentie: Kenmerk | None = None


@model
class BetaalvoorstelAntwoord(Bericht):
    """The answer to a Betaalvoorstel or Heroverweging. NietAkkoord needs a reden (a rule)."""

    berichttype = Berichttype.BETAALVOORSTEL_ANTWOORD

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk | None = None
    antwoord: Akkoord
    reden: Tekst1000 | None = None
    contactpersoon: Contactpersoon | None = None
    vorderingen: Annotated[tuple[AntwoordVordering, ...], Lijst(0, 5000)] = ()
