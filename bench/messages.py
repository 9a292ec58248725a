"""Benchmark messages: the 2.0 Betaalvoorstel fixture widened to N claims (still XSD-valid)."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

from lxml import etree

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "2.0" / "Betaalvoorstel.xml"
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
