"""Load a scenario file into typed, validated objects, and resolve its staffing plans.

The one declarative call is ``load_scenario(path)``: it reads the YAML, fills defaults,
validates the common part, the kind's section and every plan, checks everything against the
road network, and either returns a ``Scenario`` or raises ``ScenarioError`` listing every
problem with its field path.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.core import sense
from sim.core.assumptions import assumption_problems
from sim.core.cache import BoundedCache
from sim.core.config import (
    ScenarioBase,
    leaf_paths,
    merge_plan,
    parse_yaml,
    problems_from,
    read_yaml,
    touches,
)
from sim.core.errors import Problem, ScenarioError, join_path, names_apart
from sim.core.forces import roster_problems
from sim.core.kind import AnyKind, find_kind, kind_named, kind_names
from sim.core.limits import DATA_DIR_ENV, check_values, confine, data_roots, named_file
from sim.network.graph import NetworkSpec, RoadNetwork, grid_nodes
from sim.network.places import Snap, grid_snaps, resolve_places
from sim.present.i18n import _, is_zh, pick
from sim.present.plan_names import plan_labels

DEFAULT_PLAN = "baseline"


@dataclass(frozen=True)
class PlanSetup:
    """A scenario with one plan applied: what a replication is a function of (with a seed)."""

    scenario_name: str
    plan: str
    description: str
    model: Any  # the kind's ScenarioBase subclass, plan applied
    base_dir: Path
    digest: str
    description_zh: str = ""  # the plan's description in Chinese ("": not given)
    name_zh: str = ""  # the plan's name in Chinese ("": not given)

    @property
    def scenario_name_zh(self) -> str:
        return str(getattr(self.model, "name_zh", "") or "")


@dataclass(frozen=True)
class Scenario:
    raw: dict[str, Any]
    model: ScenarioBase
    base_dir: Path
    plans: dict[str, PlanSetup] = field(repr=False)
    # Places given by coordinates and the road nodes they were snapped to (sim.network.places).
    snaps: list[Snap] = field(default_factory=list, repr=False)

    @property
    def kind(self) -> AnyKind:
        return kind_named(self.model.kind)

    @property
    def name(self) -> str:
        return self.model.name

    def display_name(self) -> str:
        """The name in the current language (``name_zh`` when 中文 and given)."""
        return pick(self.model.name, self.model.name_zh)

    def display_description(self) -> str:
        return pick(self.model.description, self.model.description_zh)

    def plan_names(self) -> list[str]:
        return list(self.plans)

    def plan_labels(self) -> dict[str, str]:
        """Each plan as a planner reads it, by key (``sim.present.plan_names``)."""
        return plan_labels((name, setup.name_zh) for name, setup in self.plans.items())

    def plan(self, name: str | None = None) -> PlanSetup:
        name = name or self.plan_names()[0]
        if name not in self.plans:
            raise ScenarioError(
                [Problem("--plan", _("no such plan; plans are {plans}",
                                     plans=", ".join(self.plans)), name)]
            )
        return self.plans[name]

    @property
    def digest(self) -> str:
        """Content hash of the scenario and the files it reads (the same for every plan)."""
        return next(iter(self.plans.values())).digest

    def network(self) -> RoadNetwork:
        return network_for(self.model, self.base_dir)

    def places(self, plan: str | None = None) -> dict[str, list[tuple[str, str]]]:
        """Grid centres and the kind's places (assembly points, shelters...) to draw on a map."""
        model = self.plan(plan).model
        grids = list(zip(grid_nodes(list(model.grids), self.network()), model.grid_ids(),
                         strict=True))
        return {"grid": grids, **self.kind.places(model)}

    def place_labels(self, plan: str | None = None) -> dict[str, str]:
        """How a map labels the places of ``places`` (by id) in the current language: in 中文
        the Chinese names the plan gives them (``name_zh``); a place not here by its id. (By id
        alone: where a grid and a place share an id, the map shows one name for both.)"""
        if not is_zh():
            return {}
        named = self.kind.place_names(self.plan(plan).model)
        return {pid: name for names in named.values() for pid, name in names.items()}


# Road networks by the digest of what they are built from (plans never change the network); a
# few towns at once are plenty, and the bound keeps a long dashboard session from growing.
NETWORKS_CACHE_SIZE = 8
NETWORKS: BoundedCache[RoadNetwork] = BoundedCache(NETWORKS_CACHE_SIZE)


def network_for(model: ScenarioBase, base_dir: Path) -> RoadNetwork:
    """The road network of a scenario, built once per process (while cached)."""
    return network_for_spec(model.network, base_dir)


def network_digest(spec: NetworkSpec, base_dir: Path) -> str:
    """Content digest of a network: its spec, and the bytes of the GraphML file it names."""
    h = hashlib.sha256(spec.model_dump_json().encode())
    # The data folder is part of the key: the same name may stand for another file there.
    h.update(b"\0" + str(base_dir).encode() + b"\0" + os.environ.get(DATA_DIR_ENV, "").encode())
    if spec.graphml:
        # Only a file the scenario may name is read (never one outside the allowed folders).
        path = named_file(base_dir, spec.graphml)
        if path is not None and path.is_file():
            with path.open("rb") as f:
                h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()


