"""Editing staffing plans as tables: the forces and the kind's parameters of one plan, turned
into rows a person can edit, and edited rows turned back into a plan patch.

A plan is a patch over the scenario (see ``sim.core.config.merge_plan``): ``forces`` replaces whole
roles and the kind's section is deep-merged. ``make_patch`` writes the smallest patch that gives
the edited plan: the roles that differ from the scenario's, and the parameters that differ
(a list that differs is written whole, since merging replaces lists). The result is validated
by ``sim.core.scenario.parse_scenario`` like any scenario file, so a bad edit is reported with its
field path (``plans.more_militia.forces.militia.count: must be ≥ 0 (got -3)``).

No Streamlit here: the dashboard shows these rows in ``st.data_editor``.
"""

from __future__ import annotations

import copy
import hashlib
import math
from pathlib import Path
from typing import Any

import yaml

from sim import __version__
from sim.core.catalogue import role_label
from sim.core.config import merge_plan
from sim.core.errors import Problem, ScenarioError, join_path
from sim.core.forces import RULES as FORCE_RULES
from sim.core.limits import named_file
from sim.core.names import is_plan_name, plan_name_rule
from sim.core.paths import split_path
from sim.core.scenario import Scenario, parse_scenario
from sim.present.i18n import _

# A plan's own words (its names and descriptions), not changes it makes to the scenario.
PLAN_WORDS = ("name_zh", "description", "description_zh")
RULES = FORCE_RULES  # by_grid (an imported roster) shows its mapping as the value
FORCE_COLUMNS = ("role", "rule", "value", "grids")
PARAM_COLUMNS = ("parameter", "value", "type")
def kind_section(raw: dict[str, Any]) -> str:
    return str(raw.get("kind", ""))


def plan_patch(raw: dict[str, Any], plan: str) -> dict[str, Any]:
    """The patch of a plan as written in the scenario (empty for the implicit baseline)."""
    patch = (raw.get("plans") or {}).get(plan)
    return copy.deepcopy(patch) if isinstance(patch, dict) else {}


def changes_in_words(raw: dict[str, Any], plan: str, setting_names: dict[str, str]
                     ) -> list[str]:
    """What a plan changes, in a planner's words (translated): the roles it replaces, an
    exercise storyline, and the settings of the kind's section (``setting_names``: the kind's
    plain names, ``DashboardDefaults.setting_names``); empty for the scenario as it is."""
    out = []
    for key, value in plan_patch(raw, plan).items():
        if key in PLAN_WORDS:
            continue
        if key == "forces" and isinstance(value, dict):
            out.append(_("forces: {roles}",
                roles=_(", ").join(role_label(str(r)) for r in value)))
        elif key == "injects" and isinstance(value, list):
            out.append(_("exercise storyline ({n} events)", n=len(value)))
        elif key == kind_section(raw) and isinstance(value, dict):
            out += [_(setting_names[k]) if k in setting_names else str(k).replace("_", " ")
                    for k in value]
        else:
            out.append(str(key).replace("_", " "))
    return out


def resolved(raw: dict[str, Any], plan: str) -> dict[str, Any]:
    """The scenario mapping with the plan applied (as written: no defaults filled in)."""
    return copy.deepcopy(merge_plan(raw, plan_patch(raw, plan), kind_section(raw)))


# --- forces -------------------------------------------------------------------------------

def force_rows(raw: dict[str, Any], plan: str) -> list[dict[str, Any]]:
    """One row per role of the plan: ``role``, ``rule`` (count/per_grid/per_residents),
    ``value`` and ``grids`` (comma-separated, empty for all grids)."""
    rows = []
    for role, spec in (resolved(raw, plan).get("forces") or {}).items():
        spec = spec if isinstance(spec, dict) else {}
        rule = next((r for r in RULES if r in spec), "count")
        grids = spec.get("grids")
        rows.append({
            "role": str(role),
            "rule": rule,
            "value": spec.get(rule),
            "grids": ", ".join(str(g) for g in grids) if isinstance(grids, list) else "",
        })
    return rows


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str)
                                                                       and not v.strip())


