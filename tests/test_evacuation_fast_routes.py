"""The evacuation model's routing and queue fast paths against the straightforward computations
they replace: exact equality (records for a fixed seed must not change)."""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from simpy.events import NORMAL, URGENT

from sim.core.rng import replication_key
from sim.core.scenario import load_scenario, parse_scenario
from sim.kinds.evacuation.metrics import evacuation_metrics
from sim.kinds.evacuation.model import BareCallEnvironment, FloodRun
from sim.kinds.evacuation.route_memory import RowCache
from sim.kinds.evacuation.routes import Routes, RouteTable, both_ways
from sim.run.experiments import plan_inputs
from tests.helpers import ROOT, evac, graph, lattice_town


def _town(seed: int, closed_share: float = 0.1) -> tuple[csr_matrix, list[int], np.ndarray]:
    return lattice_town(seed, closed_share, villages=5, shelters=6)


def test_both_ways_directed_search_is_the_undirected_search_bit_for_bit():
    # Distances, next hops (ties included) and the sources of a multi-source search.
    for seed in range(10):
        graph, shelters, _ = _town(seed, 0.05 * (seed % 3))
        both = both_ways(graph)
        for limit in (math.inf, 3.0, 0.5):
            d1, p1 = dijkstra(graph, directed=False, indices=shelters,
                              return_predecessors=True, limit=limit)
            d2, p2 = dijkstra(both, directed=True, indices=shelters,
                              return_predecessors=True, limit=limit)
            assert np.array_equal(d1, d2) and np.array_equal(p1, p2)
        d1, p1, s1 = dijkstra(graph, directed=False, indices=shelters, min_only=True,
                              return_predecessors=True)
        d2, p2, s2 = dijkstra(both, directed=True, indices=shelters, min_only=True,
                              return_predecessors=True)
        assert np.array_equal(d1, d2) and np.array_equal(p1, p2) and np.array_equal(s1, s2)


def _dense_walk(row: np.ndarray, hop: np.ndarray, node: int, budget: float) -> tuple[int, float]:
    # What FloodRun.trip computed before from the full table's dense row.
    nxt, start = node, float(row[node])
    while start - row[nxt] < budget:
        nxt = int(hop[nxt])
    return nxt, start - float(row[nxt])


def test_minutes_within_a_bound_are_the_full_tables_and_farther_ones_cost_no_wide_search():
    # A fallback asks the shelters that could tie with the nearest for their minutes within
    # the nearest's: exact where they are within the bound, inf beyond it (never the
    # nearest), and a far row is then searched only as far as the bound.
    rng = np.random.default_rng(5)
    beyond = 0
    for seed in range(4):
        graph, shelters, _ = _town(60 + seed)
        full_d = dijkstra(graph, directed=False, indices=shelters)
        finite = full_d[np.isfinite(full_d)]
        limit = float(np.quantile(finite, 0.05))
        for node in rng.permutation(graph.shape[0])[:40].tolist():
            for s in range(len(shelters)):
                table = RouteTable(graph, shelters, limit, RowCache(40_000))
                bound = float(rng.uniform(limit, 3.0 * limit))
                got = table.full_within(s, node, bound)
                if full_d[s, node] <= bound:
                    assert got == float(full_d[s, node])
                else:
                    assert got == math.inf
                    beyond += 1
                    # every far row searched reaches no further than twice the bound
                    assert all(lim <= 2.0 * bound for lim in table._far_limit.values())
                # and the same table still gives the full minutes when asked for them
                assert table.full_at(s, node) == float(full_d[s, node])
    assert beyond > 50  # (the case that matters was met)


def test_walk_and_full_minutes_equal_the_full_table_beyond_the_limit_too():
    # Within the limit the table's own row, beyond it far rows grown by limited searches:
    # the node reached, the minutes to it and the minutes to the shelter are the full
    # table's, with caches small enough to evict (and recompute) rows.
    rng = np.random.default_rng(3)
    walked = 0
    for seed in range(6):
        graph, shelters, _ = _town(50 + seed)
        full_d, full_p = dijkstra(graph, directed=False, indices=shelters,
                                  return_predecessors=True)
        finite = full_d[np.isfinite(full_d)]
        table = RouteTable(graph, shelters, float(np.quantile(finite, 0.05)),
                           RowCache(40_000), dense=RowCache(20_000))
        for _ in range(3):  # the second and third time from remembered routes and rows
            for node in rng.permutation(graph.shape[0])[:60].tolist():
                for s in range(len(shelters)):
                    assert table.full_at(s, node) == float(full_d[s, node])
                    if not (0 < full_d[s, node] < math.inf):
                        continue
                    budget = float(rng.uniform(0.0, full_d[s, node]))
                    assert table.walk(s, node, budget) == _dense_walk(
                        full_d[s], full_p[s], node, budget)
                    walked += 1
    assert walked > 1000


