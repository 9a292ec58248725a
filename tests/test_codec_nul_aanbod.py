"""The nul-aanbod table (README; gateway.codec.nul_aanbod), cell by cell: version × counterpart knows SA
× direction, for Betaalvoorstel, Heroverweging and Schuldregeling akkoord."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from gateway import model as m
from gateway.adresboek import Tegenpartij
from gateway.codec import EncodeError, decode, encode, nul_aanbod
from gateway.codec.nul_aanbod import KOP, parse_toelichting, render_toelichting
from gateway.model.berichttype import Rol
from gateway.xml.validate import validate_document
from tests.conftest import FIXTURES

BEGELEIDING = m.Begeleiding(
    financiele_begeleiding="Budgetbeheer met maandelijks gesprek.\nZo kort als kan, zo lang als nodig.",
    inkomensperspectief_komende_18_maanden="Geen stijging verwacht.",
    afgesproken_doelen="Geen nieuwe schulden.",
)


def _betaalvoorstel() -> m.Betaalvoorstel:
    b = decode((FIXTURES / "valid/2.0/Betaalvoorstel-nul-aanbod-SA.xml").read_bytes())
    voorstel = dataclasses.replace(
        b.voorstel,
        begeleiding=BEGELEIDING,
        toelichting="Vtlb-berekening bijgevoegd.",
        nul_aanbod_codering=None,
    )
    return dataclasses.replace(b, voorstel=voorstel)


def _heroverweging() -> m.Heroverweging:
    b = _betaalvoorstel()
    return m.Heroverweging(
        berichtheader=b.berichtheader,
        klantnummer_shv=b.klantnummer_shv,
        klantnummer_se=b.klantnummer_se,
        voorstel=b.voorstel,
        motivering_heroverweging="Alle andere schuldeisers zijn akkoord.",
    )


def _akkoord() -> m.SchuldregelingAkkoord:
    b = decode((FIXTURES / "valid/2.0/SchuldregelingAkkoord-nul-aanbod-SA.xml").read_bytes())
    return dataclasses.replace(b, begeleiding=BEGELEIDING, toelichting=None, nul_aanbod_codering=None)


MESSAGES = {
    "Betaalvoorstel": _betaalvoorstel,
    "Heroverweging": _heroverweging,
    "SchuldregelingAkkoord": _akkoord,
}
# (versie, kent_sa) -> expected wire form
OUTBOUND = {
    ("2.0", True): m.NulAanbodCodering.SA,
    ("2.0", False): m.NulAanbodCodering.SK_WORKAROUND,
    ("1.1", True): m.NulAanbodCodering.SK_WORKAROUND,
    ("1.1", False): m.NulAanbodCodering.SK_WORKAROUND,
}


def _parts(bericht: m.Bericht) -> tuple:
    """(type, begeleiding, toelichting, claims) wherever the message keeps them."""
    holder = getattr(bericht, "voorstel", bericht)
    return holder.type_schuldregeling, holder.begeleiding, holder.toelichting, holder.vorderingen, holder


def _wire(xml: bytes) -> dict:
    root = etree.fromstring(xml)
    ns = {"s": etree.QName(root).namespace}
    return {
        "type": root.findtext("s:TypeSchuldregeling", namespaces=ns),
        "begeleiding": root.find("s:Begeleiding", ns) is not None,
        "toelichting": root.findtext("s:Toelichting", namespaces=ns),
        "percentages": [e.text for e in root.iterfind(".//s:Vordering/s:Afkooppercentage", ns)],
        "prognoses": [e.text for e in root.iterfind(".//s:Vordering/s:PrognoseEindbedrag", ns)],
    }


@pytest.mark.parametrize("name", MESSAGES)
@pytest.mark.parametrize(("versie", "kent_sa"), list(OUTBOUND), ids=lambda x: str(x))
def test_outbound_cell(name: str, versie: str, kent_sa: bool) -> None:
    bericht = MESSAGES[name]()
    xml = encode(bericht, versie, nul_aanbod.codering(versie, kent_sa))
    assert validate_document(xml).ok
    wire = _wire(xml)
    if OUTBOUND[(versie, kent_sa)] is m.NulAanbodCodering.SA:
        assert wire["type"] == "SA" and wire["begeleiding"]
        assert wire["toelichting"] == _parts(bericht)[2]
    else:
        assert wire["type"] == "SK" and not wire["begeleiding"]
        assert set(wire["prognoses"]) == {"0.00"} and set(wire["percentages"]) == {"0"}
        text = wire["toelichting"]
        assert text.startswith("NUL-AANBOD met financiële begeleiding") and "geen krediet" in text
        assert "[Financiële begeleiding] Budgetbeheer" in text and "[Afgesproken doelen] Geen nieuwe" in text
        assert "financiële".encode() in xml  # UTF-8, not character references


@pytest.mark.parametrize("name", MESSAGES)
@pytest.mark.parametrize(("versie", "kent_sa"), list(OUTBOUND), ids=lambda x: str(x))
def test_inbound_cell(name: str, versie: str, kent_sa: bool) -> None:
    bericht = MESSAGES[name]()
    decoded = decode(encode(bericht, versie, nul_aanbod.codering(versie, kent_sa)))
    soort, begeleiding, toelichting, claims, holder = _parts(decoded)
    assert soort is m.TypeSchuldregeling.SA
    assert holder.nul_aanbod_codering is OUTBOUND[(versie, kent_sa)]
    assert begeleiding == BEGELEIDING  # the three parts are recovered from the Toelichting
    assert toelichting == _parts(bericht)[2]
    assert claims == _parts(bericht)[3]


@pytest.mark.parametrize("versie", ["2.0", "1.1"])
def test_inbound_sk_with_amounts_stays_a_credit(versie: str) -> None:
    b = decode((FIXTURES / f"valid/{versie}/Betaalvoorstel.xml").read_bytes())
    voorstel = dataclasses.replace(b.voorstel, type_schuldregeling=m.TypeSchuldregeling.SK)
    decoded = decode(encode(dataclasses.replace(b, voorstel=voorstel), versie))
    assert decoded.voorstel.type_schuldregeling is m.TypeSchuldregeling.SK
    assert decoded.voorstel.nul_aanbod_codering is None


def test_inbound_sb_with_zero_amounts_is_not_the_workaround() -> None:
    b = _betaalvoorstel()
    voorstel = dataclasses.replace(b.voorstel, type_schuldregeling=m.TypeSchuldregeling.SB, begeleiding=None)
    decoded = decode(encode(dataclasses.replace(b, voorstel=voorstel), "1.1"))
    assert decoded.voorstel.type_schuldregeling is m.TypeSchuldregeling.SB


def test_inbound_workaround_from_another_system_keeps_its_text() -> None:
    b = decode((FIXTURES / "valid/1.1/Betaalvoorstel-nul-aanbod-SK-workaround.xml").read_bytes())
    assert b.voorstel.nul_aanbod_codering is m.NulAanbodCodering.SK_WORKAROUND
    assert b.voorstel.begeleiding is None
    assert b.voorstel.toelichting.startswith("Nul-aanbod met financiële begeleiding")


def test_workaround_refuses_a_nul_aanbod_with_amounts() -> None:
    b = _betaalvoorstel()
    claim = dataclasses.replace(b.voorstel.vorderingen[0], prognose_eindbedrag=Decimal("1.00"))
    bad = dataclasses.replace(b, voorstel=dataclasses.replace(b.voorstel, vorderingen=(claim,)))
    with pytest.raises(EncodeError) as caught:
        encode(bad, "1.1")
    assert caught.value.field == "voorstel.vorderingen[0]"
    assert encode(bad, "2.0")  # as SA the amounts travel as they are (the rules report them)


def test_an_sk_offering_nothing_is_refused() -> None:
    b = _betaalvoorstel()
    sk = dataclasses.replace(
        b.voorstel, type_schuldregeling=m.TypeSchuldregeling.SK, begeleiding=None, toelichting=None
    )
    with pytest.raises(EncodeError, match="nul-aanbod"):
        encode(dataclasses.replace(b, voorstel=sk), "2.0")


def _sk_offering_nothing(capaciteit: str) -> m.Betaalvoorstel:
    """An SK whose every share is 0.00 at 0 % (e.g. € 0.01 a month spread over large debts)."""
    b = _betaalvoorstel()
    sk = dataclasses.replace(
        b.voorstel,
        type_schuldregeling=m.TypeSchuldregeling.SK,
        afloscapaciteit_per_maand=Decimal(capaciteit),
        begeleiding=None,
        toelichting=None,
    )
    return dataclasses.replace(b, voorstel=sk)


@pytest.mark.parametrize(("versie", "kent_sa"), list(OUTBOUND), ids=lambda x: str(x))
def test_an_sk_at_one_cent_offering_nothing_travels_and_comes_back_as_sk(versie: str, kent_sa: bool) -> None:
    """No lower bound (Gedragscode §1.8): capacity above 0 tells a real SK from the workaround."""
    bericht = _sk_offering_nothing("0.01")
    xml = encode(bericht, versie, nul_aanbod.codering(versie, kent_sa))
    assert _wire(xml)["type"] == "SK" and set(_wire(xml)["prognoses"]) == {"0.00"}
    decoded = decode(xml)
    assert decoded.voorstel.type_schuldregeling is m.TypeSchuldregeling.SK
    assert decoded.voorstel.nul_aanbod_codering is None
    assert decoded == bericht


def test_the_same_sk_at_capacity_zero_is_the_workaround_both_ways() -> None:
    with pytest.raises(EncodeError, match="capacity of 0.00") as caught:
        encode(_sk_offering_nothing("0.00"), "1.1")
    assert caught.value.field == "voorstel.type_schuldregeling"
    received = decode((FIXTURES / "valid/1.1/Betaalvoorstel-nul-aanbod-SK-workaround.xml").read_bytes())
    assert received.voorstel.afloscapaciteit_per_maand == 0
    assert received.voorstel.type_schuldregeling is m.TypeSchuldregeling.SA


def test_a_received_all_zero_sk_with_capacity_is_not_a_nul_aanbod() -> None:
    """The sender's wire form contradicts itself (€ 0.00 everywhere, capacity € 5.00): read as SK."""
    data = (FIXTURES / "valid/1.1/Betaalvoorstel-nul-aanbod-SK-workaround.xml").read_bytes()
    data = data.replace(
        b"<AfloscapaciteitPerMaand>0.00</AfloscapaciteitPerMaand>",
        b"<AfloscapaciteitPerMaand>5.00</AfloscapaciteitPerMaand>",
    )
    decoded = decode(data)
    assert decoded.voorstel.type_schuldregeling is m.TypeSchuldregeling.SK
    assert decoded.voorstel.nul_aanbod_codering is None
    assert decoded.voorstel.toelichting.startswith("Nul-aanbod")  # its text is kept as it came


