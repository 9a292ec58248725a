"""People, organisations and addresses: Contactpersoon, Schuldhulpverlener, Persoon, Adres, Adreskeuze."""

from __future__ import annotations

from typing import Annotated

from gateway.model.enums import AanduidingBijHuisnummer, Geslacht
from gateway.model.types import (
    Bsn,
    Datum,
    Emailadres,
    Huisletter,
    Huisnummer,
    Lijst,
    Naam,
    Postcode,
    Tekst80,
    Telefoonnummer,
    exactly_one,
    model,
)


@model
class Contactpersoon:
    naam: Naam
    telefoonnummer: Telefoonnummer | None = None
    emailadres: Emailadres | None = None


@model
class Schuldhulpverlener:
    naam: Naam
    contactpersoon: Contactpersoon


@model
class Persoon:
    """Client (klant) or partner. ``bsn`` is optional here; each message says if it may or must."""

    bsn: Bsn | None = None
    geslacht: Geslacht | None = None
    voorletters: Tekst80 | None = None
    voornamen: Naam | None = None
    voorvoegsel: Tekst80 | None = None
    achternaam: Naam
    geboortedatum: Datum | None = None


@model
class Adres:
    """A Dutch address. A woonboot or woonwagen has its reference instead of (or beside) a house number."""

    straatnaam: Naam
    huisnummer: Huisnummer | None = None
    huisletter: Huisletter | None = None
    huisnummertoevoeging: Tekst80 | None = None
    aanduiding_bij_huisnummer: AanduidingBijHuisnummer | None = None
    postcode: Postcode
    woonplaats: Naam
    woonbootverwijzing: Tekst80 | None = None
    woonwagenverwijzing: Tekst80 | None = None


@model
class BuitenlandsAdres:
    adresregels: Annotated[tuple[Naam, ...], Lijst(1, 3)]
    land: Naam


@model
class Adreskeuze:
    """The 2.0 Kennisgeving's address: exactly one of woonadres, briefadres, buitenlands_adres.

    Version 1.1 carries only a Dutch woonadres (element ``Adres``).
    """

    woonadres: Adres | None = None
    briefadres: Adres | None = None
    buitenlands_adres: BuitenlandsAdres | None = None

    def _invariants(self) -> None:
        exactly_one(
            "adreskeuze",
            woonadres=self.woonadres,
            briefadres=self.briefadres,
            buitenlands_adres=self.buitenlands_adres,
        )
