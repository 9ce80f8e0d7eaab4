"""Writing results to a folder: JSON, CSV and PNG files (the CLI's and report's edge)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments import Comparison, PlanRun
from sim.results import json_ready
from sim.scenario import KINDS


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(json_ready(data), indent=2, ensure_ascii=False), encoding="utf-8")


def save_figure(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path)
    plt.close(fig)
    return path


def write_plots(summaries: list[dict[str, Any]], out: Path) -> list[Path]:
    # matplotlib is imported only when plots are written: it is most of the CLI's start-up.
    from sim.plots import breakdown_figure, curve_figure

    written = []
    kind = KINDS.get(summaries[0]["kind"]) if summaries else None
    if kind is not None and kind.figures is not None:
        for stem, fig in kind.figures(summaries).items():
            written.append(save_figure(fig, out / f"{stem}.png"))
    if any(s.get("curve") for s in summaries):
        written.append(save_figure(curve_figure(summaries), out / "curve.png"))
    for metric, key in (("mustered_60min", "role"), ("mustered_60min", "ap")):
        fig = breakdown_figure(summaries, metric, key)
        if fig is not None:
            written.append(save_figure(fig, out / f"{metric}_by_{key}.png"))
    return written


def write_run(run: PlanRun, out: Path) -> list[Path]:
    """``summary.json``, ``replications.csv``, ``events.csv`` (replication 0) and plots."""
    out.mkdir(parents=True, exist_ok=True)
    summary = run.summary()
    write_json(out / "summary.json", summary)
    run.metrics_frame().to_csv(out / "replications.csv", index=False)
    run.events().to_csv(out / "events.csv", index=False)
    return [out / "summary.json", out / "replications.csv", out / "events.csv",
            *write_plots([summary], out)]


def write_comparison(comp: Comparison, out: Path) -> list[Path]:
    """``comparison.json``, each plan's ``replications.csv`` rows together, and plots."""
    out.mkdir(parents=True, exist_ok=True)
    data = comp.as_dict()
    write_json(out / "comparison.json", data)
    pd.concat([r.metrics_frame() for r in comp.runs]).to_csv(out / "replications.csv",
                                                              index=False)
    return [out / "comparison.json", out / "replications.csv",
            *write_plots(list(data["plans"].values()), out)]
