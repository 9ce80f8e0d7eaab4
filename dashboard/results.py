"""Showing a comparison (a ``comparison.json`` mapping): objectives, verdicts, metrics as rows and
plans as columns, interactive charts.

Works from the mapping alone, so a fresh run and a comparison re-opened from the run store look
the same, for any scenario kind. Every number is written by :mod:`sim.present.formatting`; every
metric is named by the catalogue (:mod:`sim.core.catalogue`), never by its code name.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from typing import Any, Literal

import altair as alt
import matplotlib.pyplot as plt
import pandas as pd
import streamlit as st

from dashboard import state
from sim.analysis.findings import objective_met, objective_value, plan_objective
from sim.core.catalogue import PlaceNames, info, key_label, places_named, value_label
from sim.core.kind import CLOCK_START, AnyKind, find_kind
from sim.core.results import Breakdown, breakdowns_in
from sim.present import formatting
from sim.present.formatting import measure
from sim.present.i18n import _, current_lang, is_zh, pick
from sim.present.output import png_bytes
from sim.present.plan_names import pair_plans, summary_labels
from sim.present.tables import breakdowns


def _same(fig: Any) -> Any:
    return fig


def _plan_legend() -> alt.Legend:
    """The plans' legend, below the chart, each name in full (labelLimit 0: Vega-Lite cuts a
    label at 160 px, and 抽调 20 人增援赤溪（报道） read 抽调 20 人增援赤溪（…)."""
    return alt.Legend(orient="bottom", labelLimit=0)


def show_figure(key: Hashable, make: Callable[[], Any], show: bool = True) -> None:
    """Show a matplotlib figure as PNG, rendered once per key and language (re-runs of the
    page are instant; the cache is shared by every session, and a figure's words are in the
    language it was drawn in)."""
    cache, key = state.figure_cache(), (current_lang(), key)
    if key not in cache:
        fig = make()
        if fig is None:
            return
        cache[key] = png_bytes(fig)
    if show:
        st.image(cache[key], width="stretch")


# --- names -------------------------------------------------------------------------------

def help_text(metric: str) -> str:
    """A tooltip from the catalogue: the unit and which way is better."""
    m = info(metric)
    better = _("Higher is better.") if m.higher_is_better else _("Lower is better.")
    if m.neutral:
        better = _("Demand, neither better nor worse.")
    kind = formatting.kind_of(metric)
    unit = {"share": _("a share, in %"), "minutes": _("in minutes"),
            "count": _("in {unit}, a whole number", unit=_(m.unit))}.get(kind, m.unit)
    return f"{better} {_('Measured')} {unit}." if unit else better


def headline_metrics(data: dict[str, Any], kind: AnyKind | None) -> tuple[str, ...]:
    """The kind's decision metrics first (what a planner decides on, issue 14), then the rest
    of its headline."""
    if kind is not None:
        decide = kind.dashboard.decision_metrics
        return decide + tuple(m for m in kind.headline_metrics if m not in decide)
    first = next(iter(data["plans"].values()))
    return tuple(m for m in first["metrics"] if "[" not in m)[:6]


def decision_metrics(data: dict[str, Any]) -> tuple[str, ...]:
    first = next(iter(data["plans"].values()))
    kind = find_kind(data.get("kind"))
    decide = kind.dashboard.decision_metrics if kind is not None else ()
    return tuple(m for m in decide if m in first["metrics"]) or headline_metrics(
        data, kind)[:2]


def replications_text(n: Any) -> str:
    n = int(n or 0)
    return _("1 replication") if n == 1 else _("{n} replications", n=f"{n:,}")


# --- tables ------------------------------------------------------------------------------

def metrics_table(summaries: Sequence[dict[str, Any]], metrics: Sequence[str]) -> pd.DataFrame:
    """Rows: measures; columns: plans (mean [95 % CI], or the median and share reached for a
    time not always reached)."""
    table = _by_measure(summaries, metrics, formatting.mean_ci)
    if not table.empty:
        table[_("better when")] = [_("neither (not the plan's choice)") if info(m).neutral
                                   else _("higher") if info(m).higher_is_better else _("lower")
                                   for m in _present(summaries, metrics)]
    return table


def spread_table(summaries: Sequence[dict[str, Any]], metrics: Sequence[str]) -> pd.DataFrame:
    return _by_measure(summaries, metrics, formatting.spread)


def _present(summaries: Sequence[dict[str, Any]], metrics: Sequence[str]) -> list[str]:
    """The measures some plan has, in the order asked."""
    return [m for m in metrics if any(m in s["metrics"] for s in summaries)]


def _by_measure(summaries: Sequence[dict[str, Any]], metrics: Sequence[str],
                cell: Callable[[Any, str], str]) -> pd.DataFrame:
    """One row per measure some plan has, one column per plan, each cell ``cell(stat, m)``."""
    names = summary_labels(summaries)
    return pd.DataFrame([{_("measure"): measure(m),
                          **{names[s["plan"]]: cell(s["metrics"].get(m), m) for s in summaries}}
                         for m in _present(summaries, metrics)])


def differences_frame(data: dict[str, Any], metrics: Sequence[str],
                      pairs: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows: measures; columns: plan pairs ``B vs A`` with ``B − A [95 % CI]`` and whether B is
    better, worse or not significantly different."""
    rows = []
    diffs = data.get("differences", {})
    names = plan_names(data)
    for m in metrics:
        by_pair = diffs.get(m) or {}
        if not by_pair:
            continue
        row: dict[str, Any] = {_("measure"): measure(m)}
        for pair, d in by_pair.items():
            if pairs is not None and pair not in pairs:
                continue
            b, a = pair_plans(pair, names)
            judged = _judge(d, m)
            text = formatting.difference(d, m)
            # (no judgement after "not comparable" or "the same in every replication")
            plain = judged in (_("not comparable"), _("the same in every replication"))
            row[_("{b} vs {a}", b=b, a=a)] = text if plain else f"{text} · {judged}"
        rows.append(row)
    return pd.DataFrame(rows)


