"""Benchmark messages: 2.0 fixtures widened to N claims (still XSD-valid)."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

from lxml import etree

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "2.0"
FIXTURE = FIXTURES / "Betaalvoorstel.xml"
NS = "urn:skp-gateway:schuldregeling:2.0"


def betaalvoorstel(claims: int) -> bytes:
    root = etree.fromstring(FIXTURE.read_bytes())
    vorderingen = root.find(f"{{{NS}}}Vorderingen")
    template = vorderingen[0]
    vorderingen.clear()
    for index in range(claims):
        claim = copy.deepcopy(template)
        claim.find(f"{{{NS}}}FactuurnummerSE").text = f"EN-2025-{index:07d}"
        amount = Decimal("100.00") + index
        claim.find(f"{{{NS}}}ActueelVorderingsbedrag").text = str(amount)
        claim.find(f"{{{NS}}}PrognoseEindbedrag").text = str(
            (amount * Decimal("0.2234")).quantize(Decimal("0.01"))
        )
        vorderingen.append(claim)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def saldoverzoek_antwoord(claims: int) -> bytes:
    """The SaldoverzoekAntwoord fixture with ``claims`` Vorderingen, cycling through its three kinds
    (openstaand, overgedragen, onbekend), each with its own invoice numbers."""
    root = etree.fromstring((FIXTURES / "SaldoverzoekAntwoord.xml").read_bytes())
    vorderingen = root.find(f"{{{NS}}}Vorderingen")
    templates = list(vorderingen)
    vorderingen.clear()
    for index in range(claims):
        claim = copy.deepcopy(templates[index % len(templates)])
        for name in ("FactuurnummerSE", "FactuurnummerSEVolgensSHV"):
            el = claim.find(f"{{{NS}}}{name}")
            if el is not None:
                el.text = f"EN-2025-{index:07d}"
        vorderingen.append(claim)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
