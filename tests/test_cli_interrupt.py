"""Ctrl-C during a comparison: the finished replications are kept, and the user is told how
many and how to go on (audit finding 17)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import BUNDLED, ROOT


def _stored(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM replications").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_sigint_during_compare_says_what_was_kept(tmp_path: Path) -> None:
    store, out = tmp_path / "runs.db", tmp_path / "o"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "sim", "compare", str(BUNDLED), "--reps",
                          "5000", "--store", str(store), "--out", str(out)], cwd=tmp_path,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while _stored(store) < 3 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.2)
        assert p.poll() is None, p.communicate()
        p.send_signal(signal.SIGINT)
        stdout, stderr = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130, stderr
    assert "Traceback" not in stderr
    kept = _stored(store)
    assert kept >= 3
    assert f"interrupted: {kept:,} finished replications are kept in {store}" in stderr
    assert "--resume" in stderr
    assert not out.exists()  # no half-written output folder
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
