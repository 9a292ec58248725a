"""Sub-commands of `skgw`.

Every module in this package that defines ``register(subparsers)`` is a sub-command: it adds its
parser and sets ``func`` (a callable taking the parsed namespace and returning an exit code).
Adding a command is adding a module; nothing else changes.
"""
