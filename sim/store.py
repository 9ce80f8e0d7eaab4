"""The run store: every run and comparison, and every finished replication, in SQLite.

Replications are written as they finish, keyed by (scenario digest, plan, seed, replication,
version), so a sweep killed midway and restarted with ``--resume`` recomputes nothing that
finished. WAL journalling, a busy timeout and one transaction per write let several processes
share one store.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.results import EventRecord, ReplicationResult, json_ready

DEFAULT_STORE = Path.home() / ".gridmuster" / "runs.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    scenario TEXT NOT NULL,
    scenario_path TEXT,
    scenario_digest TEXT NOT NULL,
    kind TEXT NOT NULL,
    plans TEXT NOT NULL,
    seed INTEGER NOT NULL,
    replications INTEGER NOT NULL,
    version TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    elapsed_s REAL,
    status TEXT NOT NULL,
    out_dir TEXT,
    result TEXT
);
CREATE TABLE IF NOT EXISTS replications (
    scenario_digest TEXT NOT NULL,
    plan TEXT NOT NULL,
    seed INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    version TEXT NOT NULL,
    run_id INTEGER,
    metrics TEXT NOT NULL,
    curve TEXT,
    series TEXT,
    events BLOB,
    final_states BLOB,
    PRIMARY KEY (scenario_digest, plan, seed, replication, version)
);
"""


def default_store_path() -> Path:
    env = os.environ.get("GRIDMUSTER_STORE")
    return Path(env) if env else DEFAULT_STORE


@dataclass(frozen=True)
class StoredRun:
    id: int
    command: str
    scenario: str
    scenario_path: str | None
    scenario_digest: str
    kind: str
    plans: list[str]
    seed: int
    replications: int
    version: str
    started_at: float
    finished_at: float | None
    elapsed_s: float | None
    status: str
    out_dir: str | None
    result: dict[str, Any] | None


def _nan_to_none(d: dict[str, float]) -> dict[str, float | None]:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}


def _pack(obj: Any) -> bytes:
    return zlib.compress(json.dumps(obj).encode())


def _unpack(blob: bytes | None) -> Any:
    return json.loads(zlib.decompress(blob)) if blob else None


class RunStore:
    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else default_store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 60000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._tx() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so two writers queue rather than fail.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- runs -------------------------------------------------------------------------------
    def start_run(self, command: str, scenario: str, scenario_path: str | None, digest: str,
                  kind: str, plans: list[str], seed: int, replications: int,
                  out_dir: str | None) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO runs (command, scenario, scenario_path, scenario_digest, kind, plans,"
                " seed, replications, version, started_at, status, out_dir)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)",
                (command, scenario, scenario_path, digest, kind, json.dumps(plans), seed,
                 replications, __version__, time.time(), out_dir),
            )
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, result: dict[str, Any], elapsed_s: float,
                   status: str = "done") -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, elapsed_s = ?, status = ?, result = ? "
                "WHERE id = ?",
                (time.time(), elapsed_s, status, json.dumps(json_ready(result)), run_id),
            )

    def mark(self, run_id: int, status: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE runs SET status = ? WHERE id = ?", (status, run_id))

    def runs(self, limit: int = 50) -> list[StoredRun]:
        rows = self._db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [self._run(r) for r in rows.fetchall()]

    def run(self, run_id: int) -> StoredRun | None:
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return self._run(row) if row else None

    @staticmethod
    def _run(row: tuple[Any, ...]) -> StoredRun:
        (id_, command, scenario, path, digest, kind, plans, seed, reps, version, started,
         finished, elapsed, status, out_dir, result) = row
        return StoredRun(id_, command, scenario, path, digest, kind, json.loads(plans), seed,
                         reps, version, started, finished, elapsed, status, out_dir,
                         json.loads(result) if result else None)

    # --- replications -----------------------------------------------------------------------
    def save_replications(self, digest: str, plan: str, results: Iterable[ReplicationResult],
                          run_id: int | None = None) -> None:
        rows = [
            (digest, plan, r.seed, r.replication, __version__, run_id,
             json.dumps(_nan_to_none(r.metrics)),
             json.dumps(r.curve.tolist()) if r.curve is not None else None,
             json.dumps({k: v.tolist() for k, v in r.series.items()}) if r.series else None,
             _pack([list(e) for e in r.events]) if r.events else None,
             _pack(r.final_states) if r.final_states else None)
            for r in results
        ]
        with self._tx() as db:
            db.executemany(
                "INSERT OR REPLACE INTO replications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )

    def load_replications(self, digest: str, plan: str, seed: int, replications: Iterable[int]
                          ) -> dict[int, ReplicationResult]:
        wanted = set(replications)
        rows = self._db.execute(
            "SELECT replication, metrics, curve, series, events, final_states FROM replications"
            " WHERE scenario_digest = ? AND plan = ? AND seed = ? AND version = ?",
            (digest, plan, seed, __version__),
        ).fetchall()
        out = {}
        for rep, metrics, curve, series, events, states in rows:
            if rep not in wanted:
                continue
            m = {k: (math.nan if v is None else float(v)) for k, v in json.loads(metrics).items()}
            out[rep] = ReplicationResult(
                replication=rep,
                seed=seed,
                metrics=m,
                curve=np.array(json.loads(curve)) if curve else None,
                events=[EventRecord(*e) for e in (_unpack(events) or [])],
                final_states=_unpack(states) or {},
                series={k: np.array(v) for k, v in json.loads(series).items()} if series else {},
            )
        return out

    def count_replications(self, run_id: int | None = None) -> int:
        if run_id is None:
            return int(self._db.execute("SELECT COUNT(*) FROM replications").fetchone()[0])
        return int(self._db.execute("SELECT COUNT(*) FROM replications WHERE run_id = ?",
                                    (run_id,)).fetchone()[0])

    def integrity_ok(self) -> bool:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
