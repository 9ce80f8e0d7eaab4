"""``verification.json`` and a self-contained ``verification.html`` (one section per case)."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from sim.core.results import json_ready
from sim.verify.case import CaseResult
from sim.verify.imo import BATCH, CONVERGENCE
from sim.verify.runner import Verification
from sim.verify.text import STATUS_WORDS, expected, measured
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
    "pedestrian interactions below the road and queue level: no walking speed falls with "
    "crowd density on a road, no overtaking, counter-flow or merging; a road is a travel "
    "time, a desk, lane or exit is a queue or a flow",
    "stairs, doors and building interiors (IMO stair and room tests do not apply)",
    "traffic congestion on roads: vehicles drive at the road's or the flood's speed limit",
    "hydraulics: flood depth comes from a documented bucket model, not a flow simulation",
    "human behaviour beyond the stated delay distributions and choice rules (no panic, "
    "herding or information spreading by word of mouth outside the channels)",
]


def write(v: Verification, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    js = folder / "verification.json"
    js.write_text(json.dumps(json_ready(v.as_dict()), indent=2, ensure_ascii=False),
                  encoding="utf-8")
    html = folder / "verification.html"
    html.write_text(render(v), encoding="utf-8")
    return [js, html]


def _status(status: str) -> str:
    cls = "pass" if status == "pass" else "pending" if status == "pending" else "fail"
    return f'<span class="{cls}">{escape(STATUS_WORDS[status])}</span>'


def _checks_table(r: CaseResult) -> str:
    rows = "".join(
        f"<tr><td>{escape(k.quantity)}</td><td>{escape(expected(k))}</td>"
        f"<td>{escape(measured(k))}</td><td>{_status('pass' if k.passed else 'fail')}</td></tr>"
        for k in r.checks)
    return ("<table><tr><th>quantity</th><th>expected</th><th>measured</th><th>result</th></tr>"
            f"{rows}</table>")


def _case(r: CaseResult) -> str:
    c = r.case
    parts = [f'<section class="case" id="{escape(c.id)}"><h3>{escape(c.title)} — '
             f"{_status(r.status)}</h3>",
             f'<p class="src">Source: {escape(c.source)}</p>',
             f"<p><b>Setup.</b> {escape(c.setup)}</p>",
             f"<p><b>Tolerance and why.</b> {escape(c.tolerance_why)}</p>"]
    if r.checks:
        parts.append("<p><b>Result.</b></p>" + _checks_table(r))
    if r.notes:
        parts.append(f"<p>{escape(r.notes)}</p>")
    if r.figure_svg:
        parts.append(f"<figure>{r.figure_svg}</figure>")
    parts.append(f'<p class="src">Ran in {r.seconds:.1f} s.</p></section>')
    return "".join(parts)


def _field(f: FieldCase) -> str:
    rows = "".join(f"<tr><td>{escape(c.quantity)}</td><td>{escape(c.reported)}</td>"
                   f"<td>{escape(c.model)}</td><td>{escape(c.verdict)}</td></tr>"
                   for c in f.comparisons)
    imo = "".join(f"<li>{escape(line.strip())}</li>" for line in f.imo)
    assumed = "".join(f"<li>{escape(a)}</li>" for a in f.assumed)
    return (f"<section class='case'><h3>{escape(f.title)}</h3>"
            f"<p class='src'>Reported: {escape(f.source)}. Scenario {escape(f.scenario)}, "
            f"plan {escape(f.plan)}.</p>"
            "<table><tr><th>quantity</th><th>reported</th><th>model</th><th>where the "
            f"figure falls</th></tr>{rows}</table>"
            + (f"<p><b>IMO MSC.1/Circ.1533 practice</b></p><ul>{imo}</ul>" if imo else "")
            + f"<details><summary>Assumed in this scenario ({len(f.assumed)} values; the "
            f"reports do not give them)</summary><ul>{assumed}</ul></details></section>")


def _first_page(v: Verification) -> str:
    n = v.counts()
    groups = sorted({r.case.group for r in v.results})
    verdict = ("Every case that ran passed." if not v.failed else
               f"{len(v.failed)} case(s) FAILED: " + ", ".join(r.case.title for r in v.failed))
    pending = [r.case.title for r in v.results if r.status == "pending"]
    not_modelled = "".join(f"<li>{escape(x)}</li>" for x in NOT_MODELLED)
    fields = ", ".join(f.title for f in v.field_cases) or "none (scenarios not found)"
    return f"""<div class="first">
