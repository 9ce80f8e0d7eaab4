"""What one replication produces: flat event records, metrics and a completion curve."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


class EventRecord(NamedTuple):
    """One state change of one entity (responder, household, visitor group)."""

    replication: int
    t_min: float
    entity_id: str
    role: str
    grid: str
    event: str
    location: str


EVENT_COLUMNS = list(EventRecord._fields)


def events_frame(records: list[EventRecord]) -> pd.DataFrame:
    import pandas as pd  # deferred: pandas costs ~0.5 s of start-up; only writers need it

    return pd.DataFrame.from_records(records, columns=EVENT_COLUMNS)


@dataclass(frozen=True)
class ReplicationResult:
    replication: int
    seed: int
    metrics: dict[str, float]
    curve: np.ndarray | None = None  # fraction complete at each minute of the kind's t grid
    events: list[EventRecord] = field(default_factory=list)
    final_states: dict[str, str] = field(default_factory=dict)  # entity id -> final state
    # Time series on the kind's minute grid, e.g. {"queue[checkpoint=H1]": array}; summarised
    # over replications as a band (mean, p5, p95) under "series" in summary.json.
    series: dict[str, np.ndarray] = field(default_factory=dict)


def json_ready(obj: Any) -> Any:
    """The same structure with NaN and infinities as None (JSON has no NaN)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    return obj
