"""``gridmuster verify``: the case library, the runner's verdict and the IMO practice."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import sim.cli.verify
from sim.cli.main import app
from sim.core.errors import ScenarioError
from sim.verify.case import Case as VCase
from sim.verify.case import Check, Context, Outcome, Pending, broken, run_case
from sim.verify.imo import BATCH, assess, imo_replications
from sim.verify.library import library
from sim.verify.queueing import erlang_b, erlang_c
from sim.verify.runner import verify
from tests.festival_helpers import erlang_c as erlang_c_reference
from tests.helpers import fixed_muster, line_graphml, write_scenario

ROOT = Path(__file__).resolve().parents[1]
GROUPS = {"movement", "routing", "delays", "queues", "flows", "flooding", "mobilisation",
          "statistics", "conservation"}


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def exact_case(measured: float, expected: float = 40.0) -> VCase:
    return VCase("test.exact", "an exact case", "movement", "hand calculation", "setup",
                 "exact", lambda ctx: Outcome([Check("time", expected, 0.5, measured, "s")]))


def test_verify_quick_passes_and_writes_every_case_with_its_source(tmp_path):
    out = tmp_path / "v"
    r = cli("verify", "--quick", "--out", str(out))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    data = json.loads((out / "verification.json").read_text(encoding="utf-8"))
    cases = data["cases"]
    assert len(cases) >= 25
    assert {c["group"] for c in cases} >= GROUPS
    for c in cases:
        assert c["source"] and c["setup"] and c["tolerance_why"], c["id"]
        assert c["status"] == "pass", c  # nothing pending: every case runs model code
        for k in c["checks"]:
            assert {"expected", "tolerance", "measured", "passed"} <= k.keys()
            if k["at_most"]:
                assert k["measured"] <= k["expected"] + k["tolerance"]
            else:
                assert abs(k["measured"] - k["expected"]) <= k["tolerance"]
    assert data["counts"]["pass"] >= 25 and data["counts"]["fail"] == 0
    assert data["counts"]["pending"] == 0
    html = (out / "verification.html").read_text(encoding="utf-8")
    assert "What gridmuster does not model" in html and "<svg" in html
    assert "None" not in html and "NaN" not in html
    assert {v["title"].split()[0] for v in data["validation"]} >= {"Youchegang", "Yangning",
                                                                 "Duhu", "Yanguan"}


def test_a_wrong_expectation_fails_its_case(tmp_path):
    ctx = Context(quick=True, workdir=tmp_path)
    assert run_case(exact_case(40.2), ctx).status == "pass"
    assert run_case(exact_case(40.2, expected=41.0), ctx).status == "fail"
    assert run_case(broken(exact_case(40.2)), ctx).status == "fail"
    real = next(c for c in library() if c.id == "movement.imo-corridor")
    assert run_case(real, ctx).status == "pass"
    assert run_case(broken(real), ctx).status == "fail"


def test_pending_and_broken_cases_are_never_passes(tmp_path):
    def pending(ctx: Context) -> Outcome:
        raise Pending("not connected")

    def crash(ctx: Context) -> Outcome:
        raise KeyError("x")

    ctx = Context(quick=True, workdir=tmp_path)
    p = run_case(VCase("t.p", "p", "statistics", "s", "s", "t", pending), ctx)
    e = run_case(VCase("t.e", "e", "statistics", "s", "s", "t", crash), ctx)
    empty = run_case(VCase("t.n", "n", "statistics", "s", "s", "t", lambda c: Outcome([])), ctx)
    assert (p.status, e.status, empty.status) == ("pending", "error", "fail")
    v = verify([exact_case(40.0), exact_case(99.0)], quick=True, with_validation=False)
    assert [r.status for r in v.results] == ["pass", "fail"] and len(v.failed) == 1
    assert not Check("t", 1.0, 1.0, math.nan).passed


def test_the_command_exits_1_when_a_case_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.cli.verify, "library", lambda: [exact_case(40.0)])
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", "--quick", "--out", str(tmp_path / "a")])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["verify", "--quick", "--out", str(tmp_path / "b"),
                              "--break-case", "test.exact"])
    assert bad.exit_code == 1, bad.output
    data = json.loads((tmp_path / "b" / "verification.json").read_text(encoding="utf-8"))
    assert data["cases"][0]["status"] == "fail" and data["counts"]["fail"] == 1


def test_an_unknown_case_to_break_is_a_field_error():
    # main() prints a ScenarioError's problems and exits 2 (as for every command).
    r = CliRunner().invoke(app, ["verify", "--quick", "--break-case", "no.such.case"])
    assert isinstance(r.exception, ScenarioError)
    assert [str(p) for p in r.exception.problems] == [
        "--break-case: no verification case with this id (got 'no.such.case')"]


def test_library_ids_are_unique_and_every_case_says_why():
    cases = library()
    assert len({c.id for c in cases}) == len(cases) >= 25
    assert {c.group for c in cases} >= GROUPS
    assert all(len(c.tolerance_why) > 10 and len(c.source) > 5 for c in cases)


@pytest.mark.parametrize("lam,c", [(2.0, 3), (2.7, 3), (4.5, 5)])
def test_queueing_oracles_agree_with_an_independent_formula(lam, c):
    # The verification oracle (Erlang B recursion) against the tests' direct Erlang C sum.
    assert erlang_c(lam, 1.0, c) == pytest.approx(erlang_c_reference(lam, 1.0, c), rel=1e-12)
    a = lam
    direct = (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))
    assert erlang_b(a, c) == pytest.approx(direct, rel=1e-12)


def test_imo_assessment_batches_and_convergence_rule():
    assert [imo_replications(n) for n in (1, 50, 51, 120)] == [50, 50, 100, 150]
    rng = np.random.default_rng(1)
    steady = rng.normal(30.0, 1.0, 200)
    r = assess("t90_min", steady)
    assert len(r.p95_by_batch) == 200 // BATCH
    assert r.p95_by_batch[-1] == pytest.approx(np.percentile(steady, 95, method="higher"))
    assert r.converged is True  # 95th percentile of N(30, 1) moves ≪ 2 % per batch
    jump = np.concatenate([np.full(50, 10.0), np.full(50, 20.0)])
    assert assess("t", jump).converged is False  # 10 → 20: a 100 % change
    one = assess("t", np.full(50, 5.0))
    assert one.converged is None and "not yet checked" in one.lines()[-1]
    never = assess("t", np.array([1.0] * 40 + [math.nan] * 10))
    assert math.isinf(never.p95) and never.missing == 10 and never.converged is False
    assert "no finite 95th percentile" in never.lines()[2]


def test_run_imo_applies_50_replications_and_writes_the_percentile(tmp_path):
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    path = write_scenario(tmp_path, fixed_muster(muster={"preparation": {
        "dist": "exponential", "mean": 5}}))
    r = cli("run", str(path), "--imo", "--reps", "10", "--no-store", "--out",
            str(tmp_path / "out"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "out" / "imo.json").read_text(encoding="utf-8"))
    assert data["replications"] == 50 and data["metric"] == "t90_min"
    assert data["converged"] is None and len(data["p95_by_batch"]) == 1
    assert "95th percentile of t90_min over 50 replications" in r.stdout


def test_the_review_size_case_runs_the_real_review_and_fails_when_too_many_are_flagged(tmp_path):
    from sim.verify.review_size import review_flags

    flags = review_flags(1, 20, 0.05, seed=5)
    assert flags.reviews == 20 and 0 <= flags.flagged <= 20 and flags.late_flagged >= 18
    # At alpha = 0.5 the same review flags about half of the model-made logs: the count
    # responds to the stated size (binomial: P(Binom(20, 0.5) <= 3) ≈ 0.0013).
    assert review_flags(1, 20, 0.5, seed=5).flagged > 3
    bound = Check("flags", 0.05, 0.08, 0.2, at_most=True)
    assert not bound.passed and Check("flags", 0.05, 0.08, 0.0, at_most=True).passed
    wrong = broken(VCase("t.b", "b", "statistics", "s", "s", "t",
                         lambda ctx: Outcome([Check("flags", 0.05, 0.08, 0.0, at_most=True)])))
    assert run_case(wrong, Context(quick=True, workdir=tmp_path)).status == "fail"
    real = next(c for c in library() if c.id == "statistics.review-size")
    assert run_case(broken(real), Context(quick=True, workdir=tmp_path)).status == "fail"
