"""Sensitivity analysis: declared assumptions, Morris and Sobol' indices on toy scenarios whose
answer is known by hand, and the command line."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from matplotlib.image import imread

from sim.analysis.sensitivity import analyse, sensitivity
from sim.core.assumptions import Assumption, apply_values
from sim.core.errors import ScenarioError
from sim.run.store import RunStore
from tests.helpers import build, cli, fixed_muster, write_scenario


def _toy(**overrides):
    """``fixed_muster`` with one grid head, at the assembly point: every delay is fixed, so
    the arrival time is 1 (delivery) + notice + 0.5 (acknowledge) + preparation + 1 (check-in)
    minutes and nothing is random."""
    data = fixed_muster(forces={"grid_head": {"per_grid": 1, "grids": ["GC"]}})
    data.update(overrides)
    return data


def test_only_the_assumption_that_matters_ranks_first(tmp_path):
    # The alert is by day through the grid app: the night notice time and the phone tree cannot
    # change anything, and the preparation time shifts every arrival one for one.
    s = build(tmp_path, _toy(assumptions=[
        {"path": "muster.notice_night", "low": 5, "high": 20, "source": "toy"},
        {"path": "muster.preparation", "low": 1, "high": 9, "source": "toy"},
        {"path": "muster.phone_tree.call", "low": 0.5, "high": 3, "source": "toy"},
    ]))
    res = sensitivity(s, None, "t50_min", "morris", n=6, reps=1)
    first, *others = res["indices"]
    assert first["path"] == "muster.preparation"
    # Linear with slope 1: every elementary effect is the width of the range (9 - 1).
    assert first["mu_star"] == pytest.approx(8.0, abs=1e-9)
    assert first["sigma"] == pytest.approx(0.0, abs=1e-9)
    for o in others:  # zero, and within their (zero-width) CIs, on common random numbers
        assert o["mu_star"] <= o["mu_star_conf"] + 1e-12
        assert o["mu_star"] == 0.0


def test_morris_on_a_noisy_scenario_puts_the_inert_assumption_inside_its_ci(tmp_path):
    # Random delays: preparation still dominates; the night notice time (a daytime alert) has
    # an effect of exactly zero because every design point sees the same random numbers.
    data = fixed_muster(forces={"grid_head": {"per_grid": 10}}, assumptions=[
        {"path": "muster.preparation.median", "low": 2, "high": 12, "source": "toy"},
        {"path": "muster.notice_night.median", "low": 5, "high": 30, "source": "toy"},
    ])
    data["muster"]["preparation"] = {"dist": "lognormal", "median": 4, "p90": 8}
    data["muster"]["notice_night"] = {"dist": "lognormal", "median": 10, "p90": 30}
    res = sensitivity(build(tmp_path, data), None, "t50_min", "morris", n=4, reps=2)
    top, inert = res["indices"]
    assert top["path"] == "muster.preparation.median"
    assert top["mu_star"] - top["mu_star_conf"] > 0
    assert inert["mu_star"] == 0.0 and inert["mu_star"] <= inert["mu_star_conf"] + 1e-12


def test_sobol_total_order_shows_the_interaction(tmp_path):
    # One person mustered by minute 30 iff notice + preparation <= 27.5: an AND of two
    # assumptions. For x, y uniform on a square cut by that diagonal, S1 = 1/3 and ST = 2/3
    # each (E[f|x] is linear in x), so ST - S1 = 1/3. The arrival time itself (t50) is
    # additive in the two: ST - S1 = 0. Fixed seeds make the estimates deterministic; SALib's
    # bootstrap half-widths at N = 128 are about 0.15, so the bounds below leave a margin.
    assumptions = [{"path": "muster.preparation", "low": 0.1, "high": 27.4, "source": "toy"},
                   {"path": "muster.notice_day", "low": 0.1, "high": 27.4, "source": "toy"}]
    s = build(tmp_path, _toy(assumptions=assumptions))
    step = sensitivity(s, None, "mustered_30min", "sobol", n=128, reps=1)
    for r in step["indices"]:
        assert r["ST"] - r["S1"] > 0.15, r
        assert abs(r["S1"] - 1 / 3) <= max(r["S1_conf"], 0.1), r
    additive = sensitivity(s, None, "t50_min", "sobol", n=128, reps=1)
    for r in additive["indices"]:
        assert abs(r["ST"] - r["S1"]) < 0.05, r
        assert r["S1"] == pytest.approx(0.5, abs=0.1)


def test_analyse_matches_the_analytic_indices_of_a_product():
    # f = x * y with x, y ~ U(0, 1): Var f = 7/144, V1 = V2 = 1/48, V12 = 1/144, so
    # S1 = 3/7 and ST = 4/7 for each. N = 1024 base samples; tolerance: the 95 % CI, which
    # SALib bootstraps from the same samples (deterministic with the fixed seed).
    fs = [Assumption(path=p, low=0, high=1, source="toy") for p in ("x", "y")]
    res = analyse(fs, "sobol", 1024, 7, lambda u: u[:, 0] * u[:, 1])
    for r in res["indices"]:
        assert abs(r["S1"] - 3 / 7) <= r["S1_conf"] + 0.02
        assert abs(r["ST"] - 4 / 7) <= r["ST_conf"] + 0.02
        assert r["ST"] - r["S1"] > 0.08


def test_sobol_needs_a_power_of_two(tmp_path):
    s = build(tmp_path, _toy(assumptions=[
        {"path": "muster.preparation", "low": 1, "high": 9, "source": "toy"}]))
    with pytest.raises(ScenarioError, match="--n"):
        sensitivity(s, None, "t50_min", "sobol", n=100)


# --- the assumptions section ---------------------------------------------------------------

BAD = [
    ({"path": "muster.nope", "low": 1, "high": 2, "source": "x"},
     "assumptions[0].path: no such value in the scenario"),
    ({"path": "muster.channels", "low": 1, "high": 2, "source": "x"},
     "assumptions[0].path: must lead to a number, not a list"),
    ({"path": "muster.preparation", "low": 5, "high": 9, "source": "x"},
     "assumptions[0].low: range 5..9 must contain the scenario's value 3"),
    ({"path": "muster.preparation", "low": 1, "high": 2, "source": "x"},
     "assumptions[0].low: range 1..2 must contain the scenario's value 3"),
    ({"path": "muster.preparation", "low": 9, "high": 1, "source": "x"},
     "assumptions[0]: low (9) must be below high (1)"),
    ({"path": "muster.preparation", "low": 1, "high": 9}, "assumptions[0].source: required"),
    ({"path": "muster.preparation", "low": 1, "high": 9, "source": "x", "spread": 2},
     "assumptions[0].spread: unknown key"),
    ({"path": "muster.preparation", "low": 1, "high": 9, "source": "x", "mode": 4},
     "mode is only for dist: triangular"),
    ({"path": "muster.preparation", "low": "a", "high": 9, "source": "x"},
     "assumptions[0].low: must be a number"),
    ({"path": "muster.assembly_points[3].desks", "low": 1, "high": 3, "source": "x"},
     "assumptions[0].path: no such value"),
]


@pytest.mark.parametrize(("entry", "message"), BAD)
def test_bad_assumption_entries_name_their_field(tmp_path, entry, message):
    with pytest.raises(ScenarioError) as err:
        build(tmp_path, _toy(assumptions=[entry]))
    assert message in str(err.value)


def test_good_entries_reach_lists_and_keep_a_lognormal_spread(tmp_path):
    s = build(tmp_path, _toy(assumptions=[
        {"path": "muster.assembly_points[0].desks", "low": 1, "high": 3, "whole": True,
         "source": "x"},
        {"path": "muster.preparation", "low": 1, "high": 9, "dist": "triangular", "mode": 3,
         "source": "x"}]))
    assert [a.path for a in s.model.assumptions][0] == "muster.assembly_points[0].desks"
    raw = apply_values({"m": {"p": {"dist": "lognormal", "median": 4, "p90": 8}}},
                       {"m.p.median": 6.0})
    assert raw["m"]["p"] == {"dist": "lognormal", "median": 6.0, "p90": 12.0}
    a = Assumption(path="x", low=1, high=9, dist="triangular", mode=3, source="x")
    assert [a.value_at(0), a.value_at(1)] == [1, 9]
    assert a.value_at(0.25) == pytest.approx(3.0)  # mode at 1/4 of the range: P(X<3) = 1/4
    count = Assumption(path="x", low=1, high=3, whole=True, source="x")
    draws = [count.sample(u) for u in np.linspace(0, 1, 3001)]
    assert set(draws) == {1.0, 2.0, 3.0}
    assert [draws.count(v) for v in (1.0, 2.0, 3.0)] == [1000, 1000, 1001]  # equal chances


def test_every_bundled_scenario_declares_valid_assumptions():
    from pathlib import Path

    from sim.analysis.sensitivity import design, to_values
    from sim.core.scenario import load_scenario

    for path in sorted(Path("scenarios").glob("*.yaml")):
        s = load_scenario(path)
        assert s.model.assumptions, f"{path.name} declares no assumptions"
        for a in s.model.assumptions:
            assert a.source.strip() and a.label.strip()
        # Every plan stays a valid scenario with all assumptions at their lows, or highs.
        k = len(s.model.assumptions)
        corners = to_values(s, s.model.assumptions, np.array([[0.0] * k, [1.0] * k]))
        for plan in s.plan_names():
            design(s, plan, corners)


# --- command line --------------------------------------------------------------------------

def test_sensitivity_cli_writes_table_chart_json_and_a_run_record(tmp_path):
    data = _toy(assumptions=[
        {"path": "muster.preparation", "low": 1, "high": 9, "label": "preparation time (min)",
         "source": "toy"},
        {"path": "muster.notice_night", "low": 5, "high": 20, "label": "night notice (min)",
         "source": "toy"}])
    build(tmp_path, data)
    path = write_scenario(tmp_path, data)
    out = tmp_path / "sens"
    r = cli("sensitivity", str(path), "--metric", "t50_min", "--n", "4", "--reps", "1",
            "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "preparation time (min)" in r.stdout and "hinges most on: preparation" in r.stdout
    assert "None" not in r.stdout and "nan" not in r.stdout.lower()
    data_out = json.loads((out / "sensitivity.json").read_text())
    assert data_out["indices"][0]["path"] == "muster.preparation"
    pixels = imread(out / "sensitivity.png")  # a real picture with something drawn on it, not just bytes
    assert min(pixels.shape[:2]) > 100
    assert len(np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0)) > 2
    with RunStore(tmp_path / "runs.db") as db:
        assert [run.command for run in db.runs()] == ["sensitivity"]
    shown = cli("runs", "show", "1")
    assert shown.returncode == 0 and "sensitivity of oracle" in shown.stdout


def test_bad_command_line_input_names_the_option(tmp_path):
    from sim.analysis.sensitivity import factors
    from sim.core.assumptions import parse_vary

    s = build(tmp_path, _toy(assumptions=[
        {"path": "muster.preparation", "low": 1, "high": 9, "source": "t"}]))
    for text in ("muster.preparation=9..1", "muster.preparation", "x=a..b", "=1..2"):
        with pytest.raises(ScenarioError, match="--vary: expected PATH=LOW..HIGH"):
            parse_vary(text)
    for text, message in [("muster.nope=1..2", "--vary[0].path: no such value"),
                          ("muster.preparation=5..9", "must contain the scenario's value 3")]:
        with pytest.raises(ScenarioError, match=re.escape(message)):
            factors(s, [parse_vary(text)])
    with pytest.raises(ScenarioError, match="--metric: unknown metric"):
        sensitivity(s, None, "nonsense", "morris", n=2)


def test_cli_bad_input_exits_2(tmp_path):
    data = _toy(assumptions=[{"path": "muster.preparation", "low": 1, "high": 9, "source": "t"}])
    build(tmp_path, data)
    path = write_scenario(tmp_path, data)
    r = cli("sensitivity", str(path), "--metric", "t50_min", "--vary", "muster.nope=1..2")
    assert r.returncode == 2 and "--vary[0].path: no such value" in r.stderr
    assert "Traceback" not in r.stderr
    bad = dict(data, assumptions=[{"path": "muster.preparation", "low": 5, "high": 9,
                                   "source": "t"}])
    r = cli("validate", str(write_scenario(tmp_path, bad, "bad.yaml")))
    assert r.returncode == 2 and "assumptions[0].low: range 5..9" in r.stderr


def test_results_do_not_depend_on_the_worker_count(tmp_path):
    data = fixed_muster(forces={"grid_head": {"per_grid": 5}}, assumptions=[
        {"path": "muster.preparation.median", "low": 2, "high": 12, "source": "toy"},
        {"path": "muster.default_role.availability_day", "low": 0.5, "high": 1, "source": "t"}])
    data["muster"]["preparation"] = {"dist": "lognormal", "median": 4, "p90": 8}
    s = build(tmp_path, data)
    from sim.run.backends import Backend

    one = sensitivity(s, None, "mustered_30min", "morris", n=3, reps=2)
    two = sensitivity(s, None, "mustered_30min", "morris", n=3, reps=2, backend=Backend(2))
    assert one["indices"] == two["indices"]
    assert np.isfinite([r["mu_star"] for r in one["indices"]]).all()


# --- dashboard -----------------------------------------------------------------------------

def test_what_matters_rows_are_plain_words(tmp_path):
    pytest.importorskip("streamlit")
    from dashboard.page_what_matters import ranked_rows

    s = build(tmp_path, _toy(assumptions=[
        {"path": "muster.preparation", "low": 1, "high": 9, "label": "preparation (min)",
         "source": "toy"},
        {"path": "muster.notice_night", "low": 5, "high": 20, "label": "night notice (min)",
         "source": "toy"}]))
    for method, n in (("morris", 3), ("sobol", 8)):
        rows = ranked_rows(sensitivity(s, None, "t50_min", method, n=n, reps=1))
        assert rows[0]["assumption"] == "preparation (min)" and rows[0]["rank"] == 1
        for row in rows:
            assert all(v is not None and not (isinstance(v, float) and np.isnan(v))
                       for v in row.values())
            assert not any("." in k or "_" in k for k in row)  # column names in plain words
            # Written as the result is: minutes to a tenth, shares as percentages (was 3
            # decimals: "673.2", "± 141.028", "240.234" for counts of people).
            for col, v in row.items():
                if col in ("rank", "assumption", "range", "source"):
                    continue
                pattern = r"[\d,]+\.\d" if method == "morris" else r"\d+\.\d%"
                assert re.fullmatch(pattern, v), (col, v)


def test_what_matters_page_renders(monkeypatch, tmp_path):
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("GRIDMUSTER_WORKERS", "1")
    monkeypatch.setenv("GRIDMUSTER_DASHBOARD_REPS", "2")
    from pathlib import Path

    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    at = AppTest.from_file(str(app), default_timeout=180)
    at.run()
    at.sidebar.radio(key="page").set_value("What matters").run()
    assert not at.exception, at.exception
    assert any("30 declared assumptions" in c.value for c in at.caption)
    assert [b.label for b in at.button if b.key in ("wm_run", "wm_robust")] == [
        "Find which assumptions matter", "Find where it misses its objectives"]
