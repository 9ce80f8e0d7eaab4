"""Distributions, keyed random streams, allocation of town-wide forces, the synthetic town."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from sim.core.distributions import Dist
from sim.core.forces import Grid, RoleForce, allocate, build_roster, role_counts
from sim.core.rng import entity_hashes, replication_key, uniforms
from sim.network.graph import RoadNetwork, SyntheticTown, synthetic_town

DIST = TypeAdapter(Dist)
U = (np.arange(200_000) + 0.5) / 200_000  # a uniform grid: quantiles are exact


def test_lognormal_hits_its_median_and_p90():
    d = DIST.validate_python({"dist": "lognormal", "median": 3, "p90": 12})
    s = d.sample(U)
    assert np.median(s) == pytest.approx(3, rel=1e-3)
    assert np.quantile(s, 0.9) == pytest.approx(12, rel=1e-3)
    assert s.mean() == pytest.approx(d.mean(), rel=1e-2)


@pytest.mark.parametrize("spec", [
    {"dist": "exponential", "mean": 4},
    {"dist": "triangular", "low": 1, "mode": 2, "high": 6},
    {"dist": "empirical", "values": [1, 2, 2, 7]},
    5,
])
def test_sample_means_match(spec):
    d = DIST.validate_python(spec)
    assert d.sample(U).mean() == pytest.approx(d.mean(), rel=1e-3)


def test_triangular_stays_in_bounds():
    d = DIST.validate_python({"dist": "triangular", "low": 1, "mode": 2, "high": 6})
    s = d.sample(U)
    assert s.min() >= 1 and s.max() <= 6


def test_uniforms_are_keyed_by_entity():
    h = entity_hashes(["a", "b", "c"])
    u1 = uniforms(replication_key(1, 0), h, 4)
    u2 = uniforms(replication_key(1, 0), entity_hashes(["c", "a"]), 4)
    assert np.array_equal(u1[[2, 0]], u2)
    assert not np.array_equal(u1, uniforms(replication_key(1, 1), h, 4))
    big = uniforms(replication_key(2, 0), entity_hashes(str(i) for i in range(50_000)), 2)
    assert big.min() > 0 and big.max() < 1
    assert big.mean() == pytest.approx(0.5, abs=0.005)
    assert abs(np.corrcoef(big[:, 0], big[:, 1])[0, 1]) < 0.02


def test_replication_key_is_the_spawned_child():
    child = np.random.SeedSequence(42).spawn(5)[3]
    assert replication_key(42, 3) == int(child.generate_state(1, np.uint64)[0])


@given(st.lists(st.integers(0, 5000), min_size=1, max_size=12), st.integers(0, 300))
def test_allocation_is_exact_and_house_monotone(weights, total):
    if sum(weights) == 0:
        assert allocate(total, weights) == [0] * len(weights)
        return
    a, b = allocate(total, weights), allocate(total + 1, weights)
    assert sum(a) == total and sum(b) == total + 1
    assert all(y >= x for x, y in zip(a, b, strict=True))


def test_thirty_to_one_rule_rounds_up():
    grids = [Grid(id="G1", node="V1", residents=1000), Grid(id="G2", node="V2", residents=30)]
    assert role_counts(RoleForce(per_residents=30), grids) == [34, 1]
    roster = build_roster({"reserve": RoleForce(per_residents=30),
                           "grid_head": RoleForce(per_grid=1)}, grids)
    assert len(roster) == 37
    assert roster[0].id == "G1-grid_head-001"


def test_synthetic_town_is_connected_and_sized():
    net = RoadNetwork(synthetic_town(SyntheticTown(villages=7, nodes_per_village=10, seed=3)))
    assert len(net.nodes) == 70 and net.problems() == []
    for _, _, d in net.graph.edges(data=True):
        assert d["length_m"] > 0 and d["speed_kmh"] > 0
    t = net.travel_minutes(["V1"], 4.5)
    assert np.isfinite(t).all() and t[0, net.index["V1"]] == 0


def test_road_graph_reads_like_the_networkx_graph_it_converts_to():
    """A synthetic town's RoadGraph: the same nodes, edges (in networkx's order) and
    attributes as its networkx copy, and the same connected components."""
    import networkx as nx

    from sim.network.graph import RoadGraph, components

    g = synthetic_town(SyntheticTown(villages=5, nodes_per_village=7, seed=2))
    assert isinstance(g, RoadGraph)
    h = g.to_networkx()
    assert list(g.nodes(data=True)) == list(h.nodes(data=True))
    assert list(g.edges(data=True)) == list(h.edges(data=True))
    assert g.number_of_edges() == h.number_of_edges() > 0
    a, b = next(iter(g.edges()))
    assert g.has_edge(b, a) and g.edges[b, a] is g.edges[a, b]  # one dict for both directions
    g.add_node("island")
    g.add_edge("islet", "islet2", length_m=10.0, speed_kmh=30.0)
    assert components(g) == list(nx.connected_components(g.to_networkx()))
    assert [len(c) for c in components(g)] == [35, 1, 2]
    assert "not connected: 3 components" in str(RoadNetwork(g).problems()[0])
