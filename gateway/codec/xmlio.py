"""Small helpers to write and read one namespace's elements with lxml, by hand.

Why by hand (and not xmlschema/zeep data binding): the codec is on the hot path. Measured on this
project's machines (shared/reference/perf-floor.md) a hand-written lxml -> dataclasses mapper costs
~36 µs for a 10-claim message, xmlschema's ``to_dict`` ~1.4 ms and zeep ~0.4 ms. These helpers keep
the hand-written mappers short: one dict of children per element, looked up by local name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from lxml import etree

T = TypeVar("T")


class Out:
    """Writes elements of one namespace (Clark notation ``{ns}Name``)."""

    __slots__ = ("_prefix",)

    def __init__(self, namespace: str) -> None:
        self._prefix = f"{{{namespace}}}"

    def root(self, name: str, namespace: str) -> etree._Element:
        return etree.Element(self._prefix + name, nsmap={None: namespace})

    def el(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, self._prefix + name)
        if text is not None:
            child.text = text
        return child

    def opt(self, parent: etree._Element, name: str, value: Any, fmt: Callable[[Any], str] = str) -> None:
        """Write ``name`` only when ``value`` is not None (xs:minOccurs="0")."""
        if value is not None:
            self.el(parent, name, fmt(value))


class Kids:
    """The child elements of one element, by local name (document order kept per name)."""

    __slots__ = ("_by_name",)

    def __init__(self, element: etree._Element, prefix_length: int) -> None:
        by_name: dict[str, list[etree._Element]] = {}
        for child in element:
            tag = child.tag
            if isinstance(tag, str):  # skips comments and processing instructions
                by_name.setdefault(tag[prefix_length:], []).append(child)
        self._by_name = by_name

    def has(self, name: str) -> bool:
        return name in self._by_name

    def one(self, name: str) -> etree._Element:
        return self._by_name[name][0]

    def opt(self, name: str) -> etree._Element | None:
        found = self._by_name.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[etree._Element]:
        return self._by_name.get(name, [])

    def text(self, name: str) -> str:
        return self._by_name[name][0].text or ""

    def opt_text(self, name: str) -> str | None:
        found = self._by_name.get(name)
        return (found[0].text or "") if found else None

    def opt_value(self, name: str, parse: Callable[[str], T]) -> T | None:
        found = self._by_name.get(name)
        return parse(found[0].text or "") if found else None


class In:
    """Reads elements of one namespace."""

    __slots__ = ("_prefix_length",)

    def __init__(self, namespace: str) -> None:
        self._prefix_length = len(namespace) + 2

    def kids(self, element: etree._Element) -> Kids:
        return Kids(element, self._prefix_length)
