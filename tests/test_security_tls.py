"""Credentials (PEM, encrypted PEM, PKCS#12), OIN, expiry, and the TLS contexts."""

from __future__ import annotations

import os
import ssl
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import certificate_factory as cf
import pytest
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
    pkcs12,
)
from transport_support import SHV_OIN, dev_pki

from gateway.security.certificates import certificate_file_days_left, days_left, load_credentials, oin_of
from gateway.security.errors import SecurityError
from gateway.security.revocation import RevocationLists
from gateway.security.settings import TlsSettings
from gateway.security.tls import client_context, server_context
from gateway.security.trust import TrustStore


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


def test_pem_credentials_and_oin(pki):
    creds = load_credentials(pki.tls("shv"))
    assert creds.oin == SHV_OIN
    assert oin_of(pki.ca.certificate) is None


def test_encrypted_pem_key_with_passphrase_from_environment(pki, tmp_path, monkeypatch):
    key = tmp_path / "shv.key.pem"
    key.write_bytes(
        pki.shv.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(b"geheim"))
    )
    settings = TlsSettings(pki.files("shv")[0], pki.dir / "ca.pem", key, passphrase_env="SKGW_TEST_PASS")
    monkeypatch.delenv("SKGW_TEST_PASS", raising=False)
    with pytest.raises(SecurityError) as info:
        load_credentials(settings)
    assert info.value.code == "passphrase-missing" and "SKGW_TEST_PASS" in str(info.value)
    monkeypatch.setenv("SKGW_TEST_PASS", "fout")
    with pytest.raises(SecurityError) as info:
        load_credentials(settings)
    assert info.value.code == "key-unreadable"
    monkeypatch.setenv("SKGW_TEST_PASS", "geheim")
    assert load_credentials(settings).oin == SHV_OIN
    assert isinstance(client_context(settings), ssl.SSLContext)


def test_encrypted_key_without_passphrase_setting_says_what_to_do(pki, tmp_path):
    key = tmp_path / "k.pem"
    key.write_bytes(
        pki.shv.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(b"x"))
    )
    with pytest.raises(SecurityError) as info:
        load_credentials(TlsSettings(pki.files("shv")[0], pki.dir / "ca.pem", key))
    assert info.value.code == "passphrase-missing" and "passphrase_env" in str(info.value)


def test_pkcs12_credentials_and_contexts(pki, tmp_path, monkeypatch):
    p12 = tmp_path / "shv.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"shv",
            pki.shv.key,
            pki.shv.certificate,
            [pki.ca.certificate],
            BestAvailableEncryption(b"p12pass"),
        )
    )
    monkeypatch.setenv("SKGW_TEST_P12", "p12pass")
    settings = TlsSettings(p12, pki.dir / "ca.pem", passphrase_env="SKGW_TEST_P12")
    creds = load_credentials(settings)
    assert creds.oin == SHV_OIN and len(creds.chain) == 1
    assert server_context(settings, creds).verify_mode == ssl.CERT_REQUIRED
    assert client_context(settings, creds).check_hostname


def test_key_of_another_certificate_is_refused(pki):
    settings = TlsSettings(pki.files("shv")[0], pki.dir / "ca.pem", pki.files("se")[1])
    with pytest.raises(SecurityError) as info:
        load_credentials(settings)
    assert info.value.code == "key-mismatch"
    # the message starts with the file to change (the key) and names the certificate it must fit
    assert str(info.value).startswith(f"{pki.files('se')[1]}: the private key does not belong to the ")
    assert f"certificate {pki.files('shv')[0]};" in str(info.value)


def test_missing_file_is_a_clear_error(pki, tmp_path):
    with pytest.raises(SecurityError) as info:
        load_credentials(TlsSettings(tmp_path / "nope.pem", pki.dir / "ca.pem"))
    assert "nope.pem" in str(info.value)


def test_contexts_require_tls12_and_peer_certificates(pki):
    server = server_context(pki.tls("hub"))
    client = client_context(pki.tls("shv"))
    for ctx in (server, client):
        assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
        assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert not server.verify_flags & ssl.VERIFY_CRL_CHECK_LEAF


def test_crl_files_switch_on_leaf_revocation_checks(pki):
    ctx = server_context(pki.tls("hub", crl_files=(pki.dir / "ca.crl.pem",)))
    assert ctx.verify_flags & ssl.VERIFY_CRL_CHECK_LEAF


