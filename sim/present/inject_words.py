"""What an inject makes happen in the model, in the reader's words: the storyline tables of the
reports show it beside the facilitator's note, so a planner reads what was simulated ("grid
app down for 20 min"), not only what the players were told ("grid app down")."""

from __future__ import annotations

from typing import Any

from sim.core.catalogue import role_label, role_plural, value_label
from sim.core.kind import PlaceNames, find_kind
from sim.present.formatting import clock_minute, clock_time
from sim.present.i18n import N_, _, is_zh

# Exercise events (injects) of every kind, as the storyline table names them.
INJECT_NAMES = {
    "channel_outage": N_("alert channel down"), "checkpoint_lane_closed": N_("checkpoint lane "
                                                                             "closed"),
    "extra_rainfall": N_("extra rainfall"), "reinforcement_arrives": N_("reinforcement arrives"),
    "road_closed": N_("road closed"), "road_reopened": N_("road reopened"),
    "shelter_full": N_("shelter full"), "shelter_lost": N_("shelter lost"),
    "squad_delayed": N_("squad delayed"), "squad_redirected": N_("squad redirected"),
    "visitor_surge": N_("visitor surge"),
}


def inject_name(inject_type: str) -> str:
    """An inject's type as a planner names it, in the current language ("road closed")."""
    return _(INJECT_NAMES.get(inject_type, inject_type.replace("_", " ")))


def _number(x: Any) -> str:
    """A count or an amount as people write it: 1,200; 2.5 (never 1.2e+06)."""
    if not isinstance(x, int | float):
        return str(x)
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.6g}"


def _word(kind: str, code: str) -> str:
    """A code the kind names (a channel, a way of arriving) in the reader's words."""
    found = find_kind(kind)
    msgid = found.dashboard.value_words.get(code) if found is not None else None
    return _(msgid) if msgid else code


def _way(kind: str, mode: str) -> str | None:
    """A festival's way of arriving in the reader's words ("by rail"), if the kind names it."""
    found = find_kind(kind)
    msgid = found.dashboard.setting_names.get(f"modes.{mode}") if found is not None else None
    return _(msgid) if msgid else None


def inject_details(kind: str, inject_type: str, fields: dict[str, Any],
                   places: PlaceNames | None = None) -> str:
    """The inject's fields as a sentence; "" for a type this does not know (a kind defined
    elsewhere): the table then shows the facilitator's note alone. Grids, shelters and
    checkpoints by the names ``places`` gives them in 中文 (a summary's ``places_zh``)."""
    f = fields
    minutes = _number(f.get("duration_min", f.get("delay_min", 0)))
    if inject_type in ("road_closed", "road_reopened"):
        roads = ("、" if is_zh() else ", ").join(f"{a}–{b}" for a, b in f.get("edges", []))
        return (_("closed: the road {roads}", roads=roads) if inject_type == "road_closed"
                else _("open again: the road {roads}", roads=roads))
    if inject_type == "channel_outage":
        return _("{channel} down for {minutes} min", channel=_word(kind, f["channel"]),
                 minutes=minutes)
    if inject_type == "squad_delayed":
        who = role_plural(f["role"])
        if f.get("grid"):
            return _("{who} of grid {grid} who have not left yet set off {minutes} min later",
                     who=who, grid=value_label("grid", f["grid"], places), minutes=minutes)
        return _("{who} who have not left yet set off {minutes} min later", who=who,
                 minutes=minutes)
    if inject_type == "squad_redirected":
        return _("{who} who have not left yet go to {place} instead",
                 who=role_plural(f["role"]), place=f["to"])
    if inject_type == "reinforcement_arrives":
        text = _("reinforcements reach {node}: {who}, {count} in all", node=f["node"],
                 who=role_label(f["role"]), count=_number(f["count"]))
        return text + (_(", for {place}", place=f["to"]) if f.get("to") else "")
    if inject_type == "shelter_full":
        return _("shelter {shelter} takes nobody more",
                 shelter=value_label("shelter", f["shelter"], places))
    if inject_type == "shelter_lost":
        return _("shelter {shelter} can no longer be used (those inside stay)",
                 shelter=value_label("shelter", f["shelter"], places))
    if inject_type == "visitor_surge":
        way = _way(kind, f["mode"]) if f.get("mode") else None
        if way:  # a way of arriving the kind has words for ("by rail")
            return _("arrivals {way} × {factor} for {minutes} min", way=way,
                     factor=_number(f["factor"]), minutes=minutes)
        if f.get("mode"):  # one the scenario names itself
            return _("arrivals by {mode} × {factor} for {minutes} min", mode=f["mode"],
                     factor=_number(f["factor"]), minutes=minutes)
        return _("all arrivals × {factor} for {minutes} min", factor=_number(f["factor"]),
                 minutes=minutes)
    if inject_type == "checkpoint_lane_closed":
        return _("{lanes} lanes of checkpoint {checkpoint} closed for {minutes} min",
                 lanes=_number(f["lanes"]),
                 checkpoint=value_label("checkpoint", f["checkpoint"], places), minutes=minutes)
    if inject_type == "extra_rainfall":
        return _("{mm} mm more rain over {minutes} min", mm=_number(f["mm"]), minutes=minutes)
    return ""


def _minute(t: float, clock: str | None) -> str:
    """A minute of the storyline, with its clock time when the plan has one ("360 (11:00)"):
    a festival's planner reads the day by the clock."""
    if not clock:
        return f"{t:g}"
    shown = clock_time(clock_minute(clock) + t)
    return f"{t:g}（{shown}）" if is_zh() else f"{t:g} ({shown})"


def storyline(summaries: list[dict[str, Any]], clock: str | None = None
              ) -> tuple[list[str], list[list[str]]]:
    """The storyline table of a report (one row per inject of any plan, by minute): the
    minute, the inject, what the model does and, when any inject has one, the facilitator's
    note in the report's language (the catalogue has the bundled scenarios' notes); with
    ``clock`` (the clock time of minute 0, "HH:MM"), each minute's clock time. A summary
    written before injects kept their fields and note shows its label (the note, or the
    type) as what happens, as reports did then."""
    rows: dict[tuple[Any, ...], list[str]] = {}
    for s in summaries:
        for i in s.get("injects", []):
            fields = i.get("fields")
            note = i.get("note", "")
            what = inject_details(s["kind"], i["type"], fields, s.get("places_zh")) \
                if fields is not None else ""
            key = (i["t_min"], i["type"], what, note)
            rows[key] = [_minute(i["t_min"], clock), inject_name(i["type"]),
                         what or _(i["label"]),
                         _(note) if note else ""]
    body = [rows[k] for k in sorted(rows)]
    header = [_("minute"), _("inject"), _("what the model does")]
    if any(r[3] for r in body):
        return [*header, _("the facilitator's note")], body
    return header, [r[:3] for r in body]
