"""Pre-movement and delay distributions (peer verification practice; RiMEA test 5)."""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

import numpy as np
from pydantic import TypeAdapter

from sim.core.distributions import Dist
from sim.core.rng import entity_hashes, replication_key, uniforms
from sim.present.i18n import _
from sim.verify.case import Check, Context, Outcome, case
from sim.verify.figures import histogram_svg
from sim.verify.tiny import event_times, muster, replicate, scenario

N_DRAWS = 20_000
_Z = 4.0  # standard errors: a correct model falls outside with probability 6e-5 per check

SAMPLING = (f"{_Z:.0f} standard errors of the estimate for n = {N_DRAWS:,} draws (mean: σ/√n; "
            "s.d.: σ·√((κ−1)/4n) with κ the kurtosis; quantile q: √(q(1−q)/n)/f(x_q)); a "
            "correct sampler is outside with probability about 6e-5 per check, and the seed "
            "is fixed, so the result never flickers.")


@lru_cache(maxsize=1)
def _uniforms(n: int) -> np.ndarray:
    hashes = entity_hashes(f"person-{i}" for i in range(n))
    return uniforms(replication_key(20_000, 0), hashes, 1)[:, 0]


def draws(spec: dict[str, object], n: int = N_DRAWS) -> np.ndarray:
    """n samples of a scenario-file delay spec, from the model's own uniforms."""
    dist = TypeAdapter(Dist).validate_python(spec)
    return np.asarray(dist.sample(_uniforms(n)), dtype=float)


def _moments(x: np.ndarray, mean: float, sd: float, kurtosis: float, unit: str) -> list[Check]:
    n = x.size
    return [Check(_("sample mean"), mean, _Z * sd / math.sqrt(n), float(x.mean()), unit),
            Check(_("sample standard deviation"), sd,
                  _Z * sd * math.sqrt((kurtosis - 1) / (4 * n)), float(x.std(ddof=1)), unit)]


@case("delays.exponential", "Exponential delay: mean 5 min, s.d. 5 min", "delays",
      "Peer verification practice (20,000 draws reproduce the stated moments)",
      f"{N_DRAWS:,} draws of `{{dist: exponential, mean: 5}}` from the model's uniforms.",
      SAMPLING + " Exponential kurtosis κ = 9.")
def exponential(ctx: Context) -> Outcome:
    x = draws({"dist": "exponential", "mean": 5})
    return Outcome(_moments(x, 5.0, 5.0, 9.0, "min"), histogram_svg(x, _("minutes")))


def _lognormal_density(x: float, median: float, sigma: float) -> float:
    z = math.log(x / median) / sigma
    return math.exp(-z * z / 2) / (x * sigma * math.sqrt(2 * math.pi))


@case("delays.lognormal-quantiles", "Lognormal by median and 90th percentile reproduces both",
      "delays", "Peer verification practice; survey data give median and p90",
      f"{N_DRAWS:,} draws of `{{dist: lognormal, median: 6, p90: 20}}`.", SAMPLING)
def lognormal_quantiles(ctx: Context) -> Outcome:
    median, p90 = 6.0, 20.0
    x = draws({"dist": "lognormal", "median": median, "p90": p90})
    sigma = math.log(p90 / median) / NormalDist().inv_cdf(0.9)
    checks = []
    for q, value in ((0.5, median), (0.9, p90)):
        se = math.sqrt(q * (1 - q) / x.size) / _lognormal_density(value, median, sigma)
        checks.append(Check(_("sample {q} quantile", q=f"{q:.0%}"), value, _Z * se,
                            float(np.quantile(x, q)), "min"))
    return Outcome(checks, histogram_svg(x, _("minutes"), marks={_("median"): median, "p90": p90}))


