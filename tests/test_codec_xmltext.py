"""The encoder's text writer (gateway.codec.xmlio.Out) against the element-by-element lxml writer
(tests/xml_oracle.py): the same tree for every fixture and for random valid messages of every type and
version, and an error — never another path — for what a mapper must not do."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from gateway.codec import EncodeError, decode, encode, nul_aanbod
from gateway.codec import registry as registry_module
from gateway.codec.registry import REGISTRY
from gateway.codec.xmlio import Out, WriterError, tree_of
from gateway.model import Berichttype
from tests import strategies
from tests.conftest import FIXTURES
from tests.test_codec_golden import counterpart_of
from tests.xml_oracle import ElementOut, c14n, tree_by_elements

VALID = sorted((FIXTURES / "valid").rglob("*.xml"))
NS = "urn:example:text"
CASES = [(b, versie) for versie in ("2.0", "1.1") for b in Berichttype]


def _tostring(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _same_as_the_oracle(bericht, versie: str, codering) -> None:
    encoded = encode(bericht, versie, codering)
    reference = tree_by_elements(bericht, versie, codering)
    assert c14n(etree.fromstring(encoded)) == c14n(reference)
    for pretty in (False, True):
        assert encode(bericht, versie, codering, pretty=pretty) == etree.tostring(
            reference, xml_declaration=True, encoding="UTF-8", pretty_print=pretty
        )


@pytest.mark.parametrize("path", VALID, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_is_encoded_as_the_element_writer_would(path: Path) -> None:
    bericht = decode(path.read_bytes())
    _same_as_the_oracle(bericht, *counterpart_of(path, bericht))


@pytest.mark.parametrize(("berichttype", "versie"), CASES, ids=[f"{b.value}-{v}" for b, v in CASES])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kent_sa=st.booleans())
def test_random_messages_are_encoded_as_the_element_writer_would(berichttype, versie, data, kent_sa) -> None:
    bericht = data.draw(strategies.bericht(berichttype, versie))
    _same_as_the_oracle(bericht, versie, nul_aanbod.codering(versie, kent_sa))


def _both(write) -> tuple[bytes, bytes]:
    """``write(out, root)`` with the element writer and with Out: both serialised. Where ``as_bytes``
    takes the text, it is the serialisation of its tree."""
    reference = ElementOut(NS)
    root = reference.root("Root", NS)
    write(reference, root)
    out = Out(NS)
    write(out, out.root("Root", NS))
    text = out.text()
    as_text = _tostring(tree_of(text))
    assert out.as_bytes(text) in (None, as_text)
    return c14n(root), c14n(tree_of(text))


@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_any_text_xml_can_carry_gives_the_elements_tree(text: str) -> None:
    def write(out, root) -> None:
        out.el(out.el(root, "Group"), "Value", text)
        out.el(root, "After", "x")

    try:
        reference, written = _both(write)
    except ValueError:  # XML cannot carry it: both writers refuse, with lxml's words
        with pytest.raises(ValueError, match="XML compatible"):
            ElementOut(NS).el(ElementOut(NS).root("R", NS), "V", text)
        return
    assert written == reference


@pytest.mark.parametrize(
    "text",
    ["a & b", "<b>x</b>", "]]>", "line\nbreak", "cr\r\nlf", "\ttab ", " ", "é ü €", "\U0001f600", "&amp;"],
)
def test_texts_that_need_care_give_the_same_tree(text: str) -> None:
    def write(out, root) -> None:
        out.el(out.el(root, "Group"), "Value", text)
        out.el(root, "After", "x")

    reference, written = _both(write)
    assert written == reference


@pytest.mark.parametrize("text", ["plain", "tab\there", "new\nline", "quote\"s 'and' /slash", " ", "a=b;c:d"])
def test_plain_ascii_text_is_its_own_serialisation(text: str) -> None:
    out = Out(NS)
    out.el(out.el(out.root("Root", NS), "Group"), "Value", text)
    document = out.text()
    assert out.as_bytes(document) == _tostring(tree_of(document))


@pytest.mark.parametrize("text", ["a & b", "<", "cr\r", "é", ""])
def test_text_that_was_escaped_or_is_not_ascii_or_empty_is_serialised_by_lxml(text: str) -> None:
    out = Out(NS)
    out.el(out.root("Root", NS), "Value", text)
    assert out.as_bytes(out.text()) is None


def test_nesting_and_empty_elements_give_the_same_tree() -> None:
    def write(out, root) -> None:
        a = out.el(root, "A")
        b = out.el(a, "B")
        out.el(b, "C", "1")
        out.el(a, "Empty")
        out.el(a, "D", "2")
        out.el(a, "EmptyText", "")
        out.opt(a, "Absent", None)
        out.opt(root, "Number", 7)
        out.el(root, "Last")

    reference, written = _both(write)
    assert written == reference


def test_a_namespace_with_markup_characters_is_escaped() -> None:
    namespace = "urn:x?a=1&b=2"
    out = Out(namespace)
    out.el(out.root("Root", namespace), "X", "1")
    assert tree_of(out.text()).nsmap == {None: namespace}


@pytest.mark.parametrize("text", [b"bytes", 7])
def test_a_text_that_is_not_a_str_is_a_type_error(text: object) -> None:
    out = Out(NS)
    with pytest.raises(TypeError):
        out.el(out.root("Root", NS), "X", text)  # type: ignore[arg-type]


def test_writing_into_a_closed_element_or_a_second_root_is_a_writer_error() -> None:
    out = Out(NS)
    root = out.root("Root", NS)
    first = out.el(root, "First")
    out.el(root, "Second")
    with pytest.raises(WriterError, match="already closed"):
        out.el(first, "Late", "x")
    with pytest.raises(WriterError):
        out.el(out.el(root, "Leaf", "text"), "Child", "x")
    with pytest.raises(WriterError, match="second root"):
        out.root("Again", NS)


def _patched_writer(monkeypatch, extra) -> object:
    b = decode((FIXTURES / "valid/2.0/Statusverzoek.xml").read_bytes())
    codec = REGISTRY[b.berichttype]

    def write(out, root, bericht, profile, codering) -> None:
        codec.write(out, root, bericht, profile, codering)
        extra(out, root)

    monkeypatch.setitem(registry_module.REGISTRY, b.berichttype, dataclasses.replace(codec, write=write))
    return b


def test_a_control_character_from_a_mapper_fails_as_lxml_does(monkeypatch) -> None:
    b = _patched_writer(monkeypatch, lambda out, root: out.el(root, "Onbekend", "a\x01b"))
    with pytest.raises(ValueError, match="XML compatible"):
        encode(b, "2.0")


def test_a_mapper_writing_out_of_order_is_an_error_not_another_path(monkeypatch) -> None:
    def late(out, root) -> None:
        first = out.el(root, "Eerste")
        out.el(root, "Tweede")
        out.el(first, "Laat", "x")

    b = _patched_writer(monkeypatch, late)
    with pytest.raises(WriterError):
        encode(b, "2.0")


def test_output_the_xsd_refuses_is_an_encode_error_with_its_problems(monkeypatch) -> None:
    b = _patched_writer(monkeypatch, lambda out, root: out.el(root, "Onbekend", "x"))
    with pytest.raises(EncodeError, match="not valid against its XSD") as caught:
        encode(b, "2.0")
    assert caught.value.problems and caught.value.problems[0].path
