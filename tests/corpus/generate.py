"""Generate the corpus of broken scenarios that ``tests/test_corpus.py`` feeds to the CLI.

Nothing here is a hand-written case list: each class of hostile or absurd input is a rule
applied to the bundled scenarios of the three kinds (every file-naming field × every way out of
the folder; sampled numeric leaves × NaN/∞/booleans; the issue-18 catalogue of huge values
and absurdities; YAML bombs). ``python tests/corpus/generate.py OUT`` writes the cases to a
folder for inspection; the tests build them in a temporary folder.

Every case must make ``gridmuster`` exit 2 naming ``expect`` (a field path), print no
traceback and echo nothing from ``SECRET`` files.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
BASES = {"muster": "muster_youchegang.yaml", "evacuation": "rainstorm_yangning.yaml",
         "festival": "tide_yanguan.yaml"}
SECRET = "SECRET-7f3a9"  # in every file outside the scenario folder; must never be printed
SAMPLE = 15  # numeric leaves sampled per kind and per bad value


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    text: str  # the scenario file, s.yaml
    expect: str  # a field path the output must name
    args: tuple[str, ...] = ("validate", "s.yaml")
    links: dict[str, str] = field(default_factory=dict)  # link in the folder -> target
    env: dict[str, str] = field(default_factory=dict)


def base(kind: str) -> dict[str, Any]:
    return yaml.safe_load((SCENARIOS / BASES[kind]).read_text(encoding="utf-8"))


def dump(raw: Any) -> str:
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1_000_000)


def join(path: tuple[Any, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def with_value(raw: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(raw)
    node: Any = raw
    for p in path[:-1]:
        if isinstance(node, dict) and p not in node:
            node[p] = {}
        node = node[p]
    node[path[-1]] = value
    return raw


def numeric_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from numeric_leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from numeric_leaves(v, (*path, i))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield path


def _sample(items: list[Any], n: int) -> list[Any]:
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def _first_mode(raw: dict[str, Any]) -> str:
    return next(iter(raw["festival"]["modes"]))


def _first_plan(raw: dict[str, Any]) -> str:
    return next(iter(raw["plans"]))


# --- classes ----------------------------------------------------------------------------------

def hostile_paths() -> Iterator[Case]:
    """Every file-naming field × absolute, `..`, symlinked file and folder, /proc, missing."""
    names = {
        "absolute /etc/passwd": ("/etc/passwd", {}),
        "absolute /proc/self/environ": ("/proc/self/environ", {}),
        "absolute outside secret": ("@OUTSIDE@/secret.csv", {}),
        "dotdot": ("../outside/secret.csv", {}),
        "dotdot deep": ("sub/../../outside/secret.csv", {}),
        "dotdot etc": ("../../../../../../etc/shadow", {}),
        "symlinked file": ("link.csv", {"link.csv": "../outside/secret.csv"}),
        "symlinked folder": ("data/secret.csv", {"data": "../outside"}),
        "symlink to /etc": ("etc/passwd", {"etc": "/etc"}),
        "home": ("~/.ssh/id_rsa", {}),
    }
    for kind in BASES:
        raw = base(kind)
        for label, (name, links) in names.items():
            r = with_value(raw, ("network",), {"graphml": name})
            yield Case(f"{kind}: network.graphml {label}", kind, dump(r), "network.graphml",
                       links=links)
    raw = base("festival")
    mode, plan = _first_mode(raw), _first_plan(raw)
    for label, (name, links) in names.items():
        r = copy.deepcopy(raw)
        m = r["festival"]["modes"][mode]
        m.pop("profile", None)
        m["counts_csv"] = name
        yield Case(f"festival: counts_csv {label}", "festival", dump(r),
                   f"festival.modes.{mode}.counts_csv", links=links)
        r = copy.deepcopy(raw)
        patch = r["plans"][plan] = dict(r["plans"][plan] or {})
        patch.setdefault("festival", {}).setdefault("modes", {})[mode] = {"counts_csv": name}
        yield Case(f"festival: plan counts_csv {label}", "festival", dump(r),
                   f"plans.{plan}.festival.modes.{mode}.counts_csv", links=links)


def bad_numbers() -> Iterator[Case]:
    """Sampled numeric leaves of each kind set to NaN, ±∞ and true."""
    for kind in BASES:
        raw = base(kind)
        leaves = [p for p in numeric_leaves(raw) if p[0] != "seed"]
        for label, value in (("nan", float("nan")), ("inf", float("inf")),
                             ("-inf", float("-inf")), ("true", True)):
            for path in _sample(leaves, SAMPLE):
                yield Case(f"{kind}: {join(path)} = {label}", kind,
                           dump(with_value(raw, path, value)), join(path))
        yield Case(f"{kind}: seed = true", kind, dump(with_value(raw, ("seed",), True)), "seed")


def huge_values() -> Iterator[Case]:
    """The issue's catalogue of counts, rates, durations and resolutions out of range."""
    rows: dict[str, list[tuple[tuple[Any, ...], Any]]] = {
        "muster": [
            (("forces", "militia"), {"count": 10**12}),
            (("forces", "militia"), {"count": 1e12}),
            (("forces", "reserve"), {"per_residents": 1e-9}),
            (("forces", "grid_head"), {"per_grid": 10**9}),
            (("grids", 0, "residents"), 10**12),
            (("grids", 0, "households"), 10**9),
            (("seed",), 2**64),
            (("muster", "horizon_min"), 1e9),
            (("muster", "assembly_points", 0, "desks"), 10**9),
            (("muster", "phone_tree", "fan_out"), 10**9),
            (("muster", "speeds_kmh", "walk"), 1e9),
            (("muster", "preparation"), {"dist": "fixed", "value": 1e12}),
            (("muster", "night_preparation_factor"), 1e12),
            (("injects",), [{"t_min": 10, "type": "reinforcement_arrives", "role": "militia",
                             "count": 10**12, "node": "@NODE@"}]),
            (("injects",), [{"t_min": 1e12, "type": "channel_outage", "channel": "grid_app",
                             "duration_min": 10}]),
        ],
        "evacuation": [
            (("evacuation", "hazard", "update_min"), 1e-6),
            (("evacuation", "hazard", "start_hour"), 1e12),
            (("evacuation", "hazard", "rain"), {"design_storm": {"total_mm": 1e12}}),
            (("evacuation", "horizon_min"), 1e9),
            (("evacuation", "shelters", 0, "capacity"), 10**12),
            (("evacuation", "reinforcements"), [{"id": "x", "members": 10**12, "node": "V1"}]),
            (("evacuation", "population", "walk_kmh"), 1e9),
            (("evacuation", "vehicle_kmh"), 1e12),
            (("grids", 0, "residents"), 10**12),
            (("grids", 0, "households"), 10**9),
            (("network", "synthetic", "villages"), 10**6),
            (("network", "synthetic", "nodes_per_village"), 10**6),
            (("forces", "grid_worker_pt"), {"per_grid": 10**12}),
            (("evacuation", "hazard", "rain"), {"hourly_mm": [1.0] * 5000}),
        ],
        "festival": [
            (("festival", "record_every_min"), 1e-6),
            (("festival", "surge", "factor"), 1e12),
            (("festival", "surge", "before_tide_min"), 1e12),
            (("festival", "walk_kmh"), 1e12),
            (("festival", "modes", "@MODE@", "profile", 0, "per_hour"), 1e12),
            (("festival", "checkpoints", "@CP@", "lanes"), 10**9),
            (("festival", "checkpoints", "@CP@", "staff_per_lane"), 10**9),
            (("festival", "staff", "security"), 10**12),
            (("festival", "danger_ppm2"), 1e9),
            (("injects",), [{"t_min": 60, "type": "visitor_surge", "factor": 1e12,
                             "duration_min": 30}]),
            (("injects",), [{"t_min": 60, "type": "visitor_surge", "factor": 2,
                             "duration_min": 1e12}]),
        ],
    }
    for kind, items in rows.items():
        raw = base(kind)
        for i, (path, value) in enumerate(items):
            path = _placeholders(raw, path)
            value = _placeholders_value(raw, value)
            expect = join(path[:1]) if path[0] == "injects" else join(path)
            yield Case(f"{kind}: #{i} {join(path)} = {str(value)[:40]}", kind,
                       dump(with_value(raw, path, value)), expect)


