"""Reproducibility, common random numbers, conservation and the bundled drill."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.image import imread

from sim.core.rng import replication_key
from sim.core.scenario import load_scenario
from sim.kinds.muster.metrics import FINAL_STATES
from sim.kinds.muster.model import draw
from sim.run.experiments import compare, execute, extend_all, plan_inputs, run_plan
from sim.run.stats import describe, paired_difference
from tests.helpers import BUNDLED, build, cli, fixed_muster


def same_metrics(a: list, b: list) -> bool:
    """Bit-for-bit equal metric values (NaN equals NaN)."""
    fa = pd.DataFrame([r.metrics for r in a])
    fb = pd.DataFrame([r.metrics for r in b])
    return fa.equals(fb)


@pytest.fixture(scope="module")
def bundled():
    return load_scenario(BUNDLED)


def test_same_seed_same_records_and_other_seed_differs(bundled):
    setup = bundled.plan("baseline")
    a = execute(setup, [0, 1], seed=5)
    b = execute(setup, [0, 1], seed=5)
    c = execute(setup, [0, 1], seed=6)
    assert a[0].events == b[0].events and same_metrics(a, b)
    assert a[0].events != c[0].events


def test_two_workers_equal_one(bundled):
    setup = bundled.plan("phone_tree")
    one = execute(setup, range(6), seed=3, workers=1)
    two = execute(setup, range(6), seed=3, workers=2)
    assert same_metrics(one, two)
    assert one[0].events == two[0].events
    assert all(np.array_equal(x.curve, y.curve) for x, y in zip(one, two, strict=True))


def test_plans_run_together_on_two_workers_equal_each_run_alone(bundled):
    """A comparison queues every plan's chunks on one pool at once: each plan's results are
    still its own, in replication order, and equal to the plan run by itself."""
    plans = ["baseline", "night", "phone_tree"]
    together = compare(bundled, plans, 5, seed=4, workers=2)
    assert together.plans == plans
    for run in together.runs:
        alone = execute(bundled.plan(run.plan), range(5), seed=4)
        assert [r.replication for r in run.results] == list(range(5))
        assert same_metrics(run.results, alone)
        assert run.results[0].events == alone[0].events
        assert run.extra == {"reused": 0, "computed": 5}
        assert run.elapsed_s > 0


def test_plans_on_different_seeds_are_not_run_as_one_comparison(bundled):
    a, b = run_plan(bundled, "baseline", 0, seed=1), run_plan(bundled, "night", 0, seed=2)
    with pytest.raises(ValueError, match="different seeds"):
        extend_all([a, b], range(2))


def test_replication_does_not_depend_on_how_many_are_run(bundled):
    setup = bundled.plan("baseline")
    alone = execute(setup, [4], seed=9)[0]
    among = execute(setup, range(6), seed=9)[4]
    assert same_metrics([alone], [among])


def test_adding_one_responder_leaves_everyone_elses_draws_unchanged(bundled):
    small = bundled.plan("baseline")
    raw = dict(bundled.raw)
    raw["forces"] = {**raw["forces"], "cadre": {"count": raw["forces"]["cadre"]["count"] + 1}}
    from sim.core.scenario import parse_scenario

    bigger = parse_scenario(raw, bundled.base_dir).plan("baseline")
    a_in, b_in = plan_inputs(small), plan_inputs(bigger)
    assert len(b_in.roster) == len(a_in.roster) + 1
    key = replication_key(7, 3)
    da, db = draw(a_in, key), draw(b_in, key)
    pos = {r.id: i for i, r in enumerate(b_in.roster)}
    idx = np.array([pos[r.id] for r in a_in.roster])
    for field in ("home", "ap", "app", "chat", "notice", "available", "acknowledge",
                  "preparation", "mode", "checkin", "answers", "call"):
        assert np.array_equal(getattr(da, field), getattr(db, field)[idx]), field


def _check_conservation(result, roster_size):
    states = result.final_states
    assert len(states) == roster_size
    assert set(states.values()) <= set(FINAL_STATES)
    m = result.metrics
    counts = {s: sum(1 for v in states.values() if v == s) for s in FINAL_STATES}
    assert counts["unavailable"] == m["unavailable"]
    assert counts["not_reached"] == m["not_reached"]
    assert counts["en_route"] == m["en_route_at_end"]
    assert counts["mustered"] == m["mustered_at_end"]
    assert sum(counts.values()) == m["roster"] == roster_size
    # Each mustered person has exactly one 'mustered' event, nobody else has one.
    ev = pd.DataFrame(result.events)
    mustered_ids = set(ev.loc[ev.event == "mustered", "entity_id"])
    assert mustered_ids == {k for k, v in states.items() if v == "mustered"}
    assert ev.loc[ev.event == "mustered", "entity_id"].is_unique


@pytest.mark.parametrize("plan", ["baseline", "night", "phone_tree"])
def test_every_responder_ends_in_exactly_one_state(bundled, plan):
    setup = bundled.plan(plan)
    n = len(plan_inputs(setup).roster)
    for r in execute(setup, range(3), seed=11, keep_events=range(3)):
        _check_conservation(r, n)


@settings(max_examples=25, deadline=None)
@given(
    heads=st.integers(0, 6),
    militia=st.integers(0, 30),
    avail=st.floats(0, 1),
    reliability=st.floats(0.01, 1),  # 0 on every channel is refused (sim.core.sense)
    channels=st.sets(st.sampled_from(["grid_app", "group_chat", "phone_tree"]), min_size=1),
    horizon=st.floats(5, 90),
    seed=st.integers(0, 2**32),
)
def test_conservation_holds_for_random_small_scenarios(tmp_path_factory, heads, militia, avail,
                                                       reliability, channels, horizon, seed):
    tmp = tmp_path_factory.mktemp("prop")
    data = fixed_muster(
        forces={"grid_head": {"per_grid": heads}, "militia": {"count": militia}},
        muster={
            "channels": sorted(channels),
            "horizon_min": horizon,
            "grid_app": {"delivery": {"dist": "exponential", "mean": 3},
                         "reliability": reliability},
            "notice_day": {"dist": "lognormal", "median": 2, "p90": 9},
            "phone_tree": {"fan_out": 2, "call": {"dist": "triangular", "low": 0.5,
                                                  "mode": 1, "high": 2}, "answer_day": avail},
            "default_role": {"availability_day": avail, "availability_night": avail,
                             "modes": {"walk": 1, "ebike": 1}},
        },
    )
    s = build(tmp, data)
    setup = s.plan()
    n = len(plan_inputs(setup).roster)
    r = execute(setup, [0], seed=seed)[0]
    _check_conservation(r, n)
    curve = r.curve
    assert np.all(np.diff(curve) >= 0) and 0 <= curve[-1] <= 1


def test_bundled_baseline_musters_1500_within_the_hour_in_the_median(bundled):
    run = run_plan(bundled, "baseline", replications=20)
    m = run.summary()["metrics"]["mustered_60min"]
    assert m["p50"] >= 1500, m
    assert run.summary()["metrics"]["frac_mustered_60min"]["p50"] < 1.0


def test_night_and_phone_tree_are_slower_for_reasons_the_events_show(bundled):
    comp = compare(bundled, ["baseline", "night", "phone_tree"], replications=8)
    d = comp.differences()["mustered_60min"]
    assert d["night - baseline"]["significant"] and d["night - baseline"]["mean"] < 0
    assert d["phone_tree - baseline"]["significant"] and d["phone_tree - baseline"]["mean"] < 0
    ev = {r.plan: r.events() for r in comp.runs}
    # Night: more people unavailable and a later median time to notice the alert.
    def unavailable(p):
        return (ev[p].event == "unavailable").sum()

    def notice_median(p):
        e = ev[p]
        return e.loc[e.event == "noticed", "t_min"].median()

    assert unavailable("night") > unavailable("baseline")
    assert notice_median("night") > notice_median("baseline") + 5
    # Phone tree: the alert arrives by phone, calls go unanswered, people are never reached.
    pt = ev["phone_tree"]
    received = pt.loc[pt.event == "alert_received", "location"]
    assert set(received) == {"phone_tree"}
    assert (pt.event == "call_unanswered").sum() > 0
    nr = comp.as_dict()["plans"]
    assert nr["phone_tree"]["metrics"]["not_reached"]["mean"] > \
        nr["baseline"]["metrics"]["not_reached"]["mean"]


def test_paired_difference_hand_example():
    a = [10.0, 12.0, 11.0, 13.0]
    b = [12.0, 15.0, 12.0, 16.0]  # differences 2, 3, 1, 3: mean 2.25, sd 0.9574
    d = paired_difference(a, b)
    half = 3.182446305284263 * 0.9574271077563381 / 2
    assert d.mean == pytest.approx(2.25)
    assert d.ci95_low == pytest.approx(2.25 - half)
    assert d.ci95_high == pytest.approx(2.25 + half)
    assert d.significant


def test_comparing_a_plan_with_itself_shows_no_difference(bundled):
    comp = compare(bundled, ["baseline", "baseline"], replications=4)
    d = comp.differences()["mustered_60min"]["baseline - baseline"]
    assert d["mean"] == 0 and not d["significant"]
    assert "the same in baseline as in baseline in every replication" in d["verdict"]


def test_describe_ignores_missing_values():
    d = describe([1.0, 2.0, math.nan, 3.0])
    assert d.n == 3 and d.mean == 2.0 and d.p50 == 2.0
    assert describe([math.nan]).as_dict()["mean"] is None


REQUIRED = {"scenario", "kind", "plan", "replications", "seed", "version", "metrics", "curve"}


def test_cli_run_end_to_end(tmp_path):
    r = cli("run", str(BUNDLED), "--plan", "night", "--reps", "3", "--seed", "4",
            "--workers", "2", "--out", str(tmp_path / "a"))
    assert r.returncode == 0, r.stderr
    assert "mustered_60min" in r.stdout
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert set(summary) >= REQUIRED
    assert summary["plan"] == "night" and summary["replications"] == 3 and summary["seed"] == 4
    for m in ("mustered_60min", "frac_mustered_60min", "t50_min", "t90_min"):
        assert set(summary["metrics"][m]) >= {"mean", "std", "ci95_low", "ci95_high",
                                              "p5", "p50", "p95"}
    assert set(summary["curve"]) >= {"t_min", "mean", "p5", "p95"}
    reps = pd.read_csv(tmp_path / "a" / "replications.csv")
    assert len(reps) == 3 and "mustered_60min" in reps.columns
    events = pd.read_csv(tmp_path / "a" / "events.csv")
    assert list(events.columns[:7]) == ["replication", "t_min", "entity_id", "role", "grid",
                                        "event", "location"]
    assert set(events.replication) == {0}
    pixels = imread(tmp_path / "a" / "curve.png")  # a real picture with something drawn on it, not just bytes
    assert min(pixels.shape[:2]) > 100
    assert len(np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0)) > 2
    # Same seed, same events, even with one worker.
    r2 = cli("run", str(BUNDLED), "--plan", "night", "--reps", "3", "--seed", "4",
             "--out", str(tmp_path / "b"))
    assert r2.returncode == 0, r2.stderr
    assert (tmp_path / "a" / "events.csv").read_bytes() == \
        (tmp_path / "b" / "events.csv").read_bytes()
    assert (tmp_path / "a" / "replications.csv").read_bytes() == \
        (tmp_path / "b" / "replications.csv").read_bytes()


def test_cli_compare_end_to_end(tmp_path):
    r = cli("compare", str(BUNDLED), "--plans", "baseline,night", "--reps", "3",
            "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "night has" in r.stdout and "fewer people mustered by 60 min" in r.stdout
    comp = json.loads((tmp_path / "comparison.json").read_text())
    assert set(comp["plans"]) == {"baseline", "night"}
    diff = comp["differences"]["mustered_60min"]["night - baseline"]
    assert diff["ci95_low"] <= diff["mean"] <= diff["ci95_high"]
    assert (tmp_path / "curve.png").exists()


def test_schema_is_json_schema():
    r = cli("schema")
    assert r.returncode == 0
    sch = json.loads(r.stdout)
    # One alternative per registered kind, told apart by its constant ``kind``, each naming
    # the fields a scenario must have.
    from sim.kinds import BUNDLED

    kinds = [alt["properties"]["kind"].get("const") for alt in sch["oneOf"]]
    assert sorted(kinds) == sorted(BUNDLED)
    for alt in sch["oneOf"]:
        assert {"name", "kind", "network", "grids"} <= set(alt["properties"])
        assert "kind" in alt.get("required", []) or alt["properties"]["kind"].get("const")


def test_output_folders_default_under_out(tmp_path):
    r = cli("run", str(BUNDLED), "--reps", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "muster_youchegang-baseline" / "summary.json").exists()
    assert not Path(tmp_path / "out" / "x").exists()
