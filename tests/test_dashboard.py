"""The Streamlit dashboard, driven headless with streamlit.testing's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.helpers import APP, goto, table

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "scenarios" / "muster_youchegang.yaml"


@pytest.fixture
def app(monkeypatch, tmp_path):
    monkeypatch.setenv("GRIDMUSTER_WORKERS", "1")  # 2 shared cores: no process pool in tests
    monkeypatch.setenv("GRIDMUSTER_STORE", str(tmp_path / "runs.db"))  # not the user's store
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Plan → the first decision card (e.g. people mustered by 60 min)."""
    out: dict[str, str] = {}
    for m in at.metric:
        out.setdefault(m.label, m.value)
    return out


def charts(at: AppTest) -> int:
    return len(at.get("vega_lite_chart"))


def headline(at: AppTest, metric: str, plan: str) -> float:
    """The mean shown for a plan in the headline table (measures as rows)."""
    from dashboard.results import measure

    frame = table(at, "better when").set_index("measure")
    return float(frame.loc[measure(metric), plan].split(" ")[0].replace(",", "").rstrip("%"))




def run(at: AppTest, plans: list[str], reps: int, seed: int | None = None) -> AppTest:
    at.multiselect[0].set_value(plans)
    at.number_input(key="run_reps").set_value(reps)
    if seed is not None:
        at.number_input(key="run_seed").set_value(seed)
    at.button(key="run_submit").click().run()
    assert not at.exception, at.exception
    return at


def test_first_screen_shows_a_result_without_input(app):
    assert app.sidebar.radio(key="page").value == "Run & compare"
    assert set(metrics(app)) == {"baseline", "night"}
    assert "20 replications each" in " ".join(c.value for c in app.caption)
    assert "people mustered by 60 min" in set(table(app, "better when")["measure"])
    diffs = table(app, "night vs baseline")
    assert diffs["night vs baseline"].str.endswith("· worse").any()
    assert charts(app) >= 2  # the curves and a breakdown


@pytest.mark.parametrize("page", ["Scenario", "Plans", "Replay", "History"])
def test_each_page_renders(app, page):
    goto(app, page)
    if page == "Scenario":
        assert len(app.get("image")) == 1  # the town map
        forces = table(app, "total")
        assert forces.loc["all grids", "total"] == 1740
    elif page == "Plans":
        assert len(app.data_editor) == 2
        assert "baseline" in set(table(app, "description")["plan"])
        # The drill plan's injects in words: what the model does, beside the note.
        assert [e.label for e in app.expander if "storyline" in e.label] == [
            "Exercise storyline of app_outage_drill (2 events)"]
        story = table(app, "what the model does")
        assert list(story["what the model does"]) == ["grid app down for 20 min",
                                                      "closed: the road V1–V2"]
        assert list(story["the facilitator's note"]) == ["grid app down", "bridge closed"]
    elif page == "Replay":
        assert len(app.get("image")) == 1
        counts = table(app, "people")
        early = dict(zip(counts["state"], counts["people"], strict=True))
        app.slider(key="replay_minute").set_value(90).run()
        counts = table(app, "people")
        late = dict(zip(counts["state"], counts["people"], strict=True))
        assert late["mustered"] > early["mustered"] > 0


def test_dashboard_runs_are_recorded_for_history(app):
    run(app, ["baseline", "extra_desks"], reps=3, seed=4242)  # a seed no other test caches
    assert "recorded as run" in " ".join(c.value for c in app.caption)
    goto(app, "History")
    runs = table(app, "command")
    mine = runs[(runs["command"] == "compare plans (dashboard)") & (runs["seed"] == 4242)]
    assert list(mine["plans"]) == ["baseline, extra_desks"]
    assert list(mine["replications"]) == [3]


