"""IMO MSC.1/Circ.1533 practice for reporting a muster or evacuation time: at least 50
replications, in batches of 50; the reported figure is the 95th percentile T0.95; after each
batch the percentile is re-checked for convergence.

Rule used here: converged when T0.95 over all replications so far differs from T0.95 after
the previous batch by at most ``CONVERGENCE`` (2 %) of its value. With a single batch there is
nothing to compare, so the result says "not yet checked".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.present.i18n import _

BATCH = 50
CONVERGENCE = 0.02
TIME_METRIC = {"muster": "t90_min", "evacuation": "ete90_min", "festival": "egress95_min"}


def imo_replications(reps: int) -> int:
    """At least 50, rounded up to whole batches of 50."""
    return max(BATCH, math.ceil(reps / BATCH) * BATCH)


@dataclass(frozen=True)
class ImoResult:
    metric: str
    replications: int
    p95_by_batch: list[float]  # T0.95 over the first 50, 100, … replications
    missing: int  # replications without a value (the time was never reached)

    @property
    def p95(self) -> float:
        return self.p95_by_batch[-1] if self.p95_by_batch else math.nan

    @property
    def last_change(self) -> float:
        """Relative change of T0.95 in the last batch (nan with one batch)."""
        if len(self.p95_by_batch) < 2 or not self.p95_by_batch[-2] or not all(
                math.isfinite(x) for x in self.p95_by_batch[-2:]):
            return math.nan
        return abs(self.p95_by_batch[-1] - self.p95_by_batch[-2]) / abs(self.p95_by_batch[-2])

    @property
    def converged(self) -> bool | None:
        change = self.last_change
        if not math.isfinite(self.p95):
            return False  # no finite figure to report: never "converged"
        return None if math.isnan(change) else bool(change <= CONVERGENCE)

    def lines(self) -> list[str]:
        def fmt(x: float) -> str:
            return _("{x} min", x=f"{x:.2f}") if math.isfinite(x) else _("not reached")

        batches = ", ".join(f"{(k + 1) * BATCH}: {fmt(v)}" for k, v in enumerate(self.p95_by_batch))
        if not math.isfinite(self.p95):
            state = _("no finite 95th percentile: more than 5 % of replications never reach "
                      "{metric}; report a lower completion level (--metric)", metric=self.metric)
        elif self.converged is None:
            state = _("not yet checked (one batch; run 100 or more replications)")
        elif self.converged:
            state = _("converged (last batch changed it by {change} ≤ {limit})",
                      change=f"{self.last_change:.1%}", limit=f"{CONVERGENCE:.0%}")
        else:
            state = _("NOT converged (last batch changed it by {change} > {limit}; run more "
                      "batches)", change=f"{self.last_change:.1%}", limit=f"{CONVERGENCE:.0%}")
        out = [_("IMO MSC.1/Circ.1533: 95th percentile of {metric} over {n} replications = "
                 "{p95}", metric=self.metric, n=self.replications, p95=fmt(self.p95)),
               "  " + _("after each batch of {n}: {batches}", n=BATCH, batches=batches),
               "  " + _("convergence: {state}", state=state)]
        if self.missing:
            out.append("  " + _("{n} replications never reached it (counted as longer than "
                                "any other)", n=self.missing))
        return out

    def as_dict(self) -> dict[str, object]:
        return {"metric": self.metric, "replications": self.replications,
                "batch": BATCH, "p95": self.p95, "p95_by_batch": self.p95_by_batch,
                "rule": f"converged when the last batch of {BATCH} changes the 95th percentile "
                        f"by at most {CONVERGENCE:.0%}",
                "last_change": None if math.isnan(self.last_change) else self.last_change,
                "converged": self.converged, "missing": self.missing}


def assess(metric: str, values: np.ndarray) -> ImoResult:
    """T0.95 after each whole batch of ``values`` (replication order). A replication that
    never reached the time (NaN) counts as longer than all others, so it cannot make the
    reported figure look better."""
    v = np.where(np.isfinite(values), values, np.inf)
    out = []
    for end in range(BATCH, v.size + 1, BATCH):
        p = float(np.percentile(v[:end], 95, method="higher"))
        out.append(p)
    return ImoResult(metric, int(v.size), out, int(np.sum(~np.isfinite(values))))

