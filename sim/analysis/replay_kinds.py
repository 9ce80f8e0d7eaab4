"""What a replay shows besides people, per kind: flooded roads (evacuation) and the crowd at
checkpoints and viewing points (festival), at a given minute of one replication.

``replay_of_run`` assembles everything the dashboard's replay page needs from a plan run
(replication 0): the event replay (``sim.analysis.replay``), plus the flood timeline of the plan or the
replication's recorded series. Library code, no Streamlit; tested in
``tests/test_replay_kinds.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.replay import Replay, build_replay
from sim.core.results import breakdowns_in
from sim.network.graph import RoadNetwork

if TYPE_CHECKING:
    from sim.kinds.evacuation.hazard import FloodTimeline
    from sim.run.experiments import PlanRun

CLOSED_ON_FOOT, CLOSED_TO_VEHICLES, SLOW = ("closed on foot", "closed to vehicles",
                                            "water on the road (slower)")
ROAD_COLORS = {CLOSED_ON_FOOT: "tab:red", CLOSED_TO_VEHICLES: "tab:orange", SLOW: "tab:cyan"}
LOS_LETTERS = "ABCDEF"
_M_PER_MIN_AT_1KMH = 1000.0 / 60.0


def flooded_roads(network: RoadNetwork, timeline: FloodTimeline, minute: float
                  ) -> pd.DataFrame:
    """Roads affected by water at the minute: ``a, b, state`` (one of ``ROAD_COLORS``); a road
    closed on foot is closed to vehicles too, and is listed once, as the worse."""
    rows, cols, length, _ = network._edges
    st = timeline.state_at(minute)
    foot = ~np.isfinite(st.walk_units)
    car = ~np.isfinite(st.vehicle_min) & ~foot
    # Open on foot but slower than on a dry road (wading).
    dry = length / _M_PER_MIN_AT_1KMH
    slow = ~foot & ~car & (st.walk_units > dry * (1 + 1e-9))
    out = []
    for mask, state in ((foot, CLOSED_ON_FOOT), (car, CLOSED_TO_VEHICLES), (slow, SLOW)):
        for e in np.flatnonzero(mask):
            out.append((network.nodes[rows[e]], network.nodes[cols[e]], state))
    return pd.DataFrame(out, columns=["a", "b", "state"])


def road_colors(roads: pd.DataFrame) -> dict[tuple[str, str], str]:
    """``edge_colors`` for ``sim.present.maps.town_map`` from ``flooded_roads``."""
    return {(a, b): ROAD_COLORS[s] for a, b, s in roads[["a", "b", "state"]].itertuples(
        index=False)}


def road_counts(roads: pd.DataFrame) -> pd.DataFrame:
    counts = roads["state"].value_counts()
    return pd.DataFrame({"roads": list(ROAD_COLORS),
                         "number": [int(counts.get(s, 0)) for s in ROAD_COLORS]})


def series_at(series: Mapping[str, Any], t_min: Sequence[float], minute: float
              ) -> dict[str, float]:
    """Each series' value at the last recorded time at or before the minute (the first value
    before the first record)."""
    t = np.asarray(t_min, dtype=float)
    k = max(int(np.searchsorted(t, minute, side="right")) - 1, 0)
    return {name: float(np.asarray(v, dtype=float)[k]) for name, v in series.items()
            if np.size(v) > k}


def _tagged(values: Mapping[str, float], metric: str, key: str) -> dict[str, float]:
    return {b.value: values[b.name] for b in breakdowns_in(values, metric, key)}


def crowd_at(series: Mapping[str, Any], t_min: Sequence[float], minute: float,
             areas: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The festival at the minute from one replication's series: per checkpoint the people
    queueing, per viewing point the density (people/m²), its Fruin level of service and whether
    it is over the danger limit; ``people`` at a viewing point is density × area when the areas
    are known."""
    now = series_at(series, t_min, minute)
    limit = now.get("density_limit_ppm2", 4.0)
    rows: list[dict[str, Any]] = [
        {"place": cp, "type": "checkpoint", "people": round(q), "density_ppm2": np.nan,
         "los": "", "over_limit": False}
        for cp, q in _tagged(now, "queue", "checkpoint").items()]
    los = _tagged(now, "los", "viewing_point")
    for vp, d in _tagged(now, "density", "viewing_point").items():
        area = (areas or {}).get(vp)
        grade = int(los.get(vp, 1))
        rows.append({"place": vp, "type": "viewing point",
                     "people": round(d * area) if area else np.nan, "density_ppm2": round(d, 2),
                     "los": LOS_LETTERS[min(max(grade, 1), 6) - 1], "over_limit": d > limit})
    return pd.DataFrame(rows, columns=["place", "type", "people", "density_ppm2", "los",
                                       "over_limit"])


@dataclass(frozen=True)
class RunReplay:
    """A replication to replay: people from its events, and what else its kind records."""

    kind: str
    people: Replay
    network: RoadNetwork
    end_min: float
    timeline: Any = None  # evacuation: the plan's flood timeline
    series: Mapping[str, Any] = field(default_factory=dict)
    series_t: Sequence[float] = ()
    areas: Mapping[str, float] = field(default_factory=dict)  # viewing point → m²
    danger_ppm2: float = 4.0
    focus_min: float = 30.0  # a minute worth showing first (festival: the tide)

    def roads(self, minute: float) -> pd.DataFrame:
        if self.timeline is None:
            return pd.DataFrame(columns=["a", "b", "state"])
        return flooded_roads(self.network, self.timeline, minute)

    def crowd(self, minute: float) -> pd.DataFrame:
        return crowd_at(self.series, self.series_t, minute, self.areas)


def replay_of_run(run: PlanRun, network: RoadNetwork,
                  places: Mapping[str, Sequence[tuple[str, str]]]) -> RunReplay:
    """Replication 0 of a plan run (its events must have been kept) ready to replay."""
    from sim.run.experiments import plan_inputs

    kind = run.setup.model.kind
    inp = plan_inputs(run.setup)
    first = run.results[0] if run.results else None
    series = dict(first.series) if first is not None else {}
    t = list(np.asarray(run.curve_t, dtype=float))
    entities = locations = None
    extra: dict[str, Any] = {}
    if kind == "evacuation":
        names = inp.node_names
        entities = pd.DataFrame([(h.id, "household", h.grid, names[h.node])
                                 for h in inp.households],
                                columns=["entity_id", "role", "grid", "node"])
        locations = {h.id: names[h.node] for h in inp.households}
        extra = {"timeline": inp.timeline, "focus_min": 60.0}
        end = float(inp.params.horizon_min)
    elif kind == "festival":
        extra = {"areas": dict(zip(inp.vp_ids, map(float, inp.vp_area), strict=True)),
                 "danger_ppm2": float(inp.params.danger_ppm2), "focus_min": float(inp.tide)}
        end = float(inp.horizon)
    else:
        end = 0.0
    people = build_replay(run.events(), kind, network, places, entities=entities,
                          locations=locations)
    return RunReplay(kind, people, network, max(end, people.end_min), series=series,
                     series_t=t, **extra)