def test_history_reopens_a_stored_comparison(tmp_path, monkeypatch):
    from sim.core.scenario import load_scenario
    from sim.run import store
    from sim.run.experiments import compare

    monkeypatch.setenv("GRIDMUSTER_STORE", str(tmp_path / "runs.db"))
    monkeypatch.setenv("GRIDMUSTER_WORKERS", "1")
    s = load_scenario(BUNDLED)
    data = compare(s, ["baseline", "extra_desks"], 3).as_dict()
    with store.RunStore() as db:
        run_id = db.start_run("compare", s.name, str(BUNDLED), s.digest, s.kind.name,
                              ["baseline", "extra_desks"], s.model.seed, 3, None)
        db.finish_run(run_id, data, 1.0)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["page"] = "History"
    at.run()
    assert not at.exception, at.exception
    assert list(table(at, "command")["id"]) == [run_id]
    # what a planner looks for first, before the page's width runs out
    assert list(table(at, "command").columns)[:6] == ["id", "when", "scenario", "plans",
                                                       "status", "took"]
    # each run offered in words a planner knows it by, not by its number alone
    [offered] = at.selectbox(key="history_pick").options
    assert offered.startswith(f"run {run_id}: {s.display_name()}, baseline, extra_desks (20")
    at.button(key="history_open").click().run()
    assert not at.exception, at.exception
    assert set(metrics(at)) == {"baseline", "extra_desks"}
    assert "extra_desks vs baseline" in table(at, "extra_desks vs baseline").columns
    # the reopened comparison stays open through a later click (a breakdown)
    options = at.selectbox(key="breakdown").options
    at.selectbox(key="breakdown").set_value(options[-1]).run()
    assert not at.exception, at.exception
    assert set(metrics(at)) == {"baseline", "extra_desks"}
    assert at.selectbox(key="breakdown").value == options[-1]


def test_editing_a_count_and_rerunning_changes_the_metric(app):
    goto(app, "Plans")
    # Row 4 of the baseline forces is the cadres (count 500): make it 1,500.
    app.session_state["forces::baseline"] = {"edited_rows": {4: {"value": 1500}},
                                            "added_rows": [], "deleted_rows": []}
    app.text_input(key="new_plan_name").set_value("more_cadres")
    app.button(key="save_plan").click().run()
    assert not app.exception and not app.error
    assert "more_cadres" in app.success[0].value
    assert app.session_state["scenario"].raw["plans"]["more_cadres"] == {
        "forces": {"cadre": {"count": 1500}}}
    goto(app, "Run & compare")
    run(app, ["baseline", "more_cadres"], 5)
    shown = metrics(app)
    base, more = (float(shown[p].replace(",", "")) for p in ("baseline", "more_cadres"))
    assert more > base + 500


def test_invalid_plan_edit_shows_field_paths(app):
    goto(app, "Plans")
    app.session_state["forces::baseline"] = {"edited_rows": {4: {"value": -3}},
                                            "added_rows": [], "deleted_rows": []}
    app.text_input(key="new_plan_name").set_value("broken")
    app.button(key="save_plan").click().run()
    assert not app.exception
    assert "plans.broken.forces.cadre.count" in app.error[0].value
    assert "broken" not in app.session_state["scenario"].plan_names()


def _bad_scenario() -> bytes:
    data = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    data["forces"]["cadre"] = {"count": -3}
    data["muster"]["horizon_minutes"] = 90
    data["plans"]["night"]["muster"]["alert_time"] = "25:00"
    return yaml.safe_dump(data, sort_keys=False).encode()


def test_invalid_upload_shows_field_path_errors(app):
    goto(app, "Scenario")
    app.radio(key="source").set_value("Upload a YAML file").run()
    app.file_uploader(key="upload").set_value(("bad.yaml", _bad_scenario(),
                                               "application/x-yaml")).run()
    assert not app.exception
    text = app.error[0].value
    for path in ("forces.cadre.count", "muster.horizon_minutes", "plans.night.muster.alert_time"):
        assert f"`{path}`" in text, text
    assert "Traceback" not in text
    # The last valid scenario stays open.
    assert app.session_state["scenario"].name == "Youchegang one-hour mustering drill"


