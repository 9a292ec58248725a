"""A writer with the interface of :class:`~gateway.codec.xmlio.Out` that writes XML text, parsed at the end.

Why: lxml creates an element from Python in ~1-2 µs (a proxy object, the tag split, a namespace
lookup), but parses one from text in a fraction of that. The encoder writes a message's ~80 elements as
text here, parses the text with a parser of its own (trusted input: text this module wrote) and
validates and serialises that tree exactly as it would the tree :class:`~gateway.codec.xmlio.Out` builds.

The two trees are the same as long as the writers write in document order, without attributes, and
every text is a non-empty XML-safe string. When anything else happens — an element added to one that is
already closed, an empty or non-string text, text libxml2 refuses — this writer raises
:class:`NotPlain` or the parse fails, and the encoder writes the message again with ``Out``, which then
behaves (and fails) exactly as it always has.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from gateway.xml.parsing import thread_parser

DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"  # as etree.tostring writes it


class NotPlain(Exception):
    """The text writer cannot guarantee the tree ``Out`` would build: write the message with ``Out``."""


class _Open:
    """An element written as a start tag whose end tag is still to come (the handle writers hold)."""

    __slots__ = ("end", "start")

    def __init__(self, start: str, name: str) -> None:
        self.start = start
        self.end = f"</{name}>"


_CLOSED = _Open("", "")  # the handle of an element with text: writers never add children to those


class TextOut:
    """Writes elements of one namespace as text, in document order (the interface of ``Out``)."""

    __slots__ = ("_has_empty", "_open", "_parts")

    def __init__(self, namespace: str) -> None:
        self._parts: list[str] = []
        self._open: list[_Open] = []
        self._has_empty = False  # an element without children or text (libxml2 writes it as <X/>)

    def root(self, name: str, namespace: str) -> _Open:
        if self._parts or "&" in namespace or "<" in namespace or ">" in namespace or '"' in namespace:
            raise NotPlain("a second root, or a namespace that needs escaping")
        return self._start(f'<{name} xmlns="{namespace}">', name)

    def el(self, parent: _Open, name: str, text: str | None = None) -> _Open:
        if self._open[-1] is not parent:
            self._close_to(parent)
        if text is None:
            return self._start(f"<{name}>", name)
        if type(text) is not str or not text:
            raise NotPlain("the text of an element must be a non-empty string")
        if "&" in text or "<" in text or ">" in text or "\r" in text:  # (cheaper than one regex search)
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
        self._parts.append(f"<{name}>{text}</{name}>")
        return _CLOSED

    def opt(self, parent: _Open, name: str, value: Any, fmt: Callable[[Any], str] = str) -> None:
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
        ``text = self.text()``, without serialising the tree, when that is the text itself: ASCII, no
        character that was escaped (each escape has an "&"), no empty element. None otherwise."""
        if self._has_empty or not text.isascii() or "&" in text:
            return None
        return DECLARATION + text.encode("ascii")

    def _start(self, start: str, name: str) -> _Open:
        self._parts.append(start)
        node = _Open(start, name)
        self._open.append(node)
        return node

    def _close_to(self, parent: _Open) -> None:
        if parent not in self._open:
            raise NotPlain("an element added to one that is already closed")
        while self._open[-1] is not parent:
            self._close()

    def _close(self) -> None:
        node = self._open.pop()
        if self._parts[-1] is node.start:
            self._has_empty = True
        self._parts.append(node.end)


def tree_of(text: str) -> etree._Element:
    """The tree of a document :class:`TextOut` wrote (an ``etree.XMLSyntaxError`` when libxml2 refuses it)."""
    return etree.fromstring(text, thread_parser(huge_tree=True))  # trusted: text this module wrote