def test_a_nul_aanbod_with_capacity_cannot_travel_as_the_workaround() -> None:
    """It would be read back as a real saneringskrediet; as SA it travels (and the rules refuse it)."""
    b = _betaalvoorstel()
    bad = dataclasses.replace(
        b, voorstel=dataclasses.replace(b.voorstel, afloscapaciteit_per_maand=Decimal("3.00"))
    )
    with pytest.raises(EncodeError, match="read back as a real saneringskrediet") as caught:
        encode(bad, "1.1")
    assert caught.value.field == "voorstel.afloscapaciteit_per_maand"
    assert encode(bad, "2.0")


def test_an_akkoord_has_no_capacity_so_an_all_zero_sk_akkoord_is_the_workaround() -> None:
    akkoord = _akkoord()
    sk = dataclasses.replace(akkoord, type_schuldregeling=m.TypeSchuldregeling.SK, begeleiding=None)
    with pytest.raises(EncodeError, match="nul-aanbod"):
        encode(sk, "2.0")
    decoded = decode(encode(akkoord, "1.1"))
    assert decoded.nul_aanbod_codering is m.NulAanbodCodering.SK_WORKAROUND


def test_workaround_refuses_text_that_looks_like_a_heading() -> None:
    b = _betaalvoorstel()
    tricky = dataclasses.replace(b.voorstel, toelichting="zie hieronder\n[Afgesproken doelen] meer")
    with pytest.raises(EncodeError, match="heading"):
        encode(dataclasses.replace(b, voorstel=tricky), "1.1")


