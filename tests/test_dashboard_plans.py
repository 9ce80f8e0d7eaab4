"""Saved plans in the dashboard: never overwritten silently, kept in the workspace across
sessions, renamed and deleted, and typed grid names checked against the scenario."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from sim.core.config import read_yaml  # noqa: E402
from sim.core.planedit import with_plan  # noqa: E402
from sim.core.scenario import load_scenario, parse_scenario  # noqa: E402
from sim.core.workspace import Workspace, WorkspaceError  # noqa: E402
from sim.present.i18n import use_lang  # noqa: E402
from sim.run.experiments import compare  # noqa: E402
from tests.helpers import APP, BUNDLED, goto  # noqa: E402

CADRES = 4  # row of the cadres (count 500) in the baseline forces of Youchegang



def plans_page(page: str = "Plans") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["page"] = page
    at.run()
    assert not at.exception, at.exception
    return at


def save(at: AppTest, name: str, cadres: int = 1500, grids: str | None = None) -> AppTest:
    edit: dict = {"value": cadres}
    if grids is not None:
        edit["grids"] = grids
    at.session_state["forces::baseline"] = {"edited_rows": {CADRES: edit},
                                           "added_rows": [], "deleted_rows": []}
    at.text_input(key="new_plan_name").set_value(name)
    at.button(key="save_plan").click().run()
    assert not at.exception, at.exception
    return at


def test_saving_under_an_existing_name_is_refused(env):
    at = save(plans_page(), "night", cadres=1400)
    assert "already exists" in at.error[0].value
    # the scenario's own night plan is untouched (no cadre change)
    assert "forces" not in at.session_state["scenario"].raw["plans"]["night"]
    at = save(at, "more_cadres")
    assert not at.error
    at = save(at, "more_cadres", cadres=900)
    assert "already exists" in at.error[0].value
    assert at.session_state["scenario"].raw["plans"]["more_cadres"]["forces"] == {
        "cadre": {"count": 1500}}


def test_saved_plans_survive_a_new_session(env):
    save(plans_page(), "more_cadres")
    fresh = plans_page("Run & compare")  # a new browser session, same server
    s = fresh.session_state["scenario"]
    assert "more_cadres" in s.plan_names()
    assert s.raw["plans"]["more_cadres"]["forces"] == {"cadre": {"count": 1500}}
    assert list(fresh.dataframe) is not None
    goto(fresh, "Plans")
    saved = next(d.value for d in fresh.dataframe if "edited from" in d.value.columns)
    assert list(saved["plan"]) == ["more_cadres"]


def test_unknown_grid_is_refused(env):
    at = save(plans_page(), "cadres_g99", grids="G01, G99")
    assert "unknown grid 'G99'" in at.error[0].value
    assert "cadres_g99" not in at.session_state["scenario"].plan_names()
    at = save(at, "cadres_g01", grids="G01")
    assert not at.error
    assert "cadres_g01" in at.session_state["scenario"].plan_names()


def test_rename_and_delete_a_saved_plan(env):
    at = save(plans_page(), "more_cadres")
    at.text_input(key="ws_new_name").set_value("night").run()
    at.button(key="ws_rename").click().run()
    assert "already exists" in at.error[0].value  # the scenario's own plan
    at.text_input(key="ws_new_name").set_value("cadres_1500").run()
    at.button(key="ws_rename").click().run()
    names = at.session_state["scenario"].plan_names()
    assert "cadres_1500" in names and "more_cadres" not in names
    at.checkbox(key="ws_confirm").check().run()
    at.button(key="ws_delete").click().run()
    assert not at.exception, at.exception
    assert "cadres_1500" not in at.session_state["scenario"].plan_names()
    assert plans_page().session_state["scenario"].plan_names() == [
        "baseline", "night", "phone_tree", "app_outage_drill", "extra_desks"]


def test_workspace_refuses_and_writes_atomically(tmp_path):
    ws = Workspace("d57cf38708116bf1", tmp_path)
    ws.save("a", {"forces": {"cadre": {"count": 1}}}, "baseline")
    with pytest.raises(WorkspaceError, match="already exists"):
        ws.save("a", {})
    with pytest.raises(WorkspaceError, match="already exists"):
        ws.save("b", {}, reserved={"b"})
    with pytest.raises(WorkspaceError, match="no spaces"):
        ws.save("a b", {})
    with use_lang("zh"), pytest.raises(WorkspaceError, match="不能有空格"):
        ws.save("增派 干部", {})
    for bad in ("../x", "a/b", ".hidden"):
        with pytest.raises(WorkspaceError):
            ws.save(bad, {})
    ws.save("b", {})
    assert ws.rename("a", "c") == "c"
    assert list(ws.plans()) == ["c", "b"]
    ws.delete("b")
    assert list(Workspace("d57cf38708116bf1", tmp_path).plans()) == ["c"]
    assert [p.name for p in ws.folder.iterdir()] == ["plans.json"]  # no temporary left over
    with pytest.raises(WorkspaceError):
        Workspace("../etc", tmp_path)


def test_a_plan_may_have_a_chinese_name_and_runs(tmp_path):
    # A township office names its plans in Chinese: saved, listed and run like any other.
    s = load_scenario(BUNDLED)
    raw = with_plan(read_yaml(BUNDLED), "增派干部", {"forces": {"cadre": {"count": 650}}})
    out = parse_scenario(raw, BUNDLED.parent)
    assert "增派干部" in out.plan_names()
    comp = compare(out, ["baseline", "增派干部"], 4).as_dict()
    d = comp["differences"]["mustered_60min"]["增派干部 - baseline"]
    assert d["mean"] > 0 and d["verdict"].startswith("增派干部 has ")
    assert s.digest != out.digest
