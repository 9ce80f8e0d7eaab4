"""Shared fixtures and the suite's markers (registered in pyproject.toml).

Markers are set here from what a test does, so a new test is marked without remembering to:
- ``cli``: it runs the ``gridmuster`` command (``cli(...)``, typer's ``CliRunner``, ``-m sim``);
- ``ui``: it drives the dashboard headless with Streamlit's AppTest (the ``app`` fixture);
- ``browser``: it drives the dashboard in Chromium (``tests/test_browser.py``); also ``slow``.
Select with ``-m``, e.g. ``pytest -m "not slow and not browser"`` for a quick run.
"""

from __future__ import annotations

import inspect
import re
import sys

import pytest
from hypothesis import settings

# No per-example deadline: the suite runs two workers on a shared 2-core machine (and in CI),
# where a first example that loads the metric catalogue took 275 ms against the default 200.
# Property tests assert what is computed, not how fast.
settings.register_profile("gridmuster", deadline=None)
settings.load_profile("gridmuster")

_CLI = re.compile(r"\bcli\(|CliRunner|\"-m\", \"sim\"|\bgridmuster_cmd\b")
_UI = re.compile(r"\bAppTest\b|\bgoto\(|\bapp\b")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fn = getattr(item, "function", None)
        try:
            source = inspect.getsource(fn) if fn is not None else ""
        except (OSError, TypeError):
            source = ""
        fixtures = set(getattr(item, "fixturenames", ()))
        module = getattr(item, "module", None)  # notebooks (nbmake) have none
        if module is not None and module.__name__.endswith("test_browser"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        elif "app" in fixtures or _UI.search(source) and "AppTest" in source:
            item.add_marker(pytest.mark.ui)
        if _CLI.search(source):
            item.add_marker(pytest.mark.cli)


@pytest.fixture(autouse=True)
def _private_run_store(tmp_path, monkeypatch):
    # Every test (and every CLI subprocess it starts) writes to its own run store.
    monkeypatch.setenv("GRIDMUSTER_STORE", str(tmp_path / "runs.db"))


@pytest.fixture(autouse=True)
def _no_frames_drawn_after_the_test():
    # The Replay page draws every frame of a replication in a background thread of the
    # process (as the server does, for a smooth slider): left running after a test, it took
    # 80-125 s of CPU from the tests after it on the same worker.
    yield
    replay = sys.modules.get("dashboard.replay_view")
    if replay is not None:
        replay.frame_store().stop_all()


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A dashboard test's own surroundings: one worker (two shared cores: no process pool),
    and its own run store and plan workspace."""
    monkeypatch.setenv("GRIDMUSTER_WORKERS", "1")
    monkeypatch.setenv("GRIDMUSTER_STORE", str(tmp_path / "runs.db"))
    monkeypatch.setenv("GRIDMUSTER_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path


@pytest.fixture
def held(monkeypatch):
    """The dashboard page seen while a job is held part-way.

    The page's wait-and-rerun loop stops at its first ``time.sleep`` (an exception), so one
    ``AppTest.run`` shows the page at that moment. ``held(owner, name, when)`` wraps
    ``owner.name`` so that calls for which ``when(*args, **kwargs)`` is true wait until the
    returned event is set (by the test, or at the latest when the test ends)."""
    import threading
    import time

    from dashboard import page_replay, page_run

    class Looked(Exception):
        """Stops the page's wait-and-rerun loop, so the test sees the page at that moment."""

    class PageTime:
        def __getattr__(self, name):
            return getattr(time, name)

        def sleep(self, _seconds):
            raise Looked

    for page in (page_run, page_replay):  # (the pages that wait and rerun)
        monkeypatch.setattr(page, "time", PageTime())
    events: list[threading.Event] = []

    def hold(owner, name, when=lambda *args, **kwargs: True) -> threading.Event:
        go_on = threading.Event()
        real = getattr(owner, name)

        def held_call(*args, **kwargs):
            if when(*args, **kwargs):
                go_on.wait(timeout=120)
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, held_call)
        events.append(go_on)
        return go_on

    yield hold
    for go_on in events:  # no job thread left waiting after the test
        go_on.set()
