"""Festival figures from plan summaries: queues per checkpoint, density strips per viewing point."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.analysis.replay_spec import AT, HOME, MOVING, ReplayExtras, ReplaySpec
from sim.core.catalogue import places_named, value_label
from sim.core.kind import CLOCK_START, DashboardDefaults, PlaceNames, Summary
from sim.core.results import breakdowns_in
from sim.kinds.festival.config import (
    INCIDENT_NAMES,
    SHIFT_NAMES,
    STAFF_GROUPS,
    TEAM_NAMES,
    FestivalScenario,
    place_word,
    team_name,
)
from sim.kinds.festival.staffing import STAFFING
from sim.present.cjk import pyplot
from sim.present.i18n import N_, _, pick
from sim.present.plan_names import summary_label
from sim.present.plots import mark_injects, panels_key
from sim.present.setting_words import SHARE

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.kinds.festival.inputs import FestivalInputs


def _tagged(summary: dict[str, Any], metric: str, key: str) -> dict[str, dict[str, Any]]:
    series = summary.get("series") or {}
    return {b.value: series[b.name] for b in breakdowns_in(series, metric, key)}


def _in_hours(summaries: list[dict[str, Any]], shift: float = 0.0) -> list[dict[str, Any]]:
    """The summaries with inject times in hours (plus ``shift``: hours of the day), the unit of
    the festival figures' x axis."""
    return [{**s, "injects": [{**i, "t_min": i["t_min"] / 60.0 + shift}
                              for i in s.get("injects", [])]} for s in summaries]


def _clock_start(summaries: Sequence[dict[str, Any]]) -> float | None:
    """The clock time of minute 0 when every plan has the same one (set by the dashboard from
    the kind's ``clock_start``), else None."""
    starts = {s.get(CLOCK_START) for s in summaries}
    start = starts.pop() if len(starts) == 1 else None
    return float(start) if isinstance(start, (int, float)) else None


def _hhmm(hours_of_day: float, _pos: object = None) -> str:
    m = int(round(hours_of_day * 60)) % (24 * 60)
    return f"{m // 60:02d}:{m % 60:02d}"


def _time_axis(axes: Sequence[Any], summaries: Sequence[dict[str, Any]]) -> float:
    """Label the bottom x axes with clock time (HH:MM) when the plans share a day start, else
    hours after the start; returns the offset in hours to add to model hours."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator  # deferred: matplotlib

    start = _clock_start(summaries)
    for ax in axes:
        if start is None:
            ax.set_xlabel(_("hours after day start"), fontsize=8)
        else:
            ax.set_xlabel(_("clock time"), fontsize=8)
            ax.xaxis.set_major_locator(MultipleLocator(4.0))  # 04:00, 08:00…: readable when small
            ax.xaxis.set_major_formatter(FuncFormatter(_hhmm))
    return 0.0 if start is None else start / 60.0


def _scenario(summary: dict[str, Any]) -> str:
    """The scenario's name in the current language (``name_zh`` when given)."""
    return pick(str(summary["scenario"]), summary.get("scenario_zh"))


def _plan_bands(ax: Any, summaries: Sequence[dict[str, Any]], metric: str, key: str, name: str,
                shift: float) -> None:
    """One line per plan on ``ax``: the mean of ``metric`` at place ``name`` over the day (in
    hours, plus ``shift``) with its 5–95 % band shaded in the line's colour."""
    for s in summaries:
        series = _tagged(s, metric, key).get(name)
        if series is None:
            continue
        t = np.asarray(series["t_min"]) / 60.0 + shift
        (line,) = ax.plot(t, series["mean"], label=summary_label(s), linewidth=1.2)
        ax.fill_between(t, series["p5"], series["p95"], color=line.get_color(), alpha=0.15)


