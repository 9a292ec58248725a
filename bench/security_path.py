"""`python -m bench.security_path [--rounds N] [--per-round N]`: µs per operation of the WS-Security path.

One VerstuurBericht carrying the bench's 10-claim Betaalvoorstel goes the whole way in one process,
without HTTP: the gateway signs the request, the hub verifies it, the hub builds and signs its
receipt, the gateway verifies the receipt, and the hub simulator's whole ``respond`` (verify, XSD,
bookkeeping, signed receipt). Bare RSA-2048 sign and verify are timed beside them.

The ``non-RSA`` column is the cost of our own code. Where the operation signs, it is timed again
with the private key replaced by a stub that returns a zero signature at once (an RSA-2048 signature
takes ~0.7 ms and varies by ±10 % on a shared machine: subtracting it would drown the rest in its
noise); where it verifies, the RSA verify figure (~25 µs, steady) is subtracted.

Every operation that is refused when repeated (replay cache, the hub's idempotency) runs over a
pool of distinct signed messages made beforehand, so each timed call does the full work.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import Encoding

from adapters.hub import operations as ops
from adapters.hub.client import HubClient
from adapters.hub.settings import HubClientSettings
from adapters.hub.simulator import HubSimulator
from adapters.hub.simulator_config import Partij, SimulatorConfig
from bench.messages import betaalvoorstel
from gateway.security.certificates import Credentials, load_der_certificate
from gateway.security.devpki import HUB_OIN, DevCa, Issued
from gateway.security.settings import TlsSettings
from gateway.security.signer import WsSigner
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.soap.envelope import Addressing, build_envelope, message_id_for, new_message_id, parse_envelope

ENDPOINT = "https://127.0.0.1:8443/skp"
SHV = Partij(
    str(uuid.uuid5(uuid.NAMESPACE_URL, "bench-shv")), "Gemeente Bench", "00000001001234567000", "SHV"
)
SE = Partij(str(uuid.uuid5(uuid.NAMESPACE_URL, "bench-se")), "Energie Bench", "00000003123456780000", "SE")
SIGNED_INFO_BYTES = 1400  # about the size of a canonical SignedInfo with three to five References


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    median_us: float
    overhead_us: float  # without the RSA work (see the module docstring)


class StubKey:
    """Stands in for an RSA private key when only the signer's own work is to be timed."""

    def __init__(self, key: RSAPrivateKey) -> None:
        self._size = key.key_size // 8

    def sign(self, data: bytes, pad: object, algorithm: object) -> bytes:
        return bytes(self._size)


class World:
    """A development PKI, the gateway's client and the hub simulator, wired as in production."""

    def __init__(self, directory: Path, stub_rsa: bool = False) -> None:
        ca = DevCa(name="bench CA")
        self.hub: Issued = ca.issue("Schuldenknooppunt simulator", HUB_OIN)
        self.shv: Issued = ca.issue(SHV.naam, SHV.oin)
        (directory / "ca.pem").write_bytes(ca.cert_pem())
        for name, issued in (("hub", self.hub), ("shv", self.shv)):
            (directory / f"{name}.pem").write_bytes(issued.cert_pem())
            (directory / f"{name}.key.pem").write_bytes(issued.key_pem())
        tls = {
            name: TlsSettings(directory / f"{name}.pem", directory / "ca.pem", directory / f"{name}.key.pem")
            for name in ("hub", "shv")
        }
        self.trust = TrustStore([ca.certificate])
        self.client = HubClient(
            HubClientSettings(endpoint=ENDPOINT, afzender=SHV.id, tls=tls["shv"], hub_oin=HUB_OIN),
            credentials=Credentials(self.shv.certificate, self.shv.key),
            trust=self.trust,
        )
        self.simulator = self.new_simulator(tls["hub"], stub_rsa=False)
        self.stub_simulator = self.new_simulator(tls["hub"], stub_rsa=True)
        self.request_signer = WsSigner(Credentials(self.shv.certificate, self.shv.key))
        self.receipt_signer = WsSigner(Credentials(self.hub.certificate, self.hub.key))
        self.stub_request_signer = WsSigner(Credentials(self.shv.certificate, StubKey(self.shv.key)))  # type: ignore[arg-type]
        self.stub_receipt_signer = WsSigner(Credentials(self.hub.certificate, StubKey(self.hub.key)))  # type: ignore[arg-type]
        self.document = betaalvoorstel(10)

    def new_simulator(self, tls: TlsSettings, *, stub_rsa: bool) -> HubSimulator:
        key = StubKey(self.hub.key) if stub_rsa else self.hub.key
        return HubSimulator(
            SimulatorConfig(tls=tls, partijen=(SHV, SE), port=0, admin_port=None),
            credentials=Credentials(self.hub.certificate, key),  # type: ignore[arg-type]
            trust=self.trust,
        )

    def request(self, signer: WsSigner | None = None) -> tuple[str, bytes, str]:
        """A fresh signed VerstuurBericht: (MessageID, bytes, SignatureValue)."""
        referentienummer = str(uuid.uuid4())
        verzending = ops.Verzending(referentienummer, SHV.id, SE.id, "Betaalvoorstel", self.document)
        message_id = message_id_for(referentienummer)
        envelope = build_envelope(
            ops.verstuur_request(verzending), Addressing(ENDPOINT, ops.action(ops.VERSTUUR), message_id)
        )
        signed = (signer or self.request_signer).sign(envelope)
        return message_id, signed.data, signed.signature_value

    def receipt(self, relates_to: str, confirm: str, signer: WsSigner | None = None) -> bytes:
        bewijs = ops.Ontvangstbewijs(str(uuid.uuid4()), datetime.now(UTC), herhaling=False)
        addressing = Addressing(
            "http://www.w3.org/2005/08/addressing/anonymous",
            ops.response_action(ops.VERSTUUR),
            new_message_id(),
            relates_to,
        )
        envelope = build_envelope(ops.verstuur_response(bewijs), addressing)
        return (signer or self.receipt_signer).sign(envelope, confirmations=[confirm]).data