def network_for_spec(spec: NetworkSpec, base_dir: Path) -> RoadNetwork:
    return NETWORKS.get(network_digest(spec, base_dir),
                        lambda: RoadNetwork.from_spec(spec, base_dir))


def _digest(raw: dict[str, Any], base_dir: Path, model: ScenarioBase,
            read_in: Any = None) -> str:
    """Content hash of a scenario: the YAML, data read in from other files (``read_in``) and
    the bytes of every file it or a plan names (GraphML, counts CSV, GeoJSON...), so that
    results stored for it are reused only when nothing that feeds a replication changed."""
    h = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode())
    if read_in is not None:
        h.update(json.dumps(read_in, sort_keys=True, default=str).encode())
    names = dict(_named_files(raw, base_dir, data_roots(base_dir)))
    if model.network.graphml and model.network.graphml not in names:
        path = named_file(base_dir, str(model.network.graphml))
        if path is not None:
            names[str(model.network.graphml)] = path
    for name in sorted(names):
        h.update(b"\0file\0" + name.encode("utf-8", "surrogateescape") + b"\0")
        with names[name].open("rb") as f:
            h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()[:16]


def _named_files(node: Any, base_dir: Path, roots: list[Path]) -> Iterator[tuple[str, Path]]:
    """Every string in the scenario (plans included) that names a file it may read, with the
    file's path.

    Found by looking rather than by field name, so a file-naming field added later is part of
    the digest without anyone remembering to list it here. A string is taken for a file only
    where ``confine`` would let a field name it (inside the scenario's or the data folder, a
    regular file, not too large): a description reading ``/etc/shadow`` or ``../x`` is never
    opened, not even to hash it."""
    if isinstance(node, dict):
        for v in node.values():
            yield from _named_files(v, base_dir, roots)
    elif isinstance(node, list):
        for v in node:
            yield from _named_files(v, base_dir, roots)
    elif isinstance(node, str) and 0 < len(node) < 1024 and "\n" not in node:
        # One lstat first: ``confine`` resolves the path in every root, ~0.1 ms a string, and
        # a 10,000-grid town has 30,000 ids and names that are no file at all (3.7 s).
        if not any(os.path.lexists(root / node) for root in roots):
            return
        path = named_file(base_dir, node)
        if path is not None:
            yield node, path


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    return parse_scenario(read_yaml(path), path.resolve().parent)


def parse_scenario_text(text: str, base_dir: Path) -> Scenario:
    return parse_scenario(parse_yaml(text), base_dir)


