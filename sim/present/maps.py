"""A map of the town: road network, grid centres and a kind's places (matplotlib figure).

Used by the CLI, the dashboard and the report alike, so that every view of a town looks the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.network.graph import RoadNetwork
from sim.present.cjk import pyplot
from sim.present.i18n import N_
from sim.present.i18n import _ as tr  # ``_`` is a throwaway name here

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Place = tuple[str, str]  # (node id, label)
PLACE_KINDS = (N_("grid"), N_("assembly point"), N_("shelter"), N_("checkpoint"),
               N_("viewing point"))  # the keys of ``places``, shown through the catalogue
_MARKERS = {"grid": ("o", "tab:blue"), "assembly point": ("s", "tab:red"),
            "shelter": ("^", "tab:green"), "checkpoint": ("D", "tab:purple"),
            "viewing point": ("*", "tab:orange")}


def town_map(network: RoadNetwork, places: Mapping[str, Sequence[Place]], title: str = "",
             edge_colors: Mapping[tuple[str, str], str] | None = None,
             points: Mapping[str, tuple[np.ndarray, str]] | None = None,
             label_limit: int = 40) -> Figure:
    """Roads as lines, places as markers with labels.

    ``edge_colors`` colours chosen roads (e.g. flooded ones); ``points`` adds scatter layers,
    name → (array of node indices, colour), e.g. where responders are at a given minute.
    """
    plt = pyplot()
    from matplotlib.collections import LineCollection  # deferred: matplotlib, see pyplot()

    fig, ax = plt.subplots(figsize=(7, 6), dpi=100)
    xy = network.xy
    segs, colors = [], []
    for a, b in network.graph.edges():
        segs.append([xy[network.index[a]], xy[network.index[b]]])
        colors.append((edge_colors or {}).get((a, b)) or (edge_colors or {}).get((b, a))
                      or "0.75")
    widths = [0.8 if c == "0.75" else 2.0 for c in colors]  # chosen roads stand out
    ax.add_collection(LineCollection(segs, colors=colors, linewidths=widths, zorder=1))
    for name, (idx, color) in (points or {}).items():
        if len(idx):
            jitter = np.random.default_rng(0).normal(0, 12, (len(idx), 2))
            p = xy[np.asarray(idx, dtype=int)] + jitter
            ax.scatter(p[:, 0], p[:, 1], s=6, color=color, alpha=0.6, label=tr(name), zorder=2)
    for kind, items in places.items():
        marker, color = _MARKERS.get(kind, ("P", "black"))
        nodes = [n for n, _ in items if n in network.index]
        if not nodes:
            continue
        p = xy[[network.index[n] for n in nodes]]
        ax.scatter(p[:, 0], p[:, 1], marker=marker, s=60, color=color, edgecolor="black",
                   linewidth=0.5, label=f"{tr(kind)} ({len(nodes)})", zorder=3)
        if len(items) <= label_limit:
            for (_, label), (x, y) in zip(items, p, strict=False):
                ax.annotate(label, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.autoscale()
    ax.set_aspect("equal")
    ax.set_xlabel(tr("x (m)"))
    ax.set_ylabel(tr("y (m)"))
    if ax.get_legend_handles_labels()[0]:  # a bare network has nothing to label
        ax.legend(loc="upper right", fontsize=7, framealpha=0.8)
    ax.set_title(title)
    fig.tight_layout()
    plt.close(fig)  # the caller saves or displays it; pyplot need not keep it
    return fig