def interleaved_us(
    ops_: dict[str, tuple[Callable[[object], object], Sequence[object]]], rounds: int
) -> dict[str, float]:
    """Median over ``rounds`` of the mean CPU µs per item; each round runs every operation over its own
    slice of its items, one operation after the other, so machine noise hits them all alike. CPU time
    of this process, not wall time: on a shared machine time spent descheduled is not ours."""
    samples: dict[str, list[float]] = {name: [] for name in ops_}
    for r in range(rounds):
        for name, (func, items) in ops_.items():
            size = len(items) // rounds
            chunk = items[r * size : (r + 1) * size]
            start = time.process_time()
            for item in chunk:
                func(item)
            samples[name].append((time.process_time() - start) / len(chunk))
    return {name: statistics.median(values) * 1e6 for name, values in samples.items()}


def measure(rounds: int, per_round: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="skgw-bench-pki-") as tmp:
        world = World(Path(tmp))
        return _measure(world, rounds, per_round)


def _measure(world: World, rounds: int, per_round: int) -> list[Row]:
    n = rounds * per_round
    key, public = world.shv.key, world.shv.certificate.public_key()
    signed_info = b"x" * SIGNED_INFO_BYTES
    rsa_signature = key.sign(signed_info, padding.PKCS1v15(), hashes.SHA256())
    requests = [world.request() for _ in range(n)]
    receipts = [(r, world.receipt(r[0], r[2])) for r in requests]
    fresh = [world.request() for _ in range(2 * n)]
    hub_verifier = WsVerifier(world.trust)
    # the TLS peers as the client and the simulator see them: parsed from DER by load_der_certificate
    peer, hub_cert = (
        load_der_certificate(c.public_bytes(Encoding.DER))
        for c in (world.shv.certificate, world.hub.certificate)
    )

    def verify_receipt(item: tuple[tuple[str, bytes, str], bytes]) -> object:
        (message_id, _, signature), raw = item
        answer = world.client._verified_answer(raw, message_id, signature, hub_cert)
        return ops.read_verstuur_response(answer.payload)

    def responder(simulator: HubSimulator) -> Callable[[tuple[str, bytes, str]], None]:
        def respond(item: tuple[str, bytes, str]) -> None:
            response = simulator.respond(item[1], peer)
            assert response.status == 200, response.body

        return respond

    t = interleaved_us(
        {
            "rsa sign": (lambda _: key.sign(signed_info, padding.PKCS1v15(), hashes.SHA256()), range(n)),
            "rsa verify": (
                lambda _: public.verify(rsa_signature, signed_info, padding.PKCS1v15(), hashes.SHA256()),
                range(n),
            ),
            "sign request": (lambda _: world.request(), range(n)),
            "sign request stub": (lambda _: world.request(world.stub_request_signer), range(n)),
            "verify request": (
                lambda r: hub_verifier.verify(parse_envelope(r[1]), peer_certificate=peer),
                requests,
            ),
            "sign receipt": (lambda r: world.receipt(r[0], r[2]), requests),
            "sign receipt stub": (lambda r: world.receipt(r[0], r[2], world.stub_receipt_signer), requests),
            "verify receipt": (verify_receipt, receipts),
            "respond": (responder(world.simulator), fresh[:n]),
            "respond stub": (responder(world.stub_simulator), fresh[n:]),
        },
        rounds,
    )
    rsa_verify = t["rsa verify"]
    return [
        Row("RSA-2048 sign (reference)", t["rsa sign"], 0.0),
        Row("RSA-2048 verify (reference)", rsa_verify, 0.0),
        Row("gateway: build + sign VerstuurBericht", t["sign request"], t["sign request stub"]),
        Row("hub: parse + verify VerstuurBericht", t["verify request"], t["verify request"] - rsa_verify),
        Row("hub: build + sign receipt", t["sign receipt"], t["sign receipt stub"]),
        Row(
            "gateway: verify receipt (_verified_answer)",
            t["verify receipt"],
            t["verify receipt"] - rsa_verify,
        ),
        Row("hub: HubSimulator.respond VerstuurBericht", t["respond"], t["respond stub"] - rsa_verify),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.security_path", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--rounds", type=int, default=7, help="rounds per operation (median taken)")
    parser.add_argument("--per-round", type=int, default=60, help="operations per round")
    args = parser.parse_args(argv)
    rows = measure(args.rounds, args.per_round)
    print(f"{'operation':<46} {'µs/op':>9} {'non-RSA µs':>11}")
    for row in rows:
        print(f"{row.name:<46} {row.median_us:>9.1f} {row.overhead_us:>11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
