"""The NVVK Gedragscode Schuldhulpverlening as changed per 1 juli 2024, on proposals and akkoorden.

The code's two changes ("Het berekenen van de afloscapaciteit bij een voorstel tegen finale kwijting"
and "Problematische schuld definitie") and the questions answered with them, rule by rule; each rule's
docstring quotes its paragraph. Paragraph numbers are the Gedragscode's own: §1.x for the repayment
capacity and the 0-aanbod, §2 for the definition of a problematic debt, and the numbered questions of
§3 "Veelgestelde vragen" (under "Inzake schuldregelingen").

Errors refuse an outbound message; warnings are reported and the message is sent. Inbound every finding
is attached to the message, which is delivered (the receiver cannot correct the sender's message).

§1.4 "Overgangsperiode": "alle regelingen ... waarbij het voorstel is gedaan voor 1 juli 2024 [vallen]
onder de vorige Gedragscode Schuldhulpverlening (november 2023)". The rules of the 2024 changes
(capacity 0 means a 0-aanbod, the 18-month maximum, the 36-month test, the > 50 % alert) therefore apply
to proposals dated from 1 July 2024; the previous code's table (the NVVK "normenoverzicht", for members
only) is not checked. Rules that follow from the message itself apply whatever the date.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal

from gateway.model.enums import TypeSchuldregeling, Uitbetaalmomenten
from gateway.model.regeling import AkkoordVordering, SchuldregelingAkkoord
from gateway.model.voorstel import Begeleiding, Voorstel, VoorstelVordering
from gateway.rules.findings import Finding, error, warning

T = TypeSchuldregeling
INGANGSDATUM = date(2024, 7, 1)  # §1.4: the changed code applies to proposals made from this date
MAX_LOOPTIJD_MAANDEN = 18
PROBLEMATISCH_BINNEN_MAANDEN = 36
GRENS_AFKOOPPERCENTAGE = Decimal(50)
VOLLEDIG = Decimal(100)
_FINALE_KWIJTING = (T.SK, T.SB, T.SA)  # a regeling against final discharge
_VOLLEDIGE_BETALING = (T.BR, T.HF)  # betalingsregeling, herfinanciering: 100 % of the debt
_ZERO = Decimal(0)
Vorderingen = Sequence[VoorstelVordering | AkkoordVordering]


def voorstel_rules(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    nieuw = voorstel.datum_voorstel >= INGANGSDATUM
    yield from nul_aanbod_alleen_bij_afloscapaciteit_nul(voorstel, path)
    if nieuw:
        yield from afloscapaciteit_nul_vraagt_nul_aanbod(voorstel, path)
        yield from looptijd_hoogstens_18_maanden(voorstel, path)
        yield from geen_problematische_schuld(voorstel, path)
    if voorstel.is_nul_aanbod:
        yield from nul_aanbod_biedt_niets(voorstel.vorderingen, path)
        yield from nul_aanbod_met_toelichting(voorstel.begeleiding, voorstel.toelichting, path)
        yield from nul_aanbod_zonder_looptijd(voorstel, path)
        yield from nul_aanbod_vanaf_ingangsdatum(voorstel.datum_voorstel, f"{path}/datum_voorstel")
    yield from saneringskrediet_zonder_bedrag(voorstel, path)
    yield from eenmalige_uitbetaling(voorstel.type_schuldregeling, voorstel.uitbetaalmomenten, path)
    yield from schuldbemiddeling_gemotiveerd(voorstel, path)
    yield from volledige_betaling(voorstel.type_schuldregeling, voorstel.vorderingen, path)
    yield from volledige_betaling_zonder_afloscapaciteit(voorstel, path)
    yield from aanbod_binnen_afloscapaciteit(voorstel, path)
    if nieuw:
        yield from boven_50_procent(voorstel.type_schuldregeling, voorstel.vorderingen, path)


def akkoord_rules(akkoord: SchuldregelingAkkoord, path: str) -> Iterator[Finding]:
    """An akkoord has no capacity, term or proposal date: the rules that need none of them."""
    if akkoord.is_nul_aanbod:
        yield from nul_aanbod_biedt_niets(akkoord.vorderingen, path)
        yield from nul_aanbod_met_toelichting(akkoord.begeleiding, akkoord.toelichting, path)
        yield from nul_aanbod_vanaf_ingangsdatum(akkoord.datum_akkoord, f"{path}/datum_akkoord")
    yield from eenmalige_uitbetaling(akkoord.type_schuldregeling, akkoord.uitbetaalmomenten, path)
    yield from volledige_betaling(akkoord.type_schuldregeling, akkoord.vorderingen, path)
    yield from boven_50_procent(akkoord.type_schuldregeling, akkoord.vorderingen, path)


# -- §1: the repayment capacity and the 0-aanbod ---------------------------------------------------------


def nul_aanbod_alleen_bij_afloscapaciteit_nul(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    """§1.2 "Het doen van een 0-aanbod": "Als de afloscapaciteit op 0,0 uitkomt doe je een 0-aanbod"; and
    §1.8 (capacity under € 10 a month): "Bied ik in dat geval een krediet aan? Ja, op dit moment is er
    geen ondergrens." Any capacity above 0.00 gets an offer, never a 0-aanbod."""
    if voorstel.is_nul_aanbod and voorstel.afloscapaciteit_per_maand != _ZERO:
        yield error(
            "nul-aanbod-met-afloscapaciteit",
            f"{path}/afloscapaciteit_per_maand",
            "a nul-aanbod is only made when the repayment capacity is exactly 0.00; with any capacity "
            "above 0 (even under € 10 a month) offer a saneringskrediet or schuldbemiddeling",
        )


