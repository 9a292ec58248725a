"""soap layer of the gateway core (DESIGN.md §4)."""
