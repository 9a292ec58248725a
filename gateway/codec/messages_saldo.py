"""Mappers: Saldoverzoek, Saldoverzoek antwoord, Saldoverzoek antwoord vooraf akkoord."""

from __future__ import annotations

from lxml import etree

from gateway.codec.nul_aanbod import check_type
from gateway.codec.parts import (
    optional,
    read_adres,
    read_contactpersoon,
    read_persoon,
    read_schuldhulpverlener,
    write_adres,
    write_contactpersoon,
    write_persoon,
    write_schuldhulpverlener,
)
from gateway.codec.profile import VersionProfile
from gateway.codec.registry import register
from gateway.codec.xmlio import In, Kids, Open, Out, elements
from gateway.model import values as v
from gateway.model.enums import GrondslagVoorafAkkoord, NulAanbodCodering, TypeSchuldregeling, VorderingsType
from gateway.model.header import Berichtheader
from gateway.model.saldo import (
    OnbekendeSchuld,
    OpenstaandeSchuld,
    OvergedragenSchuld,
    Saldoverzoek,
    SaldoverzoekAntwoord,
    SaldoverzoekAntwoordVoorafAkkoord,
    SaldoVordering,
    VoorafAkkoord,
)


def write_saldoverzoek(
    out: Out, root: Open, b: Saldoverzoek, profile: VersionProfile, codering: NulAanbodCodering
) -> None:
    check_type(b.type_schuldregeling, profile, codering, "")
    write_schuldhulpverlener(out, root, b.schuldhulpverlener)
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.opt(root, "KlantnummerSEVolgensSHV", b.klantnummer_se_volgens_shv)
    out.opt(root, "TypeSchuldregeling", b.type_schuldregeling, _value)
    write_persoon(out, root, "Klant", b.klant)
    if b.partner is not None:
        write_persoon(out, root, "Partner", b.partner)
    write_adres(out, root, "Adres", b.adres)
    el = out.el(root, "Vorderingen")
    for nummer in b.factuurnummers_se_volgens_shv:
        out.el(out.el(el, "Vordering"), "FactuurnummerSEVolgensSHV", nummer)


def read_saldoverzoek(inp: In, k: Kids, header: Berichtheader, profile: VersionProfile) -> Saldoverzoek:
    return Saldoverzoek(
        berichtheader=header,
        schuldhulpverlener=read_schuldhulpverlener(inp, k.one("Schuldhulpverlener")),
        klantnummer_shv=k.text("KlantnummerSHV"),
        klantnummer_se_volgens_shv=k.opt_text("KlantnummerSEVolgensSHV"),
        type_schuldregeling=k.opt_value("TypeSchuldregeling", TypeSchuldregeling),
        klant=read_persoon(inp, k.one("Klant")),
        partner=optional(read_persoon, inp, k.opt("Partner")),
        adres=read_adres(inp, k.one("Adres")),
        factuurnummers_se_volgens_shv=tuple(
            inp.kids(e).text("FactuurnummerSEVolgensSHV") for e in elements(k.one("Vorderingen"))
        ),
    )


# -- the answers ------------------------------------------------------------------------------------


def _write_vordering(out: Out, parent: Open, vordering: SaldoVordering) -> None:
    el = out.el(parent, "Vordering")
    out.opt(el, "FactuurnummerSEVolgensSHV", vordering.factuurnummer_se_volgens_shv)
    out.opt(el, "FactuurnummerSE", vordering.factuurnummer_se)
    if (open_ := vordering.openstaande_schuld) is not None:
        s = out.el(el, "OpenstaandeSchuld")
        out.el(s, "Ontstaansdatum", v.datum(open_.ontstaansdatum))
        out.el(s, "OorspronkelijkeVordering", v.bedrag(open_.oorspronkelijke_vordering))
        out.opt(s, "Rente", open_.rente, v.bedrag)
        out.opt(s, "Kosten", open_.kosten, v.bedrag)
        out.opt(s, "Betaald", open_.betaald, v.bedrag)
        out.el(s, "ActueelVorderingsbedrag", v.bedrag(open_.actueel_vorderingsbedrag))
        out.opt(s, "VorderingsType", open_.vorderingstype, _value)
    elif (over := vordering.overgedragen_schuld) is not None:
        s = out.el(el, "OvergedragenSchuld")
        out.el(s, "OvergedragenAan", over.overgedragen_aan)
        out.opt(s, "DatumOverdracht", over.datum_overdracht, v.datum)
    elif (onbekend := vordering.onbekende_schuld) is not None:
        s = out.el(el, "OnbekendeSchuld")
        out.opt(s, "Toelichting", onbekend.toelichting)


