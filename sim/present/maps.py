"""A map of the town: road network, grid centres and a kind's places (matplotlib figure).

Used by the CLI, the dashboard and the report alike, so that every view of a town looks the same.

Readability rules (issue 14): the map keeps its true shape (one metre is as long across as up,
and the figure takes the town's proportions, so a 3 km seawall is a wide strip, not a squashed
square); the legend sits below the map, never over it; place labels are offset from their
marker with a white halo, so they hide neither the marker nor what is under it; places are
drawn hollow over people (a square does not hide the people mustered at it); at most five
colours of dots at once (callers group states into classes); values at places (a queue, a
density) are circles whose area grows with the value, labelled with the number.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.network.graph import RoadNetwork
from sim.present.cjk import figure
from sim.present.i18n import N_
from sim.present.i18n import _ as tr  # ``_`` is a throwaway name here

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Place = tuple[str, str]  # (node id, label)
PLACE_KINDS = (N_("grid"), N_("assembly point"), N_("shelter"), N_("checkpoint"),
               N_("viewing point"))  # the keys of ``places``, shown through the catalogue
# Places differ by shape first; their colours are muted so that the data (people, water,
# queues) carry the colour.
_MARKERS = {"grid": ("o", "0.35"), "assembly point": ("s", "tab:red"),
            "shelter": ("^", "tab:green"), "checkpoint": ("D", "tab:purple"),
            "viewing point": ("*", "tab:orange")}
MAX_DOT_COLOURS = 5
LABEL_PT = 8  # places' names on the map
FLOOD_COLOR = "#9ecae1"  # light blue: ground under water at the storm's peak
MAP_WIDTH_IN = 8.0


def _halo() -> list[Any]:
    """A white outline around a label, so it stays readable over roads and dots."""
    import matplotlib.patheffects as pe  # deferred: matplotlib (figures only)

    return [pe.withStroke(linewidth=2.5, foreground="white")]


@dataclass(frozen=True)
class PlaceValues:
    """A value at some places (the bottleneck): circles with area in proportion to the value,
    ``over_color`` where ``value > limit``; each labelled with the number and ``unit``."""

    values: Mapping[str, float]  # place label → value
    what: str  # legend entry, e.g. "people queueing"
    unit: str = ""
    color: str = "tab:purple"
    limit: float | None = None
    over_color: str = "tab:red"
    decimals: int = 0


@dataclass(frozen=True)
class FloodArea:
    """Ground under water at the storm's peak: node indices, drawn as a light-blue area."""

    nodes: np.ndarray
    label: str


def figure_size(xy: np.ndarray, width_in: float = MAP_WIDTH_IN,
                legend_rows: int = 1) -> tuple[float, float]:
    """Width and height (inches) that give the map its true proportions: the height follows
    the town's north–south extent at the same scale as east–west, within sensible limits, plus
    room for the legend below."""
    if len(xy) == 0:
        return width_in, width_in * 0.75
    span = np.ptp(xy, axis=0)
    dx, dy = max(float(span[0]), 1.0), max(float(span[1]), 1.0)
    height = float(np.clip(width_in * dy / dx, 2.0, 1.25 * width_in))
    return width_in, height + 0.9 + 0.25 * legend_rows


