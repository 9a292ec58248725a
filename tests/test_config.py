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
