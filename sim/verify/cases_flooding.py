"""Flood depth and speeds: the Pregnolato et al. (2017) depth–speed curve, closures, and the
bucket model on a hand-computed hyetograph."""

from __future__ import annotations

import math

import numpy as np

from sim.kinds.evacuation.config import Hazard
from sim.kinds.evacuation.hazard import flood_timeline, pregnolato_kmh, vehicle_kmh_at
from sim.network.graph import RoadNetwork
from sim.present.i18n import _
from sim.verify.case import Check, Context, Outcome, case
from sim.verify.figures import curve_svg

ROUNDING = "±0.05 km/h: the published figures are rounded to 0.1 km/h."


def _hazard(**kw: object) -> Hazard:
    return Hazard.model_validate({"rain": {"hourly_mm": [0]}, **kw})


def _network(elevations: dict[str, float], edges: list[tuple[str, str]]) -> RoadNetwork:
    import networkx as nx  # deferred: networkx is ~0.15 s of the CLI's start-up

    g = nx.Graph()
    for k, (n, z) in enumerate(elevations.items()):
        g.add_node(n, x=100.0 * k, y=0.0, elevation_m=z)
    for a, b in edges:
        g.add_edge(a, b, length_m=100.0, speed_kmh=50.0)
    return RoadNetwork(g)


def _speed(depth_mm: float) -> float:
    return float(vehicle_kmh_at(_hazard(), np.array([depth_mm / 1000.0]))[0])


@case("flooding.pregnolato-100mm", "Vehicle speed in 100 mm of water: 40.7 km/h", "flooding",
      "Pregnolato et al. (2017): v(w) = 0.0009w² − 0.5529w + 86.9448 km/h",
      "The evacuation model's default vehicle depth–speed curve at 100 mm.", ROUNDING)
def pregnolato_100(ctx: Context) -> Outcome:
    w = np.linspace(0, 300, 61)
    pts = [(d, _speed(d)) for d in (0, 50, 100, 150, 200, 250, 300)]
    fig = curve_svg(w, 0.0009 * w**2 - 0.5529 * w + 86.9448, pts, _("water depth (mm)"),
                    _("vehicle speed (km/h)"), _("Pregnolato et al. 2017"), _("model"))
    return Outcome([Check(_("speed at 100 mm"), 40.7, 0.05, _speed(100), "km/h")], fig)


@case("flooding.pregnolato-200mm", "Vehicle speed in 200 mm of water: 12.4 km/h", "flooding",
      "Pregnolato et al. (2017)", "The default vehicle curve at 200 mm.", ROUNDING)
def pregnolato_200(ctx: Context) -> Outcome:
    return Outcome([Check(_("speed at 200 mm"), 12.4, 0.05, _speed(200), "km/h"),
                    Check(_("curve function at 200 mm"), 12.4, 0.05,
                          float(pregnolato_kmh(np.array([200.0]))[0]), "km/h")])


@case("flooding.impassable-300mm", "Roads close to vehicles from 300 mm of water", "flooding",
      "Pregnolato et al. (2017): impassable from 300 mm",
      "Constant water level 0.5 m; road 1 at 295 mm of water, road 2 at 305 mm (node "
      "elevations 0.205 and 0.195 m); the flood timeline's vehicle times with the default "
      "limit.",
      "A state, not a number: road 1 open (finite time) and road 2 closed (0 exceptions). "
      "The model closes above 0.3 m, so a road at exactly 300 mm stays open at the curve's "
      "2.1 km/h; 5 mm either side is tested.")
