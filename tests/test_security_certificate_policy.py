"""The signer certificate policy: what a WS-Security signer's certificate (and a TLS peer's, checked
again after the handshake) must be, its path, and its revocation by current, verified CRLs that
are reloaded when their file changes.

Before: an RSA-1024 key, a certificate without digitalSignature or with a CA flag, a path through a
CA with pathLen 0, a stale CRL and a CRL signed by another key were all accepted from a signer.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import certificate_factory as f
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID
from lxml import etree

from gateway.security.devpki import PartySpec, write_dev_pki
from gateway.security.errors import SecurityError
from gateway.security.revocation import RevocationLists
from gateway.security.signer import WsSigner
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.soap.envelope import Addressing, build_envelope, message_id_for, parse_envelope
from gateway.soap.namespaces import HUB, q

OIN = "00000001001234567000"


class World:
    def __init__(self) -> None:
        self.root = f.ca("Beleid Root")
        self.inter0 = f.ca("Beleid CA pathLen 0", self.root, path_length=0, n=1)
        self.inter1 = f.ca("Beleid CA onder pathLen 0", self.inter0, n=2)
        self.cas = [self.root, self.inter0, self.inter1]
        self.good = f.leaf(self.root)

    def certificates(self):
        return [m.certificate for m in self.cas]

    def fresh_crls(self):
        return [f.crl(m) for m in self.cas]

    def trust(self, crls=None) -> TrustStore:
        return TrustStore(self.certificates(), self.fresh_crls() if crls is None else crls)


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def signed_by(made: f.Made) -> bytes:
    element = etree.Element(q(HUB, "HaalBerichtenOp"), nsmap={"hub": HUB})
    etree.SubElement(element, q(HUB, "Maximum")).text = "1"
    addressing = Addressing("https://hub/skp", f"{HUB}:HaalBerichtenOp", message_id_for(str(uuid.uuid4())))
    return WsSigner(made.credentials).sign(build_envelope(element, addressing)).data


def outcome(trust: TrustStore, data: bytes, **kw) -> str:
    try:
        return WsVerifier(trust).verify(parse_envelope(data), **kw).oin or "accepted"
    except SecurityError as exc:
        return exc.code


def refusal(call) -> SecurityError:
    with pytest.raises(SecurityError) as info:
        call()
    return info.value


BAD_SIGNERS = {
    "rsa-1024": (lambda w: f.leaf(w.root, bits=1024), "key-too-weak"),
    "no-digital-signature": (
        lambda w: f.leaf(w.root, usage=f.key_usage(digital_signature=False)),
        "certificate-key-usage",
    ),
    "no-key-usage": (lambda w: f.leaf(w.root, usage=None), "certificate-key-usage"),
    "ca-flag-on-the-leaf": (lambda w: f.leaf(w.root, is_ca=True), "certificate-is-ca"),
    "eku-for-email-only": (
        lambda w: f.leaf(w.root, eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION]),
        "certificate-eku",
    ),
    "path-length-exceeded": (lambda w: f.leaf(w.inter1), "certificate-untrusted"),
}


def test_a_good_signer_is_accepted_also_under_an_intermediate(world):
    trust = world.trust()
    assert outcome(trust, signed_by(world.good)) == OIN
    assert outcome(trust, signed_by(f.leaf(world.inter0))) == OIN
    no_eku_no_san = f.leaf(world.root, eku=None, hosts=())  # neither is required of a signer
    assert outcome(trust, signed_by(no_eku_no_san)) == OIN


@pytest.mark.parametrize("case", sorted(BAD_SIGNERS))
def test_a_signer_certificate_breaking_the_policy_is_refused(world, case):
    make, code = BAD_SIGNERS[case]
    assert outcome(world.trust(), signed_by(make(world))) == code


def test_the_path_length_refusal_says_why(world):
    error = refusal(lambda: world.trust().validate(f.leaf(world.inter1).certificate, datetime.now(UTC)))
    assert error.code == "certificate-untrusted" and "path length" in error.message


@pytest.mark.parametrize("case", ["ca-flag-on-the-leaf", "no-key-usage", "eku-for-email-only"])
def test_a_tls_peer_certificate_openssl_would_take_is_refused_after_the_handshake(world, case):
    """OpenSSL accepts these as TLS peers (tests/test_security_tls.py); the verifier holds the TLS
    peer's certificate to the signer's policy."""
    make, code = BAD_SIGNERS[case]
    data = signed_by(world.good)
    with pytest.raises(SecurityError) as info:
        WsVerifier(world.trust()).verify(parse_envelope(data), peer_certificate=make(world).certificate)
    assert info.value.code == code and info.value.message.startswith("the TLS peer:")


def test_a_stale_crl_refuses_the_certificates_of_its_issuer(world):
    stale = [f.crl(world.root, next_update_in=timedelta(minutes=-1), age=timedelta(days=8))]
    error = refusal(lambda: world.trust(stale).validate(world.good.certificate, datetime.now(UTC)))
    assert error.code == "crl-expired" and "stale" in error.message
    assert outcome(world.trust(stale), signed_by(world.good)) == "crl-expired"


def test_a_crl_not_yet_valid_is_not_trusted(world):
    early = [f.crl(world.root, age=timedelta(hours=-1))]
    assert outcome(world.trust(early), signed_by(world.good)) == "crl-not-yet-valid"


def test_a_crl_signed_by_another_key_is_refused(world, tmp_path):
    forged = f.crl(world.root, (world.good,), signed_by=f.rsa_key(2048, 999))
    error = refusal(lambda: world.trust([forged]))
    assert error.code == "crl-invalid" and "not signed by a CA in ca_bundle" in error.message
    path = f.write_crl(tmp_path / "forged.crl.pem", forged)
    error = refusal(lambda: TrustStore.from_files(f.bundle(tmp_path, world.root), [path]))
    assert error.code == "crl-invalid" and "forged.crl.pem" in error.message


def test_with_crls_configured_a_certificate_whose_issuer_has_none_is_refused(world):
    only_inter0 = [f.crl(world.inter0)]
    assert outcome(world.trust(only_inter0), signed_by(world.good)) == "crl-missing"
    assert outcome(world.trust(only_inter0), signed_by(f.leaf(world.inter0))) == OIN
    assert outcome(world.trust([]), signed_by(world.good)) == OIN  # no CRLs: no revocation check


def test_a_revoked_signer_is_refused(world):
    revoked = f.leaf(world.root, "Gemeente Ingetrokken")
    trust = world.trust([f.crl(world.root, (revoked,))])
    assert outcome(trust, signed_by(revoked)) == "certificate-revoked"
    assert outcome(trust, signed_by(world.good)) == OIN


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def replace_file(path: Path, revocation_list) -> None:
    """Write a new CRL over ``path`` with a later modification time (file systems stamp times at a
    few ms granularity; an operator's copy comes seconds later at least)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    f.write_crl(path, revocation_list)
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def test_crls_are_reloaded_when_their_file_changes_at_most_once_a_recheck(world, tmp_path, caplog):
    path = tmp_path / "root.crl.pem"
    replace_file(path, f.crl(world.root, next_update_in=timedelta(minutes=-1), age=timedelta(days=8)))
    clock = Clock()
    lists = RevocationLists.from_files([path], world.certificates(), recheck_seconds=60, monotonic=clock)
    trust = TrustStore(world.certificates(), revocation=lists)
    now, leaf = datetime.now(UTC), world.good.certificate
    assert refusal(lambda: trust.validate(leaf, now)).code == "crl-expired"

    replace_file(path, f.crl(world.root))  # the operator puts a current CRL in place
    assert refusal(lambda: trust.validate(leaf, now)).code == "crl-expired"  # not looked at yet
    clock.now += 60
    assert trust.validate(leaf, now)[0] == leaf  # reloaded, no restart

    replace_file(path, f.crl(world.root, (world.good,), age=timedelta(minutes=1)))
    clock.now += 60
    assert refusal(lambda: trust.validate(leaf, now)).code == "certificate-revoked"

    replace_file(path, f.crl(world.root, signed_by=f.rsa_key(2048, 999), age=timedelta(seconds=1)))
    clock.now += 60
    with caplog.at_level("ERROR", logger="skgw.security"):
        assert refusal(lambda: trust.validate(leaf, now)).code == "certificate-revoked"  # the last good one
    assert "cannot be used" in caplog.text and "root.crl.pem" in caplog.text
    later = now + timedelta(days=8)  # past the last good CRL's nextUpdate: stale, refused
    assert refusal(lambda: trust.validate(leaf, later)).code == "crl-expired"


def test_the_development_pki_passes_the_policy(tmp_path):
    written = write_dev_pki(tmp_path, [PartySpec("Gemeente Voorbeeld", OIN)], days=365)
    trust = TrustStore.from_files(tmp_path / "ca.pem", [tmp_path / "ca.crl.pem"])
    leaves = [p for p in written if p.suffixes == [".pem"] and p.stem not in ("ca",)]
    assert {p.name for p in leaves} == {"hub.pem", "gemeente-voorbeeld.pem"}
    for path in leaves:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        assert trust.validate(cert, datetime.now(UTC))[0] == cert
    crl = x509.load_pem_x509_crl((tmp_path / "ca.crl.pem").read_bytes())
    assert crl.next_update_utc - datetime.now(UTC) > timedelta(days=360)  # lasts as the certificates do
    assert crl.public_bytes(Encoding.PEM).startswith(b"-----BEGIN X509 CRL")


def test_a_self_signed_certificate_placed_in_ca_bundle_is_trusted_as_itself(world):
    """An operator may pin a partner's self-signed certificate (OpenSSL trusts it the same way);
    it must still meet the policy, and with CRLs configured it has none."""
    own = f.self_signed_leaf()
    assert outcome(TrustStore([own.certificate]), signed_by(own)) == OIN
    with_crls = TrustStore([own.certificate, world.root.certificate], [f.crl(world.root)])
    assert outcome(with_crls, signed_by(own)) == "crl-missing"
