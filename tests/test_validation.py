"""Bad input: every problem reported with its field path, all at once, exit 2, no traceback."""

from __future__ import annotations

import copy
from pathlib import Path

import networkx as nx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.errors import ScenarioError
from sim.core.scenario import load_scenario, parse_scenario
from tests.helpers import BUNDLED, cli, fixed_muster, line_graphml, write_scenario


def problems_of(tmp_path: Path, data: dict) -> list[str]:
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, tmp_path)
    return [str(p) for p in exc.value.problems]


def test_bundled_scenario_is_valid():
    r = cli("validate", str(BUNDLED))
    assert r.returncode == 0, r.stderr
    assert "ok:" in r.stdout and "baseline" in r.stdout


CASES = {
    "negative count": (
        {"plans": {"baseline": {"forces": {"militia": {"count": -3}}}}},
        "plans.baseline.forces.militia.count: must be ≥ 0 (got -3)",
    ),
    "ratio of zero": (
        {"forces": {"grid_head": {"per_grid": 1}, "reserve": {"per_residents": 0}}},
        "forces.reserve.per_residents: must be ≥ 1 (got 0)",
    ),
    "unknown key": (
        {"muster": {"alert_tmie": "09:00"}},
        "muster.alert_tmie: unknown key (got '09:00')",
    ),
    "wrong type": (
        {"muster": {"horizon_min": "soon"}},
        "muster.horizon_min: must be a number (got 'soon')",
    ),
    "assembly point off the network": (
        {"muster": {"assembly_points": [{"id": "AP", "node": "Z"}]}},
        "muster.assembly_points[0].node: not a node of the road network (got 'Z')",
    ),
    "plan names an unknown role": (
        {"plans": {"more": {"forces": {"milita": {"count": 3}}}}},
        "plans.more.forces.milita: unknown name; must be one of",
    ),
    "unknown distribution": (
        {"muster": {"acknowledge": {"dist": "gamma", "shape": 2}}},
        "muster.acknowledge: unknown 'dist'",
    ),
    "lognormal p90 below median": (
        {"muster": {"preparation": {"dist": "lognormal", "median": 5, "p90": 2}}},
        "muster.preparation: p90 must be greater than median",
    ),
    "bad clock time": (
        {"plans": {"late": {"muster": {"alert_time": "25:00"}}}},
        "plans.late.muster.alert_time:",
    ),
    "unknown assembly point in plan": (
        {"plans": {"x": {"muster": {"assignment": {"roles": {"militia": "AP9"}}}}}},
        "plans.x.muster.assignment.roles.militia: not an assembly point id",
    ),
    "grid on no node": (
        {"grids": [{"id": "GA", "node": "Q", "residents": 10}]},
        "grids[0].node: not a node of the road network (got 'Q')",
    ),
    "objective on another kind's metric": (  # evacuation's, never computed for a muster
        {"objectives": [{"metric": "evacuated_60min", "at_least": 10}]},
        "objectives[0].metric: not a metric gridmuster computes",
    ),
    "two counting rules": (
        {"forces": {"grid_head": {"per_grid": 1, "count": 4}}},
        "forces.grid_head: give exactly one of count, per_grid, per_residents",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_input_names_its_field(tmp_path, case):
    patch, expected = CASES[case]
    data = fixed_muster(**patch)
    found = problems_of(tmp_path, data)
    assert any(expected in p for p in found), found


def test_all_problems_are_reported_at_once(tmp_path):
    data = fixed_muster(muster={"horizon_min": -1, "checkin": -2},
                        plans={"p": {"forces": {"militia": {"count": -1}}}})
    found = problems_of(tmp_path, data)
    assert len(found) == 3, found


def test_disconnected_network(tmp_path):
    g = nx.Graph()
    g.add_edge("A", "B", length_m=100, speed_kmh=30)
    g.add_edge("C", "D", length_m=100, speed_kmh=30)
    nx.write_graphml(g, tmp_path / "line.graphml")
    data = fixed_muster(grids=[{"id": "GA", "node": "A", "residents": 1}])
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, tmp_path)
    assert "network: road network is not connected: 2 components" in str(exc.value)


def test_missing_and_corrupt_graphml(tmp_path):
    data = fixed_muster(network={"graphml": "nowhere.graphml"})
    with pytest.raises(ScenarioError, match="network.graphml: file not found"):
        parse_scenario(data, tmp_path)
    (tmp_path / "bad.graphml").write_text("<graphml><oops")
    data = fixed_muster(network={"graphml": "bad.graphml"})
    with pytest.raises(ScenarioError, match="network.graphml: not a readable GraphML"):
        parse_scenario(data, tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "(file): the file is empty"),
        ("# only a comment\n", "(file): the file is empty"),
        ("- just\n- a list\n", "(file): the file must be a mapping"),
        ("name: x\nkind: muster\n  bad: indent\n", "YAML syntax error at line 3"),
        ("name: [unclosed\n", "YAML syntax error at line"),
        ("name: x\nkind: parade\n", "kind: unknown scenario kind"),
    ],
)
def test_file_level_errors_via_cli(tmp_path, text, expected):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    r = cli("validate", str(path))
    assert r.returncode == 2
    assert expected in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_cli_reports_field_paths_and_exit_2(tmp_path):
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    data = fixed_muster(plans={"baseline": {"forces": {"militia": {"count": -3}}}})
    r = cli("validate", str(write_scenario(tmp_path, data)))
    assert r.returncode == 2
    assert "plans.baseline.forces.militia.count: must be ≥ 0 (got -3)" in r.stderr
    assert "Traceback" not in r.stderr
    r = cli("run", str(write_scenario(tmp_path, data)), "--reps", "2")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_missing_file_and_unknown_plan(tmp_path):
    r = cli("validate", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2 and "file not found" in r.stderr
    r = cli("run", str(BUNDLED), "--plan", "nosuch", "--reps", "1", "--out", str(tmp_path))
    assert r.returncode == 2 and "--plan: no such plan" in r.stderr
    assert "Traceback" not in r.stderr


_BASE = yaml.safe_load(BUNDLED.read_text())
_LEAVES: list[tuple] = []


def _collect(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            _collect(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            _collect(v, (*path, i))
    else:
        _LEAVES.append(path)


_collect(_BASE)
_JUNK = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                  st.text(max_size=5), st.booleans(), st.lists(st.integers(), max_size=2),
                  st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_LEAVES), _JUNK, st.booleans()), min_size=1,
                max_size=3))
def test_random_mutations_never_raise_anything_but_scenario_error(mutations):
    data = copy.deepcopy(_BASE)
    for path, value, delete in mutations:
        node = data
        for key in path[:-1]:
            node = node[key]
        if delete and isinstance(node, dict):
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    try:
        s = parse_scenario(data, BUNDLED.parent)
    except ScenarioError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
    else:
        assert s.plan_names()


def test_load_bundled_from_any_cwd(tmp_path):
    s = load_scenario(BUNDLED)
    assert s.kind.name == "muster" and len(s.plan_names()) >= 3