def test_squad_base_minutes_give_the_full_rows_nearest():
    # A squad takes the nearest waiting household (argmin: first among equals) at the full
    # row's minutes; the limited rows must give the same choice and minutes, for near and
    # far households, reachable or not; from a base and from a shelter (whose own row in the
    # table is read first).
    rng = np.random.default_rng(4)
    for seed in range(6):
        graph, shelters, xy = _town(70 + seed, 0.15)
        n = graph.shape[0]
        routes = Routes.__new__(Routes)
        routes.seconds, routes.bases = 0.0, RowCache(50_000)
        routes.shelters, routes._first_at = list(shelters), {}
        table = RouteTable(graph, shelters, 1.0, RowCache(), xy)
        routes.table = lambda state, mode, t=table: t  # type: ignore[method-assign]
        for base in rng.choice(n, 8, replace=False).tolist() + list(shelters[:6]):
            full = dijkstra(graph, directed=False, indices=base)
            for size in (1, 3, 20):
                nodes = rng.choice(n, size)
                got = routes.from_base(None, "walk", base, nodes)  # type: ignore[arg-type]
                want = full[nodes]
                assert np.isfinite(got).any() == np.isfinite(want).any()
                if np.isfinite(want).any():
                    j = int(np.argmin(want))
                    assert int(np.argmin(got)) == j and got[j] == want[j]


def test_run_until_runs_bare_calls_and_events_in_simpy_order_and_stops_as_run():
    # Bare calls, Timeouts and processes interleave and stop exactly as SimPy's run(until):
    # same times, same order, an urgent entry at `until` made before the run still runs.
    def trace(fast: bool) -> list[tuple[float, str]]:
        env = BareCallEnvironment()
        seen: list[tuple[float, str]] = []

        def proc(k: int):  # type: ignore[no-untyped-def]
            for i in range(4):
                yield env.timeout(0.5 * k)
                seen.append((env.now, f"p{k}.{i}"))

        for k in (1, 2):
            env.process(proc(k))
        for k, (t, prio) in enumerate([(0.5, NORMAL), (1.0, URGENT), (1.0, NORMAL),
                                       (2.0, URGENT), (2.0, NORMAL), (3.0, NORMAL)]):
            heapq.heappush(env._queue, (t, prio, next(env._eid),  # type: ignore[attr-defined]
                                        (lambda k, _: seen.append((env.now, f"b{k}")), k, 0)))
        if fast:
            env.run_until(2.0)
        else:
            env.run(until=2.0)
        assert env.now == 2.0
        return seen

    assert trace(True) == trace(False)
    assert (2.0, "b3") in trace(True) and (2.0, "b4") not in trace(True)


def test_run_until_raises_a_failed_event_as_simpy_does():
    env = BareCallEnvironment()
    env.timeout(1.0).callbacks.append(lambda _e: None)
    ev = env.event()
    ev.fail(RuntimeError("broken"))
    try:
        env.run_until(5.0)
    except RuntimeError as e:
        assert str(e) == "broken" and isinstance(e.__cause__, RuntimeError)
    else:
        raise AssertionError("a failed event must stop the run")


