"""The shelters through one replication of an evacuation: the places left in each, and the
nearest open shelter with room from any node, as the full route table's masked argmin would
give it (lowest index among equals), without scanning every shelter at every step.

Room only ever shrinks (places fill; a shelter an inject declares full stays full), which is
what lets answers be kept: a node's scan may start past its nearest shelters once they are
full, and a fallback's answer stands while its nearest still has room. ``_fills`` counts every
shelter that lost its last room, so that what was kept knows when to look again.
"""

from __future__ import annotations

import math
import time
from typing import Protocol

import numpy as np
import simpy

from sim.kinds.evacuation.hazard import FloodState
from sim.kinds.evacuation.routes import RouteTable, renearest


class SearchClock(Protocol):
    """Where the CPU seconds of searches are added up (``Routes.seconds``)."""

    seconds: float


class Shelters:
    """Places left in each shelter, and the nearest open one with room from a node.

    ``capacity``: places per shelter; ``full_from``: the minute from which an inject declares
    each full (inf: never); ``nodes``: each shelter's road node; ``searches``: where the CPU
    time of the searches made here is counted (the plan's ``Routes``)."""

    def __init__(self, env: simpy.Environment, capacity: list[int], full_from: list[float],
                 nodes: list[int], searches: SearchClock):
        self.env = env
        # Python lists, read one shelter at a time on every trip (numpy scalars cost more).
        self.space: list[int] = list(capacity)
        self._full_from: list[float] = list(full_from)
        self._node: list[int] = list(nodes)
        self._searches = searches
        self._open: dict[int, list[bool]] = {}  # shelters open, by network state
        # Per (route table, node): how many of the nearest shelters have no room left. A
        # shelter never gets room back (places only fill; a "full" inject lasts), so a scan
        # from the node may start past them: no rescan of full shelters at county scale.
        self._full_prefix: dict[tuple[int, int], int] = {}
        # Shelters with room per state, until one fills (see ``_room``); per (route table,
        # state): the nearest shelter with room of every node (see ``_least``).
        self._fills = 0
        self._rooms: dict[int, tuple[int, tuple[list[int], np.ndarray, dict[int, int]]]] = {}
        self._any_room, self._any_room_at = True, -1  # (see ``any_room``)
        self._next_full = min((f for f in self._full_from if f > 0.0), default=math.inf)
        self._fallback: dict[tuple[tuple[int, int], int], tuple[int, list[int], list[float]]] = {}
        self._least_memo: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._hope: dict[tuple[int, int], tuple[int, set[int]]] = {}  # (see ``may_reach``)

    def take(self, s: int, people: int) -> int:
        """Admits up to ``people`` to shelter ``s``; returns how many it had room for."""
        take = min(people, self.room_at(s))
        if take:
            self.space[s] -= take
            if not self.space[s]:
                self._fills += 1  # (see ``_room``)
        return take

    def room_at(self, s: int) -> int:
        return self.space[s] if self.env._now < self._full_from[s] else 0

    def any_room(self) -> bool:
        """Whether any shelter has room (open or not), kept until a shelter fills."""
        self._sync_fills()
        if self._any_room_at != self._fills:
            now = self.env._now
            self._any_room = any(n > 0 and now < f
                                 for n, f in zip(self.space, self._full_from, strict=True))
            self._any_room_at = self._fills
        return self._any_room

    def _sync_fills(self) -> None:
        """Counts a shelter declared full by an inject, once its minute has come, as a fill
        (``_fills`` changes whenever a shelter loses its last room)."""
        now = self.env._now
        if now >= self._next_full:
            self._fills += 1
            self._next_full = min((f for f in self._full_from if f > now), default=math.inf)

    def nearest(self, table: RouteTable, state: FloodState, node: int, scale: float
                        ) -> tuple[int, float]:
        """The nearest open shelter with room (lowest index among equals) and the minutes to it
        (``scale`` × table minutes); (-1, inf) if none is reachable. Scans the shelters within
        the table's limit in order of distance from ``node``: the first open one with room is
        usually the nearest; when the scan cannot tell (none of them, or a tie at the limit), the
        full distances of the open shelters with room decide, as with the full table."""
        is_open = self._is_open(state)
        space, full, now = self.space, self._full_from, self.env._now
        key = (id(table), node)
        order, dist = table.candidates(node)
        skip = self._full_prefix.get(key, 0)
        while skip < len(order) and not (space[order[skip]] > 0 and now < full[order[skip]]):
            skip += 1
        self._full_prefix[key] = skip
        best, best_v = -1, math.inf
        for k in range(skip, len(order)):
            s = order[k]
            if is_open[s] and space[s] > 0 and now < full[s]:
                v = dist[k] * scale
                if best < 0:
                    best, best_v = s, v
                elif v == best_v:  # equal after scaling: the lower index wins, as argmin
                    best = min(best, s)
                else:
                    return best, best_v
        # Shelters beyond the limit are farther than it: none can beat or tie a best below.
        if table.limit == math.inf or (best >= 0 and best_v < table.limit * scale):
            return (best, best_v) if best >= 0 else (-1, math.inf)
        # The shelters near the node cannot tell (full, closed, or a tie at the limit): the
        # masked argmin over the full distances of every open shelter with room. One search
        # from all of them gives the least distance (the same float: a sum is monotone in its
        # terms); only shelters whose lower bound does not exceed it can be the one.
        # (Households share nodes: the answer stands at a node while no shelter fills, and
        # after, while the nearest of its candidates has room: see ``_still``.)
        # A node that no shelter with room could be reached from in this state stays so (room
        # only shrinks): stranded households ask at every change of the flood, most often
        # in a state already searched, so their answer is read before any other work.
        least = self._least_memo.get((id(table), state.index))
        if least is not None and not least[0][node] < math.inf:
            return -1, math.inf
        self._sync_fills()
        memo = self._fallback.get((key, state.index))
        if memo is None or memo[0] != self._fills:
            kept = None if memo is None else self._still(memo[1], memo[2])
            if kept is None:
                room, room_at, room_nodes = self._room(state.index, is_open)
                kept = self._fallback_candidates(table, state.index, room, room_at,
                                                 room_nodes, node)
            memo = self._fallback[(key, state.index)] = (self._fills, *kept)
        _, cand, raw = memo
        if len(cand) == 1:
            return cand[0], raw[0] * scale
        best, best_v = -1, math.inf
        for s, d in zip(cand, raw, strict=True):
            v = d * scale
            if v < best_v:
                best, best_v = s, v
        return best, best_v

    def _is_open(self, state: FloodState) -> list[bool]:
        """The shelters open in ``state`` (a list: read one shelter at a time)."""
        is_open = self._open.get(state.index)
        if is_open is None:
            is_open = self._open[state.index] = state.shelter_open.tolist()
        return is_open

    def _still(self, cand: list[int], raw: list[float]) -> tuple[list[int], list[float]] | None:
        """A node's fallback candidates after shelters have filled, without a new search: room
        only shrinks, so while the nearest candidate (the least minutes) still has room the
        least is the same, and the candidates are the old ones that still have room (those
        whose lower bound exceeded the least still do). None when the nearest has filled."""
        if not cand:  # none reachable with room: fewer with room cannot change that
            return [], []
        space, full, now = self.space, self._full_from, self.env._now
        keep = [k for k, s in enumerate(cand) if space[s] > 0 and now < full[s]]
        if not keep or min(raw[k] for k in keep) != min(raw):
            return None
        return [cand[k] for k in keep], [raw[k] for k in keep]

    def _fallback_candidates(self, table: RouteTable, state: int, room: list[int],
                             room_at: np.ndarray, room_nodes: dict[int, int], node: int
                             ) -> tuple[list[int], list[float]]:
        """The shelters with room that can be the nearest to ``node`` and their minutes, by
        index: the search's own nearest (the first shelter with room at the node it came
        from, at the least minutes) and those of lower index whose lower bounds do not exceed
        the least (only a lower index can win a tie, as with argmin)."""
        if not room:
            return [], []
        least, src = self._least(table, state, room_nodes, node)
        if not least < math.inf:
            return [], []
        first = room_nodes[src]
        bound = least * (1.0 + 1e-9)
        lower = room_at[:int(np.searchsorted(room_at, first))]
        if lower.size:
            lower = lower[table.lower_bounds(node)[lower] <= bound]
        # Only a tie with the least can make a lower index the nearest: a shelter farther
        # than it is left out (its exact minutes would take a far wider search).
        cand, raw = [], []
        for s in lower.tolist():
            d = table.full_within(s, node, bound)
            if d <= bound:
                cand.append(s)
                raw.append(d)
        return cand + [first], raw + [least]

    def _room(self, state: int, is_open: list[bool]
              ) -> tuple[list[int], np.ndarray, dict[int, int]]:
        """The open shelters with room (a list and an array, by index; and by node, the first
        of each node's), kept per state until a shelter fills or is declared full (room
        only shrinks)."""
        self._sync_fills()
        now = self.env._now
        got = self._rooms.get(state)
        if got is not None and got[0] == self._fills:
            return got[1]
        space, full = self.space, self._full_from
        room = [s for s in range(len(space)) if is_open[s] and space[s] > 0 and now < full[s]]
        nodes: dict[int, int] = {}
        for s in room:
            nodes.setdefault(self._node[s], s)
        out = (room, np.array(room, dtype=int), nodes)
        self._rooms[state] = (self._fills, out)
        return out

    def _least(self, table: RouteTable, state: int, room: dict[int, int], node: int
               ) -> tuple[float, int]:
        """Minutes from ``node`` to the nearest of ``room`` (shelter nodes) and that node
        (-9999 if none is reachable), from one multi-source search per table and state,
        brought up to date only when the nearest of a node asked has filled: within a state
        room only shrinks, and a node whose nearest still has room keeps its distance; the
        others are searched again, alone (``renearest``). (The same float as the nearest's
        own search: a sum is monotone in its terms.)"""
        key = (id(table), state)
        got = self._least_memo.get(key)
        if got is not None:
            dist, src = got
            if not dist[node] < math.inf or int(src[node]) in room:
                return float(dist[node]), int(src[node])
        # (The clock read only here, when a search is made: a CPU clock read is a system
        # call, and this is asked ~40,000 times a replication at 300 grids.)
        t0 = time.process_time()
        if got is None:
            dist, _, src = table.search(indices=sorted(room),
                                        min_only=True, return_predecessors=True)
            self._least_memo[key] = (dist, src)
        else:
            has_room = np.zeros(dist.size, dtype=bool)
            has_room[list(room)] = True
            renearest(table.graph, dist, src, has_room)
        self._searches.seconds += time.process_time() - t0
        return float(dist[node]), int(src[node])

    def may_reach(self, table: RouteTable, state: FloodState, node: int) -> bool:
        """Whether ``node``'s part of the table's open roads holds an open shelter of the
        state with room now (the parts of the shelters in ``_room``, kept per table and state
        as long as it keeps them: a shelter declared full since still counts, which can only
        wake a group for nothing)."""
        key, parts = (id(table), state.index), table.parts()
        got = self._hope.get(key)
        if got is None or got[0] != self._fills:
            room_nodes = self._room(state.index, self._is_open(state))[2]
            got = self._hope[key] = (self._fills, {int(parts[n]) for n in room_nodes})
        return int(parts[node]) in got[1]
