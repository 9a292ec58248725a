"""Mappers for the building blocks shared by several messages: header, people, organisations, addresses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lxml import etree

from gateway.codec.xmlio import In, Open, Out, value_of
from gateway.model import values as v
from gateway.model.enums import AanduidingBijHuisnummer, Geslacht
from gateway.model.header import Berichtheader, Toestemmingsverklaring
from gateway.model.partijen import Adres, BuitenlandsAdres, Contactpersoon, Persoon, Schuldhulpverlener
from gateway.xml.catalogue import CatalogueEntry

T = TypeVar("T")


def optional(read: Callable[[In, etree._Element], T], inp: In, el: etree._Element | None) -> T | None:
    """``read`` for an element with minOccurs="0"."""
    return None if el is None else read(inp, el)


# -- Berichtheader ---------------------------------------------------------------------------------


def write_header(out: Out, parent: Open, header: Berichtheader, entry: CatalogueEntry) -> None:
    el = out.el(parent, "Berichtheader")
    out.el(el, "Referentienummer", header.referentienummer)
    out.el(el, "ConversatieReferentienummer", header.conversatie_referentienummer)
    out.opt(el, "CrossReferentienummer", header.cross_referentienummer)
    out.el(el, "Afzender", header.afzender)
    out.el(el, "Ontvanger", header.ontvanger)
    out.el(el, "Berichttype", entry.root)
    out.el(el, "Versie", entry.versie)
    out.el(el, "DatumTijd", v.datum_tijd(header.datum_tijd))
    if header.toestemmingsverklaring is not None:
        consent = out.el(el, "Toestemmingsverklaring")
        out.el(consent, "Bestandsnaam", header.toestemmingsverklaring.bestandsnaam)
        out.el(consent, "Inhoud", v.base64_text(header.toestemmingsverklaring.inhoud))


def read_header(inp: In, el: etree._Element) -> Berichtheader:
    k = inp.kids(el)
    consent = k.opt("Toestemmingsverklaring")
    toestemming = None
    if consent is not None:
        ck = inp.kids(consent)
        toestemming = Toestemmingsverklaring(
            bestandsnaam=ck.text("Bestandsnaam"), inhoud=v.parse_base64(ck.text("Inhoud"))
        )
    return Berichtheader(
        referentienummer=k.text("Referentienummer"),
        conversatie_referentienummer=k.text("ConversatieReferentienummer"),
        cross_referentienummer=k.opt_text("CrossReferentienummer"),
        afzender=k.text("Afzender"),
        ontvanger=k.text("Ontvanger"),
        datum_tijd=v.parse_datum_tijd(k.text("DatumTijd")),
        toestemmingsverklaring=toestemming,
    )


# -- Contactpersoon, Schuldhulpverlener ---------------------------------------------------------------


def write_contactpersoon(out: Out, parent: Open, name: str, cp: Contactpersoon) -> None:
    el = out.el(parent, name)
    out.el(el, "Naam", cp.naam)
    out.opt(el, "Telefoonnummer", cp.telefoonnummer)
    out.opt(el, "Emailadres", cp.emailadres)


def read_contactpersoon(inp: In, el: etree._Element) -> Contactpersoon:
    k = inp.kids(el)
    return Contactpersoon(
        naam=k.text("Naam"), telefoonnummer=k.opt_text("Telefoonnummer"), emailadres=k.opt_text("Emailadres")
    )


def write_schuldhulpverlener(out: Out, parent: Open, shv: Schuldhulpverlener) -> None:
    el = out.el(parent, "Schuldhulpverlener")
    out.el(el, "Naam", shv.naam)
    write_contactpersoon(out, el, "Contactpersoon", shv.contactpersoon)


def read_schuldhulpverlener(inp: In, el: etree._Element) -> Schuldhulpverlener:
    k = inp.kids(el)
    return Schuldhulpverlener(
        naam=k.text("Naam"), contactpersoon=read_contactpersoon(inp, k.one("Contactpersoon"))
    )


# -- Persoon ----------------------------------------------------------------------------------------


def write_persoon(out: Out, parent: Open, name: str, persoon: Persoon) -> None:
    """The XSD type (with or without BSN) is the message's; the model has checked what the message allows."""
    el = out.el(parent, name)
    out.opt(el, "BSN", persoon.bsn)
    out.opt(el, "Geslacht", persoon.geslacht, _value)
    out.opt(el, "Voorletters", persoon.voorletters)
    out.opt(el, "Voornamen", persoon.voornamen)
    out.opt(el, "Voorvoegsel", persoon.voorvoegsel)
    out.el(el, "Achternaam", persoon.achternaam)
    out.opt(el, "Geboortedatum", persoon.geboortedatum, v.datum)


def read_persoon(inp: In, el: etree._Element) -> Persoon:
    k = inp.kids(el)
    return Persoon(
        bsn=k.opt_text("BSN"),
        geslacht=k.opt_value("Geslacht", Geslacht),
        voorletters=k.opt_text("Voorletters"),
        voornamen=k.opt_text("Voornamen"),
        voorvoegsel=k.opt_text("Voorvoegsel"),
        achternaam=k.text("Achternaam"),
        geboortedatum=k.opt_value("Geboortedatum", v.parse_datum),
    )


# -- Adres ------------------------------------------------------------------------------------------


def write_adres(out: Out, parent: Open, name: str, adres: Adres) -> None:
    el = out.el(parent, name)
    out.el(el, "Straatnaam", adres.straatnaam)
    out.opt(el, "Huisnummer", adres.huisnummer)
    out.opt(el, "Huisletter", adres.huisletter)
    out.opt(el, "Huisnummertoevoeging", adres.huisnummertoevoeging)
    out.opt(el, "AanduidingBijHuisnummer", adres.aanduiding_bij_huisnummer, _value)
    out.el(el, "Postcode", adres.postcode)
    out.el(el, "Woonplaats", adres.woonplaats)
    out.opt(el, "Woonbootverwijzing", adres.woonbootverwijzing)
    out.opt(el, "Woonwagenverwijzing", adres.woonwagenverwijzing)


def read_adres(inp: In, el: etree._Element) -> Adres:
    k = inp.kids(el)
    return Adres(
        straatnaam=k.text("Straatnaam"),
        huisnummer=k.opt_value("Huisnummer", int),
        huisletter=k.opt_text("Huisletter"),
        huisnummertoevoeging=k.opt_text("Huisnummertoevoeging"),
        aanduiding_bij_huisnummer=k.opt_value("AanduidingBijHuisnummer", AanduidingBijHuisnummer),
        postcode=k.text("Postcode"),
        woonplaats=k.text("Woonplaats"),
        woonbootverwijzing=k.opt_text("Woonbootverwijzing"),
        woonwagenverwijzing=k.opt_text("Woonwagenverwijzing"),
    )


def write_buitenlands_adres(out: Out, parent: Open, adres: BuitenlandsAdres) -> None:
    el = out.el(parent, "BuitenlandsAdres")
    for regel in adres.adresregels:
        out.el(el, "Adresregel", regel)
    out.el(el, "Land", adres.land)


def read_buitenlands_adres(inp: In, el: etree._Element) -> BuitenlandsAdres:
    k = inp.kids(el)
    return BuitenlandsAdres(adresregels=tuple(value_of(e) for e in k.all("Adresregel")), land=k.text("Land"))


def _value(member: object) -> str:
    return member.value  # type: ignore[attr-defined]