def _read_vordering(inp: In, el: etree._Element) -> SaldoVordering:
    k = inp.kids(el)
    openstaand = overgedragen = onbekend = None
    if (s := k.opt("OpenstaandeSchuld")) is not None:
        sk = inp.kids(s)
        openstaand = OpenstaandeSchuld(
            ontstaansdatum=v.parse_datum(sk.text("Ontstaansdatum")),
            oorspronkelijke_vordering=v.parse_decimal(sk.text("OorspronkelijkeVordering")),
            rente=sk.opt_value("Rente", v.parse_decimal),
            kosten=sk.opt_value("Kosten", v.parse_decimal),
            betaald=sk.opt_value("Betaald", v.parse_decimal),
            actueel_vorderingsbedrag=v.parse_decimal(sk.text("ActueelVorderingsbedrag")),
            vorderingstype=sk.opt_value("VorderingsType", VorderingsType),
        )
    elif (s := k.opt("OvergedragenSchuld")) is not None:
        sk = inp.kids(s)
        overgedragen = OvergedragenSchuld(
            overgedragen_aan=sk.text("OvergedragenAan"),
            datum_overdracht=sk.opt_value("DatumOverdracht", v.parse_datum),
        )
    elif (s := k.opt("OnbekendeSchuld")) is not None:
        onbekend = OnbekendeSchuld(toelichting=inp.kids(s).opt_text("Toelichting"))
    return SaldoVordering(
        factuurnummer_se_volgens_shv=k.opt_text("FactuurnummerSEVolgensSHV"),
        factuurnummer_se=k.opt_text("FactuurnummerSE"),
        openstaande_schuld=openstaand,
        overgedragen_schuld=overgedragen,
        onbekende_schuld=onbekend,
    )


def _write_antwoord(
    out: Out, root: Open, b: SaldoverzoekAntwoord | SaldoverzoekAntwoordVoorafAkkoord
) -> None:
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.el(root, "KlantnummerSE", b.klantnummer_se)
    write_contactpersoon(out, root, "Contactpersoon", b.contactpersoon)
    out.el(root, "Peildatum", v.datum(b.peildatum))
    if isinstance(b, SaldoverzoekAntwoordVoorafAkkoord):
        el = out.el(root, "VoorafAkkoord")
        out.el(el, "Grondslag", b.vooraf_akkoord.grondslag.value)
        out.opt(el, "Convenant", b.vooraf_akkoord.convenant)
    el = out.el(root, "Vorderingen")
    for vordering in b.vorderingen:
        _write_vordering(out, el, vordering)
    out.opt(root, "Toelichting", b.toelichting)


def write_saldoverzoek_antwoord(
    out: Out,
    root: Open,
    b: SaldoverzoekAntwoord,
    profile: VersionProfile,
    codering: NulAanbodCodering,
) -> None:
    _write_antwoord(out, root, b)


def _common(inp: In, k: Kids, header: Berichtheader) -> dict:
    return {
        "berichtheader": header,
        "klantnummer_shv": k.text("KlantnummerSHV"),
        "klantnummer_se": k.text("KlantnummerSE"),
        "contactpersoon": read_contactpersoon(inp, k.one("Contactpersoon")),
        "peildatum": v.parse_datum(k.text("Peildatum")),
        "vorderingen": tuple(_read_vordering(inp, e) for e in elements(k.one("Vorderingen"))),
        "toelichting": k.opt_text("Toelichting"),
    }


def read_saldoverzoek_antwoord(
    inp: In, k: Kids, header: Berichtheader, profile: VersionProfile
) -> SaldoverzoekAntwoord:
    return SaldoverzoekAntwoord(**_common(inp, k, header))


def read_vooraf_akkoord(
    inp: In, k: Kids, header: Berichtheader, profile: VersionProfile
) -> SaldoverzoekAntwoordVoorafAkkoord:
    vk = inp.kids(k.one("VoorafAkkoord"))
    vooraf = VoorafAkkoord(
        grondslag=GrondslagVoorafAkkoord(vk.text("Grondslag")), convenant=vk.opt_text("Convenant")
    )
    return SaldoverzoekAntwoordVoorafAkkoord(vooraf_akkoord=vooraf, **_common(inp, k, header))


def write_vooraf_akkoord(
    out: Out,
    root: Open,
    b: SaldoverzoekAntwoordVoorafAkkoord,
    profile: VersionProfile,
    codering: NulAanbodCodering,
) -> None:
    _write_antwoord(out, root, b)


def _value(member: object) -> str:
    return member.value  # type: ignore[attr-defined]


register(Saldoverzoek, write_saldoverzoek, read_saldoverzoek)  # type: ignore[arg-type]
register(SaldoverzoekAntwoord, write_saldoverzoek_antwoord, read_saldoverzoek_antwoord)  # type: ignore[arg-type]
register(SaldoverzoekAntwoordVoorafAkkoord, write_vooraf_akkoord, read_vooraf_akkoord)  # type: ignore[arg-type]
