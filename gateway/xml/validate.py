"""Validate a message: hardened parse -> recognise (namespace, root) -> XSD (lxml) -> content checks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from gateway.xml.catalogue import Catalogue, CatalogueEntry, default_catalogue
from gateway.xml.checks import content_problems
from gateway.xml.errors import Problem, XmlInputError
from gateway.xml.parsing import DEFAULT_LIMITS, ParseLimits, check_text_lengths, parse_xml
from gateway.xml.schema_errors import problems_from_log

_VERSIONED_NS = re.compile(r"^(?P<base>.+):(?P<version>\d+(?:\.\d+)*)$")


@dataclass(slots=True)
class ValidationReport:
    """The outcome for one document. ``tree`` is set whenever the bytes parsed."""

    problems: list[Problem] = field(default_factory=list)
    entry: CatalogueEntry | None = None
    tree: etree._ElementTree | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, object]:
        result: dict[str, object] = {"valid": self.ok, "problems": [p.to_dict() for p in self.problems]}
        if self.entry is not None:
            result["berichttype"] = self.entry.berichttype
            result["versie"] = self.entry.versie
        return result


def validate_document(
    data: bytes, *, catalogue: Catalogue | None = None, limits: ParseLimits = DEFAULT_LIMITS
) -> ValidationReport:
    """Validate untrusted bytes. Never raises for bad input: every problem is in the report."""
    catalogue = catalogue or default_catalogue()
    try:
        tree = parse_xml(data, limits)
        check_text_lengths(tree.getroot(), catalogue.text_limits, bytes(data))
    except XmlInputError as exc:
        return ValidationReport(problems=[exc.problem])
    return validate_tree(tree, catalogue=catalogue)


def validate_tree(tree: etree._ElementTree, *, catalogue: Catalogue | None = None) -> ValidationReport:
    catalogue = catalogue or default_catalogue()
    root = tree.getroot()
    qname = etree.QName(root)
    entry = catalogue.for_document(qname.namespace, qname.localname)
    if entry is None:
        return ValidationReport(problems=[_unrecognised(catalogue, qname, root)], tree=tree)
    schema = catalogue.schema(entry)
    problems = [] if schema.validate(tree) else problems_from_log(schema.error_log, tree)
    problems.extend(content_problems(root, entry))
    return ValidationReport(problems=problems, entry=entry, tree=tree)


def _unrecognised(catalogue: Catalogue, qname: etree.QName, root: etree._Element) -> Problem:
    namespace = qname.namespace or ""
    known = catalogue.namespaces
    if namespace in known:
        return Problem(
            code="unknown-root",
            message=f"'{qname.localname}' is not a message type of version {known[namespace]}",
            line=root.sourceline,
            path=f"/{qname.localname}",
            expected="one of " + ", ".join(catalogue.roots(namespace)),
            found=qname.localname,
        )
    versioned = _VERSIONED_NS.match(namespace)
    same_module = versioned and [
        v for ns, v in known.items() if (m := _VERSIONED_NS.match(ns)) and m["base"] == versioned["base"]
    ]
    if versioned and same_module:
        return Problem(
            code="unknown-version",
            message=f"version {versioned['version']} of this module is not supported",
            line=root.sourceline,
            path=f"/{qname.localname}",
            expected="version " + " or ".join(sorted(same_module, reverse=True)),
            found=versioned["version"],
        )
    return Problem(
        code="unknown-namespace",
        message="the document is not a message of a known module and version",
        line=root.sourceline,
        path=f"/{qname.localname}",
        expected="namespace " + " or ".join(sorted(known)),
        found=namespace or "(no namespace)",
    )
