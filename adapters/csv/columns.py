"""The column layouts: letter, header name and a key the code uses.

``SALDO``: the portal's "CSV Saldoverzoek Antwoord" — question columns A–K and answer columns
L–V as seen in the portal documentation (names kept, including its spelling "Orginele"), then our
own documented continuation from W. ``BETAAL``: our own Betaalvoorstel antwoord layout.
"""

from __future__ import annotations

from dataclasses import dataclass


def letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (spreadsheet column letters)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


@dataclass(frozen=True, slots=True)
class Column:
    letter: str
    name: str  # the header cell
    key: str
    personal: bool = False  # may hold personal data: a problem shows its value only masked


def header_key(name: str) -> str:
    """A header cell as it is matched: spaces collapsed, case ignored ("contactpersoon se.naam")."""
    return " ".join(name.replace("\ufeff", "").split()).casefold()


class Layout:
    def __init__(
        self, title: str, columns: list[tuple[str, str]], question_keys: int, personal: frozenset[str]
    ) -> None:
        self.title = title
        self.columns = tuple(
            Column(letter(i), name, key, key in personal) for i, (key, name) in enumerate(columns)
        )
        self.by_header = {header_key(c.name): c for c in self.columns}
        self._by_key = {c.key: c for c in self.columns}
        self.question = self.columns[:question_keys]  # repeated on every row of a conversation
        self.answer = self.columns[question_keys:]

    def __getitem__(self, key: str) -> Column:
        return self._by_key[key]

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def __len__(self) -> int:
        return len(self.columns)


SALDO = Layout(
    "Saldoverzoek antwoord",
    [
        # Vraag (filled from the Saldoverzoek)
        ("conversatie", "ConversatieReferentienummer"),  # A
        ("referentienummer", "Referentienummer"),  # B
        ("shv", "Schuldhulpverlener"),  # C
        ("contactpersoon_shv", "Contactpersoon SHV"),  # D  naam|telefoonnummer|emailadres
        ("klantnummer_shv", "KlantnummerSHV"),  # E
        ("klantnummer_se_volgens_shv", "KlantnummerSEVolgensSHV"),  # F
        ("type_schuldregeling", "TypeSchuldregeling"),  # G
        ("klant", "Klant"),  # H  geslacht|voorletters|voornamen|voorvoegsel|achternaam|geboortedatum
        ("partner", "Partner"),  # I  same fields as H
        ("adres", "Adres"),  # J  9 fields, see composite.ADRES
        ("factuurnummer_se_volgens_shv", "Vordering.FactuurnummerSEVolgensSHV"),  # K
        # Antwoord (filled by the creditor), L–V as in the portal
        ("klantnummer_se", "Klantnummer SE"),  # L
        ("cp_naam", "Contactpersoon SE.Naam"),  # M
        ("cp_email", "Contactpersoon SE.Email"),  # N
        ("cp_telefoon", "Contactpersoon SE.Telefoon"),  # O
        ("klant_onbekend", "Klant onbekend"),  # P
        ("standaard_akkoord", "Standaard akkoord"),  # Q
        ("datum", "Datum"),  # R  the Peildatum
        ("schuldtype", "Schuldtype"),  # S
        ("factuurnummer_se", "FactuurnummerSE"),  # T
        ("ontstaansdatum", "openstaand.Ontstaansdatum"),  # U
        ("oorspronkelijke_vordering", "openstaand.Orginele vordering"),  # V
        # Our continuation (decision, README)
        ("rente", "openstaand.Rente"),  # W
        ("kosten", "openstaand.Kosten"),  # X
        ("betaald", "openstaand.Betaald"),  # Y
        ("actueel_vorderingsbedrag", "openstaand.ActueelVorderingsbedrag"),  # Z
        ("vorderingstype", "openstaand.VorderingsType"),  # AA
        ("overgedragen_aan", "overgedragen.OvergedragenAan"),  # AB
        ("datum_overdracht", "overgedragen.DatumOverdracht"),  # AC
        ("toelichting", "Toelichting"),  # AD  the answer's Toelichting (one per conversation)
        ("onbekend_toelichting", "onbekend.Toelichting"),  # AE  per claim, onbekende schuld only
        ("grondslag", "Standaard akkoord.Grondslag"),  # AF  CollectiefSchuldregelen | Convenant
        ("convenant", "Standaard akkoord.Convenant"),  # AG
    ],
    question_keys=11,
    # names, contact details, addresses, birth dates (inside H/I), client numbers and free text
    personal=frozenset(
        {
            "contactpersoon_shv",
            "klantnummer_shv",
            "klantnummer_se_volgens_shv",
            "klant",
            "partner",
            "adres",
            "klantnummer_se",
            "cp_naam",
            "cp_email",
            "cp_telefoon",
            "toelichting",
            "onbekend_toelichting",
        }
    ),  # fmt: skip
)

BETAAL = Layout(
    "Betaalvoorstel antwoord",
    [
        # Vraag (filled from the Betaalvoorstel or Heroverweging), one row per claim
        ("conversatie", "ConversatieReferentienummer"),  # A
        ("referentienummer", "Referentienummer"),  # B
        ("berichttype", "Berichttype"),  # C  Betaalvoorstel | Heroverweging
        ("klantnummer_shv", "KlantnummerSHV"),  # D
        ("klantnummer_se_volgens_shv", "KlantnummerSE"),  # E  as the SHV gave it
        ("type_schuldregeling", "TypeSchuldregeling"),  # F
        ("datum_voorstel", "DatumVoorstel"),  # G
        ("afloscapaciteit", "AfloscapaciteitPerMaand"),  # H
        ("looptijd", "LooptijdMaanden"),  # I
        ("factuurnummer_se", "Vordering.FactuurnummerSE"),  # J
        ("vorderingstype", "Vordering.VorderingsType"),  # K
        ("actueel_vorderingsbedrag", "Vordering.ActueelVorderingsbedrag"),  # L
        ("afkooppercentage", "Vordering.Afkooppercentage"),  # M
        ("prognose_eindbedrag", "Vordering.PrognoseEindbedrag"),  # N
        # Antwoord (filled by the creditor)
        ("klantnummer_se", "Klantnummer SE"),  # O
        ("antwoord", "Antwoord"),  # P  Akkoord | NietAkkoord
        ("reden", "Reden"),  # Q  required with NietAkkoord
        ("cp_naam", "Contactpersoon SE.Naam"),  # R
        ("cp_email", "Contactpersoon SE.Email"),  # S
        ("cp_telefoon", "Contactpersoon SE.Telefoon"),  # T
        ("betaalreferentie", "Vordering.Betaalreferentie"),  # U
    ],
    question_keys=14,
    personal=frozenset(
        {
            "klantnummer_shv",
            "klantnummer_se_volgens_shv",
            "klantnummer_se",
            "reden",
            "cp_naam",
            "cp_email",
            "cp_telefoon",
        }
    ),  # fmt: skip
)
