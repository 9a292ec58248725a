"""Schuldregeling akkoord (W1 "Regeling geaccordeerd") and Schuldregeling beëindigd."""

from __future__ import annotations

from typing import Annotated

from gateway.model.bericht import Bericht
from gateway.model.berichttype import Berichttype
from gateway.model.enums import (
    NulAanbodCodering,
    RedenBeeindiging,
    TypeSchuldregeling,
    Uitbetaalmomenten,
    VorderingsType,
)
from gateway.model.types import Bedrag, Datum, Kenmerk, Lijst, Percentage, Tekst4000, model
from gateway.model.voorstel import Begeleiding, check_nul_aanbod_codering


@model
class AkkoordVordering:
    factuurnummer_se: Kenmerk
    afkooppercentage: Percentage
    prognose_eindbedrag: Bedrag
    actueel_vorderingsbedrag: Bedrag
    vorderingstype: VorderingsType
    betaalreferentie: Kenmerk


@model
class SchuldregelingAkkoord(Bericht):
    """``nul_aanbod_codering`` as in :class:`gateway.model.voorstel.Voorstel`."""

    berichttype = Berichttype.SCHULDREGELING_AKKOORD

    datum_akkoord: Datum
    klantnummer_se: Kenmerk
    klantnummer_shv: Kenmerk
    type_schuldregeling: TypeSchuldregeling
    uitbetaalmomenten: Uitbetaalmomenten | None = None
    vorderingen: Annotated[tuple[AkkoordVordering, ...], Lijst(1, 5000)]
    begeleiding: Begeleiding | None = None
    toelichting: Tekst4000 | None = None
    nul_aanbod_codering: NulAanbodCodering | None = None

    def _invariants(self) -> None:
        check_nul_aanbod_codering(self.type_schuldregeling, self.nul_aanbod_codering)

    @property
    def is_nul_aanbod(self) -> bool:
        return self.type_schuldregeling is TypeSchuldregeling.SA


@model
class SchuldregelingBeeindigd(Bericht):
    berichttype = Berichttype.SCHULDREGELING_BEEINDIGD

    klantnummer_shv: Kenmerk
    klantnummer_se: Kenmerk | None = None
    datum_beeindiging: Datum
    reden: RedenBeeindiging
    toelichting: Tekst4000 | None = None
