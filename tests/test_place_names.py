"""Places named in Chinese: a grid's, shelter's, assembly point's or viewing point's optional
``name_zh`` (a checkpoint's already had one) is how 中文 shows the place wherever a planner
reads it: breakdown tables and charts, findings, figures, the Excel and GB/T reports, the map
and its bottleneck layer, the Scenario page's tables and the Plans page's settings. Its id
stays what English shows and what files, records and observed logs use."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from sim.core.catalogue import places_named, value_label
from sim.core.scenario import load_scenario
from sim.present.i18n import use_lang
from sim.run.experiments import run_plan

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def yangning() -> dict[str, Any]:
    s = load_scenario(SCENARIOS / "rainstorm_yangning.yaml")
    return run_plan(s, "baseline", 2, seed=1).summary()


@pytest.fixture(scope="module")
def youchegang() -> dict[str, Any]:
    s = load_scenario(SCENARIOS / "muster_youchegang.yaml")
    return run_plan(s, "baseline", 2, seed=1).summary()


def test_a_summary_records_the_chinese_names_given_and_only_those(yangning, tmp_path):
    assert yangning["places_zh"] == {"grid": {"Yangning": "阳宁村网格"},
                                     "shelter": {"village_committee": "阳宁村村委会"}}
    osm = run_plan(load_scenario(SCENARIOS / "muster_osm_example.yaml"), "baseline", 1,
                   seed=1).summary()
    assert "places_zh" not in osm  # (none of its places has a Chinese name)


def test_a_place_reads_as_its_chinese_name_in_chinese_and_as_its_id_in_english(youchegang):
    places = places_named([youchegang])
    assert places["ap"]["S03"] == "3 号集结点" and places["grid"]["G01"] == "1 号网格"
    with use_lang("zh"):
        assert value_label("ap", "S03", places) == "3 号集结点"
        assert value_label("ap", "S99", places) == "S99"  # (a place without one: its id)
        assert value_label("ap", "S03") == "S03"  # (no names given: the id)
        assert value_label("role", "cadre", places) == "干部"  # (roles as before)
    with use_lang("en"):
        assert value_label("ap", "S03", places) == "S03"


def test_breakdown_tables_and_charts_name_places_in_chinese(youchegang):
    from dashboard.results import breakdown_chart, breakdown_frame

    with use_lang("zh"):
        frame = breakdown_frame([youchegang], "mustered_60min", "ap")
        chart = breakdown_chart([youchegang], "mustered_60min", "ap")
    rows = list(frame.iloc[:, 0])
    assert rows[:3] == ["1 号集结点", "2 号集结点", "3 号集结点"] and "S01" not in rows
    assert chart is not None and "1 号集结点" in set(chart.data["place"])
    with use_lang("en"):
        assert list(breakdown_frame([youchegang], "mustered_60min", "ap").iloc[:3, 0]) == [
            "S01", "S02", "S03"]


def test_findings_name_the_assembly_point_as_the_scenario_names_it(youchegang):
    from sim.kinds.muster.review import findings

    slow = {**youchegang, "metrics": {**youchegang["metrics"],
                                      "checkin_wait_max_min[ap=S05]": {"mean": 12.0, "n": 2}}}
    with use_lang("zh"):
        said = " ".join(f.text + " " + f.action for f in findings(slow))
    assert "5 号集结点" in said and "S05" not in said, said
    with use_lang("en"):
        said = " ".join(f.text + " " + f.action for f in findings(slow))
    assert "Assembly point S05" in said


def test_excel_and_gbt_reports_name_places_in_chinese(yangning):
    from openpyxl import load_workbook

    from sim.present.excel import results_xlsx
    from sim.present.report_gbt import _breakdown_tables

    result = {"plans": {"baseline": yangning}, "differences": {}}
    with use_lang("zh"):
        book = load_workbook(io.BytesIO(results_xlsx(result)))
        blocks = _breakdown_tables(yangning)
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert "阳宁村网格" in cells and "Yangning" not in cells
    rows = [r[0] for b in blocks if b.table is not None for r in b.table.rows]
    assert "阳宁村网格" in rows, rows


def test_maps_label_places_by_name_and_find_them_by_id(youchegang):
    """Places are found by id (bottleneck layers, replay events, crowds: all keyed by id) in
    every language, and labelled on the map by ``Scenario.place_labels``: in 中文 by name."""
    from dashboard.maps_view import place_values
    from sim.present.maps import town_map

    s = load_scenario(SCENARIOS / "muster_youchegang.yaml")
    with use_lang("en"):
        english, labels_en = s.places("baseline"), s.place_labels("baseline")
    with use_lang("zh"):
        chinese, labels = s.places("baseline"), s.place_labels("baseline")
        layers = place_values(youchegang)
        fig = town_map(s.network(), chinese, values=layers, names=labels)
    assert chinese == english and labels_en == {}  # (ids: what events and metrics use)
    assert labels["S01"] == "1 号集结点" and labels["G01"] == "1 号网格"
    ids = {pid for _node, pid in chinese["assembly point"]}
    assert layers and all(set(layer.values) <= ids for layer in layers)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert "1 号集结点" in texts and "S01" not in texts, sorted(texts)[:10]


def test_a_replay_in_chinese_finds_the_places_its_events_name_and_labels_them():
    """Events name places by id; the replay's tables show their names in 中文."""
    from dashboard.replay_view import crowd_table, draw_frame
    from sim.analysis.replay_kinds import replay_of_run

    s = load_scenario(SCENARIOS / "muster_youchegang.yaml")
    run = run_plan(s, "baseline", 1, seed=1)
    with use_lang("zh"):
        rr = replay_of_run(run, s.network(), s.places("baseline"))
        frame = draw_frame(rr, 40, s.network(), s.places("baseline"), "t",
                           s.place_labels("baseline"))
    assert frame.queues is not None and len(frame.queues), frame.queues  # (queues at places)
    assert all(p.endswith(" 号集结点") for p in frame.queues.iloc[:, 0]), frame.queues
    import pandas as pd

    crowd = pd.DataFrame({"place": ["H1", "P1"], "type": ["checkpoint", "viewing point"],
                          "people": [10, 20], "density_ppm2": [float("nan"), 1.5],
                          "los": ["", "B"], "over_limit": [False, False]})
    with use_lang("zh"):
        shown = crowd_table(crowd, {"H1": "高速出口"})
    assert list(shown.iloc[:, 0]) == ["高速出口", "P1"]


