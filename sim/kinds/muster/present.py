"""How the muster kind is shown: its figures, replay states, dashboard defaults."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.analysis.replay_spec import AT, HOME, MOVING, ReplaySpec
from sim.core.kind import DashboardDefaults, Summary
from sim.kinds.muster.config import MusterScenario
from sim.present.i18n import N_

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
    setting_names={"alert_time": N_("alert time"), "channels": N_("alert channels"),
                   "assembly_points": N_("assembly points"), "checkin": N_("check-in time"),
                   "phone_tree": N_("phone tree"), "roles": N_("what each role does")},
)