<h1>gridmuster verification and validation report</h1>
<p>{"Quick set (smaller samples)" if v.quick else "Full set"}: {len(v.results)} cases —
{n['pass']} passed, {n['fail'] + n['error']} failed, {n['pending']} pending. {escape(verdict)}
Ran in {v.seconds:.0f} s.</p>
<h2>What is verified</h2>
<p>That the code computes what its documentation says, against numbers from standards, papers
and hand calculations ({escape(', '.join(groups))}): walking and driving times over the road
graph (IMO MSC.1/Circ.1533 component test 1), route re-planning and assembly-point choice
(RiMEA tests 9–11 in spirit), delay distributions (20,000 draws each), the checkpoint queue
against Erlang C and B at loads up to 0.95 and Little's law, flows through an exit (IMO test 4,
SFPE), the Fruin / HCM levels of service, the Pregnolato et al. (2017) depth–speed curve and the
bucket flood model, the phone tree and channel outages, the coverage of paired confidence
intervals, the post-event review's false-alarm rate (at most its stated 5 %) and its power
against a drill 10 minutes late, censored percentiles, and that every person is accounted for
in every bundled plan. Each case below gives
its source, setup, expected value, tolerance and why, and the measured value.</p>
{"<p>Pending (reported, not counted as passes): " + escape("; ".join(pending)) + ".</p>"
 if pending else ""}
<h2>What is validated against field figures</h2>
<p>{escape(fields)}: the reported figure against the simulated 5–95 % band of the bundled
scenario, or, where the report gives forces and staffing (inputs, not outcomes), that the
scenario holds exactly those numbers. A figure inside the band means the scenario can
reproduce the report; it does not prove the assumed values are right.</p>
<h2>What is assumed</h2>
<p>Every value the field reports do not give is marked ASSUMED in the scenario files and listed
under each field case below: road networks, delay distributions, availability, speeds,
desk and lane counts, flood parameters. Change them and the validation may no longer hold.</p>
<h2>What gridmuster does not model</h2><ul>{not_modelled}</ul>
<h2>Reporting a muster or evacuation time (IMO MSC.1/Circ.1533)</h2>
<p><code>gridmuster run SCENARIO --imo</code> runs at least 50 replications in batches of
{BATCH}, reports the 95th percentile of the time, and checks convergence: the last batch must
change the 95th percentile by at most {CONVERGENCE:.0%}.</p>
</div>"""


def _summary(v: Verification) -> str:
    rows = []
    for r in v.results:
        first = r.checks[0] if r.checks else None
        rows.append(f"<tr><td><a href='#{escape(r.case.id)}'>{escape(r.case.title)}</a></td>"
                    f"<td>{escape(expected(first)) if first else ''}</td>"
                    f"<td>{escape(measured(first)) if first else ''}</td>"
                    f"<td>{_status(r.status)}</td></tr>")
    return ("<h2>All cases</h2><p>First check of each case; every check is in its section."
            "</p><table><tr><th>case</th><th>expected</th><th>measured</th><th>result</th>"
            f"</tr>{''.join(rows)}</table>")


def render(v: Verification) -> str:
    by_group: dict[str, list[CaseResult]] = {}
    for r in v.results:
        by_group.setdefault(r.case.group, []).append(r)
    body = [_first_page(v), _summary(v), "<h2>Verification cases</h2>"]
    for group, results in by_group.items():
        body.append(f"<h2>{escape(group.capitalize())}</h2>")
        body.extend(_case(r) for r in results)
    body.append("<h2>Validation against field reports</h2>")
    body.extend(_field(f) for f in v.field_cases)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>gridmuster verification</title>"
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>")
