"""Shared test material for the transport tests: one development PKI per test session.

RSA key generation is slow, so the PKI is made once per process (``functools.cache``) and the
fixtures in the test modules only hand it out. Everything binds 127.0.0.1 on ephemeral ports.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from adapters.hub.client import HubClient
from adapters.hub.settings import HubClientSettings
from adapters.hub.simulator_config import Partij, SimulatorConfig
from adapters.hub.simulator_faults import FaultPlan
from gateway.security.certificates import Credentials
from gateway.security.devpki import HUB_OIN, DevCa, Issued
from gateway.security.settings import TlsSettings

SHV_OIN = "00000001001234567000"
SE_OIN = "00000003123456780000"
SHV_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "test-shv"))
SE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "test-se"))
SE2_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "test-se-oud"))  # knows only 1.1, no SA


@dataclass(frozen=True)
class Pki:
    dir: Path
    ca: DevCa
    hub: Issued
    shv: Issued
    se: Issued
    rogue: Issued  # SHV's OIN, but issued by a CA nobody trusts
    expired: Issued  # SHV's OIN, trusted CA, expired
    revoked: Issued  # SE's OIN, on the CA's CRL

    def files(self, name: str) -> tuple[Path, Path]:
        return self.dir / f"{name}.pem", self.dir / f"{name}.key.pem"

    def tls(self, name: str, **kw: object) -> TlsSettings:
        cert, key = self.files(name)
        return TlsSettings(certificate=cert, private_key=key, ca_bundle=self.dir / "ca.pem", **kw)  # type: ignore[arg-type]

    def credentials(self, name: str) -> Credentials:
        issued: Issued = getattr(self, name)
        return Credentials(issued.certificate, issued.key)


@cache
def dev_pki() -> Pki:
    directory = Path(tempfile.mkdtemp(prefix="skgw-test-pki-"))
    atexit.register(shutil.rmtree, directory, True)
    ca = DevCa()
    other = DevCa(name="untrusted CA")
    issued = {
        "hub": ca.issue("Schuldenknooppunt simulator", HUB_OIN),
        "shv": ca.issue("Gemeente Test", SHV_OIN),
        "se": ca.issue("Energie Test", SE_OIN),
        "rogue": other.issue("Gemeente Test", SHV_OIN),
        "expired": ca.issue(
            "Gemeente Test", SHV_OIN, days=1, not_before=datetime.now(UTC) - timedelta(days=3)
        ),
        "revoked": ca.issue("Energie Test", SE_OIN),
    }
    (directory / "ca.pem").write_bytes(ca.cert_pem())
    (directory / "other-ca.pem").write_bytes(other.cert_pem())
    crl = ca.crl((issued["revoked"].certificate,))
    (directory / "ca.crl.pem").write_bytes(crl.public_bytes(Encoding.PEM))
    for name, item in issued.items():
        (directory / f"{name}.pem").write_bytes(item.cert_pem())
        (directory / f"{name}.key.pem").write_bytes(item.key_pem())
    return Pki(directory, ca, **issued)


def partijen() -> tuple[Partij, ...]:
    return (
        Partij(SHV_ID, "Gemeente Test", SHV_OIN, "SHV", ("2.0", "1.1"), True),
        Partij(SE_ID, "Energie Test", SE_OIN, "SE", ("2.0", "1.1"), True),
        Partij(SE2_ID, "Oude Schuldeiser", SE_OIN, "SE", ("1.1",), False),
    )


def simulator_config(pki: Pki, faults: FaultPlan | None = None, **kw: object) -> SimulatorConfig:
    return SimulatorConfig(
        tls=pki.tls("hub"),
        partijen=partijen(),
        port=0,
        admin_port=0,
        faults=faults or FaultPlan(),
        **kw,  # type: ignore[arg-type]
    )


def client_for(pki: Pki, url: str, name: str = "shv", afzender: str = SHV_ID, **kw: object) -> HubClient:
    settings = HubClientSettings(
        endpoint=url,
        afzender=afzender,
        tls=pki.tls(name),
        hub_oin=HUB_OIN,
        connect_timeout_seconds=3,
        request_timeout_seconds=kw.pop("timeout", 5),  # type: ignore[arg-type]
    )
    return HubClient(settings, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class FakeEntry:
    berichttype: str
    versie: str
    root: str
    namespace: str


@dataclass(frozen=True)
class FakeReport:
    ok: bool
    problems: list[str]
    entry: FakeEntry | None


def fake_validator(data: bytes) -> FakeReport:
    """A small stand-in for gateway.xml.validate.validate_document (same report shape).

    Accepts documents whose root is in ``urn:test:<version>``; refuses those holding <Fout/>.
    """
    from lxml import etree

    root = etree.fromstring(data)
    qname = etree.QName(root)
    version = (qname.namespace or "").rpartition(":")[2] or "2.0"
    if root.find(".//{*}Fout") is not None:
        return FakeReport(False, ["Fout is not allowed here"], None)
    return FakeReport(True, [], FakeEntry(qname.localname, version, qname.localname, qname.namespace or ""))


def document(root: str = "Saldoverzoek", version: str = "2.0", extra: str = "") -> bytes:
    return f'<{root} xmlns="urn:test:{version}"><Berichtheader/>{extra}</{root}>'.encode()