def queue_figure(summaries: list[dict[str, Any]]) -> Figure | None:
    """People waiting at each checkpoint over the day: mean and 5–95 % band per plan."""
    plt = pyplot()
    names = list(dict.fromkeys(c for s in summaries for c in _tagged(s, "queue", "checkpoint")))
    if not names:
        return None
    places = places_named(summaries)
    cols = min(len(names), 3)
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), dpi=100,
                             squeeze=False, sharex=True)
    shift = _time_axis(axes[-1], summaries)
    for ax, name in zip(axes.flat, names, strict=False):
        _plan_bands(ax, summaries, "queue", "checkpoint", name, shift)
        mark_injects(ax, _in_hours(summaries, shift), numbered=True)
        ax.set_title(_("checkpoint {name}", name=value_label("checkpoint", name, places)),
                     fontsize=9)
        ax.set_ylabel(_("people waiting"), fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    bottom = panels_key(fig, axes, _in_hours(summaries, shift))
    fig.suptitle(_("{scenario}: checkpoint queues (mean, 5–95 % band)",
                   scenario=_scenario(summaries[0])), fontsize=10)
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


def density_figure(summaries: list[dict[str, Any]]) -> Figure | None:
    """Heat strip per plan: mean density (people/m²) of each viewing point over the day; the
    colour turns red at the danger limit and cells whose 95th percentile is over it are dotted."""
    plt = pyplot()
    from matplotlib.colors import TwoSlopeNorm  # deferred: matplotlib, see pyplot()

    strips = [(s, _tagged(s, "density", "viewing_point")) for s in summaries]
    strips = [(s, d) for s, d in strips if d]
    if not strips:
        return None
    fig, axes = plt.subplots(len(strips), 1, figsize=(10, 1.0 + 0.35 * len(strips[0][1])
                                                      * len(strips)), dpi=100, squeeze=False)
    shift = _time_axis(axes[:, 0], summaries)
    for ax, (s, d) in zip(axes[:, 0], strips, strict=True):
        names = list(d)
        limit = float((s.get("series") or {}).get("density_limit_ppm2", {}).get("mean", [4.0])[0])
        mean = np.array([d[n]["mean"] for n in names])
        p95 = np.array([d[n]["p95"] for n in names])
        t = np.asarray(d[names[0]]["t_min"]) / 60.0 + shift
        top = max(float(p95.max()), limit * 1.5)
        norm = TwoSlopeNorm(vmin=0.0, vcenter=limit, vmax=top)
        step = t[1] - t[0] if t.size > 1 else 1.0
        im = ax.imshow(mean, aspect="auto", cmap="RdYlGn_r", norm=norm, interpolation="nearest",
                       extent=(t[0] - step / 2, t[-1] + step / 2, len(names) - 0.5, -0.5))
        rr, cc = np.nonzero(p95 > limit)
        ax.scatter(t[cc], rr, s=4, color="black", marker=".",
                   label=_("p95 > {limit} /m²", limit=f"{limit:g}"))
        mark_injects(ax, _in_hours([s], shift))
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels([value_label("viewing_point", n, s.get("places_zh")) for n in names],
                           fontsize=7)
        ax.set_title(_("{plan}: viewing-point density (mean, people/m²; red above {limit})",
                       plan=summary_label(s), limit=f"{limit:g}"), fontsize=9)
        cb = fig.colorbar(im, ax=ax, pad=0.01)
        cb.ax.axhline(limit, color="black", linewidth=1)
        if rr.size:
            ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    return fig


def density_lines_figure(summaries: list[dict[str, Any]]) -> Figure | None:
    """Density (people/m²) at each viewing point over the day: mean and 5–95 % band per plan,
    with the danger limit drawn as a red dashed line."""
    plt = pyplot()
    names = list(dict.fromkeys(v for s in summaries for v in _tagged(s, "density", "viewing_point")))
    if not names:
        return None
    places = places_named(summaries)
    cols = min(len(names), 3)
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.6 * rows), dpi=100,
                             squeeze=False, sharex=True, sharey=True)
    shift = _time_axis(axes[-1], summaries)
    limit = float((summaries[0].get("series") or {}).get("density_limit_ppm2", {})
                  .get("mean", [4.0])[0])
    for ax, name in zip(axes.flat, names, strict=False):
        _plan_bands(ax, summaries, "density", "viewing_point", name, shift)
        ax.axhline(limit, color="tab:red", linestyle="--", linewidth=1)
        ax.set_title(_("viewing point {name}", name=value_label("viewing_point", name, places)),
                     fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(_("people per m²"), fontsize=8)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(_("{scenario}: viewing-point density (mean, 5–95 % band; red dashed: danger "
                   "limit {limit} /m²)", scenario=_scenario(summaries[0]), limit=f"{limit:g}"),
                 fontsize=10)
    fig.tight_layout()
    return fig


def festival_figures(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """Queues, density lines and the density heat strip per plan (``DASHBOARD.skip_figures``:
    the Run & compare page leaves the strips out, as the density lines answer the same question,
    where and when it is too crowded, with every plan on one axis)."""
    out = {}
    q = queue_figure(summaries)
    if q is not None:
        out["queues"] = q
    lines = density_lines_figure(summaries)
    if lines is not None:
        out["density"] = lines
    d = density_figure(summaries)
    if d is not None:
        out["density_strip"] = d
    return out


def figures(summaries: Sequence[Summary]) -> dict[str, Figure]:
    return festival_figures([dict(s) for s in summaries])


def places(model: FestivalScenario) -> dict[str, list[tuple[str, str]]]:
    p = model.festival
    return {"checkpoint": [(c.node, cid) for cid, c in p.checkpoints.items()],
            "viewing point": [(v.node, vid) for vid, v in p.viewing_points.items()]}


def place_names_zh(model: FestivalScenario) -> PlaceNames:
    p = model.festival
    return {"checkpoint": {cid: c.name_zh for cid, c in p.checkpoints.items() if c.name_zh},
            "viewing_point": {vid: v.name_zh for vid, v in p.viewing_points.items()
                              if v.name_zh}}


def clock_start(model: FestivalScenario) -> str | None:
    """The clock time of minute 0 (the start of the festival day)."""
    return model.festival.day_start


def staff_table(model: FestivalScenario) -> pd.DataFrame:
    """People of each staff group posted at each post of a festival plan (after
    ``staff_scale``; a checkpoint's shifts are added up), with totals; the last row is all posts
    together."""
    import pandas as pd  # deferred: pandas

    p = model.festival
    rows: dict[str, dict[str, int]] = {}

    def add(post: str, staff: Mapping[Any, int], times: int = 1) -> None:
        row = rows.setdefault(post, dict.fromkeys(STAFF_GROUPS, 0))
        for g, n in staff.items():
            row[g] += p.scaled(g, n) * times

    for cid, cp in p.checkpoints.items():
        for shift in cp.roster.values():
            add(_("checkpoint {id} ({n} shifts)", id=place_word(cid, cp.name, cp.name_zh),
                  n=len(cp.roster)), shift.staff)
    for vid, vp in p.viewing_points.items():
        add(_("viewing point {id} stewards", id=place_word(vid, name_zh=vp.name_zh)), vp.stewards)
    for name, team in p.teams.items():
        add(_("{teams} ({n})", teams=team_name(name), n=team.count), team.members, team.count)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(STAFF_GROUPS)) if rows \
        else pd.DataFrame(columns=list(STAFF_GROUPS))
    frame = frame.loc[:, (frame != 0).any(axis=0)] if len(frame) else frame
    frame.index.name = _("post")
    frame["total"] = frame.sum(axis=1)
    frame.loc[_("all posts")] = frame.sum(axis=0)
    return frame.astype(int)


def replay_extras(inp: FestivalInputs) -> ReplayExtras:
    """The crowd at checkpoints and viewing points from the replication's series; the tide is
    the minute worth showing first."""
    return ReplayExtras(
        end_min=float(inp.horizon), crowd=True,
        areas=dict(zip(inp.vp_ids, map(float, inp.vp_area), strict=True)),
        danger_ppm2=float(inp.params.danger_ppm2), focus_min=float(inp.tide))


FESTIVAL_REPLAY = ReplaySpec(
    before_first="not arrived",
    states={
        "arrived": ("queueing", AT), "diverted": ("queueing", AT),
        "check_start": ("being checked", AT), "check_end": ("walking to the seawall", MOVING),
        "redirected": ("walking to the seawall", AT), "held": ("held back", AT),
        "entered": ("at a viewing point", AT), "leaving": ("leaving", AT),
        "exited": ("left", AT), "turned_away": ("turned away", HOME),
        "reported": ("incident reported", AT), "dispatched": ("team on the way", MOVING),
        "on_scene": ("team on scene", AT), "escalated": ("team on scene", AT),
        "cleared": ("team free", AT),
    },
    arrival_events=("held", "entered", "on_scene"),
    colors={"queueing": "tab:red", "being checked": "tab:purple",
            "walking to the seawall": "tab:orange", "held back": "black",
            "at a viewing point": "tab:green", "leaving": "tab:olive",
            "team on the way": "tab:blue", "team on scene": "tab:cyan", "team free": "navy"},
    queue_state="queueing",
    hidden_states=("not arrived", "left", "turned away", "incident reported"),
    who={"incident reported": "incidents", "team on the way": "teams", "team on scene": "teams",
         "team free": "teams"},
    who_default="visitor groups",
    unit="number",
    groups={
        "queueing or being checked": ("tab:purple", ("queueing", "being checked")),
        "walking (to the seawall or away)": ("tab:orange", ("walking to the seawall",
                                                             "leaving")),
        "held back at an entrance": ("black", ("held back",)),
        "at a viewing point": ("tab:green", ("at a viewing point",)),
        "response teams": ("tab:blue", ("team on the way", "team on scene", "team free")),
    },
)

DASHBOARD = DashboardDefaults(
    first_reps=4,
    decision_metrics=("wait_p95_min", "minutes_density_over_limit"),
    forces_title="Staff by group and post",
    edits_forces=False,
    replay_dot="visitor group or team",
    replay_note="; circles: people queueing at checkpoints and standing at viewing points "
                "(red: over the danger density)",
    staffing=STAFFING,
    setting_names={
        "staff": N_("staff pool"), "staff_scale": N_("staff scaled"),
        "day_start": N_("day begins at"), "day_end": N_("day ends at"),
        "tide_time": N_("tide time"), "warm_up_until": N_("checkpoint waits count from"),
        "record_every_min": N_("counts recorded every"), "walk_kmh": N_("walking speed"),
        "surge": N_("surge of arrivals before the tide"),
        "before_tide_min": N_("surge starts before the tide"),
        "factor": N_("arrivals multiplied by"),
        "modes": N_("visitors arriving"), "checkpoints": N_("checkpoints"),
        "modes.checkpoints": N_("share through checkpoint"), "group_size": N_("group size"),
        "profile": N_("arrival rate"), "at": N_("from"), "per_hour": N_("visitors per hour"),
        "counts": N_("visitors per interval"), "interval_min": N_("interval"),
        "arrivals": N_("how groups arrive"), "modes.surge": N_("the surge applies"),
        "check_types": N_("checks"), "per_group": N_("time per group"),
        "per_person": N_("time per person"),
        "check": N_("check"), "lanes": N_("lanes"), "staff_per_lane": N_("staff per lane"),
        "roster": N_("shifts"), "start": N_("starts"), "end": N_("ends"),
        "roster.lanes": N_("lanes opened"), "roster.staff": N_("staff on duty"),
        "queue_limit": N_("most people waiting"), "over_limit": N_("when the queue is full"),
        "divert_to": N_("send them to checkpoint"),
        "divert_min": N_("walk to the other checkpoint"),
        "viewing_points": N_("viewing points"), "area_m2": N_("standing area"),
        "exit_width_m": N_("width of the access path"),
        "weight": N_("visitors' preference (weight)"), "stewards": N_("stewards"),
        "danger_ppm2": N_("dangerous crowd density"), "crowd_control": N_("crowd control"),
        "rule": N_("what stewards do"), "trigger_ppm2": N_("stewards act at a density of"),
        "min_stewards": N_("fewest stewards who can act"),
        "max_redirects": N_("redirects before a group is held"),
        "egress_flow_ppmm": N_("flow out through the access path"),
        "stay": N_("how long visitors stay"),
        "after_tide": N_("leave this long after the tide"), "min_stay": N_("shortest stay"),
        "teams": N_("response teams"), "count": N_("number of teams"),
        "teams.members": N_("people per team"), "bases": N_("based at"),
        "speed_kmh": N_("speed"), "incidents": N_("incident type"),
        "where": N_("where they happen"),
        "incidents.per_hour": N_("incidents per hour at each place"),
        "per_1000_per_hour": N_("incidents per hour per 1,000 people present"),
        "above_ppm2": N_("only above a density of"), "incidents.teams": N_("teams that answer"),
        "handle": N_("time to handle one"),
        "escalate": N_("share needing a command-centre decision"),
        "command_centre": N_("command centre"), "desks": N_("decision desks"),
        "decision": N_("time to decide"),
        "modes.foot": N_("on foot"), "modes.highway": N_("via the highway exit"),
        "modes.local": N_("by local roads"), "modes.rail": N_("by rail"),
        "check_types.qr_scan": N_("QR code scan"),
        "check_types.qr_temperature": N_("QR code and temperature check"),
        "check_types.vehicle": N_("vehicle check"),
        **{f"roster.{k}": v for k, v in SHIFT_NAMES.items()},
        **{f"incidents.{k}": v for k, v in INCIDENT_NAMES.items()},
        **{f"teams.{k}": v for k, v in TEAM_NAMES.items()}},
    setting_units={"factor": N_("×"), "modes.checkpoints": SHARE, "group_size": N_("people"),
                   "per_hour": N_("per hour"), "counts": N_("visitors"),
                   "per_1000_per_hour": N_("per hour"), "lanes": N_("lanes"),
                   "staff_per_lane": N_("people"), "queue_limit": N_("people"),
                   "weight": N_("×"), "min_stewards": N_("people"),
                   "teams.members": N_("people"), "staff": N_("people"),
                   "roster.staff": N_("people"),
                   "staff_scale": N_("×"), "stewards": N_("people"), "desks": N_("desks"),
                   "count": N_("teams"), "max_redirects": N_("times")},
    value_words={"poisson": N_("at random (Poisson)"), "regular": N_("evenly spaced"),
                 "turn_away": N_("turn them away"), "divert": N_("send them to another checkpoint"),
                 "hold": N_("hold visitors back"), "redirect": N_("send visitors elsewhere"),
                 "none": N_("nothing"), "viewing_points": N_("at the viewing points"),
                 "checkpoints": N_("at the checkpoints")},
    skip_figures=("density_strip",),
)


def density_limit(model: FestivalScenario) -> float | None:
    return float(model.festival.danger_ppm2)
