"""Plans → "Other settings" in a planner's words: every setting of every bundled scenario has a
plain name and its unit in the reader's language, never a field path or a code name; the field
paths stay in the table, hidden, so that saving still finds each value."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from sim.core.catalogue import ROLE_NAMES  # noqa: E402
from sim.core.planedit import param_rows  # noqa: E402
from sim.core.scenario import load_scenario  # noqa: E402
from sim.present.i18n import use_lang  # noqa: E402
from tests.helpers import APP, ROOT, opened  # noqa: E402

SCENARIOS = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
SHOWN = ("group", "setting", "unit")
# A code name: snake_case (grid_app, horizon_min), a dotted path (delivery.p90), an index ([0])
CODE = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]|[A-Za-z]\.[A-Za-z]|\[\d+\]")


def codes_in(texts: list[str], allowed: set[str]) -> list[str]:
    """Texts that show a code name; ``allowed``: the planner's own ids (a reinforcement named
    ``county_team`` in the scenario file is their name, and is shown as written)."""
    return [t for t in texts if CODE.search(re.sub("|".join(map(re.escape, allowed)) or "$^",
                                                   "", t))]


def own_ids(raw: dict) -> set[str]:
    """The ids the planner wrote as values (an item's ``id``), longest first."""
    found: set[str] = set()

    def walk(v: object) -> None:
        if isinstance(v, dict):
            if isinstance(v.get("id"), str):
                found.add(v["id"])
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(raw)
    return set(sorted(found, key=len, reverse=True))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_setting_of_every_bundled_scenario_has_a_plain_name_and_unit(scenario, lang):
    from dashboard.page_plans import setting_table

    s = load_scenario(ROOT / "scenarios" / scenario)
    with use_lang(lang):
        for plan in s.plan_names():
            rows = param_rows(s.raw, plan)
            table = setting_table(s, plan, rows)
            assert len(table) == len(rows)
            texts = [str(v) for c in SHOWN for v in table[c]]
            assert not codes_in(texts, own_ids(s.raw)), (plan, codes_in(texts, own_ids(s.raw)))
            paths = set(table["parameter"])
            assert not paths & set(texts)
            # a field name shown with its underscores as spaces means the kind does not name it
            fields = {w for p in paths for w in re.split(r"[.\[\]]", p) if "_" in w}
            named = {*s.kind.dashboard.setting_names.values(), *ROLE_NAMES.values(),
                     *s.kind.dashboard.setting_units.values(),
                     *s.kind.dashboard.value_words.values(),
                     *(n for row in s.kind.value_names.values() for n in row.values())}
            spaced = {f.replace("_", " ") for f in fields} - named
            unnamed = spaced & {w for t in texts for w in re.split(r", |: ", t)}
            assert not unnamed, unnamed
            if lang == "zh":  # every group and name reads in Chinese (ids aside)
                bare = [t for t in table["setting"] if not re.search(r"[\u4e00-\u9fff]", t)]
                assert not bare, bare
            minutes = table[table["parameter"].str.endswith(("_min", ".median", ".p90"))]
            assert all(minutes["unit"]), minutes[minutes["unit"] == ""]


def test_the_words_say_what_a_setting_is_and_its_unit():
    from dashboard.page_plans import setting_table

    s = load_scenario(ROOT / "scenarios" / "muster_youchegang.yaml")
    with use_lang("en"):
        t = setting_table(s, "baseline", param_rows(s.raw, "baseline")).set_index("parameter")
    assert tuple(t.loc["grid_app.delivery.p90", ["group", "setting", "value", "unit"]]) == (
        "alert via the grid app", "delay until the message arrives, 90th percentile", "2", "min")
    assert t.loc["roles.cadre.availability_night", "group"] == "what each role does: cadre"
    assert t.loc["alert_time", "unit"] == "clock time (HH:MM)"
    with use_lang("zh"):
        t = setting_table(s, "baseline", param_rows(s.raw, "baseline")).set_index("parameter")
    assert tuple(t.loc["grid_app.delivery.p90", ["group", "setting", "unit"]]) == (
        "网格通知 App", "消息送达延迟，第 90 百分位数", "分钟")
    assert t.loc["roles.cadre.availability_night", "group"] == "各类人员的职责：干部"


def _settings_editor(at: AppTest, plan: str) -> tuple[list[str], list[str]]:
    """The columns the planner sees and their cells."""
    ed = at.data_editor(key=f"params::{plan}")
    config = json.loads(ed.proto.columns or "{}")
    order = list(ed.proto.column_order)
    frame = ed.value
    labels = [(config.get(c) or {}).get("label") or c for c in order]
    return labels, [str(v) for c in order if c != "value" for v in frame[c]]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("scenario", ["muster_youchegang.yaml", "tide_yanguan.yaml"])
def test_the_plans_page_shows_settings_in_words(env, monkeypatch, scenario, lang):
    monkeypatch.setenv("GRIDMUSTER_LANG", lang)
    at = opened(scenario, "Plans")
    s = at.session_state["scenario"]
    plan = at.selectbox(key="edit_base").value
    labels, cells = _settings_editor(at, plan)
    assert len(labels) == 4 and "parameter" not in labels and "type" not in labels
    assert not codes_in(cells + labels, own_ids(s.raw)), codes_in(cells, own_ids(s.raw))
    if lang == "zh":
        assert labels == ["方案组成部分", "设置项", "数值", "单位"]


def test_a_setting_edited_in_the_words_table_is_saved(env):
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["page"] = "Plans"
    at.run()
    frame = at.data_editor(key="params::baseline").value
    row = int(next(i for i, p in enumerate(frame["parameter"]) if p == "horizon_min"))
    at.session_state["params::baseline"] = {"edited_rows": {row: {"value": "150"}},
                                           "added_rows": [], "deleted_rows": []}
    at.text_input(key="new_plan_name").set_value("longer").run()
    at.button(key="save_plan").click().run()
    assert not at.exception and not at.error, at.error
    assert at.session_state["scenario"].raw["plans"]["longer"]["muster"] == {"horizon_min": 150}


def test_the_checker_sees_code_names():
    assert codes_in(["grid_app.delivery.p90", "assembly_points[0]", "horizon_min"], set()) == [
        "grid_app.delivery.p90", "assembly_points[0]", "horizon_min"]
    assert not codes_in(["reinforcements: county_team", "0.9 = 90 %"], {"county_team"})
    assert Path(APP).exists()


def test_festival_shift_words_are_translated_the_planners_names_are_kept():
    from sim.kinds.festival.staffing import STAFFING

    s = load_scenario(ROOT / "scenarios" / "tide_yanguan.yaml")
    section = dict(s.raw["festival"])
    section["checkpoints"] = {**section["checkpoints"], "X9": {
        "name": "Pier", "roster": {"A": {"start": "06:00", "end": "07:00"}}}}
    section["teams"] = {**section["teams"], "boat": {"count": 1, "members": {"volunteer": 2}}}
    with use_lang("zh"):
        labels = [p.label for p in STAFFING.posts(section)]
    assert "网格队伍：每队人数" in labels and "医疗队伍：每队人数" in labels
    assert "boat 队伍：每队人数" in labels  # a team group the scenario names itself
    assert "高速出口 · 夜班 00:00–08:15" in labels  # (its name_zh alone, not "H1 高速出口")
    assert "1 号村口 · 早班 05:00–13:15" in labels
    assert "2 号村口 · 早班 05:00–13:15" in labels  # (its own name_zh over the anchor's)
    assert "X9 Pier · A 班 06:00–07:00" in labels  # a shift the scenario names itself
    assert not [w for t in labels for w in ("night", "day", "early", "late", "evening")
                if w in t]
    with use_lang("en"):
        labels = [p.label for p in STAFFING.posts(section)]
    assert "H1 Highway exit · night shift 00:00–08:15" in labels
    assert "grid teams: people per team" in labels and "boat teams: people per team" in labels


def test_what_matters_ranks_assumptions_in_bars_with_plain_column_names():
    from dashboard.page_what_matters import ranked_rows
    from sim.present.sensitivity_plots import sensitivity_figure

    tiny = [{"rank": i + 1, "label": f"assumption {i}", "low": 1.0, "high": 2.0,
             "source": "guess", "mu_star": 0.0, "mu_star_conf": 0.0, "sigma": 0.0, "mu": 0.0}
            for i in range(6)]
    result = {"method": "morris", "metric": "mustered_60min", "indices": tiny,
              "metric_phrase": "people mustered by 60 min", "metric_unit": "people",
              "scenario": "s", "plan": "p", "points": 7, "replications": 1}
    fig = sensitivity_figure(result)
    ax = fig.axes[0]
    assert len(fig.axes) == 1  # no scatter whose labels pile up at (0, 0)
    assert [t.get_text() for t in ax.get_yticklabels()][::-1] == [r["label"] for r in tiny]
    for lang in ("en", "zh"):
        with use_lang(lang):
            columns = list(ranked_rows({**result, "indices": [{**tiny[0], "mu_star": 673.2,
                                                              "sigma": 240.234}]})[0].items())
        assert not [c for c, _v in columns if re.search("[μσ]", c)], columns
        assert dict(columns)[columns[3][0]] == "673"  # people as whole numbers


def _summary(plan: str, means: dict[str, float]) -> dict:
    return {"plan": plan, "metrics": {name: {"mean": v, "p50": v} for name, v in means.items()}}


def test_the_first_breakdown_shown_is_one_that_says_something():
    from dashboard.results import informative_breakdown
    from sim.present.tables import breakdowns

    # a festival's first breakdown: a median wait of 0 min at every checkpoint, every plan
    summaries = [_summary(p, {"wait_p50_min[checkpoint=H1]": 0.0,
                              "wait_p50_min[checkpoint=V1]": 0.0,
                              "incidents[type=medical]": 3.0 if p == "a" else 4.0,
                              "incidents[type=document]": 1.0}) for p in ("a", "b")]
    found = breakdowns(summaries)
    assert found[0] == ("wait_p50_min", "checkpoint")
    assert found[informative_breakdown(summaries, found)] == ("incidents", "type")
    # nothing but zeros: the first, as before
    zeros = [_summary("a", {"x[role=cadre]": 0.0, "y[grid=G1]": 0.0})]
    assert informative_breakdown(zeros, breakdowns(zeros)) == 0


def test_breakdown_names_read_naturally_in_both_languages():
    from dashboard.results import breakdown_label

    with use_lang("zh"):
        assert breakdown_label("mustered_60min", "role") == "60 分钟内集结人数，按角色分列"
        assert breakdown_label("mustered_60min", "ap") == "60 分钟内集结人数，按集结点分列"
        assert "分项方式" not in breakdown_label("incidents", "type")
    with use_lang("en"):
        assert breakdown_label("mustered_60min", "role") == "people mustered by 60 min — by role"


@pytest.mark.parametrize("scenario", ["muster_youchegang.yaml", "tide_yanguan.yaml"])
def test_scenario_page_map_title_and_forces_header_in_chinese(env, monkeypatch, scenario):
    import dashboard.maps_view as maps_view

    titles: list[str] = []
    draw = maps_view.town_map

    def town_map(*args, **kwargs):
        titles.append(kwargs["title"])
        return draw(*args, **kwargs)

    monkeypatch.setattr(maps_view, "town_map", town_map)
    monkeypatch.setenv("GRIDMUSTER_LANG", "zh")
    at = opened(scenario, "Scenario")
    s = at.session_state["scenario"]
    assert s.model.name_zh and titles and titles[-1].startswith(s.model.name_zh), titles
    forces = next(d.value for d in at.dataframe if d.value.index.name is not None)
    assert re.search(r"[\u4e00-\u9fff]", str(forces.index.name)), forces.index.name