def test_scenario_tables_and_plan_settings_name_places_in_chinese():
    from sim.core.kind import kind_named
    from sim.present.setting_words import setting_words
    from sim.present.tables import forces_table

    s = load_scenario(SCENARIOS / "rainstorm_duhu.yaml")
    model = s.plan("baseline").model
    with use_lang("zh"):
        assert "1 号网格" in forces_table(model).index
        section = model.model_dump()["evacuation"]
        words = setting_words(kind_named("evacuation"), ["shelters", 0, "capacity"], section)
    # (the name alone: "VC01 1 村村委会" gave the id too, and Yangning's read
    # "village_committee 阳宁村村委会")
    assert "1 村村委会" in f"{words.group} {words.name}", words
    assert "VC01" not in f"{words.group} {words.name}", words
    with use_lang("en"):
        assert "G01" in forces_table(model).index
        words = setting_words(kind_named("evacuation"), ["shelters", 0, "capacity"], section)
    assert "村" not in f"{words.group} {words.name}"


def test_a_festival_figure_titles_checkpoints_and_viewing_points_by_name():
    from sim.kinds.festival.present import density_figure

    s = load_scenario(SCENARIOS / "tide_yanguan.yaml")
    summary = run_plan(s, "reported", 1, seed=1).summary()
    with use_lang("zh"):
        fig = density_figure([summary])
    assert fig is not None
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[0] == "1 号观潮点" and "P1" not in ticks, ticks


