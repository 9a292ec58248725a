"""`skgw serve` that cannot start says why (file, section, key) and exits 2 promptly: no hang, no
traceback. Each case is a real process with a bounded wait."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.serve_support import Serve, in_private_mount, private_mount_available, write_config
from tests.transport_support import dev_pki

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]
EXIT_WITHIN = 30.0


def _refused(serve: Serve, *expected: str) -> str:
    code = serve.start().wait(EXIT_WITHIN)
    output = serve.output()
    assert code is not None, f"skgw serve still running after {EXIT_WITHIN}s:\n{output}"
    assert code == 2, output
    assert f"skgw serve: cannot start: {serve.config}: " in output, output
    for text in expected:
        assert text in output, output
    assert "Traceback" not in output and "Event loop is closed" not in output, output
    assert "gateway stopped" not in output, output  # it never started
    return output


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "gateway.db").write_bytes(b"this is not an SQLite database, just some bytes\n" * 4)
    config = write_config(tmp_path, dev_pki())
    _refused(Serve(config, tmp_path / "out.log"), "[store] url: cannot open the store", "not a database")


def test_a_missing_directory(tmp_path: Path) -> None:
    config = write_config(tmp_path, dev_pki(), store_url="sqlite:///nowhere/gateway.db")
    _refused(
        Serve(config, tmp_path / "out.log"),
        f"[store] url: the directory {tmp_path / 'nowhere'} does not exist",
    )


def test_a_database_on_a_read_only_file_system(tmp_path: Path) -> None:
    why = private_mount_available()
    if why:
        pytest.skip(why)
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "gateway.db") as db:  # an existing database, then mounted read-only
        db.execute("CREATE TABLE earlier (x INTEGER)")
    config = write_config(tmp_path, dev_pki(), store_url=f"sqlite:///{data / 'gateway.db'}")
    wrap = in_private_mount(f"mount --bind {data} {data} && mount -o remount,ro,bind {data}")
    _refused(Serve(config, tmp_path / "out.log", wrap=wrap), "[store] url: cannot open the store", "readonly")


def test_a_certificate_with_the_wrong_key(tmp_path: Path) -> None:
    pki = dev_pki()
    config = write_config(tmp_path, pki, key=str(pki.files("se")[1]))
    _refused(
        Serve(config, tmp_path / "out.log"),
        f"[tls] private_key: {pki.files('se')[1]}: the private key does not belong to the certificate "
        f"{pki.files('shv')[0]}",
    )


def test_a_certificate_file_that_is_not_pem(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    pki = dev_pki()
    config = write_config(tmp_path, pki)
    config.write_text(config.read_text().replace(str(pki.files("shv")[0]), str(garbage)))
    _refused(Serve(config, tmp_path / "out.log"), f"[tls] certificate: {garbage}: no PEM certificate found")


def test_a_ca_bundle_that_is_not_pem(tmp_path: Path) -> None:
    garbage = tmp_path / "ca.pem"
    garbage.write_bytes(b"\x00\x01 binary, not a CA bundle")
    pki = dev_pki()
    config = write_config(tmp_path, pki)
    config.write_text(config.read_text().replace(str(pki.dir / "ca.pem"), str(garbage)))
    _refused(Serve(config, tmp_path / "out.log"), "[tls] ca_bundle: ")
