"""Results as tables for people to read: headline metrics with confidence intervals per plan,
paired differences with verdicts, and which breakdowns a summary has.

Pure data shaping of ``summary.json`` / ``comparison.json`` mappings (any scenario kind), used by
the dashboard; no Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.core.catalogue import info, is_time_to
from sim.core.results import Breakdown, breakdowns_in
from sim.present import formatting
from sim.present.i18n import _


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
                "mean difference": formatting.signed(d.get("mean"), m),
                "95 % CI": _ci_text(d, m),
                "significant": "yes" if d.get("significant") else "no",
                "verdict": d.get("verdict", ""),
            })
    return pd.DataFrame(rows, columns=["metric", "pair", "mean difference", "95 % CI",
                                       "significant", "verdict"])


def _ci_text(d: dict[str, Any], m: str) -> str:
    lo, hi = d.get("ci95_low"), d.get("ci95_high")
    text = (f"{formatting.signed(lo, m)} – {formatting.signed(hi, m)}"
            if lo is not None and hi is not None else _(formatting.NOT_APPLICABLE))
    n, pairs = int(d.get("n") or 0), int(d.get("pairs") or 0)
    if is_time_to(m) or (pairs and n < pairs):
        text += f" (n = {n} of {pairs} where both reached)" if is_time_to(m) \
            else f" (n = {n} of {pairs})"
    return text


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
    """Members of each role (columns) in each grid (rows) of a resolved plan, with totals; for a
    festival, its staff by group (columns) at each post (rows: checkpoints over all their shifts,
    viewing-point stewards, incident teams)."""
    from sim.core.forces import ROLES, role_counts

    if getattr(model, "festival", None) is not None:
        return festival_staff_table(model.festival)
    grids = list(model.grids)
    data = {role: role_counts(model.forces[role], grids) for role in ROLES if role in model.forces}
    frame = pd.DataFrame(data, index=pd.Index([g.id for g in grids], name="grid"))
    frame["total"] = frame.sum(axis=1)
    frame.loc["all grids"] = frame.sum(axis=0)
    return frame


def festival_staff_table(p: Any) -> pd.DataFrame:
    """People of each staff group posted at each post of a festival plan (after
    ``staff_scale``; a checkpoint's shifts are added up), with totals; the last row is all posts
    together."""
    from sim.kinds.festival.config import STAFF_GROUPS

    rows: dict[str, dict[str, int]] = {}

    def add(post: str, staff: dict[str, int], times: int = 1) -> None:
        row = rows.setdefault(post, dict.fromkeys(STAFF_GROUPS, 0))
        for g, n in staff.items():
            row[g] += p.scaled(g, n) * times

    for cid, cp in p.checkpoints.items():
        for shift in cp.roster.values():
            add(f"checkpoint {cid} ({len(cp.roster)} shifts)", shift.staff)
    for vid, vp in p.viewing_points.items():
        add(f"viewing point {vid} stewards", vp.stewards)
    for name, team in p.teams.items():
        add(f"{name} teams ({team.count})", team.members, team.count)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(STAFF_GROUPS)) if rows \
        else pd.DataFrame(columns=list(STAFF_GROUPS))
    frame = frame.loc[:, (frame != 0).any(axis=0)] if len(frame) else frame
    frame.index.name = "post"
    frame["total"] = frame.sum(axis=1)
    frame.loc["all posts"] = frame.sum(axis=0)
    return frame.astype(int)
