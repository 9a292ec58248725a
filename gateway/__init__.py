"""skp-gateway: a gateway for the Dutch Schuldenknooppunt (see DESIGN.md)."""

__version__ = "0.1.0"
