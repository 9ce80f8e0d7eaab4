"""A work estimate before running, and the budget a run must fit in.

The estimate is arithmetic on the plan (no replication is run, nothing is built), so it is
instant even for a scenario that would take days. Its constants were measured on the bundled
scenarios: CPU seconds per replication of a 50-replication ``compare`` of the first plan on one
worker (the replication that keeps its event records and the inputs' build included), on a
shared 2-core machine, rounded up; peak memory of one replication:

- muster (Youchegang, 1,740 responders): 1.5 ms → 0.002 s, and 3.4 MB;
- evacuation (Duhu, 9,122 households generated, 1,618 responders): 0.14 s → 0.15 s, and 8 MB;
- festival (Yanguan, 99,763 visitors in 44,339 groups): 0.22 s → 0.25 s, and 117 MB.

(Measured again when a model gets faster: an estimate 10 to 90 times too high, as these were
before the models were sped up, refused a 500-replication comparison that takes minutes.)

They are rough (within a factor of about 3): enough to stop a run that would take a day or
exhaust the memory, not a benchmark.

What a plan lays over the road network (travel-time and route tables) is not a rate per unit:
it grows with the network times the places routed to, and each kind states it
(``WorkModel.network_bytes``). Left out, a 10,000-grid muster town was estimated at 870 MB
and ran out of memory at 5 GB after half a minute of building.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.core.errors import Problem, ScenarioError
from sim.core.forces import roster_size
from sim.core.kind import WorkModel, find_kind
from sim.core.scenario import network_for
from sim.present.i18n import _

BUDGET_ENV = "GRIDMUSTER_BUDGET"
MEMORY_ENV = "GRIDMUSTER_MEMORY_MB"
DEFAULT_BUDGET_S = 4 * 3600.0  # CPU-seconds of one command: a long afternoon on 2 cores
DEFAULT_MEMORY_MB = 4096.0  # all replications running at once (one per worker)

_BASE_BYTES = 20e6  # the interpreter's share of a replication: network, arrays, results


def mobilised(model: Any) -> tuple[int, int]:
    """(people, units of work) of a plan that mobilises its forces: every responder (and
    reinforcement) is one unit."""
    responders = roster_size(dict(model.forces), list(model.grids))
    reinforcements = sum(getattr(i, "count", 0) or 0 for i in model.injects
                         if i.type == "reinforcement_arrives")
    n = responders + reinforcements
    return n, n


# A kind that states no work model is costed as a mobilisation of its forces, at the rates
# measured on the muster kind (the cheapest per unit).
DEFAULT_WORK: WorkModel[Any] = WorkModel(units=mobilised, seconds_per_unit=0.002 / 1740,
                                         bytes_per_unit=3.4e6 / 1740, events_per_unit=6.0)


@dataclass(frozen=True)
class WorkEstimate:
    """What one replication of a plan costs, roughly."""

    plan: str
    people: int  # responders, residents or visitors simulated
    units: int  # what the cost scales with: responders, households + responders, groups
    events: int  # expected event records
    memory_mb: float  # peak per replication
    seconds: float  # per replication, one process
    network_mb: float = 0.0  # of memory_mb: the tables over the road network
    nodes: int = 0  # road nodes

    def line(self, name: str | None = None) -> str:
        """One line of what a replication costs; the plan shown as ``name`` (else its key)."""
        return _("{plan}: about {people} people, {events} events, {mb} MB and {time} per "
                 "replication", plan=name or self.plan, people=f"{self.people:,}",
                 events=f"{self.events:,}", mb=f"{self.memory_mb:,.0f}",
                 time=_duration(self.seconds))


def _duration(seconds: float) -> str:
    if seconds < 0.01:  # "0.00 s" would read as no work at all
        return _("under 0.01 s")
    if seconds < 1:
        return _("{value} s", value=f"{seconds:.2f}")
    if seconds < 120:
        return _("{value} s", value=f"{seconds:.0f}")
    if seconds < 2 * 3600:
        return _("{value} min", value=f"{seconds / 60:,.0f}")
    return _("{value} h", value=f"{seconds / 3600:,.1f}")


def estimate(setup: Any) -> WorkEstimate:
    """The work estimate of one plan (a ``sim.core.scenario.PlanSetup``)."""
    model = setup.model
    kind = find_kind(model.kind)
    work = kind.work if kind is not None and kind.work is not None else DEFAULT_WORK
    people, units = work.units(model)
    network = network_for(model, setup.base_dir)  # (built and kept when the scenario loaded)
    tables = work.network_bytes(model, network) if work.network_bytes is not None else 0.0
    return WorkEstimate(
        plan=setup.plan, people=people, units=units, events=int(units * work.events_per_unit),
        memory_mb=(_BASE_BYTES + units * work.bytes_per_unit + tables) / 1e6,
        seconds=units * work.seconds_per_unit, network_mb=tables / 1e6,
        nodes=len(network.nodes))


@dataclass(frozen=True)
class Budget:
    seconds: float = DEFAULT_BUDGET_S
    memory_mb: float = DEFAULT_MEMORY_MB


def over_budget(estimates: Sequence[WorkEstimate], replications: int, budget: Budget,
                workers: int = 1, flag: str = "--budget") -> str | None:
    """The plain message if the run would not fit in the budget, else None."""
    problem = _over(estimates, replications, budget, workers, flag)
    return None if problem is None else problem.message


def _over(estimates: Sequence[WorkEstimate], replications: int, budget: Budget,
          workers: int, flag: str) -> Problem | None:
    """What does not fit, as the option it is about (its value) and the plain message."""
    total = sum(e.seconds for e in estimates) * replications
    at_once = max(1, min(workers, replications))
    memory = max((e.memory_mb for e in estimates), default=0.0) * at_once
    plans = len(estimates)
    if total > budget.seconds:
        need = math.ceil(total * 1.2 / 60) * 60
        return Problem("--reps", _(
            "this run needs about {total} of computing ({plans} plan(s) × {reps} "
            "replications × about {each} each), over the budget of {budget}; use fewer "
            "replications, or raise the budget with {flag} {need} (seconds) or "
            "{env}={need}", total=_duration(total), plans=plans, reps=f"{replications:,}",
            each=_duration(total / max(plans * replications, 1)),
            budget=_duration(budget.seconds), flag=flag, need=f"{need:.0f}",
            env=BUDGET_ENV), replications)
    if memory > budget.memory_mb:
        need = math.ceil(memory * 1.2)
        big = max(estimates, key=lambda e: e.memory_mb)
        if big.network_mb > big.memory_mb / 2:  # the network's tables: workers are not why
            message = _(
                "this run needs about {mb} MB of memory ({at_once} replication(s) at "
                "once × {each} MB, of which {tables} MB are the travel and route tables "
                "over {nodes} road nodes), over the budget of {budget} MB; use a smaller "
                "road network or fewer places to route to, or fewer workers, or raise "
                "the budget with --memory-budget {need} or {env}={need} if the machine "
                "has that much", mb=f"{memory:,.0f}", at_once=at_once,
                each=f"{memory / at_once:,.0f}", tables=f"{big.network_mb:,.0f}",
                nodes=f"{big.nodes:,}", budget=f"{budget.memory_mb:,.0f}", need=need,
                env=MEMORY_ENV)
        else:
            message = _(
                "this run needs about {mb} MB of memory ({at_once} replication(s) at once × "
                "{each} MB), over the budget of {budget} MB; use fewer workers, or raise it "
                "with --memory-budget {need} or {env}={need}", mb=f"{memory:,.0f}",
                at_once=at_once, each=f"{memory / at_once:,.0f}",
                budget=f"{budget.memory_mb:,.0f}", need=need, env=MEMORY_ENV)
        return Problem("--memory-budget", message, round(budget.memory_mb))
    return None


def check_budget(setups: Sequence[Any], replications: int, workers: int = 1,
                 budget: Budget | None = None) -> str | None:
    """One call for the dashboard: None if the run fits, else the plain message to show."""
    estimates = [estimate(s) for s in setups]
    return over_budget(estimates, replications, budget or Budget(), workers,
                       flag="the budget setting")


def enforce(setups: Sequence[Any], replications: int, workers: int, budget: Budget) -> None:
    """Raise ScenarioError (CLI exit 2) when a run does not fit in the budget."""
    problem = _over([estimate(s) for s in setups], replications, budget, workers, "--budget")
    if problem is not None:
        raise ScenarioError([problem])
