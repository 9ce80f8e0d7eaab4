"""Figures of sensitivity and robustness results (matplotlib, Agg): returned, never saved here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.present.cjk import pyplot
from sim.present.formatting import value
from sim.present.i18n import _, pick
from sim.present.plan_names import plan_label, summary_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _what(result: dict[str, Any]) -> str:
    unit = f" ({_(result['metric_unit'])})" if result.get("metric_unit") else ""
    return f"{_(result['metric_phrase'])}{unit}"


def sensitivity_figure(result: dict[str, Any], top: int = 15) -> Figure:
    """Morris: one bar per assumption, ranked, the typical change of the result across its
    range with its 95 % CI and, beside it, how much that change varies with the other
    assumptions; each bar labelled with its value. (A scatter of the two put every label at
    one point when the effects were small.) Sobol': first-order and total-order bars with
    their CIs. Most influential assumption on top."""
    plt = pyplot()
    rows = result["indices"][:top][::-1]
    labels = [r["label"] for r in rows]
    height = 1.2 + 0.45 * len(rows)
    if result["method"] == "morris":
        metric = str(result.get("metric", ""))
        fig, ax = plt.subplots(figsize=(10, max(height, 4)), dpi=100)
        y = list(range(len(rows)))
        change = [r["mu_star"] for r in rows]
        varies = [r["sigma"] for r in rows]
        ax.barh([i + 0.18 for i in y], change, xerr=[r["mu_star_conf"] for r in rows],
                height=0.36, color="#a33", alpha=0.85, capsize=3,
                label=_("typical change across the range (with its 95 % CI)"))
        ax.barh([i - 0.18 for i in y], varies, height=0.36, color="#bbb",
                label=_("how much that change varies with the other assumptions"))
        ax.set_yticks(y, labels)
        ends = [c + (r["mu_star_conf"] or 0) for c, r in zip(change, rows, strict=True)]
        for i, (c, v) in enumerate(zip(change, varies, strict=True)):
            # (after the whisker, not under it)
            ax.annotate(value(c, metric), (ends[i], i + 0.18), xytext=(4, -3),
                        textcoords="offset points", fontsize=8)
            ax.annotate(value(v, metric), (v, i - 0.18), xytext=(4, -3),
                        textcoords="offset points", fontsize=8, color="#555")
        ax.set_xlim(0, max(ends + varies + [1e-9]) * 1.25)
        ax.set_xlabel(_("change in {what}", what=_what(result)))
        ax.legend(loc="lower right", fontsize=8)
    else:
        fig, ax = plt.subplots(figsize=(9, max(height, 4)), dpi=100)
        y = list(range(len(rows)))
        ax.barh([i + 0.2 for i in y], [r["ST"] for r in rows],
                xerr=[r["ST_conf"] for r in rows], height=0.4, color="#a33",
                label=_("total order (with interactions)"), capsize=3)
        ax.barh([i - 0.2 for i in y], [r["S1"] for r in rows],
                xerr=[r["S1_conf"] for r in rows], height=0.4, color="#e9a", capsize=3,
                label=_("first order (alone)"))
        ax.set_yticks(list(y), labels)
        ax.set_xlabel(_("share of the variance of {what}", what=_what(result)))
        ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3, axis="x")
    method = _("quick screening") if result["method"] == "morris" else _("shares of variance")
    fig.suptitle(_("{scenario} — {plan}: which assumptions matter ({method}, {points} design "
                   "points × {reps} replications)",
                   scenario=pick(result["scenario"], result.get("scenario_zh")),
                   plan=summary_label(result), method=method, points=result["points"],
                   reps=result["replications"]), fontsize=10)
    fig.tight_layout()
    return fig


def robustness_figure(result: dict[str, Any], plan: str) -> Figure:
    """The samples on the two assumptions of the plan's first failure box (or the first two),
    failing samples in red, the box drawn."""
    plt = pyplot()
    fs = result["assumptions"]
    p = result["plans"][plan]
    box = p["boxes"][0]["bounds"] if p["boxes"] else {}
    paths = [f["path"] for f in fs]
    dims = [paths.index(k) for k in box][:2]
    dims += [i for i in range(len(paths)) if i not in dims][:2 - len(dims)]
    fig, ax = plt.subplots(figsize=(6, 5), dpi=100)
    samples = result["samples"]
    fails = p["fails"]
    if len(dims) == 2:
        i, j = dims
        points = _points(samples, fails, i, j)
        if all(n == 1 for n, _met in points.values()):
            for failed, colour, label in ((0, MET, _("objectives met")), (1, MISSED,
                                                                          _("missed"))):
                pts = [s for s, f in zip(samples, fails, strict=True) if f == failed]
                ax.scatter([s[i] for s in pts], [s[j] for s in pts], s=12, color=colour,
                           label=label)
        else:
            _shares(ax, points, plt)
        from matplotlib.ticker import MaxNLocator  # deferred: matplotlib is (cjk.pyplot)

        for axis, k in ((ax.xaxis, i), (ax.yaxis, j)):
            if fs[k].get("whole"):  # a count of people has no 1.25
                axis.set_major_locator(MaxNLocator(integer=True))
        if box:
            bx = box.get(paths[i], [fs[i]["low"], fs[i]["high"]])
            by = box.get(paths[j], [fs[j]["low"], fs[j]["high"]])
            ax.add_patch(plt.Rectangle((bx[0], by[0]), bx[1] - bx[0], by[1] - by[0],
                                       fill=False, edgecolor="black", linewidth=1.5))
        ax.set_xlabel(fs[i]["label"])
        ax.set_ylabel(fs[j]["label"])
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    ax.set_title(_("{plan}: fails in {share} of the assumption space",
                   plan=plan_label(plan, p.get("name_zh")),
                   share=f"{p['fail_share']:.0%}"), fontsize=10)
    fig.tight_layout()
    return fig


MET, MISSED = "#4a4", "#c22"


def _points(samples: list[list[float]], fails: list[int], i: int, j: int
            ) -> dict[tuple[float, float], tuple[int, int]]:
    """(x, y) → (samples there, of them meeting the objectives). Whole-number assumptions put
    many samples on one point (100 samples of two counts on 15 points)."""
    out: dict[tuple[float, float], tuple[int, int]] = {}
    for s, f in zip(samples, fails, strict=True):
        n, met = out.get((s[i], s[j]), (0, 0))
        out[(s[i], s[j])] = (n + 1, met + (not f))
    return out


def _shares(ax: Any, points: dict[tuple[float, float], tuple[int, int]], plt: Any) -> None:
    """Samples that share a point, drawn once: a disc sized by how many fell there, coloured
    by the share of them that met the objectives, with "met/n" beside it. Drawn one over the
    other, a red dot would hide the green ones beneath (15 % met, no green visible)."""
    from matplotlib.colors import LinearSegmentedColormap  # deferred: matplotlib, as above

    cmap = LinearSegmentedColormap.from_list("met", [MISSED, "#e8c547", MET])
    xy = list(points)
    n = [points[p][0] for p in xy]
    share = [points[p][1] / points[p][0] for p in xy]
    top = max(n)
    dots = ax.scatter([p[0] for p in xy], [p[1] for p in xy], s=[30 + 250 * k / top for k in n],
                      c=share, cmap=cmap, vmin=0, vmax=1, edgecolors="black", linewidths=0.5)
    for (x, y), (k, met) in points.items():
        ax.annotate(f"{met}/{k}", (x, y), textcoords="offset points", xytext=(7, 5),
                    fontsize=7)
    bar = plt.colorbar(dots, ax=ax)
    bar.set_label(_("share meeting the objectives (met/samples)"), fontsize=8)
