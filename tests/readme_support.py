"""Reading the README's shell blocks: fenced blocks, logical lines, and the commands in them.

A logical line is one command as a user types it: lines ending in a backslash are joined, comment-only
lines are dropped. :func:`commands` splits a logical line into its simple commands (at ``|``, ``&&``,
``;``, ``&``) with the redirections removed, so each can be checked on its own.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")
PLACEHOLDER = re.compile(r"<([a-z][a-z_-]*)>")
SEPARATORS = {"|", "||", "&&", ";", "&", "(", ")", "\n"}
REDIRECTIONS = {"<", ">", ">>", "2>", "2>&1", "&>"}


@dataclass(frozen=True, slots=True)
class Block:
    lang: str
    line: int  # README line of the first line inside the fence
    text: str


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # README line where the command starts
    text: str  # as written (continuations kept, so bash reads it exactly as a user's shell)

    @property
    def flat(self) -> str:
        return self.text.replace("\\\n", " ")


def blocks(readme: Path) -> list[Block]:
    found: list[Block] = []
    lang, start, body = None, 0, []
    for number, text in enumerate(readme.read_text(encoding="utf-8").splitlines(), 1):
        match = FENCE.match(text)
        if lang is None and match:
            lang, start, body = match.group(1), number + 1, []
        elif lang is not None and text.strip() == "```":
            found.append(Block(lang, start, "\n".join(body)))
            lang = None
        elif lang is not None:
            body.append(text)
    return found


def logical_lines(block: Block) -> list[Line]:
    lines: list[Line] = []
    pending: list[str] = []
    first = 0
    for offset, text in enumerate(block.text.splitlines()):
        if not pending and (not text.strip() or text.lstrip().startswith("#")):
            continue
        if not pending:
            first = block.line + offset
        pending.append(text)
        if not _continues(text):
            lines.append(Line(first, "\n".join(pending)))
            pending = []
    if pending:
        lines.append(Line(first, "\n".join(pending)))
    return lines


def _continues(text: str) -> bool:
    """A trailing backslash outside a comment continues the command on the next line."""
    code = text.split(" #", 1)[0] if " #" in text else text
    return code.rstrip().endswith("\\")


def tokens(line: Line) -> list[str]:
    """Shell words of the line, placeholders like <referentienummer> kept as one word."""
    text = PLACEHOLDER.sub(lambda m: f"__{m.group(1)}__", line.flat)
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return [PLACEHOLDER_BACK.sub(lambda m: f"<{m.group(1)}>", t) for t in lexer]


PLACEHOLDER_BACK = re.compile(r"__([a-z][a-z_-]*)__")
OPTIONAL = re.compile(r"^\[(--?[a-z][a-z-]*)\]$")


def commands(line: Line) -> list[list[str]]:
    """The simple commands of a line, each a list of words without redirections."""
    out: list[list[str]] = []
    current: list[str] = []
    skip_next = False
    for word in tokens(line):
        if skip_next:
            skip_next = False
            continue
        if word in SEPARATORS:
            if current:
                out.append(current)
            current = []
        elif word in REDIRECTIONS:
            skip_next = word not in ("2>&1",)
        elif OPTIONAL.match(word):  # usage notation: [--dry-run] is a flag one may add
            current.append(OPTIONAL.match(word).group(1))
        else:
            current.append(word)
    if current:
        out.append(current)
    return out


def is_skgw(word: str) -> bool:
    return word == "skgw" or word.endswith("/bin/skgw")
