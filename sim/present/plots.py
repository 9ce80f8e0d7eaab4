"""Figures of results (matplotlib, Agg backend): returned, never shown or saved here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sim.core.catalogue import (
    BREAKDOWN_KEYS,
    info,
    key_label,
    known_metrics,
    places_named,
    value_label,
)
from sim.core.results import breakdowns_in
from sim.present import review_text
from sim.present.cjk import pyplot
from sim.present.i18n import N_, _, pick
from sim.present.plan_names import summary_label, summary_labels

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def curve_figure(summaries: Sequence[dict[str, Any]], title: str = "") -> Figure:
    """Completion curves of one or more plans with their 5–95 % bands and the 60-minute line."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    labels = summary_labels(summaries)
    for s in summaries:
        c = s.get("curve")
        if not c:
            continue
        plan = labels[s["plan"]]
        (line,) = ax.plot(c["t_min"], c["mean"], label=_("{plan} (mean)", plan=plan))
        ax.fill_between(c["t_min"], c["p5"], c["p95"], alpha=0.2, color=line.get_color(),
                        label=f"{plan} 5–95 %")
    mark_injects(ax, summaries)
    ax.axvline(60, color="grey", linestyle="--", linewidth=1)
    ax.text(60, 0.02, " " + _("{value} min", value=60), color="grey")
    label = next((s["curve"]["label"] for s in summaries if s.get("curve")),
                 "fraction complete")
    ax.set_xlabel(_("minutes after the alert"))
    ax.set_ylabel(_(label))
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")  # (a share: 40 %, not 0.4)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title or (pick(summaries[0]["scenario"], summaries[0].get("scenario_zh"))
                           if summaries else ""))
    fig.tight_layout()
    return fig