def test_the_exercise_storyline_names_the_shelter_an_inject_fills():
    from sim.present.inject_words import storyline

    s = load_scenario(SCENARIOS / "rainstorm_duhu.yaml")
    model = s.plan("exercise").model
    summary = {"kind": "evacuation", "injects": [i.record() for i in model.injects],
               "places_zh": s.kind.place_names(model)}
    with use_lang("zh"):
        _header, rows = storyline([summary])
    said = [r[2] for r in rows]
    assert "安置点 1 村村委会 不再接收人员" in said, said
    with use_lang("en"):
        _header, rows = storyline([summary])
    assert "shelter VC01 takes nobody more" in [r[2] for r in rows]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("scenario", ["tide_yanguan.yaml", "muster_youchegang.yaml",
                                      "rainstorm_duhu.yaml"])
def test_names_of_places_close_together_are_not_written_over_each_other(scenario, lang):
    """Yanguan's nine viewing points stand 350 m apart along the seawall: their Chinese names
    (1 号观潮点 …), wider than the ids, ran into each other when all were written at one
    height; each name now takes the lowest row above its place that clears the others."""
    from sim.present.maps import town_map

    s = load_scenario(SCENARIOS / scenario)
    with use_lang(lang):
        names = s.place_labels()
        fig = town_map(s.network(), s.places(), names=names)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    shown = {names.get(pid, pid) for items in s.places().values() for _node, pid in items}
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in fig.axes[0].texts
             if t.get_text() in shown]
    assert len(boxes) == sum(len(items) for items in s.places().values())
    clashes = [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:]
               if ba.overlaps(bb) and ba.intersection(ba, bb).width > 2
               and ba.intersection(ba, bb).height > 2]
    assert not clashes, clashes[:5]


def _refused(file: str, change: Any) -> list[str]:
    """The problems of a bundled scenario after ``change`` edits its raw data (none: [])."""
    from sim.core.errors import ScenarioError
    from sim.core.limits import safe_yaml
    from sim.core.scenario import parse_scenario

    raw = safe_yaml((SCENARIOS / file).read_text(encoding="utf-8"))
    change(raw)
    try:
        parse_scenario(raw, SCENARIOS)
    except ScenarioError as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.mark.parametrize("file, change, path, value, other", [
    # Two assembly points given one name: the later in the file is refused.
    ("muster_youchegang.yaml",
     lambda r: r["muster"]["assembly_points"][1].update(name_zh="3 号集结点"),
     "muster.assembly_points[2].name_zh", "3 号集结点", "S02"),
    # A shelter named as another, unnamed, shelter's id (which 中文 shows for it).
    ("rainstorm_duhu.yaml",
     lambda r: (r["evacuation"]["shelters"][0].pop("name_zh"),
                r["evacuation"]["shelters"][2].update(name_zh="VC01")),
     "evacuation.shelters[2].name_zh", "VC01", "VC01"),
    # The unnamed one comes second: the name is still what is refused.
    ("rainstorm_duhu.yaml",
     lambda r: (r["evacuation"]["shelters"][2].pop("name_zh"),
                r["evacuation"]["shelters"][0].update(name_zh="VC03")),
     "evacuation.shelters[0].name_zh", "VC03", "VC03"),
    ("rainstorm_duhu.yaml", lambda r: r["grids"][3].update(name_zh="1 号网格"),
     "grids[3].name_zh", "1 号网格", "G01"),
    ("tide_yanguan.yaml",
     lambda r: r["festival"]["viewing_points"]["P3"].update(name_zh="1 号观潮点"),
     "festival.viewing_points.P3.name_zh", "1 号观潮点", "P1"),
])
def test_two_places_of_a_kind_are_not_given_one_chinese_name(file, change, path, value, other):
    """Tables and charts of places are keyed by what they show: two shelters both shown as
    一村村委会 would be one row, their figures merged. Refused where the clash is made, with
    the field, the name and the other place, in both languages."""
    with use_lang("en"):
        problems = _refused(file, change)
        assert problems == [f"{path}: the same name as {other}: in Chinese the two could not "
                            f"be told apart (got {value!r})"]
    with use_lang("zh"):
        assert _refused(file, change) == [f"{path}：与 {other} 同名：中文界面中两者无法区分"
                                          f"（实际 {value!r}）"]