def impassable(ctx: Context) -> Outcome:
    net = _network({"A": 5.0, "B": 0.205, "C": 0.195}, [("A", "B"), ("B", "C")])
    tl = flood_timeline(_hazard(base_level_m=0.5, drainage_mm_per_h=0), net, [], [], 30.0,
                        vehicle_kmh=50.0)
    veh = tl.states[0].vehicle_min
    rows, cols, _lengths, _times = net._edges
    by = {frozenset((net.nodes[a], net.nodes[b])): k for k, (a, b) in enumerate(zip(rows, cols,
                                                                                   strict=True))}
    wrong = int(not math.isfinite(veh[by[frozenset("AB")]])) + int(
        math.isfinite(veh[by[frozenset("BC")]]))
    return Outcome([Check(_("roads open or closed wrongly"), 0, 0, wrong, "roads")])


def _hand_store(minute: np.ndarray) -> np.ndarray:
    """Stored rain (mm) at each whole minute for 60, 120, 0 mm/h with 30 mm/h drainage."""
    m = minute.astype(float)
    s = np.where(m <= 60, 0.5 * m, 0.0)
    s = np.where((m > 60) & (m <= 120), 30 + 1.5 * (m - 60), s)
    s = np.where(m > 120, np.maximum(120 - 0.5 * (m - 120), 0.0), s)
    return s


@case("flooding.bucket-hyetograph", "The bucket model gives the hand-computed depth each "
      "minute and closes roads at the hand-computed minutes", "flooding",
      "Hand calculation of the documented bucket model (dS/dt = rain − drainage, S ≥ 0)",
      "Rain 60, 120, 0 mm in hours 1–3, drainage 30 mm/h, 0.01 m of water per stored mm, "
      "ground at 0 m, re-checked every minute. By hand: S = 0.5 mm/min × t to 30 mm at "
      "minute 60, then +1.5 mm/min to 120 mm at 120, then −0.5 mm/min to 0 at 360. With "
      "limits of 0.31 m for cars and 0.52 m on foot: closed to cars from minute 61 "
      "(30 + 1.5 > 31), on foot from 75 (30 + 1.5·15 = 52.5 > 52), open on foot again at "
      "256 (120 − 0.5·136 = 52) and to cars at 298 (120 − 0.5·178 = 31).",
      "Depths: 1e-9 m (floating point only). Minutes: exact (0), as every step is 1 min.")
def bucket(ctx: Context) -> Outcome:
    h = Hazard.model_validate({"rain": {"hourly_mm": [60, 120, 0]}, "drainage_mm_per_h": 30,
                               "rise_m_per_mm": 0.01, "base_level_m": 0.0, "update_min": 1,
                               "vehicle_limit_m": 0.31, "walk_limit_m": 0.52})
    net = _network({"A": 0.0, "B": 0.0}, [("A", "B")])
    tl = flood_timeline(h, net, [], [], 400.0, vehicle_kmh=50.0)
    minutes = np.arange(tl.level.size)
    err = float(np.max(np.abs(tl.level - 0.01 * _hand_store(minutes))))
    car = [bool(np.isinf(tl.states[s].vehicle_min[0])) for s in tl.step_state]
    foot = [bool(np.isinf(tl.states[s].walk_units[0])) for s in tl.step_state]
    t = tl.step_times

    def first(flags: list[bool], value: bool, after: float = -1.0) -> float:
        return next((float(x) for x, f in zip(t, flags, strict=True) if f == value and x > after),
                    math.nan)

    car_shut, foot_shut = first(car, True), first(foot, True)
    fig = curve_svg(minutes, 0.01 * _hand_store(minutes), [(m, tl.level[m]) for m in
                                                            range(0, 400, 20)],
                    _("minute"), _("water depth (m)"), _("hand calculation"), _("model"))
    return Outcome([
        Check(_("largest depth error over all minutes"), 0.0, 1e-9, err, "m"),
        Check(_("first minute closed to cars"), 61, 0, car_shut, "min"),
        Check(_("first minute closed on foot"), 75, 0, foot_shut, "min"),
        Check(_("minute open on foot again"), 256, 0, first(foot, False, foot_shut), "min"),
        Check(_("minute open to cars again"), 298, 0, first(car, False, car_shut), "min"),
    ], fig)
