"""Kennisgeving (1.1: KlantGemeldVoorSHV), Kennisgeving Publiek (1.1: KlantBSNGemeldVoorSHV) + answers."""

from __future__ import annotations

from typing import Annotated

from gateway.model.bericht import Bericht
from gateway.model.berichttype import Berichttype
from gateway.model.enums import Akkoord, RedenGeenMedewerking
from gateway.model.partijen import Adreskeuze, Contactpersoon, Persoon, Schuldhulpverlener
from gateway.model.types import Datum, Kenmerk, Lijst, ModelError, Tekst4000, model


@model
class KennisgevingGegevens(Bericht):
    """What both Kennisgeving messages carry; use :class:`Kennisgeving` or :class:`KennisgevingPubliek`."""

    schuldhulpverlener: Schuldhulpverlener
    klantnummer_shv: Kenmerk
    klantnummer_se_volgens_shv: Kenmerk | None = None
    datum_aanmelding: Datum
    klant: Persoon
    partner: Persoon | None = None
    adreskeuze: Adreskeuze
    factuurnummers_se_volgens_shv: Annotated[tuple[Kenmerk, ...], Lijst(0, 1000)] = ()
    toelichting: Tekst4000 | None = None


@model
class Kennisgeving(KennisgevingGegevens):
    """For creditors that do not work with the BSN: klant and partner carry no BSN."""

    berichttype = Berichttype.KENNISGEVING

    def _invariants(self) -> None:
        for name, persoon in (("klant", self.klant), ("partner", self.partner)):
            if persoon is not None and persoon.bsn is not None:
                raise ModelError(f"{name}.bsn", "a Kennisgeving carries no BSN (use KennisgevingPubliek)")


@model
class KennisgevingPubliek(KennisgevingGegevens):
    """For creditors that work with the BSN: klant and partner must carry one."""

    berichttype = Berichttype.KENNISGEVING_PUBLIEK

    def _invariants(self) -> None:
        for name, persoon in (("klant", self.klant), ("partner", self.partner)):
            if persoon is not None and persoon.bsn is None:
                raise ModelError(f"{name}.bsn", "a KennisgevingPubliek needs the BSN")


@model
class KennisgevingAntwoord(Bericht):
    """``contactpersoon`` and ``antwoord`` are new in 2.0 (2.0 requires ``antwoord``; 1.1 carries neither)."""

    berichttype = Berichttype.KENNISGEVING_ANTWOORD

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk | None = None
    contactpersoon: Contactpersoon | None = None
    antwoord: Akkoord | None = None
    factuurnummers_se: Annotated[tuple[Kenmerk, ...], Lijst(0, 1000)] = ()
    toelichting: Tekst4000 | None = None


@model
class GeenMedewerking(Bericht):
    """1.1: KlantOnbekend, without ``reden`` (None); 2.0 requires the reden."""

    berichttype = Berichttype.GEEN_MEDEWERKING

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk | None = None
    reden: RedenGeenMedewerking | None = None
    contactpersoon: Contactpersoon | None = None
    toelichting: Tekst4000 | None = None
