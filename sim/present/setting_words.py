"""A setting of a kind's plan section in a planner's words: ``grid_app.delivery.p90`` →
group "alert via the grid app", name "delay until the message arrives, 90th percentile", unit
"min".

The words come from the kind (``DashboardDefaults.setting_names`` and ``setting_units``, keyed
by a field name or by ``parent.field`` where one name means two things in the kind), from
the kind's breakdown row names and the role names (a dict keyed by roles, staff groups or
incident types), and from the shape of the section's pydantic model: a random delay's
parameters, a share between 0 and 1, a clock time, a unit in the field's name
(``horizon_min``, ``area_m2``). A key the planner chose (a checkpoint ``H1``, an assembly point
``North``) is their own name and is shown as written.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.core.assumptions import Assumption
from sim.core.catalogue import ROLE_NAMES, role_label
from sim.core.kind import AnyKind
from sim.core.paths import split_path
from sim.present.i18n import LANGS, N_, _, is_zh, use_lang
from sim.present.i18n import pick as in_lang

# The parameters of a random delay (``sim.core.distributions``), the same in every kind.
DIST_WORDS = {"dist": N_("shape of the spread"), "median": N_("median"),
              "p90": N_("90th percentile"), "low": N_("lowest"), "mode": N_("most likely"),
              "high": N_("highest"), "mean": N_("mean"), "value": N_("fixed value"),
              "values": N_("observed values (each equally likely)")}

# A random delay's shapes (its ``dist``), the same in every kind: the name and, in brackets,
# what it means for the times drawn.
SHAPE_WORDS = {"fixed": N_("fixed (always the same)"),
               "exponential": N_("exponential (many short, few long)"),
               "lognormal": N_("lognormal (skewed)"),
               "triangular": N_("triangular (lowest / most likely / highest)"),
               "empirical": N_("observed values")}

# Fields many kinds share, and what positions are given as.
COMMON_WORDS = {"id": N_("name"), "name": N_("name"), "name_zh": N_("name in Chinese"),
                "node": N_("road node"), "grid": N_("grid"),
                "lonlat": N_("position (longitude, latitude)"),
                "xy": N_("position (x, y)"), "role": N_("role"), "members": N_("people")}

# A unit written into a field's name (longest first: ``_mm_per_h`` before ``_h``).
SUFFIX_UNITS = (("_mm_per_h", N_("mm/h")), ("_m_per_mm", N_("m per mm of rain")),
                ("_ppmm", N_("people per metre per minute")), ("_ppm2", N_("people/m²")),
                ("_kmh", N_("km/h")), ("_min", N_("min")), ("_m2", N_("m²")),
                ("_mm", N_("mm")), ("_m", N_("m")), ("_h", N_("h")))

# The forces' rules as a planner says them (the YAML keeps the codes).
RULE_WORDS = {"count": N_("town-wide count"), "per_grid": N_("number per grid"),
              "per_residents": N_("one per so many residents"),
              "by_grid": N_("numbers by grid (roster)")}

SHARE = N_("share (0 to 1; 0.9 = 90 %)")
CLOCK = N_("clock time (HH:MM)")
MINUTES = N_("min")
DELAYS = "sim.core.distributions"  # the module of the random delays' models


@dataclass(frozen=True)
class SettingWords:
    group: str  # what the setting belongs to ("checkpoint: H1 Highway exit")
    name: str  # the setting within it ("lanes")
    unit: str  # "" when the value has none (a name, yes/no)
    # The codes the value may take when the model lists them (a ``Literal`` or a list of one),
    # else empty: the value is a number, a clock time or a name the planner chose.
    choices: tuple[str, ...] = ()
    shapes: bool = False  # the choices are a random delay's shapes (``lognormal``…)
    field: str = ""  # the model field the value belongs to (``over_limit``)
    many: bool = False  # a list of codes (the alert channels), not one


def _unwrap(tp: Any) -> Any:
    """The type itself, without ``Annotated`` and ``None`` (an optional setting)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def _members(tp: Any) -> list[Any]:
    """The models a field may hold (a random delay is one of several)."""
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(tp) for m in _members(a)]
    return [tp]


def _field(tp: Any, key: str) -> tuple[type[BaseModel], str, Any] | None:
    """(the model, the field's name, its info) for ``key`` of a model-typed value, else None
    (``key`` is then a key of a mapping)."""
    for m in _members(tp):
        if isinstance(m, type) and issubclass(m, BaseModel):
            for fname, info in m.model_fields.items():
                if key in (fname, info.alias):
                    return m, fname, info
    return None


def _codes(tp: Any) -> tuple[str, ...]:
    """The codes of a ``Literal`` type, or of a list of one; () for anything else."""
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (list, tuple, set):
        args = typing.get_args(tp)
        tp = _unwrap(args[0]) if args else tp
    if typing.get_origin(tp) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(tp))
    return ()


