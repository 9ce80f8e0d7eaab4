"""The Plans page: a plan's forces and settings in plain words, edited and saved as a new plan."""

from __future__ import annotations

import json
import re
import time
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import staffing, state
from dashboard.page_common import records, show_problems
from dashboard.results import show_figure
from sim.core.catalogue import role_label
from sim.core.errors import ScenarioError
from sim.core.forces import ROLES
from sim.core.paths import split_path
from sim.core.planedit import (
    PLAN_WORDS,
    RULES,
    changes_in_words,
    dump_yaml,
    force_rows,
    param_rows,
    plan_patch,
    resolved,
    save_plan,
)
from sim.core.scenario import Scenario
from sim.core.workspace import WorkspaceError, check_name, unknown_grids
from sim.present.delay_plots import delays_figure, random_delays
from sim.present.i18n import N_, _, is_zh
from sim.present.i18n import pick as in_lang
from sim.present.inject_words import storyline
from sim.present.plan_names import with_key
from sim.present.setting_words import (
    RULE_WORDS,
    setting_words,
    value_codes,
    value_text,
    value_word,
)

TYPE_WORDS = {"str": N_("text"), "int": N_("whole number"), "float": N_("number"),
              "bool": N_("yes / no"), "list": N_("list (comma-separated)"),
              "empty": N_("optional (empty: not set)")}


