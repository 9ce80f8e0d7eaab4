"""Dashboard timings (figures printed, nothing asserted).

0. every bundled scenario (scenarios/*.yaml), headless in-process (streamlit's AppTest, no
   browser needed): seconds from opening the scenario on the Run & compare page (its default
   comparison starts at once, as after a click) to the first plan's and every plan's first
   results (when their decision cards are sent: a browser shows them then, the page streams),
   beside the goal of 5 s (issue 16); to that page done (tables and figures); and to the
   refined results. The server is warm (imports done, the default page rendered once); the
   scenario's network, inputs and results are not cached. Runs without Chromium too.

In a real browser:
1. cold: from starting `streamlit run` (the command `make run` runs) to the first rendered result
   (the default comparison's metrics, tables and chart) in headless Chromium;
2. warm, new browser session on the running server (results cached);
3. restart: a second server process (imports warm in the OS cache, results not cached);
4. a 2-plan x 100-replication comparison, from the click on "Run comparison" to the chart;
5. a bundled evacuation and festival scenario opened by link on the running server (not run
   before): seconds to the first content (never a blank page), to the first results (a first
   pass of few replications per plan, marked as such) and to the refined results.

The browser timings need Debian's Chromium at /usr/bin/chromium and Playwright's Python package
(dev extras).
Usage: python benchmarks/bench_dashboard.py [--reps 100] [--workers 2] [--first-only]
       [--scenario tide_yanguan.yaml]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GRIDMUSTER_WORKERS": str(workers)}
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless",
         "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_health(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("streamlit did not start")


GOAL_FIRST_S = 5.0  # issue 16: first results within 5 s of the click


class Looked(Exception):
    """Stops the page's wait-and-rerun loop, so the bench sees the page at that moment."""


def first_results_apptest(names: list[str]) -> None:
    """Per bundled scenario: seconds from opening it on the Run & compare page to the first
    plan's results, to every plan's first results, and to the refined results (section 0)."""
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.testing.v1 import AppTest

    if str(ROOT) not in sys.path:  # the dashboard package is not installed; the checkout is
        sys.path.insert(0, str(ROOT))
    from dashboard import state, views
    from sim.core.scenario import NETWORKS
    from sim.run.experiments import INPUTS

    waits: list[float] = []

    class PageTime:
        """The page's ``time``, except that its wait before a rerun ends the script run: the
        bench waits as long as the page asked, then reruns it (the browser's cadence)."""

        def __getattr__(self, name: str):
            return getattr(time, name)

        def sleep(self, seconds: float) -> None:
            waits.append(seconds)
            raise Looked

    views.time = PageTime()  # type: ignore[assignment]
    # When each plan's decision card is sent: what a browser shows then (the page streams its
    # elements), while the figures below it are still being drawn.
    cards: dict[str, float] = {}
    real_metric = DeltaGenerator.metric

    def metric(self, label, *args, **kwargs):
        cards.setdefault(str(label), time.perf_counter())
        return real_metric(self, label, *args, **kwargs)

    DeltaGenerator.metric = metric  # type: ignore[method-assign]
    # The script run that ends with Looked is logged with its traceback: not news here.
    logging.getLogger("streamlit").setLevel(logging.CRITICAL)
    app = str(ROOT / "dashboard" / "app.py")
    warm = AppTest.from_file(app, default_timeout=600)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        warm.run()  # warm: imports, the default page (its comparison finished before timing)
    if "job" in warm.session_state and warm.session_state["job"].thread is not None:
        warm.session_state["job"].thread.join()
    print(f"  first results per bundled scenario (AppTest, in-process, warm server, nothing "
          f"cached; goal {GOAL_FIRST_S:.0f} s; load {_load()})")
    for name in names:
        with contextlib.redirect_stderr(io.StringIO()):  # "missing ScriptRunContext" (no page)
            state.clear_results()
        INPUTS.clear()
        NETWORKS.clear()
        at = AppTest.from_file(app, default_timeout=600)
        at.query_params["scenario"] = name
        t0 = time.perf_counter()
        first = every = page = refined = None
        job = None
        while refined is None:
            waits.clear()
            cards.clear()
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):  # the Looked tracebacks
                at.run()
            now = time.perf_counter() - t0
            if "job" in at.session_state:
                job = at.session_state["job"]
            plans = set(job.plans) if job is not None else set()
            if cards and first is None:
                first = min(cards.values()) - t0
            if plans and plans <= set(cards) and every is None:
                every = max(cards[p] for p in plans) - t0
                page = now
            if not waits:  # the page did not ask to look again: the full result is shown
                refined = now
                break
            time.sleep(waits[-1])
        if job is None or first is None or every is None:
            print(f"    {name}: no results shown ({at.exception or at.error})")
            continue
        verdict = "met" if every <= GOAL_FIRST_S else "NOT met"
        print(f"    {name:26s} first plan {first:5.2f} s, all {len(job.plans)} plans {every:5.2f} s "
              f"(goal {GOAL_FIRST_S:.0f} s: {verdict}), that page done {page:5.2f} s, refined "
              f"{refined:6.2f} s (first pass {min(job.first_reps, job.reps)} of {job.reps} "
              "reps per plan)")


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def first_result(browser, url: str, wait_server: bool) -> float:
    """Seconds until the default comparison is on screen (metrics, tables, chart)."""
    t0 = time.perf_counter()
    if wait_server:
        wait_health(url)
    page = browser.new_page(viewport={"width": 1400, "height": 3000})
    page.goto(url)
    page.locator('[data-testid="stMetric"]').nth(1).wait_for(timeout=120_000)
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=120_000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=120_000)
    dt = time.perf_counter() - t0
    page.close()
    return dt


