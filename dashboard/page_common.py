"""What more than one page of the dashboard uses: a scenario's problems shown, the comparison
asked for by default, the clock time a plan starts at, and a table's rows as records."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import state
from sim.core.scenario import Scenario
from sim.present import formatting
from sim.present.i18n import _


def show_problems(problems: list[tuple[str, str]], what: str) -> None:
    lines = "\n".join(f"- `{path}`: {message}" for path, message in problems)
    st.error(_("{what} has {n} problem(s):", what=what, n=len(problems)) + f"\n\n{lines}")


def default_request(s: Scenario) -> dict[str, Any]:
    return {"plans": s.plan_names()[:2], "reps": state.default_reps(s.kind.name),
            "seed": s.model.seed}


def clock_start(s: Scenario, plans: list[str]) -> float | None:
    """The clock time (minutes after midnight) at the model's minute 0 when every plan shares
    one (the alert at 09:30, the festival day from 05:00), else None."""
    starts = set()
    for p in plans:
        text = s.kind.clock_start(s.plan(p).model) if s.kind.clock_start is not None else None
        if not isinstance(text, str) or ":" not in text:
            return None
        starts.add(formatting.clock_minute(text))
    return starts.pop() if len(starts) == 1 else None


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]

