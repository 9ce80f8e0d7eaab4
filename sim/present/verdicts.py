"""Plain-language verdicts on a paired difference between two plans."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.core.catalogue import COUNT_UNITS, info, is_time_to
from sim.present import formatting
from sim.present.i18n import _
from sim.present.plan_names import pair_plans
from sim.run.stats import PairedDifference


def p_value(p: float) -> str:
    """``p = 0.03``; ``p < 0.001`` below that (a smaller p is not more informative)."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def verdict_of(metric: str, pair: str, d: Mapping[str, Any],
               labels: Mapping[str, str] | None = None) -> str:
    """The verdict of a stored paired difference ``"B - A"`` (comparison.json), written anew in
    the current language (a file written in English reads in 中文 in a Chinese report), the
    plans named by ``labels`` (``sim.present.plan_names``; else by their keys)."""
    b, a = pair_plans(pair, labels or {})
    return verdict(metric, a, b, PairedDifference.from_dict(d))


def verdict(metric: str, a: str, b: str, d: PairedDifference) -> str:
    """Plain language: ``night has 287 fewer people mustered by 60 min than baseline (95 % CI …)``."""
    m = info(metric)
    if d.by_order:
        return _by_order(metric, a, b, d)
    if d.n == 0:
        if is_time_to(metric):
            return _("{phrase}: cannot be compared between {b} and {a} (no replication where "
                     "both reached it, of {pairs})", phrase=m.phrase, a=a, b=b, pairs=d.pairs)
        return _("{phrase}: not applicable in {a} or {b}", phrase=m.phrase, a=a, b=b)
    as_dict = d.as_dict()  # (the form ``formatting`` reads, as tables and reports pass it)
    if formatting.same_in_every_pair(as_dict):
        return _("{phrase}: the same in {b} as in {a} in every replication ({n} of {pairs})",
                 phrase=m.phrase, a=a, b=b, n=d.n, pairs=d.pairs)
    tenths = formatting.few(metric, {"mean": d.mean, "ci95_low": d.ci95_low,
                                     "ci95_high": d.ci95_high})
    # ("8.2 to 9.8 percentage points", "12.0 to 19.0 min": the unit once)
    if math.isnan(d.ci95_low) or math.isnan(d.ci95_high):  # (see ``paired_difference``)
        ci = _("one replication, too few for a 95 % CI") if d.n == 1 else \
            _("the same in each of {n} replications, too few to judge", n=d.n)
    else:
        ci = _("95 % CI {low} to {high}",
               low=formatting.amount(d.ci95_low, metric, tenths, False),
               high=formatting.amount(d.ci95_high, metric, tenths))
    ci += formatting.pairs_counted(as_dict, metric, lead=_("; "))
    if not d.significant:
        return _("no significant difference in {phrase} between {b} and {a} (mean difference "
                 "{diff}, {ci})", phrase=m.phrase, a=a, b=b,
                 diff=formatting.signed(d.mean, metric, tenths), ci=ci)
    judgement = _judgement(m.judge(d.mean))
    amount = formatting.amount(abs(d.mean), metric, tenths)
    if formatting.kind_of(metric) == "minutes":  # (not "15.5 min higher minutes to …")
        return _("{phrase}: {b} is {amount} {longer} than {a} ({ci}; {judgement})",
                 phrase=m.phrase, b=b, a=a, amount=amount, ci=ci, judgement=judgement,
                 longer=_("longer") if d.mean > 0 else _("shorter"))
    more = _("more") if d.mean > 0 else _("fewer")
    if m.unit not in COUNT_UNITS:
        more = _("higher") if d.mean > 0 else _("lower")
    if m.neutral:  # (demand, such as a festival's visitors: neither better nor worse)
        return _("{b} has {amount} {more} {phrase} than {a} ({ci})", b=b, a=a, amount=amount,
                 more=more, phrase=m.phrase, ci=ci)
    return _("{b} has {amount} {more} {phrase} than {a} ({ci}; {judgement})", b=b, a=a,
             amount=amount, more=more, phrase=m.phrase, ci=ci, judgement=judgement)


def _judgement(better: bool | None) -> str:
    return _("better") if better else _("worse")


def _by_order(metric: str, a: str, b: str, d: PairedDifference) -> str:
    """Where only one plan reached X in some replications: who was later, pair by pair, by the
    exact sign test (see ``PairedDifference``), with how often each reached X."""
    m = info(metric)
    counts = _("later in {later} of {pairs} replications, earlier in {earlier}; {test}; "
               "reached in {kb} of {pairs} against {ka}", later=d.later, earlier=d.earlier,
               pairs=d.pairs, test=_("sign test, {p}", p=p_value(d.sign_p)),
               kb=d.reached_b, ka=d.reached_a)
    if d.n:  # (what the mean difference says, over the pairs where both reached)
        counts += _("; where both reached ({n} replications), mean difference {diff}", n=d.n,
                    diff=formatting.signed(d.mean, metric))
    if not d.significant:
        return _("no significant difference in {phrase} between {b} and {a} ({b} {counts})",
                 phrase=m.phrase, a=a, b=b, counts=counts)
    return _("{phrase}: {b} is {later} than {a} ({b} {counts}; {judgement})", phrase=m.phrase,
             b=b, a=a, later=_("later") if d.direction > 0 else _("earlier"), counts=counts,
             judgement=_judgement(m.judge(d.direction)))
