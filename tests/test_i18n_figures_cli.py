"""中文 in the kinds' figures, the replay's counts and the runs/network commands, and a plan's
``description_zh``: every word a planner reads is Chinese when the language is 中文."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.core.scenario import load_scenario
from sim.present.i18n import use_lang
from sim.run.experiments import run_plan
from tests.festival_helpers import small_festival
from tests.helpers import ROOT, build, cli_here

HAN = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z]{3,}")  # an English word (ids such as P1, X, G1 are not words)


def figure_texts(fig: Any) -> list[str]:
    """Every text a figure shows: titles, axis labels, legend entries, annotations."""
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
    return [t for t in texts if t.strip()]


def english_words(texts: list[str], allowed: set[str]) -> list[str]:
    """Texts that still hold an English word once the allowed names (plans, scenario) are
    taken out."""
    out = []
    for t in texts:
        rest = t
        for name in sorted(allowed, key=len, reverse=True):
            rest = rest.replace(name, "")
        if WORD.search(rest):
            out.append(t)
    return out


@pytest.fixture(scope="module")
def festival_summary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    s = build(tmp_path_factory.mktemp("fest"), small_festival())
    return run_plan(s, None, 2).summary()


def test_festival_figures_in_chinese_have_no_english_left(festival_summary):
    import matplotlib.pyplot as plt

    from sim.kinds.festival.present import festival_figures

    allowed = {festival_summary["plan"], festival_summary["scenario"]}
    with use_lang("zh"):
        figs = festival_figures([festival_summary])
        assert {"queues", "density", "density_strip"} <= set(figs)
        texts = {k: figure_texts(f) for k, f in figs.items()}
    for f in figs.values():
        plt.close(f)
    assert "small festival：检查点排队人数（均值，5–95 % 区间）" in texts["queues"]
    assert "活动日开始后小时数" in texts["density"]
    for key, found in texts.items():
        assert not english_words(found, allowed), (key, english_words(found, allowed))
    # and the same figure in English is English (the check above can fail)
    with use_lang("en"):
        fig = festival_figures([festival_summary])["queues"]
        en = figure_texts(fig)
        plt.close(fig)
    assert "hours after day start" in en and english_words(en, allowed)


def test_evacuation_occupancy_figure_in_chinese():
    import matplotlib.pyplot as plt

    from sim.kinds.evacuation.present import occupancy_figure

    band = {"t_min": [0, 30, 60], "mean": [0, 40, 90], "p5": [0, 30, 80], "p95": [0, 50, 99]}
    summary = {"scenario": "s", "plan": "baseline", "plan_zh": "按报道处置",
               "series": {"occupancy[shelter=school]": band}}
    with use_lang("zh"):
        fig = occupancy_figure([summary])
        assert fig is not None
        texts = figure_texts(fig)
        plt.close(fig)
    assert "按报道处置：避难场所安置人数" in texts and "转移命令下达后分钟数" in texts
    assert not english_words(texts, {"school"}), texts


def test_replay_counts_table_names_states_in_chinese():
    import pandas as pd

    from dashboard.replay_view import counts_in_words
    from sim.kinds.festival.present import FESTIVAL_REPLAY

    counts = pd.DataFrame({"state": ["queueing", "team on scene"],
                           "who": [FESTIVAL_REPLAY.who_default, "teams"], "number": [3, 1]})
    with use_lang("zh"):
        zh = counts_in_words(counts)
    assert list(zh.columns) == ["状态", "对象", "数量"]
    assert list(zh["状态"]) == ["排队中", "处置队在现场"] and list(zh["数量"]) == [3, 1]
    with use_lang("en"):
        assert counts_in_words(counts).equals(counts)


def test_runs_list_and_network_show_print_chinese(tmp_path):
    r = cli_here("--lang", "zh", "runs", "list", "--store", str(tmp_path / "runs.db"))
    assert r.returncode == 0, r.stdout
    assert "中的运行记录" in r.stdout or HAN.search(r.stdout), r.stdout
    out = tmp_path / "map.png"
    r = cli_here("--lang", "zh", "network", "show", str(ROOT / "scenarios" /
                                                          "yanguan_seawall.graphml"),
                 "--out", str(out))
    assert r.returncode == 0, r.stdout
    for words in ("节点：", "连通分量：", "道路总长：", "已写入"):
        assert words in r.stdout, r.stdout
    assert out.stat().st_size > 0
    r = cli_here("network", "show", str(ROOT / "scenarios" / "yanguan_seawall.graphml"),
                 "--out", str(out))
    assert "total road length" in r.stdout and not HAN.search(r.stdout.replace(
        "yanguan", "")), r.stdout


def test_plan_description_zh_is_kept_and_shown_in_chinese(tmp_path):
    data = small_festival(plans={
        "baseline": {"description": "As planned."},
        "fewer": {"description": "Fewer volunteers.", "description_zh": "志愿者减少。"}})
    s = build(tmp_path, data)
    assert s.plan("fewer").description_zh == "志愿者减少。"
    assert s.plan("baseline").description_zh == ""
    summary = run_plan(s, "fewer", 2).summary()
    assert summary["description_zh"] == "志愿者减少。"
    assert "description_zh" not in run_plan(s, "baseline", 2).summary()  # as before


def test_every_bundled_plan_has_a_chinese_description():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        s = load_scenario(path)
        for name, patch in (raw.get("plans") or {}).items():
            if (patch or {}).get("description"):
                zh = s.plan(name).description_zh
                assert HAN.search(zh), f"{Path(path).name}: plans.{name}.description_zh"


def test_festival_staff_table_in_chinese(tmp_path):
    from sim.kinds.festival.present import staff_table

    model = build(tmp_path, small_festival()).plan().model
    with use_lang("zh"):
        zh = staff_table(model)
    en = staff_table(model)
    assert zh.index.name == "岗位" and zh.index[-1] == "全部岗位"
    assert list(zh.index[:-1]) == ["检查点 X（1 个班次）", "观潮点 P1 疏导员", "观潮点 P2 疏导员"]
    assert en.index[-1] == "all posts" and (zh.to_numpy() == en.to_numpy()).all()


def test_festival_staff_table_names_team_groups_in_chinese():
    from sim.kinds.festival.present import staff_table

    model = load_scenario(ROOT / "scenarios" / "tide_yanguan.yaml").plan().model
    with use_lang("zh"):
        zh = list(staff_table(model).index)
    assert {"网格队伍（18 支）", "医疗队伍（9 支）", "安保队伍（9 支）"} <= set(zh)
    assert "grid teams (18)" in list(staff_table(model).index)
