"""libxml2 schema errors -> :class:`Problem` with a stable code, a readable XPath and expected/found."""

from __future__ import annotations

import re

from lxml import etree

from gateway.xml.errors import Problem

_CODES = {
    "SCHEMAV_CVC_PATTERN_VALID": "pattern",
    "SCHEMAV_CVC_FRACTIONDIGITS_VALID": "fraction-digits",
    "SCHEMAV_CVC_TOTALDIGITS_VALID": "total-digits",
    "SCHEMAV_CVC_MININCLUSIVE_VALID": "min-inclusive",
    "SCHEMAV_CVC_MAXINCLUSIVE_VALID": "max-inclusive",
    "SCHEMAV_CVC_MINEXCLUSIVE_VALID": "min-exclusive",
    "SCHEMAV_CVC_MAXEXCLUSIVE_VALID": "max-exclusive",
    "SCHEMAV_CVC_ENUMERATION_VALID": "enumeration",
    "SCHEMAV_CVC_MINLENGTH_VALID": "min-length",
    "SCHEMAV_CVC_MAXLENGTH_VALID": "max-length",
    "SCHEMAV_CVC_LENGTH_VALID": "length",
    "SCHEMAV_CVC_DATATYPE_VALID_1_2_1": "invalid-value",
    "SCHEMAV_CVC_ELT_5_2_2": "fixed-value",
    "SCHEMAV_CVC_ELT_5_2_2_1": "fixed-value",
    "SCHEMAV_CVC_ELT_5_2_2_2_1": "fixed-value",
    "SCHEMAV_CVC_ELT_5_2_2_2_2": "fixed-value",
    "SCHEMAV_CVC_ELT_1": "unknown-root",
    "SCHEMAV_CVC_COMPLEX_TYPE_2_1": "unexpected-content",
    "SCHEMAV_CVC_COMPLEX_TYPE_2_3": "unexpected-text",
    "SCHEMAV_CVC_COMPLEX_TYPE_3_2_2": "unexpected-attribute",
    "SCHEMAV_CVC_COMPLEX_TYPE_4": "missing-attribute",
}
_FACET_CODES = frozenset(
    c for c in _CODES.values() if c not in ("invalid-value", "unknown-root", "fixed-value")
)

_NS = re.compile(r"\{[A-Za-z][A-Za-z0-9+.-]*:[^}\s]*\}")  # {urn:…} / {http:…}, not {8}
_ELEMENT_PREFIX = re.compile(r"^Element '[^']*'(?:, attribute '[^']*')?: ")
_FACET = re.compile(r"\[facet '[^']*'\] ")
_VALUE = re.compile(r"[Tt]he value '([^']*)'|'([^']*)' is not a valid value")
_EXPECTED_ELEMENTS = re.compile(r"Expected is (?:one of )?\( ([^)]*) \)")
_EXPECTATIONS = (
    (re.compile(r"maximum value allowed \('([^']*)'\)"), "at most {}"),
    (re.compile(r"minimum value allowed \('([^']*)'\)"), "at least {}"),
    (re.compile(r"fractional digits than are allowed \('([^']*)'\)"), "at most {} fraction digits"),
    (re.compile(r"more digits than are allowed \('([^']*)'\)"), "at most {} digits"),
    (re.compile(r"not an element of the set \{([^}]*)\}"), "one of {}"),
    (re.compile(r"not accepted by the pattern '([^']*)'"), "a value matching {}"),
    (re.compile(r"allowed maximum length of '([^']*)'"), "at most {} characters"),
    (re.compile(r"allowed minimum length of '([^']*)'"), "at least {} characters"),
    (re.compile(r"fixed value constraint '([^']*)'"), "{}"),
    (re.compile(r"of the atomic type '([^']*)'"), "a valid {}"),
)


def readable_path(tree: etree._ElementTree, raw_path: str | None) -> str | None:
    """``/*/*[2]/*[1]`` -> ``/Betaalvoorstel/Vorderingen/Vordering[2]``."""
    if not raw_path:
        return None
    try:
        found = tree.xpath(raw_path)
    except etree.XPathError:
        return raw_path
    if not found or not isinstance(found[0], etree._Element):
        return raw_path
    return element_path(found[0])


def element_path(element: etree._Element) -> str:
    parts = []
    node: etree._Element | None = element
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        if parent is not None:
            same = [s for s in parent if s.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def problem_from_log(entry: etree._LogEntry, tree: etree._ElementTree) -> Problem:
    raw = _NS.sub("", entry.message).strip()
    code = _CODES.get(entry.type_name, "schema-violation")
    if code == "schema-violation" and entry.type_name == "SCHEMAV_ELEMENT_CONTENT":
        code = "missing-element" if "Missing child" in raw else "unexpected-element"
    path = readable_path(tree, entry.path)
    if code == "fixed-value" and path and path.endswith("/Berichtheader/Versie"):
        code = "wrong-version"
    expected = found = None
    elements = _EXPECTED_ELEMENTS.search(raw)
    if elements:
        expected = elements.group(1).replace(", ", " or ")
        if code == "unexpected-element" and path:
            found = path.rsplit("/", 1)[-1].split("[")[0]
    else:
        for pattern, template in _EXPECTATIONS:
            match = pattern.search(raw)
            if match:
                expected = template.format(match.group(1).replace("'", ""))
                break
        value = _VALUE.search(raw)
        if value:
            found = value.group(1) if value.group(1) is not None else value.group(2)
    message = _FACET.sub("", _ELEMENT_PREFIX.sub("", raw))
    if path and path.split("[")[0].endswith("/BSN") and found is not None:
        message, found = message.replace(found, "…"), "(not shown: personal data)"
    return Problem(
        code=code, message=message, line=entry.line or None, path=path, expected=expected, found=found
    )


def problems_from_log(log: etree._ListErrorLog, tree: etree._ElementTree) -> list[Problem]:
    """All schema errors, without libxml2's generic follow-up to a facet error on the same node."""
    problems = [problem_from_log(entry, tree) for entry in log]
    facet_spots = {(p.line, p.path) for p in problems if p.code in _FACET_CODES}
    return [p for p in problems if not (p.code == "invalid-value" and (p.line, p.path) in facet_spots)]