def plan_names(data: dict[str, Any]) -> dict[str, str]:
    """The plans of a comparison (or one plan's result) as a planner reads them, by key."""
    # (a comparison's own mapping: its summaries; one run's summary: itself)
    return summary_labels(list((data.get("plans") or {}).values()) or [data])


def _judge(d: dict[str, Any], metric: str) -> str:
    if not d or not (d.get("n") or d.get("by_order")):
        return _("not comparable")
    if formatting.same_in_every_pair(d):
        return _("the same in every replication")
    if not d.get("significant"):
        return _("no significant difference")
    better = info(metric).judge(_direction(d))
    if better is None:  # (demand, such as visitors: a difference, but neither better nor worse)
        return _("different")
    return _("better") if better else _("worse")


def _direction(d: dict[str, Any]) -> int:
    """+1 where the second plan is higher (later), -1 lower (``direction``; files written before
    it had the mean's sign)."""
    if d.get("direction") is not None:
        return int(d["direction"])
    mean = d.get("mean")
    return 0 if not mean else (1 if float(mean) > 0 else -1)


# --- objectives and verdicts ---------------------------------------------------------------

def objectives_table(summaries: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Rows: the scenario's objectives; columns: plans, ``met: median 1,623 (5–95 %: …)``."""
    objs = next((s.get("objectives") for s in summaries if s.get("objectives")), None) or []
    names = summary_labels(summaries)
    rows = []
    for i, o in enumerate(objs):
        m = o["metric"]
        stat = o.get("statistic", "mean")
        row: dict[str, Any] = {
            _("objective"): pick(o.get("description", ""), o.get("description_zh"))
            or info(m).phrase,
            _("target"): formatting.objective_target(o)}
        for s in summaries:
            d = s["metrics"].get(m)
            met = objective_met(objective_value(s, o), o)
            word = {True: _("met"), False: _("MISSED"), None: _("cannot be assessed")}[met]
            shown = formatting.stat(d, m, stat, unit=True)
            band = formatting.spread(d, m)
            row[names[s["plan"]]] = _("{word}: {shown} (5–95 %: {band})", word=word,
                                      shown=shown, band=band)
            own = formatting.meeting(plan_objective(s, i, o))
            if own:
                row[names[s["plan"]]] += _("; ") + own
        rows.append(row)
    return pd.DataFrame(rows)


def pair_verdict(data: dict[str, Any], pair: str, metrics: Sequence[str]) -> str:
    """One sentence per plan pair from the paired differences on all the headline metrics:
    where B is better, worse, and where the difference is not significant."""
    b, a = pair_plans(pair, plan_names(data))
    better, worse, same, unknown, demand, alike, too_few = [], [], [], [], [], [], []
    for m in metrics:
        d = (data.get("differences", {}).get(m) or {}).get(pair)
        if d is None:
            continue
        name = _(info(m).phrase)
        judged = _judge(d, m)
        with_amount = _("{what} ({amount})", what=name, amount=formatting.difference_value(d, m))
        if judged == _("better"):
            better.append(with_amount)
        elif judged == _("worse"):
            worse.append(with_amount)
        elif judged == _("not comparable"):
            unknown.append(name)
        elif judged == _("the same in every replication"):
            alike.append(name)
        elif judged == _("different"):
            demand.append(with_amount)
        elif not d.get("by_order") and formatting.no_interval(d):
            too_few.append(name)  # (one replication, or the same difference in a few)
        else:
            same.append(name)
    # Chinese punctuation in 中文 (；、。), English otherwise.
    semi, comma, stop = ("；", "、", "。") if is_zh() else ("; ", ", ", ".")
    items = comma if is_zh() else semi  # the measures listed (each with its difference)
    parts = []
    if better:
        parts.append(_("**{b}** is better than {a} on {what}", b=b, a=a,
                       what=items.join(better)))
    if worse:
        parts.append(_("worse on {what}", what=items.join(worse)) if better else
                     _("**{b}** is worse than {a} on {what}", b=b, a=a,
                       what=items.join(worse)))
    if too_few and not (better or worse or same):  # (nothing judged yet: one replication)
        parts.append(_("**{b}** against {a}: too few replications to judge yet", b=b, a=a))
    else:
        if not better and not worse:
            parts.append(_("**{b}** and {a} do not differ significantly on any headline measure",
                           b=b, a=a))
        elif same:
            parts.append(_("no significant difference in {what}", what=comma.join(same)))
        if too_few:
            parts.append(_("too few replications to judge {what}", what=comma.join(too_few)))
    if unknown:
        parts.append(_("cannot compare {what}", what=comma.join(unknown)))
    if demand:
        parts.append(_("different, but neither better nor worse (not the plan's choice): "
                       "{what}", what=items.join(demand)))
    if alike:
        parts.append(_("the same in every replication: {what}", what=comma.join(alike)))
    return semi.join(parts) + stop


def all_pairs(data: dict[str, Any]) -> list[str]:
    found: dict[str, None] = {}
    for by_pair in data.get("differences", {}).values():
        for pair in by_pair:
            found[pair] = None
    return list(found)


# --- charts ------------------------------------------------------------------------------

def curve_chart(summaries: Sequence[dict[str, Any]], clock_start: float | None) -> alt.Chart:
    """The completion curve of each plan with its 5–95 % band; clock time on the x axis when
    every plan starts at the same clock time."""
    rows = []
    names = summary_labels(summaries)
    for s in summaries:
        c = s.get("curve")
        if not c:
            continue
        for t, mean, lo, hi in zip(c["t_min"], c["mean"], c["p5"], c["p95"], strict=False):
            rows.append({"plan": names[s["plan"]], "t": float(t), "mean": float(mean),
                         "lo": float(lo), "hi": float(hi)})
    frame = pd.DataFrame(rows)
    label = next((s["curve"].get("label") for s in summaries if s.get("curve")), "complete")
    if clock_start is not None:
        base = pd.Timestamp("2000-01-01") + pd.to_timedelta(clock_start, unit="min")
        frame["time"] = base + pd.to_timedelta(frame["t"], unit="min")
        x = alt.X("time:T", title=_("clock time"), axis=alt.Axis(format="%H:%M"))
        tip = alt.Tooltip("time:T", title=_("time"), format="%H:%M")
    else:
        x = alt.X("t:Q", title=_("minutes after the start"))
        tip = alt.Tooltip("t:Q", title=_("minute"))
    colour = alt.Color("plan:N", title=_("plan"), legend=_plan_legend(),
                       scale=alt.Scale(scheme="tableau10"))
    y_axis = alt.Axis(format="%")
    band = alt.Chart(frame).mark_area(opacity=0.2).encode(
        x=x, y=alt.Y("lo:Q", title=_(label), axis=y_axis, scale=alt.Scale(domain=[0, 1])),
        y2="hi:Q", color=colour)
    line = alt.Chart(frame).mark_line().encode(
        x=x, y=alt.Y("mean:Q", axis=y_axis), color=colour,
        tooltip=[alt.Tooltip("plan:N", title=_("plan")), tip,
                 alt.Tooltip("mean:Q", title=_("mean"), format=".1%")])
    return (band + line).properties(title=_(label).capitalize() + " — " +
                                    _("mean and 5–95 % band over replications"), height=320,
                                    padding={"top": 14, "left": 5, "right": 5, "bottom": 5})


def breakdown_chart(summaries: Sequence[dict[str, Any]], metric: str, key: str
                    ) -> alt.Chart | None:
    rows = []
    names, places = summary_labels(summaries), places_named(summaries)
    for s in summaries:
        for b in breakdowns_in(s["metrics"], metric, key):
            d = s["metrics"][b.name]
            if d and d.get("mean") is not None and math.isfinite(float(d["mean"])):
                rows.append({"plan": names[s["plan"]], "place": label_of(key, b.value, places),
                             "mean": float(d["mean"]),
                             "shown": formatting.stat(d, metric, "mean", unit=True)})
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    where = key_label(key)
    kind = formatting.kind_of(metric)  # people are counted in whole numbers on the axis
    # minutes: as many decimals as the ticks need (",.1f" wrote "0.0" under every tick of
    # waits below a minute)
    fmt = ".0%" if kind == "share" else ",.0f" if kind == "count" else ",~g"
    # Whole people: no tick between two counts ("0 0 0 1 1 1" under a few stranded).
    axis = alt.Axis(format=fmt, tickMinStep=1) if kind == "count" else alt.Axis(format=fmt)
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("place:N", title=where, sort=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("mean:Q", title=measure(metric), axis=axis),
        yOffset="plan:N",
        color=alt.Color("plan:N", title=_("plan"), legend=_plan_legend(),
                        scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip("plan:N", title=_("plan")),
                 alt.Tooltip("place:N", title=where),
                 alt.Tooltip("shown:N", title=_("mean"))],
    # A fixed step per bar (each plan's bar within a place): a fixed total height squeezed
    # five roles of four plans into unreadable slivers with labels left out.
    ).properties(title=_("{measure} — by {what}", measure=measure(metric), what=where),
                 height=alt.Step(16))


# --- the page section ----------------------------------------------------------------------

def show_comparison(data: dict[str, Any], key: Hashable, clock_start: float | None = None,
                    figures: bool = True) -> None:
    """``key`` identifies the comparison (its figures are cached under it). Without
    ``figures``, the kind's matplotlib figures are left for a later look (first results: a
    festival's take seconds to draw, which the replications still running need)."""
    kind = find_kind(data.get("kind"))
    summaries = list(data["plans"].values())
    plans = list(data["plans"])
    metrics = headline_metrics(data, kind)
    decide = decision_metrics(data)
    ref = plans[0]
    names = plan_names(data)
    reps = replications_text(data.get("replications"))

    # 1. The scenario's own objectives, met or missed per plan.
    objectives = objectives_table(summaries)
    st.subheader(_("Objectives"))
    if len(objectives):
        _table(objectives)
    else:
        st.caption(_("This scenario states no objectives (an `objectives:` list gives targets "
                     "such as 1,500 people mustered within the hour)."))

    # 2. What decides: the decision measures as cards, with a significant paired difference only.
    st.subheader(_("What decides"))
    st.caption(_("Mean of {reps}, seed {seed}. Arrows only where the paired difference with "
                 "{ref} is significant.", reps=reps, seed=data.get("seed"), ref=names[ref]))
    for m in decide:
        st.markdown(f"**{measure(m)}**", help=help_text(m))
        for col, plan in zip(st.columns(len(plans)), plans, strict=True):
            d = data["plans"][plan]["metrics"].get(m)
            delta = None
            diff = (data.get("differences", {}).get(m) or {}).get(f"{plan} - {ref}")
            if plan != ref and diff and diff.get("significant") and (
                    diff.get("mean") is not None or diff.get("by_order")):
                delta = _("{delta} vs {ref}", delta=formatting.difference_value(diff, m),
                          ref=names[ref])
            value = formatting.stat(d, m, "mean", unit=True)
            note = ""
            if d and formatting.partly_reached(d):  # (the median in the tile, the share below)
                reached_any = bool(d.get("n_reached"))
                value = _("median {median}", median=formatting.stat(d, m, "p50", unit=True)) \
                    if reached_any else formatting.cell(d, m)
                note = formatting.reached(d) if reached_any else ""
            # Arrow and colour from the direction and the judgement, not from the text's sign:
            # "later in 19 of 40" has none.
            arrow: Literal["auto", "up", "down"] = "auto"
            colour: Literal["normal", "green", "red"] = "normal"
            if delta is not None and diff is not None:
                arrow = "up" if _direction(diff) > 0 else "down"
                judged = _judge(diff, m)
                colour = "green" if judged == _("better") else "red" if judged == _("worse") \
                    else "normal"
            col.metric(names[plan], value, delta=delta, help=help_text(m), delta_arrow=arrow,
                       delta_color=colour)
            if note:
                col.caption(note)

    # 3. A verdict per pair.
    pairs = all_pairs(data)
    if pairs:
        st.subheader(_("Verdict"))
        for pair in pairs:
            st.markdown("- " + pair_verdict(data, pair, metrics))

    # 4. Tables: measures as rows, plans as columns.
    st.subheader(_("Headline measures per plan"))
    st.caption(_("Mean with its 95 % confidence interval over {reps}.", reps=reps))
    table = metrics_table(summaries, metrics)
    _table(table)
    with st.expander(_("Spread over replications (5th–95th percentile)")):
        st.dataframe(spread_table(summaries, metrics), hide_index=True, width="stretch")
    with st.expander(_("What the measures mean")):
        st.markdown("\n".join(f"- **{measure(m)}**: {help_text(m)}" for m in metrics))

    if pairs:
        st.subheader(_("Paired differences"))
        st.caption(_("Every plan ran on the same seeds (common random numbers): each difference "
                     "is paired replication by replication. Later plan minus earlier plan, "
                     "[95 % CI]."))
        _table(differences_frame(data, metrics))

    # 5. Charts.
    if any(s.get("curve") for s in summaries):
        st.subheader(_("Over time"))
        st.altair_chart(curve_chart(summaries, clock_start), width="stretch")
    if kind is not None and kind.figures is not None and not figures:
        st.caption(_("The figures follow once every plan's first results are in."))
    elif kind is not None and kind.figures is not None:
        cache, index = state.figure_cache(), (current_lang(), key, "kind figures")
        if index not in cache:  # the kind's figures, made once per comparison
            # The day's clock time goes to the kind's figures with the summaries (HH:MM axes).
            extra = kind.figures([{**s, CLOCK_START: clock_start} for s in summaries])
            for stem in kind.dashboard.skip_figures:  # one chart per question
                skipped = extra.pop(stem, None)
                if skipped is not None:
                    plt.close(skipped)
            for stem, fig in extra.items():
                show_figure((key, stem), partial(_same, fig), show=False)
            cache[index] = "\n".join(extra).encode()
        for stem in filter(None, cache[index].decode().split("\n")):
            show_figure((key, stem), partial(_same, None))

    found = breakdowns(summaries)
    if found:
        st.subheader(_("Per place, group and role"))
        labels = [breakdown_label(metric, k) for metric, k in found]
        pick = st.selectbox(_("Breakdown"), labels, key="breakdown",
                            index=informative_breakdown(summaries, found))
        metric, k = found[labels.index(pick) if pick in labels else 0]
        chart = breakdown_chart(summaries, metric, k)
        if chart is not None:
            st.altair_chart(chart, width="stretch")
        st.dataframe(breakdown_frame(summaries, metric, k), hide_index=True, width="stretch",
                     key=f"breakdown_table::{k}")

    # Written when clicked: a festival's is about 0.3 s of JSON, on every look at the page.
    st.download_button(_("Download comparison.json"),
                       partial(json.dumps, data, indent=2, ensure_ascii=False, default=str),
                       file_name="comparison.json", mime="application/json")


def breakdown_label(metric: str, key: str) -> str:
    """A breakdown as the selector names it: "people mustered by 60 min — by role", 按角色."""
    return _("{measure} — by {what}", measure=_(info(metric).phrase), what=key_label(key))


def informative_breakdown(summaries: Sequence[dict[str, Any]],
                          found: Sequence[tuple[str, str]]) -> int:
    """The breakdown shown first: the first whose means are not all the same (a festival's
    first, a median wait of 0 min at every checkpoint, says nothing); 0 when all are."""
    for i, (metric, key) in enumerate(found):
        means = {round(float(d["mean"]), 9) for s in summaries
                 for b in breakdowns_in(s["metrics"], metric, key)
                 if (d := s["metrics"].get(b.name)) and d.get("mean") is not None
                 and math.isfinite(float(d["mean"]))}
        if len(means) > 1 or means - {0.0}:
            return i
    return 0


def _table(frame: pd.DataFrame) -> None:
    """A table that wraps its text instead of cutting columns off (readable with four plans at
    1440 px and on a phone): the first column becomes the row label."""
    if len(frame.columns) == 0:
        return
    st.table(frame.set_index(frame.columns[0]))


def label_of(key: str, label: str, places: PlaceNames | None = None) -> str:
    """A breakdown's row as a planner names it: roles and staff groups by their plain names
    (``grid_worker_ft`` → full-time grid worker), reasons in words, places by their ids (in
    中文 by the Chinese names ``places`` gives them)."""
    if key == "group":
        from dashboard.staffing import group_name

        return group_name(label)
    return value_label(key, label, places)


def breakdown_frame(summaries: Sequence[dict[str, Any]], metric: str, key: str) -> pd.DataFrame:
    """Rows: places (or roles, groups); columns: plans; one measure."""
    labels = list(dict.fromkeys(b.value for s in summaries
                                for b in breakdowns_in(s["metrics"], metric, key)))
    where = key_label(key)
    names, places = summary_labels(summaries), places_named(summaries)
    rows = []
    for label in labels:
        row: dict[str, Any] = {where: label_of(key, label, places)}
        for s in summaries:
            d = s["metrics"].get(Breakdown(metric, key, label).name)
            row[names[s["plan"]]] = formatting.cell(d, metric) if d and formatting.partly_reached(d) \
                else formatting.stat(d, metric, "mean", unit=True)
        rows.append(row)
    return pd.DataFrame(rows)
