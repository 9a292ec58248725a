"""Scripted conversations (``skgw scenario run``): load TOML scenarios, play them against a hub,
report in JUnit XML and HTML. The file format is documented in ``fixtures/scenarios/README.md``."""
