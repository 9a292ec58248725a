"""The conversation table, both sides of every line: each message type in each phase, from each role.

``EXPECTED`` below is written out by hand (not computed from the table), so a changed row in
gateway/conversatie/tabel.py shows up here as a failing case naming type and phase.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from gateway.conversatie.machine import Gebeurtenis, Weigering, stap
from gateway.conversatie.tabel import Fase, antwoorden_op, kan_openen, kan_termijn_starten
from gateway.conversatie.uitleg import als_markdown, berichttype_uit_naam, naam_11
from gateway.model.berichttype import Berichttype, Rol
from gateway.store.records import Conversatie, ConversationState, WachtOp
from tests.conftest import ROOT

B, F = Berichttype, Fase
SE_ID, SHV_ID = str(uuid.uuid4()), str(uuid.uuid4())
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

_BEFORE_PROPOSAL = "nieuw gemeld saldo-ontvangen voorstel akkoord niet-akkoord"
# type: {phase(s) it may follow: phase after (None: unchanged)}; every other phase refuses it
EXPECTED: dict[Berichttype, dict[str, str | None]] = {
    B.KENNISGEVING: {"nieuw kennisgeving": "kennisgeving"},
    B.KENNISGEVING_PUBLIEK: {"nieuw kennisgeving": "kennisgeving"},
    B.KENNISGEVING_ANTWOORD: {"kennisgeving": "gemeld"},
    B.GEEN_MEDEWERKING: {"kennisgeving saldo-gevraagd": "geen-medewerking"},
    B.SALDOVERZOEK: {"nieuw gemeld saldo-gevraagd saldo-ontvangen vooraf-akkoord": "saldo-gevraagd"},
    B.SALDOVERZOEK_ANTWOORD: {"saldo-gevraagd": "saldo-ontvangen"},
    B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD: {"saldo-gevraagd": "vooraf-akkoord"},
    B.BETAALVOORSTEL: {
        _BEFORE_PROPOSAL: "voorstel",
        "vooraf-akkoord voorstel-vooraf-akkoord": "voorstel-vooraf-akkoord",
    },
    B.HEROVERWEGING: {"niet-akkoord": "voorstel"},
    B.BETAALVOORSTEL_ANTWOORD: {"voorstel voorstel-vooraf-akkoord": "akkoord"},
    B.SCHULDREGELING_AKKOORD: {"akkoord vooraf-akkoord voorstel-vooraf-akkoord": "regeling"},
    B.SCHULDREGELING_BEEINDIGD: {"regeling": "beeindigd"},
    B.STATUSVERZOEK: {"nieuw status-gegeven": "status-gevraagd"},
    B.STATUSBERICHT_SHV: {"status-gevraagd": "status-gegeven", "*": None},
    B.STATUSBERICHT_SE: {"*": None},
    B.FOUTBERICHT: {"*": None},
}
SENDER = {
    B.KENNISGEVING: Rol.SHV, B.KENNISGEVING_PUBLIEK: Rol.SHV, B.SALDOVERZOEK: Rol.SHV,
    B.BETAALVOORSTEL: Rol.SHV, B.HEROVERWEGING: Rol.SHV, B.SCHULDREGELING_AKKOORD: Rol.SHV,
    B.SCHULDREGELING_BEEINDIGD: Rol.SHV, B.STATUSBERICHT_SHV: Rol.SHV,
    B.KENNISGEVING_ANTWOORD: Rol.SE, B.GEEN_MEDEWERKING: Rol.SE, B.SALDOVERZOEK_ANTWOORD: Rol.SE,
    B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD: Rol.SE, B.BETAALVOORSTEL_ANTWOORD: Rol.SE,
    B.STATUSVERZOEK: Rol.SE, B.STATUSBERICHT_SE: Rol.SE,
}  # fmt: skip
REFUSAL = {
    B.KENNISGEVING_ANTWOORD: "no-open-question",
    B.GEEN_MEDEWERKING: "no-open-question",
    B.SALDOVERZOEK_ANTWOORD: "no-open-question",
    B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD: "no-open-question",
    B.BETAALVOORSTEL_ANTWOORD: "no-open-question",
    B.HEROVERWEGING: "no-niet-akkoord",
    B.SCHULDREGELING_AKKOORD: "no-akkoord",
    B.SCHULDREGELING_BEEINDIGD: "no-regeling",
}
VOORAF = {F.VOORAF_AKKOORD, F.VOORSTEL_VOORAF_AKKOORD}  # phases that come only after a vooraf akkoord


def conversation(fase: Fase, *, tegenpartij: str = SE_ID, stappen: int = 3) -> Conversatie:
    return Conversatie(
        conversatie="c-1",
        vraag_referentienummer="q-1",
        vraag_berichttype="Saldoverzoek",
        tegenpartij=tegenpartij,
        wacht_op=WachtOp.TEGENPARTIJ,
        verwachte_antwoorden=(),
        antwoord_uiterlijk=None,
        state=ConversationState.ANSWERED,
        geopend_op=MONDAY,
        beantwoord_door=None,
        beantwoord_op=None,
        updated_at=MONDAY,
        fase=fase.value,
        vooraf_akkoord=fase in VOORAF,
        stappen=stappen,
    )


def event(bt: Berichttype, *, van: Rol | None = None, uitkomst: str | None = None, **kw) -> Gebeurtenis:
    return Gebeurtenis(
        bt, kw.pop("ref", str(uuid.uuid4())), "c-1", kw.pop("tegenpartij", SE_ID),
        van or SENDER.get(bt, Rol.SHV), kw.pop("at", MONDAY), uitkomst=uitkomst, **kw,
    )  # fmt: skip


def expected(bt: Berichttype, fase: Fase) -> tuple[bool, str | None]:
    for phases, after in EXPECTED[bt].items():
        if phases == "*" or fase.value in phases.split():
            return True, after
    return False, None


CASES = [(bt, fase) for bt in Berichttype for fase in Fase]


@pytest.mark.parametrize(("bt", "fase"), CASES, ids=[f"{b.value}-{f.value}" for b, f in CASES])
def test_every_type_in_every_phase(bt: Berichttype, fase: Fase) -> None:
    huidig = None if fase is F.NIEUW else conversation(fase)
    allowed, after = expected(bt, fase)
    g = event(bt, uitkomst="Akkoord" if bt is B.BETAALVOORSTEL_ANTWOORD else None)
    if allowed:
        result = stap(huidig, g, eigen_rol=Rol.SHV)
        if after is None:  # a notice: nothing changes and nothing is written
            assert result.na is huidig and result.wijziging is None
        else:
            assert result.na is not None and result.na.fase == after
            assert result.wijziging is not None
            assert result.wijziging.previous_stappen == (0 if huidig is None else 3)
            assert result.na.stappen == (1 if huidig is None else 4)
        return
    with pytest.raises(Weigering) as refused:
        stap(huidig, g, eigen_rol=Rol.SHV)
    if fase is F.NIEUW:
        code = "unknown-conversation"
    elif fase in (F.BEEINDIGD, F.GEEN_MEDEWERKING):
        code = "conversation-ended"
    else:
        code = REFUSAL.get(bt, "out-of-order")
    assert refused.value.code == code, refused.value.message


@pytest.mark.parametrize("bt", [b for b in Berichttype if b is not B.FOUTBERICHT])
def test_each_type_from_the_other_role_is_the_wrong_direction(bt: Berichttype) -> None:
    wrong = Rol.SE if SENDER[bt] is Rol.SHV else Rol.SHV
    with pytest.raises(Weigering) as refused:
        stap(conversation(F.SALDO_GEVRAAGD), event(bt, van=wrong), eigen_rol=Rol.SHV)
    assert refused.value.code == "wrong-direction"
    assert stap(None, event(B.FOUTBERICHT, van=wrong), eigen_rol=Rol.SHV).na is None  # either side


def test_a_conversation_has_one_counterpart() -> None:
    huidig = conversation(F.SALDO_GEVRAAGD)
    assert stap(huidig, event(B.SALDOVERZOEK_ANTWOORD), eigen_rol=Rol.SHV).na.fase == "saldo-ontvangen"
    with pytest.raises(Weigering) as refused:
        stap(huidig, event(B.SALDOVERZOEK_ANTWOORD, tegenpartij=str(uuid.uuid4())), eigen_rol=Rol.SHV)
    assert refused.value.code == "wrong-counterpart"
    with pytest.raises(Weigering):  # a notice too
        stap(huidig, event(B.STATUSBERICHT_SE, tegenpartij=str(uuid.uuid4())), eigen_rol=Rol.SHV)


def test_the_answer_decides_akkoord_or_niet_akkoord_and_only_niet_akkoord_allows_heroverweging() -> None:
    voorstel = conversation(F.VOORSTEL)
    akkoord = stap(voorstel, event(B.BETAALVOORSTEL_ANTWOORD, uitkomst="Akkoord"), eigen_rol=Rol.SHV).na
    niet = stap(voorstel, event(B.BETAALVOORSTEL_ANTWOORD, uitkomst="NietAkkoord"), eigen_rol=Rol.SHV).na
    assert (akkoord.fase, niet.fase) == ("akkoord", "niet-akkoord")
    assert stap(niet, event(B.HEROVERWEGING), eigen_rol=Rol.SHV).na.fase == "voorstel"
    with pytest.raises(Weigering, match="follows a conversation that has the creditor's NietAkkoord"):
        stap(akkoord, event(B.HEROVERWEGING), eigen_rol=Rol.SHV)
    assert stap(akkoord, event(B.SCHULDREGELING_AKKOORD), eigen_rol=Rol.SHV).na.fase == "regeling"
    with pytest.raises(Weigering) as refused:
        stap(niet, event(B.SCHULDREGELING_AKKOORD), eigen_rol=Rol.SHV)
    assert refused.value.code == "no-akkoord"


def test_after_a_vooraf_akkoord_a_proposal_awaits_nothing_and_never_turns_overdue() -> None:
    shv = Rol.SHV
    c = stap(None, event(B.SALDOVERZOEK, aangekomen=False), eigen_rol=shv).na
    assert (c.state, c.termijn, c.antwoord_uiterlijk) == (ConversationState.OPEN, True, None)  # at delivery
    c = stap(c, event(B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD), eigen_rol=shv).na
    assert c.vooraf_akkoord and c.state is ConversationState.ANSWERED
    c = stap(c, event(B.BETAALVOORSTEL, aangekomen=False), eigen_rol=shv).na
    assert c.fase == "voorstel-vooraf-akkoord"
    assert (c.state, c.termijn, c.verwachte_antwoorden) == (ConversationState.ANSWERED, False, ())
    assert c.vooraf_akkoord  # the flag stays for the rest of the conversation
    assert stap(c, event(B.SCHULDREGELING_AKKOORD), eigen_rol=shv).na.fase == "regeling"
    # the creditor may still answer; NietAkkoord then needs a Heroverweging, which is awaited again
    niet = stap(c, event(B.BETAALVOORSTEL_ANTWOORD, uitkomst="NietAkkoord"), eigen_rol=shv).na
    herov = stap(niet, event(B.HEROVERWEGING, aangekomen=False), eigen_rol=shv).na
    assert (herov.fase, herov.state, herov.termijn) == ("voorstel", ConversationState.OPEN, True)
    # a new Betaalvoorstel in a conversation that had a vooraf akkoord: nothing awaited
    assert stap(niet, event(B.BETAALVOORSTEL), eigen_rol=shv).na.fase == "voorstel-vooraf-akkoord"
    # without a vooraf akkoord the same proposal is awaited
    plain = stap(conversation(F.SALDO_ONTVANGEN), event(B.BETAALVOORSTEL), eigen_rol=shv).na
    assert (plain.fase, plain.state, plain.termijn) == ("voorstel", ConversationState.OPEN, True)


def test_deadlines_and_who_waits() -> None:
    # a Saldoverzoek received by a creditor on Monday 2 March 2026: due 10 werkdagen later
    received = stap(None, event(B.SALDOVERZOEK, tegenpartij=SHV_ID), eigen_rol=Rol.SE).na
    assert received.wacht_op is WachtOp.ONS and received.antwoord_uiterlijk == date(2026, 3, 16)
    assert received.verwachte_antwoorden == (
        "SaldoverzoekAntwoord", "SaldoverzoekAntwoordVoorafAkkoord", "GeenMedewerking"
    )  # fmt: skip
    # our own question: awaited from the counterpart, its term starts when the hub has it
    sent = stap(None, event(B.SALDOVERZOEK, aangekomen=False), eigen_rol=Rol.SHV).na
    assert sent.wacht_op is WachtOp.TEGENPARTIJ and sent.antwoord_uiterlijk is None and sent.termijn
    # a Kennisgeving: the answer may come, without a deadline
    kennis = stap(None, event(B.KENNISGEVING), eigen_rol=Rol.SHV).na
    assert kennis.state is ConversationState.OPEN and not kennis.termijn and kennis.antwoord_uiterlijk is None
    # the answer closes it and names itself
    answer = event(B.SALDOVERZOEK_ANTWOORD, tegenpartij=SHV_ID)
    closed = stap(received, answer, eigen_rol=Rol.SE).na
    assert closed.state is ConversationState.ANSWERED and closed.beantwoord_door == answer.referentienummer
    assert closed.antwoord_uiterlijk == date(2026, 3, 16)  # kept: when it was due
    # a Statusverzoek asks the SHV: the SHV waits on itself
    status = stap(None, event(B.STATUSVERZOEK), eigen_rol=Rol.SHV).na
    assert status.wacht_op is WachtOp.ONS and status.antwoord_uiterlijk == date(2026, 3, 16)


def test_what_the_table_says_of_each_type() -> None:
    assert [b for b in Berichttype if not kan_openen(b)] == [
        B.KENNISGEVING_ANTWOORD, B.GEEN_MEDEWERKING, B.SALDOVERZOEK_ANTWOORD,
        B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD, B.BETAALVOORSTEL_ANTWOORD, B.HEROVERWEGING,
        B.SCHULDREGELING_AKKOORD, B.SCHULDREGELING_BEEINDIGD,
    ]  # fmt: skip
    assert {b for b in Berichttype if kan_termijn_starten(b)} == {
        B.SALDOVERZOEK, B.BETAALVOORSTEL, B.HEROVERWEGING, B.STATUSVERZOEK
    }  # fmt: skip
    assert antwoorden_op(B.BETAALVOORSTEL) == (B.BETAALVOORSTEL_ANTWOORD,)  # awaited or not
    assert antwoorden_op(B.SALDOVERZOEK) == (
        B.SALDOVERZOEK_ANTWOORD, B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD, B.GEEN_MEDEWERKING
    )  # fmt: skip
    assert antwoorden_op(B.SALDOVERZOEK_ANTWOORD) == () and antwoorden_op(B.STATUSBERICHT_SE) == ()
    assert berichttype_uit_naam("KlantOnbekend") is B.GEEN_MEDEWERKING
    assert berichttype_uit_naam("GeenMedewerking") is B.GEEN_MEDEWERKING
    assert naam_11(B.KENNISGEVING) == "KlantGemeldVoorSHV" and naam_11(B.SALDOVERZOEK) is None
    with pytest.raises(ValueError, match="not a message type"):
        berichttype_uit_naam("Aanvraag")


def test_the_readme_shows_the_table_as_the_code_has_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert als_markdown() in readme
