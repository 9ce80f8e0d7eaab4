"""The one way numbers are written for people: CLI tables, the HTML report, the dashboard.

- counts are whole, with thousands separators (``1,618``);
- shares are percentages with one decimal (``88.0%``);
- minutes have one decimal (``42.3 min`` with the unit, ``42.3`` in a column already in minutes);
- a time that was not reached within the horizon is ``> 240 min``; a time-to-X metric reached
  in no replication is ``not reached (0/100)``;
- a statistic that cannot exist (nobody to evacuate, nobody at risk) is ``not applicable``;
- confidence intervals of counts, shares and minutes are clipped at 0 (never negative).

Works on the statistic mappings of ``summary.json`` (see :mod:`sim.run.stats`). Never prints
``nan``, ``None`` or ``inf``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from sim.core.catalogue import COUNT_UNITS, info, is_share, is_time_to
from sim.core.results import base_metric
from sim.present.i18n import N_, _

NOT_APPLICABLE = N_("not applicable")  # translated where returned
NOT_AVAILABLE = N_("not available")


def _missing(v: Any) -> bool:
    # numbers.Real: numpy's integers and floats too (a table's total is an np.int64)
    return v is None or isinstance(v, bool) or not isinstance(v, numbers.Real) or math.isnan(v)


def kind_of(metric: str) -> str:
    """``share``, ``minutes``, ``count``, ``level`` or ``number`` — how a metric is written."""
    base = base_metric(metric)
    unit = info(metric).unit
    if is_share(metric):
        return "share"
    if base.startswith("worst_los"):
        return "level"
    if unit == "min" or base.endswith("_min"):
        return "minutes"
    if unit in COUNT_UNITS:
        return "count"
    return "number"


def count(v: Any) -> str:
    """A whole number with thousands separators (a mean of counts is rounded)."""
    if _missing(v):
        return _(NOT_APPLICABLE)
    if math.isinf(v):
        return _("unbounded")
    r = round(float(v))
    return f"{r:,}" if r != 0 else "0"  # never "-0"


def share(v: Any) -> str:
    if _missing(v):
        return _(NOT_APPLICABLE)
    if math.isinf(v) or math.isinf(float(v) * 100):  # 1.8e306 as a percentage overflows
        return _("unbounded")
    return f"{float(v):.1%}"


def minutes(v: Any, unit: bool = True) -> str:
    if _missing(v):
        return _(NOT_APPLICABLE)
    if math.isinf(v):
        return _("not reached")
    text = f"{float(v):,.1f}"
    if text in ("-0.0",):
        text = "0.0"
    return _("{value} min", value=text) if unit else text


def number(v: Any) -> str:
    if _missing(v):
        return _(NOT_APPLICABLE)
    if math.isinf(v):
        return _("unbounded")
    x = float(v)
    text = f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"
    return "0.0" if text == "-0.0" else text


def level(v: Any) -> str:
    """Fruin level of service, 1 (A) … 6 (F)."""
    if _missing(v) or math.isinf(v):
        return _(NOT_APPLICABLE)
    return "ABCDEF"[min(max(round(float(v)), 1), 6) - 1]


def value(v: Any, metric: str = "", unit: bool = False) -> str:
    """One value of a metric, written as its kind says (``unit``: add "min" to minutes)."""
    k = kind_of(metric)
    if k == "share":
        return share(v)
    if k == "count":
        return count(v)
    if k == "minutes":
        return minutes(v, unit)
    if k == "level":
        return level(v)
    return number(v)


def later_than(horizon_min: Any) -> str:
    if _missing(horizon_min) or math.isinf(horizon_min):
        return _("not reached")
    return _("> {value} min", value=f"{float(horizon_min):g}")


def not_reached(k: int, n: int) -> str:
    return _("not reached ({k}/{n})", k=k, n=n)


def reached(d: Mapping[str, Any]) -> str:
    """``reached in 88/100 replications (88.0%)`` for a time-to-X statistic mapping."""
    k, n = _whole(d, "n_reached"), _whole(d, "n")
    return _("reached in {k}/{n} replications ({share})", k=k, n=n,
             share=share(k / n) if n else _(NOT_APPLICABLE))


def _whole(d: Mapping[str, Any], key: str) -> int:
    v: Any = d.get(key)
    return 0 if _missing(v) or math.isinf(v) else int(v)


def is_censored_entry(d: Mapping[str, Any]) -> bool:
    return "n_reached" in d


def partly_reached(d: Mapping[str, Any]) -> bool:
    """A time-to-X entry where some replications did not reach X within the horizon."""
    return is_censored_entry(d) and _whole(d, "n_reached") < _whole(d, "n")


def _applicable(d: Mapping[str, Any]) -> bool:
    return not d.get("not_applicable") and _whole(d, "n") > 0


def stat(d: Mapping[str, Any] | None, metric: str, key: str, unit: bool = False) -> str:
    """One statistic (``mean``, ``p95``, ``ci95_low`` …) of a metric's summary mapping."""
    if not d:
        return _(NOT_AVAILABLE)
    if d.get(f"{key}_censored"):
        return later_than(d.get("horizon_min"))
    v: Any = d.get(key)
    if _missing(v) or math.isinf(v):
        return _(NOT_AVAILABLE) if _applicable(d) else _(NOT_APPLICABLE)
    if key == "mean" and few(metric, d):
        return tenth(v)
    return value(v, metric, unit)


