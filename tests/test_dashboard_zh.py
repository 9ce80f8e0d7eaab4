"""The dashboard's first screen in 中文 (AppTest): every word a planner reads is Chinese, except
proper names — places' ids as the scenario file gives them (and, on the Plans page, the plans'
keys beside their Chinese names), the file's name, the product's name, the language switch's
"English" — and the names of file formats on download buttons."""

from __future__ import annotations

import json
import re

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from sim.kinds.festival.config import SHIFT_NAMES  # noqa: E402
from sim.present.i18n import use_lang  # noqa: E402
from tests.helpers import APP, opened  # noqa: E402


@pytest.fixture
def zh(env, monkeypatch):
    """A dashboard test's own surroundings (``env``), the page in 中文."""
    monkeypatch.setenv("GRIDMUSTER_LANG", "zh")
    return env

ELEMENTS = ("markdown", "caption", "header", "subheader", "title", "info", "warning", "success",
            "error", "metric", "button", "expander", "selectbox", "multiselect", "number_input",
            "text_input", "tabs", "radio")
ALLOWED = {"gridmuster", "English", "Language", "CSV", "Excel", "HTML", "Word", "docx", "GB",
           "yaml", "json"}


def shown_texts(at: AppTest) -> list[str]:
    """The labels, values and table cells of the page, as a planner reads them."""
    texts: list[str] = []
    for kind in ELEMENTS:
        for el in at.get(kind):
            for attr in ("value", "label", "delta"):  # (a card's delta names the plan compared)
                v = getattr(el, attr, None)
                shown_at = getattr(el, "index", None)
                if kind in ("selectbox", "radio") and attr == "value" and shown_at is not None:
                    v = getattr(el, "options", [])[shown_at]  # the choice as shown, not its code
                if isinstance(v, str):
                    texts.append(v)
    for d in at.dataframe:
        f = d.value
        if d.proto.editing_mode:  # an editor: its headers and choices as column_config shows them
            # (its cells are the scenario's own values: parameter paths, numbers)
            config = json.loads(d.proto.columns or "{}")
            # (columns left out of ``column_order`` are hidden: kept for saving, not shown)
            for name in list(d.proto.column_order) or f.columns:
                c = config.get(str(name)) or {}
                texts += [c.get("label") or str(name)] + [o["label"] for o in (c.get(
                    "type_config") or {}).get("options") or [] if isinstance(o, dict)]
                if c.get("disabled") and str(name) in f.columns:  # read-only: the page's words
                    texts += [str(v) for v in f[name]]  # (the staffing editor's posts)
            continue
        texts += [str(c) for c in f.columns] + [str(v) for v in f.astype(str).to_numpy().ravel()]
    for t in at.table:
        f = t.value
        texts += [str(c) for c in [f.index.name, *f.columns, *f.index] if c is not None]
        texts += [str(v) for v in f.astype(str).to_numpy().ravel()]
    return texts


@pytest.mark.parametrize("scenario", ["muster_youchegang.yaml", "rainstorm_yangning.yaml"])
def test_first_screen_has_no_untranslated_english(zh, monkeypatch, scenario):
    monkeypatch.setenv("GRIDMUSTER_DASHBOARD_REPS", "3")
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["scenario"] = scenario
    at.run()
    assert not at.exception, at.exception
    s = at.session_state["scenario"]
    # Place ids (shelter `village_committee`) are the planner's own names; plans are shown by
    # their Chinese names (every bundled plan has one), never by their keys.
    with use_lang("en"):  # (the places' ids: in 中文 the map labels them by their names)
        ids = {pid for items in s.places().values() for _node, pid in items}
    names = set(re.findall(r"[A-Za-z_]+", scenario)) | ALLOWED | ids
    english = {}
    for text in shown_texts(at):
        if text == "Run & compare":  # the page radio's value; it shows as 运行与比较
            continue
        prose = re.sub(r"`[^`]*`", "", text)  # `objectives:` is what the planner types
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", prose) if w not in names}
        if words:
            english[text[:80]] = sorted(words)
    assert not english, english
    assert any("目标" in t for t in shown_texts(at)) and len(at.dataframe) >= 2  # results shown


