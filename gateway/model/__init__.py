"""The version-free domain model: frozen dataclasses, Decimal money, enums, UTC datetimes.

Import message classes from here; :data:`BERICHT_KLASSEN` maps each Berichttype to its class.
"""

from gateway.model.bericht import Bericht
from gateway.model.berichttype import Berichttype, Rol
from gateway.model.enums import (
    AanduidingBijHuisnummer,
    Akkoord,
    Geslacht,
    GrondslagVoorafAkkoord,
    NulAanbodCodering,
    RedenBeeindiging,
    RedenGeenMedewerking,
    Schuldoorzaak,
    StatusSE,
    StatusSHV,
    TypeSchuldregeling,
    Uitbetaalmomenten,
    VorderingsType,
)
from gateway.model.header import Berichtheader, Toestemmingsverklaring
from gateway.model.kennisgeving import (
    GeenMedewerking,
    Kennisgeving,
    KennisgevingAntwoord,
    KennisgevingGegevens,
    KennisgevingPubliek,
)
from gateway.model.partijen import (
    Adres,
    Adreskeuze,
    BuitenlandsAdres,
    Contactpersoon,
    Persoon,
    Schuldhulpverlener,
)
from gateway.model.regeling import AkkoordVordering, SchuldregelingAkkoord, SchuldregelingBeeindigd
from gateway.model.saldo import (
    OnbekendeSchuld,
    OpenstaandeSchuld,
    OvergedragenSchuld,
    Saldoverzoek,
    SaldoverzoekAntwoord,
    SaldoverzoekAntwoordVoorafAkkoord,
    SaldoVordering,
    VoorafAkkoord,
)
from gateway.model.status import Fout, Foutbericht, StatusberichtSE, StatusberichtSHV, Statusverzoek
from gateway.model.types import ModelError
from gateway.model.voorstel import (
    AntwoordVordering,
    Begeleiding,
    Betaalvoorstel,
    BetaalvoorstelAntwoord,
    Heroverweging,
    Voorstel,
    VoorstelVordering,
)

BERICHT_KLASSEN: dict[Berichttype, type[Bericht]] = {
    cls.berichttype: cls
    for cls in (
        Kennisgeving,
        KennisgevingPubliek,
        KennisgevingAntwoord,
        GeenMedewerking,
        Saldoverzoek,
        SaldoverzoekAntwoord,
        SaldoverzoekAntwoordVoorafAkkoord,
        Betaalvoorstel,
        BetaalvoorstelAntwoord,
        Heroverweging,
        SchuldregelingAkkoord,
        SchuldregelingBeeindigd,
        Statusverzoek,
        StatusberichtSHV,
        StatusberichtSE,
        Foutbericht,
    )
}

__all__ = [
    "BERICHT_KLASSEN",
    "AanduidingBijHuisnummer",
    "Adres",
    "Adreskeuze",
    "Akkoord",
    "AkkoordVordering",
    "AntwoordVordering",
    "Begeleiding",
    "Bericht",
    "Berichtheader",
    "Berichttype",
    "Betaalvoorstel",
    "BetaalvoorstelAntwoord",
    "BuitenlandsAdres",
    "Contactpersoon",
    "Fout",
    "Foutbericht",
    "GeenMedewerking",
    "Geslacht",
    "GrondslagVoorafAkkoord",
    "Heroverweging",
    "Kennisgeving",
    "KennisgevingAntwoord",
    "KennisgevingGegevens",
    "KennisgevingPubliek",
    "ModelError",
    "NulAanbodCodering",
    "OnbekendeSchuld",
    "OpenstaandeSchuld",
    "OvergedragenSchuld",
    "Persoon",
    "RedenBeeindiging",
    "RedenGeenMedewerking",
    "Rol",
    "SaldoVordering",
    "Saldoverzoek",
    "SaldoverzoekAntwoord",
    "SaldoverzoekAntwoordVoorafAkkoord",
    "Schuldhulpverlener",
    "Schuldoorzaak",
    "SchuldregelingAkkoord",
    "SchuldregelingBeeindigd",
    "StatusSE",
    "StatusSHV",
    "StatusberichtSE",
    "StatusberichtSHV",
    "Statusverzoek",
    "Toestemmingsverklaring",
    "TypeSchuldregeling",
    "Uitbetaalmomenten",
    "VoorafAkkoord",
    "Voorstel",
    "VoorstelVordering",
    "VorderingsType",
]
