"""Clear start-up errors: bad config, missing certificates, an unreachable database, a port in use."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.config import StoreSettings
from gateway.model.berichttype import Rol
from gateway.service import Gateway, StartupError
from tests import certificate_factory as cf
from tests.daemon_support import TOKEN, gateway_config
from tests.transport_support import SHV_ID, dev_pki


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("SKGW_TEST_API_TOKEN", TOKEN)
    return gateway_config(
        dev_pki(), "https://127.0.0.1:9/skp", tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv"
    )


async def test_missing_certificate_is_named(config, tmp_path) -> None:
    tls = replace(config.tls, certificate=tmp_path / "nope.pem")
    with pytest.raises(StartupError, match=r"\[tls\] certificate: no such file: .*nope.pem"):
        await Gateway(replace(config, tls=tls)).start()


async def test_a_crl_signed_by_another_key_is_named(config, tmp_path) -> None:
    pki = dev_pki()
    forged = cf.crl(cf.Made(pki.ca.certificate, pki.ca.key), signed_by=cf.rsa_key(2048, 997))
    tls = replace(config.tls, crl_files=(cf.write_crl(tmp_path / "forged.crl.pem", forged),))
    named = r"\[tls\] crl_files: .*forged.crl.pem: the CRL .* is not signed by a CA"
    with pytest.raises(StartupError, match=named):
        await Gateway(replace(config, tls=tls)).start()


async def test_unreachable_database_is_named_without_its_password(config) -> None:
    store = StoreSettings(url="postgresql://skgw:geheim@127.0.0.1:9/skgw")
    with pytest.raises(StartupError) as caught:
        await Gateway(replace(config, store=store)).start()
    assert "[store] url: cannot open the store at postgresql://skgw:***@127.0.0.1:9/skgw" in str(caught.value)
    assert "geheim" not in str(caught.value)


async def test_port_in_use_is_named(config) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        api = replace(config.api, port=busy.getsockname()[1])
        gateway = Gateway(replace(config, api=api))
        with pytest.raises(StartupError, match=r"\[api\] port: cannot listen") as caught:
            await gateway.start()
        assert "another process listens there" in str(caught.value)  # and what to do
        assert "choose another [api] port" in str(caught.value)
        await gateway.stop()


def test_serve_reports_config_errors_with_file_and_key(tmp_path: Path, capsys) -> None:
    path = tmp_path / "gw.toml"
    path.write_text('[gateway]\nrol = "XX"\n')
    assert main(["serve", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "[gateway] rol: expected one of SHV, SE" in err
    path.write_text('[gateway]\nrol = "SE"\n')
    assert main(["serve", "--config", str(path)]) == 2
    assert "[gateway] adres" in capsys.readouterr().err