def test_workaround_refuses_text_too_long_for_the_toelichting() -> None:
    b = _betaalvoorstel()
    long = m.Begeleiding(
        financiele_begeleiding="a" * 1000,
        inkomensperspectief_komende_18_maanden="b" * 1000,
        afgesproken_doelen="c" * 1000,
    )
    too_long = dataclasses.replace(b.voorstel, begeleiding=long, toelichting="d" * 900)
    with pytest.raises(EncodeError, match="too long") as caught:
        encode(dataclasses.replace(b, voorstel=too_long), "1.1")
    assert caught.value.field == "voorstel.toelichting"


@pytest.mark.parametrize(
    ("begeleiding", "toelichting"),
    [
        (BEGELEIDING, "vrij"),
        (BEGELEIDING, None),
        (None, "alleen tekst"),
        (None, None),
        (BEGELEIDING, "a\n\nb\n"),
    ],
)
def test_toelichting_layout_round_trips(begeleiding, toelichting) -> None:
    text = render_toelichting(begeleiding, toelichting)
    assert text.startswith(KOP)
    assert parse_toelichting(text) == (begeleiding, toelichting)


def test_text_without_the_heading_is_plain_toelichting() -> None:
    assert parse_toelichting("Nul-aanbod, zie bijlage.") == (None, "Nul-aanbod, zie bijlage.")
    assert parse_toelichting(KOP + " en nog iets") == (None, KOP + " en nog iets")
    assert parse_toelichting(None) == (None, None)


