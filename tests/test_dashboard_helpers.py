"""Library helpers behind the dashboard: plan editing, replay positions, result tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.analysis.replay import build_replay
from sim.core.errors import ScenarioError
from sim.core.planedit import (
    PLAN_WORDS,
    dump_yaml,
    force_rows,
    forces_from_rows,
    make_patch,
    param_rows,
    parse_cell,
    plan_digest,
    save_plan,
    section_from_rows,
    split_path,
    with_plan,
)
from sim.core.scenario import load_scenario, parse_scenario_text
from sim.present.tables import breakdowns, forces_table
from sim.run.experiments import compare, run_plan
from tests.helpers import build, fixed_muster

BUNDLED = Path(__file__).resolve().parent.parent / "scenarios" / "muster_youchegang.yaml"


@pytest.fixture(scope="module")
def town():
    return load_scenario(BUNDLED)


def _set(rows, key, column, name, value):
    for r in rows:
        if r[key] == name:
            r[column] = value
            return rows
    raise AssertionError(name)


# --- plan editing -------------------------------------------------------------------------

def test_force_rows_show_the_resolved_plan(town):
    rows = force_rows(town.raw, "baseline")
    assert {"role": "cadre", "rule": "count", "value": 500, "grids": ""} in rows
    assert {"role": "micro_grid_head", "rule": "per_grid", "value": 25, "grids": ""} in rows


def test_unchanged_tables_give_an_empty_patch(town):
    for plan in town.plan_names():
        forces = forces_from_rows(force_rows(town.raw, plan))
        section = section_from_rows(town.raw, plan, param_rows(town.raw, plan))
        patch = make_patch(town.raw, forces, section, base_plan=plan)
        # Editing a copy of a plan without changes gives that plan's own patch back.
        own = {k: v for k, v in (town.raw["plans"][plan] or {}).items()
               if k not in PLAN_WORDS}  # a copy gets its own words (name, description)
        assert patch == own, plan


def test_edited_count_becomes_a_whole_role_patch(town):
    rows = _set(force_rows(town.raw, "baseline"), "role", "value", "cadre", 900.0)
    rows.append({"role": "militia", "rule": "per_residents", "value": "30", "grids": "G01, G02"})
    new = save_plan(town, "more", rows, param_rows(town.raw, "baseline"), "baseline", "more")
    assert new.raw["plans"]["more"] == {
        "description": "more",
        "forces": {"cadre": {"count": 900}, "militia": {"per_residents": 30,
                                                        "grids": ["G01", "G02"]}}}
    assert new.plan_names() == [*town.plan_names(), "more"]
    assert town.raw["plans"].get("more") is None  # the original is untouched


def test_removed_role_is_set_to_zero(town):
    rows = [r for r in force_rows(town.raw, "baseline") if r["role"] != "cadre"]
    patch = make_patch(town.raw, forces_from_rows(rows),
                       section_from_rows(town.raw, "baseline", param_rows(town.raw, "baseline")))
    assert patch == {"forces": {"cadre": {"count": 0}}}


def test_parameter_edits_are_typed_and_lists_written_whole(town):
    rows = param_rows(town.raw, "night")
    _set(rows, "parameter", "value", "alert_time", "03:15")
    _set(rows, "parameter", "value", "channels", "phone_tree")
    _set(rows, "parameter", "value", "assembly_points[2].desks", "3")
    new = save_plan(town, "n2", force_rows(town.raw, "night"), rows, "night")
    patch = new.raw["plans"]["n2"]["muster"]
    assert patch["alert_time"] == "03:15"  # a string, not YAML's sexagesimal 195
    assert patch["channels"] == ["phone_tree"]
    assert [a["desks"] for a in patch["assembly_points"]][:4] == [1, 1, 3, 1]
    assert new.plan("n2").model.muster.assembly_points[2].desks == 3


def test_bad_edits_report_field_paths(town):
    rows = _set(force_rows(town.raw, "baseline"), "role", "value", "cadre", -3)
    params = _set(param_rows(town.raw, "baseline"), "parameter", "value", "horizon_min", "soon")
    with pytest.raises(ScenarioError) as err:
        save_plan(town, "bad", rows, params, "baseline")
    paths = {p.path for p in err.value.problems}
    assert "plans.bad.forces.cadre.count" in paths
    assert "plans.bad.muster.horizon_min" in paths


def test_table_problems_name_the_row(town):
    rows = [{"role": "cadre", "rule": "count", "value": 1, "grids": ""},
            {"role": "cadre", "rule": "per_grid", "value": 1, "grids": ""},
            {"role": "militia", "rule": "lots", "value": 1, "grids": ""}]
    with pytest.raises(ScenarioError) as err:
        forces_from_rows(rows)
    assert [p.path for p in err.value.problems] == ["forces table.row 2", "forces table.row 3"]
    with pytest.raises(ScenarioError):
        with_plan(town.raw, "has space", {})


def test_cells_and_paths():
    assert split_path("assembly_points[2].desks") == ["assembly_points", 2, "desks"]
    assert parse_cell("2", "int") == 2 and parse_cell("2.5", "int") == 2.5
    assert parse_cell("x", "float") == "x"  # kept for validation to report
    assert parse_cell("a, b", "list") == ["a", "b"] and parse_cell("1, 2.5", "list") == [1, 2.5]
    assert parse_cell("no", "bool") is False


def test_yaml_round_trip_and_digest(town, tmp_path):
    new = save_plan(town, "copy", force_rows(town.raw, "baseline"),
                    param_rows(town.raw, "baseline"), "baseline")
    again = parse_scenario_text(dump_yaml(new.raw), town.base_dir)
    assert again.plan_names() == new.plan_names() and again.digest == new.digest
    # A plan's digest depends on the plan, not on the other plans of the scenario.
    assert plan_digest(new, "baseline") == plan_digest(town, "baseline")
    assert plan_digest(new, "copy") == plan_digest(town, "baseline")
    assert plan_digest(town, "night") != plan_digest(town, "baseline")


def test_scenario_without_plans_keeps_its_baseline(tmp_path):
    s = build(tmp_path, fixed_muster())
    assert s.plan_names() == ["baseline"]
    rows = _set(force_rows(s.raw, "baseline"), "role", "value", "grid_head", 2)
    new = save_plan(s, "two_heads", rows, param_rows(s.raw, "baseline"), "baseline")
    assert new.plan_names() == ["baseline", "two_heads"]


# --- replay -------------------------------------------------------------------------------

def test_replay_positions_follow_the_hand_computed_timeline(tmp_path):
    # Line A-B-C (600 m, 900 m), one grid head per grid at A, B, C, assembly point at C,
    # walking 6 km/h: everyone departs at 6.5 min; C checks in at once (7.5), B arrives at
    # 15.5 (mustered 16.5), A at 21.5 (mustered 22.5).
    s = build(tmp_path, fixed_muster())
    run = run_plan(s, None, 1)
    rp = build_replay(run.events(), "muster", s.network(), s.places())
    idx = s.network().index

    def where(minute):
        now = rp.at(minute).set_index("entity_id")
        return {e[:2]: (now.loc[e, "state"], s.network().nodes[now.loc[e, "node"]])
                for e in now.index}

    assert where(0) == {g: ("not yet moving", g[1]) for g in ("GA", "GB", "GC")}
    assert where(10) == {"GA": ("en route", "B"),  # 350 m from A: nearer B (600 m)
                         "GB": ("en route", "B"),  # 350 m from B: nearer B than C
                         "GC": ("mustered", "C")}
    assert where(16) == {"GA": ("en route", "B"), "GB": ("waiting at check-in", "C"),
                         "GC": ("mustered", "C")}
    assert rp.queues(16).to_dict("list") == {"location": ["AP"], "queue": [1]}
    assert where(30) == {g: ("mustered", "C") for g in ("GA", "GB", "GC")}
    counts = rp.counts(30)
    assert dict(zip(counts["state"], counts["people"], strict=True))["mustered"] == 3
    pts = rp.points(30)
    assert sum(len(v[0]) for v in pts.values()) == 3
    assert set(pts["mustered (3)"][0]) == {idx["C"]}


def test_replay_of_an_unknown_kind_uses_last_events(tmp_path):
    s = build(tmp_path, fixed_muster())
    rp = build_replay(run_plan(s, None, 1).events(), "other", s.network(), s.places())
    now = rp.at(7.0).set_index("entity_id")
    assert now.loc["GC-grid_head-001", "state"] == "checkin_start"
    assert now.loc["GA-grid_head-001", "state"] == "departed"


def test_replay_counts_match_the_metrics(town):
    run = run_plan(town, "baseline", 1)
    rp = build_replay(run.events(), "muster", town.network(), town.places())
    end = rp.counts(1e9).set_index("state")["people"]
    m = run.results[0].metrics
    assert end["mustered"] == m["mustered_at_end"]
    assert end["unavailable"] == m["unavailable"]
    at60 = rp.counts(60).set_index("state")["people"]
    assert at60["mustered"] == m["mustered_60min"]


# --- tables -------------------------------------------------------------------------------

def test_tables_of_a_comparison(tmp_path):
    s = build(tmp_path, fixed_muster(plans={"a": {}, "b": {"forces": {"grid_head":
                                                                       {"per_grid": 2}}}}))
    data = compare(s, ["a", "b"], 3).as_dict()
    summaries = list(data["plans"].values())
    assert ("mustered_60min", "role") in breakdowns(summaries)
    assert ("checkin_wait_max_min", "ap") in breakdowns(summaries)
    f = forces_table(s.plan("b").model)
    assert f.loc["all grids", "total"] == 6 and list(f.columns) == ["grid_head", "total"]
