"""The verification case library, in report order (importing a module registers its cases)."""

from __future__ import annotations

from sim.verify import (  # noqa: F401 - imported for their registered cases
    cases_conservation,
    cases_delays,
    cases_flooding,
    cases_flows,
    cases_mobilisation,
    cases_movement,
    cases_queues,
    cases_statistics,
)
from sim.verify.case import CASES, Case

# Report order: from moving one person to whole plans.
GROUP_ORDER = ("movement", "routing", "delays", "queues", "flows", "flooding", "mobilisation",
               "statistics", "conservation")


def library() -> list[Case]:
    """Every registered case, by group in report order, then in definition order."""
    return sorted(CASES, key=lambda c: GROUP_ORDER.index(c.group))
