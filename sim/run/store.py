"""The run store: every run and comparison, and every finished replication, in SQLite.

Replications are written as they finish, keyed by (scenario digest, plan, seed, replication,
model version), so a sweep killed midway and restarted with ``--resume`` recomputes nothing
that finished. The model version is the release plus a digest of the model code
(``sim.model_version``), so results of other code are never reused. WAL journalling, a busy
timeout and one transaction per write let several processes share one store, and a process
killed at any point leaves a consistent file.

The store is a convenience, never a reason to lose a result: a damaged file is moved aside
(``runs.db.corrupt-<time>``) and a fresh store started with what could be read from it; a
write that fails (disk full, locked too long) is reported once and the run carries on
without recording. Runs left ``running`` by a dead process are marked ``interrupted`` at the
next start.
"""

from __future__ import annotations

import json
import math
import os
import socket
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from sim import model_version
from sim.core.errors import Problem, ScenarioError
from sim.core.results import EventRecord, ReplicationResult, json_ready
from sim.present.i18n import _

DEFAULT_STORE = Path.home() / ".gridmuster" / "runs.db"
INT64_MAX = 2**63 - 1  # SQLite's INTEGER range; bigger Python ints raise OverflowError
_T = TypeVar("_T")

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
    result TEXT,
    pid INTEGER,
    host TEXT,
    proc_start TEXT
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
# Columns added after the first release: older stores get them on opening.
_ADDED_RUN_COLUMNS = {"pid": "INTEGER", "host": "TEXT", "proc_start": "TEXT"}
_RUN_COLUMNS = ("id, command, scenario, scenario_path, scenario_digest, kind, plans, seed, "
                "replications, version, started_at, finished_at, elapsed_s, status, out_dir, "
                "result")
# Errors that mean the file itself is damaged (anything else is the disk, a lock, rights).
_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


def default_store_path() -> Path:
    env = os.environ.get("GRIDMUSTER_STORE")
    return Path(env) if env else DEFAULT_STORE


def check_int64(field: str, value: int) -> int:
    """A seed or id as SQLite can hold it, else a field error (not an OverflowError)."""
    if not 0 <= value <= INT64_MAX:
        raise ScenarioError([Problem(field, _("must be between 0 and {max} (the run store's "
                                              "integer range)", max=f"{INT64_MAX:,}"), value)])
    return value


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


# The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def _nan_to_none(d: dict[str, float]) -> dict[str, float | None]:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}


def _pack(obj: Any) -> bytes:
    return zlib.compress(json.dumps(obj).encode())


def _unpack(blob: bytes | None) -> Any:
    return json.loads(zlib.decompress(blob)) if blob else None


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class _Damaged(sqlite3.DatabaseError):
    """The integrity check found damage that no SQL statement has tripped over yet."""


def _damaged(exc: sqlite3.Error) -> bool:
    if isinstance(exc, _Damaged):
        return True
    name = getattr(exc, "sqlite_errorname", "")
    return name in _DAMAGED or "malformed" in str(exc) or "not a database" in str(exc)


