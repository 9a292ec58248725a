"""Mappers: Betaalvoorstel, Heroverweging, Betaalvoorstel antwoord, Schuldregeling akkoord / beëindigd.

The nul-aanbod's wire form (SA or the € 0.00 SK workaround) is decided in :mod:`gateway.codec.nul_aanbod`.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from gateway.codec import nul_aanbod
from gateway.codec.parts import optional, read_contactpersoon, write_contactpersoon
from gateway.codec.profile import VersionProfile
from gateway.codec.registry import register
from gateway.codec.xmlio import In, Kids, Open, Out, elements, texts, value_of
from gateway.model import values as v
from gateway.model.enums import (
    Akkoord,
    NulAanbodCodering,
    RedenBeeindiging,
    Schuldoorzaak,
    TypeSchuldregeling,
    Uitbetaalmomenten,
    VorderingsType,
)
from gateway.model.header import Berichtheader
from gateway.model.regeling import AkkoordVordering, SchuldregelingAkkoord, SchuldregelingBeeindigd
from gateway.model.voorstel import (
    AntwoordVordering,
    Begeleiding,
    Betaalvoorstel,
    BetaalvoorstelAntwoord,
    Heroverweging,
    Voorstel,
    VoorstelVordering,
)


def _write_begeleiding(out: Out, parent: Open, begeleiding: Begeleiding | None) -> None:
    if begeleiding is not None:
        el = out.el(parent, "Begeleiding")
        out.el(el, "FinancieleBegeleiding", begeleiding.financiele_begeleiding)
        out.el(el, "InkomensperspectiefKomende18Maanden", begeleiding.inkomensperspectief_komende_18_maanden)
        out.el(el, "AfgesprokenDoelen", begeleiding.afgesproken_doelen)


def _read_begeleiding(inp: In, el: etree._Element | None) -> Begeleiding | None:
    if el is None:
        return None
    k = inp.kids(el)
    return Begeleiding(
        financiele_begeleiding=k.text("FinancieleBegeleiding"),
        inkomensperspectief_komende_18_maanden=k.text("InkomensperspectiefKomende18Maanden"),
        afgesproken_doelen=k.text("AfgesprokenDoelen"),
    )


# -- the Voorstel group (Betaalvoorstel, Heroverweging) ------------------------------------------------


def write_voorstel(
    out: Out, root: Open, voorstel: Voorstel, profile: VersionProfile, codering: NulAanbodCodering
) -> None:
    wire = nul_aanbod.outbound(
        voorstel.type_schuldregeling,
        voorstel.begeleiding,
        voorstel.toelichting,
        ((c.afkooppercentage, c.prognose_eindbedrag) for c in voorstel.vorderingen),
        voorstel.afloscapaciteit_per_maand,
        profile,
        codering,
        "voorstel",
    )
    out.el(root, "TypeSchuldregeling", wire.type_schuldregeling.value)
    out.el(root, "DatumVoorstel", v.datum(voorstel.datum_voorstel))
    out.el(root, "AfloscapaciteitPerMaand", v.bedrag(voorstel.afloscapaciteit_per_maand))
    out.opt(root, "LooptijdMaanden", voorstel.looptijd_maanden)
    out.opt(root, "Uitbetaalmomenten", voorstel.uitbetaalmomenten, _value)
    out.el(root, "TotaalAantalPreferenteSchuldeisers", str(voorstel.totaal_aantal_preferente_schuldeisers))
    out.el(root, "TotaalAantalConcurrenteSchuldeisers", str(voorstel.totaal_aantal_concurrente_schuldeisers))
    out.el(root, "TotaleVastgesteldeSchuldPreferent", v.bedrag(voorstel.totale_vastgestelde_schuld_preferent))
    out.el(
        root, "TotaleVastgesteldeSchuldConcurrent", v.bedrag(voorstel.totale_vastgestelde_schuld_concurrent)
    )
    for oorzaak in voorstel.schuldoorzaken:
        out.el(root, "Schuldoorzaak", oorzaak.value)
    el = out.el(root, "Vorderingen")
    for claim in voorstel.vorderingen:
        c = out.el(el, "Vordering")
        out.el(c, "FactuurnummerSE", claim.factuurnummer_se)
        out.el(c, "VorderingsType", claim.vorderingstype.value)
        out.el(c, "ActueelVorderingsbedrag", v.bedrag(claim.actueel_vorderingsbedrag))
        out.el(c, "Afkooppercentage", v.percentage(claim.afkooppercentage))
        out.el(c, "PrognoseEindbedrag", v.bedrag(claim.prognose_eindbedrag))
    _write_begeleiding(out, root, wire.begeleiding)
    out.opt(root, "Toelichting", wire.toelichting)


def read_voorstel(inp: In, k: Kids) -> Voorstel:
    capaciteit = v.parse_decimal(k.text("AfloscapaciteitPerMaand"))
    vorderingen = []
    for el in elements(k.one("Vorderingen")):
        # the XSD fixes this sequence of five required elements: read them by position
        factuurnummer, soort, actueel, percentage, prognose = texts(el)
        vorderingen.append(
            VoorstelVordering(
                factuurnummer_se=factuurnummer,
                vorderingstype=_vorderingstype(soort),
                actueel_vorderingsbedrag=Decimal(actueel),
                afkooppercentage=Decimal(percentage),
                prognose_eindbedrag=Decimal(prognose),
            )
        )
    model = nul_aanbod.inbound(
        TypeSchuldregeling(k.text("TypeSchuldregeling")),
        _read_begeleiding(inp, k.opt("Begeleiding")),
        k.opt_text("Toelichting"),
        ((c.afkooppercentage, c.prognose_eindbedrag) for c in vorderingen),
        capaciteit,
    )
    return Voorstel(
        type_schuldregeling=model.type_schuldregeling,
        datum_voorstel=v.parse_datum(k.text("DatumVoorstel")),
        afloscapaciteit_per_maand=capaciteit,
        looptijd_maanden=k.opt_value("LooptijdMaanden", int),
        uitbetaalmomenten=k.opt_value("Uitbetaalmomenten", Uitbetaalmomenten),
        totaal_aantal_preferente_schuldeisers=int(k.text("TotaalAantalPreferenteSchuldeisers")),
        totaal_aantal_concurrente_schuldeisers=int(k.text("TotaalAantalConcurrenteSchuldeisers")),
        totale_vastgestelde_schuld_preferent=v.parse_decimal(k.text("TotaleVastgesteldeSchuldPreferent")),
        totale_vastgestelde_schuld_concurrent=v.parse_decimal(k.text("TotaleVastgesteldeSchuldConcurrent")),
        schuldoorzaken=tuple(Schuldoorzaak(value_of(e)) for e in k.all("Schuldoorzaak")),
        vorderingen=tuple(vorderingen),
        begeleiding=model.begeleiding,
        toelichting=model.toelichting,
        nul_aanbod_codering=model.nul_aanbod_codering,
    )


def write_betaalvoorstel(
    out: Out,
    root: Open,
    b: Betaalvoorstel | Heroverweging,
    profile: VersionProfile,
    codering: NulAanbodCodering,
) -> None:
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.opt(root, "KlantnummerSE", b.klantnummer_se)
    write_voorstel(out, root, b.voorstel, profile, codering)


def read_betaalvoorstel(inp: In, k: Kids, header: Berichtheader, profile: VersionProfile) -> Betaalvoorstel:
    return Betaalvoorstel(
        berichtheader=header,
        klantnummer_shv=k.text("KlantnummerSHV"),
        klantnummer_se=k.opt_text("KlantnummerSE"),
        voorstel=read_voorstel(inp, k),
    )


def write_heroverweging(
    out: Out, root: Open, b: Heroverweging, profile: VersionProfile, codering: NulAanbodCodering
) -> None:
    write_betaalvoorstel(out, root, b, profile, codering)
    out.el(root, "MotiveringHeroverweging", b.motivering_heroverweging)


def read_heroverweging(inp: In, k: Kids, header: Berichtheader, profile: VersionProfile) -> Heroverweging:
    return Heroverweging(
        berichtheader=header,
        klantnummer_shv=k.text("KlantnummerSHV"),
        klantnummer_se=k.opt_text("KlantnummerSE"),
        voorstel=read_voorstel(inp, k),
        motivering_heroverweging=k.text("MotiveringHeroverweging"),
    )


# -- Betaalvoorstel antwoord ----------------------------------------------------------------------------


def write_antwoord(
    out: Out,
    root: Open,
    b: BetaalvoorstelAntwoord,
    profile: VersionProfile,
    codering: NulAanbodCodering,
) -> None:
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.opt(root, "KlantnummerSE", b.klantnummer_se)
    out.el(root, "Antwoord", b.antwoord.value)
    out.opt(root, "Reden", b.reden)
    if b.contactpersoon is not None:
        write_contactpersoon(out, root, "Contactpersoon", b.contactpersoon)
    if b.vorderingen:
        el = out.el(root, "Vorderingen")
        for claim in b.vorderingen:
            c = out.el(el, "Vordering")
            out.el(c, "FactuurnummerSE", claim.factuurnummer_se)
            out.opt(c, "Betaalreferentie", claim.betaalreferentie)


def read_antwoord(inp: In, k: Kids, header: Berichtheader, profile: VersionProfile) -> BetaalvoorstelAntwoord:
    el = k.opt("Vorderingen")
    claims = []
    for claim in elements(el):
        c = inp.kids(claim)
        claims.append(
            AntwoordVordering(
                factuurnummer_se=c.text("FactuurnummerSE"), betaalreferentie=c.opt_text("Betaalreferentie")
            )
        )
    return BetaalvoorstelAntwoord(
        berichtheader=header,
        klantnummer_shv=k.text("KlantnummerSHV"),
        klantnummer_se=k.opt_text("KlantnummerSE"),
        antwoord=Akkoord(k.text("Antwoord")),
        reden=k.opt_text("Reden"),
        contactpersoon=optional(read_contactpersoon, inp, k.opt("Contactpersoon")),
        vorderingen=tuple(claims),
    )


# -- Schuldregeling akkoord / beëindigd -----------------------------------------------------------------


def write_akkoord(
    out: Out,
    root: Open,
    b: SchuldregelingAkkoord,
    profile: VersionProfile,
    codering: NulAanbodCodering,
) -> None:
    wire = nul_aanbod.outbound(
        b.type_schuldregeling,
        b.begeleiding,
        b.toelichting,
        ((c.afkooppercentage, c.prognose_eindbedrag) for c in b.vorderingen),
        None,  # an akkoord has no AfloscapaciteitPerMaand
        profile,
        codering,
        "",
    )
    out.el(root, "DatumAkkoord", v.datum(b.datum_akkoord))
    out.el(root, "KlantnummerSE", b.klantnummer_se)
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.el(root, "TypeSchuldregeling", wire.type_schuldregeling.value)
    out.opt(root, "Uitbetaalmomenten", b.uitbetaalmomenten, _value)
    el = out.el(root, "Vorderingen")
    for claim in b.vorderingen:
        c = out.el(el, "Vordering")
        out.el(c, "FactuurnummerSE", claim.factuurnummer_se)
        out.el(c, "Afkooppercentage", v.percentage(claim.afkooppercentage))
        out.el(c, "PrognoseEindbedrag", v.bedrag(claim.prognose_eindbedrag))
        out.el(c, "ActueelVorderingsbedrag", v.bedrag(claim.actueel_vorderingsbedrag))
        out.el(c, "VorderingsType", claim.vorderingstype.value)
        out.el(c, "Betaalreferentie", claim.betaalreferentie)
    _write_begeleiding(out, root, wire.begeleiding)
    out.opt(root, "Toelichting", wire.toelichting)


def read_akkoord(inp: In, k: Kids, header: Berichtheader, profile: VersionProfile) -> SchuldregelingAkkoord:
    claims = []
    for el in elements(k.one("Vorderingen")):
        # the XSD fixes this sequence of six required elements: read them by position
        factuurnummer, percentage, prognose, actueel, soort, betaalreferentie = texts(el)
        claims.append(
            AkkoordVordering(
                factuurnummer_se=factuurnummer,
                afkooppercentage=Decimal(percentage),
                prognose_eindbedrag=Decimal(prognose),
                actueel_vorderingsbedrag=Decimal(actueel),
                vorderingstype=_vorderingstype(soort),
                betaalreferentie=betaalreferentie,
            )
        )
    model = nul_aanbod.inbound(
        TypeSchuldregeling(k.text("TypeSchuldregeling")),
        _read_begeleiding(inp, k.opt("Begeleiding")),
        k.opt_text("Toelichting"),
        ((c.afkooppercentage, c.prognose_eindbedrag) for c in claims),
        None,  # an akkoord has no AfloscapaciteitPerMaand
    )
    return SchuldregelingAkkoord(
        berichtheader=header,
        datum_akkoord=v.parse_datum(k.text("DatumAkkoord")),
        klantnummer_se=k.text("KlantnummerSE"),
        klantnummer_shv=k.text("KlantnummerSHV"),
        type_schuldregeling=model.type_schuldregeling,
        uitbetaalmomenten=k.opt_value("Uitbetaalmomenten", Uitbetaalmomenten),
        vorderingen=tuple(claims),
        begeleiding=model.begeleiding,
        toelichting=model.toelichting,
        nul_aanbod_codering=model.nul_aanbod_codering,
    )


def write_beeindigd(
    out: Out,
    root: Open,
    b: SchuldregelingBeeindigd,
    profile: VersionProfile,
    codering: NulAanbodCodering,
) -> None:
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.opt(root, "KlantnummerSE", b.klantnummer_se)
    out.el(root, "DatumBeeindiging", v.datum(b.datum_beeindiging))
    out.el(root, "Reden", b.reden.value)
    out.opt(root, "Toelichting", b.toelichting)


def read_beeindigd(
    inp: In, k: Kids, header: Berichtheader, profile: VersionProfile
) -> SchuldregelingBeeindigd:
    return SchuldregelingBeeindigd(
        berichtheader=header,
        klantnummer_shv=k.text("KlantnummerSHV"),
        klantnummer_se=k.opt_text("KlantnummerSE"),
        datum_beeindiging=v.parse_datum(k.text("DatumBeeindiging")),
        reden=RedenBeeindiging(k.text("Reden")),
        toelichting=k.opt_text("Toelichting"),
    )


_vorderingstype = v.enum_parser(VorderingsType)


def _value(member: object) -> str:
    return member.value  # type: ignore[attr-defined]


register(Betaalvoorstel, write_betaalvoorstel, read_betaalvoorstel)  # type: ignore[arg-type]
register(Heroverweging, write_heroverweging, read_heroverweging)  # type: ignore[arg-type]
register(BetaalvoorstelAntwoord, write_antwoord, read_antwoord)  # type: ignore[arg-type]
register(SchuldregelingAkkoord, write_akkoord, read_akkoord)  # type: ignore[arg-type]
register(SchuldregelingBeeindigd, write_beeindigd, read_beeindigd)  # type: ignore[arg-type]
