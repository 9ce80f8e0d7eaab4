"""A fourth scenario kind defined only under tests/ (``tests/kinds/patrol``) plugs in through
the registry and runs through validate, run, compare, report and the dashboard's Run & compare
page, with no shared file naming it (issue 12)."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from sim.cli.main import app as cli
from sim.core.errors import ScenarioError
from sim.core.kind import find_kind, kind_names
from sim.core.scenario import load_scenario, parse_scenario
from sim.run.experiments import run_plan
from tests.kinds.patrol import SCENARIO

ROOT = Path(__file__).resolve().parent.parent


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_patrol_is_registered_and_no_shared_file_names_it():
    assert "patrol" in kind_names() and find_kind("patrol") is not None
    shared = [p for folder in ("sim", "dashboard") for p in (ROOT / folder).rglob("*.py")
              if "patrol" in p.read_text(encoding="utf-8").lower()]
    assert shared == []


def test_patrol_times_follow_the_route_by_hand():
    """Oracle: with no start delay, everyone checks in at stop k after the legs so far plus
    the minutes spent at the stops before."""
    raw = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    raw["patrol"]["start_delay"] = 0
    raw["plans"] = {}
    s = parse_scenario(raw, SCENARIO.parent)
    run = run_plan(s, None, 2, 7)
    inp = run.inputs()
    net = s.network()
    route = raw["patrol"]["route"]
    legs = [net.travel_minutes([b], 4.5)[0, net.index[a]] for a, b in pairwise(route)]
    expected = np.concatenate([[0.0], np.cumsum(np.array(legs) + 2.0)])
    assert np.allclose(inp.legs, legs)
    ev = run.events()
    first = ev[ev["entity_id"] == ev["entity_id"].iloc[0]].sort_values("t_min")
    assert np.allclose(first["t_min"].to_numpy(), expected[expected <= 60])
    m = run.summary()["metrics"]
    assert m["check_ins"]["mean"] == 10 * int((expected <= 60).sum())


def test_patrol_through_the_command_line(tmp_path):
    text = invoke("validate", str(SCENARIO))
    assert "slow_start" in text
    invoke("run", str(SCENARIO), "--plan", "baseline", "--reps", "6", "--seed", "7",
           "--out", str(tmp_path / "run"))
    summary = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    assert summary["kind"] == "patrol" and summary["replications"] == 6
    assert summary["curve"]["label"] == "share of check-ins done"
    assert (tmp_path / "run" / "events.csv").read_text(encoding="utf-8").count("checked_in") > 0
    invoke("compare", str(SCENARIO), "--reps", "6", "--seed", "7", "--out", str(tmp_path / "cmp"))
    comp = json.loads((tmp_path / "cmp" / "comparison.json").read_text(encoding="utf-8"))
    assert set(comp["plans"]) == {"baseline", "slow_start"}
    # A later start finishes fewer rounds on the same seeds (common random numbers).
    d = comp["differences"]["frac_completed"]["slow_start - baseline"]
    assert d["mean"] < 0
    invoke("report", str(tmp_path / "cmp"), "--out", str(tmp_path / "report.html"))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "patrollers who finished the route" in html  # the kind's own catalogue
    assert "patroller" in html and "finished the route" in html  # the kind's findings


def test_a_bad_patrol_names_the_field():
    raw = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    raw["patrol"]["route"] = ["V1", "nowhere"]
    with pytest.raises(ScenarioError) as err:
        parse_scenario(raw, SCENARIO.parent)
    assert "patrol.route[1]: not a node of the road network" in str(err.value)
    raw["plans"]["slow_start"]["evacuation"] = {"horizon_min": 5}  # another kind's section
    with pytest.raises(ScenarioError) as err:
        parse_scenario(raw, SCENARIO.parent)
    assert [str(p) for p in err.value.problems] == [
        "plans.slow_start.evacuation: this scenario is of kind patrol"]


def test_patrol_on_the_dashboard_run_and_compare_page(monkeypatch, tmp_path):
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("GRIDMUSTER_WORKERS", "1")
    monkeypatch.setenv("GRIDMUSTER_STORE", str(tmp_path / "runs.db"))
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.sidebar.radio(key="page").set_value("Scenario").run()
    at.radio(key="source").set_value("Paste YAML").run()
    at.text_area(key="pasted_yaml").set_value(SCENARIO.read_text(encoding="utf-8"))
    at.button(key="load_pasted").click().run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert at.session_state["scenario"].kind.name == "patrol"
    at.sidebar.radio(key="page").set_value("Run & compare").run()
    assert not at.exception, at.exception
    cards = {m.label: m.value for m in at.metric}
    assert set(cards) == {"baseline", "slow_start"}
    # The kind's decision metric leads: the share who finished, higher for the earlier start.
    shares = {plan: float(v.rstrip("%")) for plan, v in cards.items()}
    assert shares["baseline"] > shares["slow_start"]
    assert "5 replications each" in " ".join(c.value for c in at.caption)
    assert load_scenario(SCENARIO).kind.dashboard.first_reps == 5
