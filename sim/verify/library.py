"""The verification case library, in report order (importing a module registers its cases).

The case modules are imported when the library is first asked for, not when this module is:
they build every kind and scipy's routing (~0.4 s), which the command line's ``--help`` and
``validate`` (that import ``gridmuster verify`` with the rest of the commands) do not need.
"""

from __future__ import annotations

import importlib

from sim.verify.case import CASES, Case

CASE_MODULES = tuple(f"sim.verify.cases_{name}" for name in (
    "conservation", "delays", "flooding", "flows", "mobilisation", "movement", "queues",
    "statistics"))

# Report order: from moving one person to whole plans.
GROUP_ORDER = ("movement", "routing", "delays", "queues", "flows", "flooding", "mobilisation",
               "statistics", "conservation")


def library() -> list[Case]:
    """Every registered case, by group in report order, then in definition order."""
    for module in CASE_MODULES:  # importing a case module registers its cases (once)
        importlib.import_module(module)
    return sorted(CASES, key=lambda c: GROUP_ORDER.index(c.group))
