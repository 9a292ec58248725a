"""Statusverzoek, Statusbericht SHV / SE and the Foutbericht."""

from __future__ import annotations

from typing import Annotated

from gateway.model.bericht import Bericht
from gateway.model.berichttype import Berichttype
from gateway.model.enums import StatusSE, StatusSHV
from gateway.model.types import (
    Bedrag,
    Datum,
    Kenmerk,
    Lijst,
    Regelnummer,
    Tekst1000,
    Tekst4000,
    Uuid,
    model,
)


@model
class Statusverzoek(Bericht):
    berichttype = Berichttype.STATUSVERZOEK

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk | None = None
    vraag: Tekst4000 | None = None


@model
class StatusberichtSHV(Bericht):
    berichttype = Berichttype.STATUSBERICHT_SHV

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk | None = None
    status: StatusSHV
    datum_status: Datum
    toelichting: Tekst4000 | None = None


@model
class StatusberichtSE(Bericht):
    berichttype = Berichttype.STATUSBERICHT_SE

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk
    status: StatusSE
    datum_status: Datum
    factuurnummer_se: Kenmerk | None = None
    actueel_vorderingsbedrag: Bedrag | None = None
    toelichting: Tekst4000 | None = None


@model
class Fout:
    code: Kenmerk
    omschrijving: Tekst1000
    locatie: Tekst1000 | None = None
    regel: Regelnummer | None = None


@model
class Foutbericht(Bericht):
    berichttype = Berichttype.FOUTBERICHT

    gerefereerd_bericht: Uuid
    gerefereerd_berichttype: Kenmerk | None = None
    fouten: Annotated[tuple[Fout, ...], Lijst(1, 100)]