def parse_scenario(raw: dict[str, Any], base_dir: Path) -> Scenario:
    kind_name = raw.get("kind")
    found = find_kind(kind_name)
    if not isinstance(kind_name, str) or found is None:
        known = ", ".join(kind_names())
        if kind_name is None:
            raise ScenarioError([Problem("kind", _("required field is missing; one of {known}",
                                                           known=known))])
        raise ScenarioError([Problem("kind", _("unknown scenario kind; expected one of {known}",
                                                       known=known), kind_name)])
    kind = found
    given = raw
    # Before anything reads a file or expands a value: finite numbers, bounded text, and
    # files named by the scenario confined to its folder.
    early = check_values(raw) + _confine_network(raw, base_dir)
    if early:
        raise ScenarioError(_unique(early))
    raw, snaps = resolve_places(raw, base_dir, network_for_spec)  # `xy`/`lonlat` → `node`
    if kind.read_files is not None:  # data files the kind's section names (counts CSVs)
        raw, file_problems = kind.read_files(raw, base_dir)
        if file_problems:
            raise ScenarioError(file_problems)
    problems: list[Problem] = []
    try:
        model = kind.scenario_model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(problems_from(exc))
        model = None

    # Plans are validated even when the base has problems, so that all are reported at once.
    raw_plans = raw.get("plans") or {}
    patches = raw_plans if isinstance(raw_plans, dict) else {}
    plan_models: dict[str, Any] = {}
    for name, patch in patches.items():
        if not isinstance(patch, dict):
            patch = {}
        for other in kind_names():
            if other != kind_name and patch.get(other) is not None:
                where = join_path("plans", name, other)
                # Said once, plainly: not also as the plan model's "unknown key".
                problems[:] = [p for p in problems if p.path != where]
                problems.append(Problem(where, _("this scenario is of kind {kind}",
                                                 kind=kind_name)))
        leaves = leaf_paths(patch, kind_name)
        try:
            plan_models[name] = kind.scenario_model.model_validate(
                merge_plan(raw, patch, kind_name)
            )
        except ValidationError as exc:
            # Only problems in what the plan changes: the rest are the base's, reported above.
            problems.extend(
                Problem(join_path("plans", name, p.path), p.message, p.value)
                for p in problems_from(exc)
                if touches(p.path, leaves)
            )
    if problems or model is None:
        raise ScenarioError(_unique(problems))
    if not plan_models:
        plan_models[DEFAULT_PLAN] = model

    problems.extend(_common_checks(model))
    for prefix, m in [((), model)] + [(("plans", n), pm) for n, pm in plan_models.items()
                                      if pm is not model]:
        problems.extend(Problem(join_path(*prefix, "forces"), msg)
                        for msg in roster_problems(m.forces, list(m.grids)))
    # A plan's `injects:` replaces the list: its own are checked too, under the plan's path.
    article = "an" if kind.name[:1] in "aeiou" else "a"
    storylines = [((), model)] + [(("plans", n), pm) for n, pm in plan_models.items()
                                  if isinstance(patches.get(n), dict)
                                  and patches[n].get("injects") is not None]
    for prefix, m in storylines:
        for i, inj in enumerate(m.injects):
            if inj.type not in kind.inject_types:
                supported = ", ".join(sorted(kind.inject_types)) or _("none yet")
                problems.append(Problem(join_path(*prefix, "injects", i, "type"),
                                        (_("does not apply to an {kind} scenario (it takes: "
                                           "{supported})") if article == "an" else
                                         _("does not apply to a {kind} scenario (it takes: "
                                           "{supported})")).format(kind=kind.name,
                                                                   supported=supported),
                                        inj.type))
    if problems:
        raise ScenarioError(_unique(problems))
    try:
        network = network_for(model, base_dir)
    except ScenarioError as exc:
        raise ScenarioError(exc.problems) from None
    problems.extend(network.problems())
    problems.extend(_grid_nodes(model, network))
    if problems:
        raise ScenarioError(_unique(problems))
    snaps = snaps + grid_snaps(list(model.grids), network)
    def check(m: Any) -> list[Problem]:
        return kind.check(m, network) + sense.errors(m)

    base = check(model)
    base_problems = {str(p) for p in base}
    problems.extend(base)
    for name, pm in plan_models.items():
        if name == DEFAULT_PLAN and pm is model:
            continue
        leaves = leaf_paths(patches.get(name) or {}, kind_name)
        for p in check(pm):
            if str(p) not in base_problems or touches(p.path, leaves):
                problems.append(Problem(join_path("plans", name, p.path), p.message, p.value))
    # Assumptions name values of a scenario that is otherwise valid: checked last, so that a
    # broken value is reported at its own path, not as an assumption that no longer fits it.
    if not problems:
        problems.extend(assumption_problems(raw, list(model.assumptions)))
    if problems:
        raise ScenarioError(_unique(problems))

    # What the kind read from other files is part of the digest (it feeds the replications).
    digest = _digest(given, base_dir, model,
                     raw.get(kind_name) if kind.read_files is not None else None)
    setups = {
        name: PlanSetup(model.name, name, _plan_description(patches.get(name)), pm, base_dir,
                        digest, _plan_description(patches.get(name), "description_zh"),
                        _plan_description(patches.get(name), "name_zh"))
        for name, pm in plan_models.items()
    }
    return Scenario(raw=given, model=model, base_dir=base_dir, plans=setups, snaps=snaps)


def _confine_network(raw: dict[str, Any], base_dir: Path) -> list[Problem]:
    network = raw.get("network")
    if not isinstance(network, dict) or network.get("graphml") is None:
        return []
    try:
        confine(base_dir, network["graphml"], "network.graphml")
    except ScenarioError as exc:
        return exc.problems
    return []


def _plan_description(patch: Any, field: str = "description") -> str:
    return str(patch.get(field) or "") if isinstance(patch, dict) else ""


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return out


def _common_checks(model: ScenarioBase) -> list[Problem]:
    problems = []
    ids = model.grid_ids()
    seen: set[str] = set()
    for i, gid in enumerate(ids):
        if gid in seen:
            problems.append(Problem(join_path("grids", i, "id"), _("duplicate grid id"), gid))
        seen.add(gid)
    problems += names_apart(((i, g.id, g.name_zh) for i, g in enumerate(model.grids)), "grids")
    # A plan's Chinese name stands for it on every page: two plans named alike could not be
    # told apart (and a table keyed by what it shows would merge them).
    named: dict[str, str] = {}
    for plan, patch in model.plans.items():
        if not patch.name_zh:
            continue
        other = named.get(patch.name_zh) or (patch.name_zh if patch.name_zh in model.plans
                                             and patch.name_zh != plan else None)
        if other is not None:
            problems.append(Problem(join_path("plans", plan, "name_zh"),
                                    _("the same as the name of plan {other}", other=other),
                                    patch.name_zh))
        named.setdefault(patch.name_zh, plan)
    for role, force in model.forces.items():
        for j, gid in enumerate(force.grids or []):
            if gid not in ids:
                problems.append(Problem(join_path("forces", role, "grids", j),
                                        _("no grid with this id"), gid))
        for gid in force.by_grid or {}:
            if gid not in ids:
                problems.append(Problem(join_path("forces", role, "by_grid", gid),
                                        _("no grid with this id"), gid))
    return problems


def _grid_nodes(model: ScenarioBase, network: RoadNetwork) -> list[Problem]:
    return [
        Problem(join_path("grids", i, "node"), _("not a node of the road network"), g.node)
        for i, g in enumerate(model.grids)
        if g.node is not None and g.node not in network.index
    ]
