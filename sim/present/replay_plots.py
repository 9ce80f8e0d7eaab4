"""Figures of a replay at one minute (matplotlib, Agg): the festival's crowd at checkpoints and
viewing points, as bars and as sized markers on the town map. Returned, never shown or saved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.network.graph import RoadNetwork
from sim.present.cjk import pyplot
from sim.present.i18n import _
from sim.present.maps import town_map

if TYPE_CHECKING:
    from matplotlib.figure import Figure

QUEUE_COLOR, SAFE_COLOR, OVER_COLOR = "tab:purple", "tab:green", "tab:red"


def crowd_figure(crowd: pd.DataFrame, danger_ppm2: float, title: str = "") -> Figure:
    """Left: people queueing at each checkpoint; right: density at each viewing point (red over
    the danger limit, drawn as a dashed line), labelled with its level of service."""
    plt = pyplot()
    cps = crowd[crowd["type"] == "checkpoint"]
    vps = crowd[crowd["type"] == "viewing point"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=100)
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
    fig.tight_layout()
    plt.close(fig)
    return fig


def crowd_map(network: RoadNetwork, places: Mapping[str, Sequence[tuple[str, str]]],
              crowd: pd.DataFrame, title: str = "",
              points: Mapping[str, tuple[np.ndarray, str]] | None = None) -> Figure:
    """The town map with a circle at each checkpoint and viewing point, its area in proportion
    to the people there (queueing, or standing), red where the density is over the limit."""
    fig = town_map(network, places, title=title, points=points)
    ax = fig.axes[0]
    node_of = {str(label): node for items in places.values() for node, label in items}
    people = crowd["people"].to_numpy(dtype=float)
    top = float(np.nanmax(people, initial=0.0)) or 1.0
    for row, n in zip(crowd.itertuples(index=False), people, strict=True):
        node = node_of.get(str(row.place))
        if node not in network.index or not n > 0:
            continue
        x, y = network.xy[network.index[node]]
        color = QUEUE_COLOR if row.type == "checkpoint" else (
            OVER_COLOR if row.over_limit else SAFE_COLOR)
        ax.scatter([x], [y], s=30 + 1500 * n / top, facecolors=color, alpha=0.25,
                   edgecolors=color, linewidths=1.5, zorder=4)
        ax.annotate(f"{n:,.0f}", (x, y), fontsize=7, xytext=(4, -9), textcoords="offset points",
                    color=color, zorder=5)
    return fig
