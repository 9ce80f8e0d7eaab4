"""Movement over the road graph and route/assembly-point choice (IMO component test 1,
RiMEA tests 9–11 adapted to a network/queue model)."""

from __future__ import annotations

from sim.present.i18n import _
from sim.verify.case import Check, Context, Outcome, case
from sim.verify.tiny import event_places, event_times, muster, replicate, scenario

EXACT = ("The model adds edge times in floating point; 1e-6 min (60 µs) allows for rounding "
         "and nothing else.")


@case("movement.imo-corridor", "One person walks a 40 m road at 1.0 m/s in 40 s", "movement",
      "IMO MSC.1/Circ.1533 Annex 2, component test 1 (peers allow ±0.5 s)",
      "Road A–B of 40 m; one grid head at A walks at 3.6 km/h (1.0 m/s) to the assembly point "
      "at B; a second grid at B keeps A's territory to node A.",
      "±0.5 s, the tolerance the IMO peer suites apply to component test 1.")
def imo_corridor(ctx: Context) -> Outcome:
    data = muster({"GA": "A", "GB": "B"}, {"AP": "B"},
                  muster={"speeds_kmh": {"walk": 3.6}})
    s = scenario(ctx.folder("imo1"), data, [("A", "B", 40.0)])
    ev = event_times(replicate(s))
    who = "GA-grid_head-001"
    walked_s = (ev[(who, "arrived")] - ev[(who, "departed")]) * 60.0
    return Outcome([Check(_("walking time over the 40 m road"), 40.0, 0.5, walked_s, "s")])


@case("movement.road-speed-cap", "A car is capped by the road's speed", "movement",
      "Hand calculation (network models cap a vehicle's speed by the road's limit)",
      "Roads A–600 m–B–900 m–C limited to 15 km/h; a grid head at A drives a 30 km/h car to C.",
      "1,500 m at 15 km/h = 6 min exactly. " + EXACT)
def road_speed_cap(ctx: Context) -> Outcome:
    data = muster({"GA": "A", "GB": "B", "GC": "C"}, {"AP": "C"},
                  muster={"default_role": {"modes": {"car": 1.0}}})
    s = scenario(ctx.folder("cap"), data, [("A", "B", 600.0), ("B", "C", 900.0)], speed_kmh=15.0)
    ev = event_times(replicate(s))
    who = "GA-grid_head-001"
    return Outcome([Check(_("driving time A→C"), 6.0, 1e-6,
                          ev[(who, "arrived")] - ev[(who, "departed")], "min")])


@case("movement.path-sum", "A path's time is the sum of its edges' times", "movement",
      "Hand calculation (network egress models: route time = Σ edge length / speed)",
      "A chain of five roads of 120, 340, 75, 510 and 255 m; one grid head at every node walks "
      "at 6 km/h (100 m/min) to the assembly point at the far end.",
      "Each walking time is Σ remaining lengths / 100 m/min. " + EXACT)
def path_sum(ctx: Context) -> Outcome:
    lengths = [120.0, 340.0, 75.0, 510.0, 255.0]
    nodes = [f"N{k}" for k in range(len(lengths) + 1)]
    edges = [(nodes[k], nodes[k + 1], lengths[k]) for k in range(len(lengths))]
    data = muster({f"G{k}": n for k, n in enumerate(nodes)}, {"AP": nodes[-1]})
    s = scenario(ctx.folder("chain"), data, edges)
    ev = event_times(replicate(s))
    checks = []
    for k in range(len(lengths)):
        who = f"G{k}-grid_head-001"
        checks.append(Check(_("walking time from node {k} ({m} m)", k=k, m=f"{sum(lengths[k:]):.0f}"),
                            sum(lengths[k:]) / 100.0, 1e-6,
                            ev[(who, "arrived")] - ev[(who, "departed")], "min"))
    return Outcome(checks)


@case("movement.replan-after-closure", "Re-planning after a road closure takes the next "
      "shortest path", "movement",
      "Hand calculation; RiMEA test 14 and NIST TN 1822 route availability, in spirit",
      "Square A–B 300 m, B–D 300 m, A–C 500 m, C–D 500 m; assembly point at D. The grid head "
      "of A leaves at 6.5 min towards B; road B–D closes at 8 min (inject). At B (9.5 min) the "
      "shortest open route is B–A–C–D (1,300 m, 13 min). The grid head of B, already on B–D "
      "at 8 min, finishes it.",
      "Arrival 9.5 + 13 = 22.5 min for A's head, 6.5 + 3 = 9.5 min for B's. " + EXACT)
