"""Visitor counts per interval from a CSV file (``counts_csv:`` in a festival mode).

Counts are often kept as a spreadsheet (e.g. last year's gate counts per hour). A mode may give
``counts_csv: FILE`` (relative to the scenario file) instead of ``counts: [...]``: a CSV with a
``visitors`` column, one row per interval of ``interval_min`` from ``day_start`` (an
``interval_start`` column may label the rows; it is not read). It is read when the scenario is
loaded, so the model only ever sees inline counts, and its content is part of the scenario's
digest.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from sim.errors import Problem, ScenarioError, join_path
from sim.observed import Column, read_log

_COLUMNS = [Column("visitors", "number"), Column("interval_start", required=False)]


def _resolve_modes(section: Any, base_dir: Path, prefix: tuple[Any, ...]) -> list[Problem]:
    modes = section.get("modes") if isinstance(section, dict) else None
    if not isinstance(modes, dict):
        return []
    problems = []
    for name, mode in modes.items():
        if not isinstance(mode, dict) or "counts_csv" not in mode:
            continue
        where = join_path(*prefix, "modes", name, "counts_csv")
        path = base_dir / str(mode.pop("counts_csv"))
        if not path.is_file():
            problems.append(Problem(where, "file not found", str(path)))
            continue
        try:
            log = read_log(path.read_text(encoding="utf-8"), _COLUMNS, path.name)
        except ScenarioError as exc:
            problems.extend(Problem(f"{where}: {p.path}", p.message, p.value)
                            for p in exc.problems)
            continue
        mode["counts"] = [float(v) for v in log.column("visitors")]
    return problems


def resolve_counts(raw: dict[str, Any], base_dir: Path) -> tuple[dict[str, Any], list[Problem]]:
    """The scenario mapping with every ``counts_csv`` read into ``counts`` (base and plans)."""
    raw = copy.deepcopy(raw)
    problems = _resolve_modes(raw.get("festival"), base_dir, ("festival",))
    plans = raw.get("plans")
    if isinstance(plans, dict):
        for name, patch in plans.items():
            if isinstance(patch, dict):
                problems += _resolve_modes(patch.get("festival"), base_dir,
                                           ("plans", name, "festival"))
    return raw, problems
