"""What a verification case is: a source, a setup, an expectation with a justified tolerance,
and what the model measured.

A case is a function of a :class:`Context` that runs real model code and returns its
:class:`Check` rows; the case passes when every row is within its tolerance. A case whose
model interface is not connected yet is *pending* (reported as such, never as a pass).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

Status = Literal["pass", "fail", "pending", "error"]


@dataclass(frozen=True)
class Check:
    """One expected number and what the model gave."""

    quantity: str  # plain words, e.g. "walking time over the 40 m road"
    expected: float
    tolerance: float  # absolute, in ``unit``
    measured: float
    unit: str = ""
    # An upper bound rather than a value: the size of a test is "at most alpha" (a
    # conservative test flags less often), so only measured > expected + tolerance fails.
    at_most: bool = False

    @property
    def passed(self) -> bool:
        if not math.isfinite(self.measured):
            return False
        if self.at_most:
            return self.measured <= self.expected + self.tolerance
        return abs(self.measured - self.expected) <= self.tolerance


@dataclass(frozen=True)
class Outcome:
    checks: list[Check]
    figure_svg: str | None = None
    notes: str = ""


class Pending(Exception):
    """Raised by a case whose model function is not connected yet (says what is missing)."""


@dataclass
class Context:
    """What a case may use: the run size and a scratch folder for tiny road graphs."""

    quick: bool
    workdir: Path
    cache: dict[Any, Any] = field(default_factory=dict)

    def folder(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def n(self, quick: int, full: int) -> int:
        return quick if self.quick else full


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    group: str  # movement, delays, queues, flows, flooding, routing, mobilisation, ...
    source: str  # as standards.md names it
    setup: str
    tolerance_why: str
    run: Callable[[Context], Outcome]


@dataclass(frozen=True)
class CaseResult:
    case: Case
    status: Status
    checks: list[Check]
    seconds: float
    figure_svg: str | None = None
    notes: str = ""

    def as_dict(self) -> dict[str, Any]:
        c = self.case
        return {
            "id": c.id, "title": c.title, "group": c.group, "source": c.source,
            "setup": c.setup, "tolerance_why": c.tolerance_why, "status": self.status,
            "seconds": round(self.seconds, 3), "notes": self.notes,
            "checks": [{"quantity": k.quantity, "unit": k.unit, "expected": k.expected,
                        "tolerance": k.tolerance, "at_most": k.at_most,
                        "measured": k.measured if math.isfinite(k.measured) else None,
                        "passed": k.passed} for k in self.checks],
        }


CASES: list[Case] = []


def case(id: str, title: str, group: str, source: str, setup: str, tolerance_why: str
         ) -> Callable[[Callable[[Context], Outcome]], Callable[[Context], Outcome]]:
    """Register a case function in the library (in definition order)."""
    def register(fn: Callable[[Context], Outcome]) -> Callable[[Context], Outcome]:
        if any(c.id == id for c in CASES):
            raise ValueError(f"duplicate verification case id {id!r}")
        CASES.append(Case(id, title, group, source, setup, tolerance_why, fn))
        return fn
    return register


def run_case(c: Case, ctx: Context) -> CaseResult:
    t0 = time.perf_counter()
    try:
        out = c.run(ctx)
    except Pending as p:
        return CaseResult(c, "pending", [], time.perf_counter() - t0, notes=str(p))
    except Exception as exc:  # a broken case is a failure to verify, shown, not a traceback
        return CaseResult(c, "error", [], time.perf_counter() - t0,
                          notes=f"{type(exc).__name__}: {exc}")
    status: Status = "pass" if out.checks and all(k.passed for k in out.checks) else "fail"
    return CaseResult(c, status, out.checks, time.perf_counter() - t0, out.figure_svg, out.notes)


def broken(c: Case) -> Case:
    """The same case with every expectation moved well outside its tolerance (self-test of
    the runner: a wrong expectation must fail and make ``gridmuster verify`` exit 1)."""
    def run(ctx: Context) -> Outcome:
        out = c.run(ctx)
        # An upper bound is moved down (a bound moved up would still hold).
        return replace(out, checks=[replace(k, expected=k.expected + (-1 if k.at_most else 1)
                                            * (10 * k.tolerance + 1.0))
                                    for k in out.checks])
    # the suffix is sim.verify.text.BROKEN (translated where the title is shown)
    return replace(c, run=run, title=c.title + " (deliberately wrong expectation)")