def _placeholders(raw: dict[str, Any], path: tuple[Any, ...]) -> tuple[Any, ...]:
    subs = {}
    if raw.get("kind") == "festival":
        subs = {"@MODE@": _first_mode(raw), "@CP@": next(iter(raw["festival"]["checkpoints"]))}
    return tuple(subs.get(p, p) if isinstance(p, str) else p for p in path)


def _placeholders_value(raw: dict[str, Any], value: Any) -> Any:
    node = raw["grids"][0].get("node", "V1")
    if isinstance(value, list):
        return [{k: (node if v == "@NODE@" else v) for k, v in d.items()}
                if isinstance(d, dict) else d for d in value]
    return value


def huge_strings() -> Iterator[Case]:
    for kind in BASES:
        raw = base(kind)
        for path in (("name",), ("grids", 0, "id"), ("description",), ("grids", 0, "village")):
            n = 200_000 if path != ("description",) else 20_000
            yield Case(f"{kind}: {join(path)} of {n:,} characters", kind,
                       dump(with_value(raw, path, "x" * n)), join(path))
        long_key = "k" * 5000
        yield Case(f"{kind}: a 5,000-character plan name", kind,
                   dump(with_value(raw, ("plans", long_key), {})), "plans")


def absurdities() -> Iterator[Case]:
    """Scenarios that validate field by field but cannot mean what was meant."""
    m = base("muster")
    yield Case("muster: a mode with no speed", "muster", dump(with_value(with_value(
        m, ("muster", "speeds_kmh"), {"walk": 4.5}), ("muster", "default_role", "modes"),
        {"walk": 0.5, "ebike": 0.3, "car": 0.2})), "muster.default_role.modes")
    no_res = copy.deepcopy(m)
    for g in no_res["grids"]:
        g["residents"] = 0
    no_res["forces"]["cadre"] = {"count": 40}
    yield Case("muster: residents 0 drops a count-based role", "muster", dump(no_res),
               "forces.cadre.count")
    for kind in BASES:
        raw = base(kind)
        yield Case(f"{kind}: objective on an unknown metric", kind, dump(with_value(
            raw, ("objectives",), [{"metric": "nosuch", "at_least": 1}])),
            "objectives[0].metric")
        other = next(k for k in BASES if k != kind)
        plan = _first_plan(raw)
        yield Case(f"{kind}: a plan with a {other} section", kind, dump(with_value(
            raw, ("plans", plan, other), {"horizon_min": 10})), f"plans.{plan}.{other}")
    empty = copy.deepcopy(m)
    empty["forces"] = {r: {"count": 0} for r in empty["forces"]}
    empty.pop("injects", None)
    for p in empty.get("plans", {}).values():
        if isinstance(p, dict):
            p.pop("forces", None)
            p.pop("injects", None)
    yield Case("muster: a plan with nobody in it", "muster", dump(empty), "forces")
    yield Case("muster: preparation of 10^12 minutes", "muster", dump(with_value(
        m, ("muster", "preparation"), {"dist": "fixed", "value": 1e12})), "muster.preparation")
    e = base("evacuation")
    yield Case("evacuation: warning after the horizon", "evacuation", dump(with_value(
        e, ("evacuation", "warning_start_min"), 10_000)), "evacuation.warning_start_min")
    yield Case("evacuation: empty household list", "evacuation", dump(with_value(
        e, ("evacuation", "population", "households"), [])), "evacuation.population.households")
    f = base("festival")
    yield Case("festival: forces section ignored", "festival", dump(with_value(
        f, ("forces",), {"militia": {"count": 5}})), "forces")
    cp = next(iter(f["festival"]["checkpoints"]))
    shift = next(iter(f["festival"]["checkpoints"][cp]["roster"]))
    yield Case("festival: a shift with no staff at a busy checkpoint", "festival", dump(
        with_value(f, ("festival", "checkpoints", cp, "roster", shift, "staff"), {})),
        f"festival.checkpoints.{cp}.roster.{shift}")
    still = copy.deepcopy(f)
    for mode in still["festival"]["modes"].values():
        for step in mode.get("profile", []):
            step["per_hour"] = 0
        if "counts" in mode:
            mode["counts"] = [0 for _ in mode["counts"]]
    yield Case("festival: nobody arrives", "festival", dump(still), "festival.modes")
    yield Case("festival: NaN mode share", "festival", dump(with_value(
        f, ("festival", "modes", _first_mode(f), "checkpoints", cp), float("nan"))),
        f"festival.modes.{_first_mode(f)}.checkpoints.{cp}")


