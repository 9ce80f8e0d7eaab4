"""gridmuster dashboard: pick or upload a scenario, edit staffing plans, run and compare them.

Start with ``make run`` (or ``streamlit run dashboard/app.py``). Thin by design: every number
comes from the ``sim`` library, the same functions the command line uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from dashboard import state, views  # noqa: E402
from dashboard.jobs import MAX_UI_WORKERS  # noqa: E402

PAGES = ("Scenario", "Plans", "Run & compare", "Replay", "What matters", "History")
FIRST_PAGE = "Run & compare"  # the first screen shows a result without any input

st.set_page_config(page_title="gridmuster", layout="wide")

with st.sidebar:
    st.title("gridmuster")
    page = st.radio("Page", PAGES, index=PAGES.index(FIRST_PAGE), key="page")
    s = state.scenario()
    st.caption(f"Scenario: **{s.name}** ({state.source_label()}, {len(s.plan_names())} plans)")
    workers = int(st.number_input("Worker processes", min_value=1, max_value=MAX_UI_WORKERS,
                                  value=state.default_workers(), key="workers"))
    if st.button("Clear cached results", key="clear_cache"):
        state.run_cache().clear()
        state.figure_cache().clear()
    st.caption(f"{state.cached_runs_count()} plan runs cached")

if page == "Scenario":
    views.scenario_page()
elif page == "Plans":
    views.plans_page()
elif page == "Run & compare":
    views.run_page(workers)
elif page == "Replay":
    views.replay_page()
elif page == "What matters":
    from dashboard.page_what_matters import what_matters_page

    what_matters_page(workers)
else:
    views.history_page()
