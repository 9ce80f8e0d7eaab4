"""What one replication produces: flat event records, metrics and a completion curve."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
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

_BREAKDOWN = re.compile(r"^(?P<metric>[^\[\]=]+)\[(?P<key>[^\[\]=]+)=(?P<value>.*)\]$")


@dataclass(frozen=True)
class Breakdown:
    """One part of a metric broken down by a key, e.g. the cadres among those mustered.

    In summaries and files it is written ``mustered_60min[role=cadre]``: :meth:`parse` and
    :attr:`name` are the only places that read and write that form."""

    metric: str  # the base metric, e.g. ``mustered_60min``
    key: str  # what it is broken down by, e.g. ``role``, ``grid``, ``checkpoint``
    value: str  # which part, e.g. ``cadre`` (may contain any character but a newline)

    @property
    def name(self) -> str:
        return f"{self.metric}[{self.key}={self.value}]"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def parse(cls, name: str) -> Breakdown | None:
        """The breakdown a metric name stands for, or None for a plain metric (``t90_min``)."""
        m = _BREAKDOWN.match(name)
        return cls(m["metric"], m["key"], m["value"]) if m else None


def base_metric(name: str) -> str:
    """``mustered_60min[role=cadre]`` → ``mustered_60min``; a plain metric is its own base."""
    b = Breakdown.parse(name)
    return b.metric if b else name


def breakdowns_in(names: Iterable[str], metric: str | None = None,
                  key: str | None = None) -> list[Breakdown]:
    """The breakdowns among metric names (optionally of one metric and/or key), in order."""
    found = (Breakdown.parse(n) for n in names)
    return [b for b in found if b is not None and (metric is None or b.metric == metric)
            and (key is None or b.key == key)]


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
