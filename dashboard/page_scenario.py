"""The Scenario page: choose a bundled scenario or upload one, and read what it holds."""

from __future__ import annotations

import streamlit as st

from dashboard import maps_view, staffing, state
from dashboard.page_common import show_problems
from dashboard.uploads import file_uploader
from sim.core.catalogue import ROLE_NAMES, key_label, role_label
from sim.core.config import scenario_text
from sim.core.errors import ScenarioError
from sim.core.limits import FILE_BYTES
from sim.present import formatting
from sim.present.i18n import N_, _
from sim.present.tables import forces_table


def scenario_page() -> None:
    st.header(_("Scenario"))
    source = st.radio(_("Open"), [N_("Bundled scenario"), N_("Upload a YAML file"),
                                  N_("Paste YAML")], horizontal=True, key="source", format_func=_)
    if source == "Bundled scenario":
        names = state.bundled_scenarios()
        current = state.source_label()
        pick = st.selectbox(_("Bundled scenario"), names,
                            index=names.index(current) if current in names else 0)
        if pick != current and st.button(_("Open"), key="open_bundled"):
            state.open_bundled(pick)
            st.rerun()
    elif source == "Upload a YAML file":
        up = file_uploader(_("Scenario file"), ["yaml", "yml"], key="upload")
        if up is not None and st.session_state.get("uploaded_id") != up.file_id:
            st.session_state["uploaded_id"] = up.file_id
            try:
                state.open_text(scenario_text(up.getvalue(), up.name), up.name)
            except ScenarioError as exc:  # (not UTF-8: said as a file read from disk is)
                state.fail(up.name, exc.problems)
    else:
        text = st.text_area(_("Scenario YAML"), height=240, key="pasted_yaml", max_chars=FILE_BYTES,
                            placeholder="name: ...\nkind: muster\n...")  # YAML keys: as typed
        if st.button(_("Load pasted YAML"), key="load_pasted"):
            state.open_text(text, _("pasted YAML"))

    if state.problems():
        show_problems(state.problems(), str(st.session_state.get("problems_label")
                                            or _("The file")))
        st.info(_("Still showing the last valid scenario: {name}.",
            name=state.source_label()))

    s = state.scenario()
    st.subheader(s.display_name())
    st.caption(_("kind **{kind}** · from {source}", kind=_(s.kind.title or s.kind.name),
                 source=state.source_label()))
    if s.model.description:
        st.write(s.display_description())
    plan = st.selectbox(_("Plan shown"), s.plan_names(), key=f"scenario_plan::{s.digest}",
                        format_func=s.plan_labels().__getitem__)
    model = s.plan(plan).model
    forces = forces_table(model)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("grids"), len(model.grids))
    c2.metric(_("residents"), formatting.count(sum(g.residents for g in model.grids)))
    c3.metric(_("responders (people)"), formatting.count(forces["total"].to_numpy()[-1]))
    c4.metric(_("road nodes"), formatting.count(len(s.network().nodes)))

    left, right = st.columns([3, 2])
    with left:
        st.image(maps_view.scenario_map(s, plan),
                 caption=_("Roads, grid centres and the scenario's places"), width="stretch")
    with right:
        st.markdown(f"**{_(s.kind.dashboard.forces_title)}**")
        # roles and staff groups as a planner names them, not their code names
        st.dataframe(forces.rename(columns=lambda c: role_label(c) if c in ROLE_NAMES
                                   else staffing.group_name(c) if staffing.is_group(c)
                                   else _(c),
                                   index=lambda r: _("all grids") if r == "all grids" else r)
                     .rename_axis(key_label(str(forces.index.name or ""))),
                     # (as tall as its rows, up to 460 px: no empty rows under 4 grids)
                     height=min(460, 38 + 35 * (len(forces) + 1)), key="forces_by_grid")