def _field_codes(tp: Any, fname: str) -> tuple[str, ...]:
    """The codes a field may take in any model ``tp`` may hold: a random delay's ``dist`` is
    one code per model of the union."""
    found: list[str] = []
    for m in _members(tp):
        if isinstance(m, type) and issubclass(m, BaseModel) and fname in m.model_fields:
            codes = _codes(m.model_fields[fname].annotation)
            if not codes:
                return ()
            found.extend(c for c in codes if c not in found)
    return tuple(found)


def _is_share(info: Any) -> bool:
    bounds = {type(c).__name__: getattr(c, "ge", getattr(c, "le", None))
              for c in info.metadata}
    return _unwrap(info.annotation) is float and bounds.get("Ge") == 0 and bounds.get("Le") == 1


def _is_clock(info: Any) -> bool:
    pattern = next((getattr(c, "pattern", None) for c in info.metadata
                    if getattr(c, "pattern", None)), None)
    text = f"{pattern or ''} {info.description or ''}"
    return ":" in str(pattern or "") or text.strip().startswith("HH:MM")


def _suffix_unit(name: str) -> str:
    return next((unit for suffix, unit in SUFFIX_UNITS if name.endswith(suffix)), "")


def _key_word(kind: AnyKind, parent: str, key: str, node: Any) -> str:
    """A key of a mapping: a role, a staff group, a word the kind names (``modes.walk``), or
    an item the planner named (checkpoint ``H1``), as written."""
    names = kind.dashboard.setting_names
    if f"{parent}.{key}" in names:
        word = _(names[f"{parent}.{key}"])
    elif key in COMMON_WORDS and not isinstance(node, dict):  # a setting the model leaves out
        word = _(COMMON_WORDS[key])
    elif any(key in row for row in kind.value_names.values()):  # a kind's own group first
        word = next(_(row[key]) for row in kind.value_names.values() if key in row)
    else:
        word = role_label(key)  # as written when it is no role either
    return _with_name(word, node)


def _with_name(word: str, node: Any) -> str:
    """An item with the name the planner gave it: ``H1`` → ``H1 Highway exit``; in 中文 its
    Chinese name alone where it has one (``1 村村委会``, not ``VC01 1 村村委会``: a place's
    Chinese name is its own in its list, ``errors.names_apart``, and an id such as
    ``village_committee`` is a word of the file, not of the planner)."""
    if not isinstance(node, dict):
        return word
    en, zh = node.get("name"), node.get("name_zh")
    if is_zh() and isinstance(zh, str) and zh:
        return zh
    name = in_lang(en if isinstance(en, str) else "", zh if isinstance(zh, str) else None)
    return word if not name or name == word else f"{word} {name}"


def setting_words(kind: AnyKind, path: Sequence[str | int], section: Mapping[str, Any]
                  ) -> SettingWords:
    """The words of the setting at ``path`` in the kind's plan ``section`` (as written, a plan
    applied), in the current language."""
    names, units = kind.dashboard.setting_names, kind.dashboard.setting_units
    tp: Any = kind.scenario_model.model_fields[kind.name].annotation
    node: Any = section
    words: list[str] = []
    unit, parent, dist_unit = "", "", MINUTES  # msgids, translated at the end
    container = False  # the last word names a list or a mapping of items
    choices: tuple[str, ...] = ()
    shapes = False
    for seg in path:
        node = node[seg] if _has(node, seg) else None
        args = typing.get_args(_unwrap(tp))
        found = None if isinstance(seg, int) else _field(tp, str(seg))
        if found is None:  # an item of a list or a mapping: the planner's, a role, a group
            if isinstance(seg, int):
                label = node.get("id") if isinstance(node, dict) else None
                word = _with_name(str(label), node) if label else _("no. {n}", n=seg + 1)
                tp = args[0] if args else Any
            else:
                word = _key_word(kind, parent, str(seg), node)
                tp = args[1] if len(args) == 2 else Any
            choices, shapes = _codes(tp), False
            if container and words:
                words[-1] = _("{what}: {which}", what=words[-1], which=word)
            else:
                words.append(word)
            container = False
            continue
        model, fname, info = found
        choices, shapes = _field_codes(tp, fname), model.__module__ == DELAYS
        if model.__module__ == DELAYS and str(seg) in DIST_WORDS:
            words.append(_(DIST_WORDS[str(seg)]))
            unit = "" if fname == "dist" else dist_unit
        else:
            named = names.get(f"{parent}.{fname}") or names.get(fname) or COMMON_WORDS.get(fname)
            words.append(_(named) if named else fname.replace("_", " "))
            unit = units.get(f"{parent}.{fname}") or units.get(fname) or str(
                SHARE if _is_share(info) else CLOCK if _is_clock(info) else _suffix_unit(fname))
            if any(getattr(m, "__module__", "") == DELAYS for m in _members(info.annotation)):
                unit = unit or MINUTES  # a random delay (or a number for a fixed one)
                dist_unit = unit
        parent = fname
        container = typing.get_origin(_unwrap(info.annotation)) in (dict, list)
        tp = info.annotation
    unit = _(unit) if unit else ""
    many = typing.get_origin(_unwrap(tp)) in (list, tuple, set)
    if len(words) == 1:
        return SettingWords(_("general"), words[0], unit, choices, shapes, parent, many)
    return SettingWords(words[0], _(", ").join(words[1:]), unit, choices, shapes, parent, many)


