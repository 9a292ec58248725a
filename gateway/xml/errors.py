"""Problems found in XML input, in a form a person can act on."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a document.

    ``code`` is stable (tests and sidecars match on it); ``message`` is for people; ``line`` and
    ``path`` (an XPath such as ``/Betaalvoorstel/Vorderingen/Vordering[2]/Afkooppercentage``)
    say where; ``expected`` and ``found`` are filled when the check knows them.
    """

    code: str
    message: str
    line: int | None = None
    path: str | None = None
    expected: str | None = None
    found: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.path:
            where.append(self.path)
        prefix = f"{', '.join(where)}: " if where else ""
        text = f"{prefix}{self.message} [{self.code}]"
        if self.expected is not None:
            text += f" (expected {self.expected}"
            text += f", found {self.found})" if self.found is not None else ")"
        return text


class XmlInputError(ValueError):
    """The bytes are not a document we are willing to read (not well-formed, hostile, too big …)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem
