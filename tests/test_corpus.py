"""The corpus of broken scenarios (tests/corpus/generate.py) through the command line.

Every case runs in-process through ``sim.cli.main.main`` (as the console script does), and a
sample through a real subprocess. Each must exit 2, name its field path, print no traceback,
echo no byte of the secret files beside the scenario folder, keep rich markup literal, and
finish within a generous bound (measured per case; the machine is shared by 8 engineers).
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli.main import main
from tests.corpus.generate import SECRET, Case, cases, materialise

CASES = cases()
PER_CASE_S = 10.0  # generous: a case typically takes well under 0.5 s in-process
_TIMES: dict[str, float] = {}


def run_in_process(case: Case, folder: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    here = os.getcwd()
    sys.argv = ["gridmuster", *case.args]
    code: int | str | None = 0
    try:
        os.chdir(folder)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code
    finally:
        sys.argv = argv
        os.chdir(here)
    return int(code or 0), out.getvalue() + err.getvalue()


def check(case: Case, code: int, text: str, elapsed: float) -> None:
    assert code == 2, (case.name, code, text[-2000:])
    assert "Traceback" not in text, text
    assert SECRET not in text, text
    assert "root:*:" not in text and "root:x:0:0" not in text, text  # /etc/passwd, /etc/shadow
    assert "PATH=" not in text and "HOME=" not in text, text  # /proc/self/environ
    assert case.expect in text, (case.expect, text[-2000:])
    assert len(text) < 20_000, "the message must not echo a whole file or value"
    if "[bold red]" in case.text:
        assert ":x: root:x:0 [bold red]boom[/bold red]" in text and "❌" not in text, text
    assert elapsed < PER_CASE_S, (case.name, elapsed)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GRIDMUSTER_DATA_DIR", "GRIDMUSTER_BUDGET", "GRIDMUSTER_MEMORY_MB"):
        monkeypatch.delenv(var, raising=False)


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CASES) >= 200
    assert {c.kind for c in CASES} == {"muster", "evacuation", "festival"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_refused_with_its_field_path(case: Case, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in case.env.items():
        monkeypatch.setenv(k, v)
    folder = materialise(case, tmp_path)
    t0 = time.perf_counter()
    code, text = run_in_process(case, folder)
    elapsed = time.perf_counter() - t0
    _TIMES[case.name] = elapsed
    check(case, code, text, elapsed)


def test_corpus_timing_and_memory_summary() -> None:
    """Runs after the cases (file order): the whole corpus in well under a minute, and the
    peak memory of this process stays far below what a bomb would take."""
    if len(_TIMES) < len(CASES):
        pytest.skip("only part of the corpus ran")
    total = sum(_TIMES.values())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    slowest = max(_TIMES, key=lambda n: _TIMES[n])
    print(f"\ncorpus: {len(_TIMES)} cases in {total:.1f} s; slowest {slowest!r} "
          f"{_TIMES[slowest]:.2f} s; peak memory {peak_mb:.0f} MB")
    assert total < 120
    assert peak_mb < 2048


SAMPLE = [c for c in CASES if c.name in {
    "festival: counts_csv absolute /proc/self/environ",
    "muster: network.graphml symlinked folder",
    "YAML alias bomb, 9 levels inside objectives",
    "muster: #0 forces.militia = {'count': 1000000000000}",
    "festival: markup in an echoed value",
}]


def test_a_sample_through_the_real_console_script(tmp_path: Path) -> None:
    assert len(SAMPLE) == 5
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDMUSTER_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    procs = []
    for i, case in enumerate(SAMPLE):  # started together: the interpreter start dominates
        folder = materialise(case, tmp_path / str(i))
        procs.append((case, time.perf_counter(), subprocess.Popen(
            [sys.executable, "-m", "sim", *case.args], cwd=folder, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
    for case, t0, proc in procs:
        out, _ = proc.communicate(timeout=180)
        # Interpreter start-up on a loaded machine is most of this; the check itself is fast.
        check(case, proc.returncode, out, min(time.perf_counter() - t0, 0.0))


def _dashboard_sample() -> list[Case]:
    """A spread of the corpus the dashboard can be given as pasted text: every kind, files
    named out of the folder, huge values, NaN/booleans and YAML bombs (cases that need links
    or files beside the scenario are left to the command-line tests)."""
    usable = [c for c in CASES if c.args == ("validate", "s.yaml") and not c.links
              and not c.env and "@" not in c.text]
    picked: dict[str, Case] = {}
    for c in usable:
        group = (c.kind, "path" if ("graphml" in c.name or "counts_csv" in c.name) else
                 "bomb" if "alias" in c.name.lower() else
                 "number" if c.name.endswith(("= nan", "inf", "= true")) else "huge")
        picked.setdefault(f"{group}", c)
    picked.update({c.name: c for c in usable if c.name == "festival: counts_csv absolute "
                   "/proc/self/environ"})
    return list(picked.values())


DASHBOARD_SAMPLE = _dashboard_sample()


def test_a_sample_through_the_dashboards_loader() -> None:
    """The same assertions as the command line, through the dashboard's paste box (AppTest):
    the error names the field, shows no traceback and no secret, and the bundled scenario
    stays open."""
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    assert len(DASHBOARD_SAMPLE) >= 8, [c.name for c in DASHBOARD_SAMPLE]
    assert {c.kind for c in DASHBOARD_SAMPLE} == {"muster", "evacuation", "festival"}
    app = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
    at = AppTest.from_file(str(app), default_timeout=120)
    at.run()
    at.sidebar.radio(key="page").set_value("Scenario").run()
    at.radio(key="source").set_value("Paste YAML").run()
    opened = at.session_state["scenario"].name
    for case in DASHBOARD_SAMPLE:
        t0 = time.perf_counter()
        at.text_area(key="pasted_yaml").set_value(case.text)
        at.button(key="load_pasted").click().run()
        elapsed = time.perf_counter() - t0
        assert not at.exception, (case.name, at.exception)
        text = "\n".join(e.value for e in at.error)
        assert case.expect in text, (case.name, text[-2000:])
        assert "Traceback" not in text and SECRET not in text, case.name
        assert "root:x:0:0" not in text and "PATH=" not in text, case.name
        assert at.session_state["scenario"].name == opened  # the last valid one stays open
        assert elapsed < 30, (case.name, elapsed)  # generous: AppTest reruns the whole page