def yaml_bombs() -> Iterator[Case]:
    def bomb(levels: int, where: str) -> str:
        lines = ["l0: &a0 [x, x, x, x, x, x, x, x, x]"]
        lines += [f"l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]"
                  for i in range(1, levels + 1)]
        text = dump(base("muster"))
        if where == "unknown key":
            return text + "\n" + "\n".join(lines) + "\n"
        return text + "\nobjectives:\n" + "\n".join("  - " + ln.replace(": &", ": {metric: &")
                                                     + "}" for ln in lines[:1]) + "\n" + \
            "\n".join(f"  - {{metric: x, at_least: 1, description: {ln.split(': ', 1)[1]}}}"
                      for ln in lines[1:]) + "\n"
    for levels in (5, 7, 9):
        yield Case(f"YAML alias bomb, {levels} levels under an unknown key", "muster",
                   bomb(levels, "unknown key"), "(file)")
        yield Case(f"YAML alias bomb, {levels} levels inside objectives", "muster",
                   bomb(levels, "objectives"), "(file)")
    many = dump(base("muster")) + "\nx: &a 1\ny: [" + ", ".join(["*a"] * 150) + "]\n"
    yield Case("150 YAML aliases", "muster", many, "(file)")
    for kind in BASES:
        text = dump(base(kind))
        yield Case(f"{kind}: duplicate top-level key", kind, text + "seed: 3\n", "seed")
        first_grid = text.index("- id:")
        yield Case(f"{kind}: duplicate key in a grid", kind,
                   text[:first_grid] + "- residents: 5\n  " + text[first_grid + 2:],
                   "grids[0].residents")
        yield Case(f"{kind}: 6 MB file", kind, text + "#" + "x" * (6 * 1024 * 1024) + "\n",
                   "(file)")
        yield Case(f"{kind}: python object tag", kind,
                   text + "extra: !!python/object/apply:os.system ['echo hi']\n", "(file)")
        yield Case(f"{kind}: nested 80 deep", kind, text + "deep: " + "[" * 80 + "]" * 80 + "\n",
                   "(file)")


