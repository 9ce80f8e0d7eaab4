"""A plan's staffing as one table of posts, instead of hundreds of dotted paths.

One row per post, one column per staff group; below it, the pool of each group with how many
the edited plan posts and how many are left unposted, and plain notes where an edit cannot
change the results. Which keys of the plan section are posts, shifts or the pool is the kind's
knowledge (``sim.core.staffing.StaffingLayout``, from ``Kind.dashboard.staffing``): this page
only shows the table and writes the edit back through the layout.

The edited plan is validated by the scenario's own checks (``parse_scenario``), like a file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from rich.cells import cell_len

from dashboard.page_common import records
from sim.core.errors import ScenarioError
from sim.core.kind import all_kinds, find_kind
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
from sim.core.staffing import Post, StaffingLayout, whole
from sim.present.i18n import _

POST = "post"
TEAMS = "number_of_teams"  # the table column with the number of teams (team rows)


@dataclass(frozen=True)
class StaffEdit:
    """The staffing tables as edited: the posts with their edited numbers, and the pool."""

    layout: StaffingLayout
    posts: tuple[Post, ...]
    pool: dict[str, int]


def layout_of(raw: dict[str, Any]) -> StaffingLayout | None:
    """The staffing layout of the scenario's kind (None: the kind has no posts to staff)."""
    kind = find_kind(raw.get("kind"))
    return kind.dashboard.staffing if kind is not None else None


def section_of(raw: dict[str, Any], plan: str) -> dict[str, Any]:
    """The kind's section with posts to staff (empty when the kind has none)."""
    layout = layout_of(raw)
    return dict(resolved(raw, plan).get(layout.section) or {}) if layout else {}


def has_posts(raw: dict[str, Any], plan: str) -> bool:
    layout = layout_of(raw)
    return layout is not None and bool(layout.posts(section_of(raw, plan)))


def _group_names() -> dict[str, str]:
    """Staff groups of every kind that posts staff: code → plain name (untranslated)."""
    return {g: name for kind in all_kinds() if kind.dashboard.staffing is not None
            for g, name in kind.dashboard.staffing.group_names.items()}


def is_group(code: str) -> bool:
    """Whether a column code is a staff group of some kind."""
    return code in _group_names()


def group_name(g: str) -> str:
    return _(_group_names().get(g, g.replace("_", " ")))


def post_table(raw: dict[str, Any], plan: str) -> tuple[list[Post], pd.DataFrame]:
    """The posts of a plan as a table (numbers as written, before any scaling)."""
    layout = layout_of(raw)
    if layout is None:
        return [], pd.DataFrame(columns=[POST, TEAMS])
    posts = layout.posts(section_of(raw, plan))
    rows = [{POST: p.label, TEAMS: "" if p.teams is None else str(p.teams),
             **{g: int(p.staff.get(g, 0)) for g in layout.groups}} for p in posts]
    return posts, pd.DataFrame(rows, columns=[POST, *layout.groups, TEAMS])


def edited(layout: StaffingLayout, posts: Sequence[Post], rows: Sequence[dict[str, Any]],
           pool: dict[str, int]) -> StaffEdit:
    """The edit: each post with its row's numbers (team rows: the number of teams too)."""
    return StaffEdit(layout, tuple(
        dataclasses.replace(p, staff={g: whole(row.get(g)) for g in layout.groups},
                            teams=None if p.teams is None else whole(row.get(TEAMS)))
        for p, row in zip(posts, rows, strict=True)), pool)


def apply(section: dict[str, Any], edit: StaffEdit) -> dict[str, Any]:
    """The section with the edited posts and pool written in."""
    return edit.layout.write(section, edit.posts, edit.pool)


def pool_table(layout: StaffingLayout, section: dict[str, Any]) -> pd.DataFrame:
    """Per group: the pool, how many the plan posts, how many are unposted (or missing)."""
    done, pools = layout.posted(section), layout.available(section)
    rows = []
    for g in layout.groups:
        pool = pools.get(g, 0)
        rows.append({_("staff group"): group_name(g), _("pool"): f"{pool:,}",
                     _("posted"): f"{done.get(g, 0):,}",
                     _("unposted"): f"{pool - done.get(g, 0):,}" if pool >= done.get(g, 0)
                     else _("{n} short", n=f"{done.get(g, 0) - pool:,}")})
    return pd.DataFrame(rows)


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


