"""The outside world: hub client and simulator, sinks and sources."""
