"""Every file a scenario or a plan names stays inside the scenario's folder (or the data folder
in ``GRIDMUSTER_DATA_DIR``), for every file-naming field and every way out of it.

File-naming fields (``grep -rn "graphml\\|counts_csv\\|_csv\\|path" sim/core sim/kinds
sim/network``): ``network.graphml``, ``festival.modes.<mode>.counts_csv`` and the same under a
plan (``plans.<plan>.festival.modes.<mode>.counts_csv``). Elevation, places and review logs are
named on the command line by the operator, never by a scenario, so they are not confined here.

Each way out must be a field error (exit 2 at the command line) naming the field, with no
traceback, and the target must never be opened: an audit hook records every ``open`` of a path
in the folder outside, and the secret's marker must never appear. A FIFO outside would block a
reader for ever, so opening one would hang the test (each CLI run has a timeout).
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.core.errors import ScenarioError
from sim.core.limits import DATA_DIR_ENV
from sim.core.scenario import load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[1]
TIDE = ROOT / "scenarios" / "tide_yanguan.yaml"
MARKER = "SECRET-MARKER-c41"
OPENED: list[str] = []
WATCH: list[str] = []  # folder prefixes whose opens are recorded


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and WATCH and isinstance(args[0], str | bytes | os.PathLike):
        path = os.fsdecode(args[0])
        if any(path.startswith(w) for w in WATCH):
            OPENED.append(path)


sys.addaudithook(_audit)  # cannot be removed; inert unless WATCH is set


@pytest.fixture
def town(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A copy of the Yanguan festival in ``tmp/s``, a secret in ``tmp/outside`` (a file and a
    FIFO), and the audit hook watching ``tmp/outside``."""
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    folder, outside = tmp_path / "s", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    for f in (ROOT / "scenarios").glob("yanguan*"):
        shutil.copy(f, folder / f.name)
    (outside / "secret.csv").write_text(f"visitors\n{MARKER}\n", encoding="utf-8")
    (outside / "secret.graphml").write_text(f"<graphml>{MARKER}</graphml>", encoding="utf-8")
    os.mkfifo(outside / "pipe")
    os.mkfifo(folder / "pipe.csv")
    WATCH[:] = [str(outside), str(outside.resolve())]
    OPENED.clear()
    yield folder, outside
    WATCH.clear()


def tide() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(TIDE.read_text(encoding="utf-8"))
    rail = raw["festival"]["modes"]["rail"]
    rail.pop("profile", None)
    rail["interval_min"] = 60
    return raw


def plan_name(raw: dict[str, Any]) -> str:
    return next(iter(raw["plans"]))


def named(field: str, name: str) -> tuple[dict[str, Any], str]:
    """The Yanguan scenario with ``field`` set to ``name``; the field path an error names."""
    raw = tide()
    if field == "graphml":
        raw["network"] = {"graphml": name}
        raw["festival"]["modes"]["rail"]["counts"] = [1200, 2400, 3600, 1800, 600]
        return raw, "network.graphml"
    if field == "counts_csv":
        raw["festival"]["modes"]["rail"]["counts_csv"] = name
        return raw, "festival.modes.rail.counts_csv"
    raw["festival"]["modes"]["rail"]["counts"] = [1200, 2400, 3600, 1800, 600]
    plan = plan_name(raw)
    patch = raw["plans"][plan] = dict(raw["plans"][plan] or {})
    patch.setdefault("festival", {}).setdefault("modes", {})["rail"] = {"counts_csv": name}
    return raw, f"plans.{plan}.festival.modes.rail.counts_csv"


FIELDS = ["graphml", "counts_csv", "plan counts_csv"]


