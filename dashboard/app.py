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

from dashboard import (  # noqa: E402
    imports,
    page_history,
    page_plans,
    page_replay,
    page_run,
    page_scenario,
    state,
)
from dashboard.jobs import MAX_UI_WORKERS  # noqa: E402
from sim.present.i18n import LANG_NAMES, LANGS, _, default_lang, normalise, set_lang  # noqa: E402

PAGES = ("Scenario", "Plans", "Run & compare", "Replay", "What matters", imports.PAGE, "History")
FIRST_PAGE = "Run & compare"  # the first screen shows a result without any input

st.set_page_config(page_title="gridmuster", layout="wide")

# The language: chosen in the sidebar, remembered in the session and in the address (?lang=zh)
# so a reload or a shared link keeps it; GRIDMUSTER_LANG otherwise. Set before any text.
if "lang" not in st.session_state:
    st.session_state["lang"] = normalise(st.query_params.get("lang") or default_lang())
set_lang(st.session_state["lang"])

# A link may name a bundled scenario and a page (?scenario=tide_yanguan.yaml&page=Replay):
# honoured once, when the session starts.
if "opened_from_link" not in st.session_state:
    st.session_state["opened_from_link"] = True
    wanted = st.query_params.get("scenario")
    if wanted and wanted in state.bundled_scenarios():
        state.open_bundled(wanted)
    if st.query_params.get("page") in PAGES:
        st.session_state["start_page"] = st.query_params["page"]

with st.sidebar:
    st.title("gridmuster")
    lang = st.radio("语言 / Language", LANGS, format_func=LANG_NAMES.__getitem__,
                    horizontal=True, key="lang")
    set_lang(lang)
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    page = st.radio(_("Page"), PAGES, key="page",
                    index=PAGES.index(st.session_state.get("start_page", FIRST_PAGE)),
                    format_func=_)
    s = state.scenario()
    st.caption(_("Scenario: **{name}** ({source}, {n} plans)",
        name=s.display_name(), source=state.source_label(), n=len(s.plan_names())))
    workers = int(st.number_input(_("Worker processes"), min_value=1, max_value=MAX_UI_WORKERS,
                                  value=min(state.default_workers(), MAX_UI_WORKERS),
                                  key="workers",
                                  help=_("Processes used for long runs (at most {n} from "
                                         "this page).", n=MAX_UI_WORKERS)))
    if st.button(_("Clear cached results"), key="clear_cache"):
        state.clear_results()
    st.caption(_("{n} plan runs cached", n=state.cached_runs_count()))

if page != "Replay":
    page_replay.pause_replay()
if page == "Scenario":
    page_scenario.scenario_page()
elif page == "Plans":
    page_plans.plans_page()
elif page == "Run & compare":
    page_run.run_page(workers)
elif page == "Replay":
    page_replay.replay_page()
elif page == "What matters":
    from dashboard.page_what_matters import what_matters_page

    what_matters_page(workers)
elif page == imports.PAGE:
    imports.import_page()
else:
    page_history.history_page()
