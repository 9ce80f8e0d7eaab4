"""Cross-field sense checks: scenarios that validate field by field but cannot mean what the
planner meant (a mode with no speed, a checkpoint with visitors and no lanes, a section the
kind ignores). ``errors`` refuse the scenario; ``warnings`` are printed by ``validate``.

Both take one resolved plan (the kind's ``ScenarioBase`` subclass) and return Problems whose
paths name the fields.
"""

from __future__ import annotations

import math
from typing import Any, cast

from pydantic import BaseModel

from sim.core.catalogue import METRICS
from sim.core.errors import Problem, join_path
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
    known = set(METRICS)
    examples = ", ".join(_kind_examples(model.kind))
    return [Problem(join_path("objectives", i, "metric"),
                    _("not a metric gridmuster computes; e.g. {examples}", examples=examples),
                    o.metric)
            for i, o in enumerate(model.objectives) if o.metric not in known]


def _kind_examples(kind: str) -> list[str]:
    from sim.core.scenario import KINDS  # the kinds import this module's users

    return list(KINDS[kind].headline_metrics[:4]) if kind in KINDS else []


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


def _muster(model: Any) -> list[Problem]:

    p = model.muster
    out = []
    behaviours = [(("muster", "default_role"), p.default_role)] + [
        (("muster", "roles", r), b) for r, b in p.roles.items()]
    for where, b in behaviours:
        for mode, share in b.modes.items():
            if share > 0 and mode not in p.speeds_kmh:
                out.append(Problem(join_path(*where, "modes", mode),
                                   _("this mode is used but muster.speeds_kmh has no speed "
                                     "for it (given: {given})",
                                     given=", ".join(p.speeds_kmh) or _("none")), share))
    reach = [getattr(p, c).reliability for c in p.channels if c != "phone_tree"]
    if reach and "phone_tree" not in p.channels and max(reach) == 0:
        out.append(Problem("muster.channels", _("every channel has reliability 0: the alert "
                                               "reaches nobody"), list(p.channels)))
    return out


def _evacuation(model: Any) -> list[Problem]:
    p = model.evacuation
    out = []
    if p.warning_start_min >= p.horizon_min:
        out.append(Problem("evacuation.warning_start_min", _(
            "the warning starts after the horizon ({horizon} min): nobody is warned",
            horizon=f"{p.horizon_min:g}"),
                           p.warning_start_min))
    if p.population.households is not None and not p.population.households:
        out.append(Problem("evacuation.population.households", _(
            "an empty list: nobody lives in the town (leave it out to generate households from "
            "the grids)")))
    return out


def _festival(model: Any) -> list[Problem]:
    from sim.kinds.festival.config import clock_min, shift_lanes

    p = model.festival
    out = []
    if model.forces:
        out.append(Problem("forces", _(
            "a festival scenario does not use forces (its staff are festival.staff and the "
            "postings); remove this section")))
    share: dict[str, float] = {}
    arrivals = 0.0
    for mode in p.modes.values():
        rate = sum(mode.counts) + sum(s.per_hour for s in mode.profile)
        arrivals += rate
        for cid, s in mode.checkpoints.items():
            if rate > 0 and s > 0:
                share[cid] = share.get(cid, 0.0) + s
    if arrivals == 0:
        out.append(Problem("festival.modes", _("no visitors arrive: every count and rate "
                                                      "is 0")))
    for cid, cp in p.checkpoints.items():
        if cid not in share:
            continue
        for sname, sh in cp.roster.items():
            if clock_min(sh.end) > clock_min(sh.start) and shift_lanes(cp, sh, p) == 0:
                out.append(Problem(join_path("festival", "checkpoints", cid, "roster", sname),
                                   _("visitors come to this checkpoint but this shift "
                                     "({start}–{end}) opens no lane (staff {staff}, {per} per "
                                     "lane)", start=sh.start, end=sh.end, staff=sh.people(),
                                     per=cp.staff_per_lane)))
    return out


def errors(model: Any) -> list[Problem]:
    """Problems that make a plan meaningless; the scenario is refused."""
    out = _walk(model.injects, ("injects",)) + _objectives(model) + _shared_by_residents(model)
    section = getattr(model, model.kind, None)
    if section is not None:
        out += _walk(section, (model.kind,))
    out += {"muster": _muster, "evacuation": _evacuation, "festival": _festival}.get(
        model.kind, lambda m: [])(model)
    return out


def _share_sum(where: tuple[Any, ...], shares: dict[str, float]) -> list[Problem]:
    total = sum(shares.values())
    if total > 0 and abs(total - 1) > 0.01:
        return [Problem(join_path(*where), _("shares sum to {total}, not 1; they are used "
                                                 "as proportions (each divided by {total})",
                                                 total=f"{total:g}"), dict(shares))]
    return []


def warnings(model: Any) -> list[Problem]:
    """Likely mistakes that still give a run: printed by ``validate``."""
    out: list[Problem] = []
    if model.kind == "muster":
        p = model.muster
        from sim.core.forces import roster_size  # deferred: sim.core.forces imports this module's users

        # A warning, not an error: an empty base plan is how `optimise` starts its search.
        if roster_size(dict(model.forces), list(model.grids)) == 0 and not model.injects:
            out.append(Problem("forces", _("nobody is on the roster (every role has 0 "
                                                 "members)")))
        out += _share_sum(("muster", "default_role", "modes"), dict(p.default_role.modes))
        for r, b in p.roles.items():
            out += _share_sum(("muster", "roles", r, "modes"), dict(b.modes))
        for name in ("notice_day", "notice_night", "acknowledge", "preparation", "checkin"):
            mean = getattr(p, name).mean()
            if mean >= p.horizon_min:
                out.append(Problem(join_path("muster", name), _(
                    "takes {mean} min on average, longer than the horizon ({horizon} min): few "
                    "or none will muster", mean=f"{mean:,.0f}", horizon=f"{p.horizon_min:g}")))
    elif model.kind == "evacuation" and not model.evacuation.population.households \
            and sum(g.residents for g in model.grids) == 0:
        out.append(Problem("grids", _("no grid has residents: nobody to evacuate")))
    return out
