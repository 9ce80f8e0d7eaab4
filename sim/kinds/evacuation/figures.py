"""Figures of the evacuation kind: shelter occupancy over time, and a map of flooded roads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sim.core.results import breakdowns_in
from sim.present.cjk import pyplot
from sim.present.maps import town_map

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.kinds.evacuation.build import EvacuationInputs
    from sim.network.graph import RoadNetwork



def occupancy_figure(summaries: Sequence[dict[str, Any]], top: int = 8) -> Figure | None:
    """Mean occupancy of the busiest shelters over time (5–95 % band), one panel per plan."""
    plt = pyplot()
    with_series = [s for s in summaries
                   if breakdowns_in(s.get("series", {}), "occupancy", "shelter")]
    if not with_series:
        return None
    fig, axes = plt.subplots(1, len(with_series), figsize=(5 * len(with_series), 4), dpi=100,
                             squeeze=False, sharey=True)
    for ax, s in zip(axes[0], with_series, strict=True):
        items = [(b.value, s["series"][b.name])
                 for b in breakdowns_in(s["series"], "occupancy", "shelter")]
        items.sort(key=lambda kv: -max(kv[1]["mean"] or [0]))
        for k, v in items[:top]:
            (line,) = ax.plot(v["t_min"], v["mean"], label=k)
            ax.fill_between(v["t_min"], v["p5"], v["p95"], alpha=0.15, color=line.get_color())
        ax.set_title(f"{s['plan']}: shelter occupancy")
        ax.set_xlabel("minutes after t = 0")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("people in the shelter (mean, 5–95 %)")
    fig.tight_layout()
    plt.close(fig)
    return fig


def flood_map(network: RoadNetwork, inp: EvacuationInputs, t_min: float,
              places: dict[str, list[tuple[str, str]]] | None = None) -> Figure:
    """The town at minute ``t_min``: roads closed to people in red, to vehicles in orange."""
    rows, cols, _, _ = network._edges
    state = inp.timeline.state_at(t_min)
    colors: dict[tuple[str, str], str] = {}
    for e, (a, b) in enumerate(zip(rows, cols, strict=True)):
        if not state.walk_units[e] < float("inf"):
            colors[(network.nodes[a], network.nodes[b])] = "tab:red"
        elif not state.vehicle_min[e] < float("inf"):
            colors[(network.nodes[a], network.nodes[b])] = "tab:orange"
    return town_map(network, places or {}, title=f"flooded roads at {t_min:.0f} min "
                    "(red: closed on foot, orange: closed to vehicles)", edge_colors=colors,
                    points={"households at risk": (inp.hh_node, "tab:blue")})
