"""Checkpoint lanes and check-in queues against queueing theory (Erlang C and B, Little's law)
and a shift roster that closes lanes (exact backlog)."""

from __future__ import annotations

import numpy as np

from sim.kinds.festival.checkpoint import LaneSchedule, serve
from sim.present.i18n import _
from sim.verify.case import Check, Context, Outcome, case
from sim.verify.figures import curve_svg
from sim.verify.queueing import erlang_b, erlang_c, mean_t, replication_note
from sim.verify.tiny import festival, muster, replicate, scenario

LANES = 3
MU = 1.0  # services per minute per lane
LOADS = (0.5, 0.8, 0.9, 0.95)

REPS_WHY = ("4 standard errors of the mean over {r} independent replications (the first 10 % "
            "of each discarded as warm-up from an empty queue): the sampling error of the "
            "simulation itself, estimated from the replications (the chance that a correct "
            "model falls outside is given with the result).")


def _mmc_run(rng: np.random.Generator, lam: float, n: int, limit: int | None = None
             ) -> tuple[float, float, float]:
    """(share who waited, mean wait, share turned away) after warm-up, on the real lanes."""
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    service = rng.exponential(1 / MU, n)
    out = serve(arrivals, service, np.ones(n, int), LaneSchedule.constant(LANES), limit)
    keep = slice(n // 10, None)
    wait = (out.start - arrivals)[keep]
    rejected = out.rejected[keep]
    served = ~rejected
    return (float(np.mean(wait[served] > 1e-12)), float(np.mean(wait[served])),
            float(np.mean(rejected)))


def _erlang_c_case(rho: float):  # noqa: ANN202 - a case factory
    lam = rho * LANES * MU

    def run(ctx: Context) -> Outcome:
        reps, n = ctx.n(6, 20), ctx.n(40_000, 200_000)
        if rho >= 0.9:  # heavy traffic relaxes slowly: longer runs for the same precision
            n *= 3
        rng = np.random.default_rng(int(rho * 1000))
        runs = [_mmc_run(rng, lam, n) for _ in range(reps)]
        pw, pw_se = mean_t([r[0] for r in runs])
        wq, wq_se = mean_t([r[1] for r in runs])
        p_exact, wq_exact = erlang_c(lam, MU, LANES)
        fig = None
        if rho == LOADS[-1]:
            fig = _erlang_figure(ctx)
        return Outcome([Check(_("probability of waiting"), p_exact, 4 * pw_se, pw),
                        Check(_("mean wait in queue"), wq_exact, 4 * wq_se, wq, "min")], fig,
                       notes=replication_note(reps, _("{n} groups each", n=f"{n:,}")))

    p, w = erlang_c(lam, MU, LANES)
    case(f"queues.erlang-c-{int(rho * 100)}", f"Checkpoint lanes at load ρ = {rho}: Erlang C",
         "queues", "Erlang C formula for M/M/c (queueing theory; parameters.md)",
         f"{LANES} lanes, exponential checks of mean 1 min each, Poisson arrivals at "
         f"{lam:g}/min (ρ = {rho}), served first come first served by the checkpoint's lane "
         f"code. Expected P(wait) = {p:.4f}, Wq = {w:.3f} min.",
         REPS_WHY.format(r="6 (quick) or 20"))(run)


def _erlang_figure(ctx: Context) -> str:
    rng = np.random.default_rng(7)
    rhos = np.linspace(0.3, 0.95, 40)
    exact = [erlang_c(r * LANES, MU, LANES)[1] for r in rhos]
    pts = [(r, _mmc_run(rng, r * LANES, ctx.n(30_000, 100_000))[1]) for r in (0.5, 0.7, 0.8,
                                                                             0.9, 0.95)]
    return curve_svg(rhos, exact, pts, _("load ρ"), _("mean wait in queue (min)"), "Erlang C",
                     _("simulated (one run each)"))


for _rho in LOADS:
    _erlang_c_case(_rho)


@case("queues.erlang-b", "A lane system with no waiting room loses Erlang B's share",
      "queues", "Erlang B formula for M/M/c/c (queueing theory)",
      "3 lanes, exponential checks of mean 1 min, Poisson arrivals at 2.5/min, and a queue "
      "limit of 0 people (a group that would have to wait is turned away).",
      "4 standard errors of the mean share turned away over independent replications.")
def erlang_b_case(ctx: Context) -> Outcome:
    rng = np.random.default_rng(11)
    runs = [_mmc_run(rng, 2.5, ctx.n(40_000, 200_000), limit=0) for _ in range(ctx.n(6, 20))]
    share, se = mean_t([r[2] for r in runs])
    return Outcome([Check(_("share turned away"), erlang_b(2.5, LANES), 4 * se, share)],
                   notes=replication_note(len(runs), _("Poisson arrivals")))


@case("queues.littles-law", "Little's law on the festival model's recorded queue", "queues",
      "Little's law L = λW (queueing theory), on the recorded time series",
      "A festival day of 3 h: 600 visitors/h (Poisson, one per group) through 3 lanes with "
      "exponential checks of mean 0.25 min (ρ = 0.83). L = mean of the recorded queue length "
      "(every minute); λW = visitors per minute × mean wait, both from the same replication.",
      "4 standard errors of the mean of L − λW over independent replications (the minute "
      "sampling of L adds noise, not bias, in a stationary queue).")
def littles_law(ctx: Context) -> Outcome:
    s = scenario(ctx.folder("little"), festival(), [("A", "B", 300.0), ("B", "C", 300.0)])
    diffs, ls = [], []
    for r in range(ctx.n(6, 20)):
        res = replicate(s, r, events=False)
        m = res.metrics
        queue = res.series["queue[checkpoint=X]"]
        lam = m["visitors"] / 180.0
        ls.append(float(queue.mean()))
        diffs.append(float(queue.mean()) - lam * m["wait_mean_min"])
    d, se = mean_t(diffs)
    return Outcome([Check(_("mean queue length minus λ × mean wait"), 0.0, 4 * se, d, "people")],
                   notes=_("Mean queue length {n} people.", n=f"{np.mean(ls):.3f}") + " "
                   + replication_note(len(diffs), _("a festival day")))


@case("queues.lane-closure-backlog", "A roster that closes lanes gives the exact backlog",
      "queues", "Hand calculation (deterministic fluid queue)",
      "One visitor every 0.5 min (regular arrivals), a fixed 1-minute check, 3 lanes "
      "(capacity 3/min); an inject closes 2 lanes from minute 60 for 30 min, so capacity drops "
      "to 1/min: the queue grows by 1 person/min to 30 at minute 90. At 90 the two reopened "
      "lanes each take one person at once (and one arrives): 28 wait, then the queue drains "
      "at 3 − 2 = 1 person/min and is empty at minute 90 + 28 = 118.",
      "Arrivals and check ends are discrete: a count may differ by one person at the instant "
      "of a change, so ±1 person; the clearing minute ±1 min.")
def lane_closure(ctx: Context) -> Outcome:
    data = festival(festival={
        "modes": {"road": {"arrivals": "regular",
                           "profile": [{"at": "05:00", "per_hour": 120}]}},
        "check_types": {"scan": {"per_person": 1}}},
        injects=[{"t_min": 60, "type": "checkpoint_lane_closed", "checkpoint": "X", "lanes": 2,
                  "duration_min": 30}])
    s = scenario(ctx.folder("lanes"), data, [("A", "B", 300.0), ("B", "C", 300.0)])
    res = replicate(s, events=False)
    q = res.series["queue[checkpoint=X]"]
    clear = next((t for t in range(91, q.size) if q[t] == 0), float("nan"))
    fig = curve_svg(range(q.size), q, [(60, 0), (90, 30), (90, 28), (118, 0)], _("minute of the day"),
                    _("people waiting"), _("simulated queue"), _("hand calculation"))
    return Outcome([Check(_("largest queue"), 30, 1, res.metrics["max_queue[checkpoint=X]"],
                          "people"),
                    Check(_("queue at minute 75 (half way)"), 15, 1, float(q[75]), "people"),
                    Check(_("minute the queue is empty again"), 118, 1, clear, "min")], fig)


@case("queues.desks-erlang-c", "Check-in desks at load ρ = 0.7: Erlang C", "queues",
      "Erlang C formula for M/M/c (queueing theory)",
      "An assembly point with 2 desks and exponential check-in of mean 1 min; 1,200 people "
      "arrive ready at the assembly point at Poisson times (1.4/min, ρ = 0.7) as "
      "`reinforcement_arrives` injects, so the SimPy desks of the muster model see an M/M/2 "
      "queue. The first 10 % are discarded as warm-up.",
      "4 standard errors of the mean over independent replications (5 quick, 12 full); each "
      "replication is one muster day of about 860 minutes (the model's horizon is at most "
      "24 h), so this band is wider than the lane cases'.")
def desks_erlang_c(ctx: Context) -> Outcome:
    lam, desks, n = 1.4, 2, 1200
    pw, wq = [], []
    for r in range(ctx.n(5, 12)):
        rng = np.random.default_rng(100 + r)
        t = np.cumsum(rng.exponential(1 / lam, n))
        injects = [{"t_min": float(x), "type": "reinforcement_arrives", "role": "volunteer",
                    "count": 1, "node": "B", "to": "AP"} for x in t]
        data = muster({"GA": "A", "GB": "B"}, {"AP": "B"}, injects=injects,
                      muster={"checkin": {"dist": "exponential", "mean": 1},
                              "horizon_min": float(np.ceil(t[-1] + 120))})
        data["muster"]["assembly_points"][0]["desks"] = desks
        s = scenario(ctx.folder(f"desks-mmc-{r}"), data, [("A", "B", 100.0)])
        ev: dict[tuple[str, str], float] = {}
        for e in replicate(s, replication=r).events:
            ev.setdefault((e.entity_id, e.event), e.t_min)
        arrivals = sorted((t0, who) for (who, name), t0 in ev.items()
                          if name == "arrived" and not who.startswith("G"))
        waits = np.array([ev[(who, "checkin_start")] - t0 for t0, who in arrivals])[n // 10:]
        pw.append(float(np.mean(waits > 1e-12)))
        wq.append(float(np.mean(waits)))
    p_exact, w_exact = erlang_c(lam, 1.0, desks)
    (p, p_se), (w, w_se) = mean_t(pw), mean_t(wq)
    return Outcome([Check(_("probability of waiting at a desk"), p_exact, 4 * p_se, p),
                    Check(_("mean wait for a desk"), w_exact, 4 * w_se, w, "min")],
                   notes=replication_note(len(pw), _("{n} arrivals", n=f"{n:,}")))
