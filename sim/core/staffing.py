"""Posts to staff: the hook through which a kind whose plans post staff groups at places (a
festival's checkpoint shifts, viewing-point stewards, teams) lays its plan section out as one
table of posts, for the dashboard's staffing editor.

The editor asks only this; the layout of the section (which keys are posts, shifts, the pool,
scaling) stays in the kind. Sections here are the kind's plan section as written (a mapping,
no defaults filled in, numbers as typed), since the editor edits what the file says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


def whole(v: Any) -> int:
    """A number as typed in a table cell or a file, as a whole number: 0 when empty (None,
    NaN) or not a number (the scenario's own checks refuse what matters)."""
    try:
        if v is None or (isinstance(v, float) and v != v):
            return 0
        return int(float(v))
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class Post:
    """One row of the staffing table: a place (or a team group) where staff are posted."""

    key: tuple[str, ...]  # where the row goes in the section (the kind's own key)
    label: str  # the post in plain words, translated
    staff: Mapping[str, int]  # people of each staff group at the post (per team on team rows)
    teams: int | None = None  # team rows: the number of teams; None on other rows
    teams_path: str = ""  # team rows: field path of the number of teams within the section


class StaffingLayout(Protocol):
    """How a kind's plan section posts its staff (``DashboardDefaults.staffing``)."""

    @property
    def section(self) -> str:
        """The scenario section that holds the posts and the pool."""
        ...

    @property
    def groups(self) -> tuple[str, ...]:
        """Staff groups (the table's columns), in order."""
        ...

    @property
    def group_names(self) -> Mapping[str, str]:
        """Group → plain name (marked for translation, not translated)."""
        ...

    def posts(self, section: Mapping[str, Any]) -> list[Post]:
        """The table's rows, as written."""
        ...

    def pool(self, section: Mapping[str, Any]) -> dict[str, int]:
        """Everyone each group has, as written (before any scaling)."""
        ...

    def write(self, section: Mapping[str, Any], posts: Sequence[Post],
              pool: Mapping[str, int]) -> dict[str, Any]:
        """A fresh copy of the section with these posts and this pool written in."""
        ...

    def posted(self, section: Mapping[str, Any]) -> dict[str, int]:
        """People of each group the section posts, as the model counts them (after scaling)."""
        ...

    def available(self, section: Mapping[str, Any]) -> dict[str, int]:
        """The pool of each group as the model counts it (after scaling)."""
        ...

    def no_effect(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
        """Edits from ``before`` to ``after`` that cannot change results, each with its reason
        in plain words (translated)."""
        ...

    def remarks(self, section: Mapping[str, Any]) -> list[str]:
        """Standing remarks on the staffing whatever the edit (translated), e.g. staff that
        can do nothing at their post."""
        ...

    def is_staff_parameter(self, parameter: str) -> bool:
        """Whether a dotted parameter of the section is shown in the staffing table (and so
        left out of the list of other settings)."""
        ...
