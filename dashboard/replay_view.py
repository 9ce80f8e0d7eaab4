"""Replay frames, prepared once per run and replication so that moving the slider is instant.

A replication's frames (the map as PNG, the counts, the roads, the crowd at each place) are
drawn in a background thread as soon as the replay opens, starting at the minute shown first
and going forward (the way Play goes); a frame asked for before its turn is drawn at once.
Frames are kept process-wide, keyed by (plan digest, plan, seed, replication, language), for
the last few replications opened. No Streamlit widgets here: the page is in ``page_replay.py``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import state
from sim.analysis.replay_kinds import (
    ROAD_COLORS,
    RunReplay,
    replay_of_run,
    road_colors,
    road_counts,
)
from sim.core.planedit import plan_digest
from sim.core.scenario import Scenario
from sim.network.graph import RoadNetwork
from sim.present.formatting import clock_time
from sim.present.i18n import _, current_lang, use_lang
from sim.present.maps import PlaceValues, town_map
from sim.present.output import png_bytes
from sim.present.replay_plots import crowd_map
from sim.run.experiments import PlanRun, run_replications

MAX_FRAMES = 121  # frames per replication: the slider moves in steps of end / 120 minutes
KEPT_REPLAYS = 4  # replications whose frames are kept (process-wide)

FrameKey = tuple[str, str, int, int, str]  # plan digest, plan, seed, replication, language


def frame_step(end_min: float) -> int:
    """Minutes between frames: 1, or more for long runs (at most ``MAX_FRAMES`` frames)."""
    return max(1, math.ceil(max(end_min, 1.0) / (MAX_FRAMES - 1)))


def frame_minutes(end_min: float) -> list[int]:
    end = max(1, math.ceil(end_min))
    step = frame_step(end)
    out = list(range(0, end + 1, step))
    if out[-1] != end:
        out.append(end)
    return out


def snap(minute: float, minutes: Sequence[int]) -> int:
    """The frame minute nearest to ``minute``."""
    return min(minutes, key=lambda m: (abs(m - minute), m))


@dataclass(frozen=True)
class Frame:
    """What the replay page shows at one minute."""

    minute: int
    png: bytes
    counts: pd.DataFrame
    roads: pd.DataFrame | None = None  # number of roads by state (evacuation)
    crowd: pd.DataFrame | None = None  # people at checkpoints and viewing points (festival)
    queues: pd.DataFrame | None = None  # queue by place (muster)


def whole_numbers(frame: pd.DataFrame) -> dict[str, Any]:
    """Column settings that write the frame's counts with thousands separators (30,795)."""
    return {str(c): st.column_config.NumberColumn(str(c), format="localized")
            for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}


def road_legend() -> dict[str, str]:
    return {_(state): color for state, color in ROAD_COLORS.items()}


