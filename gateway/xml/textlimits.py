"""The longest text the catalogue's XSDs allow, read from the XSDs themselves.

libxml2's pattern check costs about 43 bytes of memory per character of the value it checks, so a
few megabytes of text in one element would cost hundreds of megabytes in the XSD step. No value of
the standard is longer than the longest ``maxLength`` / ``length`` (or enumeration or fixed value)
the XSDs declare, so text longer than that is refused before the XSD step
(:func:`gateway.xml.parsing.check_text_lengths`). Elements whose type has no such bound (binary
content such as a base64 PDF, a string type without a length, enumeration or pattern facet) are
left to ``max_bytes``; they have no pattern to check.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from gateway.xml.parsing import TextLimits

XS = "http://www.w3.org/2001/XMLSchema"
_LENGTH_FACETS = (f"{{{XS}}}maxLength", f"{{{XS}}}length")
#: a pattern counts as a bound: its regex is the very check whose memory cost the limit is for
_BOUNDING_FACETS = (*_LENGTH_FACETS, f"{{{XS}}}enumeration", f"{{{XS}}}pattern")
#: built-in types whose lexical values are short whatever the facets (xs:decimal, xs:date …) need no
#: exemption; these have no bound unless a facet gives one
_UNBOUNDED_BUILTINS = frozenset(
    {"string", "normalizedString", "token", "anyURI", "base64Binary", "hexBinary", "anyType", "anySimpleType"}
)


def _schemas(files: Iterable[Path]) -> list[etree._Element]:
    """The XSD files and everything they include or import, each once (trusted files, ours)."""
    seen: dict[Path, etree._Element] = {}
    todo = [Path(f).resolve() for f in files]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        root = etree.parse(str(path), parser).getroot()
        seen[path] = root
        for ref in root.iter(f"{{{XS}}}include", f"{{{XS}}}import"):
            location = ref.get("schemaLocation")
            if location:
                todo.append((path.parent / location).resolve())
    return list(seen.values())


def _local(qname: str | None) -> str:
    return (qname or "").rsplit(":", 1)[-1]


def text_limits(files: Iterable[Path]) -> TextLimits:
    roots = _schemas(files)
    longest = 0
    types: dict[str, etree._Element] = {}
    for root in roots:
        for facet in root.iter(*_LENGTH_FACETS):
            longest = max(longest, int(facet.get("value", "0")))
        for value in root.iter(f"{{{XS}}}enumeration"):
            longest = max(longest, len(value.get("value", "")))
        for element in root.iter(f"{{{XS}}}element"):
            longest = max(longest, len(element.get("fixed", "")))
        for simple in root.iter(f"{{{XS}}}simpleType"):
            if simple.get("name"):
                types[simple.get("name")] = simple

    def bounded(simple: etree._Element | None, type_name: str | None, depth: int = 0) -> bool:
        """Whether a simple type (named or anonymous) has a length bound, through its restrictions."""
        if depth > 20:  # a cycle: not our XSDs; treat as unbounded
            return False
        if simple is None:
            name = _local(type_name)
            if name in types:
                return bounded(types[name], None, depth + 1)
            return name not in _UNBOUNDED_BUILTINS  # another built-in: short lexical values
        restriction = simple.find(f"{{{XS}}}restriction")
        if restriction is None:  # a list or union: not used by the standard
            return False
        if any(restriction.find(f) is not None for f in _BOUNDING_FACETS):
            return True
        inner = restriction.find(f"{{{XS}}}simpleType")
        return bounded(inner, restriction.get("base"), depth + 1)

    unbounded = set()
    for root in roots:
        for element in root.iter(f"{{{XS}}}element"):
            name = element.get("name")
            if not name or element.get("fixed") is not None:
                continue
            anonymous = element.find(f"{{{XS}}}simpleType")
            if anonymous is not None or element.get("type"):
                if not bounded(anonymous, element.get("type")):
                    unbounded.add(name)
    return TextLimits(max_chars=longest, unbounded_elements=frozenset(unbounded))
