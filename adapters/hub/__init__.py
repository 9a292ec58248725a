"""Hub client and the local Schuldenknooppunt simulator."""
