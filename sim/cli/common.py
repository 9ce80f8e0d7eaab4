"""Pieces shared by the command-line modules: consoles, options, progress, tables."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table

from sim.core.budget import BUDGET_ENV, MEMORY_ENV, Budget
from sim.core.catalogue import info, known_metrics
from sim.core.errors import Problem, ScenarioError
from sim.core.names import escaped
from sim.present import formatting
from sim.present.i18n import _, pick
from sim.present.plan_names import summary_labels
from sim.run.store import INT64_MAX, RunStore, default_store_path

if TYPE_CHECKING:
    from sim.core.scenario import Scenario


# Piped output (CI logs, files) gets a wide table rather than rich's 80-column default.
out_console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True, soft_wrap=True)

# What the command has written whole so far: what a Ctrl-C leaves behind (``say_interrupted``).
_written: list[Path] = []


def wrote(*paths: Path) -> None:
    """Note files or folders the command has finished writing (each written whole: to a
    temporary name, then renamed), so that a Ctrl-C after them names them."""
    _written.extend(paths)


# Ctrl-C seen by the command's own handler (``catch_ctrl_c``), until the command has handled
# it: a command owns its process (``sim.run.gc_policy``), so this one flag is its own.
_ctrl_c = {"pressed": False}


def catch_ctrl_c() -> None:
    """Called by the command's entry point: note every Ctrl-C as well as raising it.

    Python raises a Ctrl-C's KeyboardInterrupt wherever the program is, and where that is a
    finaliser or a weak reference's callback (the garbage collector runs them at any moment)
    it prints "Exception ignored" and goes on: ``gridmuster verify`` then ran on for minutes
    after the Ctrl-C (seen once in a full test run). Noted here, it is raised again at the
    next step of the work (``check_ctrl_c``: each progress step, each verification case).
    A Ctrl-C the shell told the process to ignore (a background job) stays ignored. The
    "Exception ignored" report of such a Ctrl-C (a traceback on the planner's screen after
    the one line that says what was kept) is not printed: ``quiet_swallowed_ctrl_c``."""
    import signal  # deferred: only where a command owns its process

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_ctrl_c)
        sys.unraisablehook = quiet_swallowed_ctrl_c


def quiet_swallowed_ctrl_c(unraisable: Any) -> None:
    """``sys.unraisablehook`` of a command: a KeyboardInterrupt that Python could not raise
    where it came (a finaliser, a weak reference's callback) is not reported: it was noted by
    ``_on_ctrl_c`` and is raised again at the next step of the work. Anything else is reported
    as Python always does."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def _on_ctrl_c(signum: int, frame: Any) -> None:
    _ctrl_c["pressed"] = True
    raise KeyboardInterrupt


def check_ctrl_c() -> None:
    """Raise again a Ctrl-C that was swallowed where it first came (see ``catch_ctrl_c``)."""
    if _ctrl_c["pressed"]:
        raise KeyboardInterrupt


def interrupt_handled() -> None:
    """After a Ctrl-C that a command caught: a second one must not cut its last words short,
    and the process must end with the command's own exit code (130).

    CPython marks a KeyboardInterrupt that ends code run from text (``exec`` or ``eval`` of a
    string, as dataclasses and scipy do when they define functions) as never handled, even
    once caught, and ``python -m sim`` then ends itself by SIGINT instead of exiting 130 (seen
    once in about a dozen Ctrl-Cs during ``review`` on a loaded machine). Evaluating any text
    clears that mark (CPython's ``run_eval_code_obj``)."""
    import signal  # deferred: only after a Ctrl-C

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _ctrl_c["pressed"] = False  # handled: not to be raised again
    eval("None")  # clears the mark (see above); nothing else is evaluated


def say_interrupted() -> None:
    """After a Ctrl-C in a command that keeps nothing along the way: one line on what was
    written (every output is written whole, so nothing half-written is left)."""
    interrupt_handled()
    if _written:
        message = _("interrupted: only {paths} had been written (whole); the rest was not "
                    "done; rerun the command to do it all",
                    paths=", ".join(str(p) for p in _written))
    else:
        message = _("interrupted: nothing was written; rerun the command to start again")
    err_console.print(message, markup=False, highlight=False, emoji=False)

ScenarioArg = Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False,
                                                    metavar="SCENARIO")]
