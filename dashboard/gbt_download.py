"""The GB/T 46792-2025 drill evaluation report (演练评估报告) offered beside the other downloads of
Run & compare: the cover fields (from the scenario's ``drill:`` section, editable here), then
the Word document and the same content as HTML."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.exports import gbt_files
from sim.core.scenario import Scenario
from sim.present.i18n import _, current_lang
from sim.present.report_gbt import DrillInfo

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _drill(s: Scenario) -> DrillInfo:
    d = getattr(s.model, "drill", None)
    if d is None:
        return DrillInfo()
    return DrillInfo(d.name, d.organiser, d.evaluation_group, d.date, d.place, d.exercise_type)


def gbt_downloads(s: Scenario, data: dict[str, Any]) -> None:
    """Cover fields and the two downloads; built only when asked (a Word file takes a moment)."""
    base = _drill(s)
    with st.expander(_("Drill evaluation report (GB/T 46792-2025)")):
        st.caption(_("Laid out as Annex E of GB/T 46792-2025: cover, drill overview, evaluation "
                     "content and methods, objectives, participants, problems and causes, "
                     "conclusions with scores (Annex D), improvement recommendations. Fields "
                     "left empty are printed as to be filled in."))
        c1, c2 = st.columns(2)
        given = DrillInfo(
            name=c1.text_input(_("Drill name"), value=base.name, key="gbt_name"),
            organiser=c2.text_input(_("Organising unit"), value=base.organiser,
                                    key="gbt_organiser"),
            evaluation_group=c1.text_input(_("Evaluation group"), value=base.evaluation_group,
                                           key="gbt_group"),
            date=c2.text_input(_("Evaluation date"), value=base.date, key="gbt_date"),
            place=base.place, exercise_type=base.exercise_type)
        key = (s.digest, tuple(sorted(data["plans"])), current_lang(), given)
        if st.button(_("Prepare the evaluation report"), key="gbt_build"):
            st.session_state["gbt_files"] = (key, *gbt_files(data, given))
        ready = st.session_state.get("gbt_files")
        if ready and ready[0] == key:
            d1, d2 = st.columns(2)
            d1.download_button(_("Evaluation report (Word .docx)"), ready[1],
                               file_name="evaluation-report.docx", mime=DOCX_MIME,
                               key="gbt_docx")
            d2.download_button(_("Evaluation report (HTML)"), ready[2].encode("utf-8"),
                               file_name="evaluation-report.html", mime="text/html",
                               key="gbt_html")
