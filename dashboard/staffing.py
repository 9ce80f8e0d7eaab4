"""The festival's staffing as one table of posts, instead of hundreds of dotted paths.

One row per post: each checkpoint's shifts (with their hours and lanes), each viewing point's
stewards, each team group (people per team, number of teams); one column per staff group. Below
it, the pool of each group with how many the edited plan posts and how many are left unposted,
and plain notes where an edit cannot change the results:

- a checkpoint shift opens ``min(staff // staff per lane, lanes)`` lanes (see
  ``sim.kinds.festival.config.shift_lanes``): staff beyond ``lanes × staff per lane`` open no
  lane, so they cannot shorten a queue;
- a viewing point's stewards act only as "enough or not" (crowd control needs
  ``crowd_control.min_stewards``), so a change that stays on the same side changes nothing;
- the pool only says who could be posted: staff not posted do not act in the model.

The edited plan is validated by the scenario's own checks (``parse_scenario``), like a file.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from sim.core.errors import ScenarioError
from sim.core.kind import find_kind
from sim.core.planedit import (
    force_rows,
    forces_from_rows,
    make_patch,
    param_rows,
    resolved,
    section_from_rows,
    with_plan,
)
from sim.core.scenario import Scenario, parse_scenario
from sim.present.i18n import N_, _

GROUPS: tuple[str, ...] = ("security", "medical", "tourist_order", "service_support",
                           "emergency", "volunteer")
GROUP_NAMES = {"security": N_("security"), "medical": N_("medical"),
               "tourist_order": N_("tourist order"), "service_support": N_("service support"),
               "emergency": N_("emergency management"), "volunteer": N_("volunteers")}
POST = "post"
TEAMS = "teams"


@dataclass(frozen=True)
class PostKey:
    """Where a row's numbers go in the festival section."""

    kind: str  # "shift", "stewards" or "team"
    place: str  # checkpoint id, viewing point id or team group name
    shift: str = ""


@dataclass(frozen=True)
class StaffEdit:
    """The staffing tables as edited: rows in the order of ``keys``, and the pool."""

    keys: tuple[PostKey, ...]
    rows: tuple[dict[str, Any], ...]
    pool: dict[str, int]


def section_of(raw: dict[str, Any], plan: str) -> dict[str, Any]:
    """The kind's section with posts to staff (empty when the kind has none)."""
    kind = find_kind(raw.get("kind"))
    name = kind.dashboard.staffing_section if kind is not None else None
    return dict(resolved(raw, plan).get(name) or {}) if name else {}


def has_posts(raw: dict[str, Any], plan: str) -> bool:
    sect = section_of(raw, plan)
    return bool(sect.get("checkpoints") or sect.get("viewing_points"))


def group_name(g: str) -> str:
    return _(GROUP_NAMES.get(g, g.replace("_", " ")))


def _int(v: Any) -> int:
    try:
        if v is None or (isinstance(v, float) and v != v):
            return 0
        return int(float(v))
    except (TypeError, ValueError):
        return 0


def post_table(raw: dict[str, Any], plan: str) -> tuple[list[PostKey], pd.DataFrame]:
    """The posts of a plan as a table (numbers as written, before any ``staff_scale``)."""
    sect = section_of(raw, plan)
    keys: list[PostKey] = []
    rows: list[dict[str, Any]] = []
    for cid, cp in (sect.get("checkpoints") or {}).items():
        name = cp.get("name") or cid
        for sname, sh in (cp.get("roster") or {}).items():
            keys.append(PostKey("shift", str(cid), str(sname)))
            rows.append({POST: _("{id} {name} · {shift} {start}–{end}").format(
                id=cid, name=name if name != cid else "", shift=sname,
                start=sh.get("start", "?"), end=sh.get("end", "?")),
                TEAMS: "", **{g: _int((sh.get("staff") or {}).get(g)) for g in GROUPS}})
    for vid, vp in (sect.get("viewing_points") or {}).items():
        keys.append(PostKey("stewards", str(vid)))
        rows.append({POST: _("viewing point {id}: stewards").format(id=vid), TEAMS: "",
                     **{g: _int((vp.get("stewards") or {}).get(g)) for g in GROUPS}})
    for tname, team in (sect.get("teams") or {}).items():
        keys.append(PostKey("team", str(tname)))
        rows.append({POST: _("{name} teams: people per team").format(name=tname),
                     TEAMS: str(_int(team.get("count"))),
                     **{g: _int((team.get("members") or {}).get(g)) for g in GROUPS}})
    frame = pd.DataFrame(rows, columns=[POST, *GROUPS, TEAMS])
    return keys, frame


