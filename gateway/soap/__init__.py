"""soap layer of the gateway core: the SOAP 1.1 envelope with its WS-Addressing headers, built and
parsed, and the hub's faults."""
