"""The mustering model: alert → delivery → notice → availability → acknowledge → prepare →
travel over the road network → check-in queue at the assembly point (FCFS desks).

``sim.kinds.muster.inputs.build`` does everything that does not depend on the seed (roster,
travel-time tables); ``sim.kinds.muster.kind.simulate`` is one replication, a pure function of
(inputs, replication, seed), made of the steps here.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from sim.core.rng import uniforms
from sim.kinds.muster.config import MODES
from sim.kinds.muster.inputs import MusterInputs
from sim.kinds.muster.metrics import EN_ROUTE, MUSTERED, NOT_REACHED, UNAVAILABLE

# Columns of the per-responder uniforms; appending a slot never changes the existing ones.
(S_HOME, S_APP_OK, S_APP, S_CHAT_OK, S_CHAT, S_NOTICE, S_AVAIL, S_ACK, S_PREP, S_MODE,
 S_CHECKIN, S_ANSWER, S_CALL) = range(13)
N_SLOTS = 13


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
        ap[nearest] = inp.nearest_ap[home[nearest]]
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
    """The check-in desks: returns (start of check-in, mustered) times (inf: not by the horizon).

    Each assembly point is a first-come-first-served queue with ``desks`` servers, and nothing
    downstream feeds back into it, so each person's start is a function of those before them
    (the Kiefer–Wolfowitz recursion, a heap of desk-free times): start = max(arrival, earliest
    free desk), done = start + check-in. This is exactly what a SimPy ``Resource`` per
    assembly point gave (tests/test_muster_exact.py runs both): people join a desk's
    queue in (arrival, roster index) order, a freed desk goes to the head of its queue at the
    moment it frees, and the sums are the same float additions (SimPy's ``now + delay``). It
    stays linear in the roster: an event loop held every arrival in one heap, whose cost per
    event grew with the town (1.4x per person at 300 grids against 10).
    """
    n = arrived.size
    start = np.full(n, np.inf)
    done = np.full(n, np.inf)
    who = np.flatnonzero(arrived <= horizon)
    if who.size == 0:
        return start, done
    order = who[np.lexsort((who, arrived[who], ap[who]))]  # by desk, then arrival, then index
    ap_sorted = ap[order]
    bounds = np.flatnonzero(np.diff(ap_sorted)) + 1
    a_all, s_all = arrived[order].tolist(), d.checkin[order].tolist()
    t_start = [0.0] * len(a_all)
    lo = 0
    for hi in [*bounds.tolist(), len(a_all)]:
        _serve(a_all, s_all, t_start, lo, hi, inp.desks[int(ap_sorted[lo])])
        lo = hi
    begun = np.asarray(t_start)
    ended = begun + d.checkin[order]
    # As the event loop did (run until the horizon): nothing at or after it is recorded.
    start[order] = np.where(begun < horizon, begun, np.inf)
    done[order] = np.where(ended < horizon, ended, np.inf)
    return start, done


def _serve(a: list[float], s: list[float], out: list[float], lo: int, hi: int, desks: int
           ) -> None:
    """FCFS over ``desks`` servers for people ``lo..hi`` (sorted by arrival): their starts."""
    if desks == 1:  # the common case: the previous person's finish is the only desk
        free = -math.inf  # the desk is free from the start
        for k in range(lo, hi):
            t = a[k]
            if free > t:
                t = free
            out[k] = t
            free = t + s[k]
        return
    heap = [-math.inf] * desks
    replace = heapq.heapreplace
    for k in range(lo, hi):
        t = a[k]
        f = heap[0]
        if f > t:
            t = f
        out[k] = t
        replace(heap, t + s[k])


def final_states(tl: Timeline, done: np.ndarray, horizon: float) -> np.ndarray:
    state = np.full(done.size, NOT_REACHED, dtype=object)
    state[tl.unavailable <= horizon] = UNAVAILABLE
    state[tl.acknowledged <= horizon] = EN_ROUTE
    state[done <= horizon] = MUSTERED
    return state
