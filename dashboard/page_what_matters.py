"""The "What matters" page: which assumptions the open plan's result hinges on (Morris or
Sobol' over the scenario's declared ``assumptions:``) and where in the assumption space it
misses its objectives (PRIM boxes). Every number comes from ``sim.analysis.sensitivity`` and
``sim.analysis.robustness``; nothing runs until asked, as both take minutes on a large scenario."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import state
from sim.core.catalogue import info
from sim.core.errors import ScenarioError
from sim.present import formatting
from sim.present.i18n import _
from sim.present.output import png_bytes
from sim.run.backends import Backend


def ranked_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The ranked assumptions as table rows in plain words (no code names, no missing cells),
    changes of the result written as the result is (whole people, minutes to a tenth …)."""
    rows = []
    metric = str(result.get("metric", ""))
    for r in result["indices"]:
        row: dict[str, Any] = {_("rank"): r["rank"], _("assumption"): r["label"],
                               _("range"): f"{r['low']:g} – {r['high']:g}"}
        if result["method"] == "morris":
            row[_("typical change across the range")] = formatting.value(r["mu_star"], metric)
            row[_("uncertainty of that (±, 95 %)")] = formatting.value(r["mu_star_conf"], metric)
            row[_("how much that change varies with the other assumptions")] = \
                formatting.value(r["sigma"], metric)
        else:
            row[_("share of variance, alone")] = formatting.share(r["S1"])
            row[_("share with interactions")] = formatting.share(r["ST"])
            row[_("95 % CI ±")] = formatting.share(r["ST_conf"])
        row[_("source")] = r["source"]
        rows.append(row)
    return rows


def what_matters_page(workers: int) -> None:
    from sim.analysis.robustness import robustness
    from sim.analysis.sensitivity import Method, sensitivity
    from sim.present.sensitivity_plots import robustness_figure, sensitivity_figure

    st.header(_("What matters"))
    s = state.scenario()
    if not s.model.assumptions:
        st.info(_("This scenario declares no assumptions. Add an `assumptions:` list (path, "
                  "low, high, source) to see which of them the result hinges on."))
        return
    st.caption(_("{n} declared assumptions; each analysis runs every design point on the same "
                 "random numbers.", n=len(s.model.assumptions)))
    c1, c2, c3, c4 = st.columns(4)
    plan = c1.selectbox(_("Plan"), s.plan_names(), key=f"wm_plan::{s.digest}",
                        format_func=s.plan_labels().__getitem__)
    # The objectives' measures first (what the planner is judged on), then the kind's
    # headline: "residents at risk", which no plan changes, is not the result to start with.
    goals = [o.metric for o in s.model.objectives]
    options = list(dict.fromkeys([*goals, *s.kind.dashboard.decision_metrics,
                                  *s.kind.headline_metrics]))
    metric = c2.selectbox(_("Result to explain"), options,
                          key=f"wm_metric::{s.digest}", format_func=lambda m: info(m).phrase)
    method = c3.selectbox(_("Method"), ["morris", "sobol"], key="wm_method",
                          format_func=lambda m: _("quick screening (Morris)") if m == "morris"
                          else _("shares of variance (Sobol', slower)"),
                          help=_("Morris: cheap screening. Sobol': shares of variance, with "
                                 "interactions (many more runs)."))
    reps = int(c4.number_input(_("Replications per point"), 1, 100, 3, key="wm_reps"))
    cache: dict[Any, Any] = st.session_state.setdefault("what_matters", {})
    key = (s.digest, plan, metric, method, reps)
    if st.button(_("Find which assumptions matter"), type="primary", key="wm_run"):
        with st.spinner(_("Running the design points…")):
            try:
                chosen: Method = "sobol" if method == "sobol" else "morris"
                cache[key] = sensitivity(s, plan, metric, chosen, None, reps,
                                         backend=Backend(workers))
            except ScenarioError as exc:
                for p in exc.problems:
                    st.error(str(p))
    result = cache.get(key)
    if result:
        st.dataframe(ranked_rows(result), hide_index=True, use_container_width=True)
        st.image(png_bytes(sensitivity_figure(result)))
        top = result["indices"][0]
        st.markdown(_("The result hinges most on: {label} ({source}).",
            label=f"**{top['label']}**", source=top["source"]))

    st.subheader(_("Where the plan fails"))
    n = int(st.number_input(_("Samples of the assumption space"), 20, 2000, 100, step=20,
                            key="wm_n"))
    rkey = (s.digest, plan, n, reps)
    if st.button(_("Find where it misses its objectives"), key="wm_robust"):
        with st.spinner(_("Sampling the assumption space…")):
            try:
                cache[rkey] = robustness(s, [plan], n, reps, backend=Backend(workers))
            except ScenarioError as exc:
                for p in exc.problems:
                    st.error(str(p))
    rob = cache.get(rkey)
    if rob:
        p = rob["plans"][plan]
        st.markdown(_("{plan}: misses an objective in {share} of the assumption space",
            plan=f"**{s.plan_labels()[plan]}**", share=f"**{p['fail_share']:.0%}**"))
        for b in p["boxes"]:
            st.markdown(f"- {b['sentence']}")
        if p["fail_share"] > 0 and not p["boxes"]:
            st.markdown("- " + _("the failures are scattered: no simple region describes them"))
        st.image(png_bytes(robustness_figure(rob, plan)))
