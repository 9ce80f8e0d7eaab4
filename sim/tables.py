"""Results as tables for people to read: headline metrics with confidence intervals per plan,
paired differences with verdicts, and which breakdowns a summary has.

Pure data shaping of ``summary.json`` / ``comparison.json`` mappings (any scenario kind), used by
the dashboard; no Streamlit here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.metrics import info

_BREAKDOWN = re.compile(r"^(?P<metric>[^\[]+)\[(?P<key>[^=\]]+)=[^\]]*\]$")


def fmt(value: Any, metric: str = "") -> str:
    """A number for a table: shares as percentages, big numbers with thousands separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    v = float(value)
    if metric.startswith("frac_"):
        return f"{v:.1%}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def headline_table(summaries: Sequence[dict[str, Any]], metrics: Sequence[str]) -> pd.DataFrame:
    """Rows: metrics; columns: per plan ``mean [95 % CI]`` and ``5–95 %`` range (text)."""
    rows = []
    for m in metrics:
        row: dict[str, Any] = {"metric": m, "meaning": info(m).phrase}
        for s in summaries:
            d = s["metrics"].get(m) or {}
            row[f"{s['plan']}: mean [95 % CI]"] = (
                f"{fmt(d.get('mean'), m)} [{fmt(d.get('ci95_low'), m)} – "
                f"{fmt(d.get('ci95_high'), m)}]")
            row[f"{s['plan']}: 5–95 %"] = f"{fmt(d.get('p5'), m)} – {fmt(d.get('p95'), m)}"
        rows.append(row)
    return pd.DataFrame(rows)


def headline_values(summaries: Sequence[dict[str, Any]], metric: str) -> dict[str, float | None]:
    """Plan → mean of one metric (None where it was never reached)."""
    return {s["plan"]: (s["metrics"].get(metric) or {}).get("mean") for s in summaries}


def differences_table(comparison: dict[str, Any], metrics: Sequence[str],
                      reference: str | None = None) -> pd.DataFrame:
    """Paired differences ``B - A`` of the given metrics (only pairs against ``reference`` if
    given), with the 95 % CI, significance and the plain-language verdict."""
    rows = []
    for m in metrics:
        for pair, d in (comparison.get("differences", {}).get(m) or {}).items():
            if reference is not None and not pair.endswith(f" - {reference}"):
                continue
            rows.append({
                "metric": m,
                "pair": pair,
                "mean difference": fmt(d.get("mean"), m),
                "95 % CI": f"{fmt(d.get('ci95_low'), m)} – {fmt(d.get('ci95_high'), m)}",
                "significant": "yes" if d.get("significant") else "no",
                "verdict": d.get("verdict", ""),
            })
    return pd.DataFrame(rows, columns=["metric", "pair", "mean difference", "95 % CI",
                                       "significant", "verdict"])


def breakdowns(summaries: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """The ``(metric, key)`` breakdowns present, e.g. ``("mustered_60min", "role")`` for
    metrics named ``mustered_60min[role=cadre]``, in first-seen order."""
    found: dict[tuple[str, str], None] = {}
    for s in summaries:
        for name in s.get("metrics", {}):
            m = _BREAKDOWN.match(name)
            if m:
                found[(m["metric"], m["key"])] = None
    return list(found)


def forces_table(model: Any) -> pd.DataFrame:
    """Members of each role (columns) in each grid (rows) of a resolved plan, with totals."""
    from sim.forces import ROLES, role_counts

    grids = list(model.grids)
    data = {role: role_counts(model.forces[role], grids) for role in ROLES if role in model.forces}
    frame = pd.DataFrame(data, index=pd.Index([g.id for g in grids], name="grid"))
    frame["total"] = frame.sum(axis=1)
    frame.loc["all grids"] = frame.sum(axis=0)
    return frame