def test_an_upload_that_is_not_utf8_text_says_so(app):
    goto(app, "Scenario")
    app.radio(key="source").set_value("Upload a YAML file").run()
    app.file_uploader(key="upload").set_value(("drill.yaml", b"name: \x85\x86",
                                               "application/x-yaml")).run()
    assert not app.exception
    text = app.error[0].value
    assert "not UTF-8 text: byte 0x85 at position 7" in text, text
    assert app.session_state["scenario"].name == "Youchegang one-hour mustering drill"


def test_pasted_yaml_is_validated_and_opened(app):
    goto(app, "Scenario")
    app.radio(key="source").set_value("Paste YAML").run()
    app.text_area(key="pasted_yaml").set_value("kind: muster\nname: [unclosed\n")
    app.button(key="load_pasted").click().run()
    assert "YAML syntax error" in app.error[0].value
    data = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    data["name"] = "Pasted town"
    data["plans"] = {"only": {"description": "one plan"}}
    app.text_area(key="pasted_yaml").set_value(yaml.safe_dump(data, sort_keys=False))
    app.button(key="load_pasted").click().run()
    assert not app.exception and not app.error
    assert app.session_state["scenario"].plan_names() == ["only"]
    goto(app, "Run & compare")  # a one-plan scenario still shows a result
    assert set(metrics(app)) == {"only"}


def test_same_seed_same_numbers(app):
    def shown(seed):
        run(app, ["baseline", "phone_tree"], 4, seed)
        return metrics(app), table(app, "better when").to_dict("list")

    first = shown(11)
    app.sidebar.button(key="clear_cache").click().run()  # recompute, not a cache hit
    assert shown(11) == first
    assert shown(12) != first


# --- the evacuation and festival kinds -------------------------------------------------------

def open_bundled(at: AppTest, name: str) -> AppTest:
    goto(at, "Scenario")
    at.selectbox[0].set_value(name).run()
    at.button(key="open_bundled").click().run()
    assert not at.exception, at.exception
    assert at.session_state["scenario_label"] == name
    return at


def test_every_page_renders_for_the_evacuation_and_festival_kinds(app):
    # Yangning, not Duhu, for evacuation: ~1 s a replication there; festival replications take
    # seconds, so one replication each, run once for the replay and reused by Run & compare.
    for name, places in (("rainstorm_yangning.yaml", "shelter"),
                         ("tide_yanguan.yaml", "viewing point")):
        open_bundled(app, name)
        s = app.session_state["scenario"]
        assert places in s.places()
        assert len(app.get("image")) == 1  # the town map
        assert table(app, "total")["total"].iloc[-1] > 0  # all grids, or all festival posts
        goto(app, "Plans")
        # a festival is staffed by posts: no (empty) editor of grid roles, but the table of
        # posts and the pool beside the other settings
        assert len(app.data_editor) == (3 if s.kind.name == "festival" else 2)
        assert set(table(app, "description")["plan"]) == set(s.plan_names())
        if s.kind.name == "festival":  # the drill's injects, at their clock times
            story = table(app, "what the model does")
            assert list(story["minute"]) == ["360 (11:00)", "390 (11:30)", "435 (12:15)",
                                             "510 (13:30)"]
            assert story["what the model does"].iloc[1] == (
                "4 lanes of checkpoint H1 closed for 45 min")

        goto(app, "Replay")
        counts = table(app, "who")
        assert counts["number"].sum() > 0
        if s.kind.name == "evacuation":
            assert len(app.get("image")) == 1
            app.slider(key="replay_minute").set_value(170).run()
            roads = dict(table(app, "roads").to_numpy())
            assert roads["closed on foot"] > 0  # the low lanes are under water by then
            late = table(app, "who").set_index("state")["number"]
            assert late["sheltered"] > counts.set_index("state")["number"]["sheltered"]
        else:
            assert len(app.get("image")) == 1  # the map with the crowd at each place
            crowd = table(app, "people per m²").set_index("place")
            assert crowd.loc["H1", "what"] == "checkpoint"
            assert (crowd["level of service (A best, F worst)"] != "—").sum() == 9  # 9 points
        goto(app, "History")

        app.session_state["request"] = {"plans": s.plan_names()[:2], "reps": 1,
                                        "seed": s.model.seed}
        goto(app, "Run & compare")
        assert set(metrics(app)) == set(s.plan_names()[:2])
        from dashboard.results import measure

        assert {measure(m) for m in s.kind.headline_metrics} <= set(
            table(app, "better when")["measure"])
        images = len(app.get("image"))
        if s.kind.name == "evacuation":
            assert images >= 1 and charts(app) >= 2  # occupancy; curves, a breakdown
            labels = app.selectbox(key="breakdown").options
            assert any("by shelter" in label for label in labels)
        else:
            assert images >= 3  # queues, density with the limit, density strip
            labels = app.selectbox(key="breakdown").options
            assert any("by viewing point" in label for label in labels)