def comparison(browser, url: str, reps: int) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 3000})
    page.goto(url)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=120_000)
    page.get_by_label("Replications per plan").fill(str(reps))
    t0 = time.perf_counter()
    page.get_by_role("button", name="Run comparison").click()
    page.get_by_text(f"{reps} replications each").wait_for(timeout=600_000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=120_000)
    dt = time.perf_counter() - t0
    page.close()
    return dt


def early_results(browser, url: str, scenario: str) -> tuple[float, float, float]:
    """Seconds from opening the scenario's link to (first content, first results, refined)."""
    page = browser.new_page(viewport={"width": 1400, "height": 3000})
    t0 = time.perf_counter()
    page.goto(f"{url}/?scenario={scenario}")
    page.locator('[data-testid="stAlert"], [data-testid="stMetric"]').first.wait_for(
        timeout=600_000)
    content = time.perf_counter() - t0
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=600_000)
    first = time.perf_counter() - t0
    page.get_by_text("replications each").first.wait_for(timeout=900_000)
    refined = time.perf_counter() - t0
    page.close()
    return content, first, refined


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only-early", action="store_true",
                    help="only the first results of the evacuation and festival scenarios")
    ap.add_argument("--first-only", action="store_true",
                    help="only section 0 (AppTest, every bundled scenario; no browser)")
    ap.add_argument("--scenario", action="append",
                    help="section 0 for this bundled scenario only (may repeat)")
    opts = ap.parse_args()
    if not opts.only_early:
        names = opts.scenario or sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
        first_results_apptest(names)
    if opts.first_only:
        return
    if not os.path.exists(CHROMIUM):
        print(f"bench_dashboard: skipped, no Chromium at {CHROMIUM}")
        return
    from playwright.sync_api import sync_playwright

    print(f"bench_dashboard: bundled muster scenario, default comparison (2 plans x 20 reps), "
          f"workers {opts.workers}, {os.cpu_count()} CPUs")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        port = free_port()
        proc = start(port, opts.workers)
        url = f"http://127.0.0.1:{port}"
        try:
            if opts.only_early:
                wait_health(url)
                _early(browser, url)
                return
            cold = first_result(browser, url, wait_server=True)
            print(f"  cold: server start -> first result        {cold:6.2f} s")
            warm = [first_result(browser, url, wait_server=False) for _ in range(3)]
            print(f"  warm: new session -> first result (cached) {min(warm):6.2f} s "
                  f"(best of 3; {', '.join(f'{w:.2f}' for w in warm)})")
            comp = comparison(browser, url, opts.reps)
            print(f"  2 plans x {opts.reps} reps: click -> chart      {comp:6.2f} s")
            _early(browser, url)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        port = free_port()
        proc = start(port, opts.workers)
        try:
            restart = first_result(browser, f"http://127.0.0.1:{port}", wait_server=True)
            print(f"  restart: server start -> first result     {restart:6.2f} s "
                  "(OS caches warm, results not cached)")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        browser.close()


def _early(browser, url: str) -> None:
    for scenario in ("rainstorm_yangning.yaml", "rainstorm_duhu.yaml", "tide_yanguan.yaml"):
        content, first, refined = early_results(browser, url, scenario)
        print(f"  {scenario}: first content {content:5.2f} s, first results {first:6.2f} s, "
              f"refined {refined:6.2f} s")


if __name__ == "__main__":
    main()
