"""The mustering model: alert → delivery → notice → availability → acknowledge → prepare →
travel over the road network → check-in queue at the assembly point (SimPy desks).

``build`` does everything that does not depend on the seed (roster, travel-time tables);
``simulate`` is one replication, a pure function of (inputs, replication, seed).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import simpy

from sim.core.errors import Problem, join_path
from sim.core.forces import ROLES, Responder, build_roster
from sim.core.kind import Kind
from sim.core.results import EventRecord, ReplicationResult
from sim.core.rng import entity_hashes, replication_key, uniforms
from sim.kinds.muster.config import MODES, MusterParams, MusterScenario
from sim.kinds.muster.metrics import (
    EN_ROUTE,
    MUSTERED,
    NOT_REACHED,
    UNAVAILABLE,
    curve,
    muster_metrics,
)
from sim.kinds.muster.review import MUSTER_REVIEW
from sim.kinds.muster.storyline import MUSTER_INJECTS, Storyline, check_injects, reinforcements
from sim.network.graph import RoadNetwork, grid_nodes
from sim.present.i18n import N_

# Columns of the per-responder uniforms; appending a slot never changes the existing ones.
(S_HOME, S_APP_OK, S_APP, S_CHAT_OK, S_CHAT, S_NOTICE, S_AVAIL, S_ACK, S_PREP, S_MODE,
 S_CHECKIN, S_ANSWER, S_CALL) = range(13)
N_SLOTS = 13

# Phone-tree calling order: leaders first, so that they can pass the word on.
_TREE_PRIORITY = {r: i for i, r in enumerate(
    ("grid_head", "cadre", "grid_worker_ft", "micro_grid_head", "emergency_squad", "militia",
     "grid_worker_pt", "info_officer", "veteran", "volunteer", "reserve"))}


@dataclass(frozen=True)
class MusterInputs:
    params: MusterParams
    roster: list[Responder]
    hashes: np.ndarray
    node_names: list[str]
    territory: np.ndarray  # node indices of all grids, concatenated
    territory_start: np.ndarray  # per responder: start of their grid's nodes in `territory`
    territory_size: np.ndarray
    ap_ids: list[str]
    desks: list[int]
    fixed_ap: np.ndarray  # per responder: assembly point index, or -1 for the nearest
    travel: np.ndarray  # (mode, assembly point, node) minutes
    mode_cum: np.ndarray  # (responder, mode) cumulative mode shares
    availability: np.ndarray
    night: bool
    tree_order: np.ndarray  # responder indices in phone-tree order
    tree_position: np.ndarray  # per responder: their position in tree_order
    curve_t: np.ndarray
    fixed_home: np.ndarray  # per responder: node index, or -1 for a random node of their grid
    brought_in_at: np.ndarray  # reinforcements: minute they arrive (alert skipped); else nan
    story: Storyline
    roles: np.ndarray  # per responder, for injects that pick people by role or grid
    grids: np.ndarray


def check(model: MusterScenario, network: RoadNetwork) -> list[Problem]:
    p = model.muster
    problems = []
    ids = [a.id for a in p.assembly_points]
    for i, ap in enumerate(p.assembly_points):
        if ap.node not in network.index:
            problems.append(Problem(join_path("muster", "assembly_points", i, "node"),
                                    "not a node of the road network", ap.node))
        if ap.id in ids[:i]:
            problems.append(Problem(join_path("muster", "assembly_points", i, "id"),
                                    "duplicate assembly point id", ap.id))
    valid = set(ids) | {"nearest"}
    a = p.assignment
    if a.default not in valid:
        problems.append(Problem("muster.assignment.default",
                                f"not an assembly point id or 'nearest' ({', '.join(ids)})",
                                a.default))
    for key, mapping in (("roles", a.roles), ("grids", a.grids)):
        for k, v in mapping.items():
            if v not in valid:
                problems.append(Problem(join_path("muster", "assignment", key, k),
                                        "not an assembly point id or 'nearest'", v))
    grid_ids = set(model.grid_ids())
    for k in a.grids:
        if k not in grid_ids:
            problems.append(Problem(join_path("muster", "assignment", "grids", k),
                                    "no grid with this id", k))
    return problems + check_injects(model, network)


def build(model: MusterScenario, network: RoadNetwork) -> MusterInputs:
    p = model.muster
    roster = build_roster({str(k): v for k, v in model.forces.items()}, list(model.grids))
    extra = reinforcements(model)
    roster += [r for r, _ in extra]
    centres = grid_nodes(list(model.grids), network)
    owner = network.nearest_of(centres)
    # A grid's territory: the nodes closer (by road) to its centre than to any other centre.
    per_grid = [np.flatnonzero(owner == g) for g in range(len(centres))]
    for g, c in enumerate(centres):
        if per_grid[g].size == 0:  # two grids on one node: share it
            per_grid[g] = np.array([network.index[c]])
    starts = np.cumsum([0] + [len(t) for t in per_grid])[:-1]
    gi = np.array([max(r.grid_index, 0) for r in roster], dtype=int)
    ap_ids = [a.id for a in p.assembly_points]
    ap_nodes = [a.node for a in p.assembly_points]
    travel = np.stack([network.travel_minutes(ap_nodes, p.speeds_kmh.get(m, 1e-9)) for m in MODES])

    sent_to = {r.id: inj.to for r, inj in extra if inj.to}

    def fixed(r: Responder) -> int:
        target = sent_to.get(r.id) or p.assignment.grids.get(r.grid) \
            or p.assignment.roles.get(r.role)  # type: ignore[call-overload]
        target = target or p.assignment.default
        return -1 if target == "nearest" else ap_ids.index(target)

    n_own = len(roster) - len(extra)
    fixed_home = np.full(len(roster), -1, dtype=int)
    brought_in = np.full(len(roster), np.nan)
    for k, (_, inj) in enumerate(extra):
        fixed_home[n_own + k] = network.index[inj.node]
        brought_in[n_own + k] = inj.t_min

    night = p.is_night()
    behaviour = {role: p.behaviour(role) for role in ROLES}
    mode_cum = np.array(
        [np.cumsum([behaviour[r.role].modes.get(m, 0.0) for m in MODES]) for r in roster]
    ).reshape(len(roster), len(MODES))
    mode_cum = mode_cum / np.maximum(mode_cum[:, -1:], 1e-300)
    avail = np.array([
        behaviour[r.role].availability_night if night else behaviour[r.role].availability_day
        for r in roster
    ])
    order = sorted(range(len(roster)),
                   key=lambda i: (_TREE_PRIORITY.get(roster[i].role, 99), roster[i].grid_index, i))
    return MusterInputs(
        params=p,
        roster=roster,
        hashes=entity_hashes(r.id for r in roster),
        node_names=network.nodes,
        territory=np.concatenate(per_grid) if per_grid else np.zeros(0, int),
        territory_start=starts[gi] if len(roster) else np.zeros(0, int),
        territory_size=np.array([len(t) for t in per_grid])[gi] if len(roster) else np.zeros(0, int),
        ap_ids=ap_ids,
        desks=[a.desks for a in p.assembly_points],
        fixed_ap=np.array([fixed(r) for r in roster], dtype=int),
        travel=travel,
        mode_cum=mode_cum,
        availability=avail,
        night=night,
        tree_order=np.array(order, dtype=int),
        tree_position=np.argsort(np.array(order, dtype=int)) if order else np.zeros(0, int),
        curve_t=np.arange(0.0, math.floor(p.horizon_min) + 1.0),
        fixed_home=fixed_home,
        brought_in_at=brought_in,
        story=Storyline.build(model, network, ap_ids),
        roles=np.array([r.role for r in roster]),
        grids=np.array([r.grid for r in roster]),
    )


@dataclass
class Draws:
    """Everything random about each responder in one replication (arrays by responder)."""

    home: np.ndarray
    ap: np.ndarray  # the assembly point they are sent to at the alert
    app: np.ndarray  # minutes until the grid-app message arrives (inf: never)
    chat: np.ndarray  # likewise for the group chat
    notice: np.ndarray
    available: np.ndarray
    acknowledge: np.ndarray
    preparation: np.ndarray
    mode: np.ndarray
    checkin: np.ndarray
    answers: np.ndarray
    call: np.ndarray


def draw(inp: MusterInputs, key: int) -> Draws:
    p = inp.params
    u = uniforms(key, inp.hashes, N_SLOTS)
    n = len(inp.roster)
    home = inp.territory[inp.territory_start + np.minimum(
        (u[:, S_HOME] * inp.territory_size).astype(int), inp.territory_size - 1)]
    home = np.where(inp.fixed_home >= 0, inp.fixed_home, home)
    ap = inp.fixed_ap.copy()
    nearest = ap < 0
    if nearest.any():
        ap[nearest] = np.argmin(inp.travel[0][:, home[nearest]], axis=0)
    inf = np.full(n, np.inf)
    app = np.where(u[:, S_APP_OK] < p.grid_app.reliability, p.grid_app.delivery.sample(u[:, S_APP]),
                   inf) if "grid_app" in p.channels else inf
    chat = np.where(u[:, S_CHAT_OK] < p.group_chat.reliability,
                    p.group_chat.delivery.sample(u[:, S_CHAT]), inf
                    ) if "group_chat" in p.channels else inf
    mode = (u[:, S_MODE][:, None] >= inp.mode_cum).sum(axis=1).clip(0, len(MODES) - 1)
    answer_p = p.phone_tree.answer_night if inp.night else p.phone_tree.answer_day
    return Draws(
        home=home,
        ap=ap,
        app=app,
        chat=chat,
        notice=(p.notice_night if inp.night else p.notice_day).sample(u[:, S_NOTICE]),
        available=u[:, S_AVAIL] < inp.availability,
        acknowledge=p.acknowledge.sample(u[:, S_ACK]),
        preparation=p.preparation.sample(u[:, S_PREP])
        * (p.night_preparation_factor if inp.night else 1.0),
        mode=mode,
        checkin=p.checkin.sample(u[:, S_CHECKIN]),
        answers=u[:, S_ANSWER] < answer_p,
        call=p.phone_tree.call.sample(u[:, S_CALL]),
    )


def phone_tree_times(inp: MusterInputs, d: Draws) -> tuple[np.ndarray, list[tuple[float, int]]]:
    """When each responder answers the phone tree (inf: never), and the unanswered calls.

    The command centre calls the first ``fan_out`` people in tree order; everyone who answers
    then calls their own ``fan_out``, one call after another. An unanswered call's list passes
    to the caller, who calls those people after their own. Callers work independently, so each
    caller's timeline is computed on its own (no event queue needed).
    """
    n = len(inp.roster)
    k, order, position = inp.params.phone_tree.fan_out, inp.tree_order, inp.tree_position
    answered_at = np.full(n, np.inf)
    unanswered: list[tuple[float, int]] = []

    def children(pos: int) -> list[int]:
        return [int(order[c]) for c in range((pos + 1) * k, min((pos + 2) * k, n))]

    callers: list[tuple[float, int]] = [(0.0, -1)]  # (start time, tree position)
    while callers:
        t, pos = callers.pop()
        queue = deque(children(pos))
        while queue:
            c = queue.popleft()
            t = inp.story.call_time(t) + d.call[c]
            if d.answers[c]:
                answered_at[c] = t
                callers.append((t, int(position[c])))
            else:
                unanswered.append((t, c))
                queue.extend(children(int(position[c])))
    return answered_at, unanswered


@dataclass
class Timeline:
    """Each responder's state-change times (inf: does not happen)."""

    received: np.ndarray
    channel: np.ndarray
    noticed: np.ndarray
    unavailable: np.ndarray
    acknowledged: np.ndarray
    departed: np.ndarray
    arrived: np.ndarray
    unanswered: list[tuple[float, int]]
    ap: np.ndarray  # where each person finally goes (after redirects)


