"""Received Saldoverzoeken as rows of the "CSV Saldoverzoek Antwoord": one row per claim
(Vordering.FactuurnummerSEVolgensSHV), the question columns A–K repeated, the answer columns empty."""

from __future__ import annotations

from collections.abc import Iterable

from adapters.csv import cells, composite
from adapters.csv.columns import SALDO
from adapters.csv.fileformat import write_table
from adapters.csv.vragen import Vraag
from gateway.model import Adres, Contactpersoon, Persoon, Saldoverzoek


def _contactpersoon(cp: Contactpersoon) -> str:
    return composite.join([cp.naam, cp.telefoonnummer, cp.emailadres])


def _persoon(p: Persoon | None) -> str:
    if p is None:
        return ""
    geboren = cells.datum(p.geboortedatum) if p.geboortedatum else None
    geslacht = p.geslacht.value if p.geslacht else None
    return composite.join([geslacht, p.voorletters, p.voornamen, p.voorvoegsel, p.achternaam, geboren])


def _adres(a: Adres) -> str:
    huisnummer = str(a.huisnummer) if a.huisnummer is not None else None
    aanduiding = a.aanduiding_bij_huisnummer.value if a.aanduiding_bij_huisnummer else None
    return composite.join(
        [
            a.straatnaam,
            huisnummer,
            a.huisletter,
            a.huisnummertoevoeging,
            aanduiding,
            a.postcode,
            a.woonplaats,
            a.woonbootverwijzing,
            a.woonwagenverwijzing,
        ]
    )


def saldo_rows(vraag: Vraag) -> list[list[str]]:
    b = vraag.bericht
    if not isinstance(b, Saldoverzoek):
        raise TypeError(f"a {b.berichttype.value} is not a Saldoverzoek")
    question = {
        "conversatie": vraag.conversatie,
        "referentienummer": vraag.referentienummer,
        "shv": b.schuldhulpverlener.naam,
        "contactpersoon_shv": _contactpersoon(b.schuldhulpverlener.contactpersoon),
        "klantnummer_shv": b.klantnummer_shv,
        "klantnummer_se_volgens_shv": b.klantnummer_se_volgens_shv or "",
        "type_schuldregeling": b.type_schuldregeling.value if b.type_schuldregeling else "",
        "klant": _persoon(b.klant),
        "partner": _persoon(b.partner),
        "adres": _adres(b.adres),
    }
    rows = []
    for factuurnummer in b.factuurnummers_se_volgens_shv:
        values = question | {"factuurnummer_se_volgens_shv": factuurnummer}
        rows.append([values.get(c.key, "") for c in SALDO.columns])
    return rows


def export_saldo(vragen: Iterable[Vraag]) -> bytes:
    return write_table(SALDO, [row for vraag in vragen for row in saldo_rows(vraag)])
