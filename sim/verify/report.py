"""``verification.json`` and a self-contained ``verification.html`` (one section per case)."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from sim.core.results import json_ready
from sim.present.i18n import N_, _, is_zh
from sim.present.output import atomic_folder
from sim.verify.case import CaseResult
from sim.verify.imo import BATCH, CONVERGENCE
from sim.verify.runner import Verification
from sim.verify.text import STATUS_WORDS, expected, measured, title
from sim.verify.validation import FieldCase

CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.2rem}
h3{margin-bottom:.3rem}table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}.pass{color:#1e7b34;font-weight:600}.fail{color:#b00020;font-weight:700}
.pending{color:#9a6b00;font-weight:600}.src{color:#555;font-size:.9rem}
section.case{border-left:4px solid #ddd;padding-left:1rem;margin:1.5rem 0}
.first{page-break-after:always}svg{max-width:100%;height:auto}
"""

NOT_MODELLED = [
    N_("pedestrian interactions below the road and queue level: no walking speed falls with "
       "crowd density on a road, no overtaking, counter-flow or merging; a road is a travel "
       "time, a desk, lane or exit is a queue or a flow"),
    N_("stairs, doors and building interiors (IMO stair and room tests do not apply)"),
    N_("traffic congestion on roads: vehicles drive at the road's or the flood's speed limit"),
    N_("hydraulics: flood depth comes from a documented bucket model, not a flow simulation"),
    N_("human behaviour beyond the stated delay distributions and choice rules (no panic, "
       "herding or information spreading by word of mouth outside the channels)"),
]


# The headings and labels used inside the f-strings below, marked here for the catalogue (Babel
# does not read f-strings); each is translated with _() where it is used.
LABELS = (N_("Setup."), N_("Tolerance and why."), N_("Result."), N_("Source: {source}"),
          N_("IMO MSC.1/Circ.1533 practice"), N_("All cases"),
          N_("First check of each case; every check is in its section."),
          N_("Verification cases"), N_("Validation against field reports"),
          N_("gridmuster verification"), N_("gridmuster verification and validation report"),
          N_("What is verified"), N_("What is validated against field figures"),
          N_("What is assumed"), N_("What gridmuster does not model"),
          N_("Reporting a muster or evacuation time (IMO MSC.1/Circ.1533)"))

def write(v: Verification, folder: Path) -> list[Path]:
    """Both files written whole, together (a Ctrl-C leaves the earlier pair, not half of one)."""
    with atomic_folder(folder) as tmp:
        (tmp / "verification.json").write_text(
            json.dumps(json_ready(v.as_dict()), indent=2, ensure_ascii=False), encoding="utf-8")
        (tmp / "verification.html").write_text(render(v), encoding="utf-8")
    return [folder / "verification.json", folder / "verification.html"]


def _status(status: str) -> str:
    cls = "pass" if status == "pass" else "pending" if status == "pending" else "fail"
    return f'<span class="{cls}">{escape(_(STATUS_WORDS[status]))}</span>'


def _head(*cells: str) -> str:
    return "<tr>" + "".join(f"<th>{escape(c)}</th>" for c in cells) + "</tr>"


def _checks_table(r: CaseResult) -> str:
    rows = "".join(
        f"<tr><td>{escape(k.quantity)}</td><td>{escape(expected(k))}</td>"
        f"<td>{escape(measured(k))}</td><td>{_status('pass' if k.passed else 'fail')}</td></tr>"
        for k in r.checks)
    return ("<table>" + _head(_("quantity"), _("expected"), _("measured"), _("result"))
            + f"{rows}</table>")


def _case(r: CaseResult) -> str:
    c = r.case
    parts = [f'<section class="case" id="{escape(c.id)}"><h3>{escape(title(c))} — '
             f"{_status(r.status)}</h3>",
             f'<p class="src">{escape(_("Source: {source}", source=_(c.source)))}</p>',
             f"<p><b>{escape(_('Setup.'))}</b> {escape(_(c.setup))}</p>",
             f"<p><b>{escape(_('Tolerance and why.'))}</b> {escape(_(c.tolerance_why))}</p>"]
    if r.checks:
        parts.append(f"<p><b>{escape(_('Result.'))}</b></p>" + _checks_table(r))
    if r.notes:
        parts.append(f"<p>{escape(r.notes)}</p>")
    if r.figure_svg:
        parts.append(f"<figure>{r.figure_svg}</figure>")
    ran = _("Ran in {s} s.", s=f"{r.seconds:.1f}")
    parts.append(f'<p class="src">{escape(ran)}</p></section>')
    return "".join(parts)


def _field(f: FieldCase) -> str:
    rows = "".join(f"<tr><td>{escape(c.quantity)}</td><td>{escape(c.reported)}</td>"
                   f"<td>{escape(c.model)}</td><td>{escape(c.verdict)}</td></tr>"
                   for c in f.comparisons)
    imo = "".join(f"<li>{escape(line.strip())}</li>" for line in f.imo)
    assumed = "".join(f"<li>{escape(a)}</li>" for a in f.assumed)
    where = _("Reported: {source}. Scenario {scenario}, plan {plan}.", source=f.source,
              scenario=f.scenario, plan=f.plan)
    summary = _("Assumed in this scenario ({n} values; the reports do not give them)",
                n=len(f.assumed))
    return (f"<section class='case'><h3>{escape(f.title)}</h3>"
            f"<p class='src'>{escape(where)}</p>"
            "<table>" + _head(_("quantity"), _("reported"), _("model"),
                              _("where the figure falls")) + f"{rows}</table>"
            + (f"<p><b>{escape(_('IMO MSC.1/Circ.1533 practice'))}</b></p><ul>{imo}</ul>"
               if imo else "")
            + f"<details><summary>{escape(summary)}</summary><ul>{assumed}</ul></details>"
            "</section>")


