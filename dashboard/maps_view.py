"""The dashboard's maps: the scenario map (with the flood-prone ground of a storm) and the map of
where the bottleneck is after a comparison (the worst queue or density at each place).

Maps are drawn by ``sim.present.maps.town_map`` and kept as PNG bytes in the figure cache.
What a map shows is found from the data, not from the kind's name: a scenario with a storm
(``evacuation.hazard``) has flood-prone ground; a comparison with per-place measures (queues,
densities, waits) has a bottleneck map.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import state
from sim.core.scenario import Scenario
from sim.present.i18n import N_, _
from sim.present.maps import FloodArea, PlaceValues, town_map
from sim.present.output import png_bytes

# Per-place measures that show a bottleneck: (metric, breakdown key, legend, unit, decimals,
# colour). The value drawn is the median over the replications (a festival's replication is
# a day: "median day").
BOTTLENECKS: tuple[tuple[str, str, str, str, int, str], ...] = (
    ("max_queue", "checkpoint", N_("longest queue at a checkpoint (people, median day)"), "",
     0, "tab:purple"),
    ("max_density_ppm2", "viewing_point",
     N_("highest density at a viewing point (people per m², median day; red: over the "
        "limit)"), "/m²", 1, "tab:green"),
    ("checkin_wait_max_min", "ap",
     N_("longest check-in wait at an assembly point (minutes, median of the "
        "replications)"), N_("min"), 0,
     "tab:purple"),
    ("sheltered_at_end", "shelter",
     N_("people in each shelter at the end (median of the replications)"), "", 0, "tab:green"),
)


def flood_area(s: Scenario, plan: str) -> FloodArea | None:
    """The kind's area at risk (e.g. ground under water at a storm's peak), when it has one."""
    model = s.plan(plan).model
    if s.kind.hazard_area is None:
        return None
    area = s.kind.hazard_area(model, s.network())
    return FloodArea(*area) if area is not None else None


def scenario_map(s: Scenario, plan: str) -> bytes:
    """The town with its places, and the flood-prone ground when there is a storm."""
    # the scenario's and the plan's names in the reader's language
    title = f"{s.display_name()} — {s.plan_labels()[plan]}"
    key = ("map", s.digest, plan, _("x (m)"), title)
    figs = state.figure_cache()
    if key not in figs:
        figs[key] = png_bytes(town_map(s.network(), s.places(plan), title=title,
                                       flood=flood_area(s, plan), names=s.place_labels(plan)))
    return figs[key]


def place_values(plan_data: Mapping[str, Any], danger_ppm2: float | None = None
                 ) -> list[PlaceValues]:
    """The bottleneck layers of one plan of a comparison mapping: per place, the median over
    the replications of each per-place measure the plan has."""
    metrics = plan_data.get("metrics") or {}
    layers = []
    for metric, key, what, unit, decimals, color in BOTTLENECKS:
        prefix = f"{metric}[{key}="
        values = {name[len(prefix):-1]: float(stats.get("p50", np.nan))
                  for name, stats in metrics.items()
                  if name.startswith(prefix) and isinstance(stats, Mapping)}
        if values:
            layers.append(PlaceValues(values, _(what), unit=_(unit) if unit else "", color=color,
                                      decimals=decimals,
                                      limit=danger_ppm2 if metric == "max_density_ppm2"
                                      else None))
    return layers


def bottleneck_map(s: Scenario, plan: str, plan_data: Mapping[str, Any],
                   cache_key: Any) -> bytes | None:
    """Where the bottleneck is for one plan of a comparison (None: no per-place measures)."""
    danger = s.kind.density_limit(s.plan(plan).model) if s.kind.density_limit else None
    layers = place_values(plan_data, danger)
    if not layers:
        return None
    key = ("bottleneck", cache_key, plan, _("x (m)"))
    figs = state.figure_cache()
    if key not in figs:
        figs[key] = png_bytes(town_map(s.network(), s.places(plan), values=layers,
                                       names=s.place_labels(plan),
                                       title=_("{plan}: where people wait or crowd",
                                               plan=s.plan_labels()[plan])))
    return figs[key]


def show_bottleneck(s: Scenario, data: Mapping[str, Any], cache_key: Any) -> None:
    """A map of the bottleneck for a plan the planner picks (the first plan by default)."""
    plans = [p for p in (data.get("plans") or {}) if p in s.plan_names()]
    if not plans:
        return
    usable = [p for p in plans if place_values(data["plans"][p])]
    if not usable:
        return
    st.subheader(_("Where the bottleneck is"))
    plan = st.selectbox(_("Plan on the map"), usable, key="bottleneck_plan",
                        format_func=s.plan_labels().__getitem__) \
        if len(usable) > 1 else usable[0]
    png = bottleneck_map(s, plan, data["plans"][plan], cache_key)
    if png is None:
        return
    left, right = st.columns([3, 2])
    left.image(png, width="stretch")
    with right:  # the worst places in words, beside the map
        names = s.place_labels(plan)
        for layer in place_values(data["plans"][plan]):
            st.markdown(f"**{layer.what}**")
            worst = sorted(layer.values.items(), key=lambda kv: -kv[1])[:5]
            st.dataframe(pd.DataFrame({
                _("place"): [names.get(p, p) for p, _v in worst],
                # (numbers only: the heading above states the unit; "3.5 /m²" under
                # "人/平方米" said it twice, in two ways)
                _("value"): [f"{v:,.{layer.decimals}f}" for _p, v in worst]}),
                hide_index=True, width="stretch")