def value_word(kind: AnyKind, words: SettingWords, code: str) -> str:
    """One code of a listed value in the current language: a delay's shape, the kind's word
    for it, a row the kind names, a role; else the code as written."""
    table = kind.dashboard.value_words
    msgid = (SHAPE_WORDS.get(code) if words.shapes else None) \
        or table.get(f"{words.field}.{code}") or table.get(code) \
        or next((row[code] for row in kind.value_names.values() if code in row), None)
    if msgid:
        return _(msgid)
    return role_label(code) if code in ROLE_NAMES else code


def _items(words: SettingWords, text: str) -> list[str]:
    """The codes or words of a cell: a list's items (separated as either language does)."""
    found = re.split(r"[,，、;；]", text) if words.many else [text]
    return [x.strip() for x in found if x.strip()]


def value_text(kind: AnyKind, words: SettingWords, text: str) -> str:
    """A cell of codes (``grid_app, group_chat``) in the reader's words; any other cell as it
    is (a number, a clock time, a checkpoint the planner named)."""
    if not words.choices:
        return text
    shown = [value_word(kind, words, c) for c in _items(words, text)]
    return ("、" if is_zh() else ", ").join(shown)


def value_codes(kind: AnyKind, words: SettingWords, text: str) -> str:
    """A cell the planner edited back to codes: each item may be the words of either language
    or the code itself. Raises ``ValueError`` (a message in the reader's words) otherwise."""
    if not words.choices:
        return text
    known: dict[str, str] = {}
    for code in words.choices:
        known[_fold(code)] = code
        for lang in LANGS:
            with use_lang(lang):
                known.setdefault(_fold(value_word(kind, words, code)), code)
    items = _items(words, text)
    bad = [item for item in items if _fold(item) not in known]
    if bad:
        sep = "、" if is_zh() else ", "
        allowed = sep.join(f"“{value_word(kind, words, c)}”" for c in words.choices)
        raise ValueError(_("“{value}” is not one of the choices: {allowed}",
                           value=sep.join(bad), allowed=allowed))
    return ", ".join(known[_fold(item)] for item in items)


def _fold(text: str) -> str:
    """Words compared whatever their case, spacing and brackets' width (（） as ())."""
    text = text.replace("（", "(").replace("）", ")").replace("／", "/")
    return " ".join(text.casefold().split())


def _has(node: Any, seg: str | int) -> bool:
    if isinstance(node, list):
        return isinstance(seg, int) and -len(node) <= seg < len(node)
    return isinstance(node, dict) and seg in node


def assumption_label(kind: AnyKind, raw: Mapping[str, Any], assumption: Assumption) -> str:
    """An assumption's name in the reader's language: the planner's own (``label``, or
    ``label_zh`` in 中文); in 中文 without one, the words of its path (the scenario files'
    labels are English: "micro-grid heads per grid" read as such on a Chinese page)."""
    if not is_zh():
        return assumption.name
    if assumption.label_zh:
        return assumption.label_zh
    path = split_path(assumption.path)
    head = path[0] if path else ""
    if head == "forces" and len(path) == 3 and str(path[2]) in RULE_WORDS:
        return _("{what}: {which}", what=role_label(str(path[1])),
                 which=_(RULE_WORDS[str(path[2])]))
    section = raw.get(kind.name)
    if head == kind.name and len(path) > 1 and isinstance(section, Mapping):
        w = setting_words(kind, path[1:], section)
        text = _("{what}: {which}", what=w.group, which=w.name) if w.group != _("general") \
            else w.name
        unit = _("share 0–1") if w.unit == _(SHARE) else w.unit  # (a name, not a help text)
        # (not "lanes (lanes)": a count whose unit is what it counts)
        return _("{name} ({unit})", name=text, unit=unit) if unit and unit != w.name else text
    return assumption.name


def named(kind: AnyKind, raw: Mapping[str, Any], assumptions: Sequence[Assumption]
          ) -> list[Assumption]:
    """The assumptions with their names (``assumption_label``) and sources (``source_zh`` in
    中文 where given) in the reader's language, for the tables, charts and sentences of an
    analysis."""
    return [a.model_copy(update={"label": assumption_label(kind, raw, a),
                                 "source": in_lang(a.source, a.source_zh)}) for a in assumptions]
