"""Limits at the input boundary: one table, and the checks that apply it before any work.

Everything a scenario can make the simulator do is bounded here or by a ``le=`` in the models
that cites this table, so that no input can hang the process, exhaust its memory or read a file
outside the scenario's folder. The README's "Input limits" table is this table.

- ``safe_yaml``: YAML with duplicate keys refused, aliases capped and counted *before*
  expansion (an alias bomb fails in milliseconds), and a cap on the values it expands to.
- ``check_values``: every number finite, every string and key of bounded length.
- ``confine``: a file a scenario names must resolve (symlinks followed) inside the scenario's
  folder or the data folder in ``GRIDMUSTER_DATA_DIR``; the file is never opened otherwise.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.core.errors import Problem, ScenarioError, join_path
from sim.core.names import CONTROL, CONTROL_IN_TEXT, control_rule
from sim.present.i18n import N_, _

MB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    name: str
    value: float
    meaning: str


LIMITS: tuple[Limit, ...] = (
    Limit("file_bytes", 5 * MB, "size of a scenario file or pasted text (bytes)"),
    Limit("data_file_bytes", 50 * MB, "size of a file a scenario names (GraphML, CSV), also "
          "once decompressed (.gz, .bz2)"),
    Limit("workbook_bytes", 100 * MB, "size of a spreadsheet (.xlsx) once unzipped"),
    Limit("workbook_parts", 1_000, "files inside a spreadsheet (.xlsx)"),
    Limit("yaml_aliases", 100, "YAML alias uses (`*name`) in one file"),
    Limit("yaml_values", 200_000, "values in a scenario after aliases are expanded"),
    Limit("yaml_depth", 50, "nesting depth of a scenario"),
    Limit("id_chars", 200, "length of an id, a name, a node or a key"),
    Limit("text_chars", 10_000, "length of any other text (descriptions, notes)"),
    Limit("grids", 10_000, "grids in a scenario"),
    Limit("residents", 1_000_000, "residents of one grid (and households of one grid)"),
    Limit("role_members", 1_000_000, "members of one role, a team group or a reinforcement"),
    Limit("people", 2_000_000, "responders (or hand-given households) in one plan"),
    Limit("rate_per_hour", 1_000_000, "an arrival or incident rate (per hour)"),
    Limit("surge_factor", 1_000, "a rate multiplier (pre-tide surge, visitor surge inject)"),
    Limit("minutes", 7 * 24 * 60, "any delay, time or duration (minutes)"),
    Limit("resolution_min", 0.1, "smallest update_min / record_every_min / interval_min"),
    Limit("network_nodes", 200_000, "nodes of a road network (villages x nodes per village)"),
    Limit("network_edges", 1_000_000, "edges of a road network read from GraphML"),
    Limit("day_minutes", 240 * 60, "length of a festival day, day_start to day_end (minutes)"),
    Limit("seed", 2**63 - 1, "a seed"),
    Limit("vary_values", 10_000, "values one `gridmuster optimise --vary` range may take"),
)
LIMIT = {lim.name: lim.value for lim in LIMITS}

FILE_BYTES = int(LIMIT["file_bytes"])
DATA_FILE_BYTES = int(LIMIT["data_file_bytes"])
ID_CHARS = int(LIMIT["id_chars"])
TEXT_CHARS = int(LIMIT["text_chars"])
GRIDS = int(LIMIT["grids"])
RESIDENTS = int(LIMIT["residents"])
ROLE_MEMBERS = int(LIMIT["role_members"])
PEOPLE = int(LIMIT["people"])
RATE = LIMIT["rate_per_hour"]
SURGE = LIMIT["surge_factor"]
MINUTES = LIMIT["minutes"]
RESOLUTION = LIMIT["resolution_min"]
NETWORK_NODES = int(LIMIT["network_nodes"])
# A place's (grid's, shelter's, assembly or viewing point's) optional name in Chinese, as
# ``catalogue.value_label`` and the maps show it in 中文: ``name_zh: PlaceNameZh = ""``.
PlaceNameZh = Annotated[str, Field(max_length=ID_CHARS, description="its name in Chinese "
                                   "(shown in 中文; default: its id)")]
NETWORK_EDGES = int(LIMIT["network_edges"])
DAY_MINUTES = LIMIT["day_minutes"]
WORKBOOK_BYTES = int(LIMIT["workbook_bytes"])
WORKBOOK_PARTS = int(LIMIT["workbook_parts"])
SEED = int(LIMIT["seed"])
VARY_VALUES = int(LIMIT["vary_values"])

DATA_DIR_ENV = "GRIDMUSTER_DATA_DIR"


def limits_table() -> str:
    """The limits as a Markdown table (the README's)."""
    rows = ["| limit | value | what it bounds |", "|---|---|---|"]
    rows += [f"| `{lim.name}` | {_shown(lim.value)} | {lim.meaning} |" for lim in LIMITS]
    return "\n".join(rows)


def _shown(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:g}"


def schema_limits() -> dict[str, dict[str, Any]]:
    """The table for the JSON Schema (``x-gridmuster-limits``): name → value and meaning."""
    return {lim.name: {"value": int(lim.value) if lim.value == int(lim.value) else lim.value,
                       "meaning": lim.meaning} for lim in LIMITS}


# --- YAML -------------------------------------------------------------------------------------

def _file_problem(message: str, value: Any = None) -> ScenarioError:
    return ScenarioError([Problem("(file)", message) if value is None
                          else Problem("(file)", message, value)])


def check_size(n_bytes: int, what: str = N_("the scenario")) -> None:
    if n_bytes > FILE_BYTES:
        raise _file_problem(_("{what} is {n} bytes; at most {limit}", what=_(what),
                                   n=f"{n_bytes:,}", limit=f"{FILE_BYTES:,}"))


def read_capped(path: Path, cap: int, field: str) -> bytes:
    """A file's bytes, refusing (without reading it all) one larger than ``cap``.

    ``stat`` is not trusted alone: files under /proc report size 0."""
    with open(path, "rb") as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ScenarioError([Problem(field, _("file larger than {n} bytes", n=f"{cap:,}"))])
    return data


def csv_problem(where: str, exc: csv.Error) -> Problem:
    """Why a CSV cannot be split into cells; ``where`` names the file and the line where the
    row that fails begins."""
    if "field larger than field limit" in str(exc):
        return Problem(where, _(
            "a cell longer than {n} characters: is a quote (\") never closed? Everything after "
            "it reads as one cell", n=f"{csv.field_size_limit():,}"))
    return Problem(where, _("not readable as CSV: {why}", why=str(exc)))


def csv_rows(reader: Any, where: Any) -> Iterator[Any]:
    """The rows of a ``csv`` reader, read one at a time (a limit on rows can stop early); a row
    that cannot be split into cells, or with a control character in a cell (a log's text reaches
    the terminal, reports and workbooks, as a scenario's does), raises ScenarioError at
    ``where(line)``, the line where it begins."""
    rows = iter(reader)
    while True:
        before = reader.line_num
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ScenarioError([csv_problem(where(before + 1), exc)]) from None
        cells = row.values() if isinstance(row, dict) else row
        bad = next((c for c in cells if isinstance(c, str) and CONTROL_IN_TEXT.search(c)), None)
        if bad is not None:  # (shown by its repr: every control character as an escape)
            raise ScenarioError([Problem(where(before + 1), control_rule(),
                                         bad if len(bad) <= 80 else bad[:80] + "...")])
        yield row


def _mark(node: yaml.Node) -> str:
    return _("line {n}", n=node.start_mark.line + 1)


class _Budget:
    """Alias uses seen while walking a composed document."""

    aliases = 0


_WALKING = -1
_INT_TAG = "tag:yaml.org,2002:int"
_INT_CHARS = 100  # digits (and _ or sign) of an integer; 10**18 has 19


def _walk(node: yaml.Node, path: tuple[Any, ...], depth: int, sizes: dict[int, int],
          problems: list[Problem], seen_aliases: _Budget) -> int:
    """Values ``node`` expands to (aliases counted in full); duplicate keys reported.

    The composed document shares an anchored node wherever it is aliased, so this walk is
    linear in the file even for an alias bomb: a node met again is an alias use, counted by
    its size without walking it again."""
    known = sizes.get(id(node))
    if known == _WALKING:  # `r: &r [*r]`: constructing it would recurse forever
        raise ScenarioError([Problem(join_path(*path) or "(file)", _(
            "an alias refers to the value that holds it ({where}); write the values out",
            where=_mark(node)))])
    if known is not None:  # an alias: the same node again, already walked
        seen_aliases.aliases += 1
        if seen_aliases.aliases > LIMIT["yaml_aliases"]:
            raise _file_problem(f"more than {LIMIT['yaml_aliases']:g} YAML aliases "
                                f"({_mark(node)}); write the values out")
        return known
    if depth > LIMIT["yaml_depth"]:
        raise _file_problem(f"nested deeper than {LIMIT['yaml_depth']:g} levels at {_mark(node)}")
    sizes[id(node)] = _WALKING  # a recursive alias meets this while the node is walked
    total = 1
    if (isinstance(node, yaml.ScalarNode) and node.tag == _INT_TAG
            and len(node.value) > _INT_CHARS):
        # Python refuses to convert more than 4,300 digits (ValueError); any such number is
        # far past every limit anyway.
        problems.append(Problem(join_path(*path) or "(file)", _(
            "number too large ({where})", where=_mark(node)), node.value[:20] + "..."))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else "?"
            if isinstance(k, yaml.ScalarNode) and key != "<<":
                if key in seen:
                    problems.append(Problem(join_path(*path, key), _("duplicate key ({where}); each key "
                                                              "may appear once", where=_mark(k))))
                seen.add(key)
            total += _walk(k, path, depth + 1, sizes, problems, seen_aliases)
            total += _walk(v, (*path, key) if key != "<<" else path, depth + 1, sizes,
                           problems, seen_aliases)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            total += _walk(v, (*path, i), depth + 1, sizes, problems, seen_aliases)
    if total > LIMIT["yaml_values"]:
        raise _file_problem(f"expands to more than {LIMIT['yaml_values']:,g} values (YAML "
                            f"aliases?) at {_mark(node)}")
    sizes[id(node)] = total
    return total


# The C parser when PyYAML has it (ten times faster); composing never expands aliases.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_yaml(text: str) -> Any:
    """Parse YAML text into plain data, refusing duplicate keys, deep nesting and alias
    bombs before anything is constructed."""
    check_size(len(text.encode("utf-8", "surrogatepass")))
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:  # the pure-Python composer on a very deep document
            raise _file_problem(f"nested deeper than {LIMIT['yaml_depth']:g} levels") from None
        if node is None:
            return None
        problems: list[Problem] = []
        _walk(node, (), 0, {}, problems, _Budget())
        if problems:
            raise ScenarioError(problems)
        return loader.construct_document(node)
    finally:
        loader.dispose()


# --- values -----------------------------------------------------------------------------------

def _items(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any, bool]]:
    """(path, value, is_key) for every value and key of a plain-data tree."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*path, str(k)), k, True
            yield from _items(v, (*path, str(k)))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _items(v, (*path, i))
    else:
        yield path, value, False


def check_values(raw: Any) -> list[Problem]:
    """Every number finite and every string (and key) of bounded length and free of control
    characters.

    Every text of a scenario may reach a terminal, a report or a spreadsheet (names of
    assembly points, shelters, checkpoints, teams, inject notes, objective descriptions...),
    so control characters are refused here, once for every field, not field by field: an ESC
    sequence would restyle the terminal, a NUL or a C1 byte break a workbook. Line breaks and
    tabs are allowed in values (multi-line descriptions), not in keys."""
    out = []
    for path, v, is_key in _items(raw, ()):
        where = join_path(*path)
        if isinstance(v, float) and not math.isfinite(v):
            out.append(Problem(where, _("must be a finite number"), v))
        elif isinstance(v, str):
            cap = ID_CHARS if is_key else TEXT_CHARS
            if len(v) > cap:
                what = (_("key of {n} characters; at most {cap}") if is_key
                        else _("text of {n} characters; at most {cap}"))
                out.append(Problem(where, what.format(n=f"{len(v):,}", cap=f"{cap:,}"),
                                   v[:40] + "..."))
            elif (CONTROL if is_key else CONTROL_IN_TEXT).search(v) \
                    and not (is_key and path[:-1] == ("plans",)):  # (plan names: their rule)
                # (the value is shown by its repr: every control character as an escape)
                out.append(Problem(where, control_rule(), v if len(v) <= 80 else v[:80] + "..."))
        elif isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**18:
            out.append(Problem(where, _("number too large"), v))
    return out


def _admits_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    return any(_admits_bool(a) for a in getattr(annotation, "__args__", ()) or ())


def _numeric(annotation: Any) -> bool:
    if annotation in (int, float):
        return True
    return any(_numeric(a) for a in getattr(annotation, "__args__", ()) or ())


class BoundaryModel(BaseModel):
    """Frozen, unknown keys refused, numbers finite, and ``true``/``false`` never a number
    (pydantic would read ``seed: true`` as 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fields = {(f.alias or name): f for name, f in cls.model_fields.items()}
        fields.update(cls.model_fields)
        out = data
        for key, value in data.items():
            field = fields.get(key) if isinstance(key, str) else None
            if field is None:
                continue
            marked = _mark_bools(field.annotation, value)
            if marked is not value:
                out = dict(out) if out is data else out
                out[key] = marked
        return out


class BoolNumber:
    """Stands in for a ``true``/``false`` given where a number is expected, so that pydantic
    reports it at its exact field path (and ``sim.core.config`` says what is wrong)."""

    def __init__(self, value: bool):
        self.value = value

    def __repr__(self) -> str:
        return "true" if self.value else "false"


def _mark_bools(ann: Any, v: Any) -> Any:
    """``v`` with every boolean that stands for a number replaced by a BoolNumber."""
    if isinstance(v, bool):
        return BoolNumber(v) if _numeric(ann) and not _admits_bool(ann) else v
    args = [a for a in getattr(ann, "__args__", ()) or () if a is not type(None)]
    if len(args) == 1 and getattr(ann, "__origin__", None) is not list:  # X | None
        return _mark_bools(args[0], v) if isinstance(v, dict | list | tuple) else v
    if isinstance(v, dict) and len(args) == 2:
        new = {k: _mark_bools(args[1], x) for k, x in v.items()}
        return new if any(new[k] is not v[k] for k in v) else v
    if isinstance(v, list | tuple) and args:
        item = args[0] if len(args) == 1 else None
        new_items = [_mark_bools(item if item is not None else args[min(i, len(args) - 1)], x)
                     for i, x in enumerate(v)]
        return new_items if any(a is not b for a, b in zip(new_items, v, strict=True)) else v
    return v


# --- files a scenario names -------------------------------------------------------------------

def data_roots(base_dir: Path) -> list[Path]:
    """Folders a scenario may read files from: its own, and ``$GRIDMUSTER_DATA_DIR``."""
    roots = [base_dir.resolve()]
    extra = os.environ.get(DATA_DIR_ENV)
    if extra:
        roots.append(Path(extra).resolve())
    return roots


def confine(base_dir: Path, name: Any, field: str) -> Path:
    """The path of a file a scenario names, or ScenarioError if it could lead outside the
    allowed folders. Nothing is opened here; the check is on the resolved path, so a symlink
    that points out is refused like ``../``."""
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError([Problem(field, _("must be a file name"), name)])
    if len(name) > 1000 or "\x00" in name:
        raise ScenarioError([Problem(field, _("not a usable file name"), name[:40])])
    given = Path(name)
    if given.is_absolute() or name.startswith("~"):
        raise ScenarioError([Problem(field, _("must be a path relative to the scenario's "
                                                   "folder, not an absolute path"), name)])
    if ".." in given.parts:
        raise ScenarioError([Problem(field, _("must stay inside the scenario's folder (no "
                                                   "'..')"),
                                     name)])
    roots = data_roots(base_dir)
    for root in roots:
        candidate = root / given
        try:
            resolved = candidate.resolve()
            present = candidate.exists() or candidate.is_symlink()
        except RuntimeError:  # a symlink loop (Python < 3.13)
            raise ScenarioError([Problem(field, _("cannot be resolved (a symlink loop?)"),
                                         name)]) from None
        except OSError:  # a name the file system cannot hold (too long, a loop...)
            raise ScenarioError([Problem(field, _("not a usable file name"),
                                         name[:40])]) from None
        if present:
            if not any(resolved.is_relative_to(r) for r in roots):
                raise ScenarioError([Problem(field, _("is a link to a file outside the "
                                                               "scenario's folder"), name)])
            # Only a regular file: a FIFO or a device would block or never end when read.
            if not resolved.is_file():
                raise ScenarioError([Problem(field, _("not a regular file"), name)])
            if resolved.stat().st_size > DATA_FILE_BYTES:
                raise ScenarioError([Problem(field, _("file larger than {n} bytes",
                                                               n=f"{DATA_FILE_BYTES:,}"), name)])
            return resolved
    where = " or ".join(str(r) for r in roots)
    raise ScenarioError([Problem(field, _("file not found in {where}", where=where), name)])


def named_file(base_dir: Path, name: str) -> Path | None:
    """The file ``name`` stands for if it is one a scenario may name (as ``confine``), else
    None. Never opens anything: used to find the files of a scenario's digest."""
    try:
        return confine(base_dir, name, "")
    except ScenarioError:
        return None
