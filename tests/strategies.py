"""Hypothesis strategies that build valid model objects of every message type, per version.

``bericht(berichttype, versie)`` only builds what that version can carry (1.1: no foreign address or
briefadres, no Reden, no BR/HF …); a nul-aanbod (SA) offers 0.00 everywhere at capacity 0, and an SK
offers something, or nothing at a capacity above 0 (a proposal), so that the wire form is unambiguous.
Texts stay short, so the workaround's Toelichting always fits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import strategies as st

from gateway import model as m
from gateway.model.types import EMAIL_PATTERN, POSTCODE_PATTERN, TELEFOON_PATTERN

_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -.,'()&/éëïöüÉ€"


def trimmed(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(_ALPHABET, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def tekst(max_size: int = 60) -> st.SearchStrategy[str]:
    return st.text(_ALPHABET + "\n\t", min_size=1, max_size=max_size)


def opt(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


uuids = st.uuids().map(str)
datums = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
datum_tijden = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)
bedragen = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)
percentages = st.decimals(min_value=0, max_value=100, places=2)
kenmerken = trimmed(50)
namen = trimmed(60)
tekst80 = tekst(80)


@st.composite
def bsns(draw: st.DrawFn) -> str:
    weights = (9, 8, 7, 6, 5, 4, 3, 2)
    digits = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8).filter(any))
    check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    if check == 10:
        digits[-1] = (digits[-1] + 1) % 10
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    if check == 10:
        digits[-2] = (digits[-2] + 1) % 10
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    draw(st.just(check).filter(lambda c: c != 10))
    return "".join(map(str, digits)) + str(check)


headers = st.builds(
    m.Berichtheader,
    referentienummer=uuids,
    conversatie_referentienummer=uuids,
    cross_referentienummer=opt(uuids),
    afzender=uuids,
    ontvanger=uuids,
    datum_tijd=datum_tijden,
    toestemmingsverklaring=opt(
        st.builds(
            m.Toestemmingsverklaring, bestandsnaam=trimmed(80), inhoud=st.binary(min_size=1, max_size=64)
        )
    ),
)
contactpersonen = st.builds(
    m.Contactpersoon,
    naam=namen,
    telefoonnummer=opt(st.from_regex(TELEFOON_PATTERN, fullmatch=True)),
    emailadres=opt(st.from_regex(r"[a-z0-9.]{1,12}@[a-z]{1,10}\.[a-z]{2,4}", fullmatch=True)),
)
schuldhulpverleners = st.builds(m.Schuldhulpverlener, naam=namen, contactpersoon=contactpersonen)


def personen(bsn: st.SearchStrategy) -> st.SearchStrategy[m.Persoon]:
    return st.builds(
        m.Persoon,
        bsn=bsn,
        geslacht=opt(st.sampled_from(m.Geslacht)),
        voorletters=opt(tekst80),
        voornamen=opt(namen),
        voorvoegsel=opt(tekst80),
        achternaam=namen,
        geboortedatum=opt(datums),
    )


adressen = st.builds(
    m.Adres,
    straatnaam=namen,
    huisnummer=opt(st.integers(1, 99999)),
    huisletter=opt(st.from_regex(r"[a-zA-Z]", fullmatch=True)),
    huisnummertoevoeging=opt(tekst80),
    aanduiding_bij_huisnummer=opt(st.sampled_from(m.AanduidingBijHuisnummer)),
    postcode=st.from_regex(POSTCODE_PATTERN, fullmatch=True),
    woonplaats=namen,
    woonbootverwijzing=opt(tekst80),
    woonwagenverwijzing=opt(tekst80),
)
buitenlandse_adressen = st.builds(
    m.BuitenlandsAdres, adresregels=st.lists(namen, min_size=1, max_size=3).map(tuple), land=namen
)


def adreskeuzes(versie: str) -> st.SearchStrategy[m.Adreskeuze]:
    woon = adressen.map(lambda a: m.Adreskeuze(woonadres=a))
    if versie == "1.1":
        return woon
    return (
        woon
        | adressen.map(lambda a: m.Adreskeuze(briefadres=a))
        | buitenlandse_adressen.map(lambda a: m.Adreskeuze(buitenlands_adres=a))
    )


factuurnummers = st.lists(kenmerken, min_size=1, max_size=4).map(tuple)


def _kennisgeving(cls: type, bsn: st.SearchStrategy, versie: str) -> st.SearchStrategy:
    return st.builds(
        cls,
        berichtheader=headers,
        schuldhulpverlener=schuldhulpverleners,
        klantnummer_shv=kenmerken,
        klantnummer_se_volgens_shv=opt(kenmerken),
        datum_aanmelding=datums,
        klant=personen(bsn),
        partner=opt(personen(bsn)),
        adreskeuze=adreskeuzes(versie),
        factuurnummers_se_volgens_shv=st.just(()) | factuurnummers,
        toelichting=opt(tekst()),
    )


def kennisgeving_antwoorden(versie: str) -> st.SearchStrategy:
    v2 = versie == "2.0"
    return st.builds(
        m.KennisgevingAntwoord,
        berichtheader=headers,
        klantnummer_shv=kenmerken,
        klantnummer_se=opt(kenmerken),
        contactpersoon=opt(contactpersonen) if v2 else st.none(),
        antwoord=st.sampled_from(m.Akkoord) if v2 else st.none(),
        factuurnummers_se=st.just(()) | factuurnummers,
        toelichting=opt(tekst()),
    )


def geen_medewerkingen(versie: str) -> st.SearchStrategy:
    return st.builds(
        m.GeenMedewerking,
        berichtheader=headers,
        klantnummer_shv=kenmerken,
        klantnummer_se=opt(kenmerken),
        reden=st.sampled_from(m.RedenGeenMedewerking) if versie == "2.0" else st.none(),
        contactpersoon=opt(contactpersonen),
        toelichting=opt(tekst()),
    )


def _typen(versie: str) -> list[m.TypeSchuldregeling]:
    T = m.TypeSchuldregeling
    return [T.SK, T.SB, T.SA] if versie == "1.1" else list(T)


def saldoverzoeken(versie: str) -> st.SearchStrategy:
    """Without SA: a Saldoverzoek names SA only to a counterpart that knows it (a separate test)."""
    T = m.TypeSchuldregeling
    typen = [T.SK, T.SB] if versie == "1.1" else [t for t in T if t is not T.SA]
    return st.builds(
        m.Saldoverzoek,
        berichtheader=headers,
        schuldhulpverlener=schuldhulpverleners,
        klantnummer_shv=kenmerken,
        klantnummer_se_volgens_shv=opt(kenmerken),
        type_schuldregeling=opt(st.sampled_from(typen)),
        klant=personen(opt(bsns())),
        partner=opt(personen(opt(bsns()))),
        adres=adressen,
        factuurnummers_se_volgens_shv=factuurnummers,
    )


saldo_vorderingen = st.one_of(
    st.builds(
        m.SaldoVordering,
        factuurnummer_se_volgens_shv=opt(kenmerken),
        factuurnummer_se=opt(kenmerken),
        openstaande_schuld=st.builds(
            m.OpenstaandeSchuld,
            ontstaansdatum=datums,
            oorspronkelijke_vordering=bedragen,
            rente=opt(bedragen),
            kosten=opt(bedragen),
            betaald=opt(bedragen),
            actueel_vorderingsbedrag=bedragen,
            vorderingstype=opt(st.sampled_from(m.VorderingsType)),
        ),
    ),
    st.builds(
        m.SaldoVordering,
        factuurnummer_se=opt(kenmerken),
        overgedragen_schuld=st.builds(
            m.OvergedragenSchuld, overgedragen_aan=namen, datum_overdracht=opt(datums)
        ),
    ),
    st.builds(
        m.SaldoVordering,
        factuurnummer_se_volgens_shv=opt(kenmerken),
        onbekende_schuld=st.builds(m.OnbekendeSchuld, toelichting=opt(tekst())),
    ),
)


def _saldo_antwoord(cls: type, **extra: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(
        cls,
        berichtheader=headers,
        klantnummer_shv=kenmerken,
        klantnummer_se=kenmerken,
        contactpersoon=contactpersonen,
        peildatum=datums,
        vorderingen=st.lists(saldo_vorderingen, min_size=1, max_size=4).map(tuple),
        toelichting=opt(tekst()),
        **extra,
    )


begeleidingen = st.builds(
    m.Begeleiding,
    financiele_begeleiding=tekst(),
    inkomensperspectief_komende_18_maanden=tekst(),
    afgesproken_doelen=tekst(),
)


@st.composite
def _claims(draw: st.DrawFn, nul: bool, builder, sk: bool) -> tuple:  # noqa: ANN001
    count = draw(st.integers(1, 4))
    claims = []
    for _ in range(count):
        pct = Decimal(0) if nul else draw(percentages)
        prognose = Decimal(0) if nul else draw(bedragen)
        claims.append(builder(draw, pct, prognose))
    if sk and all(c.afkooppercentage == 0 and c.prognose_eindbedrag == 0 for c in claims):
        claims[0] = builder(draw, Decimal("12.5"), draw(bedragen))
    return tuple(claims)


def _voorstel_vordering(draw: st.DrawFn, pct: Decimal, prognose: Decimal) -> m.VoorstelVordering:
    return m.VoorstelVordering(
        factuurnummer_se=draw(kenmerken),
        vorderingstype=draw(st.sampled_from(m.VorderingsType)),
        actueel_vorderingsbedrag=draw(bedragen),
        afkooppercentage=pct,
        prognose_eindbedrag=prognose,
    )


def _akkoord_vordering(draw: st.DrawFn, pct: Decimal, prognose: Decimal) -> m.AkkoordVordering:
    return m.AkkoordVordering(
        factuurnummer_se=draw(kenmerken),
        afkooppercentage=pct,
        prognose_eindbedrag=prognose,
        actueel_vorderingsbedrag=draw(bedragen),
        vorderingstype=draw(st.sampled_from(m.VorderingsType)),
        betaalreferentie=draw(kenmerken),
    )


@st.composite
def voorstellen(draw: st.DrawFn, versie: str) -> m.Voorstel:
    soort = draw(st.sampled_from(_typen(versie)))
    nul = soort is m.TypeSchuldregeling.SA
    begeleiding_ok = nul or versie == "2.0"
    capaciteit = Decimal(0) if nul else draw(bedragen)
    sk = soort is m.TypeSchuldregeling.SK
    # no lower bound (Gedragscode §1.8): an SK whose shares all round to 0.00, told apart by its capacity
    niets = sk and capaciteit > 0 and draw(st.booleans())
    return m.Voorstel(
        type_schuldregeling=soort,
        datum_voorstel=draw(datums),
        afloscapaciteit_per_maand=capaciteit,
        looptijd_maanden=draw(opt(st.integers(0, 60))),
        uitbetaalmomenten=draw(opt(st.sampled_from(m.Uitbetaalmomenten))),
        totaal_aantal_preferente_schuldeisers=draw(st.integers(0, 9999)),
        totaal_aantal_concurrente_schuldeisers=draw(st.integers(0, 9999)),
        totale_vastgestelde_schuld_preferent=draw(bedragen),
        totale_vastgestelde_schuld_concurrent=draw(bedragen),
        schuldoorzaken=tuple(draw(st.lists(st.sampled_from(m.Schuldoorzaak), max_size=4))),
        vorderingen=draw(_claims(nul or niets, _voorstel_vordering, sk and not niets)),
        begeleiding=draw(opt(begeleidingen)) if begeleiding_ok else None,
        toelichting=draw(opt(tekst())),
    )


@st.composite
def akkoorden(draw: st.DrawFn, versie: str) -> m.SchuldregelingAkkoord:
    soort = draw(st.sampled_from(_typen(versie)))
    nul = soort is m.TypeSchuldregeling.SA
    return m.SchuldregelingAkkoord(
        berichtheader=draw(headers),
        datum_akkoord=draw(datums),
        klantnummer_se=draw(kenmerken),
        klantnummer_shv=draw(kenmerken),
        type_schuldregeling=soort,
        uitbetaalmomenten=draw(opt(st.sampled_from(m.Uitbetaalmomenten))),
        vorderingen=draw(_claims(nul, _akkoord_vordering, soort is m.TypeSchuldregeling.SK)),
        begeleiding=draw(opt(begeleidingen)) if nul or versie == "2.0" else None,
        toelichting=draw(opt(tekst())),
    )


def betaalvoorstellen(versie: str) -> st.SearchStrategy:
    return st.builds(
        m.Betaalvoorstel,
        berichtheader=headers,
        klantnummer_shv=kenmerken,
        klantnummer_se=opt(kenmerken),
        voorstel=voorstellen(versie),
    )


def heroverwegingen(versie: str) -> st.SearchStrategy:
    return st.builds(
        m.Heroverweging,
        berichtheader=headers,
        klantnummer_shv=kenmerken,
        klantnummer_se=opt(kenmerken),
        voorstel=voorstellen(versie),
        motivering_heroverweging=tekst(),
    )


betaalvoorstel_antwoorden = st.builds(
    m.BetaalvoorstelAntwoord,
    berichtheader=headers,
    klantnummer_shv=kenmerken,
    klantnummer_se=opt(kenmerken),
    antwoord=st.sampled_from(m.Akkoord),
    reden=opt(tekst()),
    contactpersoon=opt(contactpersonen),
    vorderingen=st.lists(
        st.builds(m.AntwoordVordering, factuurnummer_se=kenmerken, betaalreferentie=opt(kenmerken)),
        max_size=3,
    ).map(tuple),
)
beeindigingen = st.builds(
    m.SchuldregelingBeeindigd,
    berichtheader=headers,
    klantnummer_shv=kenmerken,
    klantnummer_se=opt(kenmerken),
    datum_beeindiging=datums,
    reden=st.sampled_from(m.RedenBeeindiging),
    toelichting=opt(tekst()),
)
statusverzoeken = st.builds(
    m.Statusverzoek,
    berichtheader=headers,
    klantnummer_shv=kenmerken,
    klantnummer_se=opt(kenmerken),
    vraag=opt(tekst()),
)
statusberichten_shv = st.builds(
    m.StatusberichtSHV,
    berichtheader=headers,
    klantnummer_shv=kenmerken,
    klantnummer_se=opt(kenmerken),
    status=st.sampled_from(m.StatusSHV),
    datum_status=datums,
    toelichting=opt(tekst()),
)
statusberichten_se = st.builds(
    m.StatusberichtSE,
    berichtheader=headers,
    klantnummer_shv=kenmerken,
    klantnummer_se=kenmerken,
    status=st.sampled_from(m.StatusSE),
    datum_status=datums,
    factuurnummer_se=opt(kenmerken),
    actueel_vorderingsbedrag=opt(bedragen),
    toelichting=opt(tekst()),
)
foutberichten = st.builds(
    m.Foutbericht,
    berichtheader=headers,
    gerefereerd_bericht=uuids,
    gerefereerd_berichttype=opt(kenmerken),
    fouten=st.lists(
        st.builds(
            m.Fout,
            code=kenmerken,
            omschrijving=tekst(),
            locatie=opt(tekst()),
            regel=opt(st.integers(1, 10**6)),
        ),
        min_size=1,
        max_size=3,
    ).map(tuple),
)


def bericht(berichttype: m.Berichttype, versie: str) -> st.SearchStrategy[m.Bericht]:
    B = m.Berichttype
    table = {
        B.KENNISGEVING: lambda: _kennisgeving(m.Kennisgeving, st.none(), versie),
        B.KENNISGEVING_PUBLIEK: lambda: _kennisgeving(m.KennisgevingPubliek, bsns(), versie),
        B.KENNISGEVING_ANTWOORD: lambda: kennisgeving_antwoorden(versie),
        B.GEEN_MEDEWERKING: lambda: geen_medewerkingen(versie),
        B.SALDOVERZOEK: lambda: saldoverzoeken(versie),
        B.SALDOVERZOEK_ANTWOORD: lambda: _saldo_antwoord(m.SaldoverzoekAntwoord),
        B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD: lambda: _saldo_antwoord(
            m.SaldoverzoekAntwoordVoorafAkkoord,
            vooraf_akkoord=st.builds(
                m.VoorafAkkoord, grondslag=st.sampled_from(m.GrondslagVoorafAkkoord), convenant=opt(namen)
            ),
        ),
        B.BETAALVOORSTEL: lambda: betaalvoorstellen(versie),
        B.BETAALVOORSTEL_ANTWOORD: lambda: betaalvoorstel_antwoorden,
        B.HEROVERWEGING: lambda: heroverwegingen(versie),
        B.SCHULDREGELING_AKKOORD: lambda: akkoorden(versie),
        B.SCHULDREGELING_BEEINDIGD: lambda: beeindigingen,
        B.STATUSVERZOEK: lambda: statusverzoeken,
        B.STATUSBERICHT_SHV: lambda: statusberichten_shv,
        B.STATUSBERICHT_SE: lambda: statusberichten_se,
        B.FOUTBERICHT: lambda: foutberichten,
    }
    return table[berichttype]()


_ = EMAIL_PATTERN  # the e-mail strategy above is a strict subset of this pattern
