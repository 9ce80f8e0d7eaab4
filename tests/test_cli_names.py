"""Names from a scenario reach file names and the terminal: plan names that would leave
``out/``, rich markup and control characters (audit findings 1 and 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli.common import default_out, safe, visible
from sim.core.errors import ScenarioError
from sim.run.store import RunStore
from tests.helpers import build, cli, fixed_muster, line_graphml, write_scenario


def _problems(tmp_path: Path, data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        build(tmp_path, data)
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize("name", ["../../x/escaped", "a/b", "/abs", "two words", "[/x]",
                                  "方案[b]二", "bad\n", "\x1b]0;pwned\x07", "..", ""])
def test_bad_plan_names_are_refused_with_the_key_named(tmp_path: Path, name: str) -> None:
    problems = _problems(tmp_path, fixed_muster(plans={name: {}}))
    assert any(p.startswith('plans["') and "use letters" in p for p in problems), problems


@pytest.mark.parametrize("name", ["baseline", "增派干部", "plan-2.b", "_x"])
def test_good_plan_names_pass(tmp_path: Path, name: str) -> None:
    assert name in build(tmp_path, fixed_muster(plans={name: {}})).plan_names()


@pytest.mark.parametrize("field", ["name", "name_zh", "description", "description_zh"])
def test_control_characters_in_names_and_descriptions_are_refused(tmp_path: Path,
                                                                  field: str) -> None:
    problems = _problems(tmp_path, fixed_muster(**{field: "x\x1b[31mred"}))
    assert any(p.startswith(f"{field}:") and "control characters" in p for p in problems)


def test_control_characters_in_a_plan_description_are_refused(tmp_path: Path) -> None:
    problems = _problems(tmp_path, fixed_muster(plans={"a": {"description": "\x1b]0;t\x07"}}))
    assert any(p.startswith("plans.a.description:") for p in problems), problems


def test_line_breaks_in_a_description_are_fine(tmp_path: Path) -> None:
    s = build(tmp_path, fixed_muster(description="line one\n\tline two\n"))
    assert s.model.description.startswith("line one")


def test_run_refuses_a_plan_name_that_leaves_out(tmp_path: Path) -> None:
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    path = write_scenario(tmp_path, fixed_muster(plans={"../../escaped": {}}))
    (tmp_path / "work").mkdir()
    r = cli("run", str(path), "--reps", "2", "--no-store", cwd=tmp_path / "work")
    assert r.returncode == 2, r.stderr
    assert 'plans["../../escaped"]' in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "work" / "out").exists()
    zh = cli("--lang", "zh", "validate", str(path))
    assert zh.returncode == 2 and 'plans["../../escaped"]' in zh.stderr and "字母" in zh.stderr


def test_default_out_stays_directly_under_out(tmp_path: Path) -> None:
    root = tmp_path / "out"
    for suffix in ("../../x", "a/b", "..\\..\\c", "x\x1b"):
        folder = default_out("s", suffix, root)
        assert folder.resolve().parent == root.resolve(), folder


def test_markup_in_a_scenario_name_is_printed_as_written(tmp_path: Path) -> None:
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    path = write_scenario(tmp_path, fixed_muster(name="[/oops] [bold red]x",
                                                 plans={"baseline": {}, "more": {}}))
    r = cli("compare", str(path), "--reps", "2", "--no-store", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert "[/oops] [bold red]x" in r.stdout and "wrote" in r.stdout


def test_runs_list_and_show_survive_markup_and_escapes_in_the_store(tmp_path: Path) -> None:
    store = tmp_path / "runs.db"
    db = RunStore(store)
    name, plan = "[/oops]\x1b]0;pwned\x07", "[/x]\x1b[31m"
    run_id = db.start_run("run", name, str(tmp_path / "s.yaml"), "abc", "muster", [plan], 1, 2,
                          str(tmp_path / "o[/y]"))
    summary = {"scenario": name, "kind": "muster", "plan": plan, "replications": 2, "seed": 1,
               "metrics": {"mustered_15min": {"mean": 1.0, "p5": 1.0, "p95": 1.0}}}
    db.finish_run(run_id, summary, 1.0)
    db.close()
    for args in (("runs", "list"), ("runs", "show", str(run_id))):
        r = cli(*args, "--store", str(store))
        assert r.returncode == 0, r.stderr
        assert "[/x]" in r.stdout and "\x1b" not in r.stdout and "\x07" not in r.stdout


def test_safe_and_visible() -> None:
    assert visible("a\x1b[31m") == "a\\x1b[31m"
    assert safe("[/x]") == "\\[/x]"
