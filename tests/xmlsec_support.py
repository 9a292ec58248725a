"""xmlsec1 (libxmlsec1, an implementation nobody here wrote) as an independent judge of signatures."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

XMLSEC1 = shutil.which("xmlsec1")
ID_ELEMENTS = ("Body", "Timestamp", "To", "Action", "MessageID", "RelatesTo", "SignatureConfirmation")


def id_args() -> list[str]:
    """Tell xmlsec1 which attribute is the id of each element our signer references."""
    args: list[str] = []
    for name in ID_ELEMENTS:
        args += ["--id-attr:Id", name]
    return args


def xmlsec(*args: str) -> subprocess.CompletedProcess:
    assert XMLSEC1 is not None
    return subprocess.run([XMLSEC1, *args], capture_output=True, text=True, timeout=20)


def xmlsec_verifies(envelope: bytes, certificate_pem: Path) -> bool:
    """Whether xmlsec1 finds the envelope's signature valid (every digest and the SignatureValue)."""
    with tempfile.TemporaryDirectory(prefix="skgw-xmlsec-") as tmp:
        path = Path(tmp) / "envelope.xml"
        path.write_bytes(envelope)
        result = xmlsec("--verify", *id_args(), "--pubkey-cert-pem", str(certificate_pem), str(path))
    return result.returncode == 0
