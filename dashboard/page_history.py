"""The History page: the comparisons in the run store, re-opened with the Run & compare views."""

from __future__ import annotations

import streamlit as st

from dashboard import history
from dashboard.results import show_comparison
from sim.present.i18n import _


def history_page() -> None:
    st.header(_("History"))
    runs, reason = history.list_runs()
    if runs is None:
        st.info(reason)
        return
    st.caption(_("Runs are kept in {path} (set GRIDMUSTER_STORE to use another file).",
        path=history.store_path()))
    if runs.empty:
        st.info(_("No runs yet: comparisons made here or with the gridmuster command appear "
                  "here."))
        return
    st.dataframe(runs, hide_index=True, key="history_runs")
    if _("id") in runs.columns:
        ids = list(runs[_("id")])
        rows = runs.set_index(_("id"))
        pick = st.selectbox(_("Re-open a comparison"), ids, key="history_pick",
                            format_func=lambda i: _("run {id}: {scenario}, {plans} ({when})",
                                id=i, scenario=rows.at[i, _("scenario")],
                                plans=rows.at[i, _("plans")], when=rows.at[i, _("when")]))
        if st.button(_("Open"), key="history_open"):
            # Kept in session state: the comparison stays open through every later click
            # (a breakdown, a tab), until another is opened or it is closed.
            st.session_state["history_opened"] = int(pick)
        opened = st.session_state.get("history_opened")
        if opened is not None:
            data, why = history.open_comparison(opened)
            if data is None:
                st.warning(why)
                st.session_state.pop("history_opened", None)
            else:
                st.subheader(_("Run {id}", id=opened))
                if st.button(_("Close this comparison"), key="history_close"):
                    st.session_state.pop("history_opened", None)
                    st.rerun()
                show_comparison(data, ("history", opened))
