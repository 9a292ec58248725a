"""The counterparts this gateway exchanges messages with (its part of the SKP address book).

Each entry: the address-book UUID, the organisation's name and OIN, its role, the message version
it speaks and whether it knows TypeSchuldregeling SA; :attr:`Tegenpartij.nul_aanbod_codering` says how a
nul-aanbod goes to it (decided in :mod:`gateway.codec.nul_aanbod`). Configured as ``[[tegenpartij]]``
tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gateway.codec import nul_aanbod
from gateway.model.berichttype import Rol
from gateway.model.enums import NulAanbodCodering

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_OIN = re.compile(r"^[0-9]{20}$")
VERSIES = ("2.0", "1.1")


class UnknownTegenpartij(LookupError):
    def __init__(self, adres: str) -> None:
        super().__init__(f"{adres} is not in the address book of this gateway")
        self.adres = adres


@dataclass(frozen=True, slots=True)
class Tegenpartij:
    """A counterpart in the address book. ``kent_sa``: its system knows TypeSchuldregeling SA (a 1.1
    counterpart never does, whatever the config says: version 1.1 has no SA)."""

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

    @property
    def nul_aanbod_codering(self) -> NulAanbodCodering:
        """How a nul-aanbod goes to this counterpart: its own code SA, or the € 0.00 SK workaround."""
        return nul_aanbod.codering(self.versie, self.kent_sa)


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
            raise UnknownTegenpartij(adres) from None

    def __contains__(self, adres: object) -> bool:
        return adres in self._by_id

    def __iter__(self) -> Iterator[Tegenpartij]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)