def ways_out(folder: Path, outside: Path, field: str) -> dict[str, str]:
    """Way out → the name to give; links are made here (inside the scenario's folder)."""
    target = "secret.graphml" if field == "graphml" else "secret.csv"
    (folder / "link").symlink_to(outside / target)
    (folder / "chain1").symlink_to(folder / "chain2")
    (folder / "chain2").symlink_to(Path("..") / "outside" / target)  # relative, two hops
    (folder / "data").symlink_to(outside)
    (folder / "fifo_link").symlink_to(outside / "pipe")
    (folder / "loop").symlink_to(folder / "loop")
    return {
        "absolute": str(outside / target),
        "absolute fifo": str(outside / "pipe"),
        "dotdot": f"../outside/{target}",
        "deep dotdot": f"sub/../../outside/{target}",
        "very deep dotdot": "../../../../../../../../etc/passwd",
        "home": "~/.ssh/id_rsa",
        "symlink out": "link",
        "symlink chain out": "chain1",
        "symlinked folder": f"data/{target}",
        "symlink to a fifo": "fifo_link",
        "fifo inside": "pipe.csv",
        "symlink loop": "loop",
        "name too long": "a" * 300,
        "proc": "/proc/self/environ",
    }


WAYS = ["absolute", "absolute fifo", "dotdot", "deep dotdot", "very deep dotdot", "home",
        "symlink out", "symlink chain out", "symlinked folder", "symlink to a fifo",
        "fifo inside", "symlink loop", "name too long", "proc"]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("field", FIELDS)
def test_every_way_out_is_a_field_error_that_opens_nothing(town, field, way):
    folder, outside = town
    name = ways_out(folder, outside, field)[way]
    raw, path = named(field, name)
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(raw, folder)
    text = "\n".join(str(p) for p in exc.value.problems)
    assert path in text, text
    assert MARKER not in text and "Traceback" not in text and "PATH=" not in text
    assert OPENED == [], OPENED


def test_a_legal_name_still_works_in_every_field(town):
    # The oracle that the refusals above are not a blanket refusal: inside names load.
    folder, _ = town
    (folder / "rail.csv").write_text("visitors\n1200\n2400\n3600\n1800\n600\n")
    for field in FIELDS:
        name = "yanguan_seawall.graphml" if field == "graphml" else "rail.csv"
        raw, _path = named(field, name)
        assert parse_scenario(raw, folder).plan_names()