def interval(d: Mapping[str, Any], metric: str, low: str = "ci95_low",
             high: str = "ci95_high") -> str:
    """``[a – b]``; the interval of a count, a share or minutes is clipped at 0 and a share's at
    100 % (none is ever beyond; a t interval of a mean near the edge can reach past it)."""
    lo: Any = d.get(low)
    hi: Any = d.get(high)
    if _missing(lo) or _missing(hi):
        return ""
    if kind_of(metric) in ("count", "share", "minutes"):
        lo, hi = max(float(lo), 0.0), max(float(hi), 0.0)
    if kind_of(metric) == "share":
        lo, hi = min(lo, 1.0), min(hi, 1.0)
    if few(metric, d):  # (to a tenth, as the mean beside it)
        return f"[{tenth(lo)} – {tenth(hi)}]"
    return f"[{value(lo, metric)} – {value(hi, metric)}]"


def cell(d: Mapping[str, Any] | None, metric: str, ci: bool = False) -> str:
    """A metric in one line, the same in every table:

    - ordinary: ``1,234 (1,100–1,350)`` = mean (5th–95th percentile), or with ``ci`` the mean's
      95 % CI in brackets too;
    - a time reached in every replication: as ordinary, in minutes;
    - reached in some: ``median 45.0 (30.1 – > 240 min), reached in 88/100 replications (88.0%)``
      (the median and percentiles count the unreached as later than the horizon);
    - reached in none: ``not reached (0/100)``;
    - nothing to measure: ``not applicable`` (with the reason if the summary gives it).
    """
    if not d:
        return _(NOT_AVAILABLE)
    if not _applicable(d):
        reason = d.get("not_applicable")
        return f"{_(NOT_APPLICABLE)} ({_(reason)})" if isinstance(reason, str) \
            else _(NOT_APPLICABLE)
    if partly_reached(d):
        k, n = _whole(d, "n_reached"), _whole(d, "n")
        if k == 0:
            return not_reached(k, n)
        if d.get("p5_censored"):  # the whole 5–95 % range is past the horizon
            return _("median {median}, {reached}", median=stat(d, metric, "p50"),
                     reached=reached(d))
        return _("median {median} ({low} – {high}), {reached}", median=stat(d, metric, "p50"),
                 low=stat(d, metric, "p5"), high=stat(d, metric, "p95"), reached=reached(d))
    text = f"{stat(d, metric, 'mean')} ({stat(d, metric, 'p5')}–{stat(d, metric, 'p95')})"
    if ci:
        text = f"{stat(d, metric, 'mean')} {interval(d, metric)} " \
               f"({stat(d, metric, 'p5')}–{stat(d, metric, 'p95')})"
    return text.replace("  ", " ")


def mean_ci(d: Mapping[str, Any] | None, metric: str) -> str:
    """``mean [95 % CI]``, or for a censored time what :func:`cell` says instead."""
    if not d:
        return _(NOT_AVAILABLE)
    if not _applicable(d) or partly_reached(d):
        return cell(d, metric)
    if _whole(d, "n") > 1 and d.get("std") == 0:  # ("374 [374 – 374]" said it in figures)
        return _("{value} (the same in every replication)", value=stat(d, metric, "mean"))
    return f"{stat(d, metric, 'mean')} {interval(d, metric)}".strip()


def spread(d: Mapping[str, Any] | None, metric: str) -> str:
    """``5th – 95th percentile``."""
    if not d:
        return _(NOT_AVAILABLE)
    if not _applicable(d):
        return _(NOT_APPLICABLE)
    return f"{stat(d, metric, 'p5')} – {stat(d, metric, 'p95')}"


