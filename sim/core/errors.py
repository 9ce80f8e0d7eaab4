"""Problems found in a scenario, reported all at once with their field paths."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.core.names import escaped
from sim.present.i18n import _

_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by a dotted field path."""

    path: str
    message: str
    value: Any = _MISSING

    def __str__(self) -> str:
        # The field path stays literal (it is what the user types); the words are translated.
        where = _(self.path or "(file)") if self.path in ("", "(file)") else self.path
        message = _(self.message)  # a constant message; formatted ones are translated at source
        if self.value is _MISSING:
            return _("{where}: {message}", where=where, message=message)
        return _("{where}: {message} (got {value})", where=where, message=message,
                 value=repr(self.value))


class ScenarioError(Exception):
    """Raised at the boundary when a scenario (or other input) has problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def join_path(*parts: object) -> str:
    """Dotted path with list indices written as [i]: ``plans.night.assembly_points[2].node``.
    A key's control characters are written as escapes (``\\x1b``): the path is printed."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "":
            text = escaped(part)
            out += f".{text}" if out else text
    return out
