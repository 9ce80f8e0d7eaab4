"""Observed logs from real drills and events, read with line-numbered errors.

A kind that supports post-event review gives a ``ReviewSpec``: how to read its CSV log, the
observed values of its metrics, and the samples compared by the Kolmogorov–Smirnov distance.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.errors import Problem, ScenarioError


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "label"  # "time" (minutes ≥ 0), "number" (≥ 0), "count" (whole ≥ 1), "label"
    required: bool = True
    allowed: frozenset[str] | None = None  # for labels: the valid values


@dataclass(frozen=True)
class ObservedLog:
    rows: list[dict[str, Any]]  # valid rows, values converted
    rows_read: int
    skipped: list[Problem] = field(default_factory=list)

    def column(self, name: str) -> np.ndarray:
        return np.array([r[name] for r in self.rows])


def read_log(text: str, columns: list[Column], source: str = "LOG.csv",
             skip_bad_rows: bool = False) -> ObservedLog:
    """Every bad row is reported with its line, column and value. With ``skip_bad_rows`` the
    valid rows are used and the bad ones listed; otherwise any bad row is an error."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    required = [c.name for c in columns if c.required]
    missing = [c for c in required if c not in header]
    if missing:
        raise ScenarioError([Problem(f"{source}: header", f"missing column(s) {missing}; "
                                     f"expected at least {required}", header)])
    rows, bad, n = [], [], 0
    for line, raw in enumerate(reader, start=2):
        n += 1
        raw = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        row, problem = {}, None
        for col in columns:
            value = raw.get(col.name, "")
            if value == "" and not col.required:
                continue
            where = f"{source}: line {line}, column {col.name}"
            problem = _check(col, value, where)
            if problem:
                break
            row[col.name] = _convert(col, value)
        if problem:
            bad.append(problem)
        else:
            rows.append(row)
    if bad and not skip_bad_rows:
        raise ScenarioError(bad + [Problem(source, f"{len(bad)} bad row(s) of {n}; fix them "
                                           "or use --skip-bad-rows to use the valid rows")])
    if not rows:
        raise ScenarioError(bad + [Problem(source, "no valid rows")])
    return ObservedLog(rows, n, bad)


def _check(col: Column, value: str, where: str) -> Problem | None:
    if col.kind == "label":
        if col.allowed is not None and value not in col.allowed:
            return Problem(where, f"unknown value; expected one of {sorted(col.allowed)}", value)
        return None
    try:
        x = float(value)
        if not math.isfinite(x):
            raise ValueError
    except ValueError:
        return Problem(where, "not a number", value)
    if x < 0:
        return Problem(where, "negative" + (" time (minutes after the start)"
                                            if col.kind == "time" else " value"), x)
    if col.kind == "count" and (x < 1 or not x.is_integer()):
        return Problem(where, "must be a whole number ≥ 1", value)
    return None


def _convert(col: Column, value: str) -> Any:
    if col.kind == "label":
        return value
    return int(float(value)) if col.kind == "count" else float(value)


# A sample compared by the KS distance: values, or (values, weights), e.g. arrival times of
# groups weighted by the people in each.
Sample = np.ndarray | tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class ReviewSpec:
    """How a kind is reviewed against an observed log."""

    columns: list[Column]
    what: str  # "one row per person who checked in: t_min, role"
    # Observed values of the kind's metrics, given the simulated run (for sizes like a roster).
    observed_metrics: Callable[[ObservedLog, Any], dict[str, float]]
    # The samples compared by the KS distance: observed, and pooled over simulated replications.
    observed_sample: Callable[[ObservedLog], Sample]
    simulated_sample: Callable[[Any], Sample]
    # Fraction complete on the run's minute grid, to draw over the simulated band (optional).
    observed_curve: Callable[[ObservedLog, Any], np.ndarray] | None = None
    sample_label: str = "times"
    # Columns that depend on the scenario (e.g. its checkpoint ids), from its model; optional.
    columns_for: Callable[[Any], list[Column]] | None = None
    # Per replication, the metrics computed as from the log (e.g. on a sample of the same size),
    # when the run's own metrics are not comparable with a log's; optional.
    simulated_metrics: Callable[[ObservedLog, Any], dict[str, np.ndarray]] | None = None
    # Whether ``simulated_sample`` reads the event records (then kept for every replication).
    needs_events: bool = True

    def columns_of(self, model: Any) -> list[Column]:
        return self.columns_for(model) if self.columns_for is not None else self.columns
