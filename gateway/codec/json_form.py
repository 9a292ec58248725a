"""The JSON form of every model object: stable, exact, version-free.

- keys are the model's snake_case field names (Dutch domain terms); a message has a ``berichttype``
  discriminator first;
- amounts and percentages are strings ("1097.96", "22.34") so Decimal stays exact; dates are ISO
  (``2025-11-03``), datetimes UTC with ``Z``; bytes base64; enums their code;
- absent optional values are left out; lists are always present.

``from_json`` refuses unknown keys, wrong types, values out of bounds and broken invariants with a
:class:`JsonFormError` that lists every problem it found (not only the first), each with the JSON path
(``/voorstel/vorderingen/0/afkooppercentage``), never the value. A received message's ``bevindingen``
(the findings the gateway attached to it) are not part of the message: they are ignored.

How each value is read and written is its field type's (:mod:`gateway.model.fields`): the same object
that the model's checks, the JSON Schema and the configuration read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.model import BERICHT_KLASSEN, Berichttype
from gateway.model.bericht import Bericht
from gateway.model.fields import object_type
from gateway.model.fieldtype import Reader


class JsonFormError(ValueError):
    """The JSON is not a valid model object. ``errors``: every (JSON pointer, reason) found, in document
    order; ``path`` and ``reason`` are the first of them."""

    def __init__(self, path: str, message: str, *, more: Sequence[tuple[str, str]] = ()) -> None:
        self.errors: tuple[tuple[str, str], ...] = ((path or "/", message), *more)
        super().__init__("; ".join(f"{p}: {m}" for p, m in self.errors))
        self.path = path or "/"
        self.reason = message

    @classmethod
    def of(cls, errors: Sequence[tuple[str, str]]) -> JsonFormError:
        (path, message), *more = errors
        return cls(path, message, more=more)


def to_json(obj: Any) -> dict[str, Any]:
    """The JSON form (a dict ready for ``json.dumps``) of a message or any model part."""
    fields = object_type(type(obj)).to_json(obj)
    if isinstance(obj, Bericht):
        return {"berichttype": obj.berichttype.value, **fields}
    return fields


def from_json(data: Any) -> Bericht:
    """The message a JSON form describes (its ``berichttype`` picks the class)."""
    if not isinstance(data, dict):
        raise JsonFormError("", "a message must be a JSON object")
    code = data.get("berichttype")
    try:
        cls = BERICHT_KLASSEN[Berichttype(code)]
    except ValueError:
        raise JsonFormError(
            "/berichttype", f"must be one of {', '.join(b.value for b in Berichttype)}"
        ) from None
    body = {k: val for k, val in data.items() if k not in ("berichttype", "bevindingen")}
    return load(cls, body, "")


def load(cls: type, data: Any, path: str) -> Any:
    """A model object of ``cls`` from its JSON form (no discriminator); every problem in one error."""
    reader = Reader()
    result = object_type(cls).from_json(data, path, reader)
    if reader.problems:
        raise JsonFormError.of(reader.problems)
    return result


__all__ = ["JsonFormError", "from_json", "load", "to_json"]
