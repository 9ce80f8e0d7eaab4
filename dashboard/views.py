"""The dashboard's pages: widgets and layout over ``sim`` library calls, nothing more."""

from __future__ import annotations

import importlib.util
import json
import re
import time
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import history, jobs, maps_view, replay_view, staffing, state
from dashboard.exports import export_frame, report_html
from dashboard.gbt_download import gbt_downloads
from dashboard.results import replications_text, show_comparison, show_figure
from dashboard.uploads import file_uploader
from sim.core.budget import check_budget
from sim.core.catalogue import ROLE_NAMES, key_label, role_label
from sim.core.config import scenario_text
from sim.core.errors import ScenarioError
from sim.core.forces import ROLES
from sim.core.limits import FILE_BYTES, SEED
from sim.core.paths import split_path
from sim.core.planedit import (
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
from sim.present import formatting
from sim.present.delay_plots import delays_figure, random_delays
from sim.present.i18n import N_, _, current_lang, is_zh, use_lang
from sim.present.i18n import pick as in_lang
from sim.present.inject_words import storyline
from sim.present.setting_words import (
    RULE_WORDS,
    setting_words,
    value_codes,
    value_text,
    value_word,
)
from sim.present.tables import forces_table


def show_problems(problems: list[tuple[str, str]], what: str) -> None:
    lines = "\n".join(f"- `{path}`: {message}" for path, message in problems)
    st.error(_("{what} has {n} problem(s):").format(what=what, n=len(problems)) + f"\n\n{lines}")


# --- Scenario -----------------------------------------------------------------------------

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
        st.info(_("Still showing the last valid scenario: {name}.").format(
            name=state.source_label()))

    s = state.scenario()
    st.subheader(s.display_name())
    st.caption(_("kind **{kind}** · from {source}").format(kind=_(s.kind.title or s.kind.name),
                                                            source=state.source_label()))
    if s.model.description:
        st.write(s.display_description())
    plan = st.selectbox(_("Plan shown"), s.plan_names(), key=f"scenario_plan::{s.digest}")
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


# --- Plans --------------------------------------------------------------------------------

def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


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
    words = ("description", "description_zh")
    rows = [{_("plan"): p, _("description"): in_lang(s.plan(p).description,
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
            with st.expander(_("Exercise storyline of {plan} ({n} events)", plan=p,
                               n=len(injects))):
                clock = s.kind.clock_start(model) if s.kind.clock_start else None
                header, body = storyline([{"kind": s.kind.name,
                                           "injects": [i.record() for i in injects]}], clock)
                st.table(pd.DataFrame(body, columns=header).set_index(header[0]))

    base = st.selectbox(_("Edit a copy of"), s.plan_names(), key="edit_base")
    patch = {k: v for k, v in plan_patch(s.raw, base).items() if k not in words}
    with st.expander(_("What {plan} changes, as written in the scenario file").format(plan=base)):
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
    with st.expander(_("Other settings ({n})").format(n=len(rows)),
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
        _save(s, name, description, base, _records(forces), _records(params), fkey, pkey,
              staff_edit)
    if st.session_state.get("plan_refused"):
        show_problems(st.session_state["plan_refused"],
                      _("Plan {name}").format(name=name.strip() or _("(no name)")))
    elif st.session_state.get("saved_plan") in s.plan_names():
        st.success(_("Saved plan {plan} in the workspace; it is now in the plan lists (Run & "
                     "compare, Replay), stays after a reload, and is in the YAML download.").format(
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
    box = st.expander(_("How the random settings of {plan} are spread ({n})", plan=plan,
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
                     "computer ({folder}) and stay after a reload or restart.").format(
            folder=ws.folder))
        return
    st.caption(_("Kept on this computer in {folder}.").format(folder=ws.folder))
    rows = [{_("plan"): n, _("edited from"): e.get("base") or "—",
             _("saved"): time.strftime("%Y-%m-%d %H:%M",
                                       time.localtime(float(e.get("saved_at", 0)))),
             _("description"): str(e["patch"].get("description") or "")}
            for n, e in saved.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="saved_plans")
    skipped = st.session_state.get("skipped_plans") or []
    if skipped:
        st.warning(_("Saved plans not loaded (they no longer pass the scenario's checks or "
                     "clash with a plan of the file): {plans}").format(plans=", ".join(skipped)))
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
            st.session_state["ws_message"] = ("ok", _("Renamed {old} to {new}.").format(
                old=pick, new=new_name.strip()))
            state.reload_saved_plans()
            st.rerun()
    d1, d2 = st.columns(2)
    confirm = d1.checkbox(_("Yes, delete {plan}").format(plan=pick), key="ws_confirm")
    if d1.button(_("Delete"), key="ws_delete", disabled=not confirm):
        ws.delete(pick)
        st.session_state["ws_message"] = ("ok", _("Deleted saved plan {plan}.").format(plan=pick))
        st.session_state.pop("ws_confirm", None)
        state.reload_saved_plans()
        st.rerun()
    entry = saved.get(pick, {})
    d2.download_button(_("Download {plan} (YAML plan entry)").format(plan=pick),
                       dump_yaml({"plans": {pick: entry.get("patch", {})}}),
                       file_name=f"{pick}.yaml", mime="application/x-yaml", key="ws_download")
    msg = st.session_state.get("ws_message")
    if msg:
        (st.error if msg[0] == "error" else st.success)(msg[1])


# --- Run & compare ------------------------------------------------------------------------

def _default_request(s: Scenario) -> dict[str, Any]:
    return {"plans": s.plan_names()[:2], "reps": state.default_reps(s.kind.name),
            "seed": s.model.seed}


def run_page(workers: int) -> None:
    st.header(_("Run & compare"))
    s = state.scenario()
    names = s.plan_names()
    request = st.session_state.get("request") or _default_request(s)
    request = {**request, "plans": [p for p in request["plans"] if p in names] or names[:2]}
    with st.form("run_form"):
        plans = st.multiselect(_("Plans to compare (2–4)"), names, default=request["plans"],
                               max_selections=4, key=f"run_plans::{s.digest}")
        c1, c2 = st.columns(2)
        reps = c1.number_input(_("Replications per plan"), min_value=1,
                               max_value=jobs.MAX_UI_REPS,
                               value=min(int(request["reps"]), jobs.MAX_UI_REPS), step=10,
                               key="run_reps",
                               help=_("At most {n} from this page; the command line "
                                      "`gridmuster compare` has no such cap.").format(
                                   n=f"{jobs.MAX_UI_REPS:,}"))
        seed = c2.number_input(_("Seed"), min_value=0, max_value=min(SEED, 2**53 - 1),
                               value=int(request["seed"]), step=1, key="run_seed",
                               help=_("The same seed gives the same numbers."))
        submitted = st.form_submit_button(_("Run comparison"), type="primary", key="run_submit")
    if submitted:
        if not plans:
            st.warning(_("Choose at least one plan (two to four to compare)."))
        else:
            request = {"plans": list(plans), "reps": int(reps), "seed": int(seed)}
    st.session_state["request"] = request

    keys = [state.run_key(s, p, request["seed"], request["reps"]) for p in request["plans"]]
    todo = state.missing(s, request["plans"], request["seed"], request["reps"])
    if todo:
        over = check_budget([s.plan(p) for p in todo], request["reps"], workers)
        if over:
            st.error(_("This run was not started: {why}.").format(why=over))
            return
        job = st.session_state.get("job")
        if job is None or not jobs.same_request(job, request["plans"], request["reps"],
                                                request["seed"], s.digest):
            if job is not None and job.running:
                job.cancel()
            job = jobs.Job(s, list(request["plans"]), request["reps"], request["seed"],
                           workers, state.first_pass_reps(s.kind.name), state.run_cache(),
                           keys).start()
            st.session_state["job"] = job
        if _show_job(s, job, request, keys):
            return
    comp = state.comparison(s, request["plans"], request["reps"], request["seed"], workers)
    data = state.comparison_data(comp, tuple(keys))
    note = _("from the cache")
    job = st.session_state.get("job")
    if not isinstance(job, jobs.Job) or not jobs.same_request(
            job, request["plans"], request["reps"], request["seed"], s.digest):
        job = None
    if job is not None and job.result is not None and not job.stored:
        job.stored = history.record(s, job.result, request["seed"], request["reps"],
                                    job.elapsed_s, data)
    if job is not None and job.stored:
        note = _("ran {n} replications in {t}; {stored}").format(
            n=f"{job.total:,}", t=_("{value} s", value=f"{job.elapsed_s:,.1f}"), stored=job.stored)
    st.caption(_("{name}: {plans} — {reps} each, seed {seed} ({note}).").format(
        name=s.display_name(), plans=", ".join(request["plans"]), reps=replications_text(request["reps"]),
        seed=request["seed"], note=note))
    downloads = st.container()  # above the results, filled after them: numbers first
    show_comparison(data, tuple(keys), clock_start(s, request["plans"]))
    maps_view.show_bottleneck(s, data, tuple(keys))
    with downloads:
        _exports(s, data, tuple(keys))


def _show_job(s: Scenario, job: jobs.Job, request: dict[str, Any],
              keys: list[tuple[str, str, int, int]]) -> bool:
    """Progress, ETA and cancel of a running job; True while the page should wait for it."""
    if job.running:
        started = time.perf_counter()
        share = min(job.done / job.total, 1.0) if job.total else 0.0
        st.progress(share, text=_("{done} of {total} replications · about {eta} left · "
                                  "{elapsed} so far").format(
            done=f"{min(job.done, job.total):,}", total=f"{job.total:,}",
            eta=jobs.duration(job.eta_s()), elapsed=jobs.duration(job.elapsed_s)))
        if st.button(_("Cancel this run"), key="job_cancel"):
            job.cancel()
            st.session_state["job_message"] = _("Run cancelled.")
        data = job.preliminary_data()
        if data is None:  # never a blank page while the first pass runs
            _waiting(s, job)
        else:
            st.info(_("First results from {reps} per plan; refining to {full} in the "
                      "background.").format(reps=replications_text(job.first_reps),
                                            full=replications_text(job.reps)))
            pending = [p for p in job.plans if p not in data["plans"]]
            if pending:  # plans are shown as each finishes its first pass
                st.caption(_("Still running the first replications of: {plans}.").format(
                    plans=", ".join(pending)))
            key = ("preliminary", tuple(keys), len(data["plans"]))
            # The kind's figures (seconds of drawing that the replications still running
            # need) only once every plan is in and its numbers have been on the page once.
            shown = st.session_state.get("first_results_shown") == key
            show_comparison(data, key, clock_start(s, request["plans"]),
                            figures=shown and not pending)
            st.session_state["first_results_shown"] = key
        # Look again soon while a plan's first results are still to come (they appear within
        # half a second of being done), then while they are refined once a second, or less
        # often when showing them takes longer: the page in this process must leave most of
        # the interpreter to the replications (a festival's page takes about 0.5 s).
        time.sleep(0.5 if job.preliminary is None or job.pending_first
                   else min(3.0, max(1.0, 3 * (time.perf_counter() - started))))
        st.rerun()
    if job.stopped or job.error:
        reason = _(job.stopped_why[0], **job.stopped_why[1]) if job.stopped else job.error
        st.warning(_("The run stopped ({why}) after {done} of {total} replications; "
                     "nothing was recorded. Press Run comparison to start again, or ask for "
                     "fewer replications.").format(why=reason, done=f"{job.done:,}",
                                                   total=f"{job.total:,}"))
        st.session_state.pop("request", None)
        st.session_state.pop("job", None)
        return True
    return False


def _waiting(s: Scenario, job: jobs.Job) -> None:
    """What the page shows before the first results: what they will be and what the plans are
    judged on."""
    first = min(job.first_reps, job.reps)
    st.info(_("Running the first {reps} of each plan ({plans}); the first results appear here "
              "as soon as they are done, then are refined in the background.").format(
        reps=replications_text(first), plans=", ".join(job.plans)))
    objectives = list(getattr(s.model, "objectives", None) or [])
    if objectives:
        st.markdown(_("**What the plans are judged on** (the scenario's objectives):") + "\n"
                    + "\n".join(f"- {_objective_text(o)}" for o in objectives))


def _objective_text(objective: Any) -> str:
    """An objective in the page's language (its Chinese description where the scenario gives
    one), or its plain form when it has no description."""
    text = in_lang(getattr(objective, "description", "") or "",
                   getattr(objective, "description_zh", None))
    return text or str(objective)


def _exports(s: Scenario, data: dict[str, Any], key: tuple[Any, ...]) -> None:
    """The after-action report (HTML) and the comparison as CSV / Excel, made once per
    comparison and language (not on every look at the page)."""
    cache, lang = state.figure_cache(), current_lang()
    made = (key, "exports", lang)
    if (made, "csv") not in cache:
        frame = export_frame(data)
        cache[(made, "csv")] = frame.to_csv(index=False).encode("utf-8-sig")
        cache[(made, "html")] = report_html(data).encode("utf-8")
    csv, html_report = cache[(made, "csv")], cache[(made, "html")]

    def xlsx() -> bytes:
        """Made when clicked (openpyxl and the workbook take about 0.7 s), on another thread:
        in the page's language. The same workbook as ``gridmuster compare --xlsx`` (headline
        results, paired differences with verdicts, breakdowns; numbers formatted for people)."""
        if (made, "xlsx") not in cache:
            from sim.present.excel import results_xlsx  # deferred: openpyxl, when clicked

            with use_lang(lang):
                cache[(made, "xlsx")] = results_xlsx(data)
        return cache[(made, "xlsx")]

    c1, c2, c3 = st.columns(3)
    c1.download_button(_("Comparison as CSV"), csv, file_name="comparison.csv",
                       mime="text/csv", key="export_csv")
    if importlib.util.find_spec("openpyxl") is not None:  # else the CSV is still offered
        c2.download_button(_("Comparison as Excel"), xlsx, file_name="comparison.xlsx",
                           mime="application/vnd.openxmlformats-officedocument."
                                "spreadsheetml.sheet", key="export_xlsx")
    if html_report:
        c3.download_button(_("After-action report (HTML)"), html_report,
                           file_name="after-action-report.html", mime="text/html",
                           key="export_html")
    gbt_downloads(s, data)  # GB/T 46792 evaluation report (dashboard/gbt_download.py)


def clock_start(s: Scenario, plans: list[str]) -> float | None:
    """The clock time (minutes after midnight) at the model's minute 0 when every plan shares
    one (the alert at 09:30, the festival day from 05:00), else None."""
    starts = set()
    for p in plans:
        text = s.kind.clock_start(s.plan(p).model) if s.kind.clock_start is not None else None
        if not isinstance(text, str) or ":" not in text:
            return None
        starts.add(formatting.clock_minute(text))
    return starts.pop() if len(starts) == 1 else None


# --- Replay -------------------------------------------------------------------------------

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
    request = st.session_state.get("request") or _default_request(s)
    c1, c2, c3 = st.columns([2, 1, 1])
    plan = c1.selectbox(_("Plan"), s.plan_names(), key="replay_plan")
    seed = int(c2.number_input(_("Seed"), min_value=0, value=int(request["seed"]),
                               key="replay_seed"))
    n_reps = max(int(request["reps"]), 1)
    rep = int(c3.selectbox(_("Replication"), list(range(n_reps)), key="replay_rep",
                           format_func=lambda k: _("{k} of {n}").format(k=k + 1, n=n_reps),
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
    clock = f" ({formatting.clock_time(start + minute)})" if start is not None else ""
    if start is not None:  # the clock time under the slider (which shows the minute)
        st.markdown(_("**Clock time {clock}**").format(clock=formatting.clock_time(start + minute)))
    st.caption(_("Replication {k} of {plan}, seed {seed}: each dot is one {dot}{note}.").format(
        k=rep + 1, plan=plan, seed=seed, dot=_(s.kind.dashboard.replay_dot),
        note=_(s.kind.dashboard.replay_note) if s.kind.dashboard.replay_note else ""))
    frame = frames.get(minute)
    frames.start(minute)  # the other frames in the background, after the one shown
    st.session_state["replay_frames"] = frames  # (paused when the planner leaves the page)
    if frames.ready < len(minutes):
        st.caption(_("Preparing the frames: {ready} of {n} ready (the slider is instant on "
                     "frames already prepared).").format(ready=frames.ready, n=len(minutes)))
    if frames.error:
        st.caption(_("Frames are drawn when shown ({why}).").format(why=frames.error))
    left, right = st.columns([3, 2])
    with left:
        st.image(frame.png, width="stretch")
    with right:
        st.markdown(_("**At minute {minute}{clock}**").format(minute=minute, clock=clock))
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
            st.markdown(f"**{_('Queues')}** ({_(rr.people.spec.queue_state)})")
            if len(frame.queues):
                st.dataframe(frame.queues, hide_index=True, key="replay_queues",
                         column_config=replay_view.whole_numbers(frame.queues))
            else:
                st.caption(_("no one queueing at this minute"))
    if playing and minute < end:
        time.sleep(0.4)
        st.session_state["replay_next"] = min(minute + step, end)
        st.rerun()


# --- History ------------------------------------------------------------------------------

def history_page() -> None:
    st.header(_("History"))
    runs, reason = history.list_runs()
    if runs is None:
        st.info(reason)
        return
    st.caption(_("Runs are kept in {path} (set GRIDMUSTER_STORE to use another file).").format(
        path=history.store_path()))
    if runs.empty:
        st.info(_("No runs yet: comparisons made here or with the gridmuster command appear "
                  "here."))
        return
    st.dataframe(runs, hide_index=True, key="history_runs")
    if _("id") in runs.columns:
        ids = list(runs[_("id")])
        pick = st.selectbox(_("Re-open a comparison"), ids, key="history_pick")
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
                st.subheader(_("Run {id}").format(id=opened))
                if st.button(_("Close this comparison"), key="history_close"):
                    st.session_state.pop("history_opened", None)
                    st.rerun()
                show_comparison(data, ("history", opened))
