"""Results as tables for people to read: which breakdowns a summary has (``metric[key=…]``,
e.g. mustered by role) and the forces of a plan by grid and role; a number for a table (``fmt``).

Pure data shaping of ``summary.json`` mappings and resolved plans (any scenario kind), used by
the dashboard; no Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.core.forces import ROLES, role_counts
from sim.core.kind import find_kind
from sim.core.results import breakdowns_in
from sim.present import formatting
from sim.present.i18n import pick


def fmt(value: Any, metric: str = "") -> str:
    """A number for a table (see :mod:`sim.present.formatting`: the one formatter)."""
    return formatting.value(value, metric)


def breakdowns(summaries: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """The ``(metric, key)`` breakdowns present, e.g. ``("mustered_60min", "role")`` for
    metrics named ``mustered_60min[role=cadre]``, in first-seen order."""
    found: dict[tuple[str, str], None] = {}
    for s in summaries:
        for b in breakdowns_in(s.get("metrics", {})):
            found[(b.metric, b.key)] = None
    return list(found)


def forces_table(model: Any) -> pd.DataFrame:
    """Members of each role (columns) in each grid (rows) of a resolved plan, with totals; a
    kind with its own table (``Kind.forces_table``, e.g. staff by group and post) gives that."""
    kind = find_kind(model.kind)
    if kind is not None and kind.forces_table is not None:
        return kind.forces_table(model)
    grids = list(model.grids)
    data = {role: role_counts(model.forces[role], grids) for role in ROLES if role in model.forces}
    frame = pd.DataFrame(data, index=pd.Index([pick(g.id, g.name_zh) for g in grids], name="grid"))
    frame["total"] = frame.sum(axis=1)
    frame.loc["all grids"] = frame.sum(axis=0)
    return frame
