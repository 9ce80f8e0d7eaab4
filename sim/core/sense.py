"""Cross-field sense checks: scenarios that validate field by field but cannot mean what the
planner meant (a mode with no speed, a checkpoint with visitors and no lanes, a section the
kind ignores). ``errors`` refuse the scenario; ``warnings`` are printed by ``validate``.

Both take one resolved plan (the kind's ``ScenarioBase`` subclass) and return Problems whose
paths name the fields.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, cast

from pydantic import BaseModel

from sim.core.catalogue import known_metrics
from sim.core.errors import Problem, join_path
from sim.core.kind import find_kind
from sim.core.limits import MINUTES, ROLE_MEMBERS, SURGE
from sim.present.i18n import _


def _walk(value: Any, path: tuple[Any, ...]) -> list[Problem]:
    """Bounds the nested models do not carry themselves (injects, random delays)."""
    out: list[Problem] = []
    if isinstance(value, BaseModel):
        if hasattr(value, "dist") and callable(getattr(value, "mean", None)):
            mean = float(cast(Any, value).mean())
            if not math.isfinite(mean) or mean > MINUTES:
                out.append(Problem(join_path(*path), _("a delay of {mean} min on average; at most "
                                                             "{limit} (7 days)",
                                                             mean=f"{mean:,.0f}",
                                                             limit=f"{MINUTES:,.0f}")))
            return out
        for name in type(value).model_fields:
            v = getattr(value, name)
            where = (*path, name)
            if isinstance(v, bool):
                continue
            if name in ("count", "members") and isinstance(v, int) and v > ROLE_MEMBERS:
                out.append(Problem(join_path(*where), _("at most {n}", n=f"{ROLE_MEMBERS:,}"), v))
            elif name == "factor" and isinstance(v, int | float) and v > SURGE:
                out.append(Problem(join_path(*where), _("at most {n}", n=f"{SURGE:,.0f}"), v))
            elif name.endswith("_min") and isinstance(v, int | float) and v > MINUTES:
                out.append(Problem(join_path(*where), _("at most {n} (7 days)",
                                                         n=f"{MINUTES:,.0f}"), v))
            else:
                out.extend(_walk(v, where))
    elif isinstance(value, dict):
        for k, v in value.items():
            out.extend(_walk(v, (*path, k)))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            out.extend(_walk(v, (*path, i)))
    return out


def _objectives(model: Any) -> list[Problem]:
    # The scenario's own kind's metrics: another kind's is never computed for it (and the
    # other kinds stay unimported, so ``gridmuster validate`` starts sooner).
    kind = find_kind(model.kind)
    known = set(kind.metrics) if kind is not None else set(known_metrics())
    examples = ", ".join(_kind_examples(model.kind))
    return [Problem(join_path("objectives", i, "metric"),
                    _("not a metric gridmuster computes; e.g. {examples}", examples=examples),
                    o.metric)
            for i, o in enumerate(model.objectives) if o.metric not in known]


def _kind_examples(kind: str) -> list[str]:
    found = find_kind(kind)
    return list(found.headline_metrics[:4]) if found is not None else []


def _shared_by_residents(model: Any) -> list[Problem]:
    """A ``count`` or ``per_residents`` force is shared by residents: with none, it is empty."""
    out = []
    for role, force in model.forces.items():
        if force.per_grid is not None or force.by_grid is not None or (
                force.count is not None and force.count == 0):
            continue
        covered = [g for g in model.grids if force.grids is None or g.id in force.grids]
        if sum(g.residents for g in covered) == 0:
            rule = "count" if force.count is not None else "per_residents"
            out.append(Problem(join_path("forces", role, rule),
                               _("members are shared among grids by residents, but the grids "
                                 "it covers have no residents, so this role would have nobody; "
                                 "give residents or use per_grid")))
    return out


def errors(model: Any) -> list[Problem]:
    """Problems that make a plan meaningless; the scenario is refused."""
    out = _walk(model.injects, ("injects",)) + _objectives(model) + _shared_by_residents(model)
    section = getattr(model, model.kind, None)
    if section is not None:
        out += _walk(section, (model.kind,))
    kind = find_kind(model.kind)
    if kind is not None and kind.sense_errors is not None:
        out += kind.sense_errors(model)
    return out


def share_sum(where: tuple[Any, ...], shares: Mapping[Any, float]) -> list[Problem]:
    total = sum(shares.values())
    if total > 0 and abs(total - 1) > 0.01:
        return [Problem(join_path(*where), _("shares sum to {total}, not 1; they are used "
                                                 "as proportions (each divided by {total})",
                                                 total=f"{total:g}"), dict(shares))]
    return []


def warnings(model: Any) -> list[Problem]:
    """Likely mistakes that still give a run: printed by ``validate`` (the kind's own)."""
    kind = find_kind(model.kind)
    return kind.sense_warnings(model) if kind is not None and kind.sense_warnings else []
