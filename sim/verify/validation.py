"""Validation against the field reports: each bundled field case and its reported figure, the
simulated band and where the figure falls, with every assumed parameter listed."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.core.forces import build_roster
from sim.present.i18n import _
from sim.verify.bundled import SCENARIO_DIR, assumed, load, replications
from sim.verify.case import Context
from sim.verify.imo import TIME_METRIC, assess


@dataclass(frozen=True)
class Comparison:
    """One reported figure against the model: a simulated band (outputs) or a count read
    from the scenario (inputs the report gives)."""

    quantity: str
    reported: str
    model: str
    verdict: str  # plain words: "inside the 5–95 % band", "matches", ...
    agrees: bool


@dataclass(frozen=True)
class FieldCase:
    title: str
    scenario: str
    plan: str
    source: str
    comparisons: list[Comparison]
    assumed: list[str]
    replications: int = 0
    imo: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "scenario": self.scenario, "plan": self.plan,
                "source": self.source, "replications": self.replications,
                "comparisons": [c.__dict__ for c in self.comparisons],
                "imo": self.imo, "assumed": self.assumed}


def band(values: np.ndarray, reported: float, at_least: bool, what: str, unit: str
         ) -> Comparison:
    v = values[np.isfinite(values)]
    p5, p50, p95 = (float(x) for x in np.percentile(v, [5, 50, 95]))
    inside = p5 <= reported <= p95
    if at_least:  # the report gives a floor ("1,500+"): how often the model reaches it
        share = float(np.mean(v >= reported))
        verdict = (_("{share} of replications reach at least {reported} {unit}",
                     share=f"{share:.0%}", reported=f"{reported:,.0f}", unit=unit)
                   + ("" if share >= 0.5 else _(" — the model falls short of the report")))
        agrees = share >= 0.5
    else:
        below = float(np.mean(v < reported))
        where = (_("inside the simulated 5–95 % band ({share} of replications are lower)")
                 if inside else
                 _("below the simulated 5–95 % band ({share} of replications are lower)")
                 if reported < p5 else
                 _("above the simulated 5–95 % band ({share} of replications are lower)"))
        verdict = where.format(share=f"{below:.0%}")
        agrees = inside
    figure = f"{reported:,.0f} {unit}"
    return Comparison(what, _("at least {figure}", figure=figure) if at_least
                      else _("about {figure}", figure=figure),
                      _("{median} {unit} (median; 5–95 %: {p5}–{p95}) over {n} replications",
                        median=f"{p50:,.0f}", unit=unit, p5=f"{p5:,.0f}", p95=f"{p95:,.0f}",
                        n=v.size), verdict, agrees)


def count(what: str, reported: int, model: int, at_least: bool = False) -> Comparison:
    ok = model >= reported if at_least else model == reported
    return Comparison(what, _("at least {figure}", figure=f"{reported:,}") if at_least
                      else f"{reported:,}", f"{model:,}",
                      _("matches the report") if ok else _("differs from the report"), ok)


def _path(stem: str) -> Path:
    return SCENARIO_DIR / f"{stem}.yaml"


def youchegang(ctx: Context) -> FieldCase:
    path = _path("muster_youchegang")
    runs = replications(ctx, path, "baseline", ctx.n(20, 100))  # full: two IMO batches
    mustered = np.array([r.metrics["mustered_60min"] for r in runs])
    imo: list[str] = []
    if len(runs) >= 50:  # t90 first; t50 as well, as t90 may not be reached in every run
        for metric in dict.fromkeys([TIME_METRIC["muster"], "t50_min"]):
            imo += assess(metric, np.array([r.metrics[metric] for r in runs])).lines()
    return FieldCase(
        _("Youchegang one-hour mustering drill"), path.name, "baseline",
        _("field-data.md, Scenario 3: 1,500+ party cadres, grid workers and micro-grid heads "
          "joined the squads within 1 hour (grid app)"),
        [band(mustered, 1500, True, _("people mustered within 60 min"), _("people"))],
        assumed(path), len(runs), imo)


def yangning(ctx: Context) -> FieldCase:
    path = _path("rainstorm_yangning")
    runs = replications(ctx, path, "baseline", ctx.n(20, 100))
    moved = np.array([r.metrics["evacuated_60min"] for r in runs])
    return FieldCase(
        _("Yangning village rainstorm evacuation"), path.name, "baseline",
        _("field-data.md, Scenario 1: about 150 people moved to the village-committee shelter "
          "within one hour"),
        [band(moved, 150, False, _("people evacuated within 60 min"), _("people"))],
        assumed(path), len(runs))


def duhu(ctx: Context) -> FieldCase:
    path = _path("rainstorm_duhu")
    model = load(ctx, path).plan("baseline").model
    roles = Counter(r.role for r in build_roster({str(k): v for k, v in model.forces.items()},
                                                 list(model.grids)))
    return FieldCase(
        _("Duhu town rainstorm: the reported forces"), path.name, "baseline",
        _("field-data.md, Forces and Scenario 1: 26 level-2 grids, 35 full-time and 1,192 "
          "part-time grid workers, town emergency force 55, village emergency forces 94"),
        [count(_("level-2 grids (one grid head each)"), 26, roles["grid_head"]),
         count(_("full-time grid workers"), 35, roles["grid_worker_ft"]),
         count(_("part-time grid workers"), 1192, roles["grid_worker_pt"]),
         count(_("town emergency force (emergency squad)"), 55, roles["emergency_squad"]),
         count(_("village emergency forces (militia)"), 94, roles["militia"])],
        assumed(path))


def yanguan(ctx: Context) -> FieldCase:
    path = _path("tide_yanguan")
    s = load(ctx, path)
    p = s.plan("reported").model.festival  # type: ignore[attr-defined]
    pool = dict(p.staff)
    highway = sum(sum(sh.staff.values()) for sh in p.checkpoints["H1"].roster.values())
    rail = sum(sh.staff.get("volunteer", 0) for cid, cp in p.checkpoints.items()
               if "rail" in (cp.name or cid).lower() for sh in cp.roster.values())
    grid_teams = p.teams["grid"].count if "grid" in p.teams else 0
    used = p.posted()
    over = [g for g, n in used.items() if n > pool.get(g, 0)]
    return FieldCase(
        _("Yanguan tide festival: the reported staffing"), path.name, "reported",
        _("field-data.md, Scenario 2: 9 viewing points, 462 security personnel, 1,200 "
          "volunteers, 18 grid teams, 77 people at the highway-exit checkpoint in shifts, 30+ "
          "volunteers at the rail station"),
        # The report's totals are the staff pools; fewer of them are posted (the rest do not
        # act in the model), which the labels say rather than a bare "matches".
        [count(_("tide-viewing points"), 9, len(p.viewing_points)),
         count(_("security personnel in the staff pool (all groups but volunteers; {n} of them "
                 "posted)", n=f"{sum(n for g, n in used.items() if g != 'volunteer'):,}"), 462,
               sum(n for g, n in pool.items() if g != "volunteer")),
         count(_("volunteers in the staff pool ({n} of them posted)",
                 n=f"{used.get('volunteer', 0):,}"), 1200, pool.get("volunteer", 0)),
         count(_("grid teams"), 18, grid_teams),
         count(_("people in the highway-exit checkpoint's shifts"), 77, highway),
         count(_("volunteers in the rail station's shifts"), 30, rail, at_least=True),
         Comparison(_("people posted within each group's pool"),
                    _("all posts staffed from the pool"),
                    _("over the pool: {groups}", groups=", ".join(over) or _("none")),
                    _("consistent") if not over else _("more posted than the pool"), not over)],
        assumed(path))


FIELD_CASES = (youchegang, yangning, duhu, yanguan)


def validate(ctx: Context) -> list[FieldCase]:
    out = []
    for fn in FIELD_CASES:
        if not _path({"youchegang": "muster_youchegang", "yangning": "rainstorm_yangning",
                      "duhu": "rainstorm_duhu", "yanguan": "tide_yanguan"}[fn.__name__]
                     ).exists():
            continue
        out.append(fn(ctx))
    return out


def finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
