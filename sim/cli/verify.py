"""``gridmuster verify``: run the verification library and the validation section."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli.common import check_ctrl_c, out_console, wrote
from sim.core.errors import Problem, ScenarioError
from sim.present.i18n import _
from sim.present.output import write_json
from sim.run.experiments import PlanRun
from sim.verify.case import CaseResult, broken
from sim.verify.imo import TIME_METRIC, assess
from sim.verify.library import library
from sim.verify.report import write
from sim.verify.runner import Verification, verify
from sim.verify.text import STATUS_WORDS, expected, measured
from sim.verify.text import title as case_title


def _table(v: Verification) -> Table:
    t = Table(title=_("Verification cases"))
    for col in (_("case"), _("quantity"), _("expected"), _("measured"), _("result")):
        t.add_column(col)
    for r in v.results:
        title = case_title(r.case)  # the cases' own texts are in verify.po
        if not r.checks:
            t.add_row(title, r.notes, "", "", _(STATUS_WORDS[r.status]))
        for k, c in enumerate(r.checks):
            t.add_row(title if k == 0 else "", c.quantity, expected(c), measured(c),
                      _("pass") if c.passed else _("FAIL"))
    return t


def _progress(r: CaseResult) -> None:
    check_ctrl_c()  # (see ``catch_ctrl_c``)
    out_console.print(f"  {_(STATUS_WORDS[r.status]):<8} {case_title(r.case)}"
                      + _(" ({s} s)", s=f"{r.seconds:.1f}"),
                      markup=False, highlight=False)


def verify_cmd(
    out: Annotated[Path, typer.Option("--out", help="folder for verification.json and "
                                      "verification.html")] = Path("out/verification"),
    quick: Annotated[bool, typer.Option("--quick", help="smaller samples (under a minute)")
                     ] = False,
    break_case: Annotated[list[str] | None, typer.Option(
        "--break-case", hidden=True, help="self-test: give this case a wrong expectation")
    ] = None,
) -> None:
    """Run the verification cases (standards, papers, hand calculations) and the validation
    against field reports; write verification.json and verification.html; exit 1 on a failure."""
    cases = library()
    ids = {c.id for c in cases}
    unknown = [b for b in break_case or [] if b not in ids]
    if unknown:
        raise ScenarioError([Problem("--break-case", _("no verification case with this id"),
                                     u) for u in unknown])
    cases = [broken(c) if c.id in (break_case or []) else c for c in cases]
    out_console.print(_("Running {n} verification cases (quick)…", n=len(cases)) if quick
                      else _("Running {n} verification cases…", n=len(cases)))
    v = verify(cases, quick, progress=_progress)
    out_console.print(_table(v))
    for f in v.field_cases:
        out_console.print(_("Validation — {title}:", title=f.title), markup=False)
        for c in f.comparisons:
            out_console.print(_("  {quantity}: reported {reported}; model {model}; {verdict}",
                                quantity=c.quantity, reported=c.reported, model=c.model,
                                verdict=c.verdict), markup=False, highlight=False)
        for line in f.imo:
            out_console.print("  " + line, markup=False, highlight=False)
    files = write(v, out)
    wrote(*files)
    n = v.counts()
    out_console.print(_("{passed} passed, {failed} failed, {pending} pending, in {s} s; wrote "
                        "{files}", passed=n["pass"], failed=n["fail"] + n["error"],
                        pending=n["pending"], s=f"{v.seconds:.0f}",
                        files=", ".join(str(f) for f in files)),
                      markup=False, highlight=False)
    if v.failed:
        raise typer.Exit(1)


def write_imo(run: PlanRun, metric: str | None, folder: Path) -> Path:
    """``run --imo``: print the IMO assessment of a finished run; write ``folder/imo.json``."""
    kind = run.setup.model.kind
    name = metric or TIME_METRIC[kind]
    if name not in run.metric_names():
        raise ScenarioError([Problem("--metric", _("not a metric of this {kind} scenario (e.g. {example})",
                                                 kind=kind, example=TIME_METRIC[kind]), name)])
    result = assess(name, run.values(name))
    for line in result.lines():
        out_console.print(line, markup=False, highlight=False)
    path = folder / "imo.json"
    write_json(path, result.as_dict())
    return path
