"""Flows through widths (IMO component test 4; SFPE hydraulic model) and the Fruin / HCM
level-of-service thresholds."""

from __future__ import annotations

import numpy as np

from sim.kinds.festival.metrics import los_grade
from sim.present.i18n import _
from sim.verify.case import Check, Context, Outcome, case
from sim.verify.tiny import festival, replicate, scenario

SPECIFIC_FLOW = 1.33  # persons per metre per second (IMO MSC.1/Circ.1533 component test 4)
BOUNDARY_M = 0.15  # boundary layer on each side of an exit (SFPE)


def _egress_seconds(ctx: Context, exit_m: float, people: int) -> tuple[float, int]:
    """Seconds from the first to the last person through the exit of a viewing point that
    ``people`` visitors leave at the same instant (10 min after the tide), and how many left."""
    effective = exit_m - 2 * BOUNDARY_M
    per_hour = people * 2  # regular arrivals over the first 30 min
    data = festival(festival={
        "modes": {"road": {"arrivals": "regular",
                           "profile": [{"at": "05:00", "per_hour": per_hour},
                                       {"at": "05:30", "per_hour": 0}]}},
        "check_types": {"scan": {"per_person": 0.1}},
        "checkpoints": {"X": {"lanes": 3}},
        "viewing_points": {"P": {"exit_width_m": effective}},
        "egress_flow_ppmm": SPECIFIC_FLOW * 60,
        "stay": {"after_tide": 10, "min_stay": 1}})
    s = scenario(ctx.folder(f"exit{exit_m:g}"), data, [("A", "B", 100.0), ("B", "C", 100.0)])
    exits = sorted(e.t_min for e in replicate(s).events if e.event == "exited")
    return (exits[-1] - exits[0]) * 60.0, len(exits)


def _exit_case(exit_m: float, expected_s: float) -> None:
    eff = exit_m - 2 * BOUNDARY_M
    cap = eff * SPECIFIC_FLOW

    def run(ctx: Context) -> Outcome:
        seconds, n = _egress_seconds(ctx, exit_m, 100)
        return Outcome([Check(_("people who left"), 100, 0, n, "people"),
                        Check(_("time from first to last person through the exit"), expected_s,
                              0.1, seconds, "s")])

    case(f"flows.exit-{exit_m:g}m", f"100 people through a {exit_m:g} m exit in "
         f"{expected_s} s", "flows",
         "IMO MSC.1/Circ.1533 component test 4 arithmetic; SFPE hydraulic model (0.15 m "
         "boundary layer each side)",
         f"100 visitors at a viewing point all start to leave at the same minute through an "
         f"access path of {exit_m:g} m ({eff:.1f} m effective) at 1.33 persons/(m·s): flow "
         f"C = {cap:.3f} persons/s, so the last passes (N − 1)/C = {99 / cap:.2f} s after the "
         "first.",
         "±0.1 s: the published figure is rounded to 0.1 s; the model's exit is an exact "
         "flow, so any larger gap is an error.")(run)


for _w, _t in ((1.0, 106.3), (2.0, 43.8), (3.0, 27.6)):
    _exit_case(_w, _t)

LOS_POINTS = {"A": 1.5, "B": 1.0, "C": 0.8, "D": 0.5, "E": 0.25, "F": 0.1}


@case("flows.fruin-los", "Density maps to the right Fruin / HCM queuing level of service",
      "flows", "HCM / Fruin queuing level of service (A ≥ 1.21 m²/person … F < 0.19)",
      "Densities of 1/1.5, 1/1.0, 1/0.8, 1/0.5, 1/0.25 and 1/0.1 persons/m² (one inside each "
      "band A–F) and just above and below every threshold (±1 %), graded by the festival "
      "model's level-of-service function.",
      "A category, not a number: every letter must match (0 mismatches).")
def fruin(ctx: Context) -> Outcome:
    letters = "ABCDEF"
    points = dict(LOS_POINTS)
    for letter, lower in zip("ABCDE", (1.21, 0.93, 0.65, 0.28, 0.19), strict=True):
        points[f"{letter} (1 % above {lower} m²)"] = lower * 1.01
        points[f"{letters[letters.index(letter) + 1]} (1 % below {lower} m²)"] = lower * 0.99
    areas = np.array(list(points.values()))
    got = los_grade(1.0 / areas)
    wrong = [name for (name, _), g in zip(points.items(), got, strict=True)
             if letters[int(g) - 1] != name[0]]
    at = los_grade(1.0 / np.array([1.21, 0.93, 0.65, 0.28, 0.19]))
    notes = _("Exactly on a threshold the model grades the worse letter (it needs more than "
              "the lower bound): {grades}. Mismatches: {wrong}.",
              grades=", ".join(f"{a} m² → {letters[int(g) - 1]}" for a, g in
                               zip((1.21, 0.93, 0.65, 0.28, 0.19), at, strict=True)),
              wrong=", ".join(wrong) or _("none"))
    return Outcome([Check(_("densities graded with the wrong letter"), 0, 0, len(wrong),
                          "points")], notes=notes)