@case("delays.lognormal-moments", "Lognormal with mean 5 and s.d. 2 reproduces its moments",
      "delays", "Peer verification practice (a lognormal with mean 5, s.d. 2)",
      "Mean 5 and s.d. 2 written as median = 5/√(1+0.16) = 4.642 and p90 = median·e^(1.2816σ) "
      "with σ² = ln 1.16; 20,000 draws.",
      SAMPLING + " Lognormal kurtosis κ = e^{4σ²} + 2e^{3σ²} + 3e^{2σ²} − 3.")
def lognormal_moments(ctx: Context) -> Outcome:
    mean, sd = 5.0, 2.0
    s2 = math.log(1 + (sd / mean) ** 2)
    median = mean / math.sqrt(1 + (sd / mean) ** 2)
    p90 = median * math.exp(NormalDist().inv_cdf(0.9) * math.sqrt(s2))
    kurt = math.exp(4 * s2) + 2 * math.exp(3 * s2) + 3 * math.exp(2 * s2) - 3
    x = draws({"dist": "lognormal", "median": median, "p90": p90})
    return Outcome(_moments(x, mean, sd, kurt, "min"))


@case("delays.triangular", "Triangular(10, 55, 100): mean 55, s.d. 18.37", "delays",
      "Peer verification practice (U(10,100) there; gridmuster has no uniform delay, so the "
      "symmetric triangular on the same range is used)",
      f"{N_DRAWS:,} draws of `{{dist: triangular, low: 10, mode: 55, high: 100}}`; s.d. = "
      "√((a²+b²+c²−ab−ac−bc)/18) = √337.5.",
      SAMPLING + " Triangular kurtosis κ = 2.4.")
def triangular(ctx: Context) -> Outcome:
    x = draws({"dist": "triangular", "low": 10, "mode": 55, "high": 100})
    return Outcome(_moments(x, 55.0, math.sqrt(337.5), 2.4, "s"),
                   histogram_svg(x, _("seconds")))


@case("delays.empirical", "Empirical resampling gives each observed value its share",
      "delays", "Hand calculation (bootstrap resampling of observed delays)",
      f"{N_DRAWS:,} draws of `{{dist: empirical, values: [2, 4, 9]}}`: each value 1/3.",
      f"{_Z:.0f} binomial standard errors √(p(1−p)/n) of a share of n = {N_DRAWS:,} draws.")
def empirical(ctx: Context) -> Outcome:
    x = draws({"dist": "empirical", "values": [2, 4, 9]})
    se = math.sqrt((1 / 3) * (2 / 3) / x.size)
    return Outcome([Check(_("share of draws equal to {v}", v=v), 1 / 3, _Z * se, float(np.mean(x == v)))
                    for v in (2, 4, 9)])


@case("delays.fixed-start-times", "Ten people with fixed response times 10…100 s start "
      "exactly then", "delays", "RiMEA test 5 (pre-movement times), in spirit",
      "Ten reinforcements arrive ready at node A at 10, 20, …, 100 s after the alert "
      "(`reinforcement_arrives` injects, which skip alert and preparation) and leave at once.",
      "Fixed times: the departures must equal the given times; 1e-9 min allows for float "
      "rounding only.")
def fixed_starts(ctx: Context) -> Outcome:
    injects = [{"t_min": k * 10 / 60, "type": "reinforcement_arrives", "role": "volunteer",
                "count": 1, "node": "A", "to": "AP"} for k in range(1, 11)]
    data = muster({"GA": "A", "GB": "B"}, {"AP": "B"}, injects=injects)
    s = scenario(ctx.folder("rimea5"), data, [("A", "B", 100.0)])
    res = replicate(s)
    ev = event_times(res)
    departed = sorted(t for (who, name), t in ev.items()
                      if name == "departed" and not who.startswith("G"))
    if len(departed) != 10:
        return Outcome([Check(_("reinforcements who left"), 10, 0, len(departed), "people")])
    worst = max(abs(t * 60 - 10 * (k + 1)) for k, t in enumerate(departed))
    return Outcome([Check(_("people who left"), 10, 0, len(departed), "people"),
                    Check(_("largest gap between given and simulated start"), 0.0, 1e-9 * 60,
                          worst, "s")])