def test_saldoverzoek_names_sa_only_to_a_counterpart_that_knows_it() -> None:
    b = decode((FIXTURES / "valid/2.0/Saldoverzoek.xml").read_bytes())
    sa = dataclasses.replace(b, type_schuldregeling=m.TypeSchuldregeling.SA)
    assert b"<TypeSchuldregeling>SA<" in encode(sa, "2.0", nul_aanbod.codering("2.0", kent_sa=True))
    for versie, kent_sa in (("2.0", False), ("1.1", True)):
        with pytest.raises(EncodeError) as caught:
            encode(sa, versie, nul_aanbod.codering(versie, kent_sa))
        assert caught.value.field == "type_schuldregeling"


def test_the_one_decision_which_counterpart_gets_which_encoding() -> None:
    for (versie, kent_sa), expected in OUTBOUND.items():
        assert nul_aanbod.codering(versie, kent_sa) is expected
    with pytest.raises(ValueError, match="unknown version"):
        nul_aanbod.codering("3.0", kent_sa=True)


@pytest.mark.parametrize(("versie", "kent_sa"), list(OUTBOUND), ids=lambda x: str(x))
def test_the_address_book_entry_asks_the_same_decision(versie: str, kent_sa: bool) -> None:
    partij = Tegenpartij(
        "7dbe7773-70da-5a9f-bc63-3e0381e576d2", "Energie Noord", "0" * 20, Rol.SE, versie, kent_sa
    )
    assert partij.nul_aanbod_codering is OUTBOUND[(versie, kent_sa)]


_TRICKY = st.text(alphabet="ab \n[]:Toelichng", min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    begeleiding=st.none()
    | st.builds(
        m.Begeleiding,
        financiele_begeleiding=_TRICKY,
        inkomensperspectief_komende_18_maanden=_TRICKY,
        afgesproken_doelen=_TRICKY,
    ),
    toelichting=st.none() | _TRICKY,
)
def test_workaround_text_always_comes_back_or_is_refused(begeleiding, toelichting) -> None:
    b = _betaalvoorstel()
    bericht = dataclasses.replace(
        b, voorstel=dataclasses.replace(b.voorstel, begeleiding=begeleiding, toelichting=toelichting)
    )
    try:
        xml = encode(bericht, "1.1")
    except EncodeError as exc:
        assert exc.field in ("voorstel.begeleiding",)
        return
    decoded = decode(xml).voorstel
    assert (decoded.begeleiding, decoded.toelichting) == (begeleiding, toelichting)


def test_one_tegenpartij_and_no_aliases() -> None:
    import gateway.codec as codec
    import gateway.codec.profile as profile

    assert not hasattr(codec, "Tegenpartij") and not hasattr(codec, "EncodingPolicy")
    assert not hasattr(profile, "Tegenpartij")