def _proc_start(pid: int) -> str | None:
    """When a process started (clock ticks since boot, Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[19] if len(fields) > 19 else None


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
        if state[state.rindex(")") + 2:].startswith(("Z", "X")):  # killed, not yet reaped
            return False
    except OSError:
        pass
    now = _proc_start(pid)
    return started is None or now is None or now == started


class RunStore:
    """One SQLite file of runs and replications.

    ``on_warning`` is told (once each) when the file was damaged and replaced, or when the
    store stops recording because a write failed; ``warnings`` keeps the same messages."""

    def __init__(self, path: Path | str | None = None,
                 on_warning: Callable[[str], None] | None = None, read_only: bool = False):
        """``read_only``: the caller only reads (``runs list``): a damaged store is reported,
        never moved aside and replaced."""
        self.path = Path(path) if path else default_store_path()
        self.warnings: list[str] = []
        self._on_warning = on_warning
        self.failed: str | None = None  # why recording stopped, if it did
        self._db: sqlite3.Connection | None = None
        self._check_header()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._unusable(exc) from None
        try:
            self._db = self._open()
        except sqlite3.Error as exc:
            self._close_quietly()
            if not _damaged(exc):
                raise self._unusable(exc) from None
            if read_only:
                raise ScenarioError([Problem("--store", _(
                    "the run store {path} is damaged ({why}); it was left as it is (a command "
                    "that records runs, such as run or compare, moves it aside and recovers "
                    "what it can)", path=self.path, why=_reason(exc)), str(self.path))]
                ) from None
            self._replace_damaged(_reason(exc))
        self._mark_dead_runs()

    def _check_header(self) -> None:
        """Refuse a file that is not a SQLite database at all (a scenario or a summary given
        as --store by mistake): only a SQLite file can be a damaged store to move aside."""
        try:
            if not self.path.is_file():
                return
            with open(self.path, "rb") as fh:
                head = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise self._unusable(exc) from None
        if head and head != SQLITE_HEADER:
            raise ScenarioError([Problem("--store", _(
                "{path} is not a gridmuster run store (not a SQLite database); it was left as "
                "it is; give the path of a run store, or --no-store", path=self.path),
                str(self.path))])

    # --- opening, damage and failures -------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if self.path.exists() and not self.path.is_file():
            raise sqlite3.OperationalError("not a file")
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self._db = db
        db.execute("PRAGMA busy_timeout = 60000")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        # quick_check reads every page once (milliseconds for a store of a few MB): a
        # truncated or overwritten file is caught here, not halfway through a sweep.
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _Damaged(f"database disk image is malformed ({check})")
        with self._tx() as tx:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    tx.execute(statement)
            have = {row[1] for row in tx.execute("PRAGMA table_info(runs)")}
            for column, sql_type in _ADDED_RUN_COLUMNS.items():
                if column not in have:
                    tx.execute(f"ALTER TABLE runs ADD COLUMN {column} {sql_type}")
        return db

    def _unusable(self, exc: BaseException) -> ScenarioError:
        return ScenarioError([Problem("--store", _(
            "cannot use the run store {path}: {why}; give another --store PATH, or --no-store to "
            "run without recording", path=self.path, why=_reason(exc)), str(self.path))])

    def _replace_damaged(self, reason: str) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            # The WAL and shared-memory files go with it, renamed so SQLite still pairs them.
            for suffix in ("-wal", "-shm", ""):
                src = Path(f"{self.path}{suffix}")
                if src.exists():
                    os.replace(src, f"{aside}{suffix}")
            self._db = self._open()
        except (OSError, sqlite3.Error) as exc:
            self._close_quietly()
            raise ScenarioError([Problem(
                "--store", f"the run store {self.path} is damaged ({reason}) and could not be "
                f"replaced ({_reason(exc)}); move it away, or use --no-store", str(self.path))]
            ) from None
        runs, reps = self._salvage(aside)
        self._warn(f"the run store {self.path} was damaged ({reason}): moved it to {aside} and "
                   f"started a new one with {runs} runs and {reps} replications recovered "
                   "from it (--no-store runs without the store)")

    def _salvage(self, damaged: Path) -> tuple[int, int]:
        """Copy every row that can still be read from a damaged store into this one.

        Read from a copy whose header's page count is set to what the file holds: a
        truncated file otherwise fails on its first query. The damaged file is kept as it is."""
        work = damaged.with_name(damaged.name + ".salvage")
        try:
            data = bytearray(damaged.read_bytes())
            if len(data) >= 100 and data[:16] == SQLITE_HEADER:
                page = int.from_bytes(data[16:18], "big") or 65536
                data[28:32] = (len(data) // page).to_bytes(4, "big")
            work.write_bytes(bytes(data))
            src = sqlite3.connect(work, timeout=5)
        except (OSError, sqlite3.Error):
            work.unlink(missing_ok=True)
            return 0, 0
        try:
            return self._copy_rows(src, "runs"), self._copy_rows(src, "replications")
        finally:
            src.close()
            work.unlink(missing_ok=True)

    def _copy_rows(self, src: sqlite3.Connection, table: str) -> int:
        assert self._db is not None
        try:
            have = [row[1] for row in src.execute(f"PRAGMA table_info({table})")]
        except sqlite3.Error:
            return 0
        mine = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
        columns = [c for c in have if c in mine]
        if not columns:
            return 0
        select = f"SELECT rowid, {', '.join(columns)} FROM {table}"
        rows: dict[int, tuple[Any, ...]] = {}
        try:
            cur = src.execute(select + " ORDER BY rowid")
            while (row := cur.fetchone()) is not None:  # in order, up to the first bad page
                rows[row[0]] = row[1:]
        except sqlite3.Error:
            # Past the bad page, one row at a time, until a long run of rowids gives nothing.
            rowid, misses = max(rows, default=0), 0
            while misses < 10_000:
                rowid += 1
                try:
                    found = src.execute(select + " WHERE rowid = ?", (rowid,)).fetchone()
                except sqlite3.Error:
                    found = None
                if found is None:
                    misses += 1
                else:
                    misses = 0
                    rows[found[0]] = found[1:]
        marks = ", ".join("?" * len(columns))
        try:
            with self._tx() as tx:
                tx.executemany(f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "
                               f"VALUES ({marks})", list(rows.values()))
        except sqlite3.Error:
            return 0
        return len(rows)

    def _mark_dead_runs(self) -> None:
        """Runs of this host left ``running`` by a process that is gone were interrupted."""
        host = socket.gethostname()

        def mark(tx: sqlite3.Connection) -> None:
            rows = tx.execute("SELECT id, pid, proc_start FROM runs WHERE status = 'running'"
                              " AND host = ? AND pid IS NOT NULL", (host,)).fetchall()
            dead = [(run_id,) for run_id, pid, started in rows if not _alive(pid, started)]
            tx.executemany("UPDATE runs SET status = 'interrupted' WHERE id = ?", dead)

        self._write("mark interrupted runs", mark)

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if self._on_warning is not None:
            self._on_warning(message)

    def _write(self, what: str, fn: Callable[[sqlite3.Connection], _T]) -> _T | None:
        """One write transaction; if it fails, say so once and stop recording (the run goes on:
        its results still reach the output folder)."""
        if self.failed is not None or self._db is None:
            return None
        try:
            with self._tx() as tx:
                return fn(tx)
        except sqlite3.Error as exc:
            self.failed = _reason(exc)
            self._warn(f"the run store {self.path} could not {what} ({self.failed}); carrying "
                       "on without recording: results are still written to the output folder, "
                       "but this run cannot be resumed from the store (free space, or use "
                       "--store PATH elsewhere or --no-store)")
            return None

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise ScenarioError([Problem("--store", _(
                "cannot read the run store {path}: {why}; use --no-store to run without it",
                path=self.path, why=_reason(exc)), str(self.path))]) from None

    def _close_quietly(self) -> None:
        if self._db is not None:
            with suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def close(self) -> None:
        self._close_quietly()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        assert self._db is not None
        if self._db.in_transaction:
            # A Ctrl-C can land between BEGIN and the ``try`` below, or before a ROLLBACK: the
            # write it cut short is dropped now, or every later write (the run marked
            # interrupted) would fail as "a transaction within a transaction".
            self._db.execute("ROLLBACK")
        # BEGIN IMMEDIATE takes the write lock up front, so two writers queue rather than fail.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            with suppress(sqlite3.Error):  # SQLite may have rolled back already (disk full)
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- runs -------------------------------------------------------------------------------
    def start_run(self, command: str, scenario: str, scenario_path: str | None, digest: str,
                  kind: str, plans: list[str], seed: int, replications: int,
                  out_dir: str | None) -> int | None:
        """The new run's id, or None when the store could not record it."""
        check_int64("seed", seed)
        check_int64("replications", replications)
        pid = os.getpid()
        row = (command, scenario, scenario_path, digest, kind, json.dumps(plans), seed,
               replications, model_version(), time.time(), out_dir, pid, socket.gethostname(),
               _proc_start(pid))

        def insert(tx: sqlite3.Connection) -> int:
            cur = tx.execute(
                "INSERT INTO runs (command, scenario, scenario_path, scenario_digest, kind, plans,"
                " seed, replications, version, started_at, status, out_dir, pid, host,"
                " proc_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)", row)
            return int(cur.lastrowid or 0)

        return self._write("record the run", insert)

    def finish_run(self, run_id: int | None, result: dict[str, Any], elapsed_s: float,
                   status: str = "done") -> None:
        if run_id is None:
            return
        values = (time.time(), elapsed_s, status, json.dumps(json_ready(result)), run_id)
        self._write("record the finished run", lambda tx: tx.execute(
            "UPDATE runs SET finished_at = ?, elapsed_s = ?, status = ?, result = ? "
            "WHERE id = ?", values))

    def mark(self, run_id: int | None, status: str) -> None:
        if run_id is None:
            return
        self._write("mark the run", lambda tx: tx.execute(
            "UPDATE runs SET status = ? WHERE id = ?", (status, run_id)))

    def runs(self, limit: int = 50) -> list[StoredRun]:
        rows = self._read(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?",
                          (min(limit, INT64_MAX),))
        return [self._run(r) for r in rows]

    def run(self, run_id: int) -> StoredRun | None:
        check_int64("ID", run_id)
        rows = self._read(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,))
        return self._run(rows[0]) if rows else None

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
        version = model_version()
        rows = [
            (digest, plan, check_int64("seed", r.seed), r.replication, version, run_id,
             json.dumps(_nan_to_none(r.metrics)),
             json.dumps(r.curve.tolist()) if r.curve is not None else None,
             json.dumps({k: v.tolist() for k, v in r.series.items()}) if r.series else None,
             _pack(r.events) if r.events else None,  # (records are tuples: JSON arrays)
             _pack(r.final_states) if r.final_states else None)
            for r in results
        ]
        self._write("save finished replications", lambda tx: tx.executemany(
            "INSERT OR REPLACE INTO replications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows))

    def load_replications(self, digest: str, plan: str, seed: int, replications: Iterable[int]
                          ) -> dict[int, ReplicationResult]:
        """Stored replications of this scenario content, plan, seed and model code."""
        check_int64("seed", seed)
        wanted = set(replications)
        rows = self._read(
            "SELECT replication, metrics, curve, series, events, final_states FROM replications"
            " WHERE scenario_digest = ? AND plan = ? AND seed = ? AND version = ?",
            (digest, plan, seed, model_version()))
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
            return int(self._read("SELECT COUNT(*) FROM replications")[0][0])
        return int(self._read("SELECT COUNT(*) FROM replications WHERE run_id = ?",
                              (run_id,))[0][0])

    def integrity_ok(self) -> bool:
        return bool(self._read("PRAGMA integrity_check")[0][0] == "ok")