RepsOpt = Annotated[int, typer.Option("--reps", min=1, max=100_000, help="replications per plan")]
SeedOpt = Annotated[int | None, typer.Option("--seed", min=0, max=INT64_MAX,
                                             help="root seed (default: the scenario's)")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, max=256, help="local processes")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="output folder")]
def _dask_address(address: str | None) -> str | None:
    from sim.run.backends import check_dask_address  # deferred: the backends' imports

    return None if address is None else check_dask_address(address)


DaskOpt = Annotated[str | None, typer.Option(
    "--dask", help="run replications on a Dask cluster: scheduler address, or 'local'",
    callback=_dask_address)]
StoreOpt = Annotated[Path | None, typer.Option(
    "--store", help="run store (SQLite) [default: $GRIDMUSTER_STORE or ~/.gridmuster/runs.db]")]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="do not record in the run store")]
ResumeOpt = Annotated[bool, typer.Option(
    "--resume", help="reuse replications already in the store; compute only the missing ones")]
BudgetOpt = Annotated[float | None, typer.Option(
    "--budget", min=1, help=f"refuse a run estimated to need more CPU-seconds than this "
    f"[default: ${BUDGET_ENV} or 14400]")]
MemoryBudgetOpt = Annotated[float | None, typer.Option(
    "--memory-budget", min=1, help=f"refuse a run estimated to need more MB of memory at once "
    f"[default: ${MEMORY_ENV} or 4096]")]


def visible(text: object) -> str:
    """Text from a scenario or the run store, with control characters written as escapes
    (``\\x1b``): an ESC sequence must not reach the terminal."""
    return escaped(text)


def safe(text: object) -> str:
    """Text from a scenario or the run store for rich markup (a table cell, a title): shown
    as written (``[/x]`` is not a tag) and without control characters."""
    return escape(visible(text))


def default_out(stem: str, suffix: str, root: Path = Path("out")) -> Path:
    """The default output folder ``out/<stem>-<suffix>``: always one folder directly under
    ``root``, whatever the names hold (they come from file names and scenarios; plan names are
    checked when the scenario is read, this is the second line of defence)."""
    name = "".join("_" if c in "/\\" or not c.isprintable() else c for c in f"{stem}-{suffix}")
    folder = root / name
    base = root.resolve()
    if name in (".", "..") or folder.resolve().parent != base:
        raise ScenarioError([Problem("--out", _("the default output folder would be outside "
                                                "{root}/; give --out", root=root), name)])
    return folder


def budget_from(seconds: float | None, memory_mb: float | None) -> Budget:
    """The budget from the flags, else the environment, else the defaults."""
    default = Budget()

    def pick(given: float | None, env: str, fallback: float, flag: str) -> float:
        if given is not None:
            return given
        text = os.environ.get(env)
        if not text:
            return fallback
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not (value >= 1 and value < float("inf")):
            raise ScenarioError([Problem(env, _("must be a number ≥ 1 (or use {flag})",
                                                     flag=flag), text)])
        return value

    return Budget(pick(seconds, BUDGET_ENV, default.seconds, "--budget"),
                  pick(memory_mb, MEMORY_ENV, default.memory_mb, "--memory-budget"))


def check_metric(metric: str, s: Scenario) -> None:
    """An unknown metric is refused before any replication (it would run to the cap)."""
    if metric not in known_metrics():
        raise ScenarioError([Problem("--metric", _(
            "not a metric gridmuster computes; e.g. {examples}",
            examples=", ".join(s.kind.headline_metrics[:4])), metric)])


