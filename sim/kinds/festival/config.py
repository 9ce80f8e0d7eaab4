"""The ``festival:`` section of a scenario file: demand, checkpoints, viewing points, staff.

Clock times are ``HH:MM`` on the festival day; times after midnight go on counting hours
(``24:15``, ``26:30``, ``50:00`` — as in transit timetables, with no upper limit), so that a night
shift ``16:00``–``24:15`` ends after it starts and a planner can run a day of any length.
Inside the model, time is minutes after ``day_start``. Checkpoints, viewing points, shifts and
team groups are mappings keyed by id, so that a plan can change one of them by name (plans
deep-merge into this section). Cross-field checks (shift order, lanes versus staff, the staff
pool, references between sections) are in ``problems`` and name the exact field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, Field, model_validator

from sim.core.config import PlanName, PlanPatch, ScenarioBase, StrictModel
from sim.core.distributions import Dist, Fixed
from sim.core.errors import Problem, join_path
from sim.core.limits import (
    DAY_MINUTES,
    ID_CHARS,
    MINUTES,
    RATE,
    RESOLUTION,
    ROLE_MEMBERS,
    SURGE,
    PlaceNameZh,
)
from sim.present.i18n import N_, _, is_zh, pick

StaffGroup = Literal["security", "medical", "tourist_order", "service_support", "emergency",
                     "volunteer"]
STAFF_GROUPS: tuple[str, ...] = get_args(StaffGroup)
_CLOCK_HELP = ("must be a clock time HH:MM with minutes 00–59; hours go past 24 for the next "
               "day (e.g. 26:30)")


def _clock(value: object) -> str:
    """``HH:MM`` (any number of hours); an unquoted ``13:00`` reaches us as YAML's sexagesimal
    integer 780 and is turned back into the clock time it was written as."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return f"{value // 60:02d}:{value % 60:02d}"
    if not isinstance(value, str):
        raise ValueError(_CLOCK_HELP)
    h, sep, m = value.strip().partition(":")
    if not (sep and h.isascii() and h.isdigit() and m.isascii() and m.isdigit() and len(m) == 2
            and int(m) < 60):
        raise ValueError(_CLOCK_HELP)
    return f"{int(h):02d}:{m}"


Clock = Annotated[str, BeforeValidator(_clock),
                  Field(description="HH:MM; hours past 24 for the next day(s), e.g. 26:30")]
NonNeg = Annotated[float, Field(ge=0, le=1e6)]
StaffCounts = dict[StaffGroup, Annotated[int, Field(ge=0, le=ROLE_MEMBERS)]]
Minutes = Annotated[float, Field(ge=0, le=MINUTES)]
Kmh = Annotated[float, Field(gt=0, le=300)]


def clock_min(text: str) -> float:
    h, m = text.split(":")
    return 60.0 * int(h) + int(m)


def _one() -> Fixed:
    return Fixed(value=1)


def _zero() -> Fixed:
    return Fixed(value=0)


class RateStep(StrictModel):
    """From clock time ``at`` on, visitors arrive at ``per_hour`` (until the next step)."""

    at: Clock
    per_hour: float = Field(ge=0, le=RATE, description="visitors per hour")


MAX_COUNTS = 100_000  # intervals of a mode's `counts` (also the rows of a counts_csv)


class Mode(StrictModel):
    """A way of arriving (highway exit by car, intercity rail, local roads, on foot)."""

    checkpoints: dict[str, NonNeg] = Field(min_length=1,
                                           description="checkpoint id -> share of this mode")
    group_size: Dist = Field(default_factory=_one, description="people per group (rounded, ≥ 1)")
    profile: list[RateStep] = Field(default_factory=list, max_length=10_000, description="piecewise rates")
    counts: list[Annotated[float, Field(ge=0, le=RATE)]] = Field(
        default_factory=list, max_length=MAX_COUNTS,
        description="visitors per interval from day_start (as a CSV)")
    interval_min: float = Field(default=60.0, ge=RESOLUTION, le=MINUTES,
                                description="length of a `counts` interval")
    arrivals: Literal["poisson", "regular"] = Field(
        default="poisson", description="Poisson process, or evenly spaced groups (tests, drills)")
    surge: bool = Field(default=True, description="the pre-tide surge applies to this mode")


class Surge(StrictModel):
    """Rates are multiplied by ``factor`` during the ``before_tide_min`` minutes before the tide."""

    before_tide_min: float = Field(default=0.0, ge=0, le=MINUTES)
    factor: float = Field(default=1.0, ge=0, le=SURGE)


class CheckType(StrictModel):
    """Service time of one group at a lane: per group plus the sum of per-person checks."""

    per_group: Dist = Field(default_factory=_zero)
    per_person: Dist = Field(default_factory=_zero)


class Shift(StrictModel):
    start: Clock
    end: Clock
    staff: StaffCounts = Field(default_factory=dict, description="people on duty by group")
    lanes: int | None = Field(default=None, ge=0, le=1000,
                              description="lanes this shift opens (default: staff // per lane)")

    def people(self) -> int:
        return sum(self.staff.values())


class Checkpoint(StrictModel):
    """A staffed multi-server queue (QR code / ID / temperature / ticket check)."""

    name: str = Field(default="", max_length=ID_CHARS, description="what planners call it")
    name_zh: str = Field(default="", max_length=ID_CHARS,
                         description="the name in Chinese (shown in 中文; default: name)")
    node: str = Field(max_length=ID_CHARS)
    check: str = Field(max_length=ID_CHARS, description="a key of check_types")
    lanes: int = Field(ge=1, le=1000, description="physical lanes")
    staff_per_lane: int = Field(default=2, ge=1, le=1000)
    roster: dict[str, Shift] = Field(min_length=1, description="shifts by name")
    queue_limit: int | None = Field(default=None, ge=0, le=10_000_000,
                                    description="people waiting; beyond it arriving groups "
                                    "are turned away or diverted")
    over_limit: Literal["turn_away", "divert"] = "turn_away"
    divert_to: str | None = None
    divert_min: float = Field(default=10.0, ge=0, le=MINUTES, description="minutes to the other checkpoint")
    grid: str = ""


class ViewingPoint(StrictModel):
    name_zh: PlaceNameZh = ""
    node: str
    area_m2: float = Field(gt=0, le=1e8, description="usable standing area")
    exit_width_m: float = Field(default=4.0, gt=0, le=10_000, description="width of the access path")
    weight: float = Field(default=1.0, ge=0, le=1e6, description="visitors' preference weight")
    stewards: StaffCounts = Field(default_factory=dict)
    grid: str = ""


class CrowdControl(StrictModel):
    """What stewards do when a viewing point reaches ``trigger_ppm2``."""

    rule: Literal["hold", "redirect", "none"] = "hold"
    trigger_ppm2: float = Field(default=4.0, gt=0, le=100)
    min_stewards: int = Field(default=2, ge=0, le=ROLE_MEMBERS, description="fewer on post: no control there")
    max_redirects: int = Field(default=2, ge=0, le=100, description="then the group is held")


class Stay(StrictModel):
    after_tide: Dist = Field(description="minutes after the tide until a group starts to leave")
    min_stay: Dist = Field(description="minutes a group stays at least")


class TeamGroup(StrictModel):
    """Teams that answer incidents (e.g. the 18 grid teams), spread over their bases."""

    count: int = Field(ge=0, le=ROLE_MEMBERS)
    members: StaffCounts = Field(default_factory=dict, description="per team")
    bases: list[str] = Field(min_length=1, description="walkway nodes, teams round-robin")
    speed_kmh: Kmh = 5.0


class IncidentType(StrictModel):
    """Incidents at each place: ``per_hour + per_1000_per_hour × people present / 1000``."""

    where: Literal["viewing_points", "checkpoints"] = "viewing_points"
    per_hour: float = Field(default=0.0, ge=0, le=RATE)
    per_1000_per_hour: float = Field(default=0.0, ge=0, le=RATE)
    above_ppm2: float = Field(default=0.0, ge=0, le=100, description="only while density is above this")
    teams: list[str] = Field(min_length=1, description="team groups that may answer")
    handle: Dist
    escalate: float = Field(default=0.0, ge=0, le=1,
                            description="share needing a command-centre decision")


class CommandCentre(StrictModel):
    desks: int = Field(default=2, ge=1, le=1000)
    decision: Dist = Field(default_factory=lambda: Fixed(value=3))


class FestivalParams(StrictModel):
    day_start: Clock = "05:00"
    day_end: Clock = "21:00"
    tide_time: Clock = "13:00"
    warm_up_until: Clock | None = Field(
        default=None, description="checkpoint wait statistics count only people arriving from "
        "this clock time on (the queue is built up before it); for sustained-load sizing")
    record_every_min: float = Field(default=5.0, ge=RESOLUTION, le=MINUTES)
    walk_kmh: Kmh = 3.6
    surge: Surge = Field(default_factory=Surge)
    modes: dict[str, Mode] = Field(min_length=1)
    check_types: dict[str, CheckType] = Field(min_length=1)
    checkpoints: dict[str, Checkpoint] = Field(min_length=1)
    viewing_points: dict[str, ViewingPoint] = Field(min_length=1)
    danger_ppm2: float = Field(default=4.0, gt=0, le=100)
    crowd_control: CrowdControl = Field(default_factory=CrowdControl)
    egress_flow_ppmm: float = Field(default=66.0, gt=0, le=1000, description="people per metre per minute")
    stay: Stay
    staff: StaffCounts = Field(default_factory=dict, description="the pool by group")
    staff_scale: dict[StaffGroup, Annotated[float, Field(ge=0, le=100)]] = Field(default_factory=dict,
                                                  description="plan knob: × every posting")
    teams: dict[str, TeamGroup] = Field(default_factory=dict)
    incidents: dict[str, IncidentType] = Field(default_factory=dict)
    command_centre: CommandCentre = Field(default_factory=CommandCentre)

    @model_validator(mode="after")
    def _demand_given(self) -> FestivalParams:
        for name, m in self.modes.items():
            if bool(m.profile) == bool(m.counts):
                raise ValueError(f"mode {name!r}: give exactly one of 'profile' or 'counts'")
        return self

    def t(self, clock: str) -> float:
        """Model minutes of a clock time."""
        return clock_min(clock) - clock_min(self.day_start)

    @property
    def horizon(self) -> float:
        return self.t(self.day_end)

    @property
    def warm_up(self) -> float:
        """Model minute from which wait statistics are taken (0: the whole day)."""
        return 0.0 if self.warm_up_until is None else self.t(self.warm_up_until)

    def scaled(self, group: str, n: int) -> int:
        return int(n * self.staff_scale.get(group, 1.0))  # type: ignore[call-overload]

    def posted(self) -> dict[str, int]:
        """People of each group the plan posts (``posted``), for callers that hold a plan but
        do not import this module (the field cases, loaded with ``gridmuster --help``)."""
        return posted(self)


class FestivalPlan(PlanPatch):
    """A festival plan: roles replaced whole, keys of the ``festival`` section overridden."""

    festival: dict[str, Any] | None = None


class FestivalScenario(ScenarioBase):
    kind: Literal["festival"]
    plans: Mapping[PlanName, FestivalPlan] = Field(default_factory=dict)
    festival: FestivalParams


def shift_lanes(cp: Checkpoint, shift: Shift, p: FestivalParams) -> int:
    """Lanes a shift opens: as given, but never more than its (scaled) staff can man."""
    staff = sum(p.scaled(g, n) for g, n in shift.staff.items())
    can = staff // cp.staff_per_lane
    return min(can if shift.lanes is None else min(shift.lanes, can), cp.lanes)


def problems(p: FestivalParams) -> list[Problem]:
    """Cross-field problems of the festival section, each with its exact field path."""
    out: list[Problem] = []

    def bad(*path: object, msg: str, value: object) -> None:
        out.append(Problem(join_path("festival", *path), msg, value))

    if p.t(p.day_end) <= 0:
        bad("day_end", msg=f"must be after day_start ({p.day_start})", value=p.day_end)
    elif p.horizon > DAY_MINUTES:  # the day's series and queues grow with its length
        bad("day_end", msg=_("the day may last at most {hours} hours from day_start ({start}); "
                             "this one lasts {length} (the day_minutes limit)",
                             hours=f"{DAY_MINUTES / 60:g}", start=p.day_start,
                             length=f"{p.horizon / 60:,.0f} h"), value=p.day_end)
    if not 0 <= p.t(p.tide_time) <= p.horizon:
        bad("tide_time", msg="must be between day_start and day_end", value=p.tide_time)
    if p.warm_up_until is not None and not 0 <= p.warm_up < p.horizon:
        bad("warm_up_until", msg=f"must be from day_start ({p.day_start}) and before day_end "
            f"({p.day_end})", value=p.warm_up_until)
    for name, m in p.modes.items():
        for cid in m.checkpoints:
            if cid not in p.checkpoints:
                bad("modes", name, "checkpoints", cid, msg="no checkpoint with this id", value=cid)
        if m.checkpoints and sum(m.checkpoints.values()) <= 0:
            bad("modes", name, "checkpoints", msg="shares must not all be 0",
                value=dict(m.checkpoints))
        for i in range(1, len(m.profile)):
            if clock_min(m.profile[i].at) <= clock_min(m.profile[i - 1].at):
                bad("modes", name, "profile", i, "at",
                    msg=f"must be after the previous step ({m.profile[i - 1].at})",
                    value=m.profile[i].at)
    for cid, cp in p.checkpoints.items():
        if cp.check not in p.check_types:
            bad("checkpoints", cid, "check",
                msg=f"not a check type ({', '.join(p.check_types)})", value=cp.check)
        if cp.over_limit == "divert":
            if cp.divert_to not in p.checkpoints or cp.divert_to == cid:
                bad("checkpoints", cid, "divert_to", msg="needs another checkpoint's id",
                    value=cp.divert_to)
            if cp.queue_limit is None:
                bad("checkpoints", cid, "queue_limit", msg="diversion needs a queue limit",
                    value=None)
        for sname, sh in cp.roster.items():
            if clock_min(sh.end) <= clock_min(sh.start):
                bad("checkpoints", cid, "roster", sname, "end",
                    msg=f"the shift ends before it starts ({sh.start})", value=sh.end)
            if sh.lanes is not None and sh.lanes * cp.staff_per_lane > sh.people():
                bad("checkpoints", cid, "roster", sname, "lanes",
                    msg=f"more lanes than the shift's {sh.people()} staff can man at "
                        f"{cp.staff_per_lane} per lane", value=sh.lanes)
            if sh.lanes is not None and sh.lanes > cp.lanes:
                bad("checkpoints", cid, "roster", sname, "lanes",
                    msg=f"more than the checkpoint's {cp.lanes} physical lanes", value=sh.lanes)
    if divert_order(p) is None:
        bad("checkpoints", msg="diversions form a loop", value=sorted(
            c for c, cp in p.checkpoints.items() if cp.over_limit == "divert"))
    if sum(v.weight for v in p.viewing_points.values()) <= 0:
        bad("viewing_points", msg="weights must not all be 0", value=0)
    for tname, team in p.teams.items():
        if team.count > 0 and sum(team.members.values()) == 0:
            bad("teams", tname, "members", msg="a team needs at least one member", value={})
    for iname, inc in p.incidents.items():
        for j, tname in enumerate(inc.teams):
            if tname not in p.teams:
                bad("incidents", iname, "teams", j, msg="no team group with this name",
                    value=tname)
    for group, need in posted(p).items():
        have = p.scaled(group, p.staff.get(group, 0))  # type: ignore[call-overload]
        if need > have:
            bad("staff", group, msg=f"the plan posts {need} people of this group but the pool "
                                    f"has {have}", value=have)
    return out


def posted(p: FestivalParams) -> dict[str, int]:
    """People of each group the plan posts (after ``staff_scale``); each is posted once."""
    out = dict.fromkeys(STAFF_GROUPS, 0)
    for cp in p.checkpoints.values():
        for sh in cp.roster.values():
            for g, n in sh.staff.items():
                out[g] += p.scaled(g, n)
    for vp in p.viewing_points.values():
        for g, n in vp.stewards.items():
            out[g] += p.scaled(g, n)
    for team in p.teams.values():
        for g, n in team.members.items():
            out[g] += p.scaled(g, n) * team.count
    return {g: n for g, n in out.items() if n}


def staffing(p: FestivalParams) -> dict[str, dict[str, Any]]:
    """Per staff group: the pool, how many the plan posts, and where (after ``staff_scale``):
    ``{"pool", "posted", "not_posted", "checkpoints": {id: {shift: n}}, "viewing_points":
    {id: n}, "teams": {group: n}}``; ``not_posted`` is pool − posted (never below 0)."""
    rows: dict[str, dict[str, Any]] = {}

    def row(g: str) -> dict[str, Any]:
        return rows.setdefault(g, {"checkpoints": {}, "viewing_points": {}, "teams": {}})

    for cid, cp in p.checkpoints.items():
        for sname, sh in cp.roster.items():
            for g, n in sh.staff.items():
                if p.scaled(g, n):
                    row(g)["checkpoints"].setdefault(cid, {})[sname] = p.scaled(g, n)
    for vid, vp in p.viewing_points.items():
        for g, n in vp.stewards.items():
            if p.scaled(g, n):
                row(g)["viewing_points"][vid] = p.scaled(g, n)
    for tname, team in p.teams.items():
        for g, n in team.members.items():
            if p.scaled(g, n) * team.count:
                row(g)["teams"][tname] = p.scaled(g, n) * team.count
    out: dict[str, dict[str, Any]] = {}
    for group in STAFF_GROUPS:
        pool = p.scaled(group, p.staff.get(group, 0))  # type: ignore[call-overload]
        if not pool and group not in rows:
            continue
        r = row(group)
        posted_n = (sum(sum(v.values()) for v in r["checkpoints"].values())
                    + sum(r["viewing_points"].values()) + sum(r["teams"].values()))
        out[group] = {"pool": pool, "posted": posted_n, "not_posted": max(pool - posted_n, 0),
                      **r}
    return out


# Staff groups as a planner names them (the same words as the dashboard's staffing editor).
GROUP_NAMES = {"security": N_("security"), "medical": N_("medical"),
               "tourist_order": N_("tourist order"), "service_support": N_("service support"),
               "emergency": N_("emergency management"), "volunteer": N_("volunteers")}


# The shift names of the bundled festival scenarios as a planner says them; a scenario may
# name others (``A``), shown as "A shift".
SHIFT_NAMES = {"night": N_("night shift"), "day": N_("day shift"),
               "evening": N_("evening shift"), "morning": N_("morning shift"),
               "afternoon": N_("afternoon shift"), "early": N_("early shift"),
               "late": N_("late shift")}


def shift_name(name: str) -> str:
    """A checkpoint's shift in the current language ("night" → "night shift", 夜班)."""
    known = SHIFT_NAMES.get(name)
    return _(known) if known else _("{name} shift", name=name)


# Incident types and team groups of the bundled festival scenarios as a planner names them (a
# scenario may name others: they are shown as the scenario names them).
INCIDENT_NAMES = {"medical": N_("medical emergency"), "lost_person": N_("lost person"),
                  "document": N_("document question"), "crush_risk": N_("crush risk")}
TEAM_NAMES = {"grid": N_("grid teams"), "medical": N_("medical teams"),
              "security": N_("security teams")}


def place_word(pid: str, name: str = "", name_zh: str = "") -> str:
    """A checkpoint or viewing point as a planner reads it: in 中文 by its Chinese name where
    it has one (its id otherwise); in English by its id, with its English name after it where
    it has one ("H1 Highway exit")."""
    if is_zh() and name_zh:
        return name_zh
    return f"{pid} {name}" if name and name != pid else pid


def team_name(team: str) -> str:
    """A team group as a planner names it ("grid" → "grid teams", 网格队伍); a group the
    scenario names itself ("boat") as "boat teams"."""
    known = TEAM_NAMES.get(team)
    return _(known) if known else _("{name} teams", name=team)


def group_name(group: str) -> str:
    """In 中文 the group's name; in English the code name the scenario file uses."""
    return _(GROUP_NAMES[group]) if is_zh() and group in GROUP_NAMES else group


def staffing_lines(p: FestivalParams) -> list[str]:
    """One line per staff group for `validate`: pool, posted, and where by kind of post."""
    lines = []
    for g, r in staffing(p).items():
        shifts: dict[str, int] = {}
        for per_shift in r["checkpoints"].values():
            for sname, n in per_shift.items():
                shifts[sname] = shifts.get(sname, 0) + n
        parts = []
        if shifts:
            parts.append(_("checkpoints {n} (by shift: {shifts})", n=sum(shifts.values()),
                           shifts=", ".join(f"{k} {v}" for k, v in shifts.items())))
        if r["viewing_points"]:
            parts.append(_("viewing points {n}", n=sum(r["viewing_points"].values())))
        if r["teams"]:
            parts.append(_("teams {teams}",
                           teams=", ".join(f"{k} {v}" for k, v in r["teams"].items())))
        lines.append(_("staff {group}: pool {pool}, posted {posted}", group=group_name(g),
                       pool=r["pool"], posted=r["posted"])
                     + (" — " + _("; ").join(parts) if parts else ""))
    return lines


def idle_at_checkpoints(p: FestivalParams) -> list[tuple[str, str, int, int]]:
    """(checkpoint, shift, staff posted, staff its lanes can use) of each shift that posts more
    (after ``staff_scale``) than ``lanes × staff_per_lane``: a lane is the server, so staff
    beyond the lanes the shift may open (its own ``lanes`` if set, at most the physical ones)
    check nobody and change no result, however many are posted."""
    out = []
    for cid, cp in p.checkpoints.items():
        for sname, sh in cp.roster.items():
            staff = sum(p.scaled(g, n) for g, n in sh.staff.items())
            lanes = cp.lanes if sh.lanes is None else min(sh.lanes, cp.lanes)
            usable = lanes * cp.staff_per_lane
            if staff > usable:
                out.append((cid, sname, staff, usable))
    return out


def staffing_warnings(p: FestivalParams) -> list[str]:
    """Staff on paper only, said with the numbers: staff posted at a checkpoint beyond what
    its lanes can use, and a pool larger than what the plan posts."""
    out = []
    for cid, sname, staff, usable in idle_at_checkpoints(p):
        cp = p.checkpoints[cid]
        out.append(_("checkpoint {cp} ({name}), {shift}: {staff} staff posted but its "
                     "lanes can use only {usable} ({lanes} lanes × {per} per lane); the other "
                     "{idle} check nobody and do not change the results",
                     cp=cid, name=pick(cp.name, cp.name_zh) or cid, shift=shift_name(sname),
                     staff=staff, usable=usable,
                     lanes=usable // cp.staff_per_lane, per=cp.staff_per_lane,
                     idle=staff - usable))
    for g, r in staffing(p).items():
        if r["not_posted"]:
            out.append(_("staff group {group}: the pool has {pool} but the plan posts {posted} "
                         "at checkpoints, viewing points and teams; {not_posted} are not "
                         "posted anywhere (they do not act in the model)",
                         group=group_name(g), pool=r["pool"], posted=r["posted"],
                         not_posted=r["not_posted"]))
    return out


def divert_order(p: FestivalParams) -> list[str] | None:
    """Checkpoints in an order where every diversion goes to a later one; None if a loop."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(c: str) -> bool:
        if state.get(c) == 2:
            return True
        if state.get(c) == 1:
            return False
        state[c] = 1
        cp = p.checkpoints[c]
        target = cp.divert_to if cp.over_limit == "divert" else None
        if target in p.checkpoints and target != c and not visit(target):  # type: ignore[arg-type]
            return False
        state[c] = 2
        order.append(c)
        return True

    for c in p.checkpoints:
        if not visit(c):
            return None
    return order[::-1]

# --- sense checks (``sim.core.sense``): plans that validate but cannot mean what was meant ---

def sense_errors(model: FestivalScenario) -> list[Problem]:
    p = model.festival
    out = []
    if model.forces:
        out.append(Problem("forces", _(
            "a festival scenario does not use forces (its staff are festival.staff and the "
            "postings); remove this section")))
    share: dict[str, float] = {}
    arrivals = 0.0
    for mode in p.modes.values():
        rate = sum(mode.counts) + sum(s.per_hour for s in mode.profile)
        arrivals += rate
        for cid, s in mode.checkpoints.items():
            if rate > 0 and s > 0:
                share[cid] = share.get(cid, 0.0) + s
    if arrivals == 0:
        out.append(Problem("festival.modes", _("no visitors arrive: every count and rate "
                                                      "is 0")))
    for cid, cp in p.checkpoints.items():
        if cid not in share:
            continue
        for sname, sh in cp.roster.items():
            if clock_min(sh.end) > clock_min(sh.start) and shift_lanes(cp, sh, p) == 0:
                out.append(Problem(join_path("festival", "checkpoints", cid, "roster", sname),
                                   _("visitors come to this checkpoint but this shift "
                                     "({start}–{end}) opens no lane (staff {staff}, {per} per "
                                     "lane)", start=sh.start, end=sh.end, staff=sh.people(),
                                     per=cp.staff_per_lane)))
    return out