def test_distinct_names_and_an_id_shown_once_pass():
    """The bundled names pass; a place may be named as its own id, and a grid may share a
    name with a shelter (they are shown in separate tables)."""
    assert _refused("rainstorm_duhu.yaml", lambda r: None) == []
    assert _refused("rainstorm_duhu.yaml",
                    lambda r: (r["evacuation"]["shelters"][0].update(name_zh="VC01"),
                               r["grids"][0].update(name_zh="2 村村委会"))) == []


def test_charts_name_each_plan_in_full_in_their_legend(youchegang):
    """Vega-Lite cuts a legend's labels at 160 px: the plan 抽调 20 人增援赤溪（报道） read
    抽调 20 人增援赤溪（… under every chart of Duhu's comparison. No limit now."""
    from dashboard.results import breakdown_chart, curve_chart

    def legends(spec: Any) -> list[dict[str, Any]]:
        if isinstance(spec, dict):
            own = [spec["legend"]] if isinstance(spec.get("legend"), dict) else []
            return own + [x for v in spec.values() for x in legends(v)]
        return [x for v in spec for x in legends(v)] if isinstance(spec, list) else []

    with use_lang("zh"):
        charts = [curve_chart([youchegang], None),
                  breakdown_chart([youchegang], "mustered_60min", "ap")]
    for chart in charts:
        found = legends(chart.to_dict())
        assert found and all(g.get("labelLimit") == 0 for g in found)


def test_the_festival_staff_table_names_checkpoints_and_viewing_points():
    """The Scenario page's staff table read 检查点 H1（3 个班次）and 观潮点 P1 疏导员 in 中文."""
    from sim.kinds.festival.present import staff_table

    model = load_scenario(SCENARIOS / "tide_yanguan.yaml").plan().model
    with use_lang("zh"):
        rows = list(staff_table(model).index)
    assert "检查点 高速出口（3 个班次）" in rows and "观潮点 1 号观潮点 疏导员" in rows
    assert not [r for r in rows if "H1" in r or "P1" in r], rows
    with use_lang("en"):
        rows = list(staff_table(model).index)
    assert "checkpoint H1 Highway exit (3 shifts)" in rows and "viewing point P1 stewards" in rows


def test_a_review_and_the_csv_name_a_place_of_a_breakdown(yangning, tmp_path):
    """The drill review's table read 结束时安置点内人数 (安置点=village_committee) in 中文."""
    from dashboard.exports import export_frame
    from sim.core.catalogue import phrase
    from tests.helpers import cli_here

    places = places_named([yangning])
    metric = "sheltered_at_end[shelter=village_committee]"
    with use_lang("zh"):
        assert phrase(metric, places) == "结束时安置点内人数（安置点：阳宁村村委会）"
        frame = export_frame({"plans": {"baseline": yangning}})
    assert "结束时安置点内人数（安置点：阳宁村村委会）" in set(frame.iloc[:, 1])
    with use_lang("en"):
        assert phrase(metric, places).endswith("(shelter: village_committee)")
    r = cli_here("--lang", "zh", "review", str(SCENARIOS / "rainstorm_yangning.yaml"),
                 "--observed", str(SCENARIOS / "observed" / "yangning_evacuation_arrivals.csv"),
                 "--reps", "20", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "安置点：阳宁村村委会" in r.stdout and "village_committee）" not in r.stdout
