"""Conservation: every person accounted for in every replication of every bundled plan."""

from __future__ import annotations

from collections.abc import Callable

from sim.core.results import ReplicationResult
from sim.present.i18n import _
from sim.verify.bundled import HEAVY, bundled, load, replications
from sim.verify.case import Check, Context, Outcome, Pending, case

WHY = ("Counts of people: exact (0). The states are disjoint, so any gap is a person lost or "
       "counted twice.")


def _balance(kind: str) -> Callable[[ReplicationResult], tuple[float, float]]:
    def muster(r: ReplicationResult) -> tuple[float, float]:
        m = r.metrics
        return (m["mustered_at_end"] + m["en_route_at_end"] + m["unavailable"]
                + m["not_reached"], m["roster"])

    def evacuation(r: ReplicationResult) -> tuple[float, float]:
        m = r.metrics
        return (m["evacuated_by_forces"] + m["self_evacuated"] + m["refused"] + m["stranded"],
                m["at_risk"])

    def festival(r: ReplicationResult) -> tuple[float, float]:
        places = [v for k, v in r.series.items() if k.startswith("visitors[place=")]
        return float(sum(float(v[-1]) for v in places)), r.metrics["visitors"]

    return {"muster": muster, "evacuation": evacuation, "festival": festival}[kind]


def _conservation(kind: str, states: str) -> None:
    def run(ctx: Context) -> Outcome:
        checks = []
        for path in bundled():
            s = load(ctx, path)
            if s.kind.name != kind:
                continue
            balance = _balance(kind)
            names = s.plan_names()
            if ctx.quick and (kind == "festival" or path.stem in HEAVY):
                names = list(dict.fromkeys([names[0], names[-1]]))  # seconds per replication
            for plan in names:
                runs = replications(ctx, path, plan)
                gap = max(abs(a - b) for a, b in map(balance, runs))
                checks.append(Check(_("{scenario}, plan {plan}: largest gap over {n} "
                                      "replications", scenario=path.stem, plan=plan,
                                      n=len(runs)), 0, 0, gap, "people"))
        if not checks:
            raise Pending(_("no bundled {kind} scenario found", kind=kind))
        return Outcome(checks)

    case(f"conservation.{kind}", f"Every person accounted for: {kind} plans", "conservation",
         "Conservation law (every entity ends in exactly one state)",
         f"Every plan of every bundled {kind} scenario (scenarios/*.yaml), each replication: "
         f"{states}." + (" Quick mode: the first and the last plan (the exercise storyline) "
                         "of the scenarios whose replications take seconds (the festival "
                         "day, Duhu town)." if kind != "muster" else ""), WHY)(run)


_conservation("muster", "mustered + en route + unavailable + not reached = roster")
_conservation("evacuation", "evacuated by the forces + self-evacuated + refused + stranded = "
              "people at risk")
_conservation("festival", "people in each place at the end of the day (diverting, queueing, "
              "being checked, walking, held, at a viewing point, left, turned away) = visitors")
