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

from sim.analysis.observed import Column, read_log
from sim.core.errors import Problem, ScenarioError, join_path
from sim.core.limits import DATA_FILE_BYTES, confine, read_capped
from sim.kinds.festival.config import MAX_COUNTS
from sim.present.i18n import _

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
        name = mode.pop("counts_csv")
        try:
            path = confine(base_dir, name, where)
            text = read_capped(path, DATA_FILE_BYTES, where).decode("utf-8-sig")
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        except (OSError, UnicodeDecodeError):
            problems.append(Problem(where, "cannot be read as a UTF-8 CSV file", name))
            continue
        try:
            log = read_log(text, _COLUMNS, path.name, max_rows=MAX_COUNTS)
        except ScenarioError as exc:
            problems.extend(_quiet(where, p) for p in exc.problems)
            continue
        mode["counts"] = [float(v) for v in log.column("visitors")]
    return problems


def _quiet(where: str, p: Problem) -> Problem:
    """A problem in a named file, without the file's content: the header it found could be a
    line of someone's secrets (``/etc/shadow``), so only the line and what was expected show."""
    message = p.message.split(" (got ", 1)[0]
    if "header" in p.path:
        return Problem(f"{where}: {p.path}", _(
            "{message}; expected a header line with a 'visitors' column",
            message=_(message.split(";")[0])))
    # A short cell (``many``) helps find the typo; a long one is not shown.
    if isinstance(p.value, str) and len(p.value) <= 24:
        return Problem(f"{where}: {p.path}", message, p.value)
    return Problem(f"{where}: {p.path}", message)


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
