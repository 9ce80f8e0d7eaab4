"""Explicit bounded caches keyed by content digests (issue 12): a long session that edits many
plans keeps a bounded number of built inputs and networks, and the same content hits."""

from __future__ import annotations

import copy

import pytest
import yaml

from sim.core import scenario as scenario_module
from sim.core.cache import BoundedCache
from sim.core.scenario import parse_scenario
from sim.run import experiments
from tests.kinds.patrol import SCENARIO


def test_bounded_cache_evicts_the_least_recently_used():
    made: list[int] = []

    def make(k: int) -> int:
        made.append(k)
        return k * 10

    cache: BoundedCache[int] = BoundedCache(3)
    for k in range(10):
        assert cache.get(k, lambda k=k: make(k)) == k * 10
        assert len(cache) <= 3
    assert made == list(range(10)) and len(cache) == 3
    cache.get(7, lambda: make(-1))  # 7 is used again: a hit, and now the newest
    cache.get(10, lambda: make(10))  # evicts 8, the least recently used
    assert 7 in cache and 8 not in cache and 9 in cache and 10 in cache
    assert cache.hits == 1 and -1 not in made
    with pytest.raises(ValueError, match="maxsize"):
        BoundedCache(0)


def _variant(raw: dict, i: int) -> dict:
    out = copy.deepcopy(raw)
    out["name"] = f"Patrol town {i}"  # another scenario text: another digest
    out["patrol"]["check_in_min"] = 1 + i % 5
    return out


def test_plan_inputs_stay_bounded_after_many_plans_and_the_same_digest_hits(monkeypatch):
    cache: BoundedCache[object] = BoundedCache(experiments.INPUTS_CACHE_SIZE)
    monkeypatch.setattr(experiments, "INPUTS", cache)
    raw = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    digests = set()
    for i in range(3 * experiments.INPUTS_CACHE_SIZE):
        s = parse_scenario(_variant(raw, i), SCENARIO.parent)
        digests.add(s.digest)
        experiments.plan_inputs(s.plan("baseline"))
        assert len(cache) <= experiments.INPUTS_CACHE_SIZE
    assert len(digests) == 3 * experiments.INPUTS_CACHE_SIZE  # every variant was new
    # The same content, parsed again (a new object, the same digest), is a hit.
    again = parse_scenario(_variant(raw, 3 * experiments.INPUTS_CACHE_SIZE - 1), SCENARIO.parent)
    hits = cache.hits
    first = experiments.plan_inputs(again.plan("baseline"))
    assert cache.hits == hits + 1
    assert experiments.plan_inputs(again.plan("baseline")) is first


def test_networks_are_cached_by_content_and_bounded(monkeypatch):
    cache: BoundedCache[object] = BoundedCache(2)
    monkeypatch.setattr(scenario_module, "NETWORKS", cache)
    raw = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    a = parse_scenario(raw, SCENARIO.parent).network()
    assert parse_scenario(copy.deepcopy(raw), SCENARIO.parent).network() is a
    for seed in range(5):  # five other towns
        other = copy.deepcopy(raw)
        other["network"]["synthetic"]["seed"] = 100 + seed
        parse_scenario(other, SCENARIO.parent)
        assert len(cache) <= 2
    assert parse_scenario(raw, SCENARIO.parent).network() is not a  # evicted, rebuilt
