"""The dashboard's first screen in 中文 (AppTest): every word a planner reads is Chinese, except
proper names — the plans' names as the scenario file gives them, the file's name, the product's
name, the language switch's "English" — and the names of file formats on download buttons."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.helpers import APP  # noqa: E402

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
            for attr in ("value", "label"):
                v = getattr(el, attr, None)
                if isinstance(v, str):
                    texts.append(v)
    for d in at.dataframe:
        f = d.value
        texts += [str(c) for c in f.columns] + [str(v) for v in f.astype(str).to_numpy().ravel()]
    return texts


@pytest.mark.parametrize("scenario", ["muster_youchegang.yaml", "rainstorm_yangning.yaml"])
def test_first_screen_has_no_untranslated_english(monkeypatch, tmp_path, scenario):
    monkeypatch.setenv("GRIDMUSTER_WORKERS", "1")
    monkeypatch.setenv("GRIDMUSTER_STORE", str(tmp_path / "runs.db"))
    monkeypatch.setenv("GRIDMUSTER_LANG", "zh")
    monkeypatch.setenv("GRIDMUSTER_DASHBOARD_REPS", "3")
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["scenario"] = scenario
    at.run()
    assert not at.exception, at.exception
    s = at.session_state["scenario"]
    # Plan names and place ids (shelter `village_committee`) are the planner's own names.
    ids = {pid for items in s.places().values() for _node, pid in items}
    names = set(s.plan_names()) | set(re.findall(r"[A-Za-z_]+", scenario)) | ALLOWED | ids
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
    from sim.present.i18n import _, use_lang

    for lang in ("en", "zh"):
        with use_lang(lang):
            assert _("{delta} vs {ref}", delta="−308", ref="baseline").startswith("−308")


def test_history_page_in_chinese(monkeypatch, tmp_path):
    """History lists a recorded comparison in 中文: headers, commands, statuses."""
    from tests.helpers import ROOT, cli_here, goto

    monkeypatch.setenv("GRIDMUSTER_WORKERS", "1")
    monkeypatch.setenv("GRIDMUSTER_STORE", str(tmp_path / "runs.db"))
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
