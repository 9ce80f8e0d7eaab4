"""The ``assumptions:`` section of a scenario: every value the field reports do not give, with a
plausible range and where the number comes from.

An entry names a numeric value by its field path (``muster.preparation.median``,
``muster.assembly_points[2].desks``) and gives its range, uniform by default or triangular
around a most likely value. ``gridmuster sensitivity`` and ``gridmuster robustness`` vary the
values in these ranges (``sim.analysis.sensitivity``, ``sim.analysis.robustness``).

The checks that need the scenario (the path exists and is a number, the range holds the
scenario's value) are ``assumption_problems``; the entry's own shape is checked by pydantic.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from sim.core.errors import Problem, ScenarioError, join_path
from sim.core.limits import BoundaryModel
from sim.core.paths import set_fitted, split_path
from sim.present.i18n import N_, _

# What a path led to instead of a number, in a planner's words (Python's type names are not).
_KINDS_OF_VALUE = {"list": N_("a list"), "dict": N_("a section"), "str": N_("text"),
                   "bool": N_("yes or no"), "NoneType": N_("an empty value")}


class Assumption(BoundaryModel):
    """One assumed value and its plausible range."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(min_length=1, description="field path, e.g. muster.preparation.median")
    low: float
    high: float
    dist: Literal["uniform", "triangular"] = Field(
        default="uniform", description="how values spread over low..high")
    mode: float | None = Field(default=None, description="triangular: the most likely value "
                               "(default: the scenario's value)")
    source: str = Field(min_length=1, description="where the range comes from")
    source_zh: str = Field(default="", description="where the range comes from, in Chinese "
                           "(default: source)")
    label: str = Field(default="", description="plain name with unit, for tables and charts")
    label_zh: str = Field(default="", description="the plain name in Chinese (default: the "
                          "words of its path)")
    whole: bool = Field(default=False, description="whole numbers only (counts of people, "
                        "desks, lanes): sampled values are rounded")

    @model_validator(mode="after")
    def _range(self) -> Assumption:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode:g}) must be within low..high")
        if self.mode is not None and self.dist != "triangular":
            raise ValueError("mode is only for dist: triangular")
        return self

    @property
    def name(self) -> str:
        return self.label or self.path

    def value_at(self, u: float, centre: float | None = None) -> float:
        """The value at quantile ``u`` of the range (0 → low, 1 → high).

        A triangular range peaks at ``mode``, else at ``centre`` (the scenario's value)."""
        if self.dist == "uniform":  # clipped: low + 1 * (high - low) can overshoot high
            return min(max(self.low + u * (self.high - self.low), self.low), self.high)
        peak = self.mode if self.mode is not None else centre
        peak = (self.low + self.high) / 2 if peak is None else peak
        c = (peak - self.low) / (self.high - self.low)
        from scipy import stats as sstats  # deferred: ~1 s to import; only sampling needs it

        return float(sstats.triang.ppf(u, c, loc=self.low, scale=self.high - self.low))

    def sample(self, u: float, centre: float | None = None) -> float:
        """``value_at``, or for a ``whole`` assumption a whole number: uniform ranges give
        every whole number from low to high the same chance (rounding would halve the ends)."""
        if not self.whole:
            return self.value_at(u, centre)
        if self.dist == "uniform":
            lo, hi = math.ceil(self.low), math.floor(self.high)
            return float(min(lo + math.floor(u * (hi - lo + 1)), hi))
        return float(round(self.value_at(u, centre)))


_MISSING = object()


def get_path(raw: Any, path: str) -> Any:
    """The value at a field path in a scenario mapping (``_MISSING`` sentinel if absent)."""
    node = raw
    for key in split_path(path):
        if isinstance(key, int):
            if not isinstance(node, list) or not -len(node) <= key < len(node):
                return _MISSING
            node = node[key]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            return _MISSING
    return node


def is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def drop_assumptions(raw: dict[str, Any], paths: set[str]) -> None:
    """Remove the declared ranges of ``paths`` from ``raw``: a value an analysis sets itself
    (an optimiser's candidate, a calibration's draw from its own prior) is a choice, not an
    uncertainty, and may lie outside the range declared for sensitivity (300 cadres where
    350..650 is assumed; a preparation median of 15.4 where 4..15 is)."""
    if isinstance(raw.get("assumptions"), list):
        raw["assumptions"] = [a for a in raw["assumptions"]
                              if not (isinstance(a, dict) and a.get("path") in paths)]


def assumption_problems(raw: dict[str, Any], assumptions: list[Assumption]) -> list[Problem]:
    """Entries whose path is not a number in the scenario, or whose range misses its value."""
    problems = []
    seen: set[str] = set()
    for i, a in enumerate(assumptions):
        where = join_path("assumptions", i)
        value = get_path(raw, a.path)
        if a.path in seen:
            problems.append(Problem(join_path(where, "path"), "listed twice", a.path))
        seen.add(a.path)
        if value is _MISSING:
            problems.append(Problem(join_path(where, "path"), "no such value in the scenario "
                                    "(write the value in the file to vary it)", a.path))
        elif not is_number(value):
            problems.append(Problem(join_path(where, "path"), _(
                "must lead to a number, not {what}", what=_(_KINDS_OF_VALUE.get(
                    type(value).__name__, "a list"))), a.path))
        elif not a.low <= value <= a.high:
            problems.append(Problem(join_path(where, "low"), _(
                "range {low}..{high} must contain the scenario's value {value} at {path}",
                low=f"{a.low:g}", high=f"{a.high:g}", value=f"{value:g}", path=a.path),
                                    a.low if value < a.low else a.high))
    return problems


def parse_vary(text: str) -> Assumption:
    """``--vary PATH=LO..HI`` as an assumption (source: the command line)."""
    path, eq, rng = text.partition("=")
    lo, dots, hi = rng.partition("..")
    try:
        if not (eq and dots and path.strip()):
            raise ValueError
        return Assumption(path=path.strip(), low=float(lo), high=float(hi),
                          source="given on the command line")
    except ValueError:
        raise ScenarioError([Problem("--vary", "expected PATH=LOW..HIGH with LOW < HIGH, e.g. "
                                     "muster.preparation.median=4..15", text)]) from None


def apply_values(raw: dict[str, Any], values: dict[str, float]) -> dict[str, Any]:
    """A copy of a scenario mapping with the values set at their paths.

    A whole value is written as an int (a count of 2.0 is still a count). A lognormal's
    ``median`` keeps its spread, as in calibration (``sim.core.paths.set_fitted``)."""
    out = copy.deepcopy(raw)
    for path, v in values.items():
        value: float | int = int(v) if float(v).is_integer() else v
        if "[" in path:
            keys = split_path(path)
            node: Any = out
            for k in keys[:-1]:
                node = node[k]
            node[keys[-1]] = value
        else:
            set_fitted(out, path, value)
    return out
