"""Saved plans, kept on the server beside the run store, one folder per scenario.

A planner who saves a plan in the dashboard expects it to be there after a reload, in a new
browser session and after a restart. Each scenario (by the digest of the scenario as opened,
before any saved plan is added) has a folder ``<workspace>/<digest>/`` holding ``plans.json``:
``{"plans": {name: {"patch": {...}, "base": str, "saved_at": float}}}``. Plans are stored as
patches over the scenario, exactly what a ``plans:`` entry of the YAML file holds, so they are
re-validated by the scenario's own checks whenever they are applied.

The workspace is ``GRIDMUSTER_WORKSPACE`` if set, else ``workspace/`` beside the run store
(``GRIDMUSTER_STORE`` or ``~/.gridmuster/runs.db``). Writes are atomic (a temporary file then
``os.replace``), so a crash never leaves half a file; names are never overwritten silently.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sim.core.names import is_plan_name, plan_name_rule
from sim.present.i18n import _
from sim.run.store import default_store_path

WORKSPACE_ENV = "GRIDMUSTER_WORKSPACE"
MAX_PLANS = 200  # per scenario; a workspace is for a planner's variants, not a data dump
MAX_NAME = 60
_DIGEST = re.compile(r"^[0-9a-f]{8,64}$")
_LOCK = threading.Lock()  # Streamlit sessions are threads of one process


class WorkspaceError(ValueError):
    """A refused workspace operation, with the plain message to show."""


def default_root() -> Path:
    env = os.environ.get(WORKSPACE_ENV)
    if env:
        return Path(env)
    return default_store_path().parent / "workspace"


def check_name(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """The plan name stripped, or WorkspaceError saying why it cannot be used."""
    name = (name or "").strip()
    if not name:
        raise WorkspaceError(_("Give the plan a name."))
    if len(name) > MAX_NAME:
        raise WorkspaceError(_("A plan name has at most {n} characters.", n=MAX_NAME))
    if not is_plan_name(name):
        raise WorkspaceError(_("The plan name “{name}” cannot be used: {rule}.", name=name,
                               rule=plan_name_rule()))
    if name in taken:
        raise WorkspaceError(_("A plan named “{name}” already exists; choose another name (or "
                               "delete or rename the existing plan first).", name=name))
    return name


class Workspace:
    """The saved plans of one scenario."""

    def __init__(self, scenario_digest: str, root: Path | None = None):
        if not _DIGEST.match(scenario_digest):
            raise WorkspaceError(f"not a scenario digest: {scenario_digest!r}")
        self.folder = (root or default_root()) / scenario_digest
        self.file = self.folder / "plans.json"

    # --- reading ---------------------------------------------------------------------------

    def plans(self) -> dict[str, dict[str, Any]]:
        """name → {"patch", "base", "saved_at"}, in the order saved; {} when none (or the file
        cannot be read: a damaged file is set aside rather than failing the page)."""
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}
        plans = data.get("plans") if isinstance(data, dict) else None
        if not isinstance(plans, dict):
            return {}
        return {str(k): v for k, v in plans.items()
                if isinstance(v, dict) and isinstance(v.get("patch"), dict)}

    # --- writing ---------------------------------------------------------------------------

    def _write(self, plans: dict[str, dict[str, Any]]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".plans-", suffix=".json", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"plans": plans}, fh, ensure_ascii=False, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def save(self, name: str, patch: dict[str, Any], base: str = "",
             reserved: set[str] | frozenset[str] = frozenset()) -> str:
        """Save a new plan; refuse a name already saved or ``reserved`` (the scenario's own
        plans). Returns the name as saved."""
        with _LOCK:
            plans = self.plans()
            name = check_name(name, set(plans) | set(reserved))
            if len(plans) >= MAX_PLANS:
                raise WorkspaceError(_("This scenario already has {n} saved plans; delete some "
                                       "first.", n=MAX_PLANS))
            plans[name] = {"patch": patch, "base": base, "saved_at": time.time()}
            self._write(plans)
        return name

    def rename(self, old: str, new: str, reserved: set[str] | frozenset[str] = frozenset()
               ) -> str:
        with _LOCK:
            plans = self.plans()
            if old not in plans:
                raise WorkspaceError(_("There is no saved plan named “{name}”.", name=old))
            new = check_name(new, (set(plans) - {old}) | set(reserved))
            if new == old:
                return new
            plans = {(new if k == old else k): v for k, v in plans.items()}
            self._write(plans)
        return new

    def delete(self, name: str) -> None:
        with _LOCK:
            plans = self.plans()
            if name not in plans:
                raise WorkspaceError(_("There is no saved plan named “{name}”.", name=name))
            del plans[name]
            self._write(plans)


def unknown_grids(force_table: list[dict[str, Any]], grid_ids: list[str]) -> list[tuple[str, str]]:
    """Grid names typed in a forces table that the scenario does not have, as
    ``(field, message)``: a role limited to a grid that does not exist would silently put
    nobody anywhere (typing ``G99`` removed all 500 cadres)."""
    known = set(grid_ids)
    problems = []
    for i, row in enumerate(force_table):
        text = row.get("grids")
        if not isinstance(text, str) or not text.strip():
            continue
        bad = [g for g in (p.strip() for p in text.split(",")) if g and g not in known]
        if bad:
            sample = ", ".join(sorted(known)[:8]) + (" …" if len(known) > 8 else "")
            problems.append((f"forces row {i + 1} ({row.get('role') or 'role'}) grids",
                             f"unknown grid {', '.join(repr(b) for b in bad)}; this scenario's "
                             f"grids are {sample}"))
    return problems
