"""Statistics: paired-difference CIs cover the truth at their nominal rate; the review's size
and power; censored percentiles."""

from __future__ import annotations

import math

from sim.present.i18n import _
from sim.run.experiments import run_replications
from sim.run.stats import paired_difference
from sim.verify import pending
from sim.verify.case import Check, Context, Outcome, case
from sim.verify.tiny import muster, scenario

PEOPLE = 50
TRUE_DIFF = PEOPLE * (math.exp(-10.5 / 10) - math.exp(-10.5 / 5))


@case("statistics.paired-ci-coverage", "Paired 95 % CIs cover a known difference 95 % of the "
      "time", "statistics",
      "Hand calculation of a known difference; nominal coverage of the paired t interval "
      "(NIST TN 1822 convergence and run-count practice)",
      f"{PEOPLE} people at their assembly point, fixed delays except preparation: exponential "
      "mean 10 min (plan a) or 5 min (plan b); mustered by 15 min iff preparation ≤ 10.5 min, "
      f"so the true mean difference of 'mustered by 15 min' is {PEOPLE}·(e^−1.05 − e^−2.1) = "
      f"{TRUE_DIFF:.3f} people. Each experiment runs 10 paired replications (common random "
      "numbers) on its own seed and computes the 95 % CI of the difference with the code "
      "every comparison uses.",
      "4 binomial standard errors √(0.95·0.05/M) of a coverage share over M experiments "
      "(M = 100 quick, 500 full): a correct interval is outside with probability 6e-5.")
def paired_coverage(ctx: Context) -> Outcome:
    data = muster({"GA": "A", "GB": "B"}, {"AP": "A"},
                  forces={"grid_head": {"per_grid": PEOPLE, "grids": ["GA"]}})
    data["muster"]["assembly_points"][0]["desks"] = PEOPLE
    data["plans"] = {p: {"muster": {"preparation": {"dist": "exponential", "mean": m}}}
                     for p, m in (("a", 10), ("b", 5))}
    s = scenario(ctx.folder("coverage"), data, [("A", "B", 100.0)])
    experiments = ctx.n(100, 500)
    covered = 0
    for seed in range(experiments):
        a, b = (run_replications(s.plan(p), range(10), 1000 + seed, keep_events=())
                for p in ("a", "b"))
        d = paired_difference([r.metrics["mustered_15min"] for r in a],
                              [r.metrics["mustered_15min"] for r in b])
        covered += d.ci95_low <= TRUE_DIFF <= d.ci95_high
    share = covered / experiments
    return Outcome([Check(_("share of 95 % intervals containing the true difference"), 0.95,
                          4 * math.sqrt(0.95 * 0.05 / experiments), share)],
                   notes=_("{n} experiments of 10 paired replications each", n=experiments))


SIZE = 0.05  # the review's stated false-alarm rate (its verdict says "flagged in 5 %")


def _binomial_allowance(m: int, p: float, risk: float = 1e-3) -> float:
    """The share above ``p`` that Binom(m, p) exceeds with probability below ``risk``."""
    from scipy.stats import binom  # deferred: scipy.stats (verification only)

    k = next(k for k in range(m + 1) if binom.sf(k, m, p) < risk)
    return k / m - p


@case("statistics.review-size", "The review's false-alarm rate is at most its stated size, "
      "and a drill 10 minutes late is caught", "statistics",
      "Hypothesis-test size and power (Monte-Carlo test, Westfall–Young max-T; the review "
      "states that a log like the one reviewed is flagged in 5 % of drills that went exactly "
      "as modelled)",
      "Youchegang cut to three villages (216 people on the roster, the bundled delays and "
      "modes). Check-in logs are drawn from the model itself, so nothing in them is unusual, "
      "and each is reviewed with the real review against 39 reference replications; groups of "
      "20 logs each have their own independent reference. Every log is then reviewed again "
      "with every check-in 10 minutes later (a drill whose preparation took 10 minutes more).",
      "Size: the count of flags among M logs is at most Binomial(M, 0.05); the allowance is "
      "the share that Binomial(M, 0.05) exceeds with probability below 0.001 (M = 100 quick: "
      "at most 13 flagged; M = 500 full: at most 41). The test may flag less often than 5 % "
      "(p-values in steps of 1/40 and ties make it conservative), so only too many flags "
      "fail. Power: stated requirement that at least 90 % of the late logs are flagged.")
def review_size(ctx: Context) -> Outcome:
    from sim.verify.review_size import review_flags  # deferred: runs the whole review (full cases only)

    groups = ctx.n(5, 25)
    flags = review_flags(groups, 20, SIZE, seed=5)
    m = flags.reviews
    return Outcome([Check(_("share of model-made logs flagged (false alarms)"), SIZE,
                          _binomial_allowance(m, SIZE), flags.rate, at_most=True),
                    Check(_("share of logs 10 minutes late flagged (power)"), 1.0, 0.1,
                          flags.power)],
                   notes=_("{flagged} of {m} model-made logs flagged; {late} of {m} late logs "
                           "flagged", flagged=flags.flagged, m=m, late=flags.late_flagged))


@case("statistics.censored-percentiles", "Censored percentiles are right on a hand example",
      "statistics", "Hand calculation (order statistics with right-censoring at the horizon)",
      "Ten people: seven mustered at 3, 5, 8, 10, 12, 15, 20 min, three not by the 60-min "
      "horizon. With linear interpolation between order statistics (Hyndman–Fan type 7, "
      "numpy's default), by hand the 50th percentile is 12 + 0.5·(15 − 12) = 13.5 min and the "
      "60th 15 + 0.4·(20 − 15) = 17 min; the 70th needs the 8th value, which is censored "
      "(more than 60 min).",
      "Exact order statistics: 1e-9 min.")
def censored(ctx: Context) -> Outcome:
    times = [3, 5, 8, 10, 12, 15, 20, math.inf, math.inf, math.inf]
    p50, p60, p70 = (pending.censored_percentile(times, q, horizon=60.0)
                     for q in (0.5, 0.6, 0.7))
    return Outcome([Check(_("50th percentile"), 13.5, 1e-9, p50, "min"),
                    Check(_("60th percentile"), 17, 1e-9, p60, "min"),
                    Check(_("70th percentile reported as censored (1 = yes)"), 1, 0,
                          float(math.isinf(p70)))])
