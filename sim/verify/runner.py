"""Run the case library and the validation section; the verdict a release is judged on."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import __version__
from sim.verify.case import Case, CaseResult, Context, run_case
from sim.verify.validation import FieldCase, validate


@dataclass(frozen=True)
class Verification:
    quick: bool
    results: list[CaseResult]
    field_cases: list[FieldCase]
    seconds: float

    @property
    def failed(self) -> list[CaseResult]:
        return [r for r in self.results if r.status in ("fail", "error")]

    def counts(self) -> dict[str, int]:
        out = {"pass": 0, "fail": 0, "pending": 0, "error": 0}
        for r in self.results:
            out[r.status] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"version": __version__, "quick": self.quick, "seconds": round(self.seconds, 1),
                "counts": self.counts(), "cases": [r.as_dict() for r in self.results],
                "validation": [f.as_dict() for f in self.field_cases]}


def verify(cases: list[Case], quick: bool, with_validation: bool = True,
           progress: Callable[[CaseResult], None] | None = None) -> Verification:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gridmuster-verify-") as tmp:
        ctx = Context(quick=quick, workdir=Path(tmp))
        results = []
        for c in cases:
            r = run_case(c, ctx)
            results.append(r)
            if progress:
                progress(r)
        field_cases = validate(ctx) if with_validation else []
    return Verification(quick, results, field_cases, time.perf_counter() - t0)
