"""The Replay page: one replication minute by minute on the town map."""

from __future__ import annotations

import time

import streamlit as st

from dashboard import replay_view, state
from dashboard.page_common import clock_start, default_request
from sim.present import formatting
from sim.present.i18n import _


def pause_replay() -> None:
    """On any other page: the frames of the replication last replayed are no longer drawn
    in the background (a comparison started next would share the CPU with them for up to
    two minutes); back on the Replay page, the drawing goes on where it stopped."""
    frames = st.session_state.get("replay_frames")
    if frames is not None:
        frames.pause()


def replay_page() -> None:
    st.header(_("Replay"))
    s = state.scenario()
    request = st.session_state.get("request") or default_request(s)
    c1, c2, c3 = st.columns([2, 1, 1])
    plan = c1.selectbox(_("Plan"), s.plan_names(), key="replay_plan",
                        format_func=s.plan_labels().__getitem__)
    seed = int(c2.number_input(_("Seed"), min_value=0, value=int(request["seed"]),
                               key="replay_seed"))
    n_reps = max(int(request["reps"]), 1)
    rep = int(c3.selectbox(_("Replication"), list(range(n_reps)), key="replay_rep",
                           format_func=lambda k: _("{k} of {n}", k=k + 1, n=n_reps),
                           help=_("Each replication is one possible day with the same plan; "
                                  "the Run & compare page summarises all of them.")))
    frames = replay_view.frames_for(s, plan, seed, rep, clock_start(s, [plan]))
    rr = frames.replay
    minutes = frames.minutes
    step = minutes[1] - minutes[0] if len(minutes) > 1 else 1
    end = minutes[-1]
    if "replay_next" in st.session_state:  # the play button's next frame
        st.session_state["replay_minute"] = min(int(st.session_state.pop("replay_next")), end)
    if st.session_state.get("replay_minute", 0) % step and \
            st.session_state.get("replay_minute") != end:
        st.session_state["replay_minute"] = replay_view.snap(st.session_state["replay_minute"],
                                                             minutes)
    start = clock_start(s, [plan])
    c1, c2 = st.columns([4, 1])
    minute = c1.slider(_("Minute after the start"), 0, end, step=step,
                       value=replay_view.snap(rr.focus_min, minutes), key="replay_minute",
                       help=_("Drag to move through the run; Play steps through it."))
    playing = c2.toggle(_("Play"), key="replay_play")
    if start is not None:  # the clock time under the slider (which shows the minute)
        st.markdown(_("**Clock time {clock}**", clock=formatting.clock_time(start + minute)))
    st.caption(_("Replication {k} of {plan}, seed {seed}: each dot is one {dot}{note}.",
        k=rep + 1, plan=s.plan_labels()[plan], seed=seed, dot=_(s.kind.dashboard.replay_dot),
        note=_(s.kind.dashboard.replay_note) if s.kind.dashboard.replay_note else ""))
    frame = frames.get(minute)
    frames.start(minute)  # the other frames in the background, after the one shown
    st.session_state["replay_frames"] = frames  # (paused when the planner leaves the page)
    if frames.ready < len(minutes):
        st.caption(_("Preparing the frames: {ready} of {n} ready (the slider is instant on "
                     "frames already prepared).", ready=frames.ready, n=len(minutes)))
    if frames.error:
        st.caption(_("Frames are drawn when shown ({why}).", why=frames.error))
    left, right = st.columns([3, 2])
    with left:
        st.image(frame.png, width="stretch")
    with right:
        st.markdown(_("**At minute {minute} ({clock})**", minute=minute,
                      clock=formatting.clock_time(start + minute)) if start is not None
                    else _("**At minute {minute}**", minute=minute))
        st.dataframe(frame.counts, hide_index=True, key="replay_counts",
                         column_config=replay_view.whole_numbers(frame.counts))
        if frame.roads is not None:
            st.markdown(_("**Roads under water** (darker blue: worse)"))
            st.dataframe(frame.roads, hide_index=True, key="replay_roads",
                         column_config=replay_view.whole_numbers(frame.roads))
        if frame.crowd is not None:
            st.markdown(_("**Checkpoints and viewing points**"))
            st.dataframe(frame.crowd, hide_index=True, key="replay_crowd")
        elif frame.queues is not None and rr.people.spec is not None \
                and rr.people.spec.queue_state:
            st.markdown(_("**Queues** ({what})", what=_(rr.people.spec.queue_state)))
            if len(frame.queues):
                st.dataframe(frame.queues, hide_index=True, key="replay_queues",
                         column_config=replay_view.whole_numbers(frame.queues))
            else:
                st.caption(_("no one queueing at this minute"))
    if playing and minute < end:
        time.sleep(0.4)
        st.session_state["replay_next"] = min(minute + step, end)
        st.rerun()
