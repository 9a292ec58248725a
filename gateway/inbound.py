"""Inbound processing for the poller: validate → decode → rules → JSON form; and the Foutbericht answer.

Implements :class:`gateway.engine.processing.InboundProcessing` with the real schema catalogue and
codec. A message is quarantined (and answered with a Foutbericht) when it is not valid against
its XSD, cannot be mapped onto the model, or is addressed to another party than this gateway.

A valid message is delivered whatever the Gedragscode and consistency rules find in it: the receiver
cannot correct the sender's message, so the findings travel with it as its ``bevindingen``
(:mod:`gateway.engine.findings`). That includes a proposal whose encoding contradicts itself: an SK
offering 0.00 everywhere at a capacity above 0 is read as the SK it says it is (not as the € 0.00
nul-aanbod workaround) and carries the finding ``saneringskrediet-zonder-bedrag``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from gateway.adresboek import Adresboek
from gateway.codec import DecodeError, decode_tree, encode
from gateway.codec.json_form import to_json
from gateway.engine.processing import Inspection
from gateway.model.bericht import klantnummer_shv
from gateway.model.header import Berichtheader
from gateway.model.status import Fout, Foutbericht
from gateway.rules import check_rules
from gateway.xml.checks import text_value
from gateway.xml.parsing import DEFAULT_LIMITS, ParseLimits
from gateway.xml.validate import validate_document

MAX_FOUTEN = 100
_HEADER_FIELDS = {
    "Referentienummer": "referentienummer",
    "ConversatieReferentienummer": "conversatie",
    "Afzender": "afzender",
    "Ontvanger": "ontvanger",
}


def _header_fields(tree: etree._ElementTree | None) -> dict[str, str]:
    """What can be read of the Berichtheader, even of a document that is not valid."""
    if tree is None:
        return {}
    root = tree.getroot()
    ns = etree.QName(root).namespace
    header = root.find(f"{{{ns}}}Berichtheader" if ns else "Berichtheader")
    if header is None:
        return {}
    found = {}
    for child in header:
        name = _HEADER_FIELDS.get(etree.QName(child).localname)
        value = text_value(child).strip() if name else ""  # whole, as XSD reads it (a comment splits .text)
        if value:
            found[name] = value
    return found


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split()) or "-"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class InboundProcessor:
    """The gateway's :class:`~gateway.engine.processing.InboundProcessing`."""

    def __init__(
        self,
        *,
        eigen_adres: str,
        adresboek: Adresboek,
        limits: ParseLimits = DEFAULT_LIMITS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._eigen_adres = eigen_adres
        self._adresboek = adresboek
        self._limits = limits
        self._clock = clock

    def inspect(self, document: bytes) -> Inspection:
        report = validate_document(document, limits=self._limits)
        header = _header_fields(report.tree)
        berichttype = report.entry.berichttype if report.entry else None
        if not report.ok or report.tree is None or report.entry is None:
            return Inspection(False, tuple(p.to_dict() for p in report.problems), berichttype, **header)
        try:
            bericht = decode_tree(report.tree, report.entry)
        except DecodeError as exc:
            return Inspection(False, tuple(p.to_dict() for p in exc.problems), berichttype, **header)
        if bericht.berichtheader.ontvanger != self._eigen_adres:
            problem = {
                "code": "wrong-recipient",
                "message": "the Berichtheader names another Ontvanger than this gateway",
                "path": f"/{report.entry.root}/Berichtheader/Ontvanger",
                "expected": self._eigen_adres,
            }
            return Inspection(False, (problem,), berichttype, **header)
        body = json.dumps(to_json(bericht), ensure_ascii=False, separators=(",", ":")).encode()
        inspection = Inspection(
            True, (), berichttype, json_body=body, klantnummer_shv=klantnummer_shv(bericht), **header
        )
        bevindingen = [f.to_dict() for f in check_rules(bericht)]
        return inspection.with_bevindingen(bevindingen) if bevindingen else inspection

    def foutbericht(
        self,
        for_document: bytes,
        problems: Sequence[Mapping[str, Any]],
        *,
        referentienummer: str,
        gerefereerd: str,
        ontvanger: str,
        conversatie: str | None,
    ) -> bytes:
        """The Foutbericht to the sender, in the version our address book gives it; for a sender it does
        not hold, in the version of the message answered (what it evidently speaks; 2.0 if unknown)."""
        berichttype = None
        report = validate_document(for_document, limits=self._limits)
        if report.entry is not None:
            berichttype = report.entry.root
        fouten = tuple(
            Fout(
                code=_truncate(str(p.get("code") or "fout"), 50),
                omschrijving=_truncate(str(p.get("message") or "invalid"), 1000),
                locatie=_truncate(str(p["path"]), 1000) if p.get("path") else None,
                regel=int(p["line"]) if isinstance(p.get("line"), int) and p["line"] > 0 else None,
            )
            for p in list(problems)[:MAX_FOUTEN]
        ) or (Fout(code="ongeldig-bericht", omschrijving="the message was not accepted"),)
        bericht = Foutbericht(
            berichtheader=Berichtheader(
                referentienummer=referentienummer,
                conversatie_referentienummer=conversatie or str(uuid.uuid4()),
                afzender=self._eigen_adres,
                ontvanger=ontvanger,
                datum_tijd=self._clock().astimezone(UTC).replace(microsecond=0),
            ),
            gerefereerd_bericht=gerefereerd,
            gerefereerd_berichttype=berichttype,
            fouten=fouten,
        )
        partij = self._adresboek.get(ontvanger) if ontvanger in self._adresboek else None
        if partij is None:  # a sender we do not hold: the version it evidently speaks
            return encode(bericht, report.entry.versie if report.entry is not None else "2.0")
        return encode(bericht, partij.versie, partij.nul_aanbod_codering)