def town_map(network: RoadNetwork, places: Mapping[str, Sequence[Place]], title: str = "",
             edge_colors: Mapping[tuple[str, str], str] | None = None,
             points: Mapping[str, tuple[np.ndarray, str]] | None = None,
             label_limit: int = 40, values: Sequence[PlaceValues] = (),
             flood: FloodArea | None = None,
             edge_legend: Mapping[str, str] | None = None,
             names: Mapping[str, str] | None = None) -> Figure:
    """Roads as lines, places as markers with labels.

    ``edge_colors`` colours chosen roads (e.g. flooded ones; ``edge_legend`` names their
    colours, label → colour); ``points`` adds scatter layers, name → (array of node indices,
    colour), e.g. where responders are at a given minute (at most ``MAX_DOT_COLOURS`` distinct
    colours); ``values`` draws values at places (see ``PlaceValues``); ``flood`` the flood-prone
    ground; ``names`` how to label places (by id; a place not in it by its id), e.g. their
    Chinese names (``Scenario.place_labels``): ``values`` still find places by id.
    """
    colours = {c for _, (idx, c) in (points or {}).items()}
    if len(colours) > MAX_DOT_COLOURS:
        raise ValueError(f"at most {MAX_DOT_COLOURS} dot colours on a map (got {len(colours)}); "
                         "group the states into classes")
    from matplotlib.collections import LineCollection  # deferred: matplotlib (figures only)
    from matplotlib.lines import Line2D  # deferred: matplotlib (figures only)

    xy = network.xy
    n_entries = (len(points or {}) + len(places) + len(values) + len(edge_legend or {})
                 + (flood is not None))
    fig = figure(figsize=figure_size(xy, legend_rows=max(1, -(-n_entries // 2))), dpi=100,
                 layout="constrained")
    ax = fig.add_subplot()
    if flood is not None and len(flood.nodes):
        p = xy[np.asarray(flood.nodes, dtype=int)]
        ax.scatter(p[:, 0], p[:, 1], s=260, color=FLOOD_COLOR, alpha=0.45, linewidths=0,
                   zorder=0, label=flood.label)
    segs, colors = [], []
    for a, b in network.graph.edges():
        segs.append([xy[network.index[a]], xy[network.index[b]]])
        colors.append((edge_colors or {}).get((a, b)) or (edge_colors or {}).get((b, a))
                      or "0.75")
    widths = [0.8 if c == "0.75" else 2.0 for c in colors]  # chosen roads stand out
    ax.add_collection(LineCollection(segs, colors=colors, linewidths=widths, zorder=1))
    for label, color in (edge_legend or {}).items():
        ax.plot([], [], color=color, linewidth=2.0, label=label)
    for name, (idx, color) in (points or {}).items():
        if len(idx):
            jitter = np.random.default_rng(0).normal(0, 12, (len(idx), 2))
            p = xy[np.asarray(idx, dtype=int)] + jitter
            ax.scatter(p[:, 0], p[:, 1], s=6, color=color, alpha=0.6, zorder=2)
        # In the legend even when empty, so the key does not change from minute to minute.
        ax.add_line(Line2D([], [], marker="o", linestyle="", markersize=5, color=color,
                           label=tr(name)))
    hollow = bool(points)  # over people, a place is an outline: the people stay visible
    labels: list[tuple[str, float, float]] = []
    for kind, items in places.items():
        marker, color = _MARKERS.get(kind, ("P", "black"))
        nodes = [n for n, _ in items if n in network.index]
        if not nodes:
            continue
        p = xy[[network.index[n] for n in nodes]]
        ax.scatter(p[:, 0], p[:, 1], marker=marker, s=70,
                   facecolors="none" if hollow else color,
                   edgecolors=color if hollow else "black",
                   linewidths=1.4 if hollow else 0.5,
                   label=f"{tr(kind)} ({len(nodes)})", zorder=3)
        if len(items) <= label_limit:
            labels += [(str((names or {}).get(lab, lab)), float(x), float(y))
                       for (_, lab), (x, y) in zip(items, p, strict=False)]
    _values(ax, network, places, values)
    rises = _label_rises(labels, _points_per_metre(fig, xy))
    for (text, x, y), rise in zip(labels, rises, strict=True):
        # Up and to the right of the marker, on a white halo: never over the marker itself.
        ax.annotate(text, (x, y), fontsize=LABEL_PT, xytext=(6, rise),
                    textcoords="offset points", path_effects=_halo(), zorder=6)
    ax.autoscale()
    ax.margins(0.06)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel(tr("x (m)"))
    ax.set_ylabel(tr("y (m)"))
    ax.tick_params(labelsize=7)
    handles, entries = ax.get_legend_handles_labels()
    if handles:  # a bare network has nothing to label
        ncol = 2 if max(len(n) for n in entries) > 34 else 3
        fig.legend(handles, entries, loc="outside lower center", ncol=min(ncol, len(handles)),
                   fontsize=8, frameon=False)
    ax.set_title(title, fontsize=10)
    return fig


def _points_per_metre(fig: Figure, xy: np.ndarray) -> float:
    """About how many points (1/72 in) a metre of the town takes on the map: the axes fill the
    figure but for its labels' and legend's margins, at one scale across and up."""
    span = np.ptp(xy, axis=0) * 1.12 if len(xy) else np.ones(2)  # (the axes' 6 % margins)
    width_pt = max(fig.get_figwidth() - 1.0, 1.0) * 72
    height_pt = max(fig.get_figheight() - 1.6, 1.0) * 72
    return float(min(width_pt / max(span[0], 1.0), height_pt / max(span[1], 1.0)))


def _text_points(text: str, size: float) -> float:
    """A label's width in points: a Chinese character is about as wide as the font is high,
    a Latin letter or digit about half as wide."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.6 * size for c in text)


def _label_rises(labels: Sequence[tuple[str, float, float]], per_metre: float,
                 size: float = LABEL_PT) -> list[float]:
    """How far above its marker (points) each place's name is written: the lowest of a few
    rows where it clears the names placed before it (left to right), so that the names of
    places close together (viewing points along a seawall, a grid's centre beside its
    assembly point) are not written over each other."""
    placed: list[tuple[float, float, float, float]] = []
    rises = [5.0] * len(labels)
    for i in sorted(range(len(labels)), key=lambda k: (labels[k][1], labels[k][2])):
        text, x, y = labels[i]
        left, width = x * per_metre + 6, _text_points(text, size)
        for row in range(4):
            rise = 5.0 + row * (size + 3)
            box = (left, y * per_metre + rise, left + width, y * per_metre + rise + size)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                       for b in placed):
                break
        placed.append(box)
        rises[i] = rise
    return rises


def _values(ax: Axes, network: RoadNetwork, places: Mapping[str, Sequence[Place]],
            layers: Sequence[PlaceValues]) -> None:
    from matplotlib.colors import to_rgb  # deferred: matplotlib (figures only)
    from matplotlib.lines import Line2D  # deferred: matplotlib (figures only)

    node_of = {str(label): node for items in places.values() for node, label in items}
    for layer in layers:
        # Each layer its own scale (people and people per m² are not comparable).
        top = max((v for v in layer.values.values() if np.isfinite(v)), default=0.0) or 1.0
        drawn = False
        for place, value in layer.values.items():
            node = node_of.get(str(place))
            if node not in network.index or not np.isfinite(value) or value <= 0:
                continue
            x, y = network.xy[network.index[node]]
            over = layer.limit is not None and value > layer.limit
            color = layer.over_color if over else layer.color
            ax.scatter([x], [y], s=40 + 1400 * value / top, facecolors=color, alpha=0.3,
                       edgecolors=color, linewidths=1.5, zorder=4)
            drawn = True
            text = f"{value:,.{layer.decimals}f}" + (f" {layer.unit}" if layer.unit else "")
            # Below and to the right: the place's name is above it.
            ax.annotate(text, (x, y), fontsize=8, xytext=(6, -11), textcoords="offset points",
                        color=color, path_effects=_halo(), zorder=6)
        # A legend entry of a fixed size (the circles on the map grow with the value).
        ax.add_line(Line2D([], [], marker="o", linestyle="", markersize=11,
                           markerfacecolor=(*to_rgb(layer.color), 0.3),
                           markeredgecolor=layer.color,
                           label=tr(layer.what) if drawn else f"{tr(layer.what)}: 0"))