def timeline(inp: MusterInputs, d: Draws) -> Timeline:
    """Everything before the check-in desk: delays with no contention between people, so they
    are added up directly (injects included); only the desks need the event-driven part."""
    story = inp.story
    app, chat = story.after_outage("grid_app", d.app), story.after_outage("group_chat", d.chat)
    received, channel = np.minimum(app, chat), np.where(app <= chat, "grid_app", "group_chat")
    noticed = received + d.notice
    unanswered: list[tuple[float, int]] = []
    if "phone_tree" in inp.params.channels:
        phoned, unanswered = phone_tree_times(inp, d)
        by_phone = phoned < received
        received = np.where(by_phone, phoned, received)
        channel = np.where(by_phone, "phone_tree", channel)
        # A call is noticed at once, and wakes someone who has not yet looked at the app.
        noticed = np.minimum(noticed, phoned)
    available = d.available.copy()
    ack = np.where(available, noticed + d.acknowledge, np.inf)
    depart = ack + d.preparation
    brought_in = np.isfinite(inp.brought_in_at)
    if brought_in.any():  # reinforcements arrive ready to go: no alert, no preparation
        for arr in (received, noticed, ack, depart):
            arr[brought_in] = inp.brought_in_at[brought_in]
        channel = np.where(brought_in, "reinforcement", channel)
        available[brought_in] = True
    roles = inp.roles
    for t, role, grid, delay in story.delays:
        hit = (roles == role) & (depart >= t)
        if grid is not None:
            hit &= inp.grids == grid
        depart = np.where(hit, depart + delay, depart)
    ap = d.ap.copy()
    for t, role, target in story.redirects:
        ap[(roles == role) & (depart >= t)] = target
    if story.roads is None:
        arrived = depart + inp.travel[d.mode, ap, d.home]
    else:
        arrived = np.array([story.roads.arrival(m, a, h, t) if np.isfinite(t) else np.inf
                            for m, a, h, t in zip(d.mode, ap, d.home, depart, strict=True)])
    return Timeline(
        received=received,
        channel=channel,
        noticed=noticed,
        unavailable=np.where(available, np.inf, noticed),
        acknowledged=ack,
        departed=depart,
        arrived=arrived,
        unanswered=unanswered,
        ap=ap,
    )


