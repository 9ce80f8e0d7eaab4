"""How a recorded run is named to a planner (``gridmuster runs`` and the dashboard's History):
the command and status in words, and the scenario by its name in the current language.

The run store records the scenario's name as the file gave it (``name``, English); in 中文 the
``name_zh`` is found in the recorded result (runs since ``scenario_zh`` is recorded), else in
the scenario file the run read, else in the bundled scenario of that name; a scenario nobody
names in 中文 keeps the recorded name.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.present.i18n import N_, _, is_zh
from sim.present.plan_names import plan_label, summary_labels

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "scenarios"

# What the store records, as a planner says it.
COMMANDS = {"run": N_("run one plan"), "compare": N_("compare plans"),
            "dashboard": N_("compare plans (dashboard)"),
            "optimise": N_("optimise"), "sensitivity": N_("sensitivity"),
            "robustness": N_("robustness")}
STATUSES = {"done": N_("finished"), "running": N_("running"),
            "interrupted": N_("interrupted"), "failed": N_("failed")}


def command_words(command: str) -> str:
    return _(COMMANDS[command]) if command in COMMANDS else command


def status_words(status: str) -> str:
    return _(STATUSES[status]) if status in STATUSES else status


@functools.cache
def _names_in(path: str, mtime: float) -> tuple[str, str]:
    """(name, name_zh) written in a scenario file ("" where missing or unreadable); ``mtime``
    keys the cache so that an edited file is read again."""
    import yaml  # deferred: only when a 中文 name is looked up

    try:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
    except Exception:  # a moved or broken file: the recorded name is shown
        return "", ""
    if not isinstance(raw, dict):
        return "", ""
    return str(raw.get("name") or ""), str(raw.get("name_zh") or "")


def _zh_from_file(path: Path, recorded: str) -> str:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return ""
    name, zh = _names_in(str(path), mtime)
    return zh if name == recorded else ""  # the file may have been rewritten for another town


def scenario_name(recorded: str, path: str | None, result: dict[str, Any] | None) -> str:
    """The scenario's name in the current language (see the module's docstring)."""
    if not is_zh():
        return recorded
    result = result or {}
    plans = result.get("plans")
    first = next(iter(plans.values()), {}) if isinstance(plans, dict) and plans else result
    zh = first.get("scenario_zh") if isinstance(first, dict) else None
    if zh:
        return str(zh)
    files = [Path(path)] if path else []
    files += sorted(BUNDLED_DIR.glob("*.yaml"))
    for file in files:
        zh = _zh_from_file(file, recorded)
        if zh:
            return zh
    return recorded


def plans_named(plans: Sequence[str], result: dict[str, Any] | None) -> list[str]:
    """A recorded run's plans as a planner reads them: by the Chinese names its result recorded
    (``plan_zh``, runs since it is recorded) in 中文, else by their keys."""
    result = result or {}
    found = result.get("plans")
    recorded: dict[Any, Any] = found if isinstance(found, dict) else {result.get("plan"): result}
    summaries = [s for p in plans if isinstance(s := recorded.get(p), dict)]
    labels = summary_labels(summaries)
    return [labels.get(p, plan_label(p)) for p in plans]
