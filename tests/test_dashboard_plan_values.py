"""Plans → "Other settings": a value the file writes as a code from a fixed list (an alert
channel, a delay's shape, what a checkpoint does when its queue is full) reads in the reader's
words, and what the planner types back, words of either language or the code, is saved as the
code; anything else is refused, the setting and its choices named in words."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from sim.core.paths import split_path  # noqa: E402
from sim.core.planedit import param_rows, resolved  # noqa: E402
from sim.core.scenario import Scenario, load_scenario  # noqa: E402
from sim.core.workspace import Workspace  # noqa: E402
from sim.present.i18n import use_lang  # noqa: E402
from sim.present.setting_words import SettingWords, setting_words, value_codes  # noqa: E402
from tests.helpers import ROOT, opened  # noqa: E402

SCENARIOS = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
HAN = re.compile(r"[\u4e00-\u9fff]")


def listed(s: Scenario, plan: str, parameter: str) -> SettingWords:
    section = resolved(s.raw, plan).get(s.kind.name) or {}
    return setting_words(s.kind, split_path(parameter), section)


def coded(s: Scenario, plan: str, parameters: list[str], values: list[str], lang: str
          ) -> list[tuple[str, str]]:
    """(parameter, cell) of the cells that show a code, or in 中文 no Chinese word."""
    bad = []
    for parameter, value in zip(parameters, values, strict=True):
        words = listed(s, plan, parameter)
        if not words.choices or not value:
            continue
        items = {x.strip() for x in re.split(r"[,、]", value)}
        if items & set(words.choices) or (lang == "zh" and not HAN.search(value)):
            bad.append((parameter, value))
    return bad


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_listed_value_is_shown_as_its_code_in_any_plan(scenario, lang):
    from dashboard.page_plans import setting_codes, setting_table

    s = load_scenario(ROOT / "scenarios" / scenario)
    with use_lang(lang):
        for plan in s.plan_names():
            rows = param_rows(s.raw, plan)
            table = setting_table(s, plan, rows)
            assert not coded(s, plan, list(table["parameter"]), list(table["value"]), lang)
            back, refused = setting_codes(s, plan, table.to_dict("records"))
            assert not refused, refused  # the words shown read back as the file's codes
            assert [r["value"] for r in back] == [r["value"] for r in rows]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_plans_page_shows_listed_values_in_words(env, monkeypatch, scenario, lang):
    monkeypatch.setenv("GRIDMUSTER_LANG", lang)
    at = opened(scenario, "Plans")
    s = at.session_state["scenario"]
    plan = at.selectbox(key="edit_base").value
    frame = at.data_editor(key=f"params::{plan}").value
    shown = coded(s, plan, list(frame["parameter"]), [str(v) for v in frame["value"]], lang)
    assert not shown, shown
    assert any(listed(s, plan, p).choices for p in frame["parameter"])  # something to check


def test_listed_values_read_back_from_either_language_or_the_code():
    s = load_scenario(ROOT / "scenarios" / "muster_youchegang.yaml")
    channels = listed(s, "baseline", "channels")
    shape = listed(s, "baseline", "grid_app.delivery.dist")
    assert channels.many and not shape.many and shape.shapes
    with use_lang("en"):
        assert value_codes(s.kind, channels, "Grid app， 工作群、phone_tree") == (
            "grid_app, group_chat, phone_tree")
        assert value_codes(s.kind, shape, "对数正态分布(右偏)") == "lognormal"
        assert value_codes(s.kind, shape, "triangular (lowest / most likely / highest)") == (
            "triangular")
        assert value_codes(s.kind, listed(s, "baseline", "horizon_min"), "90") == "90"
        with pytest.raises(ValueError, match="“carrier pigeon” is not one of the choices: "
                           "“grid app”, “group chat”, “phone tree”"):
            value_codes(s.kind, channels, "grid app, carrier pigeon")
    with use_lang("zh"), pytest.raises(ValueError,
                                       match="“飞鸽”不是可选值之一：“网格通知 App”、“工作群”、“电话树”"):
        value_codes(s.kind, channels, "飞鸽")


def _edit(at: AppTest, plan: str, parameter: str, value: str, name: str) -> AppTest:
    frame = at.data_editor(key=f"params::{plan}").value
    row = int(next(i for i, p in enumerate(frame["parameter"]) if p == parameter))
    at.session_state[f"params::{plan}"] = {"edited_rows": {row: {"value": value}},
                                           "added_rows": [], "deleted_rows": []}
    at.text_input(key="new_plan_name").set_value(name).run()
    return at.button(key="save_plan").click().run()


@pytest.mark.parametrize(("lang", "typed"), [("en", "group chat, 电话树"),
                                             ("zh", "工作群、phone_tree")])
def test_channels_edited_in_words_are_saved_as_codes(env, monkeypatch, lang, typed):
    monkeypatch.setenv("GRIDMUSTER_LANG", lang)
    at = _edit(opened("muster_youchegang.yaml", "Plans"), "baseline", "channels", typed,
               "chat_and_tree")
    assert not at.exception and not at.error, at.error
    saved = Workspace(str(at.session_state["origin_digest"])).plans()["chat_and_tree"]
    assert saved["patch"]["muster"]["channels"] == ["group_chat", "phone_tree"]
    again = opened("muster_youchegang.yaml", "Plans")  # a reload: the plan from the workspace
    plan = again.session_state["scenario"].plan("chat_and_tree")
    assert plan.model.muster.channels == ["group_chat", "phone_tree"]


def test_a_festival_rule_edited_in_chinese_words_is_saved_as_its_code(env, monkeypatch):
    monkeypatch.setenv("GRIDMUSTER_LANG", "zh")
    at = opened("tide_yanguan.yaml", "Plans")
    plan = at.selectbox(key="edit_base").value
    at = _edit(at, plan, "crowd_control.rule", "引导游客去别处", "redirecting")
    assert not at.exception and not at.error, at.error
    saved = Workspace(str(at.session_state["origin_digest"])).plans()["redirecting"]
    assert saved["patch"]["festival"]["crowd_control"] == {"rule": "redirect"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_value_that_is_none_of_the_choices_is_refused_in_words(env, monkeypatch, lang):
    monkeypatch.setenv("GRIDMUSTER_LANG", lang)
    at = _edit(opened("muster_youchegang.yaml", "Plans"), "baseline", "grid_app.delivery.dist",
               "bell curve", "bell")
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    if lang == "en":
        assert "alert via the grid app: delay until the message arrives, shape of the spread" \
            in message
        assert "“bell curve” is not one of the choices: “fixed (always the same)”" in message
        assert "“lognormal (skewed)”" in message
    else:
        assert "网格通知 App：消息送达延迟，分布形状" in message
        assert "“bell curve”不是可选值之一：“固定值（每次相同）”" in message
    assert "bell" not in at.session_state["scenario"].plan_names()
    assert not Workspace(str(at.session_state["origin_digest"])).plans()


def test_a_setting_with_choices_says_them_beside_it():
    """What may be typed is said before anything is refused: the alert channels' unit cell
    lists them in words."""
    from dashboard.page_plans import setting_table
    from sim.core.planedit import param_rows
    from sim.core.scenario import load_scenario
    from sim.present.i18n import use_lang
    from tests.helpers import ROOT

    s = load_scenario(ROOT / "scenarios" / "muster_youchegang.yaml")
    for lang, want in (("en", "any of: grid app, group chat"), ("zh", "可多选：")):
        with use_lang(lang):
            table = setting_table(s, "baseline", param_rows(s.raw, "baseline"))
        unit = table.loc[table["parameter"] == "channels", "unit"].iloc[0]
        assert unit.startswith(want), unit
