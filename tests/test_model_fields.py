"""One field description: the model's checks, the JSON form, the JSON Schema and the configuration all
read the same field type, so a new kind of value is one class and every consumer follows it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Annotated, Any

import jsonschema
import pytest

from gateway import model as m
from gateway.codec.json_form import JsonFormError, load, to_json
from gateway.config import ConfigError, load_config, section_from_table
from gateway.model.fields import Object, Optional, Sequence, field_type, object_type
from gateway.model.fieldtype import ModelError
from gateway.model.kinds import String
from gateway.model.types import Kenmerk, Lijst, model


@dataclasses.dataclass(frozen=True, slots=True)
class Landcode(String):
    """A kind of value the gateway does not have: two capital letters, not "XX"."""

    def check(self, value: Any, name: str) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
            raise ModelError(name, "must be two capital letters")
        if value == "XX":
            raise ModelError(name, "XX is no country")
        return value

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[A-Z]{2}$"}


Land = Annotated[str, Landcode()]


@model
class Vestiging:
    naam: Kenmerk
    land: Land
    andere_landen: Annotated[tuple[Land, ...], Lijst(0, 3)] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class VestigingSettings:
    naam: Kenmerk
    land: Land = "NL"


def test_a_new_kind_of_value_is_one_class_and_every_consumer_reads_it(tmp_path: Path) -> None:
    # the model's check
    with pytest.raises(ModelError, match="land: XX is no country"):
        Vestiging(naam="Zwolle", land="XX")
    with pytest.raises(ModelError, match=r"andere_landen\[1\]: must be two capital letters"):
        Vestiging(naam="Zwolle", land="NL", andere_landen=("BE", "de"))
    # the JSON form, both ways, every problem with its pointer
    vestiging = Vestiging(naam="Zwolle", land="NL", andere_landen=("BE",))
    assert to_json(vestiging) == {"naam": "Zwolle", "land": "NL", "andere_landen": ["BE"]}
    assert load(Vestiging, to_json(vestiging), "") == vestiging
    with pytest.raises(JsonFormError) as caught:
        load(Vestiging, {"naam": " Zwolle", "land": "XX", "andere_landen": ["BE", 7, "de"]}, "")
    assert caught.value.errors == (
        ("/naam", "must not start or end with white space or contain line breaks"),
        ("/land", "XX is no country"),
        ("/andere_landen/1", "must be a string"),
        ("/andere_landen/2", "must be two capital letters"),
    )
    # the JSON Schema
    schema = object_type(Vestiging).json_schema_object({})
    assert schema["properties"]["land"] == {"type": "string", "pattern": "^[A-Z]{2}$"}
    assert schema["properties"]["andere_landen"]["maxItems"] == 3
    assert schema["required"] == ["naam", "land"]
    jsonschema.validate(to_json(vestiging), schema)
    # the configuration: the same rule, named by section and key
    with pytest.raises(ConfigError) as refused:
        section_from_table(VestigingSettings, {"naam": "Zwolle", "land": "XX"}, "skgw.toml: [vestiging]")
    assert str(refused.value) == "skgw.toml: [vestiging] land: XX is no country"
    assert section_from_table(VestigingSettings, {"naam": "Zwolle"}, "w").land == "NL"


CALLS: list[str] = []


@dataclasses.dataclass(frozen=True, slots=True)
class Counted(String):
    def check(self, value: Any, name: str) -> str:
        CALLS.append(name)
        return value


@model
class Paar:
    links: Annotated[str, Counted()]
    rechts: Annotated[str, Counted()]

    def _invariants(self) -> None:
        if self.links == self.rechts:
            raise ModelError("rechts", "must differ from links")


def test_the_json_form_checks_each_value_once_and_still_the_invariants() -> None:
    CALLS.clear()
    assert load(Paar, {"links": "a", "rechts": "b"}, "/paar") == Paar(links="a", rechts="b")
    assert CALLS == ["/paar/links", "/paar/rechts", "links", "rechts"]  # the form's read, then the comparand
    with pytest.raises(JsonFormError) as caught:
        load(Paar, {"links": "a", "rechts": "a"}, "/paar")
    assert caught.value.errors == (("/paar/rechts", "must differ from links"),)


def test_every_field_of_every_message_has_one_field_type_with_a_json_form() -> None:
    seen: set[type] = set()

    def visit(kind: Any) -> None:
        if isinstance(kind, Optional | Sequence):
            visit(kind.inner if isinstance(kind, Optional) else kind.item)
        elif isinstance(kind, Object) and kind.cls not in seen:
            seen.add(kind.cls)
            for f in kind.fields:
                assert f.type is field_type(typing_hint(kind.cls, f.name))
                f.type.json_schema({})  # raises TypeError for a kind without a JSON form
                visit(f.type)

    for cls in m.BERICHT_KLASSEN.values():
        visit(field_type(cls))
    assert m.Voorstel in seen and m.Toestemmingsverklaring in seen


def typing_hint(cls: type, name: str) -> Any:
    import typing

    return typing.get_type_hints(cls, include_extras=True)[name]


def test_a_configuration_file_is_reported_whole(tmp_path: Path) -> None:
    path = tmp_path / "skgw.toml"
    path.write_text(
        "[xml]\ndepth = 3\nmax_bytes = 'veel'\n"
        "[api]\nport = 8480.5\n"
        "[[tegenpartij]]\nnaam = 'Energie Noord'\n"
        "[nope]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{path}: [xml] depth: unknown key (known: max_bytes, max_depth, max_elements)",
        f"{path}: [xml] max_bytes: expected an integer, found 'veel'",
        f"{path}: [api] port: expected an integer, found 8480.5",
        f"{path}: [tegenpartij][0]: missing required key id, oin, rol",
        f"{path}: unknown section [nope] (known: " + lines[-1].split("(known: ")[1],
    ]


@dataclasses.dataclass(frozen=True, slots=True)
class Gemengd:
    limiet: int | str = 0
    pad: Path | None = None
    dagen: dict[str, int] = dataclasses.field(default_factory=dict)
    niveau: str = "info"


def test_configuration_kinds(tmp_path: Path) -> None:
    read = section_from_table(
        Gemengd, {"limiet": "geen", "pad": "sub/x.pem", "dagen": {"a": 1}}, "c: [g]", tmp_path
    )
    assert read == Gemengd(limiet="geen", pad=tmp_path / "sub/x.pem", dagen={"a": 1})
    with pytest.raises(ConfigError) as caught:
        section_from_table(Gemengd, {"limiet": [1], "pad": 3, "dagen": {"a": "x"}, "niveau": 1}, "c: [g]")
    assert str(caught.value).splitlines() == [
        "c: [g] limiet: expected an integer or a string, found [1]",
        "c: [g] pad: expected a path, found 3",
        "c: [g] dagen.a: expected an integer, found 'x'",
        "c: [g] niveau: expected a string, found 1",
    ]


def test_a_kind_without_a_json_form_says_so() -> None:
    with pytest.raises(TypeError, match="no JSON Schema for"):
        field_type(Path).json_schema({})
    with pytest.raises(TypeError, match="has no JSON form"):
        field_type(Path | None).from_json("x", "/pad", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cannot be read from a configuration file"):
        field_type(bytes).from_toml("eA==", "c: [g] inhoud", None)  # type: ignore[arg-type]