def pool_of(raw: dict[str, Any], plan: str) -> dict[str, int]:
    return {g: _int((section_of(raw, plan).get("staff") or {}).get(g)) for g in GROUPS}


def apply(section: dict[str, Any], edit: StaffEdit) -> dict[str, Any]:
    """The festival section with the edited posts and pool written in (zeros left out)."""
    out = _fresh(section)
    for key, row in zip(edit.keys, edit.rows, strict=True):
        counts = {g: _int(row.get(g)) for g in GROUPS if _int(row.get(g))}
        if key.kind == "shift":
            out["checkpoints"][key.place]["roster"][key.shift]["staff"] = counts
        elif key.kind == "stewards":
            out["viewing_points"][key.place]["stewards"] = counts
        else:
            out["teams"][key.place]["members"] = counts
            out["teams"][key.place]["count"] = _int(row.get(TEAMS))
    staff = dict(out.get("staff") or {})
    for g, n in edit.pool.items():
        if n or g in staff:
            staff[g] = int(n)
    out["staff"] = staff
    return out


def _fresh(obj: Any) -> Any:
    """A deep copy with no shared parts: YAML anchors (``V2: {<<: *village}``) share one
    roster between checkpoints, and ``copy.deepcopy`` would keep it shared, so that editing
    V1's shift would edit V2's too."""
    if isinstance(obj, dict):
        return {k: _fresh(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_fresh(v) for v in obj]
    return copy.copy(obj)


def _scale(section: dict[str, Any], g: str) -> float:
    return float((section.get("staff_scale") or {}).get(g, 1.0))


def posted(section: dict[str, Any]) -> dict[str, int]:
    """People of each group the section posts (after ``staff_scale``), like the scenario's own
    ``sim.kinds.festival.config.posted``."""
    out = dict.fromkeys(GROUPS, 0)
    for cp in (section.get("checkpoints") or {}).values():
        for sh in (cp.get("roster") or {}).values():
            for g, n in (sh.get("staff") or {}).items():
                out[g] = out.get(g, 0) + int(_int(n) * _scale(section, g))
    for vp in (section.get("viewing_points") or {}).values():
        for g, n in (vp.get("stewards") or {}).items():
            out[g] = out.get(g, 0) + int(_int(n) * _scale(section, g))
    for team in (section.get("teams") or {}).values():
        for g, n in (team.get("members") or {}).items():
            out[g] = out.get(g, 0) + int(_int(n) * _scale(section, g)) * _int(team.get("count"))
    return out


def pool_table(section: dict[str, Any]) -> pd.DataFrame:
    """Per group: the pool, how many the plan posts, how many are unposted (or missing)."""
    done = posted(section)
    rows = []
    for g in GROUPS:
        pool = int(_int((section.get("staff") or {}).get(g)) * _scale(section, g))
        rows.append({_("staff group"): group_name(g), _("pool"): f"{pool:,}",
                     _("posted"): f"{done[g]:,}",
                     _("unposted"): f"{pool - done[g]:,}" if pool >= done[g]
                     else _("{n} short").format(n=f"{done[g] - pool:,}")})
    return pd.DataFrame(rows)


def _lanes(cp: dict[str, Any], sh: dict[str, Any], section: dict[str, Any]) -> int:
    """Lanes a shift opens (as ``shift_lanes``): as many as its staff can man, at most the
    shift's and the checkpoint's lanes."""
    staff = sum(int(_int(n) * _scale(section, g)) for g, n in (sh.get("staff") or {}).items())
    per = max(_int(cp.get("staff_per_lane", 2)), 1)
    can = staff // per
    if sh.get("lanes") is not None:
        can = min(can, _int(sh.get("lanes")))
    return min(can, _int(cp.get("lanes")))


def _controlled(vp: dict[str, Any], section: dict[str, Any]) -> bool:
    cc = section.get("crowd_control") or {}
    stewards = sum(int(_int(n) * _scale(section, g)) for g, n in (vp.get("stewards") or {}).items())
    return cc.get("rule", "hold") != "none" and stewards >= _int(cc.get("min_stewards", 2))


def lane_notes(section: dict[str, Any]) -> list[str]:
    """Shifts with more staff than their lanes can use (whatever the edit)."""
    out = []
    for cid, cp in (section.get("checkpoints") or {}).items():
        per = max(_int(cp.get("staff_per_lane", 2)), 1)
        for sname, sh in (cp.get("roster") or {}).items():
            staff = sum(int(_int(n) * _scale(section, g))
                        for g, n in (sh.get("staff") or {}).items())
            lanes = _lanes(cp, sh, section)
            if staff > lanes * per and lanes == _int(cp.get("lanes")):
                out.append(_("Checkpoint {id}, {shift} shift: {staff} staff, but its {lanes} "
                             "lanes need only {need} ({per} per lane); the other {extra} open "
                             "no lane.").format(id=cid, shift=sname, staff=staff, lanes=lanes,
                                                need=lanes * per, per=per,
                                                extra=staff - lanes * per))
    return out


def no_effect(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Edits that cannot change the results, each said in plain words with the reason."""
    out = []
    for cid, cp in (after.get("checkpoints") or {}).items():
        old_cp = (before.get("checkpoints") or {}).get(cid) or {}
        per = max(_int(cp.get("staff_per_lane", 2)), 1)
        for sname, sh in (cp.get("roster") or {}).items():
            old = (old_cp.get("roster") or {}).get(sname) or {}
            if (old.get("staff") or {}) == (sh.get("staff") or {}):
                continue
            lanes, old_lanes = _lanes(cp, sh, after), _lanes(old_cp, old, before)
            if lanes == old_lanes:
                why = (_("its {lanes} lanes are already all open (the physical maximum; "
                         "{per} staff per lane)").format(lanes=lanes, per=per)
                       if lanes == _int(cp.get("lanes")) else
                       _("it opens {lanes} lanes either way ({per} staff per lane)").format(
                           lanes=lanes, per=per))
                out.append(_("Checkpoint {id}, {shift} shift: this change cannot change the "
                             "queues or waits: {why}.").format(id=cid, shift=sname, why=why))
    min_stewards = _int((after.get("crowd_control") or {}).get("min_stewards", 2))
    for vid, vp in (after.get("viewing_points") or {}).items():
        old = (before.get("viewing_points") or {}).get(vid) or {}
        if (old.get("stewards") or {}) == (vp.get("stewards") or {}):
            continue
        if _controlled(vp, after) == _controlled(old, before):
            state = _("enough") if _controlled(vp, after) else _("too few")
            out.append(_("Viewing point {id}: this change cannot change the results: stewards "
                         "only decide whether the entrance can be held (at least {n} on post), "
                         "and there are {state} either way.").format(id=vid, n=min_stewards,
                                                                     state=state))
    changed = [group_name(g) for g in GROUPS
               if _int((before.get("staff") or {}).get(g)) != _int((after.get("staff") or {}).get(g))]
    if changed:
        out.append(_("The pool of {groups} changed: the pool only says who could be posted; "
                     "staff who are not posted do not act, so the pool alone cannot change the "
                     "results. Post them in the table above.").format(groups=", ".join(changed)))
    return out


def save_plan(s: Scenario, name: str, force_table: list[dict[str, Any]],
              param_table: list[dict[str, Any]], base: str, description: str,
              edit: StaffEdit) -> Scenario:
    """Like ``sim.core.planedit.save_plan``, with the edited posts and pool written in; the
    new plan is validated by the scenario's own checks (``ScenarioError`` with field paths)."""
    raw = s.raw
    forces = forces_from_rows(force_table)
    section = apply(section_from_rows(raw, base, param_table), edit)
    patch = make_patch(raw, forces, section, description, base)
    return parse_scenario(with_plan(raw, name, patch), s.base_dir)


CHECK_PLAN = "staffing_check"


def check(s: Scenario, base: str, edit: StaffEdit) -> list[tuple[str, str]]:
    """Problems of the edited staffing by the scenario's own checks (field path, message),
    e.g. more volunteers posted than the pool has; none when it passes."""
    bad = [(f"festival.teams.{k.place}.count", _("a whole number of teams (got {v})").format(
        v=repr(str(row.get(TEAMS, "")))))
           for k, row in zip(edit.keys, edit.rows, strict=True)
           if k.kind == "team" and not str(row.get(TEAMS, "")).strip().isdigit()]
    if bad:
        return bad
    try:
        save_plan(s, CHECK_PLAN, force_rows(s.raw, base), param_rows(s.raw, base), base, "",
                  edit)
    except ScenarioError as exc:
        prefix = f"plans.{CHECK_PLAN}."
        return [((p.path or "").removeprefix(prefix), str(p).split(": ", 1)[-1])
                for p in exc.problems]
    return []


def is_staff_row(parameter: str) -> bool:
    """Parameters shown in the staffing table (left out of the list of other settings)."""
    head = parameter.split(".")
    return (parameter.startswith("staff.") or ".staff." in parameter
            or ".stewards." in parameter or (head[0] == "teams" and len(head) >= 3
                                              and head[2] in ("members", "count")))


# --- the page part --------------------------------------------------------------------------

def editor(s: Scenario, base: str, key: str) -> StaffEdit:
    """The table of posts and the pool, editable; the pool / posted / unposted summary and the
    notes on edits that cannot change results. Returns the edit (for saving)."""
    raw = s.raw
    keys, frame = post_table(raw, base)
    st.markdown(_("**Staff at each post** — one row per checkpoint shift, viewing point and "
                  "team group; one column per staff group. Team rows give the people in one "
                  "team and the number of teams."))
    # The number of teams is text: blank on the other rows (a number column would say None).
    config = {POST: st.column_config.TextColumn(_("post"), disabled=True, width="medium"),
              TEAMS: st.column_config.TextColumn(_("teams"), width="small",
                                                 help=_("Number of teams (team rows only)."))}
    config.update({g: st.column_config.NumberColumn(group_name(g), min_value=0, step=1,
                                                    format="%d", width="small")
                   for g in GROUPS})
    edited = st.data_editor(frame, hide_index=True, key=f"{key}::posts", width="stretch",
                            num_rows="fixed", column_config=config, disabled=[POST])
    pool_base = pool_of(raw, base)
    st.markdown(_("**The pool** — everyone each group has; only those posted above act in "
                  "the model."))
    pool_frame = pd.DataFrame([{_("staff group"): group_name(g), _("pool"): pool_base[g]}
                               for g in GROUPS])
    pool_edit = st.data_editor(pool_frame, hide_index=True, key=f"{key}::pool",
                               num_rows="fixed", disabled=[_("staff group")],
                               column_config={_("pool"): st.column_config.NumberColumn(
                                   _("pool"), min_value=0, step=1, format="%d")})
    edit = StaffEdit(tuple(keys), tuple(_records(edited)),
                     {g: _int(v) for g, v in zip(GROUPS, pool_edit[_("pool")], strict=True)})
    before = section_of(raw, base)
    after = apply(before, edit)
    st.markdown(_("**Pool, posted and unposted** (after the plan's scaling, as the model "
                  "uses them)"))
    st.dataframe(pool_table(after), hide_index=True, key=f"{key}::summary")
    problems = check(s, base, edit)
    if problems:
        st.error(_("This staffing does not pass the scenario's checks:") + "\n\n"
                 + "\n".join(f"- `{path}`: {msg}" for path, msg in problems))
    for note in no_effect(before, after):
        st.warning(note)
    notes = lane_notes(after)
    if notes:
        st.caption(" ".join(notes))
    return edit


def _records(frame: pd.DataFrame) -> Sequence[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]