def afloscapaciteit_nul_vraagt_nul_aanbod(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    """§1.3 "Is het 0-aanbod een bemiddeling of saneringskrediet?": "Bij een 0-aanbod is het niet wenselijk
    om een kredietovereenkomst aan te gaan" (an SK at capacity 0: error) and "Je kiest alleen voor
    schuldbemiddeling als de afloscapaciteit (sterk) varieert per maand of als je verwacht dat deze in
    de komende 18 maanden gaat stijgen (of juist dalen)" (an SB at capacity 0: warning)."""
    if voorstel.afloscapaciteit_per_maand != _ZERO:
        return
    field = f"{path}/type_schuldregeling"
    if voorstel.type_schuldregeling is T.SK:
        yield error(
            "afloscapaciteit-nul-zonder-nul-aanbod",
            field,
            "the repayment capacity is 0.00: the Gedragscode asks for a nul-aanbod (type SA) with guidance, "
            "not a saneringskrediet",
        )
    elif voorstel.type_schuldregeling is T.SB:
        yield warning(
            "afloscapaciteit-nul-zonder-nul-aanbod",
            field,
            "the repayment capacity is 0.00: a schuldbemiddeling fits only when the capacity is expected to "
            "change within 18 months; otherwise make a nul-aanbod (type SA) with guidance",
        )


def nul_aanbod_biedt_niets(vorderingen: Vorderingen, path: str) -> Iterator[Finding]:
    """§1 (the decision of the members' meeting): "als die [afloscapaciteit] 0 is, bieden zij € 0,00 aan
    onder voorwaarde van passende begeleiding"."""
    for index, claim in enumerate(vorderingen):
        if claim.afkooppercentage != _ZERO or claim.prognose_eindbedrag != _ZERO:
            yield error(
                "nul-aanbod-met-bedrag",
                f"{path}/vorderingen/{index}",
                "a nul-aanbod offers 0.00 at 0 % on every claim",
            )


def nul_aanbod_met_toelichting(
    begeleiding: Begeleiding | None, toelichting: str | None, path: str
) -> Iterator[Finding]:
    """§1.2 "Het doen van een 0-aanbod": "In de toelichting bijvoorbeeld opnemen: de verwachting omtrent
    ... een stijging van het inkomen de komende 18 maanden; de financiële begeleiding die de gemeente
    aanbiedt; de doelen die zijn afgesproken met de hulpvrager." Text of only white space says nothing
    and counts as none."""
    parts = _begeleiding_parts(begeleiding)
    given = [name for name, text in parts if not _blank(text)]
    if not given and _blank(toelichting):
        yield error(
            "nul-aanbod-zonder-toelichting",
            f"{path}/begeleiding",
            "a nul-aanbod must explain the financial guidance offered, the income outlook for the next 18 "
            "months and the goals agreed with the client",
        )
    elif not given:
        yield warning(
            "nul-aanbod-zonder-begeleiding",
            f"{path}/begeleiding",
            "the nul-aanbod has only a free toelichting; give the guidance, the income outlook for 18 "
            "months and the agreed goals as Begeleiding",
        )
    else:
        for name, text in parts:
            if _blank(text):
                yield warning(
                    "nul-aanbod-begeleiding-onvolledig",
                    f"{path}/begeleiding/{name}",
                    "this part of the nul-aanbod's Begeleiding is blank",
                )


def nul_aanbod_zonder_looptijd(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    """§1.3: "Bij een 0-aanbod zonder perspectief op wijziging van de afloscapaciteit is directe finale
    kwijting wenselijk": a 0-aanbod has no repayment term and no periodic payments."""
    if voorstel.looptijd_maanden:
        yield warning(
            "nul-aanbod-met-looptijd",
            f"{path}/looptijd_maanden",
            "a nul-aanbod gives final discharge at once: it has no repayment term",
        )
    if voorstel.uitbetaalmomenten is Uitbetaalmomenten.PERIODIEK:
        yield warning(
            "nul-aanbod-periodiek",
            f"{path}/uitbetaalmomenten",
            "a nul-aanbod pays nothing, so nothing is paid periodically",
        )


def nul_aanbod_vanaf_ingangsdatum(datum: date, field: str) -> Iterator[Finding]:
    """§1.4 "Overgangsperiode": proposals made before 1 July 2024 fall under the previous Gedragscode
    (november 2023), which has no 0-aanbod."""
    if datum < INGANGSDATUM:
        yield error(
            "nul-aanbod-voor-ingangsdatum",
            field,
            "a proposal made before 2024-07-01 falls under the previous Gedragscode and cannot be a "
            "nul-aanbod",
        )


def saneringskrediet_zonder_bedrag(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    """§1.8 (no lower bound: a capacity above 0 gets a credit, however small) beside §3 question 4 (the
    interim "saneringskrediet van € 0,00" for the 0-aanbod): an SK offering 0.00 on every claim at a
    capacity above 0 is a real credit whose shares round to 0.00. It is sent and read as an SK, but a
    counterpart that recognises the € 0.00 workaround by its amounts alone may take it for a 0-aanbod."""
    if (
        voorstel.type_schuldregeling is T.SK
        and voorstel.afloscapaciteit_per_maand > _ZERO
        and all(c.afkooppercentage == _ZERO and c.prognose_eindbedrag == _ZERO for c in voorstel.vorderingen)
    ):
        yield warning(
            "saneringskrediet-zonder-bedrag",
            f"{path}/vorderingen",
            "every claim is offered 0.00 at 0 % although the repayment capacity is above 0: this is a "
            "saneringskrediet whose shares round to 0.00, not a nul-aanbod (which is made at capacity 0.00)",
        )


# -- the kind of regeling: term and payments ------------------------------------------------------------


def looptijd_hoogstens_18_maanden(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    """§1.3: "Het bieden van een standaard saneringskrediet met aflostermijn van 18 maanden", and §3
    question 6: "Een traject duurt dus de schuldregelingsfase, waarin loonbeslag ligt, + maximaal 18
    maanden." Eighteen months is the maximum: a shorter term is fine, a longer one is not."""
    looptijd = voorstel.looptijd_maanden
    if (
        voorstel.type_schuldregeling in (T.SK, T.SB)
        and looptijd is not None
        and looptijd > MAX_LOOPTIJD_MAANDEN
    ):
        yield error(
            "looptijd-boven-18-maanden",
            f"{path}/looptijd_maanden",
            f"a saneringskrediet or schuldbemiddeling runs at most {MAX_LOOPTIJD_MAANDEN} months for a "
            "proposal made from 2024-07-01",
        )


def eenmalige_uitbetaling(
    soort: TypeSchuldregeling, momenten: Uitbetaalmomenten | None, path: str
) -> Iterator[Finding]:
    """SB: §3 question 10 "Betaalmomenten aan schuldeisers": "wordt het gespaarde bedrag na afloop van de 18
    maanden overgemaakt naar de schuldeisers. Er vinden in principe geen tussentijdse betalingen plaats."
    SK: §1.3 "Een saneringskrediet is een sociale lening voor een bedrag dat tegen finale kwijting aan
    schuldeisers wordt aangeboden": the creditors are paid once. ("Geliquideerd vermogen of een hoge
    uitdeling kunnen reden zijn om daarvan af te wijken": a warning, not an error.)"""
    if soort in (T.SK, T.SB) and momenten is Uitbetaalmomenten.PERIODIEK:
        yield warning(
            "uitbetaling-periodiek",
            f"{path}/uitbetaalmomenten",
            "a saneringskrediet or schuldbemiddeling pays the creditors once (Eenmalig); periodic payments "
            "are an exception (liquidated assets, a high distribution)",
        )


def schuldbemiddeling_gemotiveerd(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    """§3 question 8: "Je kiest in principe alleen voor een schuldbemiddeling als de afloscapaciteit (sterk)
    varieert per maand of als er een grote inkomensstijging of -daling verwacht wordt gedurende de
    aflosperiode" (also §1.3): the standard is a saneringskrediet, so an SB says why."""
    if voorstel.type_schuldregeling is T.SB and _blank(voorstel.toelichting):
        yield warning(
            "schuldbemiddeling-zonder-motivering",
            f"{path}/toelichting",
            "a schuldbemiddeling is chosen only when the capacity varies strongly or a large change of "
            "income is expected: explain which in the Toelichting",
        )


# -- §2: the definition of a problematic debt ------------------------------------------------------------


def geen_problematische_schuld(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    """§2 "Problematische schuld definitie": "Als de hulpvrager zijn schulden binnen 36 maanden kan betalen,
    dan is er in principe geen sprake van een problematische schuldsituatie. De schulden worden in dat
    geval geregeld door herfinanciering of een betalingsregeling." A proposal against final discharge
    while 36 × the capacity covers the total debt: a warning (§2.1 leaves room for maatwerk)."""
    totaal = voorstel.totale_vastgestelde_schuld_preferent + voorstel.totale_vastgestelde_schuld_concurrent
    binnen_36 = voorstel.afloscapaciteit_per_maand * PROBLEMATISCH_BINNEN_MAANDEN
    if voorstel.type_schuldregeling in _FINALE_KWIJTING and totaal > _ZERO and binnen_36 >= totaal:
        yield warning(
            "geen-problematische-schuld",
            f"{path}/afloscapaciteit_per_maand",
            f"{PROBLEMATISCH_BINNEN_MAANDEN} months of this repayment capacity pay the total debt: that is "
            "in principle no problematic debt; a betalingsregeling or herfinanciering (100 %) fits",
        )


def volledige_betaling(soort: TypeSchuldregeling, vorderingen: Vorderingen, path: str) -> Iterator[Finding]:
    """§2: "In situaties waarin sprake is van schulden welke in een periode van 36 maanden wel oplosbaar
    zijn, zijn 100% betalingsvoorstellen mogelijk" by "herfinanciering of een betalingsregeling": a BR or
    HF pays every claim in full; less is a regeling against final discharge (SK or SB)."""
    if soort not in _VOLLEDIGE_BETALING:
        return
    for index, claim in enumerate(vorderingen):
        if claim.afkooppercentage < VOLLEDIG:
            yield error(
                "volledige-betaling-onder-100",
                f"{path}/vorderingen/{index}/afkooppercentage",
                "a betalingsregeling or herfinanciering pays 100 % of the claim; an offer below it is a "
                "saneringskrediet or schuldbemiddeling",
            )


def volledige_betaling_zonder_afloscapaciteit(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    """§2: "In principe kan alleen met inleg van de boedel of inleg van geliquideerd vermogen een
    schuldregeling ... nog boven de 50% uitkomen": without capacity only those can pay 100 %."""
    if voorstel.type_schuldregeling in _VOLLEDIGE_BETALING and voorstel.afloscapaciteit_per_maand == _ZERO:
        yield warning(
            "volledige-betaling-zonder-afloscapaciteit",
            f"{path}/afloscapaciteit_per_maand",
            "a 100 % proposal at a repayment capacity of 0.00 can only be paid from the estate or from "
            "liquidated assets: say so in the Toelichting",
        )


def aanbod_binnen_afloscapaciteit(voorstel: Voorstel, path: str) -> Iterator[Finding]:
    """§1 (the decision): "NVVK-leden houden het vrij te laten bedrag (vtlb) aan voor het berekenen van de
    afloscapaciteit", and §3 question 1: "Een aanbod doen waarbij de hulpvrager onder het vtlb uitkomt is
    daarom niet meer mogelijk." The claims offered here (one creditor's part of the whole) cannot exceed
    capacity × term (an SK or SB without a term: 18 months) unless the estate or liquidated assets add to
    it (§2): a warning."""
    looptijd = voorstel.looptijd_maanden
    if not looptijd and voorstel.type_schuldregeling in (T.SK, T.SB):
        looptijd = MAX_LOOPTIJD_MAANDEN
    if voorstel.is_nul_aanbod or not looptijd:
        return
    aanbod = sum((c.prognose_eindbedrag for c in voorstel.vorderingen), _ZERO)
    if aanbod > voorstel.afloscapaciteit_per_maand * looptijd:
        yield warning(
            "aanbod-boven-afloscapaciteit",
            f"{path}/vorderingen",
            "the claims are offered more than the repayment capacity times the term: the client would pay "
            "from below the vrij te laten bedrag, unless the estate or liquidated assets add to it",
        )


def boven_50_procent(soort: TypeSchuldregeling, vorderingen: Vorderingen, path: str) -> Iterator[Finding]:
    """§2: "Wees dus alert op alle voorstellen van boven de 50%. In principe kan alleen met inleg van de
    boedel of inleg van geliquideerd vermogen een schuldregeling tegen finale kwijting nog boven de 50%
    uitkomen." Only for a regeling against final discharge: a BR or HF is a 100 % proposal."""
    if soort in _VOLLEDIGE_BETALING:
        return
    for index, claim in enumerate(vorderingen):
        if claim.afkooppercentage > GRENS_AFKOOPPERCENTAGE:
            yield warning(
                "afkooppercentage-boven-50",
                f"{path}/vorderingen/{index}/afkooppercentage",
                "a proposal above 50 % is unusual for a problematic debt (normally only with the estate or "
                "liquidated assets): check whether a payment plan or refinancing fits better",
            )


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _begeleiding_parts(begeleiding: Begeleiding | None) -> list[tuple[str, str | None]]:
    names = ("financiele_begeleiding", "inkomensperspectief_komende_18_maanden", "afgesproken_doelen")
    return [(name, getattr(begeleiding, name) if begeleiding is not None else None) for name in names]
