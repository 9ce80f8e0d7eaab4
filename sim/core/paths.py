"""Field paths in a scenario mapping (``muster.preparation.median``,
``assembly_points[2].desks``): split, and set a value at one. Plain dict work, no models, so
that every layer (assumptions, plan editing, calibration, the optimiser) can use it."""

from __future__ import annotations

import re
from typing import Any

from sim.core.errors import Problem, ScenarioError
from sim.core.forces import RULES

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(path: str) -> list[str | int]:
    """``assembly_points[2].desks`` → ``['assembly_points', 2, 'desks']``."""
    return [int(idx) if idx else name for name, idx in _TOKEN.findall(path)]


def set_path(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in a scenario mapping. Under ``forces`` a role's counting rule is
    replaced (a role has exactly one of count / per_grid / per_residents / by_grid)."""
    parts = path.split(".")
    if parts[0] == "forces" and len(parts) == 3:
        role = dict((raw.get("forces") or {}).get(parts[1]) or {})
        for rule in RULES:
            role.pop(rule, None)
        role[parts[2]] = value
        raw.setdefault("forces", {})[parts[1]] = role
        return
    node = raw
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ScenarioError([Problem("--vary", "path does not lead to a mapping", path)])
    node[parts[-1]] = value


def set_fitted(raw: dict[str, Any], path: str, value: float) -> None:
    """Set a fitted value. Fitting a lognormal's ``median`` keeps its spread: the p90 moves in
    proportion, so that the fit changes the scale of a delay, not its shape."""
    parts = path.split(".")
    node: Any = raw
    for p in parts[:-1]:
        node = node.get(p) if isinstance(node, dict) else None
    if (parts[-1] == "median" and isinstance(node, dict) and node.get("dist") == "lognormal"
            and node.get("median")):
        node["p90"] = float(node["p90"]) * value / float(node["median"])
    set_path(raw, path, value)
