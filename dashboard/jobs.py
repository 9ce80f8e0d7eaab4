"""Comparisons run off the script thread: a background job with progress, an estimate of the
time left, a cancel button, and a time limit; first results early.

A job runs each plan's first few replications, publishes that comparison (the page shows it at
once, marked as preliminary), then extends every plan to the replications asked for (the same
seeds: the refined result is exactly what a single full run gives). Finished plan runs go into
the dashboard's run cache, so the page never waits for a plan it has already run.

A job keeps no event records: the comparison page shows summaries only, and the festival's
records of one day cost about as much as half its replication (issue 16). The replay runs its
own replication with its records (``state.single_run``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.core.scenario import Scenario
from sim.present.i18n import N_, _, current_lang
from sim.run.experiments import Comparison, PlanRun, extend, run_plan

MAX_UI_REPS = 500  # replications per plan from the page (the CLI has no such cap)
MAX_UI_WORKERS = 4
TIME_LIMIT_S = 15 * 60.0  # a run from the page stops after this long
MIN_REPS_PER_POOL = 50  # starting a process pool costs more than it saves below this


class Stopped(Exception):
    """Raised inside the job to stop it (cancelled or over its time limit).

    ``why`` is a catalogue text with ``{name}`` placeholders, translated where the page shows
    it: the job's thread does not carry the page's language."""

    def __init__(self, why: str, **params: Any) -> None:
        super().__init__(why.format(**params) if params else why)
        self.why, self.params = why, params


@dataclass
class Job:
    scenario: Scenario
    plans: list[str]
    reps: int
    seed: int
    workers: int
    first_reps: int
    cache: object  # state.RunCache
    keys: list[tuple[str, str, int, int]]
    time_limit_s: float = TIME_LIMIT_S
    started: float = field(default_factory=time.monotonic)
    done: int = 0
    total: int = 0
    preliminary: Comparison | None = None
    _preliminary_data: tuple[Comparison, str, dict[str, Any]] | None = None
    result: Comparison | None = None
    error: str = ""
    stopped: str = ""
    stopped_why: tuple[str, dict[str, Any]] = ("", {})  # (catalogue text, its values)
    stored: str = ""  # the run-store note, once recorded
    finished_at: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    # --- control ---------------------------------------------------------------------------

    def start(self) -> Job:
        self.total = len(self.plans) * self.reps
        self.thread = threading.Thread(target=self._run, name="gridmuster-job", daemon=True)
        self.thread.start()
        return self

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    @property
    def elapsed_s(self) -> float:
        return (self.finished_at or time.monotonic()) - self.started

    def eta_s(self) -> float | None:
        """Seconds left, from the pace so far (None before the first replication)."""
        if self.done <= 0:
            return None
        return self.elapsed_s / self.done * max(self.total - self.done, 0)

    # --- the work (background thread) -------------------------------------------------------

    def _tick(self, n: int) -> None:
        self.done += n
        if self.cancel_event.is_set():
            raise Stopped(N_("cancelled"))
        if self.elapsed_s > self.time_limit_s:
            raise Stopped(N_("over the time limit of {minutes} min"),
                          minutes=f"{self.time_limit_s / 60:.0f}")

    def _workers(self, n: int) -> int:
        return self.workers if n >= MIN_REPS_PER_POOL else 1

    def _publish(self, partial: dict[int, PlanRun], first: int) -> None:
        """Show the plans whose first pass is done (in the plans' order) at once: the page
        labels them first results and names the plans still running."""
        if first < self.reps:
            self.preliminary = Comparison([partial[i] for i in sorted(partial)])

    def _first_pass(self, runs: list[PlanRun | None], first: int) -> list[PlanRun]:
        """Each plan's first ``first`` replications (cached plans as they are), published plan by
        plan as each finishes: a planner sees the first plan of a slow kind (a festival day)
        without waiting for the others. (Running the plans side by side in processes was slower
        on the shared 2-core machine, even with the inputs built here before forking, issue 16:
        festival 4.5-7.2 s against 3.6-6.8 s to every plan's first results, Duhu 5.7-6.0 s
        against 2.7-2.9 s, and the refined results 1.3-2x later, at load 4.)"""
        partial: dict[int, PlanRun] = {i: r for i, r in enumerate(runs) if r is not None}
        publish = not partial  # a comparison with cached plans is refined at once, not shown
        for i, r in enumerate(runs):
            if r is None:
                partial[i] = run_plan(self.scenario, self.plans[i], first, self.seed,
                                      self._workers(first), self._tick, keep_events=())
                if publish:
                    self._publish(partial, first)
        return [partial[i] for i in range(len(self.plans))]

    def preliminary_data(self) -> dict[str, Any] | None:
        """The first results as a comparison mapping, made once per publish (the page looks
        again every second while they are refined; a festival's mapping takes about 0.4 s)."""
        pre = self.preliminary
        if pre is None:
            return None
        memo, lang = self._preliminary_data, current_lang()  # verdicts are in words
        if memo is None or memo[0] is not pre or memo[1] != lang:
            memo = (pre, lang, pre.as_dict())
            self._preliminary_data = memo
        return memo[2]

    @property
    def pending_first(self) -> list[str]:
        """Plans not yet in the first results (while they are shown)."""
        shown = {r.setup.plan for r in self.preliminary.runs} if self.preliminary else set()
        return [p for p in self.plans if p not in shown]

    def _run(self) -> None:
        try:
            runs: list[PlanRun | None] = [self.cache.get(k) for k in self.keys]  # type: ignore[attr-defined]
            self.done = sum(self.reps for r in runs if r is not None)
            first = min(self.first_reps, self.reps)
            partial = self._first_pass(runs, first)
            for i, _plan in enumerate(self.plans):
                if runs[i] is not None:
                    continue
                more = range(first, self.reps)
                run = extend(partial[i], more, self._workers(len(more)), self._tick,
                             keep_events=()) if len(more) else partial[i]
                self.cache.put(self.keys[i], run)  # type: ignore[attr-defined]
                runs[i] = run
            self.result = Comparison([r for r in runs if r is not None])
        except Stopped as exc:
            self.stopped, self.stopped_why = str(exc), (exc.why, exc.params)
        except Exception as exc:  # shown on the page, never a raw traceback
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.finished_at = time.monotonic()


def duration(seconds: float | None) -> str:
    """A run's elapsed or remaining time in the page's language (called by the page)."""
    if seconds is None:
        return _("estimating…")
    seconds = max(0.0, seconds)
    if seconds < 60:
        return _("{seconds} s", seconds=f"{seconds:.0f}")
    return _("{minutes} min {seconds} s", minutes=f"{seconds // 60:.0f}",
             seconds=f"{seconds % 60:02.0f}")


def same_request(job: Job, plans: Sequence[str], reps: int, seed: int, digest: str) -> bool:
    return (list(job.plans) == list(plans) and job.reps == reps and job.seed == seed
            and job.scenario.digest == digest)
