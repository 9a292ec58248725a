"""skp-gateway: a gateway for the Dutch Schuldenknooppunt (see README.md and docs/decisions.md)."""

__version__ = "0.1.0"
