"""How a plan is named to a planner: by its name in Chinese (the scenario's ``name_zh`` of
the plan) when the language is 中文 and the scenario gives one, else by its key in the file
(``more_workers``), which is also what the command line takes and what file names and
machine-readable outputs (CSV, JSON) keep.

A summary records the Chinese name as ``plan_zh`` (``sim.run.experiments``); a result of an
older run without it shows the key. The tool's own implicit plan, ``baseline``, is named in
the current language when the scenario does not name it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sim.present.i18n import N_, _, is_zh

# The plan a scenario without plans runs (``sim.core.scenario.DEFAULT_PLAN``), in words.
BASELINE = N_("baseline")


def plan_label(plan: str, name_zh: str | None = None) -> str:
    """One plan as shown: ``name_zh`` in 中文 when given, else the key (``baseline`` in the
    current language)."""
    if is_zh() and name_zh:
        return name_zh
    return _(BASELINE) if plan == "baseline" else plan


def plan_labels(plans: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Each plan's label (``plan_label``) by key, told apart: where two plans would read the
    same (a Chinese name that is also another plan's key, a plan saved on the dashboard under
    another's Chinese name), each of them reads ``label (key)``, so that no table or chart
    merges or confuses them."""
    out = {plan: plan_label(plan, zh) for plan, zh in dict(plans).items()}
    shown = Counter(out.values())
    return {plan: with_key(plan, label) if shown[label] > 1 else label
            for plan, label in out.items()}


def with_key(plan: str, label: str) -> str:
    """``label (key)`` where the label is not the key itself: a plan named so that it can
    also be found by its key (the Plans page, where a copy is saved under a key)."""
    return label if label == plan else _("{name} ({key})", name=label, key=plan)


def summary_labels(summaries: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """``plan_labels`` of the plans of a comparison's summaries (``plan``, ``plan_zh``)."""
    return plan_labels((str(s["plan"]), s.get("plan_zh")) for s in summaries if "plan" in s)


def summary_label(summary: Mapping[str, Any]) -> str:
    """The label of one summary's plan (where it is shown on its own)."""
    return plan_label(str(summary["plan"]), summary.get("plan_zh"))


def pair_plans(pair: str, labels: Mapping[str, str]) -> tuple[str, str]:
    """The two plans (B, A) of a stored paired difference ``"B - A"`` (comparison.json) by
    their labels (a plan without one: its key)."""
    b, _sep, a = pair.partition(" - ")
    return labels.get(b, b), labels.get(a, a)


def pair_label(pair: str, labels: Mapping[str, str]) -> str:
    """A stored paired difference's plans as ``"B - A"`` by their labels."""
    return " - ".join(pair_plans(pair, labels))
