"""Writing results to a folder: JSON, CSV and PNG files (the CLI's and report's edge)."""

from __future__ import annotations

import errno
import functools
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sim.core.errors import Problem, ScenarioError
from sim.core.kind import find_kind
from sim.core.results import json_ready
from sim.present.excel import results_xlsx
from sim.present.i18n import _, pick
from sim.present.plots import curve_figure, review_figure
from sim.run.experiments import Comparison, PlanRun

_R = TypeVar("_R")


def check_out_folder(out: Path) -> None:
    """Fail at once, before any replication runs, if results could not be written to ``out``
    (a file in the way, a folder that cannot be created or written to)."""
    def bad(why: str) -> ScenarioError:
        return ScenarioError([Problem("--out", _("cannot write the output folder there: {why}",
                                                 why=why), str(out))])

    if out.exists() and not out.is_dir():
        raise bad("it is a file, not a folder")
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise bad("the folder is not writable")
    _probe(out, bad)


def check_out_file(out: Path, flag: str = "--out") -> None:
    """Fail at once, before anything is computed or rendered, if the file ``out`` could not
    be written (a folder of that name, a folder that cannot be created or written to)."""
    def bad(why: str) -> ScenarioError:
        return ScenarioError([Problem(flag, _("cannot write the file there: {why}", why=why),
                                      str(out))])

    if out.is_dir():
        raise bad(_("it is a folder; give the name of the file to write"))
    _probe(out, bad)


def _probe(out: Path, bad: Callable[[str], ScenarioError]) -> None:
    """Whether something can be created where ``out`` would go (its nearest existing parent):
    a real probe, as os.access says yes to root on a read-only mount or under /proc."""
    base = out.parent
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise bad(f"{base} is not a folder")
    probe = base / f".gridmuster-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise bad(exc.strerror or str(exc)) from None


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """A temporary sibling folder to write into; on success it becomes ``out``.

    A new ``out`` appears whole or not at all (one rename). Into an existing folder each file
    is moved in with an atomic replace, so a reader never sees a half-written file and files
    other commands put there (a report) are kept."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()  # not mkdtemp: its 0700 mode would become the output folder's
    try:
        yield tmp
        try:
            os.rename(tmp, out)  # also replaces an empty folder
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            for f in sorted(tmp.iterdir()):
                if (out / f.name).is_dir() and not f.is_dir():
                    shutil.rmtree(out / f.name)
                os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _remove_stale(out: Path) -> None:
    """Temporary folders left by a writer that was killed (its pid is gone) are removed."""
    for tmp in out.parent.glob(f".{out.name}.tmp-*-*"):
        pid = tmp.name.rsplit("-", 2)[-2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(tmp, ignore_errors=True)
        except (PermissionError, OverflowError):
            pass


def atomic_output(write: Callable[[_R, Path], list[Path]]) -> Callable[[_R, Path], list[Path]]:
    """A folder writer made atomic (``atomic_folder``); it returns the paths in ``out``."""
    @functools.wraps(write)
    def wrapper(obj: _R, out: Path) -> list[Path]:
        with atomic_folder(out) as tmp:
            written = write(obj, tmp)
        return [out / p.relative_to(tmp) for p in written]
    return wrapper


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temporary name beside ``path`` to write to; on success it replaces ``path`` (one
    rename), so a Ctrl-C or a crash never leaves half a file under the real name."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Written to a temporary file and renamed, so a reader never sees half a file."""
    with atomic_file(path) as tmp:
        tmp.write_text(json.dumps(json_ready(data), indent=2, ensure_ascii=False),
                       encoding="utf-8")


