"""What a version cannot carry is a clear EncodeError naming the field (the nul-aanbod aside)."""

from __future__ import annotations

import dataclasses

import pytest

from gateway import model as m
from gateway.codec import PROFILES, EncodeError, decode, encode, registered_types
from gateway.xml.catalogue import default_catalogue
from tests.conftest import FIXTURES


def _fixture(name: str) -> m.Bericht:
    return decode((FIXTURES / "valid" / name).read_bytes())


def test_every_catalogue_entry_has_a_codec_and_a_profile() -> None:
    catalogue = default_catalogue()
    assert {m.Berichttype(e.berichttype) for e in catalogue.entries} == registered_types()
    assert {e.versie for e in catalogue.entries} == set(PROFILES)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda a: m.Adreskeuze(
                buitenlands_adres=m.BuitenlandsAdres(adresregels=("Rue 1",), land="België")
            ),
            "adreskeuze",
        ),
        (lambda a: m.Adreskeuze(briefadres=a.woonadres), "adreskeuze"),
    ],
    ids=["foreign-address", "briefadres"],
)
def test_1_1_kennisgeving_carries_only_a_woonadres(change, field: str) -> None:
    b = _fixture("2.0/Kennisgeving.xml")
    other = dataclasses.replace(b, adreskeuze=change(b.adreskeuze))
    assert encode(other, "2.0")
    with pytest.raises(EncodeError) as caught:
        encode(other, "1.1")
    assert caught.value.field == field and "1.1" in str(caught.value)


def test_reden_geen_medewerking_is_new_in_2_0() -> None:
    b = _fixture("2.0/GeenMedewerking.xml")
    with pytest.raises(EncodeError) as caught:
        encode(b, "1.1")
    assert caught.value.field == "reden"
    assert b"<KlantOnbekend " in encode(dataclasses.replace(b, reden=None), "1.1")
    with pytest.raises(EncodeError, match="requires"):
        encode(dataclasses.replace(b, reden=None), "2.0")


@pytest.mark.parametrize("field", ["contactpersoon", "antwoord"])
def test_kennisgeving_antwoord_extras_are_new_in_2_0(field: str) -> None:
    b = _fixture("2.0/KennisgevingAntwoord.xml")
    only = dataclasses.replace(b, **{"contactpersoon": None, "antwoord": None, field: getattr(b, field)})
    assert getattr(only, field) is not None
    with pytest.raises(EncodeError) as caught:
        encode(only, "1.1")
    assert caught.value.field == field


def test_kennisgeving_antwoord_needs_antwoord_in_2_0() -> None:
    b = _fixture("1.1/KlantGemeldVoorSHVAntwoord.xml")
    with pytest.raises(EncodeError) as caught:
        encode(b, "2.0")
    assert caught.value.field == "antwoord"


@pytest.mark.parametrize("soort", [m.TypeSchuldregeling.BR, m.TypeSchuldregeling.HF])
def test_br_and_hf_are_not_in_1_1(soort: m.TypeSchuldregeling) -> None:
    b = _fixture("2.0/Betaalvoorstel.xml")
    other = dataclasses.replace(b, voorstel=dataclasses.replace(b.voorstel, type_schuldregeling=soort))
    assert encode(other, "2.0")
    with pytest.raises(EncodeError) as caught:
        encode(other, "1.1")
    assert caught.value.field == "voorstel.type_schuldregeling"
    akkoord = dataclasses.replace(_fixture("2.0/SchuldregelingAkkoord.xml"), type_schuldregeling=soort)
    with pytest.raises(EncodeError):
        encode(akkoord, "1.1")
    saldo = dataclasses.replace(_fixture("2.0/Saldoverzoek.xml"), type_schuldregeling=soort)
    with pytest.raises(EncodeError):
        encode(saldo, "1.1")


def test_begeleiding_of_a_regular_proposal_has_no_place_in_1_1() -> None:
    b = _fixture("2.0/Betaalvoorstel.xml")
    begeleiding = m.Begeleiding(
        financiele_begeleiding="x", inkomensperspectief_komende_18_maanden="y", afgesproken_doelen="z"
    )
    other = dataclasses.replace(b, voorstel=dataclasses.replace(b.voorstel, begeleiding=begeleiding))
    assert b"<Begeleiding>" in encode(other, "2.0")
    with pytest.raises(EncodeError) as caught:
        encode(other, "1.1")
    assert caught.value.field == "voorstel.begeleiding"


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown version"):
        encode(_fixture("2.0/Statusverzoek.xml"), "3.0")


def test_encode_error_never_shows_personal_data() -> None:
    b = _fixture("2.0/KennisgevingPubliek.xml")
    other = dataclasses.replace(b, adreskeuze=m.Adreskeuze(briefadres=b.adreskeuze.woonadres))
    with pytest.raises(EncodeError) as caught:
        encode(other, "1.1")
    text = str(caught.value)
    for value in ("111222333", "Linden", "Assendorperstraat", "8012"):
        assert value not in text
