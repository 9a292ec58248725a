"""Small helpers to write and read one namespace's elements by hand: :class:`Out` writes, :class:`In` reads.

Why by hand (and not xmlschema/zeep data binding): the codec is on the hot path. A hand-written lxml
-> dataclasses mapper costs ~36 µs for a 10-claim message, xmlschema's ``to_dict`` ~1.4 ms and zeep
~0.4 ms (measured on this project's machines). These helpers keep the hand-written mappers short.

Why :class:`Out` writes text: lxml creates an element from Python in ~1-2 µs (a proxy object, the tag
split, a namespace lookup) but parses one from text in a fraction of that, so the encoder's ~80
elements are written as text and parsed once (:func:`tree_of`, a parser of its own: the input is
text this module wrote). The mappers write in document order, each element into one that is still
open; anything else is a bug in a mapper and raises :class:`WriterError`. ``tests/xml_oracle.py``
keeps an element-by-element lxml writer with the same interface as the oracle the tests compare with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from lxml import etree

from gateway.xml.checks import text_value as value_of
from gateway.xml.parsing import thread_parser

T = TypeVar("T")

DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"  # as etree.tostring writes it


def elements(element: etree._Element | None) -> Iterator[etree._Element]:
    """The child elements in document order, without comments and processing instructions."""
    return iter(()) if element is None else element.iterchildren(etree.Element)


def texts(element: etree._Element) -> list[str]:
    """The value of each child element, in document order. After XSD validation a sequence of required
    simple elements has a fixed order, so this is the cheapest way to read a repeated claim."""
    return [value_of(child) for child in element.iterchildren(etree.Element)]


class WriterError(RuntimeError):
    """A mapper wrote out of document order (into an element already closed, or a second root)."""


class Open:
    """The handle of an element written as a start tag whose end tag is still to come."""

    __slots__ = ("end", "start")

    def __init__(self, start: str, name: str) -> None:
        self.start = start
        self.end = f"</{name}>"


_CLOSED = Open("", "")  # the handle of an element with text: nothing is ever written into it


def _escaped(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or "\r" in text:  # (cheaper than one regex search)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text


class Out:
    """Writes elements of one namespace as XML text, in document order."""

    __slots__ = ("_has_empty", "_open", "_parts")

    def __init__(self, namespace: str) -> None:
        self._parts: list[str] = []
        self._open: list[Open] = []
        self._has_empty = False  # an element without children or text (libxml2 writes it as <X/>)

    def root(self, name: str, namespace: str) -> Open:
        if self._parts:
            raise WriterError(f"a second root element {name}")
        namespace = _escaped(namespace).replace('"', "&quot;")
        return self._start(f'<{name} xmlns="{namespace}">', name)

    def el(self, parent: Open, name: str, text: str | None = None) -> Open:
        if self._open[-1] is not parent:
            self._close_to(parent, name)
        if text is None:
            return self._start(f"<{name}>", name)
        if type(text) is not str:
            raise TypeError(f"the text of {name} must be a str, not {type(text).__name__}")
        if not text:
            self._has_empty = True
        self._parts.append(f"<{name}>{_escaped(text)}</{name}>")
        return _CLOSED

    def opt(self, parent: Open, name: str, value: Any, fmt: Callable[[Any], str] = str) -> None:
        """Write ``name`` only when ``value`` is not None (xs:minOccurs="0")."""
        if value is not None:
            self.el(parent, name, fmt(value))

    def text(self) -> str:
        """The document written (the elements still open are closed)."""
        while self._open:
            self._close()
        return "".join(self._parts)

    def as_bytes(self, text: str) -> bytes | None:
        """What ``etree.tostring(tree_of(text), xml_declaration=True, encoding="UTF-8")`` gives for
        ``text = self.text()`` when that is the text itself — ASCII, no character that was escaped
        (each escape has an "&"), no empty element — without serialising the tree; None otherwise."""
        if self._has_empty or not text.isascii() or "&" in text:
            return None
        return DECLARATION + text.encode("ascii")

    def _start(self, start: str, name: str) -> Open:
        self._parts.append(start)
        node = Open(start, name)
        self._open.append(node)
        return node

    def _close_to(self, parent: Open, name: str) -> None:
        if parent not in self._open:
            raise WriterError(f"{name} written into an element that is already closed")
        while self._open[-1] is not parent:
            self._close()

    def _close(self) -> None:
        node = self._open.pop()
        if self._parts[-1] is node.start:
            self._has_empty = True
        self._parts.append(node.end)


def tree_of(text: str) -> etree._Element:
    """The tree of a document :class:`Out` wrote. A text XML cannot carry (a control character the
    model let through) raises ValueError, as lxml does when such a text is set on an element."""
    try:
        return etree.fromstring(text, thread_parser(huge_tree=True))  # trusted: text this module wrote
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"All strings must be XML compatible: the encoded text is not ({exc})") from None


class Kids:
    """Child elements by local name: the first of each name; ``all`` for repeated ones."""

    __slots__ = ("_element", "_first", "_prefix")

    def __init__(self, element: etree._Element, prefix: str) -> None:
        first: dict[object, etree._Element] = {}
        for child in element:  # comments have a function as tag: never looked up
            if child.tag not in first:
                first[child.tag] = child
        self._element = element
        self._first = first
        self._prefix = prefix

    def one(self, name: str) -> etree._Element:
        return self._first[self._prefix + name]

    def opt(self, name: str) -> etree._Element | None:
        return self._first.get(self._prefix + name)

    def all(self, name: str) -> list[etree._Element]:
        return list(self._element.iterchildren(self._prefix + name))

    def text(self, name: str) -> str:
        return value_of(self._first[self._prefix + name])

    def opt_text(self, name: str) -> str | None:
        found = self._first.get(self._prefix + name)
        return None if found is None else value_of(found)

    def opt_value(self, name: str, parse: Callable[[str], T]) -> T | None:
        found = self._first.get(self._prefix + name)
        return None if found is None else parse(value_of(found))


class In:
    """Reads elements of one namespace."""

    __slots__ = ("_prefix",)

    def __init__(self, namespace: str) -> None:
        self._prefix = f"{{{namespace}}}"

    def kids(self, element: etree._Element) -> Kids:
        return Kids(element, self._prefix)