def test_targets_no_search_can_reach_are_not_searched_for():
    # Two towns with no road between them: a squad in one whose waiting households are all
    # in the other gets inf for each of them without a search (the old doubling searched
    # thirteen times, to the whole town), and so does a shelter's minutes to a node there.
    # Where some are reachable, the search is made and the nearest is the full row's.
    from scipy.sparse import block_diag

    graph_a, shelters_a, xy_a = _town(81, 0.0)
    graph_b, _, xy_b = _town(82, 0.0)
    graph = csr_matrix(block_diag([graph_a, graph_b]))
    na, n = graph_a.shape[0], graph.shape[0]
    table = RouteTable(graph, shelters_a, 1.0, RowCache(), np.vstack([xy_a, xy_b + 1e4]))
    routes = Routes.__new__(Routes)
    routes.seconds, routes.bases = 0.0, RowCache(50_000)
    routes.shelters, routes._first_at = list(shelters_a), {}
    routes.table = lambda state, mode, t=table: t  # type: ignore[method-assign]
    searched: list[object] = []
    search = table.search
    table.search = lambda **kw: searched.append(kw) or search(**kw)  # type: ignore[method-assign]
    base, far = 0, np.arange(na, n, 7)
    assert np.isinf(routes.from_base(None, "walk", base, far)).all()  # type: ignore[arg-type]
    assert np.isinf(table.full_at(0, n - 1))
    assert searched == []
    mixed = np.concatenate([far, [na - 1]])
    got = routes.from_base(None, "walk", base, mixed)  # type: ignore[arg-type]
    want = dijkstra(graph, directed=False, indices=base)[mixed]
    assert searched and np.isinf(got[:-1]).all() and got[-1] == want[-1]


def test_renearest_gives_the_whole_town_search_of_the_sources_left():
    # Sources drop out one at a time (shelters filling); after each, the minutes brought up
    # to date for the nodes whose source left equal a search of the whole town from the
    # sources left, float for float, and every node's source is one left, at those minutes
    # from it (its own search's float).
    from sim.kinds.evacuation.routes import renearest

    rng = np.random.default_rng(1)
    for seed in range(30):
        graph, _, _ = lattice_town(seed, 0.2, villages=5, shelters=12)
        both = both_ways(graph)
        n = graph.shape[0]
        left = sorted({int(x) for x in rng.choice(n, 15, replace=False)})
        dist, _, src = dijkstra(both, directed=True, indices=left, min_only=True,
                                return_predecessors=True)
        room = np.zeros(n, dtype=bool)
        room[left] = True
        while len(left) > 1:
            room[left.pop(int(rng.integers(len(left))))] = False
            renearest(both, dist, src, room)
            want = dijkstra(both, directed=True, indices=left, min_only=True)
            assert np.array_equal(dist, want)
            reached = np.flatnonzero(np.isfinite(dist))
            assert room[src[reached]].all() and (src[np.isinf(dist)] == -9999).all()
            for v in rng.choice(reached, min(10, reached.size), replace=False):
                assert dijkstra(both, directed=True, indices=int(src[v]))[v] == dist[v]


def _flood_run(inp: Any, seed: int, keep: bool) -> tuple[FloodRun, int]:
    run = FloodRun(inp, replication_key(seed, 0), keep)
    run.start()
    return run, run.env.run_until(inp.params.horizon_min)


def test_stranded_groups_look_again_only_where_they_may_find_a_shelter():
    # Without records kept, a group cut off from every shelter with room skips the changes of
    # the flood at which it could only find none again: fewer steps, the same run (arrivals,
    # every household's state and times, the metrics). With records kept it looks at every
    # change (each look is a record), so the two runs compare the skip with no skip.
    s = load_scenario(ROOT / "scenarios" / "rainstorm_duhu.yaml")
    skipped = 0
    for plan in ("baseline", "exercise"):
        inp = plan_inputs(s.plan(plan))
        for seed in range(3):
            kept, kept_steps = _flood_run(inp, seed, True)
            lean, lean_steps = _flood_run(inp, seed, False)
            assert lean.arrivals == kept.arrivals
            assert lean.status.tolist() == kept.status.tolist()
            for name in ("warned_at", "left_at", "sheltered", "exposed", "escorted", "km",
                         "visits", "on_duty"):
                assert np.array_equal(getattr(lean, name), getattr(kept, name)), name
            assert repr(evacuation_metrics(inp, lean)) == repr(evacuation_metrics(inp, kept))
            skipped += kept_steps - lean_steps
    assert skipped >= 100  # (Duhu's exercise strands about 370 groups a replication)


