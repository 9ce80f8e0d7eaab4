"""The Kind protocol: everything the shared code asks of a scenario kind, and the registry.

A scenario kind (muster, evacuation, festival, ...) is one folder under ``sim/kinds/`` whose
``kind.py`` defines ``KIND``, a :class:`Kind`. Everything outside the folder reaches the kind
only through that object: loading checks and builds with it, the runner simulates with it, the
report, the replay and the dashboard ask it for figures, findings, replay states and defaults.
No shared module compares kind names.

The registry maps a kind's name to the module that defines it and imports that module only
when the kind is first asked for (``kind_named``), so that loading a muster scenario does not
import the festival. The bundled kinds are listed in ``sim.kinds.BUNDLED``; a kind defined
elsewhere (a plug-in, a test) calls :func:`register`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from sim.core.config import ScenarioBase
from sim.core.errors import Problem
from sim.core.results import ReplicationResult
from sim.core.staffing import StaffingLayout
from sim.kinds import BUNDLED
from sim.network.graph import RoadNetwork

if TYPE_CHECKING:  # types only: these modules import this one's users
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.analysis.findings import Finding
    from sim.analysis.observed import ReviewSpec
    from sim.analysis.replay_spec import ReplayExtras, ReplaySpec
    from sim.core.catalogue import MetricInfo

M = TypeVar("M", bound=ScenarioBase)  # the kind's scenario model (a plan applied)
I = TypeVar("I")  # noqa: E741  the kind's inputs: what ``build`` makes once per plan

Summary = Mapping[str, Any]  # a plan's ``summary.json`` as a mapping
Places = dict[str, list[tuple[str, str]]]  # place type → [(node, label)], drawn on maps
PlaceNames = Mapping[str, Mapping[str, str]]  # breakdown key → place id → its name in 中文


@dataclass(frozen=True)
class WorkModel(Generic[M]):
    """How much one replication costs (``sim.core.budget``): it scales with ``units`` (a
    responder, a household, a visitor group), at rates measured on the bundled scenarios."""

    units: Callable[[M], tuple[int, int]]  # (people simulated, units of work) of a plan
    seconds_per_unit: float
    bytes_per_unit: float
    events_per_unit: float  # event records per unit
    # Bytes of what ``build`` lays over the road network (travel-time and route tables): they
    # grow with the network times the places routed to, not with ``units``, so the rate per
    # unit measured on a small town misses them (a 10,000-grid muster town's are 4 GB).
    network_bytes: Callable[[M, RoadNetwork], float] | None = None


# A summary's key the dashboard sets before it asks a kind for figures: the clock time of
# minute 0 in minutes after midnight (from ``Kind.clock_start``), so the figures' time axes
# read HH:MM; absent or None: minutes or hours after the start.
CLOCK_START = "clock_start_min"


@dataclass(frozen=True)
class DashboardDefaults:
    """What the dashboard shows first for the kind."""

    # Replications of the first quick result (None: the dashboard's default); kinds whose
    # replications take seconds start with fewer so the first numbers come in seconds.
    first_reps: int | None = None
    # The one or two measures a planner decides on: the first screen leads with these.
    decision_metrics: tuple[str, ...] = ()
    forces_title: str = "Forces by role and grid"
    edits_forces: bool = True  # the Plans page offers the forces editor
    replay_dot: str = "entity"  # what one dot of the replay is
    replay_note: str = ""  # appended to the replay caption
    # How the kind's plan section posts staff, for the staffing editor (None: the kind has no
    # posts to staff).
    staffing: StaffingLayout | None = None
    # Plain names of the settings in the kind's section (field name → name, marked for
    # translation), for the Plans table's "changes" and its list of other settings
    # (``sim.present.setting_words``). ``parent.field`` names a field where the one name means
    # two things, ``parent.key`` a key of a mapping (``speeds_kmh.ebike``: "by e-bike").
    setting_names: Mapping[str, str] = field(default_factory=dict)
    # Units of the settings the field's name and type do not tell (``modes``: a share),
    # keyed as ``setting_names``; a random delay's parameters take its unit (else minutes).
    setting_units: Mapping[str, str] = field(default_factory=dict)
    # Plain words of the codes a setting's value may take (a ``Literal``: ``turn_away``, an
    # alert channel), keyed by code or ``field.code`` where one code means two things; the
    # Plans table shows these and reads them back. A random delay's shapes, roles and the
    # kind's ``value_names`` are named elsewhere (``sim.present.setting_words``).
    value_words: Mapping[str, str] = field(default_factory=dict)
    # Stems of the kind's figures the Run & compare page leaves out (one chart per question:
    # e.g. festival density heat strips per plan beside the density lines of all plans).
    skip_figures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind(Generic[M, I]):
    """One scenario kind. ``M`` is its scenario model, ``I`` the inputs ``build`` makes."""

    name: str
    scenario_model: type[M]
    # Metric names every summary of the kind has (``sim.run.experiments`` checks).
    required_metrics: tuple[str, ...]
    # What tables and the report lead with, in order.
    headline_metrics: tuple[str, ...]
    # Plain-language names, units and directions of the kind's metrics (``sim.core.catalogue``).
    metrics: Mapping[str, MetricInfo]
    curve_label: str | None  # what the completion curve counts (None: the kind has none)
    # Problems that need the network (nodes exist, references resolve), on a resolved plan.
    check: Callable[[M, RoadNetwork], list[Problem]]
    # Everything a replication needs that does not depend on the seed (built once per plan).
    build: Callable[[M, RoadNetwork], I]
    # One replication: (inputs, replication, seed, keep_events) → its metrics and records.
    simulate: Callable[[I, int, int, bool], ReplicationResult]
    curve_minutes: Callable[[I], np.ndarray]  # minutes of the curve and series records
    places: Callable[[M], Places]  # the kind's places to draw on the town map
    # The Chinese names a plan gives its places, by breakdown key and place id:
    # ``{"shelter": {"VC01": "1 村村委会"}}`` (only those named; ``catalogue.value_label``).
    place_names_zh: Callable[[M], PlaceNames] | None = None
    # Time-to-X metrics (``inf`` when X did not happen within the horizon).
    time_to: frozenset[str] = frozenset()
    # Inject types this kind applies; any other in a scenario's `injects:` is an error.
    inject_types: frozenset[str] = frozenset()
    # Plausibility: problems that make a plan meaningless (refused) and likely mistakes (warned).
    sense_errors: Callable[[M], list[Problem]] | None = None
    sense_warnings: Callable[[M], list[Problem]] | None = None
    # Data files the kind's section names, read into the raw mapping before validation
    # (festival counts CSVs); what was read is part of the scenario's digest.
    read_files: Callable[[dict[str, Any], Path], tuple[dict[str, Any], list[Problem]]] | None \
        = None
    work: WorkModel[M] | None = None  # None: costed as a mobilisation of its forces
    # Extra figures of the kind, from plan summaries: {"file_stem": Figure}.
    figures: Callable[[Sequence[Summary]], dict[str, Figure]] | None = None
    # Strengths and improvements of a plan's results (after-action report).
    findings: Callable[[Summary], list[Finding]] | None = None
    # The members table of a plan (Scenario page); None: role × grid from ``forces``.
    forces_table: Callable[[M], pd.DataFrame] | None = None
    # The clock time (HH:MM) at minute 0 of a plan, when the kind has one.
    clock_start: Callable[[M], str | None] | None = None
    # How event records become states at a minute (replay), and what else a replay shows.
    replay: ReplaySpec | None = None
    replay_extras: Callable[[I], ReplayExtras] | None = None
    # How observed logs of this kind are read and compared.
    review: ReviewSpec | None = None
    dashboard: DashboardDefaults = field(default_factory=DashboardDefaults)
    # Road nodes at risk, drawn as an area on the scenario map: (node indices, what they are),
    # e.g. the ground under water at a storm's peak; None when the plan has no such area.
    hazard_area: Callable[[M, RoadNetwork], tuple[np.ndarray, str] | None] | None = None
    # The crowd density (persons/m²) a plan counts as dangerous, when the kind has one.
    density_limit: Callable[[M], float | None] | None = None
    # Limits a plan sets on its metrics beyond ``catalogue.natural_range`` (a checkpoint's queue
    # never exceeds its queue limit): metric name → (lowest, highest); intervals are cut to them.
    metric_ranges: Callable[[I], Mapping[str, tuple[float, float]]] | None = None
    # Plain names (``N_`` msgids) of the rows of the kind's breakdowns, by breakdown key:
    # ``{"group": {"tourist_order": "tourist order"}}`` (``sim.core.catalogue.value_label``);
    # a row not named here is shown as the scenario names it.
    value_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The kind of exercise in a planner's words (an ``N_`` msgid), as the reports' overview
    # names it instead of the code name ("evacuation of residents to shelters").
    title: str = ""

    def place_names(self, model: M) -> dict[str, dict[str, str]]:
        """The Chinese names a plan gives its grids and the kind's places, by breakdown key
        (only those named): what a summary records as ``places_zh``."""
        named = {"grid": {g.id: g.name_zh for g in model.grids if g.name_zh}}
        if self.place_names_zh:
            named.update({k: dict(v) for k, v in self.place_names_zh(model).items()})
        return {k: v for k, v in named.items() if v}


AnyKind = Kind[Any, Any]

# --- the registry ---------------------------------------------------------------------------

_MODULES: dict[str, str] = dict(BUNDLED)  # name → module defining ``KIND``
_LOADED: dict[str, AnyKind] = {}
_generation = 0  # bumped on every registration (caches built from all kinds watch it)


def register(kind: AnyKind | str, module: str | None = None) -> None:
    """Add a kind: the Kind object itself, or its name and the module that defines ``KIND``
    (imported when first asked for). A name registered again is replaced."""
    global _generation
    if isinstance(kind, str):
        if module is None:
            raise ValueError("register(name, module): the module defining KIND is needed")
        _MODULES[kind] = module
        _LOADED.pop(kind, None)
    else:
        _MODULES[kind.name] = f"{type(kind).__module__}:{kind.name}"
        _LOADED[kind.name] = kind
    _generation += 1


def generation() -> int:
    return _generation


def kind_names() -> tuple[str, ...]:
    return tuple(_MODULES)


def find_kind(name: object) -> AnyKind | None:
    """The kind of that name, or None when there is none."""
    if not isinstance(name, str) or name not in _MODULES:
        return None
    if name not in _LOADED:
        # Imported here, not at the top: the registry is what breaks the loop between the
        # shared modules and the kinds that use them.
        kind = importlib.import_module(_MODULES[name]).KIND
        if kind.name != name:
            raise ValueError(f"{_MODULES[name]} defines kind {kind.name!r}, not {name!r}")
        _LOADED[name] = kind
    return _LOADED[name]


def kind_named(name: str) -> AnyKind:
    kind = find_kind(name)
    if kind is None:
        raise KeyError(f"unknown scenario kind {name!r}; known: {', '.join(_MODULES)}")
    return kind


def all_kinds() -> list[AnyKind]:
    return [kind_named(n) for n in _MODULES]
