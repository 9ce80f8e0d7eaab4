"""The scenario kinds: each says how to check, build and simulate its scenarios."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.core.config import ScenarioBase
from sim.core.errors import Problem
from sim.core.results import ReplicationResult
from sim.network.graph import RoadNetwork


@dataclass(frozen=True)
class Kind:
    name: str
    scenario_model: type[ScenarioBase]
    required_metrics: tuple[str, ...]
    headline_metrics: tuple[str, ...]
    curve_label: str | None
    # Problems that need the network (nodes exist, references resolve), on a resolved plan.
    check: Callable[[Any, RoadNetwork], list[Problem]]
    # Everything a replication needs that does not depend on the seed (built once per plan).
    build: Callable[[Any, RoadNetwork], Any]
    simulate: Callable[[Any, int, int, bool], ReplicationResult]
    curve_minutes: Callable[[Any], Any]
    # Places to draw on the town map, by type: {"assembly point": [(node, label), ...]}.
    places: Callable[[Any], dict[str, list[tuple[str, str]]]]
    # Extra figures of the kind, from plan summaries: {"file_stem": Figure}. Optional.
    figures: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None
    # Inject types this kind applies; any other in a scenario's `injects:` is an error.
    inject_types: frozenset[str] = frozenset()
    # How observed logs of this kind are read and compared (sim.analysis.observed.ReviewSpec); optional.
    review: Any = None
