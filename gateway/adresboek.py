"""The counterparts this gateway exchanges messages with (its part of the SKP address book).

Each entry: the address-book UUID, the organisation's name and OIN, its role, the message version
it speaks and whether it knows TypeSchuldregeling SA (if not, a nul-aanbod goes as the € 0.00
saneringskrediet workaround). Configured as ``[[tegenpartij]]`` tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gateway.model.berichttype import Rol

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_OIN = re.compile(r"^[0-9]{20}$")
VERSIES = ("2.0", "1.1")


class OnbekendeTegenpartij(LookupError):
    def __init__(self, adres: str) -> None:
        super().__init__(f"{adres} is not in the address book of this gateway")
        self.adres = adres


@dataclass(frozen=True, slots=True)
class Tegenpartij:
    id: str
    naam: str
    oin: str
    rol: Rol
    versie: str = "2.0"
    kent_sa: bool = True

    def __post_init__(self) -> None:
        if not _UUID.match(self.id):
            raise ValueError(f"tegenpartij {self.naam!r}: id must be a lowercase UUID, found {self.id!r}")
        if not _OIN.match(self.oin):
            raise ValueError(f"tegenpartij {self.naam!r}: oin must be 20 digits, found {self.oin!r}")
        if self.versie not in VERSIES:
            raise ValueError(f"tegenpartij {self.naam!r}: versie must be one of {', '.join(VERSIES)}")
        if self.versie == "1.1" and self.kent_sa:
            object.__setattr__(self, "kent_sa", False)  # 1.1 has no SA, whatever the config says


class Adresboek:
    def __init__(self, partijen: Iterable[Tegenpartij]) -> None:
        self._by_id: dict[str, Tegenpartij] = {}
        for partij in partijen:
            if partij.id in self._by_id:
                raise ValueError(f"tegenpartij {partij.id} appears twice in the address book")
            self._by_id[partij.id] = partij

    def get(self, adres: str) -> Tegenpartij:
        try:
            return self._by_id[adres]
        except KeyError:
            raise OnbekendeTegenpartij(adres) from None

    def __contains__(self, adres: object) -> bool:
        return adres in self._by_id

    def __iter__(self) -> Iterator[Tegenpartij]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)