def open_store(path: Path | None, disabled: bool = False, read_only: bool = False
               ) -> RunStore | None:
    """The run store; ``read_only`` for commands that only read it (a damaged store is then
    reported, not replaced)."""
    if disabled:
        return None
    return RunStore(path or default_store_path(),
                    on_warning=lambda m: err_console.print(_("warning: {warning}", warning=_(m)),
                                                           markup=False,
                                                           highlight=False),
                    read_only=read_only)


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Any]:
    # Shown on a terminal only, and only for work that takes longer than a second.
    from tqdm import tqdm  # deferred: tqdm is ~0.03 s of start-up (--help, validate need none)

    with tqdm(total=total, desc=label, unit="rep", delay=1.0, file=sys.stderr,
              disable=None, leave=False) as bar:

        def tick(n: float | None = 1) -> None:
            check_ctrl_c()  # (a Ctrl-C swallowed by a finaliser ends the work here)
            bar.update(n)

        yield tick


def fmt(v: float | None, metric: str = "") -> str:
    return formatting.value(v, metric)


def summary_table(summaries: list[dict[str, Any]], metrics: tuple[str, ...] | list[str]
                  ) -> RenderableType:
    """One row per metric, one column per plan: as many tables, each with the metric column
    and some of the plans, as it takes for no number or plan name to be cut off at the width
    of the console (rich shortens a column narrower than its longest word with "…")."""
    first = summaries[0]
    title = _("{scenario}: {n} replications, seed {seed} — mean (5th–95th percentile); a time "
              "not reached in every replication: median, with the unreached as later than the "
              "horizon", scenario=safe(pick(first["scenario"], first.get("scenario_zh"))),
              n=first["replications"], seed=first["seed"])
    # The metric's phrase leads, in every language; the code name in brackets is what
    # --metric and the files take.
    labels = [f"{info(m).phrase} ({m})" for m in metrics]
    cells = [[formatting.cell(s["metrics"].get(m), m) for m in metrics] for s in summaries]
    # The label column: room for the longest unbroken run (a code name, or a phrase in 中文,
    # which has no spaces), up to a point; beyond that it folds.
    label = min(max(LABEL_MIN, *(longest_word(x) for x in labels)), LABEL_MAX)
    names = summary_labels(summaries)
    columns = [[names[s["plan"]], *col] for s, col in zip(summaries, cells, strict=True)]
    # Every cell on one line if all plans then fit in one table; else a cell wraps at spaces
    # beyond CELL_ONE_LINE, never narrower than its longest word, and plans that still do not
    # fit go to a next table.
    widths = [max(cell_len(c) for c in col) for col in columns]
    if sum(w + 3 for w in widths) > out_console.width - label - 4:
        widths = [max(min(cell_len(c), max(longest_word(c), CELL_ONE_LINE)) for c in col)
                  for col in columns]
    groups = fitting_groups(widths, label, out_console.width)
    tables = []
    for k, group in enumerate(groups):
        table = Table(title=title if k == 0 else None)
        table.add_column(_("metric"), overflow="fold", min_width=label)
        for i in group:
            # A fixed width: rich would otherwise share out a shortfall over every column.
            table.add_column(safe(names[summaries[i]["plan"]]), justify="right", overflow="fold",
                             width=widths[i])
        for r, text in enumerate(labels):
            table.add_row(text, *(cells[i][r] for i in group))
        tables.append(table)
    return tables[0] if len(tables) == 1 else Group(*tables)


# The metric column is never made narrower than this: a phrase folds onto more lines.
LABEL_MIN, LABEL_MAX = 20, 36
# A cell up to this wide stays on one line (a plan then moves to the next table instead).
CELL_ONE_LINE = 28


def longest_word(text: str) -> int:
    """Cells wrap at spaces; a word ("(101,950–103,781)") must fit on one line."""
    return max((cell_len(w) for w in text.split()), default=0)


def fitting_groups(widths: list[int], label: int, total: int) -> list[list[int]]:
    """The columns (by index, in order) split into runs that fit beside a label column of
    ``label`` within ``total`` characters: each column takes its width and 3 for its border and
    padding; a column wider than the room on its own gets a group of its own."""
    room = total - label - 4  # the label's padding and the outer borders
    groups: list[list[int]] = [[]]
    used = 0
    for i, w in enumerate(widths):
        if groups[-1] and used + w + 3 > room:
            groups.append([])
            used = 0
        groups[-1].append(i)
        used += w + 3
    return groups
