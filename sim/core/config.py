"""The common part of every scenario file, and turning validation failures into Problems.

A scenario file is YAML (read with ``safe_load``) with a ``kind``; the kind's model (e.g.
``sim.kinds.muster.config.MusterScenario``) extends ``ScenarioBase`` with its own section. A staffing
plan is a patch over the scenario: it may replace whole roles under ``forces`` and override any
key of the kind's section. Loading and plan resolution live in ``sim.core.scenario``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from sim.core.assumptions import Assumption
from sim.core.errors import Problem, ScenarioError, join_path
from sim.core.forces import Grid, Role, RoleForce
from sim.core.injects import INJECT_TYPES, Inject
from sim.core.limits import (
    FILE_BYTES,
    GRIDS,
    ID_CHARS,
    SEED,
    TEXT_CHARS,
    BoolNumber,
    BoundaryModel,
    check_size,
    safe_yaml,
)
from sim.core.names import (
    CONTROL,
    CONTROL_IN_TEXT,
    control_rule,
    escaped,
    is_plan_name,
    plan_name_rule,
)
from sim.network.graph import NetworkSpec
from sim.present.i18n import N_, _

_UNION_TAGS = {"fixed", "exponential", "lognormal", "triangular", "empirical", *INJECT_TYPES}


def _plan_name(name: str) -> str:
    if not is_plan_name(name):  # it becomes part of file names (out/<scenario>-<plan>/)
        raise PydanticCustomError("plan_name", "{rule}", {"rule": plan_name_rule()})
    return name


def _no_control(text: str) -> str:
    if CONTROL.search(text):  # printed on the terminal: no ESC sequences
        raise PydanticCustomError("control_chars", "{rule}", {"rule": control_rule()})
    return text


def _no_control_in_text(text: str) -> str:
    if CONTROL_IN_TEXT.search(text):  # line breaks and tabs are fine in a description
        raise PydanticCustomError("control_chars", "{rule}", {"rule": control_rule()})
    return text


# A plan's name (a key of ``plans:``); see ``sim.core.names``.
PlanName = Annotated[str, AfterValidator(_plan_name)]
# A name shown on the terminal (one line) and free text such as a description.
Name = Annotated[str, AfterValidator(_no_control)]
Text = Annotated[str, AfterValidator(_no_control_in_text)]


class StrictModel(BoundaryModel):
    """Frozen, and unknown keys are errors (a typo must not be silently ignored); numbers are
    finite and never ``true``/``false`` (``sim.core.limits``)."""

    # Numbers are accepted where text is expected: an unquoted OSM node id `123` is an id.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              coerce_numbers_to_str=True)


class PlanPatch(StrictModel):
    """A named staffing plan: what it changes relative to the scenario. Each kind extends it
    with its own section (``muster: {...}``), a mapping deep-merged over the scenario's."""

    description: Text = ""
    # Shown instead of the plan's key (its name in the file, on the command line and in file
    # names) when the language is 中文 ("": not given): keys are identifiers such as
    # ``more_workers``, which a township's planner should not have to read on every page.
    name_zh: Name = Field(default="", max_length=ID_CHARS,
                          description="the plan's name in Chinese (方案名称), shown with --lang zh")
    # Shown instead of the description when the language is 中文 (None: not given).
    description_zh: Text | None = Field(default=None,
                                       description="the description in Chinese (方案说明)")
    forces: dict[Role, dict[str, Any]] = Field(
        default_factory=dict, description="roles replaced whole, e.g. {militia: {count: 200}}"
    )
    injects: list[dict[str, Any]] | None = Field(
        default=None, description="replaces the scenario's injects (an exercise storyline)")


class Objective(StrictModel):
    """An exercise objective: a metric that should be at least or at most a value."""

    description: str = ""
    # The description in Chinese, shown when the language is 中文 (None: not given, so that
    # summaries of scenarios without it stay as they were).
    description_zh: str | None = None
    metric: str = Field(max_length=ID_CHARS)
    at_least: float | None = None
    at_most: float | None = None
    statistic: Literal["mean", "p5", "p50", "p95"] = "mean"

    @model_validator(mode="after")
    def _one_bound(self) -> Objective:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of at_least or at_most")
        return self


