"""How a review's band is written, the same in the terminal table and the GB/T report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.present import formatting
from sim.present.i18n import N_, _


def band(m: Mapping[str, Any], metric: str) -> str:
    """The middle 90 % of the replications of one metric of ``review.json``:
    ``1,542–1,580``, or for a time not reached in every replication
    ``54.9 – > 120 min, reached in 37/40 replications (92.5%)`` (the unreached count as later
    than the horizon, as in the run's tables); ``not reached (0/40)`` when none reached it."""
    n = int(m.get("replications") or 0)
    k = int(m.get("reached", n))
    if m.get("sim_p5") is None and not m.get("sim_p5_censored"):
        return formatting.not_reached(k, n)

    def bound(key: str) -> str:
        if m.get(f"{key}_censored"):
            return formatting.later_than(m.get("horizon_min"))
        return formatting.value(m.get(key), metric)

    if k >= n:
        return f"{bound('sim_p5')}–{bound('sim_p95')}"
    return _("{low} – {high}, {reached}", low=bound("sim_p5"), high=bound("sim_p95"),
             reached=formatting.reached({"n_reached": k, "n": n}))


# One whole sentence per kind's word for its events: a translator cannot make a sentence read
# naturally around a fragment ("…的{events}中" with 次演练 / 次转移 and their measure words).
_FLAGGED_SHARE = {
    "drills": N_("A log like this would be flagged in {share} of drills that went exactly as "
                 "modelled."),
    "evacuations": N_("A log like this would be flagged in {share} of evacuations that went "
                      "exactly as modelled."),
    "festival days": N_("A log like this would be flagged in {share} of festival days that went "
                        "exactly as modelled."),
}


def flagged_share(events: str, share: str) -> str:
    """What the size of the review means, for a kind whose events are ``events`` ("drills")."""
    sentence = _FLAGGED_SHARE.get(events)
    if sentence is not None:
        return _(sentence, share=share)
    # A kind added later with a word of its own: the general sentence, its word as given.
    return _("A log like this would be flagged in {share} of {events} that went exactly as "
             "modelled.", share=share, events=_(events))