def crowd_table(crowd: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The crowd at the minute in words: no code names, no blank numbers; places by ``names``
    (their Chinese names in 中文) where given."""
    out = pd.DataFrame({
        _("place"): [(names or {}).get(str(p), str(p)) for p in crowd["place"]],
        _("what"): [_("checkpoint") if t == "checkpoint" else _("viewing point")
                    for t in crowd["type"]],
        _("people (queueing or standing)"): [
            f"{n:,.0f}" if pd.notna(n) else "—" for n in crowd["people"]],
        _("people per m²"): [f"{d:.2f}" if pd.notna(d) else "—"
                             for d in crowd["density_ppm2"]],
        _("level of service (A best, F worst)"): [los or "—" for los in crowd["los"]],
        _("over the danger limit"): [_("yes") if o else _("no") for o in crowd["over_limit"]],
    })
    return out


def counts_in_words(counts: pd.DataFrame, named: tuple[str, ...] = ("state", "who")
                    ) -> pd.DataFrame:
    """The counts table in the current language: the ``named`` columns' values (state, who; a
    road's state) and the headers go through the catalogue (the kinds' ReplaySpec names have
    中文 entries)."""
    out = counts.copy()
    for col in named:
        if col in out.columns:
            out[col] = [_(str(v)) for v in out[col]]
    return out.rename(columns={c: _(str(c)) for c in out.columns})


def draw_frame(rr: RunReplay, minute: int, network: RoadNetwork,
               places: Mapping[str, Sequence[tuple[str, str]]], title: str,
               names: Mapping[str, str] | None = None) -> Frame:
    """One frame: the people's rows are computed once and used for the map and the tables;
    places (found by id) labelled by ``names`` where given (``Scenario.place_labels``)."""
    people = rr.people
    now = people.at(minute)
    points = people.points_of(now)
    counts = counts_in_words(people.counts_of(now))
    if rr.series and rr.areas:  # the crowd at checkpoints and viewing points
        crowd = rr.crowd(minute)
        fig = crowd_map(network, places, crowd, title=title, points=points,
                        danger_ppm2=rr.danger_ppm2, names=names)
        return Frame(minute, png_bytes(fig), counts, crowd=crowd_table(crowd, names))
    if rr.timeline is not None:  # water on the roads
        roads = rr.roads(minute)
        fig = town_map(network, places, title=title, points=points,
                       edge_colors=road_colors(roads), edge_legend=road_legend(), names=names)
        return Frame(minute, png_bytes(fig), counts, roads=counts_in_words(road_counts(roads),
                                                                           ("roads",)))
    queues = people.queues_of(now)
    layers: tuple[PlaceValues, ...] = ()
    if people.spec is not None and people.spec.queue_state:
        layers = (PlaceValues(dict(zip(queues["location"], map(float, queues["queue"]),
                                       strict=True)),
                              _("people in the queue")),)
    fig = town_map(network, places, title=title, points=points, values=layers, names=names)
    queues = queues.assign(location=[(names or {}).get(str(p), str(p))
                                     for p in queues["location"]])
    return Frame(minute, png_bytes(fig), counts, queues=queues.rename(
        columns={"location": _("place"), "queue": _("people in the queue")}))


@dataclass
class Frames:
    """Every frame of one replication, drawn in a background thread."""

    replay: RunReplay
    network: RoadNetwork
    places: Mapping[str, Sequence[tuple[str, str]]]
    title: Callable[[int], str]
    lang: str
    names: Mapping[str, str] = field(default_factory=dict)  # places' labels (``draw_frame``)
    minutes: list[int] = field(default_factory=list)
    frames: dict[int, Frame] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    retired: bool = False  # no longer kept by the store: never drawn again in the background
    error: str = ""

    def __post_init__(self) -> None:
        self.minutes = frame_minutes(self.replay.end_min)

    def start(self, first: int) -> Frames:
        """Draw the frames not drawn yet in the background, from ``first`` on (called at each
        look at the Replay page; ``pause`` stops the drawing, and a later call goes on)."""
        with self.lock:  # two sessions may open the same replay at once
            if self.retired or len(self.frames) == len(self.minutes):
                return self
            running = self.thread if self.thread is not None and self.thread.is_alive() \
                else None
            if running is not None and not self.stop.is_set():
                return self
        if running is not None:  # paused: it stops after the frame in hand
            running.join()
        with self.lock:
            if self.retired or (self.thread is not None and self.thread.is_alive()):
                return self  # (dropped by the store, or started again by another session)
            self.stop.clear()
            first = snap(first, self.minutes)
            order = sorted(self.minutes, key=lambda m: (m < first, abs(m - first)))
            self.thread = threading.Thread(target=self._draw_all, args=(order,),
                                           name="gridmuster-replay-frames", daemon=True)
            self.thread.start()
        return self

    def pause(self) -> None:
        """Stop drawing in the background, after the frame in hand (the planner has left the
        Replay page: the drawing took the CPU a comparison started next needs). The frames
        drawn stay; ``start`` goes on with the others."""
        self.stop.set()

    @property
    def ready(self) -> int:
        return len(self.frames)

    def get(self, minute: int) -> Frame:
        """The frame at the nearest frame minute, drawn now if the thread has not got to it."""
        m = snap(minute, self.minutes)
        frame = self.frames.get(m)
        if frame is None:
            frame = self._draw(m)
        return frame

    def _draw(self, m: int) -> Frame:
        with use_lang(self.lang):
            frame = draw_frame(self.replay, m, self.network, self.places, self.title(m),
                               self.names)
        with self.lock:
            self.frames.setdefault(m, frame)
        return frame

    def _draw_all(self, order: list[int]) -> None:
        try:
            for m in order:
                if self.stop.is_set():
                    return
                if m not in self.frames:
                    self._draw(m)
                    time.sleep(0.05)  # let the page's own work (a frame asked for) go first
        except Exception as exc:  # shown on the page; the frames are then drawn on demand
            self.error = f"{type(exc).__name__}: {exc}"


class FrameStore:
    """The frames of the last ``KEPT_REPLAYS`` replications opened (process-wide)."""

    def __init__(self, size: int = KEPT_REPLAYS):
        self.size = size
        self.lock = threading.Lock()
        self.items: OrderedDict[FrameKey, Frames] = OrderedDict()

    def get_or_make(self, key: FrameKey, make: Callable[[], Frames]) -> Frames:
        """The frames of ``key``, or ``make()``'s (not started yet)."""
        with self.lock:
            frames = self.items.get(key)
            if frames is not None:
                self.items.move_to_end(key)
                return frames
            frames = make()  # started by the page once its first frame is shown
            self.items[key] = frames
            while len(self.items) > self.size:
                _key, old = self.items.popitem(last=False)
                old.retired = True
                old.stop.set()
            return frames

    def stop_all(self) -> None:
        """Stop drawing every kept replication's frames and forget them (a test's end)."""
        with self.lock:
            kept, self.items = list(self.items.values()), OrderedDict()
        for frames in kept:
            frames.retired = True
            frames.stop.set()
        for frames in kept:
            if frames.thread is not None:
                frames.thread.join(timeout=30)


@st.cache_resource(show_spinner=False)
def frame_store() -> FrameStore:
    return FrameStore()


def replication_run(s: Scenario, plan: str, seed: int, replication: int) -> PlanRun:
    """One replication of a plan with its events (replication 0 from the run cache; another
    is run alone: its random streams are keyed by its index, so it is the same replication as
    in a full run)."""
    first = state.single_run(s, plan, seed)
    if replication == 0:
        return first
    results = run_replications(first.setup, [replication], seed, keep_events=[replication])
    return PlanRun(first.setup, seed, results, first.curve_t)


def frames_for(s: Scenario, plan: str, seed: int, replication: int,
               start_clock: float | None) -> Frames:
    """The frames of a replication: from the store, or prepared now (the first frame at once,
    the rest in the background)."""
    lang = current_lang()
    key: FrameKey = (plan_digest(s, plan), plan, int(seed), int(replication), lang)
    shown = s.plan_labels()[plan]  # (here: the frames are drawn on another thread)

    def title(minute: int) -> str:
        when = clock_time(start_clock + minute) if start_clock is not None else \
            _("minute {m}", m=minute)
        return f"{shown} — {when}"

    def make() -> Frames:
        run = replication_run(s, plan, seed, replication)
        rr = replay_of_run(run, s.network(), s.places(plan))
        return Frames(rr, s.network(), s.places(plan), title, lang, s.place_labels(plan))

    with st.spinner(_("Preparing the replay of replication {k}…", k=replication + 1)):
        frames = frame_store().get_or_make(key, make)
    return frames