def replan(ctx: Context) -> Outcome:
    data = muster({"GA": "A", "GB": "B", "GC": "C", "GD": "D"}, {"AP": "D"},
                  injects=[{"t_min": 8, "type": "road_closed", "edges": [["B", "D"]]}])
    edges = [("A", "B", 300.0), ("B", "D", 300.0), ("A", "C", 500.0), ("C", "D", 500.0)]
    s = scenario(ctx.folder("replan"), data, edges)
    ev = event_times(replicate(s))
    return Outcome([
        Check(_("arrival of A's grid head (re-planned at B)"), 22.5, 1e-6,
              ev[("GA-grid_head-001", "arrived")], "min"),
        Check(_("arrival of B's grid head (already on the closed road)"), 9.5, 1e-6,
              ev[("GB-grid_head-001", "arrived")], "min"),
    ])


@case("routing.half-the-desks", "Closing half the check-in desks doubles the clearance",
      "routing",
      "RiMEA test 9 (closing 2 of 4 exits roughly doubles the time), adapted: at network level "
      "the bottleneck is the check-in desk, not a door",
      "40 grid heads at the assembly point's node, all arriving at 6.5 min; fixed check-in "
      "1 min; 4 desks, then 2 desks.",
      "40 people / 4 desks × 1 min = 10 min; / 2 desks = 20 min; last check-in at 16.5 and "
      "26.5 min. " + EXACT)
def half_desks(ctx: Context) -> Outcome:
    checks = []
    for desks, expect in ((4, 16.5), (2, 26.5)):
        data = muster({"GA": "A", "GB": "B"}, {"AP": "A"},
                      forces={"grid_head": {"per_grid": 40, "grids": ["GA"]}})
        data["muster"]["assembly_points"][0]["desks"] = desks
        s = scenario(ctx.folder(f"desks{desks}"), data, [("A", "B", 500.0)])
        done = [e.t_min for e in replicate(s).events if e.event == "mustered"]
        checks.append(Check(_("last check-in with {desks} desks", desks=desks), expect, 1e-6,
                            max(done), "min"))
    return Outcome(checks)


def _aps(ctx: Context, name: str, assignment: dict[str, object]) -> dict[str, str]:
    data = muster({"GA": "A", "GB": "B", "GC": "C"}, {"AP1": "A", "AP2": "C"},
                  muster={"assignment": assignment})
    s = scenario(ctx.folder(name), data, [("A", "B", 600.0), ("B", "C", 900.0)])
    return event_places(replicate(s), "mustered")


@case("routing.assigned-point", "People use their assigned assembly point", "routing",
      "RiMEA test 10 (people use their assigned exits), adapted to assembly points",
      "Roads A–600 m–B–900 m–C; assembly points AP1 at A and AP2 at C; grid GA (at A) is "
      "assigned AP2, the others the nearest.",
      "A choice, not a number: every assignment must be followed exactly (0 exceptions).")
def assigned(ctx: Context) -> Outcome:
    where = _aps(ctx, "assigned", {"default": "nearest", "grids": {"GA": "AP2"}})
    wrong = sum(where[w] != ap for w, ap in (("GA-grid_head-001", "AP2"),
                                             ("GB-grid_head-001", "AP1"),
                                             ("GC-grid_head-001", "AP2")))
    return Outcome([Check(_("people at another point than assigned"), 0, 0, wrong, "people")])


@case("routing.nearest-point", "Unassigned people use the nearest assembly point", "routing",
      "RiMEA test 11 (nearest-exit preference), adapted to assembly points",
      "Same roads and points as the previous case, nobody assigned: GA (0 m from AP1) and GB "
      "(600 m from AP1, 900 m from AP2) use AP1, GC uses AP2.",
      "A choice, not a number: 0 exceptions.")
def nearest(ctx: Context) -> Outcome:
    where = _aps(ctx, "nearest", {"default": "nearest"})
    wrong = sum(where[w] != ap for w, ap in (("GA-grid_head-001", "AP1"),
                                             ("GB-grid_head-001", "AP1"),
                                             ("GC-grid_head-001", "AP2")))
    return Outcome([Check(_("people not at their nearest point"), 0, 0, wrong, "people")])
