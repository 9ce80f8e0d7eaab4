"""Showing a comparison (a ``comparison.json`` mapping): metrics, differences and figures.

Works from the mapping alone, so a fresh run and a comparison re-opened from the run store look
the same, for any scenario kind (the kind's headline metrics, curve, breakdowns and figures).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

import matplotlib.pyplot as plt
import streamlit as st

from dashboard import state
from sim.core.catalogue import info
from sim.core.kind import Kind
from sim.core.scenario import KINDS
from sim.present import formatting
from sim.present.plots import breakdown_figure, curve_figure
from sim.present.tables import (
    breakdown_table,
    breakdowns,
    differences_table,
    fmt,
    headline_table,
    headline_values,
)


def _same(fig: Any) -> Any:
    return fig


def _figure(key: Hashable, make: Callable[[], Any], show: bool = True) -> None:
    """Show a matplotlib figure as PNG, rendered once per key (re-runs of the page are
    instant)."""
    cache = state.figure_cache()
    if key not in cache:
        fig = make()
        if fig is None:
            return
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        cache[key] = buf.getvalue()
    if show:
        st.image(cache[key], width="stretch")


def headline_metrics(data: dict[str, Any], kind: Kind | None) -> tuple[str, ...]:
    if kind is not None:
        return kind.headline_metrics
    first = next(iter(data["plans"].values()))
    return tuple(m for m in first["metrics"] if "[" not in m)[:6]


def show_comparison(data: dict[str, Any], key: Hashable) -> None:
    """``key`` identifies the comparison (its figures are cached under it)."""
    kind = KINDS.get(str(data.get("kind")))
    summaries = list(data["plans"].values())
    plans = list(data["plans"])
    metrics = headline_metrics(data, kind)
    main = kind.required_metrics[0] if kind else metrics[0]
    ref = plans[0]

    st.markdown(f"**{info(main).phrase.capitalize()}** (mean of {data['replications']} "
                f"replications, seed {data['seed']}):")
    values = headline_values(summaries, main)
    better_up = info(main).higher_is_better
    for col, plan in zip(st.columns(len(plans)), plans, strict=True):
        v, r = values[plan], values[ref]
        delta = None
        if plan != ref and v is not None and r is not None:
            delta = f"{formatting.signed(v - r, main)} vs {ref}"
        col.metric(plan, fmt(v, main), delta=delta,
                   delta_color="normal" if better_up else "inverse")

    st.subheader("Headline metrics per plan")
    st.caption("Mean with its 95 % confidence interval, and the 5th–95th percentile range over "
               "replications.")
    st.dataframe(headline_table(summaries, metrics), hide_index=True, key="headline_table")

    if len(plans) > 1:
        st.subheader(f"Paired differences against {ref}")
        st.caption("Every plan ran on the same seeds (common random numbers): each difference is "
                   "paired replication by replication.")
        diffs = differences_table(data, metrics, ref)
        st.dataframe(diffs, hide_index=True, key="differences_table")
        for verdict, sig in zip(diffs["verdict"], diffs["significant"], strict=True):
            if sig == "yes":
                st.markdown(f"- {verdict}")
        if len(plans) > 2:
            with st.expander("All pairs"):
                st.dataframe(differences_table(data, metrics), hide_index=True)

    if any(s.get("curve") for s in summaries):
        st.subheader("Over time")
        _figure((key, "curve"), lambda: curve_figure(summaries,
                                                     title=str(data.get("scenario", ""))))
    if kind is not None and kind.figures is not None:
        cache, index = state.figure_cache(), (key, "kind figures")
        if index not in cache:  # the kind's figures, made once per comparison
            extra = kind.figures(summaries)
            for stem, fig in extra.items():
                _figure((key, stem), partial(_same, fig), show=False)
            cache[index] = "\n".join(extra).encode()
        for stem in filter(None, cache[index].decode().split("\n")):
            _figure((key, stem), partial(_same, None))

    pairs = breakdowns(summaries)
    keys = list(dict.fromkeys(k for _, k in pairs))
    if keys:
        st.subheader("Per place, group and role")
        st.caption("Means over the replications (levels of service as Fruin letters A–F).")
        for tab, k in zip(st.tabs([k.replace("_", " ") for k in keys]), keys, strict=True):
            with tab:
                st.dataframe(breakdown_table(summaries, k), hide_index=True,
                             key=f"breakdown_table::{k}")
    if pairs:
        st.subheader("Breakdowns")
        labels = [f"{info(metric).phrase} by {k}" for metric, k in pairs]
        pick = st.radio("Breakdown", labels, horizontal=True, key="breakdown",
                        label_visibility="collapsed")
        metric, k = pairs[labels.index(pick) if pick in labels else 0]
        _figure((key, "breakdown", metric, k), lambda: breakdown_figure(summaries, metric, k))

    st.download_button("Download comparison.json",
                       json.dumps(data, indent=2, ensure_ascii=False, default=str),
                       file_name="comparison.json", mime="application/json")
