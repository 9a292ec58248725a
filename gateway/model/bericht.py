"""The base of every message: a Berichtheader and the version-free ``berichttype``."""

from __future__ import annotations

from typing import ClassVar

from gateway.model.berichttype import Berichttype
from gateway.model.header import Berichtheader
from gateway.model.types import model


@model
class Bericht:
    """Any message of module Schuldregeling. Subclasses set the class attribute ``berichttype``."""

    berichttype: ClassVar[Berichttype]
    berichtheader: Berichtheader


def klantnummer_shv(bericht: Bericht) -> str | None:
    """The client's file number at the SHV, for the messages that carry one (not a Foutbericht)."""
    value = getattr(bericht, "klantnummer_shv", None)
    return value if isinstance(value, str) and value else None