def _first_page(v: Verification) -> str:
    n = v.counts()
    groups = [_(g) for g in sorted({r.case.group for r in v.results})]
    verdict = (_("Every case that ran passed.") if not v.failed else
               _("{n} case(s) FAILED: {cases}", n=len(v.failed),
                 cases=", ".join(title(r.case) for r in v.failed)))
    pending = [title(r.case) for r in v.results if r.status == "pending"]
    not_modelled = "".join(f"<li>{escape(_(x))}</li>" for x in NOT_MODELLED)
    fields = ", ".join(f.title for f in v.field_cases) or _("none (scenarios not found)")
    counts = _("{set}: {n} cases — {passed} passed, {failed} failed, {pending} pending.",
               set=_("Quick set (smaller samples)") if v.quick else _("Full set"),
               n=len(v.results), passed=n["pass"], failed=n["fail"] + n["error"],
               pending=n["pending"])
    ran = _("Ran in {s} s.", s=f"{v.seconds:.0f}")
    verified = _(
        "That the code computes what its documentation says, against numbers from standards, "
        "papers and hand calculations ({groups}): walking and driving times over the road "
        "graph (IMO MSC.1/Circ.1533 component test 1), route re-planning and assembly-point "
        "choice (RiMEA tests 9–11 in spirit), delay distributions (20,000 draws each), the "
        "checkpoint queue against Erlang C and B at loads up to 0.95 and Little's law, flows "
        "through an exit (IMO test 4, SFPE), the Fruin / HCM levels of service, the Pregnolato "
        "et al. (2017) depth–speed curve and the bucket flood model, the phone tree and channel "
        "outages, the coverage of paired confidence intervals, the post-event review's "
        "false-alarm rate (at most its stated 5 %) and its power against a drill 10 minutes "
        "late, censored percentiles, and that every person is accounted for in every bundled "
        "plan. Each case below gives its source, setup, expected value, tolerance and why, and "
        "the measured value.", groups=_(", ").join(groups))
    pending_line = (_("Pending (reported, not counted as passes): {cases}.",
                      cases="; ".join(pending)) if pending else "")
    validated = _(
        "{cases}: the reported figure against the simulated 5–95 % band of the bundled "
        "scenario, or, where the report gives forces and staffing (inputs, not outcomes), that "
        "the scenario holds exactly those numbers. A figure inside the band means the scenario "
        "can reproduce the report; it does not prove the assumed values are right.",
        cases=fields)
    assumed = _(
        "Every value the field reports do not give is marked ASSUMED in the scenario files and "
        "listed under each field case below: road networks, delay distributions, availability, "
        "speeds, desk and lane counts, flood parameters. Change them and the validation may no "
        "longer hold.")
    imo = _(
        "{command} runs at least 50 replications in batches of {batch}, reports the 95th "
        "percentile of the time, and checks convergence: the last batch must change the 95th "
        "percentile by at most {limit}.", command="gridmuster run SCENARIO --imo",
        batch=BATCH, limit=f"{CONVERGENCE:.0%}")
    return f"""<div class="first">
<h1>{escape(_("gridmuster verification and validation report"))}</h1>
<p>{escape(counts)} {escape(verdict)} {escape(ran)}</p>
<h2>{escape(_("What is verified"))}</h2>
<p>{escape(verified)}</p>
{f"<p>{escape(pending_line)}</p>" if pending else ""}
<h2>{escape(_("What is validated against field figures"))}</h2>
<p>{escape(validated)}</p>
<h2>{escape(_("What is assumed"))}</h2>
<p>{escape(assumed)}</p>
<h2>{escape(_("What gridmuster does not model"))}</h2><ul>{not_modelled}</ul>
<h2>{escape(_("Reporting a muster or evacuation time (IMO MSC.1/Circ.1533)"))}</h2>
<p>{escape(imo)}</p>
</div>"""


def _summary(v: Verification) -> str:
    rows = []
    for r in v.results:
        first = r.checks[0] if r.checks else None
        rows.append(f"<tr><td><a href='#{escape(r.case.id)}'>{escape(title(r.case))}</a></td>"
                    f"<td>{escape(expected(first)) if first else ''}</td>"
                    f"<td>{escape(measured(first)) if first else ''}</td>"
                    f"<td>{_status(r.status)}</td></tr>")
    return (f"<h2>{escape(_('All cases'))}</h2>"
            f"<p>{escape(_('First check of each case; every check is in its section.'))}</p>"
            "<table>" + _head(_("case"), _("expected"), _("measured"), _("result"))
            + f"{''.join(rows)}</table>")


def _group(name: str) -> str:
    text = _(name)
    return text[:1].upper() + text[1:]


def render(v: Verification) -> str:
    by_group: dict[str, list[CaseResult]] = {}
    for r in v.results:
        by_group.setdefault(r.case.group, []).append(r)
    body = [_first_page(v), _summary(v), f"<h2>{escape(_('Verification cases'))}</h2>"]
    for group, results in by_group.items():
        body.append(f"<h2>{escape(_group(group))}</h2>")
        body.extend(_case(r) for r in results)
    body.append(f"<h2>{escape(_('Validation against field reports'))}</h2>")
    body.extend(_field(f) for f in v.field_cases)
    lang = "zh-CN" if is_zh() else "en"
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{escape(_('gridmuster verification'))}</title>"
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>")