class Drill(StrictModel):
    """The drill a scenario stands for, as the cover of a GB/T 46792 evaluation report names it
    (``gridmuster report --format gbt46792``). Every field is optional: what is not given is
    printed as "to be filled in", never guessed."""

    name: str = Field(default="", max_length=TEXT_CHARS, description="drill name (演练名称)")
    organiser: str = Field(default="", max_length=TEXT_CHARS,
                           description="organising unit (组织单位)")
    evaluation_group: str = Field(default="", max_length=TEXT_CHARS,
                                  description="evaluation group (评估组)")
    date: str = Field(default="", max_length=ID_CHARS, description="drill or evaluation date")
    place: str = Field(default="", max_length=TEXT_CHARS, description="drill place (演练地点)")
    exercise_type: Literal["", "live", "tabletop"] = Field(
        default="", description="live (实战演练) or tabletop (桌面演练)")


class ScenarioBase(StrictModel):
    name: Name = Field(min_length=1, max_length=ID_CHARS)
    kind: str
    description: Text = ""
    # Shown instead of name/description when the language is 简体中文 (empty: the English).
    name_zh: Name = Field(default="", max_length=ID_CHARS,
                          description="the scenario's name in Chinese (shown with --lang zh)")
    description_zh: Text = Field(default="", description="the description in Chinese")
    seed: int = Field(default=0, ge=0, le=SEED, description="default seed of `run` and `compare`")
    network: NetworkSpec
    grids: list[Grid] = Field(min_length=1, max_length=GRIDS)
    forces: dict[Role, RoleForce] = Field(default_factory=dict)
    # Each kind narrows this to its own plan patch (with its section).
    plans: Mapping[PlanName, PlanPatch] = Field(default_factory=dict)
    injects: list[Inject] = Field(default_factory=list, description="exercise storyline")
    objectives: list[Objective] = Field(
        default_factory=list, description="targets the after-action report checks")
    assumptions: list[Assumption] = Field(
        default_factory=list, description="assumed values with plausible ranges (sensitivity)")
    drill: Drill | None = Field(default=None, description="the drill, for evaluation reports")

    def grid_ids(self) -> list[str]:
        return [g.id for g in self.grids]


def _num(v: Any) -> Any:
    v = int(v) if isinstance(v, float) and v.is_integer() else v
    return f"{v:,}" if isinstance(v, int) and abs(v) >= 10_000 else v


# Lower bounds only: upper bounds read "at most …" / "less than …" in _friendly.
_BOUNDS = {"greater_than_equal": ("≥", "ge"), "greater_than": (">", "gt")}


def _friendly(err: dict[str, Any]) -> str:
    t, ctx = err["type"], err.get("ctx", {})
    if t == "missing":
        return _("required field is missing")
    if t == "extra_forbidden":
        return _("unknown key")
    if t == "less_than_equal":
        return _("at most {n}", n=_num(ctx["le"]))
    if t == "less_than":
        return _("less than {n}", n=_num(ctx["lt"]))
    if t == "finite_number":
        return _("must be a finite number")
    if t == "string_too_long":
        return _("at most {n} characters", n=_num(ctx["max_length"]))
    if t == "too_long":
        return _("at most {n} item(s)", n=_num(ctx["max_length"]))
    if t in _BOUNDS:
        sign, key = _BOUNDS[t]
        return _("must be {sign} {n}", sign=sign, n=_num(ctx[key]))
    if t == "literal_error":
        return _("must be one of {expected}", expected=ctx["expected"])
    if t == "union_tag_invalid":
        return _("unknown {key}; expected one of {expected}", key=ctx["discriminator"],
                 expected=ctx["expected_tags"])
    if t == "union_tag_not_found":
        return _("needs a {key} key", key=ctx["discriminator"])
    if isinstance(err.get("input"), BoolNumber):
        return _("must be a number, not true/false")
    if t in ("int_parsing", "int_type", "int_from_float"):
        return _("must be a whole number")
    if t in ("float_parsing", "float_type"):
        return _("must be a number")
    if t in ("dict_type", "model_type", "model_attributes_type"):
        return _("must be a mapping")
    if t == "list_type":
        return _("must be a list")
    if t in ("too_short",):
        return _("must have at least {n} item(s)", n=ctx.get("min_length"))
    if t in ("plan_name", "control_chars"):
        return str(err["msg"])  # already in the current language
    if t == "value_error":
        return _(str(err["msg"]).removeprefix("Value error, "))
    return str(err["msg"])


def _short(value: Any) -> Any:
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."


