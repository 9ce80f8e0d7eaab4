"""Figures of a replay at one minute (matplotlib, Agg): the festival's crowd at checkpoints and
viewing points, as bars and as sized markers on the town map. Returned, never shown or saved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.network.graph import RoadNetwork
from sim.present.cjk import figure
from sim.present.i18n import _
from sim.present.maps import PlaceValues, town_map

if TYPE_CHECKING:
    from matplotlib.figure import Figure

QUEUE_COLOR, SAFE_COLOR, OVER_COLOR = "tab:purple", "tab:green", "tab:red"


def crowd_figure(crowd: pd.DataFrame, danger_ppm2: float, title: str = "") -> Figure:
    """Left: people queueing at each checkpoint; right: density at each viewing point (red over
    the danger limit, drawn as a dashed line), labelled with its level of service."""
    cps = crowd[crowd["type"] == "checkpoint"]
    vps = crowd[crowd["type"] == "viewing point"]
    fig = figure(figsize=(9, 3.6), dpi=100, layout="constrained")
    left, right = fig.subplots(1, 2)
    left.barh(cps["place"], cps["people"], color=QUEUE_COLOR)
    left.set_xlabel(_("people queueing"))
    left.set_title(_("checkpoints"), fontsize=9)
    left.invert_yaxis()
    dens = vps["density_ppm2"].to_numpy(dtype=float)
    right.barh(vps["place"], dens, color=np.where(vps["over_limit"], OVER_COLOR, SAFE_COLOR))
    right.axvline(danger_ppm2, color="black", linestyle="--", linewidth=1)
    right.annotate(f"danger {danger_ppm2:g} /m²", (danger_ppm2, 1.0),
                   xycoords=("data", "axes fraction"), fontsize=7, xytext=(2, -10),
                   textcoords="offset points")
    for y, (d, los) in enumerate(zip(dens, vps["los"], strict=True)):
        right.annotate(f" {los}", (d, y), va="center", fontsize=7)
    right.set_xlim(0, max(float(np.nanmax(dens, initial=0.0)), danger_ppm2) * 1.2)
    right.set_xlabel(_("people per m² (letter: Fruin level of service)"))
    right.set_title(_("viewing points"), fontsize=9)
    right.invert_yaxis()
    for ax in (left, right):
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle(title, fontsize=10)
    return fig


def crowd_map(network: RoadNetwork, places: Mapping[str, Sequence[tuple[str, str]]],
              crowd: pd.DataFrame, title: str = "",
              points: Mapping[str, tuple[np.ndarray, str]] | None = None,
              danger_ppm2: float | None = None) -> Figure:
    """The town map with the bottleneck drawn at its place: a circle at each checkpoint (area in
    proportion to the people queueing) and at each viewing point (area in proportion to the
    density, red over the danger limit), each labelled with its number."""
    cps = crowd[crowd["type"] == "checkpoint"]
    vps = crowd[crowd["type"] == "viewing point"]
    layers = (
        PlaceValues({str(p): float(n) for p, n in zip(cps["place"], cps["people"], strict=True)},
                    _("people queueing at a checkpoint"), color=QUEUE_COLOR),
        PlaceValues({str(p): float(d) for p, d in zip(vps["place"], vps["density_ppm2"],
                                                      strict=True)},
                    _("people per m² at a viewing point (red: over the limit)"),
                    unit="/m²", color=SAFE_COLOR, limit=danger_ppm2, over_color=OVER_COLOR,
                    decimals=1),
    )
    return town_map(network, places, title=title, points=points, values=layers)
