"""The Run & compare page: plans compared over replications, first results early and refined
after, with the exports and the drill evaluation report."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence
from typing import Any

import streamlit as st

from dashboard import history, jobs, maps_view, state
from dashboard.exports import export_frame, report_html
from dashboard.gbt_download import gbt_downloads
from dashboard.page_common import clock_start, default_request
from dashboard.results import replications_text, show_comparison
from sim.core.budget import check_budget
from sim.core.limits import SEED
from sim.core.scenario import Scenario
from sim.present.i18n import _, current_lang, use_lang
from sim.present.i18n import pick as in_lang


def run_page(workers: int) -> None:
    st.header(_("Run & compare"))
    s = state.scenario()
    names = s.plan_names()
    request = st.session_state.get("request") or default_request(s)
    request = {**request, "plans": [p for p in request["plans"] if p in names] or names[:2]}
    with st.form("run_form"):
        plans = st.multiselect(_("Plans to compare (2–4)"), names, default=request["plans"],
                               max_selections=4, key=f"run_plans::{s.digest}",
                               format_func=s.plan_labels().__getitem__)
        c1, c2 = st.columns(2)
        reps = c1.number_input(_("Replications per plan"), min_value=1,
                               max_value=jobs.MAX_UI_REPS,
                               value=min(int(request["reps"]), jobs.MAX_UI_REPS), step=10,
                               key="run_reps",
                               help=_("At most {n} from this page; the command line "
                                      "`gridmuster compare` has no such cap.",
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
            st.error(_("This run was not started: {why}.", why=over))
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
        note = _("ran {n} replications in {t}; {stored}",
            n=f"{job.total:,}", t=_("{value} s", value=f"{job.elapsed_s:,.1f}"), stored=job.stored)
    st.caption(_("{name}: {plans} — {reps} each, seed {seed} ({note}).",
        name=s.display_name(), plans=_plans(s, request["plans"]), reps=replications_text(request["reps"]),
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
                                  "{elapsed} so far",
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
                      "background.", reps=replications_text(job.first_reps),
                      full=replications_text(job.reps)))
            pending = [p for p in job.plans if p not in data["plans"]]
            if pending:  # plans are shown as each finishes its first pass
                st.caption(_("Still running the first replications of: {plans}.",
                    plans=_plans(s, pending)))
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
                     "fewer replications.", why=reason, done=f"{job.done:,}",
                     total=f"{job.total:,}"))
        st.session_state.pop("request", None)
        st.session_state.pop("job", None)
        return True
    return False


def _plans(s: Scenario, plans: Sequence[str]) -> str:
    """Plans listed as a planner reads them (their Chinese names in 中文, with 、)."""
    return _(", ").join(s.plan_labels()[p] for p in plans)


def _waiting(s: Scenario, job: jobs.Job) -> None:
    """What the page shows before the first results: what they will be and what the plans are
    judged on."""
    first = min(job.first_reps, job.reps)
    st.info(_("Running the first {reps} of each plan ({plans}); the first results appear here "
              "as soon as they are done, then are refined in the background.",
        reps=replications_text(first), plans=_plans(s, job.plans)))
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
