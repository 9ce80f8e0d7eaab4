"""Where everyone is at a given minute of one replication, derived from its event records.

Used by the dashboard's replay (a time slider over replication 0, for training exercises) and
usable from a notebook. Each kind says how its events map to states and positions
(its ``Kind.replay``, a ``sim.analysis.replay_spec.ReplaySpec``); a kind without a spec gets
a generic replay: an entity's state is its last event and its position the last place it was
recorded at.

Positions are road-network node indices (what ``sim.present.maps.town_map(points=...)`` draws). Someone
travelling is placed on the straight line from where they left to where they arrive, in
proportion to the time elapsed, snapped to the nearest node.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.replay_spec import AT, HOME, MOVING, ReplaySpec
from sim.core.kind import find_kind
from sim.network.graph import RoadNetwork
from sim.present.i18n import _

__all__ = ["AT", "HOME", "MOVING", "Replay", "ReplaySpec", "build_replay", "spec_for"]

_PALETTE = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown",
            "tab:pink", "tab:gray", "tab:olive", "tab:cyan")


def spec_for(kind: str) -> ReplaySpec | None:
    found = find_kind(kind)
    return found.replay if found is not None else None


def location_index(network: RoadNetwork, places: Mapping[str, Sequence[tuple[str, str]]]
                   ) -> dict[str, int]:
    """Names that events use as locations → node index: node names and place labels."""
    out = dict(network.index)
    for items in places.values():
        for node, label in items:
            if node in network.index:
                out.setdefault(str(label), network.index[node])
    return out


@dataclass(frozen=True)
class Replay:
    """The event records of one replication, prepared for fast look-ups by minute."""

    events: pd.DataFrame  # sorted by entity then time, with a ``node`` column (-1: unknown)
    home: pd.Series  # entity → node index
    spec: ReplaySpec | None
    xy: np.ndarray
    end_min: float
    info: pd.DataFrame | None = None  # entity → role, grid (default: from the events)

    def states(self) -> list[str]:
        if self.spec is not None:
            return list(dict.fromkeys([self.spec.before_first,
                                       *(s for s, _ in self.spec.states.values())]))
        return sorted(self.events["event"].unique())

    def colors(self) -> dict[str, str]:
        given = dict(self.spec.colors) if self.spec else {}
        for i, s in enumerate(self.states()):
            given.setdefault(s, _PALETTE[i % len(_PALETTE)])
        return given

    def at(self, minute: float) -> pd.DataFrame:
        """One row per entity: ``entity_id, role, grid, state, node, location``."""
        ev = self.events
        past = ev[ev["t_min"] <= minute]
        last = past.groupby("entity_id", sort=False).tail(1).set_index("entity_id")
        entities = self.home.index
        out = pd.DataFrame(index=entities)
        info = self.info if self.info is not None else ev.groupby(
            "entity_id", sort=False)[["role", "grid"]].first()
        out["role"] = info["role"]
        out["grid"] = info["grid"]
        out["home"] = self.home
        out["last_event"] = last["event"].reindex(entities)
        out["last_t"] = last["t_min"].reindex(entities)
        out["location"] = last["location"].reindex(entities).fillna("")
        out["last_node"] = last["node"].reindex(entities).fillna(-1).astype(int)
        spec = self.spec
        if spec is None:
            out["state"] = out["last_event"].fillna("not started")
            out["node"] = np.where(out["last_node"] >= 0, out["last_node"], out["home"])
        else:
            mapping = {e: s for e, (s, _) in spec.states.items()}
            how = {e: h for e, (_, h) in spec.states.items()}
            out["state"] = out["last_event"].map(mapping).fillna(spec.before_first)
            mode = out["last_event"].map(how).fillna(HOME)
            node = np.where((mode == AT) & (out["last_node"] >= 0), out["last_node"], out["home"])
            moving = (mode == MOVING).to_numpy()
            if moving.any():
                # From where the move started (its record's place, else home).
                start = out["last_node"].where(out["last_node"] >= 0, out["home"])
                node[moving] = self._moving_nodes(out.index[moving], start[moving],
                                                  out["last_t"][moving], minute)
            out["node"] = node
        out = out[out["node"] >= 0]
        return out.reset_index(names="entity_id")[
            ["entity_id", "role", "grid", "state", "node", "location"]]

    def _moving_nodes(self, ids: pd.Index, start: pd.Series, t0: pd.Series, minute: float
                      ) -> np.ndarray:
        assert self.spec is not None
        ev = self.events
        arr = ev[ev["event"].isin(self.spec.arrival_events) & ev["entity_id"].isin(ids)]
        # The first arrival at or after the move started.
        arr = arr[arr["t_min"].to_numpy() >= t0.reindex(arr["entity_id"]).to_numpy()]
        arr = arr.groupby("entity_id").first()
        dest = arr["node"].reindex(ids).fillna(-1).astype(int).to_numpy()
        t1 = arr["t_min"].reindex(ids).to_numpy(dtype=float)
        a = start.to_numpy(dtype=int)
        # Not arrived within the run (or destination unknown): still at the start.
        known = (dest >= 0) & np.isfinite(t1)
        frac = np.zeros(len(ids))
        t0v = t0.to_numpy(dtype=float)
        span = np.where(known, t1 - t0v, 1.0)
        frac[known] = np.clip((minute - t0v[known]) / np.maximum(span[known], 1e-9), 0, 1)
        b = np.where(known, dest, a)
        p = self.xy[a] + (self.xy[b] - self.xy[a]) * frac[:, None]
        d2 = ((p[:, None, :] - self.xy[None, :, :]) ** 2).sum(axis=2)
        return np.argmin(d2, axis=1)

    def counts(self, minute: float) -> pd.DataFrame:
        """How many entities are in each state at the minute (every state listed); with a
        ``who`` column when the kind's states are of different things (households,
        responders)."""
        return self.counts_of(self.at(minute))

    def counts_of(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``counts`` from the rows of ``at`` (computed once per frame)."""
        now = rows["state"].value_counts()
        spec = self.spec
        out = pd.DataFrame({"state": self.states()})
        if spec is not None and spec.who:
            out["who"] = [spec.who.get(s, spec.who_default) for s in self.states()]
        out[spec.unit if spec else "people"] = [int(now.get(s, 0)) for s in self.states()]
        return out

    def queues(self, minute: float) -> pd.DataFrame:
        """Queue length by location at the minute (the kind's queue state), longest first."""
        return self.queues_of(self.at(minute))

    def queues_of(self, now: pd.DataFrame) -> pd.DataFrame:
        """``queues`` from the rows of ``at`` (computed once per frame)."""
        if self.spec is None or self.spec.queue_state is None:
            return pd.DataFrame({"location": [], "queue": []})
        q = now[now["state"] == self.spec.queue_state].groupby("location").size()
        q = q.sort_values(ascending=False)
        return pd.DataFrame({"location": q.index.astype(str), "queue": q.to_numpy(dtype=int)})

    def points(self, minute: float) -> dict[str, tuple[np.ndarray, str]]:
        """Scatter layers for ``sim.present.maps.town_map``: class (or state) → (node indices,
        colour), named with its count; the kind's hidden states (e.g. not arrived yet) are not
        drawn. A kind with ``groups`` is drawn by class (at most five colours)."""
        return self.points_of(self.at(minute))

    def points_of(self, now: pd.DataFrame) -> dict[str, tuple[np.ndarray, str]]:
        """``points`` from the rows of ``at`` (computed once per frame)."""
        if self.spec is not None and self.spec.groups:
            out = {}
            for name, (color, states) in self.spec.groups.items():
                mask = now["state"].isin(states)
                out[f"{_(name)} ({int(mask.sum()):,})"] = (
                    now.loc[mask, "node"].to_numpy(dtype=int), color)
            return out
        colors = self.colors()
        hidden = self.spec.hidden_states if self.spec else ()
        return {f"{_(s)} ({int((now['state'] == s).sum()):,})":
                (now.loc[now["state"] == s, "node"].to_numpy(dtype=int), colors[s])
                for s in self.states() if s not in hidden}


