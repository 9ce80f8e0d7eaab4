"""Robustness: PRIM recovers planted failure boxes; plans compared on the same samples of the
assumption space, with failure shares known by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.analysis.robustness import prim, report_section, robustness
from sim.core.errors import ScenarioError
from tests.helpers import build, cli, fixed_muster, write_scenario


def _planted(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4))
    y = ((x[:, 0] > 0.7) & (x[:, 1] < 0.4)).astype(float)
    flip = rng.random(n) < noise
    y[flip] = 1 - y[flip]
    return x, y


def test_prim_recovers_a_planted_box():
    x, y = _planted(1000, 0.0, 1)
    boxes = prim(x, y, [(0.0, 1.0)] * 4)
    assert len(boxes) == 1
    box = boxes[0]
    assert box.restricted([(0.0, 1.0)] * 4) == [0, 1]
    # Bounds are the extreme samples kept: with 1,000 points about 0.12 of them fall in the
    # box, so neighbouring samples along an edge are ~0.01-0.03 apart.
    assert box.bounds[0][0] == pytest.approx(0.7, abs=0.03)
    assert box.bounds[1][1] == pytest.approx(0.4, abs=0.03)
    assert box.density == 1.0 and box.coverage >= 0.9


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_prim_finds_the_box_through_label_noise(seed):
    # 5 % of the outcomes flipped: ~0.05 * 880 = 44 false failures outside the box against
    # ~120 true ones inside, so the density of the true box is ~0.95 * 120 / 126 ≈ 0.9.
    x, y = _planted(1000, 0.05, seed)
    box = prim(x, y, [(0.0, 1.0)] * 4)[0]
    assert box.restricted([(0.0, 1.0)] * 4) == [0, 1]
    assert box.bounds[0][0] == pytest.approx(0.7, abs=0.06)
    assert box.bounds[1][1] == pytest.approx(0.4, abs=0.06)
    assert box.density >= 0.8 and box.coverage >= 0.5


def test_prim_on_no_failures_gives_no_box():
    x, _ = _planted(200, 0.0, 1)
    assert prim(x, np.zeros(200)) == []


def _toy(tmp_path):
    """One grid head at the assembly point, every delay fixed: arrival at 1 + 2 + 0.5 +
    preparation + 1 = 4.5 + preparation minutes. The objective (at most 20 min) is missed iff
    preparation > 15.5. Plan ``quick`` notices the alert in 0.1 min instead of 2: missed iff
    preparation > 17.4. The night notice time is irrelevant by day."""
    data = fixed_muster(forces={"grid_head": {"per_grid": 1, "grids": ["GC"]}})
    data["objectives"] = [{"description": "everyone in within 20 min", "metric": "t50_min",
                           "at_most": 20}]
    data["plans"] = {"baseline": {}, "quick": {"muster": {"notice_day": 0.1}}}
    data["assumptions"] = [
        {"path": "muster.preparation", "low": 0.1, "high": 20, "label": "preparation (min)",
         "source": "toy"},
        {"path": "muster.notice_night", "low": 5, "high": 20, "label": "night notice (min)",
         "source": "toy"}]
    build(tmp_path, data)
    return data


def test_robustness_finds_the_failing_region_and_compares_plans(tmp_path):
    s = build(tmp_path, _toy(tmp_path))
    n = 50
    res = robustness(s, ["baseline", "quick"], n=n, reps=1)
    # Latin hypercube: one sample per stratum of width 19.9/50 along preparation, so the share
    # of samples above a threshold is within 1/n of the true share.
    for plan, threshold in (("baseline", 15.5), ("quick", 17.4)):
        p = res["plans"][plan]
        assert abs(p["fail_share"] - (20 - threshold) / 19.9) <= 1 / n + 1e-12
        (box,) = p["boxes"]
        assert list(box["bounds"]) == ["muster.preparation"]
        low, high = box["bounds"]["muster.preparation"]
        assert threshold <= low <= threshold + 2 * 19.9 / n and high == 20
        assert box["coverage"] == 1.0 and box["density"] == 1.0
        assert box["when"].startswith("preparation (min) ≥ ")
        assert "everyone in within 20 min" in box["sentence"]
    (comp,) = res["comparisons"]
    assert comp["only_b"] == 0.0 and comp["only_a"] > 0  # quick never fails where baseline holds
    assert comp["sentence"].startswith("quick fails in ")
    section = report_section(res)
    assert [r[0] for r in section["rows"]] == ["baseline", "quick"]
    assert all("None" not in c and "nan" not in c for row in section["rows"] for c in row)


def test_robustness_needs_objectives(tmp_path):
    data = _toy(tmp_path)
    data["objectives"] = []
    with pytest.raises(ScenarioError, match="objectives"):
        robustness(build(tmp_path, data), ["baseline"], n=10)


def test_robustness_cli_and_report_section(tmp_path):
    data = _toy(tmp_path)
    path = write_scenario(tmp_path, data)
    out = tmp_path / "compare"
    r = cli("compare", str(path), "--reps", "2", "--out", str(out))
    assert r.returncode == 0, r.stderr
    r = cli("robustness", str(path), "--plans", "baseline,quick", "--n", "20", "--reps", "1",
            "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "baseline misses everyone in within 20 min when preparation (min) ≥" in r.stdout
    assert "quick fails in" in r.stdout
    data_out = json.loads((out / "robustness.json").read_text())
    assert set(data_out["plans"]) == {"baseline", "quick"}
    r = cli("report", str(out))
    assert r.returncode == 0, r.stderr
    html = (out / "report.html").read_text()
    assert "Robustness: where the plan fails" in html and "quick fails in" in html


def test_objectives_read_in_the_planners_language(tmp_path):
    """In 中文 the objectives are the scenario's own Chinese (description_zh), joined as Chinese
    is; one without a description reads as its measure, statistic and bound in words, never
    as a metric's code name."""
    from sim.analysis.robustness import _objective_text
    from sim.present.i18n import use_lang

    r = cli("--lang", "zh", "robustness", "scenarios/muster_youchegang.yaml", "--n", "10",
            "--reps", "1", "--plans", "baseline", "--out", str(tmp_path / "rob"), "--no-store")
    assert r.returncode == 0, r.stderr
    assert "目标：干部、网格员和微网格长 1,500 人以上一小时内到队集结；30 分钟内花名册半数人员到达集结点" \
        in r.stdout, r.stdout
    assert "cadres" not in r.stdout and "roster" not in r.stdout
    bare = {"metric": "mustered_60min", "at_least": 1500, "statistic": "p50"}
    with use_lang("zh"):
        assert _objective_text(bare) == "60 分钟内集结人数（中位数）≥ 1,500"
    with use_lang("en"):
        assert _objective_text(bare) == "people mustered by 60 min (median) ≥ 1,500"
