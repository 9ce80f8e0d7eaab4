"""The package's structure: no import cycles (counting imports inside functions), imports
inside functions only to defer a heavy dependency and saying so, and no shared module that
names a bundled kind (issue 12)."""

from __future__ import annotations

import ast
from pathlib import Path

from sim.kinds import BUNDLED
from tests.import_graph import ROOT, cycles, graph, imports


def test_no_import_cycles_counting_imports_inside_functions():
    found = cycles(graph())
    assert found == [], "import cycles: " + "; ".join(" ↔ ".join(c) for c in found)


def test_the_graph_sees_function_level_imports_and_cycles():
    """The checker itself: a function-level import closing a loop is a cycle."""
    edges = {"a": {"b"}, "b": set()}
    assert cycles(edges) == []
    edges["b"].add("a")
    assert cycles(edges) == [["a", "b"]]
    local = [i for i in imports() if i.local]
    assert local, "no function-level import found: the reader is broken"
    assert all(i.module.startswith("sim") for i in local)


def test_imports_inside_functions_say_why_they_are_deferred():
    bare = [f"{i.module}:{i.line}: {i.text.strip()}" for i in imports()
            if i.local and "# deferred:" not in i.text and "deferred:" not in i.text]
    assert bare == [], "give each a one-line '# deferred: <reason>' comment:\n" + "\n".join(bare)


def _named_kinds(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(ROOT)}:{n.lineno}: {n.value!r}" for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in BUNDLED]


def test_no_shared_module_names_a_kind():
    """Only the kinds' own folders (and the V&V cases written for the bundled kinds) say
    "muster", "evacuation" or "festival"; the rest asks the Kind object."""
    shared = [p for folder in ("sim", "dashboard") for p in sorted((ROOT / folder).rglob("*.py"))
              if not p.is_relative_to(ROOT / "sim" / "kinds")
              and not p.is_relative_to(ROOT / "sim" / "verify")]
    named = [hit for p in shared for hit in _named_kinds(p)]
    assert named == [], "\n".join(named)
    # The check can fail: the registry itself names them.
    assert _named_kinds(ROOT / "sim" / "kinds" / "__init__.py")


def test_no_dashboard_file_knows_a_kinds_section_layout():
    """The dashboard reaches a kind's section only through the kind's hooks (e.g. the staffing
    editor through ``DashboardDefaults.staffing``): no dashboard file names a setting of a
    bundled kind's section (``checkpoints``, ``shelters``, ``assembly_points``...)."""
    from sim.core.kind import kind_named

    layout = {name for k in BUNDLED
              for name in kind_named(k).scenario_model.model_fields[k].annotation.model_fields}
    assert {"checkpoints", "viewing_points", "staff_scale", "shelters"} <= layout
    named = []
    for p in sorted((ROOT / "dashboard").rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        words = {id(a) for n in ast.walk(tree)  # text for a planner, _("teams"): not a key
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                 and n.func.id in ("_", "N_") for a in n.args}
        named += [f"{p.relative_to(ROOT)}:{n.lineno}: {n.value!r}" for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str)
                  and n.value in layout and id(n) not in words]
    assert named == [], "\n".join(named)
