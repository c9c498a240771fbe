"""How the tools report a problem: one line naming file, line, JSON pointer and rule."""

from __future__ import annotations

from dataclasses import dataclass

# Exit codes, the same for every command (documented in the README and `contracts --help`).
EXIT_OK = 0
EXIT_INVALID = 1  # the data or the contract breaks a rule
EXIT_UNUSABLE = 2  # the input cannot be used: unknown event, unreadable file, bad arguments


class Unusable(Exception):
    """Input a command cannot use at all: one line on standard error, exit 2."""


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located: `file:line: pointer: message [rule]`, then how to fix it if known."""

    file: str
    line: int
    pointer: str
    rule: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.pointer or '/'}: {self.message} [{self.rule}]"
        return f"{text}\n  fix: {self.fix}" if self.fix else text