def check_in(inp: MusterInputs, d: Draws, ap: np.ndarray, arrived: np.ndarray, horizon: float
             ) -> tuple[np.ndarray, np.ndarray]:
    """The check-in desks (SimPy resources): returns (start of check-in, mustered) times."""
    env = simpy.Environment()
    desks = [simpy.Resource(env, capacity=c) for c in inp.desks]
    start = np.full(arrived.size, np.inf)
    done = np.full(arrived.size, np.inf)

    # Callbacks rather than one generator process per person: the same SimPy events and
    # FIFO Resource semantics, at about half the cost (this is the model's hot path).
    def arrive(i: int, _: simpy.Event) -> None:
        req = desks[ap[i]].request()
        req.callbacks.append(partial(serve, i))

    def serve(i: int, req: simpy.Event) -> None:
        start[i] = env.now
        env.timeout(d.checkin[i]).callbacks.append(partial(leave, i, req))

    def leave(i: int, req: Any, _: simpy.Event) -> None:
        done[i] = env.now
        desks[ap[i]].release(req)

    for i in np.flatnonzero(arrived <= horizon):
        env.timeout(arrived[i]).callbacks.append(partial(arrive, int(i)))
    env.run(until=horizon)
    return start, done


_STAGES = ("alert_received", "noticed", "unavailable", "acknowledged", "departed", "arrived",
           "checkin_start", "mustered")


