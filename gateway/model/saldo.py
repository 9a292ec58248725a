"""Saldoverzoek and its answers (Saldoverzoek antwoord, … vooraf akkoord) with the per-claim schuldtype."""

from __future__ import annotations

from typing import Annotated

from gateway.model.bericht import Bericht
from gateway.model.berichttype import Berichttype
from gateway.model.enums import GrondslagVoorafAkkoord, TypeSchuldregeling, VorderingsType
from gateway.model.partijen import Adres, Contactpersoon, Persoon, Schuldhulpverlener
from gateway.model.types import (
    Bedrag,
    Datum,
    Kenmerk,
    Lijst,
    Naam,
    Tekst1000,
    Tekst4000,
    exactly_one,
    model,
)


@model
class Saldoverzoek(Bericht):
    berichttype = Berichttype.SALDOVERZOEK

    schuldhulpverlener: Schuldhulpverlener
    klantnummer_shv: Kenmerk
    klantnummer_se_volgens_shv: Kenmerk | None = None
    type_schuldregeling: TypeSchuldregeling | None = None
    klant: Persoon
    partner: Persoon | None = None
    adres: Adres
    factuurnummers_se_volgens_shv: Annotated[tuple[Kenmerk, ...], Lijst(1, 1000)]


@model
class OpenstaandeSchuld:
    """ActueelVorderingsbedrag = OorspronkelijkeVordering + Rente + Kosten − Betaald (a rule)."""

    ontstaansdatum: Datum
    oorspronkelijke_vordering: Bedrag
    rente: Bedrag | None = None
    kosten: Bedrag | None = None
    betaald: Bedrag | None = None
    actueel_vorderingsbedrag: Bedrag
    vorderingstype: VorderingsType | None = None


@model
class OvergedragenSchuld:
    overgedragen_aan: Naam
    datum_overdracht: Datum | None = None


@model
class OnbekendeSchuld:
    toelichting: Tekst1000 | None = None


@model
class SaldoVordering:
    """One claim in a Saldoverzoek antwoord: exactly one schuldtype (openstaand, overgedragen, onbekend)."""

    factuurnummer_se_volgens_shv: Kenmerk | None = None
    factuurnummer_se: Kenmerk | None = None
    openstaande_schuld: OpenstaandeSchuld | None = None
    overgedragen_schuld: OvergedragenSchuld | None = None
    onbekende_schuld: OnbekendeSchuld | None = None

    def _invariants(self) -> None:
        exactly_one(
            "schuldtype",
            openstaande_schuld=self.openstaande_schuld,
            overgedragen_schuld=self.overgedragen_schuld,
            onbekende_schuld=self.onbekende_schuld,
        )


@model
class VoorafAkkoord:
    grondslag: GrondslagVoorafAkkoord
    convenant: Naam | None = None


@model
class SaldoverzoekAntwoord(Bericht):
    berichttype = Berichttype.SALDOVERZOEK_ANTWOORD

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk
    contactpersoon: Contactpersoon
    peildatum: Datum
    vorderingen: Annotated[tuple[SaldoVordering, ...], Lijst(1, 5000)]
    toelichting: Tekst4000 | None = None


@model
class SaldoverzoekAntwoordVoorafAkkoord(Bericht):
    berichttype = Berichttype.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk
    contactpersoon: Contactpersoon
    peildatum: Datum
    vooraf_akkoord: VoorafAkkoord
    vorderingen: Annotated[tuple[SaldoVordering, ...], Lijst(1, 5000)]
    toelichting: Tekst4000 | None = None
