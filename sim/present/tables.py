"""Results as tables for people to read: headline metrics with confidence intervals per plan,
paired differences with verdicts, and which breakdowns a summary has.

Pure data shaping of ``summary.json`` / ``comparison.json`` mappings (any scenario kind), used by
the dashboard; no Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.core.catalogue import info
from sim.core.forces import ROLES, role_counts
from sim.core.kind import find_kind
from sim.core.results import Breakdown, breakdowns_in
from sim.present import formatting
from sim.present.i18n import _
from sim.present.verdicts import p_value, verdict_of


def fmt(value: Any, metric: str = "") -> str:
    """A number for a table (see :mod:`sim.present.formatting`: the one formatter)."""
    return formatting.value(value, metric)


def headline_table(summaries: Sequence[dict[str, Any]], metrics: Sequence[str]) -> pd.DataFrame:
    """Rows: metrics; columns: per plan ``mean [95 % CI]`` and ``5–95 %`` range (text). A time
    not reached in every replication shows its median, the share reached and ``> horizon``."""
    rows = []
    for m in metrics:
        row: dict[str, Any] = {"metric": m, "meaning": info(m).phrase}
        for s in summaries:
            d = s["metrics"].get(m)
            row[f"{s['plan']}: mean [95 % CI]"] = formatting.mean_ci(d, m)
            row[f"{s['plan']}: 5–95 %"] = formatting.spread(d, m)
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
                "mean difference": formatting.difference_value(d, m),
                "95 % CI": _ci_text(d, m),
                "significant": "yes" if d.get("significant") else "no",
                "verdict": verdict_of(m, pair, d),
            })
    return pd.DataFrame(rows, columns=["metric", "pair", "mean difference", "95 % CI",
                                       "significant", "verdict"])


def _ci_text(d: dict[str, Any], m: str) -> str:
    if d.get("by_order"):  # (no interval: who was later, pair by pair, and the sign test)
        return _("sign test, {p}", p=p_value(float(d["sign_p"])))
    lo, hi = d.get("ci95_low"), d.get("ci95_high")
    text = (f"{formatting.difference_value(d, m, 'ci95_low')} – "
            f"{formatting.difference_value(d, m, 'ci95_high')}"
            if lo is not None and hi is not None else _(formatting.NOT_APPLICABLE))
    return text + formatting.pairs_counted(d, m)


def breakdowns(summaries: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """The ``(metric, key)`` breakdowns present, e.g. ``("mustered_60min", "role")`` for
    metrics named ``mustered_60min[role=cadre]``, in first-seen order."""
    found: dict[tuple[str, str], None] = {}
    for s in summaries:
        for b in breakdowns_in(s.get("metrics", {})):
            found[(b.metric, b.key)] = None
    return list(found)


def breakdown_table(summaries: Sequence[dict[str, Any]], key: str) -> pd.DataFrame:
    """Every ``metric[key=label]`` of the summaries in one table: a row per label (e.g. per
    checkpoint), a column per metric and plan (``metric · plan``), means as text."""
    metrics: dict[str, None] = {}
    labels: dict[str, None] = {}
    for s in summaries:
        for b in breakdowns_in(s.get("metrics", {}), key=key):
            metrics[b.metric] = None
            labels[b.value] = None
    rows = []
    for label in labels:
        row: dict[str, Any] = {key: label}
        for metric in metrics:
            for s in summaries:
                d = s["metrics"].get(Breakdown(metric, key, label).name) or {}
                row[f"{metric} · {s['plan']}"] = (
                    formatting.cell(d, metric) if d and formatting.partly_reached(d)
                    else formatting.stat(d, metric, "mean"))
        rows.append(row)
    return pd.DataFrame(rows)


def forces_table(model: Any) -> pd.DataFrame:
    """Members of each role (columns) in each grid (rows) of a resolved plan, with totals; a
    kind with its own table (``Kind.forces_table``, e.g. staff by group and post) gives that."""
    kind = find_kind(model.kind)
    if kind is not None and kind.forces_table is not None:
        return kind.forces_table(model)
    grids = list(model.grids)
    data = {role: role_counts(model.forces[role], grids) for role in ROLES if role in model.forces}
    frame = pd.DataFrame(data, index=pd.Index([g.id for g in grids], name="grid"))
    frame["total"] = frame.sum(axis=1)
    frame.loc["all grids"] = frame.sum(axis=0)
    return frame
