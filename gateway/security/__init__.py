"""security layer of the gateway core: TLS contexts, certificates and their OIN, WS-Security signing
and verification."""