@pytest.mark.parametrize("way", ["absolute", "symlink chain out", "absolute fifo"])
def test_the_command_line_exits_2_naming_the_field(town, way):
    folder, outside = town
    name = ways_out(folder, outside, "counts_csv")[way]
    raw, path = named("counts_csv", name)
    (folder / "s.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDMUSTER_")}
    env["PYTHONPATH"] = str(ROOT)
    r = subprocess.run([sys.executable, "-m", "sim", "validate", "s.yaml"], cwd=folder,
                       env=env, capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert path in out and MARKER not in out and "Traceback" not in out


@pytest.mark.parametrize("text", ["{outside}/secret.csv", "../outside/secret.csv",
                                  "{outside}/pipe"])
def test_the_digest_scan_never_opens_a_path_a_value_happens_to_name(town, text):
    """The digest hashes every file the scenario names, found by looking at every string: a
    description reading like a path outside must not be opened (nor hashed)."""
    folder, outside = town
    raw = tide()
    raw["festival"]["modes"]["rail"]["counts"] = [1200, 2400, 3600, 1800, 600]
    raw["description"] = text.format(outside=outside)
    before = parse_scenario(raw, folder).digest
    assert OPENED == [], OPENED
    (outside / "secret.csv").write_text("visitors\n1\n")  # would change a digest that read it
    OPENED.clear()  # the write above is this test's own open
    assert parse_scenario(raw, folder).digest == before
    assert OPENED == [], OPENED


def test_the_data_folder_is_honoured_for_every_named_file(town, tmp_path, monkeypatch):
    folder, outside = town
    data = tmp_path / "data_dir"
    data.mkdir()
    shutil.move(folder / "yanguan_seawall.graphml", data / "roads.graphml")
    (data / "rail.csv").write_text("visitors\n1200\n2400\n3600\n1800\n600\n")
    raw = tide()
    raw["network"] = {"graphml": "roads.graphml"}
    raw["festival"]["modes"]["rail"]["counts_csv"] = "rail.csv"
    plan = plan_name(raw)
    patch = raw["plans"][plan] = dict(raw["plans"][plan] or {})
    patch.setdefault("festival", {}).setdefault("modes", {})["rail"] = {"counts_csv": "rail.csv"}
    with pytest.raises(ScenarioError) as exc:  # not configured: not found
        parse_scenario(copy.deepcopy(raw), folder)
    assert "network.graphml" in str(exc.value.problems[0])
    monkeypatch.setenv(DATA_DIR_ENV, str(data))
    s = parse_scenario(copy.deepcopy(raw), folder)
    assert s.model.festival.modes["rail"].counts[2] == 3600
    assert s.plan(plan).model.festival.modes["rail"].counts[2] == 3600
    assert len(s.network().nodes) > 10
    # The data folder's content is part of the digest, like the scenario folder's.
    (data / "rail.csv").write_text("visitors\n1200\n2400\n3601\n1800\n600\n")
    assert parse_scenario(copy.deepcopy(raw), folder).digest != s.digest
    # A link in the data folder that points out is refused like one in the scenario's.
    (data / "out.csv").symlink_to(outside / "secret.csv")
    raw["festival"]["modes"]["rail"]["counts_csv"] = "out.csv"
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(raw, folder)
    assert "festival.modes.rail.counts_csv" in str(exc.value.problems[0])
    assert OPENED == []


def test_bundled_scenarios_load_unchanged():
    # Confinement applies to the bundled files too, and they are all inside scenarios/.
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert load_scenario(path).digest


def test_the_readme_limits_table_is_the_generated_one():
    sys.path.insert(0, str(ROOT / "tools"))
    from limits_table import readme_table

    from sim.core.limits import LIMITS, limits_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_table(readme) == limits_table()
    assert all(f"`{lim.name}`" in readme for lim in LIMITS)
    assert "| `people` | 2,000,000 |" in readme and "GRIDMUSTER_DATA_DIR" in readme


def test_the_json_schema_carries_the_limits():
    import json

    from sim.core.limits import LIMIT

    r = subprocess.run([sys.executable, "-m", "sim", "schema"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    schema = json.loads(r.stdout)
    limits = schema["x-gridmuster-limits"]
    assert {k: v["value"] for k, v in limits.items()} == LIMIT
    text = json.dumps(schema)
    assert '"maximum": 1000000' in text and '"maxLength": 200' in text


def _optimise(folder: Path, *vary: str, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDMUSTER_")}
    env["PYTHONPATH"] = str(ROOT)
    args = [sys.executable, "-m", "sim", "optimise", str(ROOT / "scenarios" /
            "muster_youchegang.yaml"), "--metric", "mustered_60min", "--at-least", "1500",
            "--store", str(folder / "runs.db"), "--out", str(folder / "o"), *extra]
    for v in vary:
        args += ["--vary", v]
    r = subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


@pytest.mark.parametrize("vary,expect", [
    ("forces.militia.count=0..1000000000000", "--vary: 1,000,000,000,001 values; at most"),
    ("forces.militia.count=0..1000000000000:1000000000",
     "forces.militia.count: at most 1,000,000"),
    ("forces.militia.count=0..99999999999999999999999999", "--vary: number too large"),
    ("forces.militia.count=0..1000000:1000", "over the budget"),
])
def test_optimise_bounds_its_ranges_and_checks_the_budget(tmp_path, vary, expect):
    code, out = _optimise(tmp_path, vary, extra=("--reps", "1000"))
    assert code == 2, out
    assert expect in out and "Traceback" not in out
    assert not (tmp_path / "o").exists()  # refused before any candidate ran


def test_optimise_budget_flag_overrides_and_unknown_metric_is_refused(tmp_path):
    code, out = _optimise(tmp_path, "forces.militia.count=0..1000:10",
                          extra=("--reps", "5000", "--budget", "100"))
    assert code == 2 and "--budget" in out and "over the budget of 100 s" in out, out
    # (without --budget the same search fits the default 4 h: the flag is what refused it)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDMUSTER_")}
    r = subprocess.run([sys.executable, "-m", "sim", "optimise",
                        str(ROOT / "scenarios" / "muster_youchegang.yaml"), "--metric", "nosuch",
                        "--at-least", "1", "--vary", "forces.militia.count=0..10",
                        "--store", str(tmp_path / "runs.db"), "--out", str(tmp_path / "o")],
                       cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)}, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "--metric: not a metric" in r.stdout + r.stderr
