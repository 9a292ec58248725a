"""Content checks that XSD 1.0 cannot express, run after schema validation.

- ``bsn-elfproef``: every element named BSN must pass the elfproef (11-test).
- ``header-mismatch``: the Berichtheader's Berichttype must name the root element.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from gateway.model.bsn import bsn_is_valid
from gateway.xml.catalogue import CatalogueEntry
from gateway.xml.errors import Problem
from gateway.xml.schema_errors import element_path


def text_value(element: etree._Element) -> str:
    """The value of a simple-typed element as the XSD sees it: a comment or processing instruction inside
    the element splits its text into ``text`` and the tails, which are joined (their own content is not
    part of the value)."""
    if len(element):
        return (element.text or "") + "".join(child.tail or "" for child in element)
    return element.text or ""


def content_problems(root: etree._Element, entry: CatalogueEntry) -> list[Problem]:
    return [*_bsn_problems(root, entry.namespace), *_header_problems(root, entry)]


def _bsn_problems(root: etree._Element, namespace: str) -> Iterator[Problem]:
    for element in root.iter(f"{{{namespace}}}BSN"):
        value = text_value(element).strip()
        if len(value) == 9 and value.isdigit() and not bsn_is_valid(value):
            # The value itself is personal data: never echoed in the problem.
            yield Problem(
                code="bsn-elfproef",
                message="the BSN does not pass the elfproef",
                line=element.sourceline,
                path=element_path(element),
                expected="a BSN passing the elfproef",
            )


def _header_problems(root: etree._Element, entry: CatalogueEntry) -> Iterator[Problem]:
    element = root.find(f"{{{entry.namespace}}}Berichtheader/{{{entry.namespace}}}Berichttype")
    if element is not None and text_value(element).strip() != entry.root:
        yield Problem(
            code="header-mismatch",
            message="the Berichttype in the Berichtheader does not match the root element",
            line=element.sourceline,
            path=element_path(element),
            expected=entry.root,
            found=text_value(element).strip(),
        )
