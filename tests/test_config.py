from __future__ import annotations

import pytest

from gateway.config import ConfigError, load_config


def test_defaults_without_a_file() -> None:
    assert load_config(None).xml.max_depth == 64


def test_values_are_read(tmp_path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[xml]\nmax_depth = 20\n")
    assert load_config(path).xml.limits.max_depth == 20


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[xml]\nmax_depth = 'deep'\n", "[xml] max_depth: expected an integer"),
        ("[xml]\nmax_depth = true\n", "[xml] max_depth: expected an integer"),
        ("[xml]\ndepth = 3\n", "[xml] depth: unknown key"),
        ("[nope]\n", "unknown section [nope]"),
        ("[xml\n", "not valid TOML"),
    ],
)
def test_errors_name_file_section_and_key(tmp_path, text, needle) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value) and needle in str(caught.value)


def test_missing_file(tmp_path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "absent.toml")


def test_the_example_config_is_valid_when_every_key_is_uncommented(tmp_path) -> None:
    """config.example.toml documents every key with its default; uncommented, it must load as is."""
    import re

    from tests.conftest import ROOT

    setting = re.compile(r"^# (\[\[?[a-z_.]+\]\]?|[A-Za-z_]+ = )")
    lines = [
        line[2:] if setting.match(line) else line
        for line in (ROOT / "config.example.toml").read_text(encoding="utf-8").splitlines()
    ]
    path = tmp_path / "example.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    config = load_config(path)
    assert config.gateway.adres and config.tegenpartij[0].versie == "2.0"
    assert config.engine.retention.days == {"Saldoverzoek": 90}
    assert config.sinks.webhook is not None and config.sinks.folder is not None
    assert config.api.port == 8480 and config.xml.max_depth == 64


def test_every_settings_key_is_documented_in_the_example() -> None:
    import dataclasses
    import typing

    from gateway.config import Config
    from tests.conftest import ROOT

    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")

    def keys(cls: type) -> set[str]:
        found = set()
        for f in dataclasses.fields(cls):
            hint = typing.get_type_hints(cls)[f.name]
            inner = [a for a in typing.get_args(hint) if dataclasses.is_dataclass(a)] or [hint]
            if dataclasses.is_dataclass(inner[0]):
                found |= keys(inner[0])
            else:
                found.add(f.name)
        return found

    sections = [f for f in dataclasses.fields(Config) if f.name not in ("source", "replay", "tegenpartij")]
    missing = set()
    for section in sections:
        hint = typing.get_type_hints(Config)[section.name]
        cls = next(a for a in (hint, *typing.get_args(hint)) if dataclasses.is_dataclass(a))
        missing |= {
            k
            for k in keys(cls)
            if f"# {k} = " not in text and f"\n{k} = " not in text and f".{k}]" not in text
        }
    assert not missing, f"undocumented keys: {sorted(missing)}"


def test_the_example_config_as_shipped_is_the_gateway_dev_pki_makes() -> None:
    """Copied beside `skgw dev-pki pki`'s folder, config.example.toml serves unchanged: our party is
    dev-pki's SHV, the counterpart its SE, the files and the hub those dev-pki writes."""
    import tomllib

    from gateway.commands.dev_pki import DEFAULT_PARTIES, hub_toml
    from gateway.security.devpki import HUB_OIN, slug
    from tests.conftest import ROOT

    hub = tomllib.loads(hub_toml(DEFAULT_PARTIES))
    shv, se = hub["partij"]
    example = load_config(ROOT / "config.example.toml")
    example.check_for_serve()  # nothing required is missing
    assert (example.gateway.adres, example.gateway.rol, example.gateway.naam) == (
        shv["id"],
        shv["rol"],
        shv["naam"],
    )
    [tegenpartij] = example.tegenpartij
    assert (tegenpartij.id, tegenpartij.naam, tegenpartij.oin, tegenpartij.rol) == (
        se["id"],
        se["naam"],
        se["oin"],
        se["rol"],
    )
    pki = ROOT / "pki"
    assert example.tls is not None
    assert (example.tls.certificate, example.tls.private_key, example.tls.ca_bundle) == (
        pki / f"{slug(shv['naam'])}.pem",
        pki / f"{slug(shv['naam'])}.key.pem",
        pki / "ca.pem",
    )
    assert example.hub.hub_oin == HUB_OIN
    assert example.hub.endpoint == f"https://{hub['hub']['host']}:{hub['hub']['port']}{hub['hub']['path']}"