def _number(v: Any) -> Any:
    """A cell as a number when it reads as one (ints stay ints); otherwise unchanged."""
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        text = v.strip()
        for conv in (int, float):
            try:
                return _number(conv(text))
            except ValueError:
                pass
    return v


def forces_from_rows(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows back to a ``forces`` mapping; rows without a role are ignored.

    Problems that validation cannot name well (unknown rule, a role twice) are raised here
    with the row number as the path.
    """
    forces: dict[str, dict[str, Any]] = {}
    problems = []
    for i, row in enumerate(rows):
        role = row.get("role")
        if _blank(role):
            continue
        role = str(role).strip()
        rule = "count" if _blank(row.get("rule")) else str(row.get("rule")).strip()
        where = join_path("forces table", f"row {i + 1}")
        if role in forces:
            problems.append(Problem(where, "role listed twice", role))
            continue
        if rule not in RULES:
            problems.append(Problem(where, _("rule must be one of {rules}",
                                                    rules=", ".join(RULES)), rule))
            continue
        spec: dict[str, Any] = {rule: None if _blank(row.get("value")) else _number(row["value"])}
        grids = row.get("grids")
        if not _blank(grids):
            spec["grids"] = [g.strip() for g in str(grids).split(",") if g.strip()]
        forces[role] = spec
    if problems:
        raise ScenarioError(problems)
    return forces


# --- the kind's parameters ----------------------------------------------------------------

def _type_name(v: Any) -> str:
    if v is None:  # an optional setting left empty (``divert_to: null``)
        return "empty"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, list):
        return "list"
    return "str"


def _flatten(value: Any, path: tuple[Any, ...], out: list[tuple[tuple[Any, ...], Any]]) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(v, (*path, k), out)
    elif isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        for i, v in enumerate(value):
            _flatten(v, (*path, i), out)
    else:
        out.append((path, value))


def _cell_text(v: Any) -> str:
    if isinstance(v, list):
        return ", ".join(_cell_text(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    return str(v)


def param_rows(raw: dict[str, Any], plan: str) -> list[dict[str, Any]]:
    """Every scalar setting of the kind's section for a plan, as text: ``parameter`` (a field
    path inside the section, e.g. ``assembly_points[0].desks``), ``value`` and ``type``."""
    section = resolved(raw, plan).get(kind_section(raw)) or {}
    leaves: list[tuple[tuple[Any, ...], Any]] = []
    _flatten(section, (), leaves)
    return [{"parameter": join_path(*p), "value": _cell_text(v), "type": _type_name(v)}
            for p, v in leaves if p]


def parse_cell(text: Any, type_name: str) -> Any:
    """An edited cell back to a value of the original type, when it reads as one (otherwise the
    text is kept and validation reports it with its field path)."""
    if not isinstance(text, str):
        return text
    s = text.strip()
    if type_name == "empty":  # stays empty unless a value is typed in
        return _number(s) if s else None
    if type_name == "str":
        return s
    if type_name == "bool":
        low = s.lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        return s
    if type_name in ("int", "float"):
        return _number(s)
    if type_name == "list":
        items = [x.strip() for x in s.split(",") if x.strip()]
        return [_number(x) for x in items]
    return s


def _set(obj: Any, path: list[str | int], value: Any) -> None:
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def section_from_rows(raw: dict[str, Any], plan: str, rows: list[dict[str, Any]]
                      ) -> dict[str, Any]:
    """The plan's kind section with the edited rows applied."""
    section = copy.deepcopy(resolved(raw, plan).get(kind_section(raw)) or {})
    for row in rows:
        path = split_path(str(row.get("parameter", "")))
        if not path:
            continue
        try:
            _set(section, path, parse_cell(row.get("value"), str(row.get("type", "str"))))
        except (KeyError, IndexError, TypeError):
            raise ScenarioError([Problem(join_path(kind_section(raw), str(row["parameter"])),
                                         "no such parameter in this plan")]) from None
    return section