def breakdown_figure(summaries: Sequence[dict[str, Any]], metric: str, key: str) -> Figure | None:
    """Bars of ``metric[key=…]`` breakdowns (e.g. mustered by role) per plan."""
    plt = pyplot()
    parts = sorted({b for s in summaries for b in breakdowns_in(s["metrics"], metric, key)},
                   key=lambda b: b.value)
    if not parts:
        return None
    fig, ax = plt.subplots(figsize=(8, 4), dpi=100)
    width = 0.8 / max(len(summaries), 1)
    labels = summary_labels(summaries)
    for k, s in enumerate(summaries):
        vals = [(s["metrics"].get(b.name) or {}).get("mean") or 0 for b in parts]
        ax.bar([i + k * width for i in range(len(parts))], vals, width, label=labels[s["plan"]])
    ax.set_xticks([i + width * (len(summaries) - 1) / 2 for i in range(len(parts))])
    places = places_named(summaries)
    shown = [value_label(b.key, b.value, places) for b in parts]
    ax.set_xticklabels(shown, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(_("{metric} (mean)", metric=info(metric).phrase))
    ax.set_title(_("{metric} by {key}", metric=info(metric).phrase,
                   key=key_label(key)))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def inject_marks(summaries: Sequence[dict[str, Any]]) -> list[tuple[float, str]]:
    """Each plan's exercise injects, in time order: (time, what happens), the plans' names
    added when not every plan has that inject."""
    seen: dict[tuple[float, str], list[str]] = {}
    labels = summary_labels(summaries)
    for s in summaries:
        for inj in s.get("injects", []):
            seen.setdefault((inj["t_min"], inj["label"]), []).append(labels[s["plan"]])
    return [(t, _("{inject} [{plans}]", inject=_(label), plans=_(", ").join(plans))
             if len(plans) < len(summaries) else _(label))
            for (t, label), plans in sorted(seen.items())]


def mark_injects(ax: Any, summaries: Sequence[dict[str, Any]], numbered: bool = False) -> None:
    """The injects (``inject_marks``) as dotted vertical lines with their labels; ``numbered``:
    with their numbers only, for a figure of small panels where the labels would run over the
    next panel (``panels_key`` lists them once, below the panels)."""
    for k, (t, label) in enumerate(inject_marks(summaries)):
        ax.axvline(t, color="tab:purple", linestyle=":", linewidth=1)
        ax.annotate(str(k + 1) if numbered else label, (t, 0.97 - 0.06 * (k % 5)),
                    xycoords=("data", "axes fraction"), fontsize=7, color="tab:purple",
                    xytext=(2, 0), textcoords="offset points", va="top")


def panels_key(fig: Figure, axes: Any, summaries: Sequence[dict[str, Any]]) -> float:
    """Below a figure of panels: the plans' legend, then the injects numbered as the panels
    mark them (``mark_injects(numbered=True)``), the figure made taller to hold them, not laid
    over a panel. Returns the share of the figure's height they take (the panels' ``rect``
    bottom for ``tight_layout``)."""
    handles, names = axes.flat[0].get_legend_handles_labels()
    marks = inject_marks(summaries)
    ncol = min(len(handles), 3) or 1
    legend_in = 0.2 * -(-len(handles) // ncol) + 0.1 if handles else 0.0
    key_in = 0.15 * len(marks) + 0.1 if marks else 0.0
    height = fig.get_figheight()
    fig.set_figheight(height + legend_in + key_in)
    total = fig.get_figheight()
    if marks:
        fig.text(0.01, 0.04 / total, "\n".join(f"{k + 1}  {label}" for k, (_t, label)
                                                in enumerate(marks)),
                 fontsize=7, color="tab:purple", ha="left", va="bottom")
    if handles:
        fig.legend(handles, names, loc="lower center", ncol=ncol, fontsize=7, frameon=False,
                   bbox_to_anchor=(0.5, key_in / total))
    return (legend_in + key_in) / total


def review_figure(review: dict[str, Any], scenario: str = "") -> Figure:
    """The observed curve drawn over the simulated simultaneous envelope; ``scenario`` is the
    scenario's name in the current language (review.json keeps the English one)."""
    plt = pyplot()
    c = review["curve"]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    # (The envelope's words anew in this language: review.json keeps the review's own.)
    envelope = _("simultaneous {share} envelope", share=f"{1 - review['alpha']:.0%}") \
        if isinstance(review.get("alpha"), int | float) else c["envelope"]
    ax.fill_between(c["t_min"], c["low"], c["high"], alpha=0.25, label=envelope)
    ax.plot(c["t_min"], c["mean"], color="tab:blue", linewidth=1, label=_("simulated mean"))
    ax.step(c["t_min"], c["observed"], where="post", color="black", label=_("observed"))
    for part in review.get("outside_band", []):
        ax.axvspan(part["from_min"], part["to_min"] + 1, color="tab:red", alpha=0.1)
    ax.axvline(60, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel(_("minutes after the alert"))
    ax.set_ylabel(_(c["label"]))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    word = _("FLAGGED") if not review["consistent"] else _("consistent with the model")
    scenario = scenario or pick(review["scenario"], review.get("scenario_zh"))
    ax.set_title(_("{scenario} — {plan}: {word} (p = {p})", scenario=scenario,
                   plan=summary_label(review), word=word, p=f"{review['p_value']:.3f}")
                 + "\n" + review_text.flagged_share(review.get("events", "drills"),
                                                    f"{review['alpha']:.0%}"), fontsize=9)
    fig.tight_layout()
    return fig


# Captions of the figures an output folder holds, by file stem (sim.present.output.write_plots,
# each kind's ``figures``, review and sensitivity); ``{metric}_by_{key}`` bars are captioned
# from the metric's phrase and the breakdown's key (:func:`figure_caption`).
FIGURE_CAPTIONS: dict[str, str] = {
    "curve": N_("Progress over time: each plan's mean with its 5th–95th percentile band, and "
                "the exercise injects"),
    "shelter_occupancy": N_("People in each shelter over time"),
    "queues": N_("Queues at the checkpoints over the day"),
    "density": N_("Crowd density at the viewing points over the day (people per m²)"),
    "density_strip": N_("Crowd density at each viewing point over the day as a colour strip "
                        "(red above the danger limit)"),
    "review": N_("The observed drill log over the simulated band"),
    "sensitivity": N_("How much each uncertain input moves the result"),
}


def figure_caption(stem: str) -> str:
    """A figure's caption in the current language from its file stem, so that a report never
    shows a file name: ``mustered_60min_by_ap`` → "People mustered by 60 min, by assembly
    point" / "60 分钟内集结人数（按集结点）"; an unknown stem is shown with spaces."""
    if stem in FIGURE_CAPTIONS:
        return _(FIGURE_CAPTIONS[stem])
    metric, sep, key = stem.rpartition("_by_")
    if sep and metric in known_metrics() and key in BREAKDOWN_KEYS:
        phrase = info(metric).phrase
        return _("{metric}, by {key}", metric=phrase[:1].upper() + phrase[1:],
                 key=key_label(key))
    if stem.startswith("robustness-"):
        return _("Plan {plan} over the sampled assumptions", plan=stem.removeprefix("robustness-"))
    return stem.replace("_", " ")
