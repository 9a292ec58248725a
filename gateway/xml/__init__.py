"""xml layer of the gateway core: hardened parsing, the schema catalogue, XSD validation and the
content checks XSD 1.0 cannot express."""
