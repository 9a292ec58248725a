"""Mappers: Statusverzoek, Statusbericht SHV / SE, Foutbericht."""

from __future__ import annotations

from gateway.codec.profile import VersionProfile
from gateway.codec.registry import register
from gateway.codec.xmlio import In, Kids, Open, Out, elements
from gateway.model import values as v
from gateway.model.enums import NulAanbodCodering, StatusSE, StatusSHV
from gateway.model.header import Berichtheader
from gateway.model.status import Fout, Foutbericht, StatusberichtSE, StatusberichtSHV, Statusverzoek


def write_statusverzoek(
    out: Out, root: Open, b: Statusverzoek, profile: VersionProfile, codering: NulAanbodCodering
) -> None:
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.opt(root, "KlantnummerSE", b.klantnummer_se)
    out.opt(root, "Vraag", b.vraag)


def read_statusverzoek(inp: In, k: Kids, header: Berichtheader, profile: VersionProfile) -> Statusverzoek:
    return Statusverzoek(
        berichtheader=header,
        klantnummer_shv=k.text("KlantnummerSHV"),
        klantnummer_se=k.opt_text("KlantnummerSE"),
        vraag=k.opt_text("Vraag"),
    )


def write_status_shv(
    out: Out, root: Open, b: StatusberichtSHV, profile: VersionProfile, codering: NulAanbodCodering
) -> None:
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.opt(root, "KlantnummerSE", b.klantnummer_se)
    out.el(root, "Status", b.status.value)
    out.el(root, "DatumStatus", v.datum(b.datum_status))
    out.opt(root, "Toelichting", b.toelichting)


def read_status_shv(inp: In, k: Kids, header: Berichtheader, profile: VersionProfile) -> StatusberichtSHV:
    return StatusberichtSHV(
        berichtheader=header,
        klantnummer_shv=k.text("KlantnummerSHV"),
        klantnummer_se=k.opt_text("KlantnummerSE"),
        status=StatusSHV(k.text("Status")),
        datum_status=v.parse_datum(k.text("DatumStatus")),
        toelichting=k.opt_text("Toelichting"),
    )


def write_status_se(
    out: Out, root: Open, b: StatusberichtSE, profile: VersionProfile, codering: NulAanbodCodering
) -> None:
    out.el(root, "KlantnummerSHV", b.klantnummer_shv)
    out.el(root, "KlantnummerSE", b.klantnummer_se)
    out.el(root, "Status", b.status.value)
    out.el(root, "DatumStatus", v.datum(b.datum_status))
    out.opt(root, "FactuurnummerSE", b.factuurnummer_se)
    out.opt(root, "ActueelVorderingsbedrag", b.actueel_vorderingsbedrag, v.bedrag)
    out.opt(root, "Toelichting", b.toelichting)


def read_status_se(inp: In, k: Kids, header: Berichtheader, profile: VersionProfile) -> StatusberichtSE:
    return StatusberichtSE(
        berichtheader=header,
        klantnummer_shv=k.text("KlantnummerSHV"),
        klantnummer_se=k.text("KlantnummerSE"),
        status=StatusSE(k.text("Status")),
        datum_status=v.parse_datum(k.text("DatumStatus")),
        factuurnummer_se=k.opt_text("FactuurnummerSE"),
        actueel_vorderingsbedrag=k.opt_value("ActueelVorderingsbedrag", v.parse_decimal),
        toelichting=k.opt_text("Toelichting"),
    )


def write_foutbericht(
    out: Out, root: Open, b: Foutbericht, profile: VersionProfile, codering: NulAanbodCodering
) -> None:
    out.el(root, "GerefereerdBericht", b.gerefereerd_bericht)
    out.opt(root, "GerefereerdBerichttype", b.gerefereerd_berichttype)
    el = out.el(root, "Fouten")
    for fout in b.fouten:
        f = out.el(el, "Fout")
        out.el(f, "Code", fout.code)
        out.el(f, "Omschrijving", fout.omschrijving)
        out.opt(f, "Locatie", fout.locatie)
        out.opt(f, "Regel", fout.regel)


def read_foutbericht(inp: In, k: Kids, header: Berichtheader, profile: VersionProfile) -> Foutbericht:
    fouten = []
    for el in elements(k.one("Fouten")):
        f = inp.kids(el)
        fouten.append(
            Fout(
                code=f.text("Code"),
                omschrijving=f.text("Omschrijving"),
                locatie=f.opt_text("Locatie"),
                regel=f.opt_value("Regel", int),
            )
        )
    return Foutbericht(
        berichtheader=header,
        gerefereerd_bericht=k.text("GerefereerdBericht"),
        gerefereerd_berichttype=k.opt_text("GerefereerdBerichttype"),
        fouten=tuple(fouten),
    )


register(Statusverzoek, write_statusverzoek, read_statusverzoek)  # type: ignore[arg-type]
register(StatusberichtSHV, write_status_shv, read_status_shv)  # type: ignore[arg-type]
register(StatusberichtSE, write_status_se, read_status_se)  # type: ignore[arg-type]
register(Foutbericht, write_foutbericht, read_foutbericht)  # type: ignore[arg-type]
