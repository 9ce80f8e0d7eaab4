"""How the muster kind is shown: its figures, replay states, dashboard defaults."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.analysis.replay_spec import AT, HOME, MOVING, ReplaySpec
from sim.core.kind import DashboardDefaults, PlaceNames, Summary
from sim.kinds.muster.config import MusterScenario
from sim.present.i18n import N_
from sim.present.setting_words import SHARE

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def figures(summaries: Sequence[Summary]) -> dict[str, Figure]:
    """Mustered by 60 min per role and per assembly point."""
    from sim.present.plots import breakdown_figure  # deferred: matplotlib

    out = {}
    for metric, key in (("mustered_60min", "role"), ("mustered_60min", "ap")):
        fig = breakdown_figure([dict(s) for s in summaries], metric, key)
        if fig is not None:
            out[f"{metric}_by_{key}"] = fig
    return out


def places(model: MusterScenario) -> dict[str, list[tuple[str, str]]]:
    return {"assembly point": [(a.node, a.id) for a in model.muster.assembly_points]}


def place_names_zh(model: MusterScenario) -> PlaceNames:
    return {"ap": {a.id: a.name_zh for a in model.muster.assembly_points if a.name_zh}}


def clock_start(model: MusterScenario) -> str | None:
    """The clock time of the alert (minute 0)."""
    return model.muster.alert_time


MUSTER_REPLAY = ReplaySpec(
    before_first="not yet moving",
    states={
        "alert_received": ("not yet moving", HOME),
        "call_unanswered": ("not yet moving", HOME),
        "noticed": ("not yet moving", HOME),
        "acknowledged": ("not yet moving", HOME),
        "unavailable": ("unavailable", HOME),
        "departed": ("en route", MOVING),
        "arrived": ("waiting at check-in", AT),
        "checkin_start": ("waiting at check-in", AT),
        "mustered": ("mustered", AT),
    },
    home_events=("noticed", "unavailable", "acknowledged", "departed"),
    arrival_events=("arrived",),
    colors={"not yet moving": "tab:gray", "unavailable": "black", "en route": "tab:orange",
            "waiting at check-in": "tab:red", "mustered": "tab:green"},
    queue_state="waiting at check-in",
)

DASHBOARD = DashboardDefaults(
    decision_metrics=("mustered_60min", "t90_min"),
    replay_dot="person",
    replay_note=" (people the alert never reached have no events and are not drawn)",
    setting_names={
        "alert_time": N_("alert time"), "channels": N_("alert channels"),
        "night_from": N_("night begins at"), "night_until": N_("night ends at"),
        "horizon_min": N_("time simulated after the alert"),
        "grid_app": N_("alert via the grid app"), "group_chat": N_("alert via the group chat"),
        "delivery": N_("delay until the message arrives"),
        "reliability": N_("share of messages that arrive"),
        "phone_tree": N_("phone tree"), "fan_out": N_("people each caller calls"),
        "call": N_("time per call attempt"), "answer_day": N_("share of calls answered by day"),
        "answer_night": N_("share of calls answered at night"),
        "notice_day": N_("time to notice the alert by day"),
        "notice_night": N_("time to notice the alert at night"),
        "acknowledge": N_("time to acknowledge the alert"),
        "preparation": N_("time to get ready to leave"),
        "night_preparation_factor": N_("getting ready takes longer at night by a factor of"),
        "speeds_kmh": N_("travel speed"), "checkin": N_("check-in time"),
        "assembly_points": N_("assembly points"), "desks": N_("check-in desks"),
        "task": N_("task"), "assignment": N_("who goes to which assembly point"),
        "assignment.default": N_("everyone not listed"), "assignment.roles": N_("by role"),
        "assignment.grids": N_("by grid"),
        "default_role": N_("what a role not listed does"), "roles": N_("what each role does"),
        "availability_day": N_("share available by day"),
        "availability_night": N_("share available at night"),
        "modes": N_("how they travel"),
        "speeds_kmh.walk": N_("on foot"), "speeds_kmh.ebike": N_("by e-bike"),
        "speeds_kmh.car": N_("by car"), "modes.walk": N_("on foot"),
        "modes.ebike": N_("by e-bike"), "modes.car": N_("by car")},
    setting_units={"fan_out": N_("people"), "night_preparation_factor": N_("×"),
                   "modes": SHARE, "desks": N_("desks"), "checkin": N_("min per person")},
    value_words={"grid_app": N_("grid app"), "group_chat": N_("group chat"),
                 "phone_tree": N_("phone tree"), "walk": N_("on foot"), "ebike": N_("by e-bike"),
                 "car": N_("by car")},
)
