"""engine layer of the gateway core: outbound dispatcher, inbound poller, sink
delivery, retry policy, circuit breakers, conversations and their deadlines (werkdagen).

Entry point for the daemon: :class:`gateway.engine.runner.Engine`.
"""
