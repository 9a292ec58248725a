"""NVVK Gedragscode Schuldhulpverlening (per 1 July 2024; DESIGN.md §3) on proposals and akkoorden.

- a nul-aanbod (type SA) only when the repayment capacity (AfloscapaciteitPerMaand) is exactly 0, and a
  capacity of 0 must be a nul-aanbod: any capacity above 0, even under € 10 a month, gets an SK/SB offer
  (NVVK 1.8). At capacity 0 an SK is an error; an SB a warning, because NVVK 1.3 allows a schuldbemiddeling
  when the capacity is expected to change within 18 months;
- a nul-aanbod offers 0.00 at 0 % on every claim;
- a nul-aanbod carries its toelichting (Begeleiding: guidance, income outlook for 18 months, goals);
- a proposal made before 2024-07-01 falls under the previous code and cannot be a nul-aanbod;
- an Afkooppercentage above 50 % is a warning ("wees alert op alle voorstellen van boven de 50 %");
- SK and SB run 18 months.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal

from gateway.model.enums import TypeSchuldregeling
from gateway.model.regeling import AkkoordVordering, SchuldregelingAkkoord
from gateway.model.voorstel import Begeleiding, Voorstel, VoorstelVordering
from gateway.rules.findings import Finding, error, warning

INGANG_NUL_AANBOD = date(2024, 7, 1)
LOOPTIJD_MAANDEN = 18
GRENS_AFKOOPPERCENTAGE = Decimal(50)
_REGELING_MET_AFLOSSING = (TypeSchuldregeling.SK, TypeSchuldregeling.SB)
_ZERO = Decimal(0)


def voorstel_rules(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    nul = voorstel.is_nul_aanbod
    capaciteit = voorstel.afloscapaciteit_per_maand
    if nul and capaciteit != _ZERO:
        yield error(
            "nul-aanbod-met-afloscapaciteit",
            f"{path}/afloscapaciteit_per_maand",
            "a nul-aanbod is only made when the repayment capacity is exactly 0.00; with any capacity "
            "above 0 (even under € 10 a month) offer a saneringskrediet or schuldbemiddeling",
        )
    if not nul and capaciteit == _ZERO and voorstel.type_schuldregeling is TypeSchuldregeling.SK:
        yield error(
            "afloscapaciteit-nul-zonder-nul-aanbod",
            f"{path}/type_schuldregeling",
            "the repayment capacity is 0.00: the Gedragscode asks for a nul-aanbod (type SA) with guidance, "
            "not a saneringskrediet",
        )
    if not nul and capaciteit == _ZERO and voorstel.type_schuldregeling is TypeSchuldregeling.SB:
        # NVVK 1.3: schuldbemiddeling fits when the capacity is expected to change in the next 18 months;
        # without that perspective direct final discharge (the nul-aanbod) is preferred.
        yield warning(
            "afloscapaciteit-nul-zonder-nul-aanbod",
            f"{path}/type_schuldregeling",
            "the repayment capacity is 0.00: a schuldbemiddeling fits only when the capacity is expected to "
            "change within 18 months; otherwise make a nul-aanbod (type SA) with guidance",
        )
    if nul:
        yield from _nul_aanbod(voorstel.vorderingen, voorstel.begeleiding, voorstel.toelichting, path)
        if voorstel.datum_voorstel < INGANG_NUL_AANBOD:
            yield error(
                "nul-aanbod-voor-ingangsdatum",
                f"{path}/datum_voorstel",
                "a proposal made before 2024-07-01 falls under the previous Gedragscode and cannot be a "
                "nul-aanbod",
            )
    if voorstel.type_schuldregeling in _REGELING_MET_AFLOSSING and voorstel.looptijd_maanden not in (
        None,
        LOOPTIJD_MAANDEN,
    ):
        yield error(
            "looptijd-niet-18-maanden",
            f"{path}/looptijd_maanden",
            "a saneringskrediet or schuldbemiddeling runs 18 months",
        )
    yield from _boven_50(voorstel.vorderingen, path)


def akkoord_rules(akkoord: SchuldregelingAkkoord, path: str) -> Iterator[Finding]:
    if not akkoord.is_nul_aanbod:
        yield from _boven_50(akkoord.vorderingen, path)
        return
    yield from _nul_aanbod(akkoord.vorderingen, akkoord.begeleiding, akkoord.toelichting, path)
    if akkoord.datum_akkoord < INGANG_NUL_AANBOD:
        yield error(
            "nul-aanbod-voor-ingangsdatum",
            f"{path}/datum_akkoord",
            "an arrangement agreed before 2024-07-01 was proposed under the previous Gedragscode and cannot "
            "be a nul-aanbod",
        )


def _nul_aanbod(
    vorderingen: Sequence[VoorstelVordering | AkkoordVordering],
    begeleiding: Begeleiding | None,
    toelichting: str | None,
    path: str,
) -> Iterator[Finding]:
    for index, claim in enumerate(vorderingen):
        if claim.afkooppercentage != _ZERO or claim.prognose_eindbedrag != _ZERO:
            yield error(
                "nul-aanbod-met-bedrag",
                f"{path}/vorderingen/{index}",
                "a nul-aanbod offers 0.00 at 0 % on every claim",
            )
    if begeleiding is None and toelichting is None:
        yield error(
            "nul-aanbod-zonder-toelichting",
            f"{path}/begeleiding",
            "a nul-aanbod must explain the financial guidance offered, the income outlook for the next 18 "
            "months and the goals agreed with the client",
        )
    elif begeleiding is None:
        yield warning(
            "nul-aanbod-zonder-begeleiding",
            f"{path}/begeleiding",
            "the nul-aanbod has only a free toelichting; give the guidance, the income outlook for 18 "
            "months and the agreed goals as Begeleiding",
        )


def _boven_50(vorderingen: Sequence[VoorstelVordering | AkkoordVordering], path: str) -> Iterator[Finding]:
    for index, claim in enumerate(vorderingen):
        if claim.afkooppercentage > GRENS_AFKOOPPERCENTAGE:
            yield warning(
                "afkooppercentage-boven-50",
                f"{path}/vorderingen/{index}/afkooppercentage",
                "a proposal above 50 % is unusual for a problematic debt (normally only with the estate or "
                "liquidated assets): check whether a payment plan or refinancing fits better",
            )