def problems_from(exc: ValidationError, prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """One Problem per pydantic error, with a dotted field path and the offending value."""
    out = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and (p in _UNION_TAGS or "[" in p))]
        msg = _friendly(dict(err))
        if err["type"] == "plan_name" and err["loc"][-1:] == ("[key]",):
            # plans["../x"]: the key itself is wrong (quoted: it may hold dots or brackets)
            key = str(err["loc"][-2])
            where = [p for p in err["loc"][:-2] if p not in _UNION_TAGS]
            path = join_path(*prefix, *where) + f"[{json.dumps(key, ensure_ascii=False)}]"
            out.append(Problem(path, msg, _short(key)))
            continue
        if err["loc"] and err["loc"][-1] == "[key]":
            msg = _("unknown name; {message}", message=msg)
            value = loc[-1] if loc else err.get("input")
        else:
            value = err.get("input")
        path = join_path(*prefix, *loc)
        if err["type"] == "missing":
            out.append(Problem(path, msg))
        else:
            out.append(Problem(path, msg, _short(value)))
    return out


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a scenario file into a mapping, or raise ScenarioError saying what is wrong."""
    if not path.is_file():
        raise ScenarioError([Problem("(file)", _("file not found"), str(path))])
    try:
        with open(path, "rb") as fh:
            data = fh.read(FILE_BYTES + 1)  # never read more than the limit
        check_size(len(data), N_("the file"))
        text = scenario_text(data, str(path))
    except OSError as exc:
        raise ScenarioError([Problem("(file)", _("cannot read file: {error}", error=exc),
                                     str(path))]) from None
    try:
        return parse_yaml(text)
    except (RecursionError, ValueError) as exc:  # a construct the YAML checks did not foresee
        raise ScenarioError([Problem("(file)", _("cannot read the YAML: {error}",
                                                 error=_short_reason(exc)), str(path))]) from None


def scenario_text(data: bytes, source: str) -> str:
    """A scenario file's bytes as text, or a problem saying the file is not UTF-8 text (a
    spreadsheet or an image given by mistake, say), with the first byte that is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem("(file)", _(
            "not UTF-8 text: byte {byte} at position {at}; a scenario is a YAML text file "
            "saved as UTF-8", byte=f"0x{data[exc.start]:02x}", at=exc.start + 1), source)]
                            ) from None


def _short_reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def parse_yaml(text: str) -> dict[str, Any]:
    if not text.strip():
        raise ScenarioError([Problem("(file)", _("the file is empty; expected a scenario mapping"))])
    try:
        data = safe_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _("line {line}, column {column}", line=mark.line + 1, column=mark.column + 1) \
            if mark else _("unknown line")
        raise ScenarioError(
            [Problem("(file)", _("YAML syntax error at {where}: {error}", where=where,
                                  error=exc.problem or exc))]
        ) from None
    except yaml.reader.ReaderError as exc:  # (a character no YAML text holds: not a text file)
        raise ScenarioError([Problem("(file)", _(
            "not a YAML text file: character {char} at position {at} cannot be in one",
            char=escaped(chr(exc.character) if isinstance(exc.character, int)
                         else str(exc.character)), at=exc.position + 1))]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem("(file)", _("YAML error: {error}",
                                                 error=_short_reason(exc)))]) from None
    if data is None:
        raise ScenarioError([Problem("(file)", _("the file is empty; expected a scenario mapping"))])
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem("(file)", "the file must be a mapping of keys to values",
                     type(data).__name__)]
        )
    return data


def merge_plan(base: dict[str, Any], patch: dict[str, Any], section: str) -> dict[str, Any]:
    """The scenario mapping with a plan applied: roles replaced whole, the section deep-merged."""
    merged = {k: v for k, v in base.items() if k != "plans"}
    if patch.get("forces"):
        forces = dict(merged.get("forces") or {})
        # A role is replaced whole so that switching `count` to `per_residents` is possible.
        forces.update(patch["forces"])
        merged["forces"] = forces
    if patch.get(section):
        merged[section] = deep_merge(merged.get(section) or {}, patch[section])
    if patch.get("injects") is not None:
        merged["injects"] = patch["injects"]
    return merged


def deep_merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = deep_merge(base.get(k), v) if k in base else v
        return out
    return patch


def leaf_paths(patch: dict[str, Any], section: str) -> list[str]:
    """Dotted paths a plan patch sets (used to tell plan problems from base problems)."""
    paths = [f"forces.{role}" for role in patch.get("forces") or {}]

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for k, v in value.items():
                walk(f"{prefix}.{k}", v)
        else:
            paths.append(prefix)

    if patch.get(section):
        walk(section, patch[section])
    if patch.get("injects") is not None:
        paths.append("injects")
    return paths


def touches(path: str, leaves: list[str]) -> bool:
    def norm(p: str) -> str:
        return p.replace("[", ".[")

    p = norm(path)
    return any(p == leaf or p.startswith(leaf + ".") or leaf.startswith(p + ".")
               for leaf in map(norm, leaves))
