"""Issue 14, festival Run & compare: first results plan by plan (the first plan is on the page
while the next still runs), the figures' time axes in clock time (HH:MM from the scenario's
day start), and one density chart per question (no heat strip per plan beside the lines)."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from sim.core.kind import CLOCK_START  # noqa: E402
from tests.helpers import APP  # noqa: E402

FESTIVAL = "tide_yanguan.yaml"


def _summary(plan: str, clock: float | None) -> dict:
    t = [0.0, 60.0, 120.0, 480.0]  # minutes after the day start
    band = {"t_min": t, "mean": [0, 2, 5, 1], "p5": [0, 1, 3, 0], "p95": [0, 3, 7, 2]}
    s = {"plan": plan, "scenario": "tide", "kind": "festival",
         "injects": [{"t_min": 480.0, "label": "high tide"}],
         "series": {"queue[checkpoint=C1]": band, "density[viewing_point=V1]": band}}
    return s if clock is None else {**s, CLOCK_START: clock}


def _ticks(ax) -> list[str]:
    ax.figure.canvas.draw()
    return [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


@pytest.mark.parametrize("name", ["queue_figure", "density_lines_figure", "density_figure"])
def test_festival_figures_read_clock_time_from_the_day_start(name):
    from sim.kinds.festival import present

    make = getattr(present, name)
    fig = make([_summary("A", 5 * 60), _summary("B", 5 * 60)])  # the day starts at 05:00
    ax = fig.axes[0]
    labels = _ticks(ax)
    assert labels and all(len(x) == 5 and x[2] == ":" for x in labels), labels
    # hours of the day (05:00–13:00), not hours after the start (0–8: no 12:00)
    assert "08:00" in labels and "12:00" in labels, labels
    assert 4.0 < ax.get_xlim()[0] < 5.5  # the data sit at hours of the day, not hours after
    # the tide inject (where drawn) is at 13:00 (hours of the day), not at 8
    dotted = [line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert name == "density_lines_figure" or any(abs(x - 13.0) < 1e-9 for x in dotted), dotted
    assert fig.axes[-1 if name != "density_figure" else 0].get_xlabel() in ("clock time", "时刻")


def test_without_a_shared_day_start_the_axis_says_hours_after_the_start():
    from sim.kinds.festival.present import queue_figure

    fig = queue_figure([_summary("A", 5 * 60), _summary("B", 6 * 60)])  # no one clock time
    assert fig.axes[0].get_xlabel() == "hours after day start"
    assert ":" not in "".join(_ticks(fig.axes[0]))


def preliminary_figures(state) -> set[str]:
    # (Keys are (language, (comparison, figure)): a figure's words are in one language.)
    return {k[1][1] for k in state.figure_cache()
            if isinstance(k, tuple) and len(k) == 2 and isinstance(k[1], tuple)
            and len(k[1]) == 2 and isinstance(k[1][0], tuple)
            and k[1][0][:1] == ("preliminary",)}



def test_festival_first_results_come_plan_by_plan_with_clock_time_and_no_heat_strips(
        env, held):
    """The festival page shows the first plan's first replication while the second plan's is
    held back, labelled as first results and naming the plan still running; the figures come
    once every plan is in: the queues and the density lines (the heat strips per plan are left
    out)."""
    from dashboard import jobs, state

    first_plan: list[str] = []

    def not_the_first_plan(scenario, plan, *args, **kwargs) -> bool:
        first_plan[:] = first_plan or [plan]
        return plan != first_plan[0]

    go_on = held(jobs, "run_plan", not_the_first_plan)
    refine = held(jobs, "extend")  # the refinement waits until the test has looked
    state.run_cache().clear()
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["scenario"] = FESTIVAL
    job = None
    try:
        deadline = time.monotonic() + 120
        seen = False
        while time.monotonic() < deadline and not seen:
            at.run(timeout=180)
            assert at.info or at.metric  # never a blank page
            seen = bool(at.metric)
            time.sleep(0.3)
        assert seen
        job = at.session_state["job"]
        assert len(job.plans) >= 2 and job.running
        shown = {m.label for m in at.metric}
        assert shown == {job.plans[0]}, shown  # only the finished plan, nothing made up
        assert any("First results from 1 replication per plan" in i.value for i in at.info)
        assert any(f"Still running the first replications of: {', '.join(job.plans[1:])}"
                   in c.value for c in at.caption)
        # The figures wait for every plan (drawing them would slow the plan still running).
        assert preliminary_figures(state) == set()
        assert any("The figures follow" in c.value for c in at.caption)
        go_on.set()
        while time.monotonic() < deadline and job.pending_first:
            time.sleep(0.3)
        at.run(timeout=180)  # every plan's first results on the page ...
        assert {m.label for m in at.metric} == set(job.plans)
        at.run(timeout=180)  # ... and at the next look, their figures
        figures = preliminary_figures(state)
        assert {"queues", "density"} <= figures, figures
        assert "density_strip" not in figures
    finally:
        if job is not None:
            job.cancel()
        go_on.set()
        refine.set()
    if job is not None:
        job.thread.join(timeout=120)



def test_a_breakdown_of_short_waits_has_distinct_tick_labels():
    """Waits below a minute (festival medians) keep their decimals on the axis: ticks 0.01 min
    apart read differently (a fixed one decimal wrote "0.0" under every tick)."""
    from dashboard.results import breakdown_chart

    def summary(plan: str, v1: float) -> dict:
        m = {"mean": v1, "p5": 0.0, "p95": v1, "n": 4}
        return {"plan": plan, "metrics": {"wait_p50_min[checkpoint=V1]": m,
                                          "wait_p50_min[checkpoint=V3]": {**m, "mean": v1 / 2}}}

    chart = breakdown_chart([summary("A", 0.04), summary("B", 0.08)], "wait_p50_min",
                            "checkpoint")
    assert chart is not None
    fmt = chart.to_dict()["encoding"]["x"]["axis"]["format"]
    ticks = [0.01 * k for k in range(9)]
    labels = [format(t, fmt.replace("~", "")) for t in ticks]  # d3's "~" trims zeros only
    assert len(set(labels)) == len(ticks), labels
    assert format(1500.0, fmt.replace("~", "")) == "1,500"  # thousands still separated