def test_editing_an_evacuation_plan_and_rerunning_changes_the_metric(app):
    from sim.core.planedit import force_rows

    open_bundled(app, "rainstorm_yangning.yaml")
    goto(app, "Plans")
    raw = app.session_state["scenario"].raw
    row = [r["role"] for r in force_rows(raw, "baseline")].index("grid_worker_pt")
    app.session_state["forces::baseline"] = {"edited_rows": {row: {"value": 60}},
                                            "added_rows": [], "deleted_rows": []}
    app.text_input(key="new_plan_name").set_value("many_workers")
    app.button(key="save_plan").click().run()
    assert not app.exception and not app.error
    goto(app, "Run & compare")
    run(app, ["baseline", "many_workers"], 3)
    base, more = (headline(app, "evacuated_60min", p) for p in ("baseline", "many_workers"))
    assert more > base


# --- the first screen: objectives, decision measures, verdicts, language ----------------------

def test_first_screen_shows_objectives_and_a_verdict_per_pair(app):
    objectives = table(app, "objective")
    assert list(objectives["target"]) == ["people mustered by 60 min (median) ≥ 1,500",
                                          "minutes to muster half the roster (mean) ≤ 30.0 min"]
    # the daytime drill meets both objectives, the night alert misses both (field-data.md)
    assert objectives["baseline"].str.startswith("met:").all()
    assert objectives["night"].str.startswith("MISSED:").all()
    verdicts = [m.value for m in app.markdown if m.value.startswith("- **night**")]
    assert len(verdicts) == 1
    assert "worse than baseline on people mustered by 60 min" in verdicts[0]
    cards = [(m.label, m.value) for m in app.metric]
    assert len(cards) == 4  # mustered by 60 min and t90, for both plans
    # A time not reached in every replication: the median in the tile (short enough not to be
    # cut off), how often it was reached beneath it.
    assert cards[2][1] == "median 65.7 min" and cards[3][1] == "not reached (0/20)", cards
    assert "reached in 19/20 replications (95.0%)" in [c.value for c in app.caption]


def test_first_screen_in_chinese(monkeypatch, tmp_path):
    monkeypatch.setenv("GRIDMUSTER_WORKERS", "1")
    monkeypatch.setenv("GRIDMUSTER_STORE", str(tmp_path / "runs.db"))
    monkeypatch.setenv("GRIDMUSTER_LANG", "zh")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    heads = [h.value for h in at.subheader]
    assert "目标" in heads and "结论" in heads
    assert "60 分钟内集结人数（人）" in set(table(at, "何者为优")["指标"])
    at.sidebar.radio(key="lang").set_value("en").run()
    assert "Objectives" in [h.value for h in at.subheader]
    assert at.query_params["lang"] in ("en", ["en"])


def test_replay_shows_clock_time_and_plays(app):
    goto(app, "Replay")
    app.slider(key="replay_minute").set_value(30).run()
    assert "**Clock time 10:00**" in [m.value for m in app.markdown]  # alert at 09:30
    end = app.slider(key="replay_minute").max
    app.slider(key="replay_minute").set_value(end - 1).run()
    app.toggle(key="replay_play").set_value(True).run()  # steps to the end, then stops
    assert not app.exception, app.exception
    assert app.slider(key="replay_minute").value == end