def markup() -> Iterator[Case]:
    """Values that rich would turn into markup or emoji must come back literally."""
    for kind in BASES:
        yield Case(f"{kind}: markup in an echoed value", kind, dump(with_value(
            base(kind), ("kind",), ":x: root:x:0 [bold red]boom[/bold red]")), "kind")


def cli_misuse() -> Iterator[Case]:
    m, f = dump(base("muster")), dump(base("festival"))
    yield Case("compare --plans ,", "muster", m, "--plans",
               args=("compare", "s.yaml", "--plans", ",", "--no-store"))
    yield Case("compare --plans ' , '", "muster", m, "--plans",
               args=("compare", "s.yaml", "--plans", " , ", "--no-store"))
    yield Case("run --metric nosuch --until-halfwidth", "muster", m, "--metric",
               args=("run", "s.yaml", "--until-halfwidth", "0.1", "--metric", "nosuch",
                     "--no-store"))
    yield Case("compare --metric nosuch --until-halfwidth", "muster", m, "--metric",
               args=("compare", "s.yaml", "--until-halfwidth", "0.1", "--metric", "nosuch",
                     "--no-store"))
    yield Case("festival run over the budget", "festival", f, "--reps",
               args=("run", "s.yaml", "--reps", "100000", "--no-store"))
    # (The muster model is fast: 100,000 replications of every plan fit the default budget
    # of 4 h, and would run; a budget of 10 min refuses them before any runs.)
    yield Case("muster compare over a --budget", "muster", m, "--reps",
               args=("compare", "s.yaml", "--reps", "100000", "--budget", "600", "--no-store"))
    yield Case("festival compare over a small --budget", "festival", f, "--reps",
               args=("compare", "s.yaml", "--reps", "20", "--budget", "10", "--no-store"))
    yield Case("festival run over the memory budget", "festival", f, "--memory-budget",
               args=("run", "s.yaml", "--reps", "10", "--workers", "64", "--memory-budget",
                     "1000", "--no-store"))
    yield Case("bad GRIDMUSTER_BUDGET", "muster", m, "GRIDMUSTER_BUDGET",
               args=("run", "s.yaml", "--reps", "2", "--no-store"),
               env={"GRIDMUSTER_BUDGET": "lots"})


def cases() -> list[Case]:
    out = [*hostile_paths(), *bad_numbers(), *huge_values(), *huge_strings(), *absurdities(),
           *yaml_bombs(), *markup(), *cli_misuse()]
    names = [c.name for c in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    assert not dup, f"case names must be unique: {dup}"
    return out


def materialise(case: Case, root: Path) -> Path:
    """Write a case into ``root/case/`` (with the files the kinds need) beside
    ``root/outside/`` (secrets the case must not reach); return the case folder."""
    outside = root / "outside"
    outside.mkdir(parents=True, exist_ok=True)
    for name in ("secret.csv", "secret.graphml", "passwd"):
        (outside / name).write_text(f"visitors,{SECRET}\n1,{SECRET}\n", encoding="utf-8")
    folder = root / "case"
    folder.mkdir(parents=True, exist_ok=True)
    graphml = SCENARIOS / "yanguan_seawall.graphml"
    (folder / graphml.name).write_bytes(graphml.read_bytes())
    (folder / "s.yaml").write_text(case.text.replace("@OUTSIDE@", str(outside)),
                                   encoding="utf-8")
    for link, target in case.links.items():
        (folder / link).symlink_to(target)
    return folder


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus-out")
    for i, c in enumerate(cases()):
        materialise(c, out / f"{i:03d}")
    print(f"{len(cases())} cases written to {out}/")
