"""Issue 14 leftovers in the dashboard: the festival staffing editor (pool / posted /
unposted, the scenario's own checks, "cannot change results"), the replay's choice of
replication and its prepared frames, first results shown before they are refined, and the maps
(true aspect, at most five dot colours, flood-prone ground, bottleneck at its place)."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.helpers import APP, goto, table  # noqa: E402
from tests.helpers import opened as open_page  # noqa: E402

FESTIVAL = "tide_yanguan.yaml"


def opened(scenario: str, page: str) -> AppTest:
    at = open_page(scenario, page)
    assert at.session_state["scenario_label"] == scenario
    return at


def _row(at: AppTest, checkpoint: str, shift: str) -> int:
    from dashboard.staffing import post_table

    posts, _frame = post_table(at.session_state["scenario"].raw, "reported")
    return next(i for i, p in enumerate(posts) if p.key == ("shift", checkpoint, shift))


def edit_posts(at: AppTest, edits: dict[int, dict[str, int]]) -> AppTest:
    at.session_state["staffing::reported::posts"] = {"edited_rows": edits, "added_rows": [],
                                                     "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    return at


def summary(at: AppTest) -> dict[str, tuple[str, str, str]]:
    frame = table(at, "unposted").set_index("staff group")
    return {g: tuple(frame.loc[g, ["pool", "posted", "unposted"]]) for g in frame.index}


def test_staffing_is_one_table_of_posts_with_pool_posted_unposted(env):
    at = opened(FESTIVAL, "Plans")
    posts = at.data_editor(key="staffing::reported::posts").value
    # 11 checkpoint shifts, 9 viewing points, 3 team groups: not 301 dotted paths
    assert len(posts) == 23
    assert {"security", "volunteer", "number_of_teams"} <= set(posts.columns)
    # the reported plan, as its scenario comment says: 584 of the 1,200 volunteers posted
    # (checkpoints 154, viewing points 376, 18 grid teams of 3: 54)
    assert summary(at)["volunteers"] == ("1,200", "584", "616")
    assert summary(at)["security"] == ("220", "187", "33")
    # the other settings no longer list staff paths
    params = at.data_editor(key="params::reported").value
    assert not any(".staff." in p or ".stewards." in p for p in params["parameter"])

    # 50 more volunteers at the village entries' early shifts: posted goes up by 50
    edits = {_row(at, cp, "early"): {"volunteer": 8 + n} for cp, n in
             (("V1", 16), ("V2", 16), ("V3", 18))}
    edit_posts(at, edits)
    assert summary(at)["volunteers"] == ("1,200", "634", "566")
    assert not [e for e in at.error if "does not pass" in e.value]


def test_staffing_beyond_the_pool_is_refused_by_the_scenario_checks(env):
    at = opened(FESTIVAL, "Plans")
    edit_posts(at, {_row(at, "H1", "day"): {"volunteer": 1000}})
    assert summary(at)["volunteers"][2] == "366 short"  # 584 − 18 + 1,000 = 1,566 > 1,200
    errors = " ".join(e.value for e in at.error)
    assert "does not pass the scenario's checks" in errors
    assert "festival.staff.volunteer" in errors and "pool has 1200" in errors
    at.text_input(key="new_plan_name").set_value("too_many").run()
    at.button(key="save_plan").click().run()
    assert "too_many" not in at.session_state["scenario"].plan_names()
    assert at.session_state["plan_refused"]  # shown with its field path


def test_a_change_that_cannot_change_results_is_said_with_the_reason(env):
    at = opened(FESTIVAL, "Plans")
    # H1 has 14 lanes at 2 staff a lane: its day shift (12 + 18 = 30 staff) already opens
    # all 14; 30 volunteers instead of 18 (the planner's try in the issue) open no more.
    edit_posts(at, {_row(at, "H1", "day"): {"volunteer": 30}})
    warnings = [w.value for w in at.warning]
    assert any("H1 Highway exit, day shift: this change cannot change the queues or waits" in w
               and "14 lanes are already all open" in w for w in warnings), warnings
    # a change that does close lanes is not flagged (V1 early: 12 staff open all 6 lanes;
    # 6 staff open 3)
    edit_posts(at, {_row(at, "V1", "early"): {"volunteer": 2}})
    assert not any("V1" in w.value for w in at.warning)
    # the pool alone changes nothing
    at.session_state["staffing::reported::pool"] = {"edited_rows": {5: {"pool": 1300}},
                                                    "added_rows": [], "deleted_rows": []}
    at.run()
    assert any("The pool of volunteers changed" in w.value and "cannot change the results"
               in w.value for w in at.warning)


def test_a_staffing_plan_is_saved_with_only_what_changed(env):
    at = opened(FESTIVAL, "Plans")
    edit_posts(at, {_row(at, "V1", "early"): {"volunteer": 12}})
    at.text_input(key="new_plan_name").set_value("v1_more").run()
    at.button(key="save_plan").click().run()
    assert not at.exception, at.exception
    s = at.session_state["scenario"]
    assert "v1_more" in s.plan_names()
    from sim.core.planedit import plan_patch

    patch = plan_patch(s.raw, "v1_more")
    # only what changed (a plan deep-merges): no other post, no empty optional setting
    assert patch["festival"] == {
        "checkpoints": {"V1": {"roster": {"early": {"staff": {"volunteer": 12}}}}}}
    assert s.plan("v1_more").model.festival.checkpoints["V2"].divert_to is None


def test_replay_offers_each_replication_and_its_frames_are_prepared(env):
    at = opened("muster_youchegang.yaml", "Replay")
    rep = at.selectbox(key="replay_rep")
    assert len(rep.options) == 20  # the comparison's replications
    at.slider(key="replay_minute").set_value(40).run()
    first = table(at, "people").set_index("state")["people"]
    assert any("Replication 1 of baseline" in c.value for c in at.caption)
    rep.set_value(3).run()
    assert not at.exception, at.exception
    assert any("Replication 4 of baseline" in c.value for c in at.caption)
    fourth = table(at, "people").set_index("state")["people"]
    assert not first.equals(fourth)  # another day of the same plan

    # The same replication as in a full run (its streams are keyed by its index).
    from dashboard.replay_view import replication_run
    from sim.run.experiments import run_plan

    s = at.session_state["scenario"]
    alone = replication_run(s, "baseline", s.model.seed, 3)
    full = run_plan(s, "baseline", 4, s.model.seed, 1, keep_events=(3,))
    assert alone.results[0].metrics == full.results[3].metrics

    # Frames are prepared in the background: once ready, a slider move only shows them.
    from dashboard.replay_view import frame_store, snap

    frames = next(f for k, f in frame_store().items.items() if k[3] == 3)
    # Two frames on from minute 40, where the page drew its own: the thread's work.
    target = frames.minutes[frames.minutes.index(snap(40, frames.minutes)) + 2]
    deadline = time.monotonic() + 600
    while target not in frames.frames and time.monotonic() < deadline:
        time.sleep(0.2)
    assert target in frames.frames and frames.thread is not None
    prepared = frames.frames[target]
    t0 = time.perf_counter()
    at.slider(key="replay_minute").set_value(target).run()
    moved = time.perf_counter() - t0
    assert not at.exception, at.exception
    assert frames.frames[target] is prepared  # shown as prepared, not drawn again
    # very generous: a loaded 2-core machine runs other tests beside this one
    assert moved < 10.0, moved


def test_leaving_the_replay_page_pauses_the_drawing_and_coming_back_goes_on(env):
    """The frames are drawn in the background only while the Replay page is looked at: on
    another page the drawing stops after the frame in hand (a comparison started there would
    share the CPU with it), and back on the Replay page it goes on, keeping what was drawn."""
    at = opened("muster_youchegang.yaml", "Replay")
    frames = at.session_state["replay_frames"]
    assert frames.thread is not None and frames.thread.is_alive()
    goto(at, "Scenario")
    frames.thread.join(timeout=60)
    assert not frames.thread.is_alive()
    drawn = frames.ready
    assert 0 < drawn < len(frames.minutes)
    time.sleep(1.0)
    assert frames.ready == drawn  # nothing drawn while away
    goto(at, "Replay")
    assert frames.thread.is_alive()
    deadline = time.monotonic() + 120
    while frames.ready == drawn and time.monotonic() < deadline:
        time.sleep(0.2)
    assert frames.ready > drawn


def test_first_results_are_shown_before_they_are_refined(env, held):
    """A freshly opened evacuation scenario (10 replications per plan by default): the first
    pass (1 per plan) is on the page while the other 9 still run (held here until the page has
    been looked at), marked as first results; then refined to all 10."""
    from dashboard import jobs

    go_on = held(jobs, "extend")
    from dashboard.state import run_cache

    run_cache().clear()  # not run before in this process (the cache is process-wide)
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["scenario"] = "rainstorm_yangning.yaml"
    try:
        deadline = time.monotonic() + 120
        seen = False
        while time.monotonic() < deadline and not seen:
            at.run(timeout=180)
            # never a blank page: before the first results, what they will be
            assert at.info or at.metric
            seen = any("First results from 1 replication per plan; refining to 10"
                       in i.value for i in at.info)
            time.sleep(0.5)
        assert seen, [i.value for i in at.info]
        assert len(at.metric) >= 2  # the decision cards of the first results
    finally:
        go_on.set()
    job = at.session_state["job"]
    job.thread.join(timeout=120)
    assert job.result is not None
    assert [len(r.results) for r in job.result.runs] == [10, 10]


def test_maps_keep_their_shape_and_at_most_five_dot_colours():
    from sim.core.kind import kind_named
    from sim.core.scenario import load_scenario
    from sim.kinds import BUNDLED
    from sim.present.maps import MAX_DOT_COLOURS, figure_size, town_map

    for spec in (kind_named(k).replay for k in BUNDLED if kind_named(k).replay is not None):
        colours = {c for c, _ in spec.groups.values()} or set(spec.colors.values())
        assert len(colours) <= MAX_DOT_COLOURS
        grouped = {st for _, states in spec.groups.values() for st in states}
        drawn = set(dict.fromkeys(s for s, _ in spec.states.values())) - set(spec.hidden_states)
        assert not spec.groups or drawn <= grouped  # every drawn state is in a class
    s = load_scenario(__import__("pathlib").Path(APP).parent.parent / "scenarios" / FESTIVAL)
    xy = s.network().xy
    w, h = figure_size(xy)
    span = np.ptp(xy, axis=0)
    assert w / h > 1.4 and span[0] / span[1] > 2  # the seawall is wide, and so is its map
    fig = town_map(s.network(), s.places())
    ax = fig.axes[0]
    assert ax.get_aspect() == 1.0  # a metre is as long across as up
    assert not ax.get_legend()  # the legend is the figure's, below the map
    with pytest.raises(ValueError, match="at most 5 dot colours"):
        town_map(s.network(), s.places(), points={
            str(i): (np.array([0]), c) for i, c in enumerate(
                ["red", "blue", "green", "black", "orange", "cyan"])})


def test_flood_prone_ground_and_the_bottleneck_are_on_the_maps():
    from pathlib import Path

    from dashboard.maps_view import flood_area, place_values
    from sim.core.scenario import load_scenario
    from sim.kinds.evacuation.hazard import water_peak

    root = Path(APP).parent.parent / "scenarios"
    s = load_scenario(root / "rainstorm_duhu.yaml")
    area = flood_area(s, s.plan_names()[0])
    assert area is not None and 0 < len(area.nodes) < len(s.network().nodes)
    evac = s.model.evacuation
    level = water_peak(evac.hazard, evac.horizon_min).level_m
    elev = np.array([s.network().graph.nodes[n].get("elevation_m", 0.0)
                     for n in s.network().nodes])
    assert set(area.nodes) == set(np.flatnonzero(elev < level))  # exactly the low ground
    assert flood_area(load_scenario(root / "muster_youchegang.yaml"), "baseline") is None

    data = {"metrics": {"max_queue[checkpoint=H1]": {"p50": 1335.0},
                        "max_queue[checkpoint=R1]": {"p50": 19.0},
                        "max_density_ppm2[viewing_point=P5]": {"p50": 4.4},
                        "max_queue": {"p50": 1335.0}}}
    layers = place_values(data, danger_ppm2=4.0)
    assert [dict(x.values) for x in layers] == [{"H1": 1335.0, "R1": 19.0}, {"P5": 4.4}]
    assert layers[1].limit == 4.0  # drawn red: over the danger limit


def test_intervals_of_minutes_never_go_below_zero():
    """Two replications of the festival gave a response time of "6.7 [-27.0 – 40.5]"."""
    from sim.present.formatting import interval

    assert interval({"ci95_low": -27.0, "ci95_high": 40.5}, "wait_p95_min") == "[0.0 – 40.5]"
    assert interval({"ci95_low": 2.0, "ci95_high": 4.0}, "wait_p95_min") == "[2.0 – 4.0]"


def test_run_page_shows_where_the_bottleneck_is(env):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    assert "Where the bottleneck is" in [h.value for h in at.subheader]
    worst = table(at, "value")  # the worst assembly points beside the map, longest wait first
    waits = [float(v.replace(",", "")) for v in worst["value"]]  # (the heading has the unit)
    assert waits == sorted(waits, reverse=True) and len(waits) == 5
    from dashboard.results import label_of

    assert label_of("role", "grid_worker_ft") == "full-time grid worker"
    assert label_of("group", "tourist_order") == "tourist order"
    assert label_of("checkpoint", "H1") == "H1"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plans_table_says_what_each_plan_changes_in_words(env, monkeypatch, lang):
    """The Plans table's "changes" column names settings as a planner would, not the kind's
    section code ("festival"), in the page's language."""
    monkeypatch.setenv("GRIDMUSTER_LANG", lang)
    at = opened(FESTIVAL, "Plans")
    frame = next(t.value for t in at.table
                 if {"changes", "改动"} & {str(c) for c in t.value.columns})
    changes = dict(zip(frame.index, frame.iloc[:, 1], strict=True))
    expected = {"en": {"reported": "(the scenario as it is)",
                       "fewer_volunteers": "staff scaled",
                       "rail_to_highway": "checkpoints",
                       "next50_highway": "staff pool; checkpoints",
                       "drill": "exercise storyline (4 events)"},
                # (in 中文 the plans by their Chinese names, the key beside: what a copy is
                # saved under and the command line takes)
                "zh": {"按报道部署（reported）": "（情景原样）",
                       "志愿者减少 20%（fewer_volunteers）": "人员按比例调整",
                       "新增 50 名志愿者到高速出口（next50_highway）": "各组总人数；检查点",
                       "观潮演练（加开列车、安检故障、步道封闭）（drill）": "演练脚本（4 个事件）"}}[lang]
    assert {p: changes[p] for p in expected} == expected
    assert not any("festival" in c for c in changes.values())