def build_replay(events: pd.DataFrame, kind: str, network: RoadNetwork,
                 places: Mapping[str, Sequence[tuple[str, str]]], replication: int = 0,
                 entities: pd.DataFrame | None = None,
                 locations: Mapping[str, str] | None = None) -> Replay:
    """Prepare the events of one replication (columns as in ``events.csv``) for replay.

    ``entities`` (columns ``entity_id, role, grid, node``: a node id) adds those who may have no
    events at all (e.g. households never warned), at their node from the start;
    ``locations`` names more places events refer to (name → node id, e.g. household ids).
    """
    spec = spec_for(kind)
    ignore = spec.ignore_entities if spec else ("command",)
    keep = (events["replication"] == replication) & ~events["entity_id"].isin(ignore)
    if spec is not None and spec.ignore_roles:
        keep &= ~events["role"].isin(spec.ignore_roles)
    ev = events[keep].sort_values(["entity_id", "t_min"], kind="stable").reset_index(drop=True)
    where = location_index(network, places)
    for name, node in (locations or {}).items():
        if node in network.index:
            where.setdefault(str(name), network.index[node])
    ev["node"] = ev["location"].map(lambda s: where.get(str(s), -1)).astype(int)
    known = ev[ev["node"] >= 0]
    if spec is not None and spec.home_events:
        preferred = known[known["event"].isin(spec.home_events)]
        home = preferred.groupby("entity_id")["node"].first()
        home = home.combine_first(known.groupby("entity_id")["node"].first())
    else:
        home = known.groupby("entity_id")["node"].first()
    info = ev.groupby("entity_id", sort=False)[["role", "grid"]].first()
    ids = list(ev["entity_id"].unique())
    if entities is not None and len(entities):
        given = entities.set_index("entity_id")
        nodes = given["node"].map(lambda n: network.index.get(str(n), -1)).astype(int)
        home = home.combine_first(nodes[nodes >= 0])
        info = info.combine_first(given[["role", "grid"]])
        ids = list(dict.fromkeys([*ids, *given.index]))
    home = home.reindex(ids).fillna(-1).astype(int)
    end = float(ev["t_min"].max()) if len(ev) else 0.0
    return Replay(ev, home, spec, network.xy, end, info.reindex(ids))