def test_a_group_cut_off_by_a_closed_road_leaves_when_it_reopens_with_or_without_records(
        tmp_path):
    # A (0 m) —600 m— B (shelter) —100 m— C —100 m— D. A–B is closed until minute 50; C–D
    # closes and reopens at 10, 20, 25, 30, 35 and 60, 70: the network changes nine times,
    # and A is joined to B again only at 50. Walking at 100 m a minute, both households
    # reach B at 56 exactly, whether each change is looked at (records kept) or skipped.
    graph(tmp_path / "g.graphml", {"A": 0.0, "B": 10.0, "C": 10.0, "D": 10.0},
          [("A", "B", 600.0), ("B", "C", 100.0), ("C", "D", 100.0)])
    closures = [{"road": ["A", "B"], "from_min": 0, "until_min": 50}] + [
        {"road": ["C", "D"], "from_min": a, "until_min": b}
        for a, b in ((10, 20), (25, 30), (35, 40), (60, 70))]
    data = evac([{"id": "h1", "node": "A", "members": 2}, {"id": "h2", "node": "A"}],
                [{"id": "S", "node": "B", "capacity": 10}],
                evacuation={"hazard": {"closures": closures}})
    inp = plan_inputs(parse_scenario(data, tmp_path).plan())
    kept, kept_steps = _flood_run(inp, 1, True)
    lean, lean_steps = _flood_run(inp, 1, False)
    assert [(t, h) for t, _, h, _ in kept.arrivals] == [(56.0, 0), (56.0, 1)]
    assert lean.arrivals == kept.arrivals and lean.status.tolist() == ["sheltered"] * 2
    assert lean_steps < kept_steps


@pytest.mark.parametrize("reopens", [50, None])
def test_a_household_split_between_two_stranded_vehicles_ends_the_same_with_or_without_records(
        tmp_path, reopens):
    # Five people need an escort at A; two vehicles of two seats take two each and are cut
    # off at A with them (A–B closed), the fifth waits. Each vehicle's group sets the
    # household's state: without records their looks at the changes in between are skipped,
    # and the household's arrivals and final state are the same. Reopened at 50: all reach
    # B (two at 51.2, the fifth at 53.6); never reopened: all are still cut off at the end.
    graph(tmp_path / "g.graphml", {"A": 0.0, "B": 10.0, "C": 10.0, "D": 10.0},
          [("A", "B", 600.0), ("B", "C", 100.0), ("C", "D", 100.0)])
    closures = [{"road": ["A", "B"], "from_min": 0, "until_min": reopens}] + [
        {"road": ["C", "D"], "from_min": a, "until_min": b}
        for a, b in ((10, 20), (25, 30), (35, 40), (60, 70))]
    data = evac([{"id": "h1", "node": "A", "members": 5, "needs_escort": True}],
                [{"id": "S", "node": "B", "capacity": 10}],
                forces={"grid_head": {"per_grid": 1}},
                evacuation={"hazard": {"closures": closures},
                            "population": {"compliance": 1.0, "self_evacuation_share": 0.0},
                            "roles": {"grid_head": {"duty": "warn", "availability": 1.0,
                                                    "turnout": 5}},
                            "reinforcements": [{"id": "R", "members": 8, "team_size": 4,
                                                "seats": 2, "node": "A"}]})
    inp = plan_inputs(parse_scenario(data, tmp_path).plan())
    kept, kept_steps = _flood_run(inp, 1, True)
    lean, lean_steps = _flood_run(inp, 1, False)
    assert [(round(t, 6), n) for t, _, _, n in kept.arrivals] == (
        [(51.2, 2), (51.2, 2), (53.6, 1)] if reopens else [])
    assert lean.arrivals == kept.arrivals and lean.status.tolist() == kept.status.tolist()
    assert kept.status.tolist() == (["sheltered"] if reopens else ["cut_off"])
    assert lean_steps < kept_steps


def test_a_table_limited_to_zero_minutes_finds_every_shelter_in_few_searches(monkeypatch):
    # A far row grows its limit by doubling; twice 0 is 0, so a table whose limit was 0
    # searched again and again for ever (found by tests/test_shelters.py's property test).
    graph, shelters, xy = _town(3, 0.1)
    full_d = dijkstra(graph, directed=False, indices=shelters)
    table = RouteTable(graph, shelters, 0.0, RowCache(), xy)
    searches = 0
    search = table.search

    def counted(**kwargs: Any) -> Any:
        nonlocal searches
        searches += 1
        assert searches <= 4 * len(shelters), "a far row searched again and again"
        return search(**kwargs)

    monkeypatch.setattr(table, "search", counted)
    for s in range(len(shelters)):
        for node in range(graph.shape[0]):
            assert table.full_at(s, node) == full_d[s, node]
            assert table.full_within(s, node, 1.0) == (full_d[s, node] if full_d[s, node] <= 1.0
                                                       else math.inf)
