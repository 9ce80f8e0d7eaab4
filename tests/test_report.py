"""The after-action report is made from real results and shows them."""

from __future__ import annotations

import json

from tests.helpers import BUNDLED
from tests.helpers import cli_here as cli


def test_report_from_a_comparison_folder_contains_its_figures(tmp_path):
    out = tmp_path / "cmp"
    r = cli("compare", str(BUNDLED), "--plans", "baseline,night", "--reps", "4", "--out",
            str(out))
    assert r.returncode == 0, r.stderr
    r = cli("report", str(out))
    assert r.returncode == 0, r.stderr
    html = (out / "report.html").read_text()
    comp = json.loads((out / "comparison.json").read_text())
    for plan in ("baseline", "night"):
        mean = comp["plans"][plan]["metrics"]["mustered_60min"]["mean"]
        assert f"{mean:,.0f}" in html
    assert "After-action report: Youchegang" in html
    assert "Objectives" in html and "missed" in html and "met" in html  # night misses 1,500
    assert "Improvement plan" in html and "Strengths" in html
    assert html.count("data:image/png;base64,") >= 3  # self-contained plots
    assert "night has" in html  # paired verdicts


def test_report_from_a_run_id_and_bad_sources(tmp_path):
    db = str(tmp_path / "runs.db")
    r = cli("run", str(BUNDLED), "--plan", "app_outage_drill", "--reps", "3", "--store", db,
            "--out", str(tmp_path / "run"))
    assert r.returncode == 0, r.stderr
    r = cli("report", "1", "--store", db, "--out", str(tmp_path / "aar.html"))
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "aar.html").read_text()
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    t50 = summary["metrics"]["t50_min"]["mean"]
    assert f"{t50:,.1f}" in html
    assert "grid app down" in html and "bridge closed" in html  # the storyline
    r = cli("report", str(tmp_path / "nothing-here"))
    assert r.returncode == 2 and "not a run id" in r.stderr and "Traceback" not in r.stderr
    r = cli("report", "99", "--store", db)
    assert r.returncode == 2 and "no finished run" in r.stderr
