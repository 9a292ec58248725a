"""Placeholders in scenario documents and values, and the simple element paths of set/check.

Placeholders: ``{{conversatie}}`` / ``{{conversatie:NAME}}`` (a fresh UUID per scenario run and
name), ``{{ref:STEP}}`` (the Referentienummer sent or received in an earlier step),
``{{party:NAME}}`` (a party's address-book UUID), ``{{uuid}}`` (a fresh UUID), ``{{now}}`` (UTC
DatumTijd).

Paths: ``Vorderingen/Vordering[2]/Afkooppercentage`` (local names from the root element, an
optional 1-based index) or a full XPath starting with ``/`` in which prefix ``m`` is the
message's namespace.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from lxml import etree

from adapters.testkit.header import utc_stamp

PLACEHOLDER = re.compile(r"\{\{\s*([a-z]+)(?::([^}\s]+))?\s*\}\}")
KINDS = ("conversatie", "ref", "party", "uuid", "now")
_SEGMENT = re.compile(r"^([A-Za-z_][\w.-]*)(?:\[(\d+)\])?$")


class TemplateError(ValueError):
    pass


def placeholders(text: str) -> list[tuple[str, str | None]]:
    """Every placeholder in ``text`` as (kind, argument); unknown kinds raise TemplateError."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        kind, arg = match.group(1), match.group(2)
        if kind not in KINDS:
            raise TemplateError(f"unknown placeholder {match.group(0)} (known: {', '.join(KINDS)})")
        if kind in ("ref", "party") and not arg:
            raise TemplateError(f"{match.group(0)} needs a name: {{{{{kind}:NAME}}}}")
        found.append((kind, arg))
    return found


def render(text: str, lookup: Callable[[str, str | None], str]) -> str:
    """Replace every placeholder with ``lookup(kind, argument)``."""

    def one(match: re.Match[str]) -> str:
        kind, arg = match.group(1), match.group(2)
        if kind == "uuid":
            return str(uuid.uuid4())
        if kind == "now":
            return utc_stamp()
        return lookup(kind, arg)

    return PLACEHOLDER.sub(one, text)


def check_path(path: str) -> None:
    """Raise TemplateError when ``path`` is neither a simple path nor an XPath."""
    if path.startswith("/"):
        try:
            etree.XPath(path, namespaces={"m": "urn:x"})
        except etree.XPathSyntaxError as exc:
            raise TemplateError(f"{path!r} is not a valid XPath: {exc}") from None
        return
    for segment in path.split("/"):
        if not _SEGMENT.match(segment):
            raise TemplateError(
                f"{path!r}: {segment!r} is not an element name with an optional [index], "
                "e.g. Vorderingen/Vordering[2]/Afkooppercentage"
            )


def select(root: etree._Element, path: str) -> list[etree._Element]:
    """The elements ``path`` selects in the document whose root is ``root``."""
    namespace = etree.QName(root).namespace
    ns = {"m": namespace} if namespace else {}
    if path.startswith("/"):
        found = root.getroottree().xpath(path, namespaces=ns)
        return [e for e in found if isinstance(e, etree._Element)]
    steps = []
    for segment in path.split("/"):
        match = _SEGMENT.match(segment)
        assert match is not None  # checked when the scenario was loaded
        name, index = match.group(1), match.group(2)
        steps.append((f"m:{name}" if namespace else name) + (f"[{index}]" if index else ""))
    return root.xpath("./" + "/".join(steps), namespaces=ns)
