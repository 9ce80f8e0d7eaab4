"""What a replay shows besides people: roads that change (a flood) and the crowd at places
(checkpoint queues, viewing-point density), at a given minute of one replication; a kind says
which through its ``replay_extras``.

``replay_of_run`` assembles everything the dashboard's replay page needs from a plan run
(replication 0): the event replay (``sim.analysis.replay``), plus the flood timeline of the plan or the
replication's recorded series. Library code, no Streamlit; tested in
``tests/test_replay_kinds.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from sim.analysis.replay import Replay, build_replay
from sim.analysis.replay_spec import ReplayExtras
from sim.core.kind import kind_named
from sim.core.results import breakdowns_in
from sim.network.graph import RoadNetwork

if TYPE_CHECKING:
    from sim.run.experiments import PlanRun

CLOSED_ON_FOOT, CLOSED_TO_VEHICLES, SLOW = ("closed on foot", "closed to vehicles",
                                            "water on the road (slower)")
# Water in shades of one blue (darker: worse), so that the people's five colours stay distinct.
ROAD_COLORS = {CLOSED_ON_FOOT: "#08306b", CLOSED_TO_VEHICLES: "#2171b5", SLOW: "#6baed6"}
LOS_LETTERS = "ABCDEF"
_M_PER_MIN_AT_1KMH = 1000.0 / 60.0


class RoadTimeline(Protocol):
    """Roads that change over a run (evacuation's flood timeline): per edge at a minute, the
    walking cost (inf: closed on foot) and the driving minutes (inf: closed to vehicles)."""

    def state_at(self, minute: float) -> Any: ...


def flooded_roads(network: RoadNetwork, timeline: RoadTimeline, minute: float
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
    shows_crowd: bool = False  # the series record crowds at places (``crowd``)

    def roads(self, minute: float) -> pd.DataFrame:
        if self.timeline is None:
            return pd.DataFrame(columns=["a", "b", "state"])
        return flooded_roads(self.network, self.timeline, minute)

    def crowd(self, minute: float) -> pd.DataFrame:
        return crowd_at(self.series, self.series_t, minute, self.areas)


def replay_of_run(run: PlanRun, network: RoadNetwork,
                  places: Mapping[str, Sequence[tuple[str, str]]]) -> RunReplay:
    """The first replication of a plan run (its events must have been kept) ready to replay:
    replication 0 of a run, or the one replication of a run made to replay another; what
    else the replay shows (flooded roads, crowds) comes from the kind's ``replay_extras``."""
    kind = kind_named(run.setup.model.kind)
    first = run.results[0] if run.results else None
    series = dict(first.series) if first is not None else {}
    t = list(np.asarray(run.curve_t, dtype=float))
    extras = kind.replay_extras(run.inputs()) if kind.replay_extras is not None \
        else ReplayExtras()
    entities = pd.DataFrame(list(extras.entities),
                            columns=["entity_id", "role", "grid", "node"]) \
        if extras.entities else None
    people = build_replay(run.events(), kind.name, network, places,
                          replication=first.replication if first is not None else 0,
                          entities=entities, locations=dict(extras.locations) or None)
    return RunReplay(kind.name, people, network, max(extras.end_min, people.end_min),
                     timeline=extras.timeline, series=series, series_t=t,
                     areas=dict(extras.areas), danger_ppm2=extras.danger_ppm2,
                     focus_min=extras.focus_min, shows_crowd=extras.crowd)
