"""The oracles the tests hold the production fast paths to.

- :class:`ElementOut`: the codec's writer interface, building the tree element by element with lxml
  (what the encoder did before it wrote text); :func:`encode_by_elements` encodes with it.
- :func:`c14n`: libxml2's exclusive C14N of an element, what a verifier computes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from gateway.codec.parts import write_header
from gateway.codec.profile import profile_for
from gateway.codec.registry import REGISTRY
from gateway.model.bericht import Bericht
from gateway.model.enums import NulAanbodCodering
from gateway.xml.catalogue import default_catalogue


class ElementOut:
    """Writes elements of one namespace (Clark notation ``{ns}Name``) as lxml elements."""

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
        if value is not None:
            self.el(parent, name, fmt(value))


def tree_by_elements(bericht: Bericht, versie: str, codering: NulAanbodCodering) -> etree._Element:
    """The message's tree as the element writer builds it (not validated)."""
    entry = default_catalogue().lookup(bericht.berichttype.value, versie)
    out = ElementOut(entry.namespace)
    root = out.root(entry.root, entry.namespace)
    write_header(out, root, bericht.berichtheader, entry)  # type: ignore[arg-type]
    REGISTRY[bericht.berichttype].write(out, root, bericht, profile_for(versie), codering)  # type: ignore[arg-type]
    return root


def c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