def test_changes_in_words_names_roles_and_the_kinds_settings():
    from sim.core.planedit import changes_in_words
    from sim.core.scenario import load_scenario
    from sim.present.i18n import use_lang

    s = load_scenario(__import__("pathlib").Path(APP).parent.parent / "scenarios"
                      / "rainstorm_duhu.yaml")
    names = dict(s.kind.dashboard.setting_names)
    with use_lang("en"):
        assert changes_in_words(s.raw, "county_team", names) == [
            "forces: emergency squad", "outside reinforcements"]
        assert changes_in_words(s.raw, "baseline", names) == []
        # the kind's plain name of a setting; one it gives no name for reads as its key in words
        raw = {**s.raw, "plans": {"p": {"evacuation": {"detour_factor": 1.5,
                                                       "some_new_knob": 1}}}}
        assert changes_in_words(raw, "p", names) == [
            "walking detour (door to door ÷ straight line)", "some new knob"]
    with use_lang("zh"):
        assert changes_in_words(s.raw, "county_team", names) == ["力量：应急突击队", "外来增援"]


def test_the_post_column_fits_chinese_posts_whole():
    # A Chinese character takes two cells: sized by characters, the end of each shift's hours
    # was cut off once the checkpoints had Chinese names ('H1 高速出口 · 夜班 00:00–08:1').
    from dashboard.staffing import post_width

    assert post_width(["H1 Highway exit"]) == round(6.5 * 15) + 24
    assert post_width(["V1", "H1 高速出口 · 夜班 00:00–08:15"]) == round(6.5 * (3 + 8 + 3 + 4 + 12)) + 24
    assert post_width(["x" * 200]) == 480 and post_width([]) == round(6.5 * 10) + 24


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_bottleneck_map_names_its_plan_as_the_selector_does(monkeypatch, lang):
    """The map's title said the plan's key ("more_workers：排队与拥挤的位置") where the plan
    selector above it, and every other place, names the plan."""
    from pathlib import Path

    from dashboard import maps_view
    from sim.core.scenario import load_scenario
    from sim.present.i18n import use_lang

    s = load_scenario(Path(APP).parent.parent / "scenarios" / FESTIVAL)
    plan = next(p for p in s.plan_names() if p != "baseline")
    titles: list[str] = []
    monkeypatch.setattr(maps_view, "town_map", lambda *a, **k: titles.append(k["title"]))
    monkeypatch.setattr(maps_view, "png_bytes", lambda fig: b"png")
    data = {"metrics": {"max_queue[checkpoint=H1]": {"p50": 1335.0}}}
    with use_lang(lang):
        assert maps_view.bottleneck_map(s, plan, data, ("test", lang)) == b"png"
        named = s.plan_labels()[plan]
    assert titles and titles[0].startswith(f"{named}{'：' if lang == 'zh' else ': '}"), titles
    assert (named != plan) == (lang == "zh")  # (in English the bundled plans go by their keys)
