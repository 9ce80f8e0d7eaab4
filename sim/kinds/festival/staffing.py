"""The festival's posts as one staffing table (``sim.core.staffing.StaffingLayout``): each
checkpoint's shifts (with their hours), each viewing point's stewards, each team group (people
per team, number of teams); the pool in ``staff`` and its scaling in ``staff_scale``.

Works on the ``festival`` section as written (a mapping before validation), since the
dashboard edits what the file says; the counting follows the scenario's own rules:

- a checkpoint shift opens ``min(staff // staff per lane, lanes)`` lanes (as
  ``sim.kinds.festival.config.shift_lanes``): staff beyond ``lanes × staff per lane`` open no
  lane, so they cannot shorten a queue;
- a viewing point's stewards act only as "enough or not" (crowd control needs
  ``crowd_control.min_stewards``), so a change that stays on the same side changes nothing;
- the pool only says who could be posted: staff not posted do not act in the model.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.core.staffing import Post, whole
from sim.kinds.festival.config import (
    GROUP_NAMES,
    STAFF_GROUPS,
    place_word,
    shift_name,
    team_name,
)
from sim.present.i18n import _

SHIFT, STEWARDS, TEAM = "shift", "stewards", "team"


def _fresh(obj: Any) -> Any:
    """A deep copy with no shared parts: YAML anchors (``V2: {<<: *village}``) share one
    roster between checkpoints, and ``copy.deepcopy`` would keep it shared, so that editing
    V1's shift would edit V2's too."""
    if isinstance(obj, Mapping):
        return {k: _fresh(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_fresh(v) for v in obj]
    return copy.copy(obj)


def _counts(raw: Any) -> dict[str, int]:
    return {g: whole((raw or {}).get(g)) for g in STAFF_GROUPS}


def _scale(section: Mapping[str, Any], g: str) -> float:
    return float((section.get("staff_scale") or {}).get(g, 1.0))


def _scaled(section: Mapping[str, Any], counts: Any) -> int:
    return sum(int(whole(n) * _scale(section, g)) for g, n in (counts or {}).items())


def _lanes(cp: Mapping[str, Any], sh: Mapping[str, Any], section: Mapping[str, Any]) -> int:
    """Lanes a shift opens (as ``shift_lanes``): as many as its staff can man, at most the
    shift's and the checkpoint's lanes."""
    per = max(whole(cp.get("staff_per_lane", 2)), 1)
    can = _scaled(section, sh.get("staff")) // per
    if sh.get("lanes") is not None:
        can = min(can, whole(sh.get("lanes")))
    return min(can, whole(cp.get("lanes")))


def _controlled(vp: Mapping[str, Any], section: Mapping[str, Any]) -> bool:
    cc = section.get("crowd_control") or {}
    return (cc.get("rule", "hold") != "none"
            and _scaled(section, vp.get("stewards")) >= whole(cc.get("min_stewards", 2)))


@dataclass(frozen=True)
class FestivalStaffing:
    """The festival section's posts, pool and notes (see the module's docstring)."""

    section: str = "festival"
    groups: tuple[str, ...] = STAFF_GROUPS
    group_names: Mapping[str, str] = field(default_factory=lambda: dict(GROUP_NAMES))

    def posts(self, section: Mapping[str, Any]) -> list[Post]:
        out = []
        for cid, cp in (section.get("checkpoints") or {}).items():
            post = _place_word(cid, cp)
            for sname, sh in (cp.get("roster") or {}).items():
                out.append(Post((SHIFT, str(cid), str(sname)), _(
                    "{post} · {shift} {start}–{end}", post=post, shift=shift_name(str(sname)),
                    start=sh.get("start", "?"), end=sh.get("end", "?")),
                    _counts(sh.get("staff"))))
        for vid, vp in (section.get("viewing_points") or {}).items():
            out.append(Post((STEWARDS, str(vid)), _(
                "viewing point {id}: stewards",
                id=_place_word(vid, vp)),
                _counts(vp.get("stewards"))))
        for tname, team in (section.get("teams") or {}).items():
            out.append(Post((TEAM, str(tname)),
                            _("{teams}: people per team", teams=team_name(str(tname))),
                            _counts(team.get("members")), teams=whole(team.get("count")),
                            teams_path=f"teams.{tname}.count"))
        return out

    def pool(self, section: Mapping[str, Any]) -> dict[str, int]:
        return _counts(section.get("staff"))

    def write(self, section: Mapping[str, Any], posts: Sequence[Post],
              pool: Mapping[str, int]) -> dict[str, Any]:
        """Zeros are left out of each post's counts; a pool of 0 is written only where the
        section named the group."""
        out: dict[str, Any] = _fresh(section)
        for post in posts:
            what, place = post.key[0], post.key[1]
            counts = {g: int(n) for g, n in post.staff.items() if int(n)}
            if what == SHIFT:
                out["checkpoints"][place]["roster"][post.key[2]]["staff"] = counts
            elif what == STEWARDS:
                out["viewing_points"][place]["stewards"] = counts
            else:
                out["teams"][place]["members"] = counts
                out["teams"][place]["count"] = int(post.teams or 0)
        staff = dict(out.get("staff") or {})
        for g, n in pool.items():
            if n or g in staff:
                staff[g] = int(n)
        out["staff"] = staff
        return out

    def posted(self, section: Mapping[str, Any]) -> dict[str, int]:
        """As the scenario's own ``sim.kinds.festival.config.posted``."""
        out = dict.fromkeys(STAFF_GROUPS, 0)
        for cp in (section.get("checkpoints") or {}).values():
            for sh in (cp.get("roster") or {}).values():
                for g, n in (sh.get("staff") or {}).items():
                    out[g] = out.get(g, 0) + int(whole(n) * _scale(section, g))
        for vp in (section.get("viewing_points") or {}).values():
            for g, n in (vp.get("stewards") or {}).items():
                out[g] = out.get(g, 0) + int(whole(n) * _scale(section, g))
        for team in (section.get("teams") or {}).values():
            for g, n in (team.get("members") or {}).items():
                out[g] = (out.get(g, 0)
                          + int(whole(n) * _scale(section, g)) * whole(team.get("count")))
        return out

    def available(self, section: Mapping[str, Any]) -> dict[str, int]:
        return {g: int(n * _scale(section, g)) for g, n in self.pool(section).items()}

    def no_effect(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
        out = []
        for cid, cp in (after.get("checkpoints") or {}).items():
            old_cp = (before.get("checkpoints") or {}).get(cid) or {}
            per = max(whole(cp.get("staff_per_lane", 2)), 1)
            for sname, sh in (cp.get("roster") or {}).items():
                old = (old_cp.get("roster") or {}).get(sname) or {}
                if (old.get("staff") or {}) == (sh.get("staff") or {}):
                    continue
                lanes, old_lanes = _lanes(cp, sh, after), _lanes(old_cp, old, before)
                if lanes == old_lanes:
                    why = (_("its {lanes} lanes are already all open (the physical maximum; "
                             "{per} staff per lane)", lanes=lanes, per=per)
                           if lanes == whole(cp.get("lanes")) else
                           _("it opens {lanes} lanes either way ({per} staff per lane)",
                             lanes=lanes, per=per))
                    out.append(_("Checkpoint {id}, {shift}: this change cannot change "
                                 "the queues or waits: {why}.", id=_place_word(cid, cp),
                                 shift=shift_name(sname), why=why))
        min_stewards = whole((after.get("crowd_control") or {}).get("min_stewards", 2))
        for vid, vp in (after.get("viewing_points") or {}).items():
            old = (before.get("viewing_points") or {}).get(vid) or {}
            if (old.get("stewards") or {}) == (vp.get("stewards") or {}):
                continue
            if _controlled(vp, after) == _controlled(old, before):
                state = _("enough") if _controlled(vp, after) else _("too few")
                out.append(_("Viewing point {id}: this change cannot change the results: "
                             "stewards only decide whether the entrance can be held (at least "
                             "{n} on post), and there are {state} either way.",
                             id=_place_word(vid, vp),
                             n=min_stewards, state=state))
        changed = [_(GROUP_NAMES[g]) for g in STAFF_GROUPS
                   if self.pool(before)[g] != self.pool(after)[g]]
        if changed:
            out.append(_("The pool of {groups} changed: the pool only says who could be "
                         "posted; staff who are not posted do not act, so the pool alone "
                         "cannot change the results. Post them in the table above.",
                         groups=", ".join(changed)))
        return out

    def remarks(self, section: Mapping[str, Any]) -> list[str]:
        """Shifts with more staff than their lanes can use."""
        out = []
        for cid, cp in (section.get("checkpoints") or {}).items():
            per = max(whole(cp.get("staff_per_lane", 2)), 1)
            for sname, sh in (cp.get("roster") or {}).items():
                staff = _scaled(section, sh.get("staff"))
                lanes = _lanes(cp, sh, section)
                if staff > lanes * per and lanes == whole(cp.get("lanes")):
                    out.append(_("Checkpoint {id}, {shift}: {staff} staff, but its "
                                 "{lanes} lanes need only {need} ({per} per lane); the other "
                                 "{extra} open no lane.",
                                 id=_place_word(cid, cp), shift=shift_name(sname), staff=staff,
                                 lanes=lanes,
                                 need=lanes * per, per=per, extra=staff - lanes * per))
        return out

    def is_staff_parameter(self, parameter: str) -> bool:
        head = parameter.split(".")
        return (parameter.startswith("staff.") or ".staff." in parameter
                or ".stewards." in parameter or (head[0] == "teams" and len(head) >= 3
                                                  and head[2] in ("members", "count")))


STAFFING = FestivalStaffing()


def _place_word(pid: Any, place: Mapping[str, Any]) -> str:
    """A checkpoint or viewing point of a plan's section (as written) as a planner reads it
    (``place_word``)."""
    return place_word(str(pid), str(place.get("name") or ""), str(place.get("name_zh") or ""))
