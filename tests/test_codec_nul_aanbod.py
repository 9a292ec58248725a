"""The nul-aanbod table (DESIGN.md §3), cell by cell: version × counterpart knows SA × direction,
for Betaalvoorstel, Heroverweging and Schuldregeling akkoord."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from gateway import model as m
from gateway.codec import EncodeError, Tegenpartij, decode, encode
from gateway.codec.nul_aanbod import KOP, parse_toelichting, render_toelichting
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
    xml = encode(bericht, Tegenpartij(versie=versie, kent_sa=kent_sa))
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
    decoded = decode(encode(bericht, Tegenpartij(versie=versie, kent_sa=kent_sa)))
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
    assert b"<TypeSchuldregeling>SA<" in encode(sa, Tegenpartij("2.0", kent_sa=True))
    for tegenpartij in (Tegenpartij("2.0", kent_sa=False), Tegenpartij("1.1")):
        with pytest.raises(EncodeError) as caught:
            encode(sa, tegenpartij)
        assert caught.value.field == "type_schuldregeling"


def test_tegenpartij_policy() -> None:
    assert Tegenpartij().nul_aanbod_codering is m.NulAanbodCodering.SA
    assert Tegenpartij("2.0", kent_sa=False).nul_aanbod_codering is m.NulAanbodCodering.SK_WORKAROUND
    assert Tegenpartij("1.1", kent_sa=True).nul_aanbod_codering is m.NulAanbodCodering.SK_WORKAROUND
    with pytest.raises(ValueError, match="unknown version"):
        Tegenpartij("3.0")


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


def test_encoding_policy_is_the_tegenpartij() -> None:
    from gateway.codec import EncodingPolicy

    assert EncodingPolicy is Tegenpartij
