"""History in 中文 names each run's scenario by its ``name_zh``: from the recorded result, else
from the scenario file the run read, else from the bundled scenario of that name; a scenario
nobody can name in 中文 keeps the recorded name."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")

from dashboard import history  # noqa: E402
from sim.present.i18n import use_lang  # noqa: E402
from sim.run.store import RunStore  # noqa: E402

YOUCHEGANG = "Youchegang one-hour mustering drill"


def record(db: RunStore, name: str, path: str | None, result: dict[str, object]) -> None:
    run_id = db.start_run("compare", name, path, "d" * 16, "muster", ["baseline"], 1, 2, None)
    db.finish_run(run_id, result, 1.0)


def names(monkeypatch: pytest.MonkeyPatch, store: Path, lang: str) -> list[str]:
    monkeypatch.setenv("GRIDMUSTER_STORE", str(store))
    with use_lang(lang):
        frame, why = history.list_runs()
        column = "情景" if lang == "zh" else "scenario"
    assert frame is not None, why
    return list(reversed(frame[column].tolist()))  # oldest first, as recorded


def test_history_shows_the_chinese_scenario_name(monkeypatch, tmp_path):
    own = tmp_path / "town.yaml"
    own.write_text("name: Riverside drill\nname_zh: 河畔镇演练\n", encoding="utf-8")
    store = tmp_path / "runs.db"
    with RunStore(store) as db:
        # recorded with its 中文 name (a run since scenario_zh is recorded)
        record(db, "Some town", None, {"plans": {"baseline": {"scenario": "Some town",
                                                              "scenario_zh": "某镇"}}})
        # an older record: the scenario file it ran from names it
        record(db, "Riverside drill", str(own), {"plans": {"baseline": {}}})
        # an older dashboard record (no path): the bundled scenario of that name
        record(db, YOUCHEGANG, None, {"scenario": YOUCHEGANG, "metrics": {}})
        # a file since rewritten for another town: its 中文 name is not this run's
        record(db, "Old name", str(own), {"plans": {"baseline": {}}})
        # nobody can name it in 中文
        record(db, "Unknown town", str(tmp_path / "gone.yaml"), {"plans": {}})
    zh = names(monkeypatch, store, "zh")
    assert zh == ["某镇", "河畔镇演练", "油车港镇一小时集结演练", "Old name", "Unknown town"]
    en = names(monkeypatch, store, "en")
    assert en == ["Some town", "Riverside drill", YOUCHEGANG, "Old name", "Unknown town"]


def test_an_older_run_reopens_with_its_chinese_name(monkeypatch, tmp_path):
    store = tmp_path / "runs.db"
    with RunStore(store) as db:
        record(db, YOUCHEGANG, None, {"plans": {"baseline": {"scenario": YOUCHEGANG}},
                                      "differences": {}})
        run_id = db.runs()[0].id
    monkeypatch.setenv("GRIDMUSTER_STORE", str(store))
    with use_lang("zh"):
        data, why = history.open_comparison(run_id)
    assert data is not None, why
    assert data["plans"]["baseline"]["scenario_zh"] == "油车港镇一小时集结演练"
    with use_lang("en"):
        data, _why = history.open_comparison(run_id)
    assert data is not None and "scenario_zh" not in data["plans"]["baseline"]


def test_runs_list_and_show_name_the_scenario_command_and_status_in_chinese(monkeypatch,
                                                                            tmp_path):
    from tests.helpers import cli_here

    store = tmp_path / "runs.db"
    with RunStore(store) as db:
        # (a comparison's result as compare stores it: plans' summaries and differences)
        summary = {"kind": "muster", "plan": "baseline", "metrics": {}, "scenario": YOUCHEGANG,
                   "replications": 2, "seed": 1}
        record(db, YOUCHEGANG, None, {"plans": {"baseline": summary}, "differences": {}})
    monkeypatch.setenv("GRIDMUSTER_STORE", str(store))
    listed = cli_here("--lang", "zh", "runs", "list").stdout
    assert "油车港镇一小时集结演练" in listed.replace("\n", "").replace("│", "").replace(" ", "") \
        or "油车港镇" in listed
    assert "比较方案" in listed and "已完成" in listed and "done" not in listed
    shown = cli_here("--lang", "zh", "runs", "show", "1").stdout
    assert "油车港镇一小时集结演练（集结）" in shown and "状态 已完成" in shown
    english = cli_here("--lang", "en", "runs", "show", "1").stdout
    assert f"compare of {YOUCHEGANG} (muster)" in english and "status done" in english


def test_runs_are_listed_by_their_plans_chinese_names_where_recorded(monkeypatch, tmp_path):
    """``runs list`` and the History page in 中文 name a recorded run's plans by the Chinese
    names its result recorded (``plan_zh``); a run recorded without them (an older run, one
    still running) shows its keys, the implicit baseline as 基准方案; English the keys."""
    from tests.helpers import cli_here

    store = tmp_path / "runs.db"
    with RunStore(store) as db:
        plans = {p: {"kind": "muster", "plan": p, "plan_zh": zh, "metrics": {},
                     "scenario": YOUCHEGANG, "replications": 2, "seed": 1}
                 for p, zh in (("baseline", "白天集结"), ("night", "夜间集结"))}
        record(db, YOUCHEGANG, None, {"plans": {"baseline": {}}})  # (nothing recorded)
        run_id = db.start_run("compare", YOUCHEGANG, None, "d" * 16, "muster",
                              ["baseline", "night"], 1, 2, None)
        db.finish_run(run_id, {"plans": plans, "differences": {}}, 1.0)
    monkeypatch.setenv("GRIDMUSTER_STORE", str(store))
    listed = cli_here("--lang", "zh", "runs", "list").stdout
    flat = listed.replace("│", "").replace(" ", "").replace("\n", "")
    assert "白天集结，夜间集结" in flat and "基准方案" in flat, listed
    assert "night" not in listed
    assert "baseline,night" in cli_here("--lang", "en", "runs", "list").stdout.replace(" ", "")
    # ``runs show`` joins them as ``runs list`` does (it printed "白天集结, 夜间集结")
    shown = cli_here("--lang", "zh", "runs", "show", str(run_id)).stdout.replace("\n", "")
    assert "方案 白天集结，夜间集结" in shown and ", " not in shown.split("方案", 1)[1][:12], shown
    assert "plans baseline, night" in cli_here("--lang", "en", "runs", "show", str(run_id)).stdout
    with use_lang("zh"):
        frame, why = history.list_runs()
    assert frame is not None, why
    assert list(frame["方案"]) == ["白天集结，夜间集结", "基准方案"]  # (newest first)