def test_unknown_tls_version_is_refused(pki):
    with pytest.raises(SecurityError) as info:
        client_context(pki.tls("shv", minimum_version="TLSv1.0"))
    assert info.value.code == "tls-version"


def test_days_left_for_health_checks(pki):
    now = datetime.now(UTC)
    assert 360 <= days_left(pki.shv.certificate, now) <= 365
    assert days_left(pki.expired.certificate, now) < 0
    assert certificate_file_days_left(pki.files("shv")[0], now + timedelta(days=100)) < 266


def test_trust_store_from_files(pki):
    trust = TrustStore.from_files(pki.dir / "ca.pem", [pki.dir / "ca.crl.pem"])
    now = datetime.now(UTC)
    assert trust.validate(pki.shv.certificate, now)[-1] == pki.ca.certificate
    with pytest.raises(SecurityError) as info:
        trust.validate(pki.revoked.certificate, now)
    assert info.value.code == "certificate-revoked"


def _handshake(client: ssl.SSLContext, server: ssl.SSLContext, hostname: str = "localhost") -> None:
    """A TLS handshake in memory; raises ssl.SSLError when either side refuses."""
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    c = client.wrap_bio(c_in, c_out, server_hostname=hostname)
    s = server.wrap_bio(s_in, s_out, server_side=True)
    done = {"c": False, "s": False}
    for _ in range(20):  # bounded: a handshake needs a handful of flights
        for name, side in (("c", c), ("s", s)):
            if not done[name]:
                try:
                    side.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done.values()):
            c.write(b"ping")  # TLS 1.3: the server checks the client certificate after its Finished
            s_in.write(c_out.read())
            s.read(4)
            return
    raise AssertionError("handshake did not finish")


def test_mutual_tls_handshake_also_under_x509_strict(pki):
    client, server = client_context(pki.tls("shv")), server_context(pki.tls("hub"))
    for ctx in (client, server):
        ctx.verify_flags |= ssl.VERIFY_X509_STRICT  # the Python 3.13 default
    _handshake(client, server)


def test_revoked_client_certificate_is_refused_when_crls_are_configured(pki):
    server = server_context(pki.tls("hub", crl_files=(pki.dir / "ca.crl.pem",)))
    _handshake(client_context(pki.tls("se")), server)
    with pytest.raises(ssl.SSLError):
        _handshake(client_context(pki.tls("revoked")), server)
    _handshake(client_context(pki.tls("revoked")), server_context(pki.tls("hub")))  # no CRL: not checked


def test_client_certificate_of_untrusted_ca_is_refused(pki):
    with pytest.raises(ssl.SSLError):
        _handshake(client_context(pki.tls("rogue")), server_context(pki.tls("hub")))


def test_server_name_must_match(pki):
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(client_context(pki.tls("shv")), server_context(pki.tls("hub")), hostname="hub.example.nl")


# -- the certificate policy at the TLS layer -----------------------------------------------------------


@pytest.fixture(scope="module")
def policy_pki(tmp_path_factory):
    """A root (the only trust anchor), a CA with pathLen 0 under it and one under that, a hub."""
    d = tmp_path_factory.mktemp("tls-policy")
    root = cf.ca("TLS Root", n=10)
    inter0 = cf.ca("TLS CA pathLen 0", root, path_length=0, n=11)
    inter1 = cf.ca("TLS CA onder pathLen 0", inter0, n=12)
    anchors = cf.bundle(d, root)
    hub = cf.tls_settings(d, "hub", cf.leaf(root, "Hub", "00000001800866472000"), anchors)
    return SimpleNamespace(dir=d, root=root, inter0=inter0, inter1=inter1, anchors=anchors, hub=hub)


def _weak_context(made: cf.Made, directory: Path, *, server: bool, chain=()) -> ssl.SSLContext:
    """A peer's context that OpenSSL lets hold anything (security level 0): the attacker's side."""
    cert, key = made.write(directory, f"peer-{uuid.uuid4().hex[:8]}", chain)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=str(directory / "bundle.pem"))
    ctx.load_cert_chain(str(cert), str(key))
    return ctx


TLS_REFUSED = {
    "rsa-1024": lambda p: (cf.leaf(p.root, bits=1024), ()),
    "no-digital-signature": lambda p: (cf.leaf(p.root, usage=cf.key_usage(digital_signature=False)), ()),
    "path-length-exceeded": lambda p: (cf.leaf(p.inter1), (p.inter1, p.inter0)),
}


