"""Figures of the evacuation kind: shelter occupancy over time, and a map of flooded roads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.analysis.replay_spec import AT, HOME, MOVING, ReplayExtras, ReplaySpec
from sim.core.catalogue import value_label
from sim.core.kind import DashboardDefaults, PlaceNames, Summary
from sim.core.results import breakdowns_in
from sim.kinds.evacuation.config import EvacuationScenario
from sim.kinds.evacuation.hazard import water_peak
from sim.kinds.evacuation.storyline import extra_rain
from sim.present.cjk import pyplot
from sim.present.i18n import N_, _
from sim.present.plan_names import summary_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.kinds.evacuation.inputs import EvacuationInputs
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
            (line,) = ax.plot(v["t_min"], v["mean"],
                              label=value_label("shelter", k, s.get("places_zh")))
            ax.fill_between(v["t_min"], v["p5"], v["p95"], alpha=0.15, color=line.get_color())
        ax.set_title(_("{plan}: shelter occupancy", plan=summary_label(s)))
        ax.set_xlabel(_("minutes after the evacuation order"))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel(_("people in the shelter (mean, 5–95 %)"))
    fig.tight_layout()
    plt.close(fig)
    return fig


def flood_map(network: RoadNetwork, inp: EvacuationInputs, t_min: float,
              places: dict[str, list[tuple[str, str]]] | None = None) -> Figure:
    """The town at minute ``t_min``: roads closed to people in red, to vehicles in orange."""
    from sim.present.maps import town_map  # deferred: matplotlib

    rows, cols, _lengths, _times = network._edges  # not `_`: that is the translator
    state = inp.timeline.state_at(t_min)
    colors: dict[tuple[str, str], str] = {}
    for e, (a, b) in enumerate(zip(rows, cols, strict=True)):
        if not state.walk_units[e] < float("inf"):
            colors[(network.nodes[a], network.nodes[b])] = "tab:red"
        elif not state.vehicle_min[e] < float("inf"):
            colors[(network.nodes[a], network.nodes[b])] = "tab:orange"
    return town_map(network, places or {}, title=_(
                        "flooded roads at {m} min (red: closed on foot, orange: closed to "
                        "vehicles)", m=f"{t_min:.0f}"), edge_colors=colors,
                    points={_("households at risk"): (inp.hh_node, "tab:blue")})


def figures(summaries: Sequence[Summary]) -> dict[str, Figure]:
    """Shelter occupancy over time; people evacuated by grid and stranded by reason."""
    from sim.present.plots import breakdown_figure  # deferred: matplotlib

    plain = [dict(s) for s in summaries]
    out: dict[str, Figure] = {}
    fig = occupancy_figure(plain)
    if fig is not None:
        out["shelter_occupancy"] = fig
    for metric, key in (("evacuated_60min", "grid"), ("stranded", "reason")):
        fig = breakdown_figure(plain, metric, key)
        if fig is not None:
            out[f"{metric}_by_{key}"] = fig
    return out


def places(model: EvacuationScenario) -> dict[str, list[tuple[str, str]]]:
    return {"shelter": [(s.node, s.id) for s in model.evacuation.shelters]}


def place_names_zh(model: EvacuationScenario) -> PlaceNames:
    return {"shelter": {s.id: s.name_zh for s in model.evacuation.shelters if s.name_zh}}


def replay_extras(inp: EvacuationInputs) -> ReplayExtras:
    """Households never warned are drawn at home from the start; roads flood over the run."""
    names = inp.node_names
    return ReplayExtras(
        end_min=float(inp.params.horizon_min),
        entities=[(h.id, "household", h.grid, names[h.node]) for h in inp.households],
        locations={h.id: names[h.node] for h in inp.households},
        timeline=inp.timeline, focus_min=60.0)


_HH, _RESP = "households", "responders"
EVACUATION_REPLAY = ReplaySpec(
    before_first="not warned",
    states={
        "warned": ("warned", HOME), "second_knock": ("warned", HOME),
        "complied": ("warned", HOME), "escort_requested": ("waiting for an escort", HOME),
        "refused": ("refused", HOME), "unreachable": ("stranded", HOME),
        "self_evacuating": ("moving", MOVING), "departed": ("moving", MOVING),
        "replanned": ("moving", MOVING), "turned_away": ("moving", MOVING),
        "cut_off": ("stranded", AT), "no_shelter_space": ("stranded", AT),
        "sheltered": ("sheltered", AT),
        "on_duty": ("responder on duty", AT), "arrived": ("responder on duty", AT),
        "knock": ("responder warning door to door", AT), "escort_pickup": ("responder escorting", AT),
    },
    home_events=("warned", "self_evacuating", "departed", "unreachable"),
    arrival_events=("sheltered",),
    colors={"not warned": "tab:gray", "warned": "tab:olive", "waiting for an escort": "tab:pink",
            "refused": "black", "moving": "tab:orange", "stranded": "tab:red",
            "sheltered": "tab:green", "responder on duty": "tab:blue",
            "responder warning door to door": "tab:purple", "responder escorting": "tab:cyan"},
    ignore_roles=("hazard", "command"),
    who={"responder on duty": _RESP, "responder warning door to door": _RESP,
         "responder escorting": _RESP},
    who_default=_HH,
    unit="number",
    groups={
        "households at home (not warned, warned, waiting, refused)": (
            "tab:gray", ("not warned", "warned", "waiting for an escort", "refused")),
        "households on the move": ("tab:orange", ("moving",)),
        "households stranded": ("tab:red", ("stranded",)),
        "households sheltered": ("tab:green", ("sheltered",)),
        "responders": ("black", ("responder on duty", "responder warning door to door",
                                 "responder escorting")),
    },
)

DASHBOARD = DashboardDefaults(
    first_reps=10,
    decision_metrics=("stranded", "ete90_min"),
    replay_dot="household or responder",
    setting_names={
        "warning_start_min": N_("warning start"),
        "horizon_min": N_("time simulated after the start"),
        "assume_ground_elevation_m": N_("ground level where the map gives none"),
        "hazard": N_("rain and flooding"), "rain": N_("rain"),
        "design_storm": N_("design storm"), "total_mm": N_("total rain"),
        "duration_h": N_("duration"), "peak_hour": N_("hour of the heaviest rain"),
        "width_h": N_("spread of the heaviest rain (standard deviation)"),
        "hourly_mm": N_("rain per hour"), "start_hour": N_("storm hour at the start of the run"),
        "drainage_mm_per_h": N_("drainage"), "base_level_m": N_("water level before the rain"),
        "rise_m_per_mm": N_("water rise per mm of rain not drained"),
        "update_min": N_("flooding updated every"), "depth_step_m": N_("water depth step"),
        "vehicle_curve": N_("vehicle speed by water depth"),
        "vehicle_limit_m": N_("roads close to vehicles above a depth of"),
        "wading": N_("walking speed by water depth"),
        "walk_limit_m": N_("roads close to people on foot above a depth of"),
        "exposure_depth_m": N_("water depth that counts as exposed"),
        "closures": N_("road closures"), "shelters": N_("shelters"),
        "capacity": N_("capacity"), "closed_from_min": N_("closes at minute"),
        "population": N_("residents"),
        "at_risk_below_m": N_("homes lower than this are at risk"),
        "households": N_("households given by hand"),
        "needs_escort_share": N_("share needing an escort"),
        "compliance": N_("share who leave when warned"),
        "second_knock": N_("a second knock on the door"),
        "second_knock_after_min": N_("second knock after"),
        "second_knock_compliance": N_("share who leave at the second knock"),
        "self_evacuation_share": N_("share who leave without a warning"),
        "self_evacuation_delay": N_("when they leave on their own"),
        "preparation": N_("time to get ready to leave"), "knock": N_("time per door knock"),
        "walk_kmh": N_("walking speed"), "escorted_kmh": N_("walking speed with an escort"),
        "roles": N_("what each role does"), "duty": N_("duty"),
        "availability": N_("share available"), "turnout": N_("time to report for duty"),
        "mode": N_("how they travel"), "team_size": N_("team size"),
        "seats": N_("seats per vehicle"),
        "escorts_found": N_("warners escort the frail they find"),
        "scope": N_("escort teams serve"), "squad_bases": N_("squad bases"),
        "vehicle_kmh": N_("vehicle speed on dry roads"),
        "detour_factor": N_("walking detour (door to door ÷ straight line)"),
        "warning_order": N_("warning order"),
        "reinforcements": N_("outside reinforcements"), "arrive_min": N_("arrives at minute"),
        "reinforcements.node": N_("arrives at road node"),
        "reinforcements.members": N_("people"),
        "households.members": N_("people in the household")},
    setting_units={"capacity": N_("people"), "team_size": N_("people"),
                   "seats": N_("people"), "members": N_("people"),
                   "detour_factor": N_("×"), "peak_hour": N_("h"), "start_hour": N_("h"),
                   "vehicle_curve": N_("depth mm, km/h"),
                   "wading": N_("depth m, × the dry walking speed"),
                   "hourly_mm": N_("mm")},
    value_words={"warn": N_("warn households"), "escort": N_("escort the frail"),
                 "none": N_("no task"), "walk": N_("on foot"), "vehicle": N_("by vehicle"),
                 "grid": N_("their own grid"), "town": N_("the whole town"),
                 "route": N_("along the route"), "lowest_first": N_("lowest homes first")},
)


def flood_prone_area(model: EvacuationScenario, network: RoadNetwork
                     ) -> tuple[np.ndarray, str] | None:
    """Ground under water at the storm's highest water level (a node lower than the level);
    the plan's extra rain (a drill's inject) counts."""
    evac = model.evacuation
    if evac.hazard is None:
        return None
    peak = water_peak(evac.hazard, float(evac.horizon_min), extra_rain(model))
    ground = float(evac.assume_ground_elevation_m or 0.0)
    elevation = np.array([float(network.graph.nodes[n].get("elevation_m", ground))
                          for n in network.nodes])
    nodes = np.flatnonzero(elevation < peak.level_m)
    return nodes, _("flood-prone: under water at the storm's peak (minute {m}; "
                    "{n} of {total} road nodes)",
        m=f"{peak.minute:,.0f}", n=f"{len(nodes):,}", total=f"{len(elevation):,}")