def save_figure(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt  # deferred: matplotlib is most of the CLI's start-up

    try:
        with atomic_file(path) as tmp:
            fig.savefig(tmp)
    finally:
        plt.close(fig)
    return path


def plot_figures(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of a run or comparison by file stem, drawn in the current language."""
    figures: dict[str, Any] = {}
    kind = find_kind(summaries[0]["kind"]) if summaries else None
    if kind is not None and kind.figures is not None:
        figures.update(kind.figures(summaries))
    if any(s.get("curve") for s in summaries):
        figures["curve"] = curve_figure(summaries)
    return figures


def write_plots(summaries: list[dict[str, Any]], out: Path) -> list[Path]:
    return [save_figure(fig, out / f"{stem}.png") for stem, fig in plot_figures(summaries).items()]


@dataclass(frozen=True)
class ReportFigure:
    stem: str  # the file stem in the output folder (``figure_caption`` names it)
    png: bytes
    title: str  # the chart's own title, in the report's language (the image's alt text)


def figure_title(fig: Any) -> str:
    """The title a figure carries (its suptitle, else its axes' titles), as one line."""
    sup = getattr(fig, "_suptitle", None)
    titles = [sup.get_text()] if sup is not None and sup.get_text() else \
        [ax.get_title() for ax in fig.axes if ax.get_title()]
    return " / ".join(" ".join(t.split()) for t in titles)


def png_bytes(fig: Any) -> bytes:
    """The figure as PNG, its title also in the PNG's Title text (for readers of the file
    alone); the figure is closed. Every PNG made in memory (reports, dashboard) is made here."""
    import io  # deferred: reports only

    import matplotlib.pyplot as plt  # deferred: matplotlib is most of the CLI's start-up

    title = figure_title(fig)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", metadata={"Title": title} if title else None)
    finally:
        plt.close(fig)
    return buffer.getvalue()


def report_figures(result: dict[str, Any], folder: Path | None) -> list[ReportFigure]:
    """The figures of a report: those the run wrote to ``folder``, drawn anew from the result
    in the current language (the report's), so that a comparison run in English has Chinese
    charts in a Chinese report, not only Chinese captions. Figures the result cannot draw
    (another command's) are taken from the folder as they are."""
    if folder is None:
        return []
    files = sorted(folder.glob("*.png"))
    if not files:
        return []
    summaries = list(result["plans"].values()) if "differences" in result else [result]
    stems = {f.stem for f in files}
    drawn = plot_figures(summaries)
    if set(drawn) - stems:
        import matplotlib.pyplot as plt  # deferred: matplotlib is most of the CLI's start-up

        for stem in set(drawn) - stems:  # a figure the run did not write stays out of it
            plt.close(drawn.pop(stem))  # (pyplot keeps every open figure until closed)
    drawn.update(_analysis_figures(folder, stems, summaries))
    out = []
    for f in files:
        fig = drawn.get(f.stem)
        if fig is None:
            out.append(ReportFigure(f.stem, f.read_bytes(), ""))
        else:
            title = figure_title(fig)
            out.append(ReportFigure(f.stem, png_bytes(fig), title))
    return out


def _analysis_figures(folder: Path, stems: set[str], summaries: list[dict[str, Any]]
                      ) -> dict[str, Any]:
    """A review's, a sensitivity analysis's and a robustness analysis's figures written into the
    run's folder, drawn anew from their JSON in this language (a review run in English beside a
    Chinese report)."""
    out: dict[str, Any] = {}
    review, sensitivity = folder / "review.json", folder / "sensitivity.json"
    robustness = folder / "robustness.json"
    if "review" in stems and review.is_file():
        found = json.loads(review.read_text(encoding="utf-8"))
        if isinstance(found.get("curve"), dict):
            first = summaries[0] if summaries else {}
            name = pick(str(first.get("scenario", "")), first.get("scenario_zh")) \
                if first.get("scenario") == found.get("scenario") else ""
            out["review"] = review_figure(found, name)
    if "sensitivity" in stems and sensitivity.is_file():
        from sim.present.sensitivity_plots import (
            sensitivity_figure,  # deferred: sensitivity reports only
        )

        out["sensitivity"] = sensitivity_figure(json.loads(sensitivity.read_text(
            encoding="utf-8")))
    if robustness.is_file() and any(s.startswith("robustness-") for s in stems):
        from sim.present.sensitivity_plots import (
            robustness_figure,  # deferred: robustness reports only
        )

        found = json.loads(robustness.read_text(encoding="utf-8"))
        for plan in found.get("plans", {}):
            if f"robustness-{plan}" in stems:
                out[f"robustness-{plan}"] = robustness_figure(found, plan)
    return out


@atomic_output
def write_run(run: PlanRun, out: Path) -> list[Path]:
    """``summary.json``, ``replications.csv``, ``events.csv`` (replication 0) and plots."""
    out.mkdir(parents=True, exist_ok=True)
    summary = run.summary()
    write_json(out / "summary.json", summary)
    run.metrics_frame().to_csv(out / "replications.csv", index=False)
    run.events().to_csv(out / "events.csv", index=False)
    return [out / "summary.json", out / "replications.csv", out / "events.csv",
            *write_plots([summary], out)]


@atomic_output
def write_comparison(comp: Comparison, out: Path) -> list[Path]:
    """``comparison.json``, each plan's ``replications.csv`` rows together, and plots."""
    out.mkdir(parents=True, exist_ok=True)
    data = comp.as_dict()
    write_json(out / "comparison.json", data)
    import pandas as pd  # deferred: pandas costs ~0.5 s of start-up

    pd.concat([r.metrics_frame() for r in comp.runs]).to_csv(out / "replications.csv",
                                                              index=False)
    return [out / "comparison.json", out / "replications.csv",
            *write_plots(list(data["plans"].values()), out)]


def write_xlsx(result: dict[str, Any], path: Path) -> Path:
    """``results.xlsx`` of a summary or comparison (see :mod:`sim.present.excel`)."""
    path.write_bytes(results_xlsx(result))
    return path