def difference(d: Mapping[str, Any] | None, metric: str) -> str:
    """A paired difference ``mean [CI]``, with ``both reached in 37 of 100 replications`` when
    not every pair entered; where only one plan reached a time in some replications, who was
    later pair by pair instead (``order``); a difference of 0 in every pair in words."""
    if not d:
        return _(NOT_AVAILABLE)
    if d.get("by_order"):
        return order(d)
    n, pairs = _whole(d, "n"), _whole(d, "pairs")
    if n == 0:
        return _("not comparable (no replication where both reached)") if is_time_to(metric) \
            else _(NOT_APPLICABLE)
    if same_in_every_pair(d):
        return _("the same in every replication ({n} of {pairs})", n=n, pairs=pairs)
    text = difference_value(d, metric)
    if not no_interval(d):
        text += (f" [{difference_value(d, metric, 'ci95_low')} – "
                 f"{difference_value(d, metric, 'ci95_high')}]")
    elif n > 1:  # (the same difference in every pair, too few pairs: ``paired_difference``)
        text += _(" in each of {n} replications, too few to judge", n=n)
    else:  # (the dashboard's first results of a slow kind come from one replication)
        text += _(" from one replication, too few to judge")
    return text + pairs_counted(d, metric)


def no_interval(d: Mapping[str, Any]) -> bool:
    """Whether a paired difference with pairs has no interval: one replication, or the same
    difference in too few pairs for any test (``sim.run.stats.paired_difference``)."""
    return bool(d.get("n")) and (_missing(d.get("ci95_low")) or _missing(d.get("ci95_high")))


def same_in_every_pair(d: Mapping[str, Any]) -> bool:
    """Whether a paired difference is 0 in every pair (its mean and interval all 0): a measure
    the plans cannot change, such as the residents a storm puts at risk."""
    return bool(d.get("n")) and all(d.get(k) == 0 for k in ("mean", "ci95_low", "ci95_high"))


def pairs_counted(d: Mapping[str, Any], metric: str, lead: str = ", ") -> str:
    """``, both reached in 37 of 100 replications`` for a time (and for any measure that did not
    apply in every pair): over how many pairs a difference was taken; empty otherwise."""
    n, pairs = _whole(d, "n"), _whole(d, "pairs")
    if is_time_to(metric):
        return lead + _("both reached in {n} of {pairs} replications", n=n, pairs=pairs)
    if pairs and n < pairs:
        return lead + _("both apply in {n} of {pairs} replications", n=n, pairs=pairs)
    return ""


def order(d: Mapping[str, Any]) -> str:
    """``later in 19 of 40, earlier in 2``: a time that only one plan reached in some
    replications, compared pair by pair (see ``sim.run.stats.PairedDifference``)."""
    return _("later in {later} of {pairs}, earlier in {earlier}", later=_whole(d, "later"),
             pairs=_whole(d, "pairs"), earlier=_whole(d, "earlier"))


def few(metric: str, d: Mapping[str, Any] | None) -> bool:
    """Whether a count's mean and its interval, or a paired difference and its interval, are
    written to a tenth: one of them is not whole, and the mean is under 10 people or a bound
    would round to 0 without being 0. Rounded to whole people, 0.4 stranded on average read "0"
    beside a finding saying 0.4, and a difference of −0.6 in −1.2 to −0.1 read "−1 [−1 – 0]",
    an interval that seems to hold no difference. A bound of exactly 0 (an interval cut at what
    a count can take) does not count: 267 people turned away in 0 to 829 read "267.2 [0.0 –
    828.8]". The one rule for every table, verdict, report and workbook."""
    if not d or kind_of(metric) != "count" or _missing(d.get("mean")):
        return False
    raw: list[Any] = [d.get(k) for k in ("mean", "ci95_low", "ci95_high")]
    values = [float(v) for v in raw if not _missing(v)]
    if any(math.isinf(v) for v in values):
        return False
    if all(v == round(v) for v in values):
        return False
    return abs(values[0]) < 10 or any(0 < abs(v) < 0.5 for v in values[1:])


def difference_value(d: Mapping[str, Any], metric: str, key: str = "mean") -> str:
    """One value of a paired difference (its ``mean``, ``ci95_low`` or ``ci95_high``) with its
    sign, all three to a tenth where ``few`` says so; a share's in percentage points, named
    after the mean only (``−16.8 percentage points [−17.1 – −16.5]``). Where the order of the
    pairs decides (``order``), that order."""
    if d.get("by_order"):
        return order(d)
    return signed(d.get(key), metric, few(metric, d), unit=key == "mean")


