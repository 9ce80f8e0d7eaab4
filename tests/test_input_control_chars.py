"""Control characters are refused in every text a scenario carries, not only in plan names
and descriptions: objective descriptions, names of assembly points, shelters, checkpoints,
teams, inject notes... each reaches a terminal, a report or a spreadsheet. The message names
the field and shows the value with its control characters escaped."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.core.errors import ScenarioError
from sim.core.scenario import parse_scenario
from tests.helpers import BUNDLED, ROOT

SCENARIOS = ROOT / "scenarios"


def _raw(name: str) -> dict[str, Any]:
    return yaml.safe_load((SCENARIOS / name).read_text(encoding="utf-8"))


def _first_plan_with_injects(raw: dict[str, Any]) -> str:
    return next(p for p, v in raw["plans"].items() if v.get("injects"))


def _set(raw: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node = raw
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _rename(raw: dict[str, Any], path: tuple[Any, ...], new: str) -> None:
    node = raw
    for part in path[:-1]:
        node = node[part]
    node[new] = node.pop(path[-1])


def _problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(raw, SCENARIOS)
    return [str(p) for p in exc.value.problems]


BAD = "ok\x1b]0;pwned\x07\x9b2J"
SHOWN = r"ok\x1b]0;pwned\x07\x9b2J"

VALUES = [
    ("muster_youchegang.yaml", ("objectives", 0, "description"), "objectives[0].description"),
    ("muster_youchegang.yaml", ("objectives", 1, "description_zh"),
     "objectives[1].description_zh"),
    ("muster_youchegang.yaml", ("muster", "assembly_points", 0, "id"),
     "muster.assembly_points[0].id"),
    ("muster_youchegang.yaml", ("grids", 0, "village"), "grids[0].village"),
    ("rainstorm_duhu.yaml", ("evacuation", "shelters", 0, "id"), "evacuation.shelters[0].id"),
    ("tide_yanguan.yaml", ("injects", 0, "note"), "injects[0].note"),
]


@pytest.mark.parametrize(("scenario", "path", "field"), VALUES, ids=[v[2] for v in VALUES])
def test_control_characters_in_any_text_are_refused(scenario: str, path: tuple[Any, ...],
                                                    field: str) -> None:
    raw = _raw(scenario)
    if path[0] == "injects" and not raw.get("injects"):
        plan = _first_plan_with_injects(raw)
        path, field = ("plans", plan, *path), f"plans.{plan}.{field}"
    _set(raw, path, BAD)
    problems = _problems(raw)
    assert f"{field}: must not contain control characters (such as ESC or NUL) " \
           f"(got '{SHOWN}')" in problems, problems
    assert not any("\x1b" in p or "\x07" in p or "\x9b" in p for p in problems)


def test_an_inject_note_in_a_plan_is_refused() -> None:
    raw = _raw("muster_youchegang.yaml")
    plan = _first_plan_with_injects(raw)
    _set(raw, ("plans", plan, "injects", 0, "note"), "grid app\x00 down")
    assert any(p.startswith(f"plans.{plan}.injects[0].note: must not contain control")
               and r"\x00" in p for p in _problems(raw))


@pytest.mark.parametrize(("path", "shown"), [
    (("festival", "teams", "grid"), r"festival.teams.grid\x1b[2J"),
    (("festival", "checkpoints", "H1"), r"festival.checkpoints.H1\x1b[2J"),
])
def test_control_characters_in_a_name_given_as_a_key_are_refused_and_escaped(
        path: tuple[Any, ...], shown: str) -> None:
    raw = _raw("tide_yanguan.yaml")
    _rename(raw, path, path[-1] + "\x1b[2J")
    problems = _problems(raw)
    assert any(p.startswith(f"{shown}: must not contain control characters") for p in problems), \
        problems
    assert not any("\x1b" in p for p in problems)


def test_line_breaks_and_tabs_in_text_are_still_fine() -> None:
    raw = _raw("muster_youchegang.yaml")
    raw["objectives"][0]["description"] = "line one\n\tline two"
    s = parse_scenario(copy.deepcopy(raw), SCENARIOS)
    assert s.model.objectives[0].description == "line one\n\tline two"


def test_cli_refuses_an_objective_description_with_escapes(tmp_path: Path) -> None:
    raw = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    raw["objectives"][0]["description"] = "\x1b[2J\x1b[31mall fine"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    for lang, words in (("en", "must not contain control characters"), ("zh", "控制字符")):
        done = subprocess.run([sys.executable, "-m", "sim", "--lang", lang, "validate",
                               str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert "objectives[0].description" in done.stderr and words in done.stderr
        assert r"\x1b[2J\x1b[31mall fine" in done.stderr
        assert "\x1b" not in done.stderr


def test_a_log_or_roster_cell_with_control_characters_is_refused_by_file_and_line(
        tmp_path: Path) -> None:
    """Every CSV gridmuster reads (observed logs, rosters, festival counts) goes through one
    reader; a cell with an escape sequence is refused there, by file and line, escaped."""
    log = tmp_path / "drill.csv"
    log.write_text("t_min,role,responder_id,assembly_point\n4.2,cadre,G18-cadre-004,S07\n"
                   "4.3,\x1b[2Jcadre,G18-cadre-005,S07\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sim", "review",
                           str(ROOT / "scenarios" / "muster_youchegang.yaml"), "--observed",
                           str(log), "--reps", "3", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "drill.csv: line 3" in done.stderr and r"\x1b[2Jcadre" in done.stderr, done.stderr
    assert "\x1b" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()

    import csv
    import io

    from sim.core.errors import ScenarioError
    from sim.core.limits import csv_rows

    reader = csv.DictReader(io.StringIO("grid,role\nG01,\x00militia\n"))
    with pytest.raises(ScenarioError, match="control characters"):
        list(csv_rows(reader, lambda k: f"roster.csv: line {k}"))
    fine = csv.reader(io.StringIO('grid,note\nG01,"two\nlines"\n', newline=""))
    assert list(csv_rows(fine, str))[1] == ["G01", "two\nlines"]  # (a quoted line break is text)
