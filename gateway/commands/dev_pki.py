"""`skgw dev-pki OUTDIR`: a private CA with hub and party certificates, plus a ready hub.toml.

It ends by printing each party's address-book entry and the next steps. With the default parties
the id, name, OIN and file names are exactly those in ``config.example.toml`` (a gateway for
Gemeente Voorbeeld, talking to Energie Voorbeeld), so a copy of it placed beside OUTDIR serves
against the local hub unchanged. Party ids are deterministic (uuid5 of OIN and name), so running
it again gives the same address book.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import uuid
from pathlib import Path

from gateway.security.devpki import HUB_OIN, OIN_PATTERN, PartySpec, slug, write_dev_pki

DEFAULT_PARTIES = [
    ("Gemeente Voorbeeld", "00000001001234567000", "SHV"),
    ("Energie Voorbeeld", "00000003123456780000", "SE"),
]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "dev-pki",
        help="create a development CA, hub and party certificates (OIN in serialNumber)",
        description="Create a private development PKI for the hub simulator, the demo and tests. "
        "Never use these certificates in production.",
    )
    p.add_argument("outdir", type=Path, help="directory to write the PEM files and hub.toml to")
    p.add_argument(
        "--party",
        action="append",
        metavar="NAME=OIN[:ROLE]",
        help="a party certificate (repeatable); ROLE is SHV or SE (default SHV). "
        "Default: 'Gemeente Voorbeeld' (SHV) and 'Energie Voorbeeld' (SE)",
    )
    p.add_argument("--hub-oin", default=HUB_OIN, help=f"OIN of the hub certificate (default {HUB_OIN})")
    p.add_argument("--days", type=int, default=365, help="validity of the leaf certificates (default 365)")
    p.add_argument("--key-size", type=int, default=2048, choices=(2048, 3072, 4096))
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(func=run)


def _parties(values: list[str] | None) -> list[tuple[str, str, str]]:
    if not values:
        return list(DEFAULT_PARTIES)
    parties = []
    for value in values:
        name, sep, rest = value.partition("=")
        oin, _, role = rest.partition(":")
        role = (role or "SHV").upper()
        if not sep or not name.strip() or not OIN_PATTERN.match(oin) or role not in ("SHV", "SE"):
            raise ValueError(f"--party {value!r}: expected NAME=OIN[:SHV|SE] with a 20-digit OIN")
        parties.append((name.strip(), oin, role))
    return parties


def run(args: argparse.Namespace) -> int:
    try:
        parties = _parties(args.party)
    except ValueError as exc:
        print(f"skgw dev-pki: {exc}", file=sys.stderr)
        return 2
    if not OIN_PATTERN.match(args.hub_oin):
        print("skgw dev-pki: --hub-oin must have 20 digits", file=sys.stderr)
        return 2
    out: Path = args.outdir
    if (out / "ca.pem").exists() and not args.force:
        print(f"skgw dev-pki: {out} already holds a PKI; use --force to replace it", file=sys.stderr)
        return 2
    written = write_dev_pki(
        out, [PartySpec(n, o) for n, o, _ in parties], args.hub_oin, args.key_size, args.days
    )
    config = out / "hub.toml"
    config.write_text(hub_toml(parties), encoding="utf-8")
    written.append(config)
    for path in written:
        print(path)
    print(next_steps(out, parties, args.hub_oin, invoked_as()))
    return 0


def party_id(name: str, oin: str) -> str:
    """A party's address-book UUID: the same name and OIN always give the same id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"skgw-dev:{oin}:{slug(name)}"))


def invoked_as() -> str:
    """How to run skgw again as the user just did: ``skgw`` when that is on the PATH, else the path they
    typed (``.venv/bin/skgw`` in the repository, as the README does), so the next steps run as printed."""
    typed = sys.argv[0]
    if Path(typed).name != "skgw":  # python -m gateway.cli, or a test
        return "skgw"
    found = shutil.which("skgw")
    return "skgw" if found and Path(found).resolve() == Path(typed).resolve() else typed


def next_steps(out: Path, parties: list[tuple[str, str, str]], hub_oin: str, skgw: str = "skgw") -> str:
    """The address book as written, and what to run next (``skgw``: how to run skgw)."""
    width = max(len(name) for name, _, _ in parties)
    lines = ["", f"the hub's address book ({out / 'hub.toml'}), hub OIN {hub_oin}:"]
    for name, oin, role in parties:
        lines.append(
            f"  {name:<{width}}  {role:<3}  id {party_id(name, oin)}  oin {oin}  "
            f"certificate {out / slug(name)}.pem, key {out / slug(name)}.key.pem"
        )
    config = out.parent / "skgw.toml"
    lines += ["", "next:", f"  {skgw} hub --config {out / 'hub.toml'}"]
    if parties == DEFAULT_PARTIES and hub_oin == HUB_OIN and out.name == "pki":
        lines.append(
            f"  cp config.example.toml {config}    "
            f"# beside {out}: a gateway for {parties[0][0]}, nothing to change"
        )
    else:
        lines.append(
            f"  cp config.example.toml {config}    # then set [gateway] adres and rol, [[tegenpartij]], "
            f"[tls] and [hub] hub_oin to the values above (paths in it as {out.name}/<file>)"
        )
    lines += [
        "  export SKGW_API_TOKEN=$(openssl rand -hex 24)",
        f"  {skgw} serve --config {config}",
    ]
    return "\n".join(lines)


def hub_toml(parties: list[tuple[str, str, str]]) -> str:
    lines = [
        "# Hub simulator configuration written by `skgw dev-pki`. Paths are relative to this file.",
        "[hub]",
        'host = "127.0.0.1"',
        "port = 8443",
        "admin_port = 8444",
        'path = "/skp"',
        "expiry_werkdagen = 5",
        "validate_documents = true",
        "# the messages, receipts and confirmations survive a restart here (skgw hub --memory: not kept)",
        'state = "hub-state.sqlite"',
        "",
        "[tls]",
        'certificate = "hub.pem"',
        'private_key = "hub.key.pem"',
        'ca_bundle = "ca.pem"',
        'crl_files = ["ca.crl.pem"]',
        "",
        "[wssecurity]",
        "clock_skew_seconds = 300",
        "timestamp_ttl_seconds = 300",
        "",
        "[faults]",
        "latency_ms = 0",
        "http_503 = 0",
        "drop = 0",
        "garbage = 0",
        "unsigned = 0",
        "",
    ]
    for name, oin, role in parties:
        lines += [
            "[[partij]]",
            f'id = "{party_id(name, oin)}"',
            f'naam = "{name}"',
            f'oin = "{oin}"',
            f'rol = "{role}"',
            'versies = ["2.0", "1.1"]',
            "kent_sa = true",
            f"# certificate: {slug(name)}.pem, key: {slug(name)}.key.pem",
            "",
        ]
    return "\n".join(lines)