def check(s: Scenario, base: str, edit: StaffEdit, rows: Sequence[dict[str, Any]] = ()
          ) -> list[tuple[str, str]]:
    """Problems of the edited staffing by the scenario's own checks (field path, message),
    e.g. more volunteers posted than the pool has; none when it passes. ``rows`` are the
    table's rows as typed: a number of teams that is not a whole number is refused first."""
    bad = [(f"{edit.layout.section}.{p.teams_path}",
            _("a whole number of teams (got {v})", v=repr(str(row.get(TEAMS, "")))))
           for p, row in zip(edit.posts, rows, strict=True)
           if p.teams is not None and not str(row.get(TEAMS, "")).strip().isdigit()]
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


def is_staff_row(raw: dict[str, Any], parameter: str) -> bool:
    """Parameters shown in the staffing table (left out of the list of other settings)."""
    layout = layout_of(raw)
    return layout is not None and layout.is_staff_parameter(parameter)


# --- the page part --------------------------------------------------------------------------

def post_width(posts: Iterable[str]) -> int:
    """Pixels for the post column, so that nothing is cut off: as wide as the longest post (a
    checkpoint's name, shift and hours) at ~6.5 px a character cell, where a Chinese character
    takes two cells (as the command line's tables count them), at most 480."""
    longest = max((cell_len(p) for p in posts), default=10)
    return min(round(6.5 * longest) + 24, 480)


def editor(s: Scenario, base: str, key: str) -> StaffEdit:
    """The table of posts and the pool, editable; the pool / posted / unposted summary and the
    notes on edits that cannot change results. Returns the edit (for saving)."""
    raw = s.raw
    layout = layout_of(raw)
    assert layout is not None, "editor() is shown only for a kind with posts (has_posts)"
    posts, frame = post_table(raw, base)
    st.markdown(_("**Staff at each post** — one row per checkpoint shift, viewing point and "
                  "team group; one column per staff group. Team rows give the people in one "
                  "team and the number of teams."))
    # The number of teams is text: blank on the other rows (a number column would say None).
    # The post column is pinned, so that it stays in view when a narrow screen scrolls the
    # group columns (each as wide as its name) sideways.
    config = {POST: st.column_config.TextColumn(_("post"), disabled=True, pinned=True,
                                                width=post_width(str(v) for v in frame[POST])),
              TEAMS: st.column_config.TextColumn(_("teams"), width="small",
                                                 help=_("Number of teams (team rows only)."))}
    config.update({g: st.column_config.NumberColumn(group_name(g), min_value=0, step=1,
                                                    format="localized")
                   for g in layout.groups})
    table = st.data_editor(frame, hide_index=True, key=f"{key}::posts", width="stretch",
                           num_rows="fixed", column_config=config, disabled=[POST])
    pool_base = layout.pool(section_of(raw, base))
    st.markdown(_("**The pool** — everyone each group has; only those posted above act in "
                  "the model."))
    pool_frame = pd.DataFrame([{_("staff group"): group_name(g), _("pool"): pool_base[g]}
                               for g in layout.groups])
    pool_edit = st.data_editor(pool_frame, hide_index=True, key=f"{key}::pool",
                               num_rows="fixed", disabled=[_("staff group")],
                               column_config={_("pool"): st.column_config.NumberColumn(
                                   _("pool"), min_value=0, step=1, format="localized")})
    rows = records(table)
    edit = edited(layout, posts, rows,
                  {g: whole(v) for g, v in zip(layout.groups, pool_edit[_("pool")], strict=True)})
    before = section_of(raw, base)
    after = apply(before, edit)
    st.markdown(_("**Pool, posted and unposted** (after the plan's scaling, as the model "
                  "uses them)"))
    st.dataframe(pool_table(layout, after), hide_index=True, key=f"{key}::summary")
    problems = check(s, base, edit, rows)
    if problems:
        st.error(_("This staffing does not pass the scenario's checks:") + "\n\n"
                 + "\n".join(f"- `{path}`: {msg}" for path, msg in problems))
    for note in layout.no_effect(before, after):
        st.warning(note)
    notes = layout.remarks(after)
    if notes:
        st.caption(" ".join(notes))
    return edit
