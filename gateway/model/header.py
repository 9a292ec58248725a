"""The Berichtheader: version-free (Berichttype and Versie are written by the codec from the catalogue)."""

from __future__ import annotations

from gateway.model.types import DatumTijd, ModelError, Tekst80, Uuid, model


@model
class Toestemmingsverklaring:
    """The client's consent statement (a PDF), carried in the header when the SHV is configured for it."""

    bestandsnaam: Tekst80
    inhoud: bytes

    def _invariants(self) -> None:
        if not self.inhoud:
            raise ModelError("inhoud", "the consent statement must not be empty")


@model
class Berichtheader:
    referentienummer: Uuid
    conversatie_referentienummer: Uuid
    cross_referentienummer: Uuid | None = None
    afzender: Uuid
    ontvanger: Uuid
    datum_tijd: DatumTijd
    toestemmingsverklaring: Toestemmingsverklaring | None = None
