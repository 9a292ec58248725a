"""Mappers: Kennisgeving, Kennisgeving Publiek, Kennisgeving antwoord, Geen medewerking (+ 1.1 names)."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from gateway.codec.parts import (
    optional,
    read_adres,
    read_buitenlands_adres,
    read_contactpersoon,
    read_persoon,
    read_schuldhulpverlener,
    write_adres,
    write_buitenlands_adres,
    write_contactpersoon,
    write_persoon,
    write_schuldhulpverlener,
)
from gateway.codec.profile import VersionProfile
from gateway.codec.registry import not_in_version, register, required_in_version
from gateway.codec.xmlio import In, Kids, Open, Out, elements, value_of
from gateway.model import values as v
from gateway.model.enums import Akkoord, NulAanbodCodering, RedenGeenMedewerking
from gateway.model.header import Berichtheader
from gateway.model.kennisgeving import (
    GeenMedewerking,
    Kennisgeving,
    KennisgevingAntwoord,
    KennisgevingGegevens,
    KennisgevingPubliek,
)
from gateway.model.partijen import Adreskeuze


def _write_factuurnummers(out: Out, root: Open, nummers: tuple[str, ...]) -> None:
    if nummers:
        el = out.el(root, "Vorderingen")
        for nummer in nummers:
            out.el(out.el(el, "Vordering"), "FactuurnummerSEVolgensSHV", nummer)


def _read_factuurnummers(inp: In, el: etree._Element | None) -> tuple[str, ...]:
    if el is None:
        return ()
    return tuple(inp.kids(vordering).text("FactuurnummerSEVolgensSHV") for vordering in elements(el))


def _write_adreskeuze(out: Out, root: Open, keuze: Adreskeuze, profile: VersionProfile) -> None:
    if not profile.adreskeuze:
        if keuze.woonadres is None:
            raise not_in_version(profile, "adreskeuze", "a briefadres or foreign address (only a woonadres)")
        write_adres(out, root, "Adres", keuze.woonadres)
        return
    el = out.el(root, "Adreskeuze")
    if keuze.woonadres is not None:
        write_adres(out, el, "Woonadres", keuze.woonadres)
    elif keuze.briefadres is not None:
        write_adres(out, el, "Briefadres", keuze.briefadres)
    elif keuze.buitenlands_adres is not None:
        write_buitenlands_adres(out, el, keuze.buitenlands_adres)


def _read_adreskeuze(inp: In, k: Kids, profile: VersionProfile) -> Adreskeuze:
    if not profile.adreskeuze:
        return Adreskeuze(woonadres=read_adres(inp, k.one("Adres")))
    ak = inp.kids(k.one("Adreskeuze"))
    return Adreskeuze(
        woonadres=optional(read_adres, inp, ak.opt("Woonadres")),
        briefadres=optional(read_adres, inp, ak.opt("Briefadres")),
        buitenlands_adres=optional(read_buitenlands_adres, inp, ak.opt("BuitenlandsAdres")),
    )


def write_kennisgeving(
    out: Out,
    root: Open,
    b: KennisgevingGegevens,
    profile: VersionProfile,
    codering: NulAanbodCodering,
) -> None:
    write_schuldhulpverlener(out, root, b.schuldhulpverlener)
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.opt(root, "KlantnummerSEVolgensSHV", b.klantnummer_se_volgens_shv)
    out.el(root, "DatumAanmelding", v.datum(b.datum_aanmelding))
    write_persoon(out, root, "Klant", b.klant)
    if b.partner is not None:
        write_persoon(out, root, "Partner", b.partner)
    _write_adreskeuze(out, root, b.adreskeuze, profile)
    _write_factuurnummers(out, root, b.factuurnummers_se_volgens_shv)
    out.opt(root, "Toelichting", b.toelichting)


def _reader(model: type[KennisgevingGegevens]) -> Callable[..., KennisgevingGegevens]:
    def read(inp: In, k: Kids, header: Berichtheader, profile: VersionProfile) -> KennisgevingGegevens:
        return model(
            berichtheader=header,
            schuldhulpverlener=read_schuldhulpverlener(inp, k.one("Schuldhulpverlener")),
            klantnummer_shv=k.text("KlantnummerSHV"),
            klantnummer_se_volgens_shv=k.opt_text("KlantnummerSEVolgensSHV"),
            datum_aanmelding=v.parse_datum(k.text("DatumAanmelding")),
            klant=read_persoon(inp, k.one("Klant")),
            partner=optional(read_persoon, inp, k.opt("Partner")),
            adreskeuze=_read_adreskeuze(inp, k, profile),
            factuurnummers_se_volgens_shv=_read_factuurnummers(inp, k.opt("Vorderingen")),
            toelichting=k.opt_text("Toelichting"),
        )

    return read


def write_kennisgeving_antwoord(
    out: Out,
    root: Open,
    b: KennisgevingAntwoord,
    profile: VersionProfile,
    codering: NulAanbodCodering,
) -> None:
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.opt(root, "KlantnummerSE", b.klantnummer_se)
    if profile.kennisgeving_antwoord_v2:
        if b.antwoord is None:
            raise required_in_version(profile, "antwoord", "an Antwoord in the Kennisgeving antwoord")
        if b.contactpersoon is not None:
            write_contactpersoon(out, root, "Contactpersoon", b.contactpersoon)
        out.el(root, "Antwoord", b.antwoord.value)
    elif b.contactpersoon is not None or b.antwoord is not None:
        field = "contactpersoon" if b.contactpersoon is not None else "antwoord"
        raise not_in_version(profile, field, "a Contactpersoon or Antwoord in the Kennisgeving antwoord")
    if b.factuurnummers_se:
        el = out.el(root, "Factuurnummers")
        for nummer in b.factuurnummers_se:
            out.el(el, "FactuurnummerSE", nummer)
    out.opt(root, "Toelichting", b.toelichting)


def read_kennisgeving_antwoord(
    inp: In, k: Kids, header: Berichtheader, profile: VersionProfile
) -> KennisgevingAntwoord:
    nummers = k.opt("Factuurnummers")
    return KennisgevingAntwoord(
        berichtheader=header,
        klantnummer_shv=k.text("KlantnummerSHV"),
        klantnummer_se=k.opt_text("KlantnummerSE"),
        contactpersoon=optional(read_contactpersoon, inp, k.opt("Contactpersoon")),
        antwoord=k.opt_value("Antwoord", Akkoord),
        factuurnummers_se=tuple(value_of(e) for e in elements(nummers)),
        toelichting=k.opt_text("Toelichting"),
    )


def write_geen_medewerking(
    out: Out, root: Open, b: GeenMedewerking, profile: VersionProfile, codering: NulAanbodCodering
) -> None:
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.opt(root, "KlantnummerSE", b.klantnummer_se)
    if profile.reden_geen_medewerking:
        if b.reden is None:
            raise required_in_version(profile, "reden", "the Reden of a Geen medewerking")
        out.el(root, "Reden", b.reden.value)
    elif b.reden is not None:
        raise not_in_version(profile, "reden", "a Reden (its KlantOnbekend message has none)")
    if b.contactpersoon is not None:
        write_contactpersoon(out, root, "Contactpersoon", b.contactpersoon)
    out.opt(root, "Toelichting", b.toelichting)


def read_geen_medewerking(
    inp: In, k: Kids, header: Berichtheader, profile: VersionProfile
) -> GeenMedewerking:
    return GeenMedewerking(
        berichtheader=header,
        klantnummer_shv=k.text("KlantnummerSHV"),
        klantnummer_se=k.opt_text("KlantnummerSE"),
        reden=k.opt_value("Reden", RedenGeenMedewerking),
        contactpersoon=optional(read_contactpersoon, inp, k.opt("Contactpersoon")),
        toelichting=k.opt_text("Toelichting"),
    )


register(Kennisgeving, write_kennisgeving, _reader(Kennisgeving))  # type: ignore[arg-type]
register(KennisgevingPubliek, write_kennisgeving, _reader(KennisgevingPubliek))  # type: ignore[arg-type]
register(KennisgevingAntwoord, write_kennisgeving_antwoord, read_kennisgeving_antwoord)  # type: ignore[arg-type]
register(GeenMedewerking, write_geen_medewerking, read_geen_medewerking)  # type: ignore[arg-type]
