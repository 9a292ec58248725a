"""`python -m bench.field_libraries [--rounds R]`: the field description against pydantic v2 and msgspec.

Needs ``pip install -e '.[bench]'`` (pydantic and msgspec are not dependencies of the gateway). Each
model class is mapped, field type by field type (:mod:`gateway.model.fields`), onto the library's own
vocabulary: lengths, patterns, bounds, list lengths, decimal places, forbidden extra keys, frozen
objects; pydantic also gets the two rules it has no word for (XML characters, the BSN elfproef) as
``AfterValidator``s; msgspec has no constraints on a Decimal and no hook for those two, so its figure
is a lower bound. Then, for the body the end-to-end benchmark posts (a 10-claim Betaalvoorstel):

- µs per JSON form -> objects, interleaved with the gateway's own ``from_json``;
- what each reports for the form of ``tests/test_codec_json.py::test_from_json_lists_every_problem_at_once``
  plus a float amount;
- what each accepts that the JSON form refuses (a float amount, an exponent, NaN, white space);
- how each writes an optional text and a percentage in its JSON Schema.

The conclusion is in docs/architecture.md (the model) and the figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import msgspec
import pydantic
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from bench.e2e import SHV, Pki, submission
from bench.submit_path import ONTVANGER, _filled
from bench.timing import interleaved
from gateway.codec.json_form import JsonFormError, from_json
from gateway.model import Betaalvoorstel
from gateway.model.bsn import bsn_is_valid
from gateway.model.fields import Object, Optional, Sequence, field_type
from gateway.model.fieldtype import FieldType, ModelError
from gateway.model.kinds import Bytes, Choice, Date, DateTime
from gateway.model.types import Geheel, Geld, Patroon, Tekst

TRIMMED = r"^[^ \t\n\r]([^\n\r]*[^ \t\n\r])?$"


def _xml_text(value: str) -> str:
    try:
        return Tekst(10**6).check(value, "")
    except ModelError as exc:
        raise ValueError(exc.reason) from None


def _elfproef(value: str) -> str:
    if not bsn_is_valid(value):
        raise ValueError("the BSN does not pass the elfproef")
    return value


def _pattern(kind: Tekst | Patroon) -> str | None:
    if kind.pattern:
        return f"^(?:{kind.pattern})$"
    return TRIMMED if isinstance(kind, Tekst) and kind.trimmed else None


def pydantic_type(kind: FieldType) -> Any:
    if isinstance(kind, Optional):
        return pydantic_type(kind.inner) | None
    if isinstance(kind, Sequence):
        bounds = kind.bounds
        items = tuple[pydantic_type(kind.item), ...]  # type: ignore[misc]
        if bounds:
            return Annotated[items, Field(min_length=bounds.minimum, max_length=bounds.maximum)]
        return items
    if isinstance(kind, Geld):
        upper: dict[str, Any] = {"le": 100} if kind.percentage else {"lt": 10**10}
        return Annotated[Decimal, Field(ge=0, decimal_places=2, allow_inf_nan=False, **upper)]
    if isinstance(kind, Tekst):
        constraints = StringConstraints(min_length=1, max_length=kind.max_length, pattern=_pattern(kind))
        return Annotated[str, constraints, AfterValidator(_xml_text)]
    if isinstance(kind, Patroon):
        text = Annotated[str, StringConstraints(pattern=_pattern(kind))]
        return Annotated[text, AfterValidator(_elfproef)] if kind.name == "BSN" else text
    if isinstance(kind, Geheel):
        return Annotated[int, Field(strict=True, ge=kind.minimum, le=kind.maximum)]
    if isinstance(kind, Object):
        return pydantic_model(kind.cls)
    return _plain(kind)


def _plain(kind: FieldType) -> Any:
    if isinstance(kind, Choice) and kind.kind is not None:
        return kind.kind
    for plain, python in ((DateTime, datetime), (Date, date), (Bytes, bytes)):
        if isinstance(kind, plain):
            return python
    raise TypeError(f"no mapping for {kind!r}")


@cache
def pydantic_model(cls: type) -> Any:
    fields: dict[str, Any] = {}
    for f in field_type(cls).fields:
        fields[f.name] = (pydantic_type(f.type), ... if f.required else _default(cls, f.name))
    config = ConfigDict(extra="forbid", frozen=True)
    return pydantic.create_model(cls.__name__, __config__=config, **fields)


def _default(cls: type, name: str) -> Any:
    spec = next(f for f in dataclasses.fields(cls) if f.name == name)
    return spec.default if spec.default is not dataclasses.MISSING else spec.default_factory()


def msgspec_type(kind: FieldType) -> Any:
    if isinstance(kind, Optional):
        return msgspec_type(kind.inner) | None
    if isinstance(kind, Sequence):
        bounds = kind.bounds
        items = tuple[msgspec_type(kind.item), ...]  # type: ignore[misc]
        if bounds:
            return Annotated[items, msgspec.Meta(min_length=bounds.minimum, max_length=bounds.maximum)]
        return items
    if isinstance(kind, Geld):  # msgspec has no constraints for a Decimal
        return Decimal
    if isinstance(kind, Tekst | Patroon):
        meta: dict[str, Any] = {"pattern": _pattern(kind)} if _pattern(kind) else {}
        if isinstance(kind, Tekst):
            meta.update(min_length=1, max_length=kind.max_length)
        return Annotated[str, msgspec.Meta(**meta)]
    if isinstance(kind, Geheel):
        bound: dict[str, Any] = {"le": kind.maximum} if kind.maximum is not None else {}
        return Annotated[int, msgspec.Meta(ge=kind.minimum, **bound)]
    if isinstance(kind, Object):
        return msgspec_struct(kind.cls)
    return _plain(kind)


@cache
def msgspec_struct(cls: type) -> Any:
    fields: list[tuple[Any, ...]] = []
    for f in field_type(cls).fields:
        kind = msgspec_type(f.type)
        fields.append((f.name, kind) if f.required else (f.name, kind, _default(cls, f.name)))
    return msgspec.defstruct(cls.__name__, fields, frozen=True, forbid_unknown_fields=True, kw_only=True)


def _broken(body: dict[str, Any]) -> dict[str, Any]:
    """The form of test_from_json_lists_every_problem_at_once, plus a float amount in the second claim."""
    broken = json.loads(json.dumps(body))
    broken["berichtheader"]["afzender"] = "X"
    broken["voorstel"]["datum_voorstel"] = "03-11-2025"
    broken["voorstel"]["afloscapaciteit_per_maand"] = "1.234"
    broken["voorstel"]["extra"] = 1
    claim = broken["voorstel"]["vorderingen"][0]
    broken["voorstel"]["vorderingen"] = [
        {**claim, "afkooppercentage": "122.34"},
        {**claim, "afkooppercentage": 22.34},
        {**claim, "factuurnummer_se": " spaties "},
    ]
    del broken["klantnummer_shv"]
    return broken


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.field_libraries", description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    filled = _filled(json.loads(submission(Pki(Path("."), SHV[1], ONTVANGER), 10)))
    body = {k: v for k, v in filled.items() if k != "berichttype"}
    raw = json.dumps(body).encode()
    model, struct = pydantic_model(Betaalvoorstel), msgspec_struct(Betaalvoorstel)
    decoder = msgspec.json.Decoder(struct)
    model.model_validate(body), msgspec.convert(body, struct), decoder.decode(raw)  # each accepts it
    timings = interleaved(
        {
            "gateway from_json (dict)": lambda: from_json(filled),
            "pydantic model_validate (dict)": lambda: model.model_validate(body),
            "pydantic model_validate_json (bytes)": lambda: model.model_validate_json(raw),
            "msgspec convert (dict)": lambda: msgspec.convert(body, struct),
            "msgspec json decode (bytes)": lambda: decoder.decode(raw),
            "json.loads (bytes)": lambda: json.loads(raw),
        },
        rounds=args.rounds,
        round_seconds=0.1,
    )
    print("10-claim Betaalvoorstel, JSON form -> objects: µs per operation")
    for name, timing in timings.items():
        print(f"  {name:<40} median {timing.median_s * 1e6:8.1f}  best {timing.best_s * 1e6:8.1f}")
    broken = _broken(body)
    print("\nthe broken form: the gateway")
    try:
        from_json({"berichttype": "Betaalvoorstel", **broken})
    except JsonFormError as exc:
        for path, reason in exc.errors:
            print(f"  {path}: {reason}")
    print("pydantic")
    try:
        model.model_validate(broken)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            print(f"  {error['loc']}: [{error['type']}] {error['msg']}")
    print("msgspec")
    try:
        msgspec.convert(broken, struct)
    except msgspec.ValidationError as exc:
        print(f"  {exc}")
    print("\nwhat the JSON form refuses, as an afkooppercentage:")
    for value in (22.34, "1e2", "NaN", " 1.00"):
        form = json.loads(json.dumps(body))
        form["voorstel"]["vorderingen"][0]["afkooppercentage"] = value
        verdicts = []
        for name, validate, error in (
            ("pydantic", model.model_validate, pydantic.ValidationError),
            ("msgspec", lambda d: msgspec.convert(d, struct), msgspec.ValidationError),
        ):
            try:
                validate(form)
                verdicts.append(f"{name} accepts")
            except error:
                verdicts.append(f"{name} refuses")
        print(f"  {value!r:<8} " + ", ".join(verdicts))
    schema, mschema = model.model_json_schema(), msgspec.json.schema(struct)
    for name, found in (("pydantic", schema), ("msgspec", mschema)):
        toelichting = found["$defs"]["Voorstel"]["properties"]["toelichting"]
        percentage = found["$defs"]["VoorstelVordering"]["properties"]["afkooppercentage"]
        print(f"\n{name} JSON Schema: Voorstel.toelichting {json.dumps(toelichting)}")
        print(f"{name} JSON Schema: afkooppercentage {json.dumps(percentage)}")


if __name__ == "__main__":
    main()
