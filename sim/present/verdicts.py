"""Plain-language verdicts on a paired difference between two plans."""

from __future__ import annotations

import math

from sim.core.catalogue import info, is_time_to
from sim.present import formatting
from sim.present.i18n import _
from sim.run.stats import PairedDifference


def _fmt(x: float, metric: str = "", tenths: bool = False) -> str:
    text = formatting.tenth(x) if tenths and math.isfinite(x) else formatting.value(x, metric)
    return _("{value} min", value=text) \
        if formatting.kind_of(metric) == "minutes" and math.isfinite(x) else text


def verdict(metric: str, a: str, b: str, d: PairedDifference) -> str:
    """Plain language: ``night has 287 fewer people mustered by 60 min than baseline (95 % CI …)``."""
    m = info(metric)
    if d.n == 0:
        if is_time_to(metric):
            return _("{phrase}: cannot be compared between {b} and {a} (no replication where "
                     "both reached it, of {pairs})", phrase=m.phrase, a=a, b=b, pairs=d.pairs)
        return _("{phrase}: not applicable in {a} or {b}", phrase=m.phrase, a=a, b=b)
    tenths = formatting.few(metric, {"mean": d.mean, "ci95_low": d.ci95_low,
                                     "ci95_high": d.ci95_high})
    ci = _("95 % CI {low} to {high}", low=_fmt(d.ci95_low, metric, tenths),
           high=_fmt(d.ci95_high, metric, tenths))
    if is_time_to(metric) or d.n < d.pairs:
        ci += (_("; n = {n} of {pairs} where both reached") if is_time_to(metric)
               else _("; n = {n} of {pairs} where both apply")).format(n=d.n, pairs=d.pairs)
    if not d.significant:
        return _("no significant difference in {phrase} between {b} and {a} (mean difference "
                 "{diff}, {ci})", phrase=m.phrase, a=a, b=b,
                 diff=_fmt(d.mean, metric, tenths), ci=ci)
    more = _("more") if d.mean > 0 else _("fewer")
    if m.unit not in ("people", "households", "trips", "teams", "incidents"):
        more = _("higher") if d.mean > 0 else _("lower")
    better = (d.mean > 0) == m.higher_is_better
    return _("{b} has {amount} {more} {phrase} than {a} ({ci}; {judgement})", b=b, a=a,
             amount=_fmt(abs(d.mean), metric, tenths), more=more, phrase=m.phrase, ci=ci,
             judgement=_("better") if better else _("worse"))
