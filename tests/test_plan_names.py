"""Plans named in Chinese (a plan's ``name_zh``): in 中文 every table, chart, verdict and report
names a plan by its Chinese name, not by its key in the file (``more_workers``); two plans are
never shown alike; English keeps the keys, which the command line takes."""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml

from sim.core.errors import ScenarioError
from sim.core.scenario import load_scenario, parse_scenario
from sim.present.i18n import use_lang
from sim.present.plan_names import pair_label, plan_labels
from tests.helpers import ROOT, cli

YANGNING = ROOT / "scenarios" / "rainstorm_yangning.yaml"
ZH_NAMES = {"baseline": "按报道处置", "more_workers": "网格员增至 30 人",
            "late_warning": "预警推迟 30 分钟"}


def test_labels_are_the_chinese_names_in_chinese_and_the_keys_in_english():
    plans = [("baseline", ""), ("more", "增派网格员"), ("night", None)]
    with use_lang("zh"):
        # (the tool's implicit plan in words when the scenario does not name it)
        assert plan_labels(plans) == {"baseline": "基准方案", "more": "增派网格员", "night": "night"}
        assert pair_label("more - baseline", plan_labels(plans)) == "增派网格员 - 基准方案"
    with use_lang("en"):
        assert plan_labels(plans) == {"baseline": "baseline", "more": "more", "night": "night"}


def test_plans_that_would_read_alike_are_told_apart():
    """A plan saved on the dashboard under another plan's Chinese name: both stay apart (a
    table keyed by what it shows would otherwise merge their columns)."""
    with use_lang("zh"):
        labels = plan_labels([("more", "增派网格员"), ("增派网格员", None), ("x", "甲"),
                              ("y", "甲")])
    assert labels == {"more": "增派网格员（more）", "增派网格员": "增派网格员",
                      "x": "甲（x）", "y": "甲（y）"}
    assert len(set(labels.values())) == len(labels)


def _yangning(**names: str) -> dict:
    raw = yaml.safe_load(YANGNING.read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    for plan, name in names.items():
        raw["plans"][plan]["name_zh"] = name
    return raw


def test_two_plans_with_one_chinese_name_are_refused_naming_the_field():
    with pytest.raises(ScenarioError) as err:
        parse_scenario(_yangning(more_workers="按报道处置"), YANGNING.parent)
    (p,) = [p for p in err.value.problems if "name_zh" in p.path]
    assert p.path == "plans.more_workers.name_zh" and p.value == "按报道处置"
    assert "baseline" in p.message
    # A Chinese name that is another plan's key reads as that plan: refused too.
    with pytest.raises(ScenarioError) as err:
        parse_scenario(_yangning(late_warning="more_workers"), YANGNING.parent)
    assert [p.path for p in err.value.problems] == ["plans.late_warning.name_zh"]
    # Its own key is no other plan's.
    s = parse_scenario(_yangning(late_warning="late_warning"), YANGNING.parent)
    assert s.plan("late_warning").name_zh == "late_warning"


def test_every_bundled_plan_has_its_own_chinese_name():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        s = load_scenario(path)
        names = [s.plan(p).name_zh for p in s.plan_names()]
        assert all(names) and len(set(names)) == len(names), (path.name, names)
        assert not any(re.search(r"[A-Za-z]{3,}", n.replace("App", "")) for n in names), names


def test_a_comparison_in_chinese_names_its_plans_in_chinese(tmp_path):
    """``compare`` in 中文: the table's columns and the verdicts; the summaries record the
    names (``plan_zh``) for the reports written later, while keys stay the JSON's keys."""
    out = tmp_path / "out"
    done = cli("--lang", "zh", "compare", str(YANGNING), "--reps", "3", "--out", str(out),
               "--no-store")
    assert done.returncode == 0, done.stdout + done.stderr
    text = done.stdout
    for key, name in ZH_NAMES.items():
        assert name in text, name
        assert key not in text, key
    assert "与“按报道处置”的配对差异" in text  # (the verdicts below it name both plans)
    data = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert {k: v.get("plan_zh") for k, v in data["plans"].items()} == ZH_NAMES
    assert "more_workers - baseline" in data["differences"]["evacuated_60min"]
    # The HTML and GB/T reports of it, written in 中文: the names, never the keys.
    for fmt, name in (("hseep", "report.html"), ("gbt46792", "gbt.docx")):
        done = cli("--lang", "zh", "report", str(out), "--format", fmt, "--out",
                   str(tmp_path / name))
        assert done.returncode == 0, done.stdout + done.stderr
    for name in ("report.html", "gbt.html"):
        page = re.sub(r"data:[^\"]+", "", (tmp_path / name).read_text(encoding="utf-8"))
        assert all(n in page for n in ZH_NAMES.values()), name
        assert not any(k in page for k in ZH_NAMES), name
    # In English the keys, as the command line takes them.
    done = cli("report", str(out), "--out", str(tmp_path / "en.html"))
    assert done.returncode == 0, done.stdout + done.stderr
    page = (tmp_path / "en.html").read_text(encoding="utf-8")
    assert "more_workers" in page and "网格员增至" not in page


def test_validate_names_each_plan_and_its_key_in_chinese():
    """``validate`` points into the file the planner edits: in 中文 a plan reads as its name
    with its key beside it, in the plan list, the work estimate and the staffing lines."""
    path = str(ROOT / "scenarios" / "rainstorm_yangning.yaml")
    r = cli("--lang", "zh", "validate", path)
    assert r.returncode == 0, r.stderr
    assert "方案：按报道处置（baseline）（21 名处置人员" in r.stdout, r.stdout
    assert "  网格员增至 30 人（more_workers）：每次重复仿真约" in r.stdout, r.stdout
    r = cli("--lang", "zh", "validate", str(ROOT / "scenarios" / "tide_yanguan.yaml"))
    assert r.returncode == 0, r.stderr
    assert "各组人员（方案“按报道部署（reported）”）：" in r.stdout, r.stdout
    r = cli("validate", path)  # English: the keys, as before
    assert "plans: baseline (21 responders" in r.stdout and "  more_workers: about" in r.stdout