def _records(inp: MusterInputs, d: Draws, tl: Timeline, start: np.ndarray, done: np.ndarray,
             replication: int, horizon: float) -> list[EventRecord]:
    roster = inp.roster
    homes = [inp.node_names[h] for h in d.home]
    aps = [inp.ap_ids[a] for a in tl.ap]
    columns = (tl.received, tl.noticed, tl.unavailable, tl.acknowledged, tl.departed, tl.arrived,
               start, done)
    rows: list[tuple[float, int, int, str]] = []
    for rank, (name, times) in enumerate(zip(_STAGES, columns, strict=True)):
        for i in np.flatnonzero(times <= horizon):
            loc = (str(tl.channel[i]) if name == "alert_received"
                   else aps[i] if rank >= 5 else homes[i])
            rows.append((float(times[i]), int(i), rank, loc))
    rows.extend((t, i, -1, "") for t, i in tl.unanswered if t <= horizon)
    injects = [EventRecord(replication, t, "inject", "", "", kind, detail)
               for t, kind, detail in inp.story.records if t <= horizon]
    rows.sort(key=lambda r: (r[0], r[2], r[1]))
    out = [EventRecord(replication, 0.0, "command", "command", "", "alert_sent",
                       ",".join(inp.params.channels))]
    out.extend(injects)
    out.extend(
        EventRecord(replication, t, roster[i].id, roster[i].role, roster[i].grid,
                    "call_unanswered" if rank < 0 else _STAGES[rank], loc)
        for t, i, rank, loc in rows
    )
    out.sort(key=lambda e: e.t_min)  # stable: same-time events keep their order
    return out


def final_states(tl: Timeline, done: np.ndarray, horizon: float) -> np.ndarray:
    state = np.full(done.size, NOT_REACHED, dtype=object)
    state[tl.unavailable <= horizon] = UNAVAILABLE
    state[tl.acknowledged <= horizon] = EN_ROUTE
    state[done <= horizon] = MUSTERED
    return state


def simulate(inp: MusterInputs, replication: int, seed: int, keep_events: bool
             ) -> ReplicationResult:
    horizon = inp.params.horizon_min
    d = draw(inp, replication_key(seed, replication))
    tl = timeline(inp, d)
    start, done = check_in(inp, d, tl.ap, tl.arrived, horizon)
    state = final_states(tl, done, horizon)
    with np.errstate(invalid="ignore"):  # inf - inf for people who never reach a desk
        wait = np.where(np.isfinite(start), start - tl.arrived, np.nan)
    return ReplicationResult(
        replication=replication,
        seed=seed,
        metrics=muster_metrics(inp, done, state, wait, tl.ap),
        curve=curve(done, inp.curve_t),
        events=_records(inp, d, tl, start, done, replication, horizon) if keep_events else [],
        final_states={r.id: str(s) for r, s in zip(inp.roster, state, strict=True)}
        if keep_events else {},
    )


MUSTER = Kind(
    name="muster",
    scenario_model=MusterScenario,
    required_metrics=("mustered_60min", "frac_mustered_60min", "t50_min", "t90_min"),
    headline_metrics=("mustered_15min", "mustered_30min", "mustered_60min",
                      "frac_mustered_60min", "t50_min", "t90_min"),
    curve_label=N_("fraction of roster mustered"),
    check=check,
    build=build,
    simulate=simulate,
    curve_minutes=lambda inp: inp.curve_t,
    places=lambda model: {"assembly point": [(a.node, a.id) for a in model.muster.assembly_points]},
    inject_types=MUSTER_INJECTS,
    review=MUSTER_REVIEW,
)
