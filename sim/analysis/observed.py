"""Observed logs from real drills and events, read with line-numbered errors.

A kind that supports post-event review gives a ``ReviewSpec``: how to read its CSV log, the
observed values of its metrics, and the samples compared by the Kolmogorov–Smirnov distance.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.core.errors import Problem, ScenarioError
from sim.core.limits import csv_problem, csv_rows
from sim.present.i18n import _


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "label"  # "time" (minutes ≥ 0), "number" (≥ 0), "count" (whole ≥ 1), "label"
    required: bool = True
    allowed: frozenset[str] | None = None  # for labels: the valid values
    unique: bool = False  # an id: a repeated value is an error naming both lines


@dataclass(frozen=True)
class ObservedLog:
    rows: list[dict[str, Any]]  # valid rows, values converted
    rows_read: int
    skipped: list[Problem] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the file line of each valid row
    encoding: str = "utf-8"

    def column(self, name: str) -> np.ndarray:
        return np.array([r[name] for r in self.rows])


def read_log(text: str, columns: list[Column], source: str = "LOG.csv",
             skip_bad_rows: bool = False, max_rows: int | None = None,
             max_people: tuple[float, str] | None = None, people_column: str | None = None
             ) -> ObservedLog:
    """Every bad row is reported with its line, column and value. With ``skip_bad_rows`` the
    valid rows are used and the bad ones listed; otherwise any bad row is an error.

    Rows are checked as they are read, and reading stops at the first row past ``max_rows``
    or the first valid row that brings the people (one per row, or ``people_column``) past
    ``max_people`` (limit, what it is): a file of millions of rows is refused in the time and
    memory of the rows before it. A CSV that cannot be split into cells (a quote never
    closed, a cell longer than the csv module allows) is refused naming the line."""
    text = text.removeprefix("\ufeff")  # a BOM decoded as text (Excel's "CSV UTF-8")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text, source))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise ScenarioError([csv_problem(f"{source}: line 1", exc)]) from None
    header = [h.strip() for h in (fieldnames or [])]
    required = [c.name for c in columns if c.required]
    missing = [c for c in required if c not in header]
    if missing:
        raise ScenarioError([Problem(f"{source}: header", _("missing column(s) {missing}; "
                                                                 "expected at least {required}",
                                                                 missing=missing,
                                                                 required=required), header)])
    rows, bad, n, lines = [], [], 0, []
    seen: dict[tuple[str, str], int] = {}
    people = 0.0
    for raw in csv_rows(reader, lambda k: f"{source}: line {k}"):
        line = reader.line_num  # the last physical line of the row (quoted newlines count)
        n += 1
        if max_rows is not None and n > max_rows:
            raise ScenarioError([Problem(f"{source}: line {line}", _(
                "more than {n} rows (the most a file of this kind may have)", n=f"{max_rows:,}"))])
        raw = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        row, problem = {}, None
        for col in columns:
            value = raw.get(col.name, "")
            if value == "" and not col.required:
                continue
            where = f"{source}: line {line}, column {col.name}"
            problem = _check(col, value, where)
            if problem:
                break
            row[col.name] = _convert(col, value)
            if col.unique and value:
                first = seen.setdefault((col.name, value), line)
                if first != line:
                    problem = Problem(where, _("repeated id (first on line {first}); a log "
                                               "has one row per person or household",
                                               first=first), value)
                    break
        if problem:
            bad.append(problem)
        else:
            rows.append(row)
            lines.append(line)
            if max_people is not None:
                people += float(row.get(people_column, 1)) if people_column else 1.0
                if people > max_people[0]:
                    raise too_many_people(source, line, max_people, people)
    if bad and not skip_bad_rows:
        raise ScenarioError(bad + [Problem(source, _("{bad} bad row(s) of {n}; fix them or use "
                                                     "--skip-bad-rows to use the valid rows",
                                                     bad=len(bad), n=n))])
    if not rows:
        raise ScenarioError(bad + [Problem(source, "no valid rows")])
    return ObservedLog(rows, n, bad, lines)


def too_many_people(source: str, line: int, limit: tuple[float, str], total: float
                    ) -> ScenarioError:
    return ScenarioError([Problem(
        f"{source}: line {line}", f"the log has more people than {limit[1]} "
        f"({limit[0]:,.0f}); is it from another event, or are rows repeated?",
        f"{total:,.0f} people by this line")])


ENCODINGS = ("utf-8", "gb18030")  # tried in this order; GB18030 covers GBK and GB2312


def decode_log(data: bytes, source: str = "LOG.csv", encoding: str | None = None
               ) -> tuple[str, str]:
    """The text of a log file and the encoding it was read with. Offices save logs from Excel:
    UTF-8 (with a BOM for "CSV UTF-8") or, on Chinese Windows, GBK. Without ``encoding`` UTF-8
    is tried first (strict: GBK bytes of Chinese text are almost never valid UTF-8), then
    GB18030, a superset of GBK."""
    if encoding is not None:
        try:
            # rot13, base64, hex … are codecs too, but not text encodings (LookupError later)
            if not getattr(codecs.lookup(encoding), "_is_text_encoding", True):
                raise LookupError(encoding)
        except LookupError:
            raise ScenarioError([Problem("--encoding", "unknown encoding; e.g. utf-8, gbk, "
                                         "gb18030", encoding)]) from None
    tried = [encoding] if encoding else list(ENCODINGS)
    last = UnicodeDecodeError("utf-8", b"", 0, 0, "")
    for enc in tried:
        try:
            text = data.decode("utf-8-sig" if enc.replace("_", "-").lower() in ("utf-8", "utf8")
                               else enc)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        if "\x00" in text:
            raise ScenarioError([Problem(source, "looks like a binary or UTF-16 file; save it "
                                         "from Excel as CSV (UTF-8)")])
        return text, enc
    line = data[:last.start].count(b"\n") + 1
    raise ScenarioError([Problem(f"{source}: line {line}", _(
        "cannot be read as {encodings} (byte {byte}); save it as CSV UTF-8 or give --encoding",
        encodings=_(" or ").join(tried), byte=repr(data[last.start:last.start + 1])))])


def _delimiter(text: str, source: str) -> str:
    """Comma, or the semicolon that Excel writes where the decimal mark is a comma; a header
    with tabs is refused rather than read as one column."""
    first = text.split("\n", 1)[0]
    if "," not in first and ";" in first:
        if re.search(r"\d,\d", text):
            raise ScenarioError([Problem(f"{source}: line 1", "separated by ';' with decimal "
                                         "commas; save it with ',' between columns and '.' "
                                         "as the decimal mark")])
        return ";"
    if "," not in first and "\t" in first:
        raise ScenarioError([Problem(f"{source}: line 1", "separated by tabs; save it as CSV "
                                     "(comma-separated)")])
    return ","


def _check(col: Column, value: str, where: str) -> Problem | None:
    if col.kind == "label":
        if col.allowed is not None and value not in col.allowed:
            return Problem(where, _("unknown value; expected one of {values}",
                                    values=sorted(col.allowed)), value)
        return None
    try:
        x = float(value)
        if not math.isfinite(x):
            raise ValueError
    except ValueError:
        return Problem(where, "not a number", value)
    if x < 0:
        return Problem(where, "negative" + (" time (minutes after the start)"
                                            if col.kind == "time" else " value"), x)
    if col.kind == "count" and (x < 1 or not x.is_integer()):
        return Problem(where, "must be a whole number ≥ 1", value)
    return None


def _convert(col: Column, value: str) -> Any:
    if col.kind == "label":
        return value
    return int(float(value)) if col.kind == "count" else float(value)


# A sample compared by the KS distance: values, or (values, weights), e.g. arrival times of
# groups weighted by the people in each.
Sample = np.ndarray | tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class ReviewSpec:
    """How a kind is reviewed against an observed log.

    Every check compares like with like: the observed log's value with the same value computed
    from each simulated replication's own log (its own arrivals, counts and denominators), so
    that a log drawn from the model is exchangeable with the replications."""

    columns: list[Column]
    what: str  # "one row per person who checked in: t_min, role"
    # Observed values of the kind's metrics, given the simulated run (for sizes like a roster).
    observed_metrics: Callable[[ObservedLog, Any], dict[str, float]]
    # The same metrics per replication, computed as from a log of that replication.
    simulated_metrics: Callable[[ObservedLog, Any], dict[str, np.ndarray]]
    # The samples compared by the KS distance (descriptive): observed, and pooled.
    observed_sample: Callable[[ObservedLog], Sample]
    simulated_sample: Callable[[Any], Sample]
    # How many have arrived on the run's minute grid (a count, not a fraction), observed and
    # per replication (rows); optional.
    observed_curve: Callable[[ObservedLog, Any], np.ndarray] | None = None
    simulated_curves: Callable[[Any], np.ndarray] | None = None
    curve_label: str = "people checked in"
    event_word: str = "drills"  # "a log like this would be flagged in 5 % of <drills> …"
    sample_label: str = "times"
    # Columns that depend on the scenario (e.g. its checkpoint ids), from its model; optional.
    columns_for: Callable[[Any], list[Column]] | None = None
    # Whether ``simulated_sample`` reads the event records (then kept for every replication).
    needs_events: bool = True
    # The most people a log can hold (e.g. the roster) given the run, what that is in words,
    # and the column counting people per row (None: one per row); optional.
    capacity: Callable[[Any], tuple[float, str]] | None = None
    people_column: str | None = None
    # The same before any run, from the plan's model: an upper bound (so a log far too big is
    # refused while it is read), or None where only the run can tell.
    capacity_before: Callable[[Any], tuple[float, str]] | None = None

    def columns_of(self, model: Any) -> list[Column]:
        return self.columns_for(model) if self.columns_for is not None else self.columns

    def check_size(self, log: ObservedLog, run: Any, source: str) -> None:
        """More people in the log than could be there is an error at the first line too many."""
        if self.capacity is None:
            return
        limit, what = self.capacity(run)
        total = 0.0
        for row, line in zip(log.rows, log.lines or range(2, len(log.rows) + 2), strict=False):
            total += float(row.get(self.people_column, 1)) if self.people_column else 1.0
            if total > limit:
                raise too_many_people(source, line, (limit, what), total)


def per_run(run: Any, name: str, compute: Callable[[Any], Any]) -> Any:
    """``compute(run)``, kept on the run itself: reviewing many logs against the same
    replications reads each replication's records once (no process-wide cache)."""
    cache = run.extra.setdefault("review_cache", {})
    key = (name, tuple(r.replication for r in run.results))
    if key not in cache:
        cache[key] = compute(run)
    return cache[key]
