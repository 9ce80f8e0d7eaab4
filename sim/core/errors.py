"""Problems found in a scenario, reported all at once with their field paths."""

from __future__ import annotations

from collections.abc import Iterable
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


def names_apart(places: Iterable[tuple[object, str, str]], *path: object,
                field: str = "name_zh") -> list[Problem]:
    """A problem for each place of one list (grids, shelters, ...) that 中文 would show as it
    shows another: by its Chinese name, or by its id where it has none. Tables and charts of
    these places are keyed by what they show, so two places shown alike would be merged into
    one row or bar. ``places``: (its key under ``path``, id, name_zh); the problem is put on
    the ``field`` (its Chinese name) of the place that makes the clash."""
    shown: dict[str, tuple[object, str, bool]] = {}
    problems = []
    for key, pid, name_zh in places:
        label = name_zh or pid
        other = shown.get(label)
        if other is None:
            shown[label] = (key, pid, bool(name_zh))
            continue
        if other[1] == pid:  # a duplicate id: reported as such by the kind's own check
            continue
        # (The place with the Chinese name is the one to rename: an id is not a choice of 中文.)
        at, of, value = (key, other[1], name_zh) if name_zh else (other[0], pid, label)
        problems.append(Problem(join_path(*path, at, field),
                                _("the same name as {other}: in Chinese the two could not be "
                                  "told apart", other=of), value))
    return problems
