"""The XML-DSig primitives shared by signer and verifier: exclusive C14N, digests, ids, times."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree

from gateway.security.errors import SecurityError
from gateway.security.namespaces import WSU_ID

EC_INCLUSIVE = "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces"


def exc_c14n(element: etree._Element, inclusive_prefixes: Sequence[str] | None = None) -> bytes:
    """Exclusive XML canonicalization without comments of one element in its document context."""
    return etree.tostring(
        element,
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=list(inclusive_prefixes) if inclusive_prefixes else None,
    )


# the named constructors: hashlib.new() looks the name up on every call, at twice the cost
_HASHES = {name: getattr(hashlib, name) for name in ("sha256", "sha384", "sha512")}


def digest_b64(data: bytes, hash_name: str) -> str:
    constructor = _HASHES.get(hash_name)
    digest = constructor(data).digest() if constructor else hashlib.new(hash_name, data).digest()
    return base64.b64encode(digest).decode("ascii")


def b64_text(text: str | None) -> str:
    """base64 content with the line breaks and spaces XML-DSig allows (xmlsec1 wraps at 64) removed."""
    return "".join((text or "").split())


def inclusive_prefixes(method_element: etree._Element) -> list[str] | None:
    """The PrefixList of the first ec:InclusiveNamespaces child, when present."""
    inc = next((c for c in method_element if c.tag == EC_INCLUSIVE), None)
    if inc is None:
        return None
    return [p for p in (inc.get("PrefixList") or "").split() if p]


def ensure_id(element: etree._Element, kind: str, random_hex: str | None = None) -> str:
    """The element's wsu:Id, adding a fresh one when it has none (``random_hex``: 128 random bits
    as hex drawn by the caller, else read here)."""
    existing = element.get(WSU_ID)
    if existing:
        return existing
    value = f"{kind}-{random_hex or os.urandom(16).hex()}"  # 128 random bits like uuid4, no UUID built
    element.set(WSU_ID, value)
    return value


def format_time(moment: datetime) -> str:
    """xs:dateTime in UTC with milliseconds and a Z (WS-Security Timestamp profile)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text: str | None, what: str) -> datetime:
    if not text or not text.strip():
        raise SecurityError("timestamp-invalid", f"the Timestamp has no {what}")
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SecurityError("timestamp-invalid", f"the Timestamp {what} is not an xs:dateTime") from None
    if value.tzinfo is None:
        raise SecurityError("timestamp-invalid", f"the Timestamp {what} has no time zone (UTC expected)")
    return value.astimezone(UTC)
