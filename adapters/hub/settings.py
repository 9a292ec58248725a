"""Settings of the hub client (the ``[hub]`` section of the gateway configuration)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.security.settings import TlsSettings, WsSecuritySettings


@dataclass(frozen=True, slots=True)
class HubClientSettings:
    endpoint: str  # e.g. https://127.0.0.1:8443/skp
    afzender: str  # our own address-book UUID at the hub
    tls: TlsSettings
    wssecurity: WsSecuritySettings = field(default_factory=WsSecuritySettings)
    hub_oin: str | None = None  # OIN the hub signs with; None: any certificate chaining to ca_bundle
    connect_timeout_seconds: float = 10.0
    request_timeout_seconds: float = 30.0
    max_connections: int = 8  # one pool, reused for every call (a TLS handshake costs ~3 messages)
    keepalive_seconds: float = 60.0  # idle connections are closed after this (Digikoppeling WT008)
    max_response_bytes: int = 64 * 1024 * 1024