def test_metric_arrows_point_the_same_way_in_both_languages():
    """A difference under a decision card starts with its sign in 中文 too (Streamlit draws the
    arrow from the text's first character)."""
    from sim.present.i18n import _

    for lang in ("en", "zh"):
        with use_lang(lang):
            assert _("{delta} vs {ref}", delta="−308", ref="baseline").startswith("−308")


def test_history_page_in_chinese(env, monkeypatch):
    """History lists a recorded comparison in 中文: headers, commands, statuses."""
    from tests.helpers import ROOT, cli_here, goto

    tmp_path = env
    done = cli_here("compare", str(ROOT / "scenarios" / "muster_youchegang.yaml"), "--plans",
                    "baseline,night", "--reps", "2", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
    monkeypatch.setenv("GRIDMUSTER_LANG", "zh")
    monkeypatch.setenv("GRIDMUSTER_DASHBOARD_REPS", "2")
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["scenario"] = "muster_youchegang.yaml"
    at.run()
    goto(at, "History")
    assert not at.exception, at.exception
    runs = at.dataframe[0].value
    assert {"编号", "命令", "状态", "用时"} <= set(runs.columns)
    assert "比较方案" in set(runs["命令"])
    assert "已完成" in set(runs["状态"])
    assert set(runs["情景"]) == {"油车港镇一小时集结演练"}  # the scenario's name_zh
    s = at.session_state["scenario"]
    names = set(s.plan_names()) | ALLOWED | {"GRIDMUSTER_STORE", "muster_youchegang"}
    english = {}
    for text in shown_texts(at):
        # the page radio's values (shown through their 中文 labels)
        if text in ("Run & compare", "History"):
            continue
        prose = re.sub(r"\S*/\S*", "", text)  # the store's path is a file name
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", prose) if w not in names}
        if words:
            english[text[:80]] = sorted(words)
    assert not english, english


def shift_names(raw: object) -> set[str]:
    """The names the scenario gives its shifts (the keys of every ``roster:`` of posts)."""
    found: set[str] = set()
    if isinstance(raw, dict):
        for k, v in raw.items():
            if k == "roster" and isinstance(v, dict):
                found |= {str(n) for n in v}
            found |= shift_names(v)
    elif isinstance(raw, list):
        for v in raw:
            found |= shift_names(v)
    return found


def english_words(at: AppTest, names: set[str]) -> dict[str, list[str]]:
    """Texts on the page with English words in them, other than ``names`` (proper names), file
    paths and what the planner types in YAML (`between backticks`)."""
    english = {}
    for text in shown_texts(at):
        prose = re.sub(r"`[^`]*`|\S*/\S*", "", text)
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", prose) if w not in names}
        if words:
            english[text[:80]] = sorted(words)
    return english


@pytest.mark.parametrize("scenario", ["muster_youchegang.yaml", "rainstorm_yangning.yaml",
                                      "tide_yanguan.yaml"])
def test_scenario_plans_and_what_matters_pages_in_chinese(zh, scenario):
    """The pages before a run, opened in 中文 (nothing runs): headings, choices, metrics, the
    plans table and the editors' headers, a saved plan's row and messages."""
    from tests.helpers import goto

    at = opened(scenario, "Scenario", timeout=300)
    s = at.session_state["scenario"]
    with use_lang("en"):  # (the places' ids: in 中文 the map labels them by their names)
        ids = {pid for items in s.places().values() for _node, pid in items}
    names = (set(s.plan_names()) | set(re.findall(r"[A-Za-z_]+", scenario)) | ALLOWED | ids
             | {"YAML", "Morris", "Sobol", "App"})  # 网格App: what planners call the grid app
    names |= set(re.findall(r"[A-Za-z][A-Za-z_]{2,}", " ".join(s.plan_names())))  # next50_…
    # a festival's shifts the scenario names itself (A, B) are its own; the bundled names
    # (day, night, early …) read as 白班, 夜班, 早班
    names |= shift_names(s.raw) - set(SHIFT_NAMES)
    assert "类型 **" in " ".join(shown_texts(at))  # the kind by its plain name
    seen = {}
    for page in ("Scenario", "Plans", "What matters"):
        goto(at, page)
        if page == "Plans":  # a saved plan: its row in the saved plans table and the message
            at.text_input(key="new_plan_name").set_value("mine").run()
            at.button(key="save_plan").click().run()
            assert not at.exception, at.exception
            assert any("已将方案“mine”保存" in el.value for el in at.success)
        seen[page] = english_words(at, names | {"mine", *(f"{p}_edited" for p in names)})
    assert seen == {"Scenario": {}, "Plans": {}, "What matters": {}}, seen
    assert "保存时间" in " ".join(shown_texts(at.sidebar.radio(key="page").set_value(
        "Plans").run()))  # the saved plans table's headers, in 中文


def test_what_matters_table_columns_in_chinese():
    """The ranked assumptions (shown after a minutes-long analysis) have Chinese headers."""
    from dashboard.page_what_matters import ranked_rows
    from sim.present.i18n import use_lang

    row = {"rank": 1, "label": "alert delay", "low": 1.0, "high": 5.0, "source": "drill log",
           "mu_star": 0.5, "mu_star_conf": 0.1, "sigma": 0.2, "S1": 0.3, "ST": 0.4,
           "ST_conf": 0.05}
    for method in ("morris", "sobol"):
        with use_lang("zh"):
            columns = list(ranked_rows({"method": method, "indices": [row]})[0])
        assert not [c for c in columns if re.search(r"[A-Za-z]{2,}", c)], columns
        assert columns[:3] == ["排序", "假设", "取值范围"]


def test_downloaded_comparison_has_chinese_headers_and_english_stays_english():
    """The CSV/Excel table of a comparison: headers, units and the plan's name in the planner's
    language; the metric id and plan id columns keep the codes (what a script reading the file
    matches on)."""
    from dashboard.exports import export_frame
    from sim.present.i18n import use_lang

    data = {"plans": {"baseline": {"plan": "baseline", "plan_zh": "白天集结",
                                   "metrics": {"mustered_60min": {
        "mean": 1200.0, "ci95_low": 1100.0, "ci95_high": 1300.0, "p5": 1000.0, "p95": 1400.0}}}}}
    with use_lang("zh"):
        zh = export_frame(data)
    with use_lang("en"):
        en = export_frame(data)
    assert not [c for c in zh.columns if re.search(r"[A-Za-z]{2,}", c)], list(zh.columns)
    assert zh.iloc[0].tolist()[:3] == ["白天集结", "60 分钟内集结人数", "人"]
    assert zh.iloc[0].tolist()[-2:] == ["mustered_60min", "baseline"]
    assert list(en.columns)[:3] == ["plan", "measure", "unit"]
    assert list(en.columns)[-2:] == ["metric id", "plan id"]
    assert en.iloc[0].tolist()[:3] == ["baseline", "people mustered by 60 min", "people"]


def test_replay_page_in_chinese(zh):
    """Replay of the rainstorm in 中文: the counts and the roads-under-water tables included."""
    from tests.helpers import goto

    at = opened("rainstorm_yangning.yaml", "Scenario", timeout=300)
    goto(at, "Replay")
    at.slider(key="replay_minute").set_value(170).run()
    assert not at.exception, at.exception
    s = at.session_state["scenario"]
    names = set(s.plan_names()) | ALLOWED | {"rainstorm_yangning"}
    assert english_words(at, names) == {}
    texts = shown_texts(at)
    assert "步行封闭" in texts and "数量" in texts  # the roads table, in words


def test_replay_of_a_muster_in_chinese_names_queues_and_minutes_the_chinese_way(zh):
    """The muster replay's headings in 中文 with Chinese brackets (they read "第 30 分钟 (10:00)"
    and "排队 (等待签到)") and its queue table by the assembly points' Chinese names."""
    from tests.helpers import goto

    at = opened("muster_youchegang.yaml", "Scenario", timeout=300)
    goto(at, "Replay")
    at.slider(key="replay_minute").set_value(30).run()
    assert not at.exception, at.exception
    said = [m.value for m in at.markdown]
    assert "**第 30 分钟（10:00）**" in said and "**排队**（等待签到）" in said, said
    queues = next(d.value for d in at.dataframe if "地点" in d.value.columns)
    assert len(queues) and all(p.endswith(" 号集结点") for p in queues["地点"]), queues


def test_failure_regions_read_in_chinese():
    """The What matters page's failure-region sentences (PRIM boxes) in 中文; the same words in
    English as before."""
    from sim.analysis.robustness import _joined
    from sim.present.i18n import _, use_lang

    with use_lang("zh"):
        assert _joined(["潮位 ≥ 5", "准备时间 介于 3 与 9 之间"]) == "潮位 ≥ 5 且准备时间 介于 3 与 9 之间"
        zh = _("{plan} misses {what} when {where} (holds {coverage} of the failing samples; "
               "{density} of the samples in it fail)", plan="baseline", what=_("an objective"),
               where="x ≥ 1", coverage="80%", density="90%")
    assert not re.search(r"[A-Za-z]{3,}", zh.replace("baseline", "")), zh
    with use_lang("en"):
        assert _joined(["a ≥ 1", "b ≤ 2", "c = 3"]) == "a ≥ 1 and b ≤ 2 and c = 3"


def test_scenario_page_problems_in_chinese(zh):
    """Pasting a scenario with problems in 中文: the count of problems, the note that the last
    valid scenario stays open, and the paste choices are Chinese."""
    from tests.helpers import goto

    at = opened("muster_youchegang.yaml", "Scenario", timeout=300)
    goto(at, "Scenario")
    at.radio(key="source").set_value("Paste YAML").run()
    at.text_area(key="pasted_yaml").set_value("name: x\nkind: muster\n").run()
    at.button(key="load_pasted").click().run()
    assert not at.exception, at.exception
    error = at.error[0].value
    assert error.startswith("粘贴的 YAML 有 ") and "处问题" in error, error
    assert at.info[0].value.startswith("仍显示上一个有效的情景"), at.info[0].value
    assert "粘贴 YAML" in shown_texts(at)  # the choice as shown


def test_a_cards_difference_names_the_plan_it_is_against(zh, monkeypatch):
    """Under a decision card, a significant difference says which plan it is against by that
    plan's Chinese name, as the caption above the cards does (it said the key: 较“baseline”).
    Yangning's two first plans differ significantly within 10 replications (measured: on 2
    of its decision cards; the test needs one, and fails if none shows)."""
    from dashboard import state

    monkeypatch.setenv("GRIDMUSTER_DASHBOARD_REPS", "2")
    state.clear_results()  # (results kept by another test in this process would be shown)
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["scenario"] = "rainstorm_yangning.yaml"
    at.run()
    at.number_input(key="run_reps").set_value(10)
    at.button(key="run_submit").click().run()
    # (The page shows a first replication at once and refines in the background: the cards
    # are read once all 10 are in.)
    job = at.session_state["job"]
    job.thread.join(timeout=240)
    assert job.result is not None and not job.error, job.error
    at.run()
    assert not at.exception, at.exception
    assert any("10 次重复" in c.value for c in at.caption)
    deltas = [m.delta for m in at.metric if m.delta]
    assert deltas, "no significant difference shown: nothing checked"
    assert all(d.endswith("（较“按报道处置”）") for d in deltas), deltas
