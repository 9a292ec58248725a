"""Inbound sinks: how received messages reach the organisation's own system."""
