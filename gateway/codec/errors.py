"""Errors of the codec. Messages name fields and rules, never values (values can be personal data)."""

from __future__ import annotations

from gateway.xml.errors import Problem


class EncodeError(ValueError):
    """The model object cannot be written in the requested version (or the result would not be valid).

    ``field`` is a model path such as ``voorstel.begeleiding`` when the cause is one field.
    """

    def __init__(self, message: str, *, field: str | None = None, problems: list[Problem] | None = None):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.problems = problems or []


class DecodeError(ValueError):
    """The document is not a valid message: ``problems`` says what and where (as ``skgw validate`` does)."""

    def __init__(self, problems: list[Problem]) -> None:
        first = str(problems[0]) if problems else "invalid message"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)
        self.problems = problems
