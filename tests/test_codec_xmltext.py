"""The text writer (gateway.codec.xmltext) builds the tree ``Out`` builds, or hands over to ``Out``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from gateway.codec import decode, encode, xml_codec
from gateway.codec import registry as registry_module
from gateway.codec.profile import profile_for
from gateway.codec.registry import REGISTRY
from gateway.codec.xmlio import Out
from gateway.codec.xmltext import NotPlain, TextOut, tree_of
from gateway.xml.catalogue import default_catalogue
from tests.conftest import FIXTURES
from tests.test_codec_golden import counterpart_of

VALID = sorted((FIXTURES / "valid").rglob("*.xml"))
NS = "urn:example:text"


def _tostring(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _both(write) -> tuple[bytes, bytes]:
    """``write(out, root)`` with Out and with TextOut; both trees serialised. Where ``as_bytes`` takes the
    text, it gives the serialisation of its tree."""
    out = Out(NS)
    root = out.root("Root", NS)
    write(out, root)
    text_out = TextOut(NS)
    write(text_out, text_out.root("Root", NS))
    text = text_out.text()
    as_text = _tostring(tree_of(text))
    assert text_out.as_bytes(text) in (None, as_text)
    return _tostring(root), as_text


@pytest.mark.parametrize("path", VALID, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_is_written_as_text_and_gives_the_tree_out_builds(path: Path) -> None:
    bericht = decode(path.read_bytes())
    versie, codering = counterpart_of(path, bericht)
    profile = profile_for(versie)
    entry = default_catalogue().lookup(bericht.berichttype.value, versie)
    codec = REGISTRY[bericht.berichttype]
    written = xml_codec._written_as_text(codec, bericht, profile, codering, entry)
    assert written is not None  # no fallback for anything the model allows
    out, text, as_text = written
    tree = xml_codec._written(Out(entry.namespace), codec, bericht, profile, codering, entry)
    for pretty in (False, True):
        assert etree.tostring(as_text, pretty_print=pretty) == etree.tostring(tree, pretty_print=pretty)
    assert out.as_bytes(text) in (None, _tostring(tree))
    if text.isascii() and "&" not in text:
        assert out.as_bytes(text) == _tostring(tree)
    assert encode(bericht, versie, codering) == _tostring(tree)


@pytest.mark.parametrize(
    "text",
    [
        "a & b",
        "<b>x</b>",
        "]]>",
        "line\nbreak",
        "cr\r\nlf",
        "\ttab ",
        " ",
        "é ü €",
        "\U0001f600",
        "'\"",
        "&amp;",
    ],
)
def test_texts_that_need_care_give_the_same_tree(text: str) -> None:
    def write(out, root) -> None:
        group = out.el(root, "Group")
        out.el(group, "Value", text)
        out.el(root, "After", "x")

    reference, as_text = _both(write)
    assert as_text == reference


@pytest.mark.parametrize("text", ["plain", "tab\there", "new\nline", "quote\"s 'and' /slash", " ", "a=b;c:d"])
def test_plain_ascii_text_is_its_own_serialisation(text: str) -> None:
    def write(out, root) -> None:
        out.el(out.el(root, "Group"), "Value", text)

    text_out = TextOut(NS)
    write(text_out, text_out.root("Root", NS))
    document = text_out.text()
    assert text_out.as_bytes(document) == _tostring(tree_of(document))
    reference, _ = _both(write)
    assert text_out.as_bytes(document) == reference


@pytest.mark.parametrize("text", ["a & b", "<", "cr\r", "é"])
def test_text_that_was_escaped_or_is_not_ascii_is_serialised_by_lxml(text: str) -> None:
    text_out = TextOut(NS)
    text_out.el(text_out.root("Root", NS), "Value", text)
    assert text_out.as_bytes(text_out.text()) is None


@pytest.mark.parametrize("where", ["last", "middle", "nested"])
def test_an_empty_element_is_serialised_by_lxml(where: str) -> None:
    text_out = TextOut(NS)
    root = text_out.root("Root", NS)
    parent = text_out.el(root, "Group") if where == "nested" else root
    text_out.el(parent, "Empty")
    if where != "last":
        text_out.el(root, "After", "x")
    text = text_out.text()
    assert text_out.as_bytes(text) is None
    assert b"<Empty/>" in _tostring(tree_of(text))


def test_nesting_and_empty_elements_give_the_same_tree() -> None:
    def write(out, root) -> None:
        a = out.el(root, "A")
        b = out.el(a, "B")
        out.el(b, "C", "1")
        out.el(a, "Empty")
        out.el(a, "D", "2")
        out.opt(a, "Absent", None)
        out.opt(root, "Number", 7)
        out.el(root, "Last")

    reference, as_text = _both(write)
    assert as_text == reference


@pytest.mark.parametrize("text", ["", b"bytes", 7])
def test_text_the_writer_does_not_take_is_refused(text: object) -> None:
    out = TextOut(NS)
    with pytest.raises(NotPlain):
        out.el(out.root("Root", NS), "X", text)  # type: ignore[arg-type]


def test_writing_into_a_closed_element_is_refused() -> None:
    out = TextOut(NS)
    root = out.root("Root", NS)
    first = out.el(root, "First")
    out.el(root, "Second")
    with pytest.raises(NotPlain):
        out.el(first, "Late", "x")
    with pytest.raises(NotPlain):
        out.el(out.el(root, "Leaf", "text"), "Child", "x")


def _patched_writer(monkeypatch, extra) -> object:
    b = decode((FIXTURES / "valid/2.0/Statusverzoek.xml").read_bytes())
    codec = REGISTRY[b.berichttype]

    def write(out, root, bericht, profile, codering) -> None:
        codec.write(out, root, bericht, profile, codering)
        extra(out, root)

    monkeypatch.setitem(registry_module.REGISTRY, b.berichttype, dataclasses.replace(codec, write=write))
    return b


def test_a_control_character_fails_as_it_does_in_out(monkeypatch) -> None:
    b = _patched_writer(monkeypatch, lambda out, root: out.el(root, "Onbekend", "a\x01b"))
    with pytest.raises(ValueError, match="XML compatible"):
        encode(b, "2.0")


def test_what_the_text_writer_refuses_is_written_by_out(monkeypatch) -> None:
    """An out-of-order writer still gets Out's tree (here: refused by the XSD, as before, with lines)."""

    def late(out, root) -> None:
        first = out.el(root, "Eerste")
        out.el(root, "Tweede")
        out.el(first, "Laat", "x")

    b = _patched_writer(monkeypatch, late)
    with pytest.raises(xml_codec.EncodeError, match="not valid against its XSD") as caught:
        encode(b, "2.0")
    assert caught.value.problems
