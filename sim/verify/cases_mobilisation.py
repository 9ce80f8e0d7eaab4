"""Mobilisation: the phone tree's fan-out timing and channel outages."""

from __future__ import annotations

import math

import numpy as np

from sim.present.i18n import _
from sim.verify.case import Check, Context, Outcome, case
from sim.verify.tiny import muster, replicate, scenario


def tree_minutes(n: int, k: int, call: float) -> list[float]:
    """Hand rule of a phone tree: the command calls positions 0…k−1 one after another; the
    person at position p then calls positions (p+1)k … (p+2)k−1, each call taking ``call``."""
    t = [0.0] * n
    for i in range(n):
        parent = i // k - 1
        t[i] = (t[parent] if parent >= 0 else 0.0) + (i % k + 1) * call
    return t


def _tree_case(n: int, k: int, last: float) -> None:
    def run(ctx: Context) -> Outcome:
        grids = {f"G{g:02d}": "A" for g in range(n)}
        data = muster(grids, {"AP": "B"}, muster={"channels": ["phone_tree"],
                                                  "phone_tree": {"fan_out": k, "call": 1}})
        s = scenario(ctx.folder(f"tree{n}-{k}"), data, [("A", "B", 100.0)])
        got = {e.entity_id: e.t_min for e in replicate(s).events
               if e.event == "alert_received"}
        hand = tree_minutes(n, k, 1.0)
        times = [got.get(f"G{g:02d}-grid_head-001", math.inf) for g in range(n)]
        err = max(abs(a - b) for a, b in zip(times, hand, strict=True))
        return Outcome([Check(_("minute the last person is reached"), last, 1e-9, max(times),
                              "min"),
                        Check(_("largest gap from the hand rule over everyone"), 0.0, 1e-9, err,
                              "min")])

    case(f"mobilisation.phone-tree-{n}-k{k}", f"A phone tree of {n} with fan-out {k} reaches "
         f"everyone at minute {last:g}", "mobilisation",
         "Hand calculation of the fan-out rule (NUREG/CR-7002: mobilisation is the sum of "
         "activity times)",
         f"{n} grid heads called in tree order, fan-out {k}, every call answered and taking "
         "exactly 1 min: the command calls positions 0…k−1 at minutes 1…k; whoever answers at "
         f"t calls their own k at t + 1 … t + k. The last of {n} is reached at minute "
         f"{last:g}.",
         "Fixed call times: exact up to float rounding (1e-9 min).")(run)


_tree_case(14, 2, 6.0)
_tree_case(40, 3, 9.0)


@case("mobilisation.channel-outage", "A channel outage delays exactly the messages due during "
      "it", "mobilisation", "Hand calculation (HSEEP-style inject: a message due during an "
      "outage of its channel arrives when the outage ends)",
      "200 people alerted by the grid app with exponential delivery (mean 5 min); the app is "
      "down from minute 2 for 4 min. The same replication without the outage gives each "
      "person's due time d; with it, the hand rule is: arrives at 6 if 2 ≤ d < 6, else at d.",
      "0 exceptions: the rule is exact; the count of delayed messages must equal the count "
      "due during the outage.")
def outage(ctx: Context) -> Outcome:
    base = muster({"GA": "A", "GB": "B"}, {"AP": "B"},
                  forces={"grid_head": {"per_grid": 200, "grids": ["GA"]}},
                  muster={"grid_app": {"delivery": {"dist": "exponential", "mean": 5}}})
    base["plans"] = {"normal": {}, "outage": {"injects": [
        {"t_min": 2, "type": "channel_outage", "channel": "grid_app", "duration_min": 4}]}}
    s = scenario(ctx.folder("outage"), base, [("A", "B", 100.0)])

    def received(plan: str) -> dict[str, float]:
        return {e.entity_id: e.t_min for e in replicate(s, plan=plan).events
                if e.event == "alert_received"}

    before, after = received("normal"), received("outage")
    due = np.array([before[w] for w in sorted(before)])
    got = np.array([after.get(w, math.inf) for w in sorted(before)])
    hand = np.where((due >= 2) & (due < 6), 6.0, due)
    wrong = int(np.sum(np.abs(got - hand) > 1e-9))
    return Outcome([Check(_("messages not as the hand rule says"), 0, 0, wrong, "people"),
                    Check(_("messages delayed"), int(np.sum(hand != due)), 0,
                          int(np.sum(np.abs(got - due) > 1e-9)), "people")])
