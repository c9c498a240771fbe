"""How the tools report a problem: one line naming file, line, JSON pointer and rule."""

from __future__ import annotations

from dataclasses import dataclass

# Exit codes, the same for every command (documented in the README and `contracts --help`).
EXIT_OK = 0
EXIT_INVALID = 1  # the data or the contract breaks a rule
EXIT_UNUSABLE = 2  # the input cannot be used: unknown event, unreadable file, bad arguments


# Shown as escapes in text output: C0 controls and DEL, C1 controls, and the separators that
# Python's str.splitlines and some terminals take for line ends. A file name, property name or
# value holding them could otherwise forge report lines or drive the terminal (ESC sequences).
# Lone surrogates (bytes of a file name that are not UTF-8) are shown as the byte they stand for.
_ESCAPES = (
    {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F]}
    | {c: f"\\u{c:04x}" for c in [*range(0x80, 0xA0), 0x2028, 0x2029]}
    | {c: f"\\x{c - 0xDC00:02x}" for c in range(0xDC80, 0xDD00)}
    | {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
)


def printable(text: str) -> str:
    """`text` with every control character escaped: one line, inert on a terminal."""
    # Every character escaped is one `str.isprintable` refuses (categories Cc, Zl, Zp, Cs), so a
    # printable text, nearly every one, is returned as it is without the slower translate.
    return text if text.isprintable() else text.translate(_ESCAPES)


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
        text = printable(f"{self.file}:{self.line}: {self.pointer or '/'}: {self.message} [{self.rule}]")
        return f"{text}\n  fix: {printable(self.fix)}" if self.fix else text
