"""The codec registry: one mapper pair per Berichttype, shared by every version.

Which root element, namespace and XSD a (berichttype, versie) has comes from the schema catalogue;
what differs between versions in the content is data (:mod:`gateway.codec.profile`) that the mappers
consult. Nothing here branches on message names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gateway.codec.errors import EncodeError
from gateway.codec.profile import VersionProfile
from gateway.codec.xmlio import In, Kids, Open, Out
from gateway.model.bericht import Bericht
from gateway.model.berichttype import Berichttype
from gateway.model.enums import NulAanbodCodering
from gateway.model.header import Berichtheader

# (out, root, message, the version written, how a nul-aanbod goes to this counterpart)
Writer = Callable[[Out, Open, Bericht, VersionProfile, NulAanbodCodering], None]
Reader = Callable[[In, Kids, Berichtheader, VersionProfile], Bericht]


@dataclass(frozen=True, slots=True)
class MessageCodec:
    model: type[Bericht]
    write: Writer  # writes everything after the Berichtheader, in schema order
    read: Reader  # reads everything after the Berichtheader


REGISTRY: dict[Berichttype, MessageCodec] = {}


def register(model: type[Bericht], write: Writer, read: Reader) -> None:
    if model.berichttype in REGISTRY:
        raise RuntimeError(f"a codec for {model.berichttype} is already registered")
    REGISTRY[model.berichttype] = MessageCodec(model, write, read)


def not_in_version(profile: VersionProfile, field: str, what: str) -> EncodeError:
    return EncodeError(f"version {profile.versie} cannot carry {what}", field=field)


def required_in_version(profile: VersionProfile, field: str, what: str) -> EncodeError:
    return EncodeError(f"version {profile.versie} requires {what}", field=field)