# --- building the plan --------------------------------------------------------------------

def _diff(base: Any, new: Any) -> Any:
    """The smallest deep-merge patch turning ``base`` into ``new`` (None: no change)."""
    if isinstance(base, dict) and isinstance(new, dict):
        out = {k: d for k, v in new.items() if (d := _diff(base.get(k), v)) is not None}
        return out or None
    return None if base == new else new


def make_patch(raw: dict[str, Any], forces: dict[str, dict[str, Any]], section: dict[str, Any],
               description: str = "", base_plan: str | None = None) -> dict[str, Any]:
    """A plan patch over the scenario giving exactly these forces and this kind section.

    Roles the scenario has but ``forces`` lacks are set to ``count: 0`` (a patch cannot remove a
    role). Plan-level keys the tables do not show (an exercise storyline, ``injects``) come
    from ``base_plan``.
    """
    kind = kind_section(raw)
    base_forces = raw.get("forces") or {}
    patch: dict[str, Any] = {}
    if description:
        patch["description"] = description
    changed = {role: spec for role, spec in forces.items() if base_forces.get(role) != spec}
    changed.update({role: {"count": 0} for role in base_forces if role not in forces})
    if changed:
        patch["forces"] = changed
    sect = _diff(raw.get(kind) or {}, section)
    if sect:
        patch[kind] = sect
    base_patch = (raw.get("plans") or {}).get(base_plan) if base_plan else None
    if isinstance(base_patch, dict) and base_patch.get("injects") is not None:
        patch["injects"] = base_patch["injects"]
    return patch


def with_plan(raw: dict[str, Any], name: str, patch: dict[str, Any]) -> dict[str, Any]:
    """A copy of the scenario mapping with plan ``name`` added (or replaced).

    A scenario without plans runs as the implicit plan ``baseline``; it is written out as an
    empty plan so that it stays available beside the new one.
    """
    name = name.strip()
    if not is_plan_name(name):
        raise ScenarioError([Problem(_("plan name"), plan_name_rule(), name)])
    out = copy.deepcopy(raw)
    plans = out.get("plans")
    if not isinstance(plans, dict) or not plans:
        plans = {"baseline": {}} if name != "baseline" else {}
    plans[name] = patch
    out["plans"] = plans
    return out


def save_plan(scenario: Scenario, name: str, force_table: list[dict[str, Any]],
              param_table: list[dict[str, Any]], base_plan: str, description: str = ""
              ) -> Scenario:
    """Edited tables of ``base_plan`` → the scenario with a new plan ``name``, validated.

    Raises ``ScenarioError`` with field paths (``plans.NAME.…``) when the edit is invalid.
    """
    raw = scenario.raw
    forces = forces_from_rows(force_table)
    section = section_from_rows(raw, base_plan, param_table)
    patch = make_patch(raw, forces, section, description, base_plan)
    return parse_scenario(with_plan(raw, name, patch), scenario.base_dir)


def dump_yaml(raw: dict[str, Any]) -> str:
    """The scenario mapping as a YAML file (keys in their order; readable back by the loader)."""
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, default_flow_style=None,
                          width=100)


def plan_digest(scenario: Scenario, plan: str) -> str:
    """A hash of everything a plan's results depend on, apart from the seed and the replication
    count: the resolved plan, the road network file if any, and the gridmuster version. Two
    scenarios that differ only in other plans give the same digest, so their results can be
    shared."""
    setup = scenario.plan(plan)
    h = hashlib.sha256(setup.model.model_dump_json().encode())
    h.update(f"|{__version__}|{Path(setup.base_dir).resolve()}".encode())
    graphml = getattr(setup.model.network, "graphml", None)
    if graphml:
        path = named_file(Path(setup.base_dir), str(graphml))  # as the loader found it
        if path is not None:
            h.update(path.read_bytes())
    return h.hexdigest()[:16]