def tenth(x: float) -> str:
    """A number to a tenth with thousands separators, never "-0.0"."""
    return f"{float(x):,.1f}" if round(float(x), 1) != 0 else "0.0"


def amount(v: Any, metric: str = "", tenths: bool = False, unit: bool = True,
           plus: bool = False) -> str:
    """A quantity or a difference as people write it, with "−" when negative (and "+" when
    positive with ``plus``): a share's in percentage points (a difference of shares is not a
    share: ``16.8 percentage points``), minutes with "min", counts whole or with ``tenths`` to
    a tenth (see ``few``); ``unit`` False: the number alone (an interval's lower end, the unit
    written once after the upper)."""
    if _missing(v):
        return _(NOT_APPLICABLE)
    x = float(v)
    k = kind_of(metric)
    if not math.isfinite(x * 100):  # (1.8e306 as a percentage overflows)
        return value(x, metric)
    if k == "share":
        text = f"{abs(x) * 100:,.1f}"
    elif tenths:
        text = tenth(abs(x))
    else:
        text = value(abs(x), metric)
    if text not in ("0", "0.0", "0.0%"):  # (never "−0" or "+0.0")
        text = ("−" if x < 0 else "+" if plus else "") + text
    if unit and k == "share":
        return _("{value} percentage points", value=text)
    if unit and k == "minutes":
        return _("{value} min", value=text)
    return text


def signed(v: Any, metric: str = "", tenths: bool = False, unit: bool = True) -> str:
    """A difference with its sign (``+12``, ``−20``, ``+15.5 min``, ``−16.8 percentage
    points``; with ``tenths``, ``−0.6``: see ``few``)."""
    return amount(v, metric, tenths, unit, plus=True)


def meeting(objective: Mapping[str, Any]) -> str:
    """``met in 19 of 20 replications``: how many replications met an objective's target on
    their own (``PlanRun.objective``); empty for a summary written before it was counted."""
    k, n = objective.get("replications_meeting"), objective.get("replications_assessed")
    if not isinstance(k, int) or not isinstance(n, int) or n == 0:
        return ""
    return _("met in {k} of {n} replications", k=f"{k:,}", n=f"{n:,}")


def clock_minute(text: str) -> int:
    """The minute of the day of a clock time as scenarios write it ("05:00" → 300)."""
    hours, minutes = text.split(":", 1)
    return int(hours) * 60 + int(minutes)


def clock_time(minute_of_day: float) -> str:
    """A minute of the day as a clock reads it ("11:30"); past midnight from 00:00 again."""
    m = int(round(minute_of_day)) % (24 * 60)
    return f"{m // 60:02d}:{m % 60:02d}"


# An objective's statistic in words (``Objective.statistic``).
STATISTIC_NAMES = {"mean": N_("mean"), "p50": N_("median"), "p5": N_("5th percentile"),
                   "p95": N_("95th percentile")}


def objective_target(objective: Mapping[str, Any]) -> str:
    """``people mustered by 60 min (median) ≥ 1,500`` / ``60 分钟内集结人数（中位数）≥ 1,500``:
    an objective's target, the same in the dashboard and every report."""
    m, stat = objective["metric"], objective.get("statistic", "mean")
    return _("{measure} ({statistic}) {target}", measure=_(info(m).phrase),
             statistic=_(STATISTIC_NAMES.get(stat, stat)), target=objective_bound(objective))


def objective_bound(objective: Mapping[str, Any]) -> str:
    """``≥ 1,500`` / ``≤ 30 min``: an objective's bound, with its unit, wherever it is
    written."""
    m, at_least = objective["metric"], objective.get("at_least")
    if at_least is not None:
        return f"≥ {value(at_least, m, unit=True)}"
    return f"≤ {value(objective.get('at_most'), m, unit=True)}"


UNIT_NAMES = {"min": "minutes", "": ""}


def measure(metric: str) -> str:
    """``people mustered by 60 min (people)`` — the plain name with its unit."""
    m = info(metric)
    base = _(m.phrase)
    if kind_of(metric) == "share":
        unit = "%"
    else:
        name = UNIT_NAMES.get(m.unit, m.unit)
        unit = _(name) if name and name not in m.phrase else ""
    if not unit:
        return base
    if base[-1:] in (")", "）"):  # a phrase that ends in brackets takes its unit inside them
        inside = base[max(base.rfind("("), base.rfind("（")) + 1:-1]
        return base if unit in inside else f"{base[:-1]}{_(', ')}{unit}{base[-1]}"
    return _("{name} ({unit})", name=base, unit=unit)