@pytest.mark.parametrize("case", sorted(TLS_REFUSED))
def test_tls_refuses_a_client_certificate_the_policy_refuses(policy_pki, case):
    made, chain = TLS_REFUSED[case](policy_pki)
    client = _weak_context(made, policy_pki.dir, server=False, chain=chain)
    with pytest.raises(ssl.SSLError):
        _handshake(client, server_context(policy_pki.hub))


def test_tls_refuses_a_server_with_an_rsa_1024_key(policy_pki):
    server = _weak_context(cf.leaf(policy_pki.root, bits=1024), policy_pki.dir, server=True)
    client = client_context(
        cf.tls_settings(policy_pki.dir, "c", cf.leaf(policy_pki.root), policy_pki.anchors)
    )
    with pytest.raises(ssl.SSLCertVerificationError, match="too weak"):
        _handshake(client, server)


def test_openssl_takes_a_ca_flagged_client_which_the_verifier_then_refuses(policy_pki):
    """Why the verifier checks the TLS peer's certificate again (the policy tests show it refuses)."""
    made = cf.leaf(policy_pki.root, is_ca=True)
    _handshake(_weak_context(made, policy_pki.dir, server=False), server_context(policy_pki.hub))
    trust = TrustStore([policy_pki.root.certificate])
    with pytest.raises(SecurityError) as info:
        trust.validate(made.certificate, datetime.now(UTC))
    assert info.value.code == "certificate-is-ca"


def _client(policy_pki, name="client") -> ssl.SSLContext:
    settings = cf.tls_settings(policy_pki.dir, name, cf.leaf(policy_pki.root, name), policy_pki.anchors)
    return client_context(settings)


def _stale(policy_pki):
    return cf.crl(policy_pki.root, next_update_in=timedelta(minutes=-1), age=timedelta(days=8))


def test_a_stale_crl_refuses_clients_until_the_file_is_replaced_without_a_restart(policy_pki, tmp_path):
    path = cf.write_crl(tmp_path / "root.crl.pem", _stale(policy_pki))
    crls = RevocationLists.from_files([path], [policy_pki.root.certificate], recheck_seconds=0)
    server = server_context(policy_pki.hub, revocation=crls)
    with pytest.raises(ssl.SSLError, match="CRL has expired"):
        _handshake(_client(policy_pki), server)
    client = _client(policy_pki, "client2")
    cf.write_crl(path, cf.crl(policy_pki.root, (), age=timedelta(minutes=1)))
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    _handshake(client, server)  # the same server context: the handshake itself reloaded the file
    revoked = cf.leaf(policy_pki.root, "Ingetrokken")
    cf.write_crl(path, cf.crl(policy_pki.root, (revoked,), age=timedelta(seconds=30)))
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    settings = cf.tls_settings(policy_pki.dir, "revoked", revoked, policy_pki.anchors)
    with pytest.raises(ssl.SSLError, match="revoked"):
        _handshake(client_context(settings), server)


def test_a_client_reloads_a_replaced_crl_before_it_connects(policy_pki, tmp_path):
    path = cf.write_crl(tmp_path / "root.crl.pem", _stale(policy_pki))
    crls = RevocationLists.from_files([path], [policy_pki.root.certificate], recheck_seconds=0)
    settings = cf.tls_settings(policy_pki.dir, "c3", cf.leaf(policy_pki.root, "c3"), policy_pki.anchors)
    client = client_context(settings, revocation=crls)
    with pytest.raises(ssl.SSLCertVerificationError, match="CRL has expired"):
        _handshake(client, server_context(policy_pki.hub))
    cf.write_crl(path, cf.crl(policy_pki.root))
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    crls.refresh()  # what the hub client does before each call
    _handshake(client, server_context(policy_pki.hub))


def test_a_crl_signed_by_another_key_stops_the_start(policy_pki, tmp_path):
    forged = cf.crl(policy_pki.root, signed_by=cf.rsa_key(2048, 998))
    settings = replace(policy_pki.hub, crl_files=(cf.write_crl(tmp_path / "forged.crl.pem", forged),))
    with pytest.raises(SecurityError) as info:
        server_context(settings)
    assert info.value.code == "crl-invalid" and "forged.crl.pem" in info.value.message