def setting_table(s: Scenario, plan: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The plan's other settings as a planner reads them: what part of the plan, the setting
    and its unit in plain words, beside the field path and type that saving needs."""
    section = resolved(s.raw, plan).get(s.kind.name) or {}
    out = []
    for row in rows:
        words = setting_words(s.kind, split_path(str(row["parameter"])), section)
        hint = _(TYPE_WORDS[row["type"]]) if row["type"] in ("bool", "list", "empty") else ""
        # What may be typed, said before anything is refused: a few choices in words, without
        # their explanations (a delay's six shapes are too many for the cell: a refusal lists
        # them).
        if 0 < len(words.choices) <= 4:
            choices = ("、" if is_zh() else ", ").join(
                re.sub(r"\s*[(（][^)）]*[)）]", "", value_word(s.kind, words, c))
                for c in words.choices)
            hint = _("any of: {choices}", choices=choices) if words.many \
                else _("one of: {choices}", choices=choices)
        out.append({"group": words.group, "setting": words.name,
                    "value": value_text(s.kind, words, str(row["value"])),
                    "unit": _("; ").join(w for w in (words.unit, hint) if w),
                    "parameter": row["parameter"], "type": row["type"]})
    return pd.DataFrame(out, columns=["group", "setting", "value", "unit", "parameter", "type"])


def setting_codes(s: Scenario, plan: str, rows: list[dict[str, Any]]
                  ) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The edited table's values back to the file's codes (a value listed in words, in either
    language, or as its code), and the values that are none of the choices, each with its
    setting in words."""
    section = resolved(s.raw, plan).get(s.kind.name) or {}
    out, refused = [], []
    for row in rows:
        words = setting_words(s.kind, split_path(str(row.get("parameter", ""))), section)
        try:
            value = value_codes(s.kind, words, str(row.get("value") or "")) \
                if words.choices else row.get("value")
        except ValueError as exc:
            refused.append((_("{what}: {which}", what=words.group, which=words.name), str(exc)))
            continue
        out.append({**row, "value": value})
    return out, refused


def _editor_keys(plan: str) -> tuple[str, str]:
    return f"forces::{plan}", f"params::{plan}"


def plans_page() -> None:
    st.header(_("Plans"))
    s = state.scenario()
    named = s.plan_labels()
    # (the key beside a Chinese name: a copy is saved, and the command line runs it, by key)
    rows = [{_("plan"): with_key(p, named[p]),
             _("description"): in_lang(s.plan(p).description,
                                                      s.plan(p).description_zh),
             _("changes"): _("; ").join(changes_in_words(s.raw, p,
                                                         dict(s.kind.dashboard.setting_names)))
             or _("(the scenario as it is)")} for p in s.plan_names()]
    # A table that wraps (a drill's description is long), the plan names as row labels.
    st.table(pd.DataFrame(rows).set_index(_("plan")))
    for p in s.plan_names():  # what an exercise plan's injects make happen, in words
        model = s.plan(p).model
        injects = model.injects
        if injects:
            with st.expander(_("Exercise storyline of {plan} ({n} events)", plan=named[p],
                               n=len(injects))):
                clock = s.kind.clock_start(model) if s.kind.clock_start else None
                header, body = storyline([{"kind": s.kind.name,
                                           "injects": [i.record() for i in injects],
                                           "places_zh": s.kind.place_names(model)}], clock)
                st.table(pd.DataFrame(body, columns=header).set_index(header[0]))

    base = st.selectbox(_("Edit a copy of"), s.plan_names(), key="edit_base",
                        format_func=named.__getitem__)
    patch = {k: v for k, v in plan_patch(s.raw, base).items() if k not in PLAN_WORDS}
    with st.expander(_("What {plan} changes, as written in the scenario file",
            plan=named[base])):
        st.code(dump_yaml(patch) if patch else "{}  # " + _("the scenario as it is"),
                language="yaml")

    fkey, pkey = _editor_keys(base)
    base_forces = force_rows(s.raw, base)
    if base_forces or s.kind.dashboard.edits_forces:
        st.markdown(_("**Forces** — one row per role; the rule counts a role town-wide, per "
                      "grid or as one per so many residents (30 = the 30:1 rule); grids limits "
                      "a role to some grids."))
        forces = st.data_editor(
            pd.DataFrame(base_forces, columns=["role", "rule", "value", "grids"]),
            num_rows="dynamic", hide_index=True, key=fkey, width="stretch",
            column_config={
                "role": st.column_config.SelectboxColumn(_("role"), options=list(ROLES),
                                                         required=True,
                                                         format_func=lambda r: role_label(str(r))),
                "rule": st.column_config.SelectboxColumn(_("rule"), options=list(RULES),
                                                         required=True,
                                                         format_func=lambda r: _(RULE_WORDS.get(
                                                             str(r), str(r)))),
                "value": st.column_config.NumberColumn(_("value"), min_value=0),
                "grids": st.column_config.TextColumn(_("grids (comma-separated, empty = all)")),
            })
    else:  # a festival is staffed by posts, not by grid roles
        forces = pd.DataFrame(columns=["role", "rule", "value", "grids"])
    staff_edit = staffing.editor(s, base, f"staffing::{base}") \
        if staffing.has_posts(s.raw, base) else None
    rows = param_rows(s.raw, base)
    if staff_edit is not None:  # the posts are in the staffing table: not listed twice
        rows = [r for r in rows if not staffing.is_staff_row(s.raw, str(r["parameter"]))]
    shown = setting_table(s, base, rows)
    with st.expander(_("Other settings ({n})", n=len(rows)),
                     expanded=staff_edit is None):
        st.markdown(_("Edit the **value** column; the other columns say what each value is "
                      "and its unit (lists: comma-separated)."))
        # The field path and the kind of value stay in the table, hidden: saving needs them.
        params = st.data_editor(
            shown, hide_index=True, key=pkey, height=420, width="stretch",
            disabled=["parameter", "type", "group", "setting", "unit"],
            column_order=["group", "setting", "value", "unit"],
            column_config={
                # wide enough for "alert via the group chat" and a choice in words ("grid app,
                # group chat"); the unit column takes the rest, for the choices it lists
                "group": st.column_config.TextColumn(_("part of the plan"), width=190),
                "setting": _("setting"),
                "value": st.column_config.TextColumn(_("value"), width=200),
                "unit": st.column_config.TextColumn(_("unit"), width=280)})

    _delay_spreads(s, base)

    c1, c2 = st.columns(2)
    name = c1.text_input(_("New plan name"), value=f"{base}_edited", key="new_plan_name")
    description = c2.text_input(_("Description"), key="new_plan_description")
    if st.button(_("Save as new plan"), type="primary", key="save_plan"):
        _save(s, name, description, base, records(forces), records(params), fkey, pkey,
              staff_edit)
    if st.session_state.get("plan_refused"):
        show_problems(st.session_state["plan_refused"],
                      _("Plan {name}", name=name.strip() or _("(no name)")))
    elif st.session_state.get("saved_plan") in s.plan_names():
        st.success(_("Saved plan {plan} in the workspace; it is now in the plan lists (Run & "
                     "compare, Replay), stays after a reload, and is in the YAML download.",
            plan=st.session_state['saved_plan']))
    _saved_plans_section(s)

    st.download_button(_("Download the scenario as YAML (with the saved plans)"), dump_yaml(s.raw),
                       file_name=f"{state.source_label().removesuffix('.yaml')}-edited.yaml",
                       mime="application/x-yaml", key="download_yaml")


def _delay_spreads(s: Scenario, plan: str) -> None:
    """The plan's random delays (and group sizes) drawn, so that a planner sees what a median
    and a 90th percentile make of them before running anything. Drawn only while the section
    is open, once per plan's settings and language (a festival's fifteen charts took ~5 s to
    draw, and the Plans page re-runs at every edit)."""
    section = resolved(s.raw, plan).get(s.kind.name) or {}
    delays = random_delays(s.kind, section)
    if not delays:
        return
    box = st.expander(_("How the random settings of {plan} are spread ({n})",
                        plan=s.plan_labels()[plan],
                        n=len(delays)), key=f"spreads::{plan}", on_change="rerun")
    if not box.open:
        return
    with box:
        st.caption(_("Each chart: the share of draws at or below each value; for a delay, the "
                     "share whose delay is over by then. Dashed: the median (half) and the "
                     "90th percentile (nine in ten). Their numbers are edited under Other "
                     "settings above."))
        settings = json.dumps([(d.where, d.what, d.unit, d.spec.model_dump()) for d in delays],
                              sort_keys=True)
        show_figure(("delay spreads", s.kind.name, settings), partial(delays_figure, delays))


def _save(s: Scenario, name: str, description: str, base: str, forces: list[dict[str, Any]],
          params: list[dict[str, Any]], fkey: str, pkey: str,
          staff_edit: staffing.StaffEdit | None = None) -> None:
    """Validate and save a new plan; never replace an existing one."""
    st.session_state["plan_refused"] = []
    try:
        name = check_name(name, set(s.plan_names()))
    except WorkspaceError as exc:
        st.session_state["plan_refused"] = [(_("plan name"), str(exc))]
        return
    grids = [str(g.id) for g in s.model.grids]
    bad = unknown_grids(forces, grids)
    params, refused = setting_codes(s, base, params)
    if bad or refused:
        st.session_state["plan_refused"] = bad + refused
        return
    try:
        new = save_plan(s, name, forces, params, base, description) if staff_edit is None \
            else staffing.save_plan(s, name, forces, params, base, description, staff_edit)
    except ScenarioError as exc:
        st.session_state["plan_refused"] = [(p.path or _("(file)"), str(p).split(": ", 1)[-1])
                                            for p in exc.problems]
        return
    try:
        state.workspace().save(name, plan_patch(new.raw, name), base, set(s.plan_names()))
    except (WorkspaceError, OSError) as exc:
        st.session_state["plan_refused"] = [(_("workspace"), str(exc))]
        return
    for k in (fkey, pkey, f"staffing::{base}::posts", f"staffing::{base}::pool"):
        st.session_state.pop(k, None)
    state.replace(new)
    st.session_state["saved_plan"] = name
    st.rerun()


def _saved_plans_section(s: Scenario) -> None:
    ws = state.workspace()
    saved = ws.plans()
    st.subheader(_("Saved plans"))
    if not saved:
        st.caption(_("No saved plans for this scenario yet. Saved plans are kept on this "
                     "computer ({folder}) and stay after a reload or restart.",
            folder=ws.folder))
        return
    st.caption(_("Kept on this computer in {folder}.", folder=ws.folder))
    rows = [{_("plan"): n, _("edited from"): e.get("base") or "—",
             _("saved"): time.strftime("%Y-%m-%d %H:%M",
                                       time.localtime(float(e.get("saved_at", 0)))),
             _("description"): str(e["patch"].get("description") or "")}
            for n, e in saved.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="saved_plans")
    skipped = st.session_state.get("skipped_plans") or []
    if skipped:
        st.warning(_("Saved plans not loaded (they no longer pass the scenario's checks or "
                     "clash with a plan of the file): {plans}", plans=", ".join(skipped)))
    c1, c2, c3 = st.columns([2, 2, 1])
    pick = c1.selectbox(_("Saved plan"), list(saved), key="ws_pick")
    new_name = c2.text_input(_("Rename to"), key="ws_new_name")
    c3.write("")
    if c3.button(_("Rename"), key="ws_rename"):
        try:
            ws.rename(pick, new_name, set(state.own_plans()))
        except WorkspaceError as exc:
            st.session_state["ws_message"] = ("error", str(exc))
        else:
            st.session_state["ws_message"] = ("ok", _("Renamed {old} to {new}.",
                old=pick, new=new_name.strip()))
            state.reload_saved_plans()
            st.rerun()
    d1, d2 = st.columns(2)
    confirm = d1.checkbox(_("Yes, delete {plan}", plan=pick), key="ws_confirm")
    if d1.button(_("Delete"), key="ws_delete", disabled=not confirm):
        ws.delete(pick)
        st.session_state["ws_message"] = ("ok", _("Deleted saved plan {plan}.", plan=pick))
        st.session_state.pop("ws_confirm", None)
        state.reload_saved_plans()
        st.rerun()
    entry = saved.get(pick, {})
    d2.download_button(_("Download {plan} (YAML plan entry)", plan=pick),
                       dump_yaml({"plans": {pick: entry.get("patch", {})}}),
                       file_name=f"{pick}.yaml", mime="application/x-yaml", key="ws_download")
    msg = st.session_state.get("ws_message")
    if msg:
        (st.error if msg[0] == "error" else st.success)(msg[1])
