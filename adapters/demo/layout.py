"""The demo's world: three organisations, a development PKI, free ports and the config files.

Stadsbank Zwolle (SHV) talks to Energie Noord (SE, version 2.0, knows SA) and to Waterbedrijf Oost
(SE, still on version 1.1, so a nul-aanbod reaches it as the € 0.00 saneringskrediet workaround).
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

from gateway.security.devpki import HUB_OIN, PartySpec, slug, write_dev_pki


@dataclass(frozen=True, slots=True)
class Organisation:
    key: str  # shv, se, se-oud
    naam: str
    oin: str
    rol: str
    versie: str
    kent_sa: bool

    @property
    def id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"skgw-demo:{self.oin}:{slug(self.naam)}"))

    @property
    def cert(self) -> str:
        return slug(self.naam)


ORGANISATIONS = (
    Organisation("shv", "Stadsbank Zwolle", "00000001823288444000", "SHV", "2.0", True),
    Organisation("se", "Energie Noord", "00000003273471510000", "SE", "2.0", True),
    Organisation("se-oud", "Waterbedrijf Oost", "00000003512345670000", "SE", "1.1", False),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Layout:
    root: Path
    hub_port: int
    admin_port: int
    api_ports: dict[str, int]

    @classmethod
    def create(cls, root: Path) -> Layout:
        root.mkdir(parents=True, exist_ok=True)
        layout = cls(root, free_port(), free_port(), {o.key: free_port() for o in ORGANISATIONS})
        write_dev_pki(root / "pki", [PartySpec(o.naam, o.oin) for o in ORGANISATIONS], HUB_OIN, 2048, 365)
        (root / "pki" / "hub.toml").write_text(layout.hub_toml(), encoding="utf-8")
        for org in ORGANISATIONS:
            directory = root / org.key
            directory.mkdir(exist_ok=True)
            (directory / "gateway.toml").write_text(layout.gateway_toml(org), encoding="utf-8")
        return layout

    @property
    def hub_url(self) -> str:
        return f"https://127.0.0.1:{self.hub_port}/skp"

    def api_url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.api_ports[key]}"

    def hub_toml(self) -> str:
        lines = [
            "# Hub simulator of the demo (written by skgw demo).",
            "[hub]",
            'host = "127.0.0.1"',
            f"port = {self.hub_port}",
            f"admin_port = {self.admin_port}",
            'path = "/skp"',
            "expiry_werkdagen = 5",
            "validate_documents = true",
            "",
            "[tls]",
            'certificate = "hub.pem"',
            'private_key = "hub.key.pem"',
            'ca_bundle = "ca.pem"',
            'crl_files = ["ca.crl.pem"]',
            "",
        ]
        for org in ORGANISATIONS:
            versies = '["2.0", "1.1"]' if org.versie == "2.0" else '["1.1"]'
            lines += [
                "[[partij]]",
                f'id = "{org.id}"',
                f'naam = "{org.naam}"',
                f'oin = "{org.oin}"',
                f'rol = "{org.rol}"',
                f"versies = {versies}",
                f"kent_sa = {str(org.kent_sa).lower()}",
                "",
            ]
        return "\n".join(lines)

    def gateway_toml(self, org: Organisation) -> str:
        pki = "../pki"
        lines = [
            f"# {org.naam} ({org.rol}) in the demo (written by skgw demo). Paths are relative to this file.",
            "[gateway]",
            f'rol = "{org.rol}"',
            f'adres = "{org.id}"',
            f'naam = "{org.naam}"',
            "",
            "[store]",
            'url = "sqlite:///gateway.db"',
            "",
            "[tls]",
            f'certificate = "{pki}/{org.cert}.pem"',
            f'private_key = "{pki}/{org.cert}.key.pem"',
            f'ca_bundle = "{pki}/ca.pem"',
            "",
            "[hub]",
            f'endpoint = "{self.hub_url}"',
            f'hub_oin = "{HUB_OIN}"',
            "",
            "[api]",
            f"port = {self.api_ports[org.key]}",
            "[[api.tokens]]",
            'name = "demo"',
            'env = "SKGW_DEMO_TOKEN"',
            'roles = ["read", "submit", "operate"]',
            "",
            "[sinks.folder]",
            'path = "inbox"',
            'format = "json"',
            "",
            "[engine.poll]",
            "interval_seconds = 0.3",
            "",
            "[engine.dispatch]",
            "idle_wait_seconds = 0.1",
            "backoff_base_seconds = 0.2",
            "backoff_cap_seconds = 2.0",
            "",
            "[logging]",
            'level = "info"',
            "json = true",
            "",
        ]
        for other in ORGANISATIONS:
            if other.rol == org.rol:
                continue
            # each side speaks the version the other knows: the 1.1 creditor and the SHV talk 1.1
            versie = "1.1" if "1.1" in (org.versie, other.versie) else "2.0"
            lines += [
                "[[tegenpartij]]",
                f'id = "{other.id}"',
                f'naam = "{other.naam}"',
                f'oin = "{other.oin}"',
                f'rol = "{other.rol}"',
                f'versie = "{versie}"',
                f"kent_sa = {str(versie == '2.0' and other.kent_sa).lower()}",
                "",
            ]
        return "\n".join(lines)
