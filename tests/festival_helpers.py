"""Small festival scenarios built in code, on the 3-node line road A-B-C of tests.helpers."""

from __future__ import annotations

import math
from typing import Any

from tests.helpers import deep_update


def erlang_c(lam: float, mu: float, c: int) -> tuple[float, float]:
    """P(wait) and mean wait in queue of M/M/c (parameters.md)."""
    a = lam / mu
    rho = a / c
    top = a**c / (math.factorial(c) * (1 - rho))
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu - lam)


def small_festival(**overrides: Any) -> dict[str, Any]:
    """One checkpoint X at A, two viewing points at B and C; no incidents unless added."""
    data: dict[str, Any] = {
        "name": "small festival",
        "kind": "festival",
        "seed": 3,
        "network": {"graphml": "line.graphml"},
        "grids": [{"id": "G1", "node": "B", "residents": 1000}],
        "festival": {
            "day_start": "05:00",
            "day_end": "08:00",
            "tide_time": "06:30",
            "record_every_min": 1,
            "modes": {
                "road": {"checkpoints": {"X": 1}, "group_size": 1,
                         "profile": [{"at": "05:00", "per_hour": 600}]},
            },
            "check_types": {"scan": {"per_person": {"dist": "exponential", "mean": 0.25}}},
            "checkpoints": {
                "X": {"node": "A", "check": "scan", "lanes": 3, "staff_per_lane": 1,
                      "roster": {"all": {"start": "05:00", "end": "08:00",
                                         "staff": {"volunteer": 3}}}},
            },
            "viewing_points": {
                "P1": {"node": "B", "area_m2": 100000, "stewards": {"volunteer": 2}},
                "P2": {"node": "C", "area_m2": 100000, "stewards": {"volunteer": 2}},
            },
            "stay": {"after_tide": 10, "min_stay": 20},
            "staff": {"volunteer": 100, "medical": 10, "security": 10},
        },
    }
    return deep_update(data, overrides)


def crowded(rule: str, trigger: float = 3.0) -> dict[str, Any]:
    """Demand far beyond the viewing points' room, with incidents and teams."""
    return small_festival(festival={
        "modes": {"road": {"group_size": {"dist": "empirical", "values": [1, 2, 3, 4]},
                           "profile": [{"at": "05:00", "per_hour": 3000},
                                       {"at": "06:30", "per_hour": 300}]}},
        "surge": {"before_tide_min": 30, "factor": 2.0},
        "checkpoints": {"X": {"lanes": 12, "roster": {"all": {"staff": {"volunteer": 12}}}}},
        "viewing_points": {"P1": {"area_m2": 300, "weight": 3, "exit_width_m": 1},
                           "P2": {"area_m2": 500, "exit_width_m": 2}},
        "crowd_control": {"rule": rule, "trigger_ppm2": trigger, "min_stewards": 1},
        "stay": {"after_tide": {"dist": "exponential", "mean": 10},
                 "min_stay": {"dist": "lognormal", "median": 30, "p90": 60}},
        "teams": {"medics": {"count": 2, "members": {"medical": 2}, "bases": ["B"]},
                  "guards": {"count": 1, "members": {"security": 3}, "bases": ["C"]}},
        "incidents": {
            "medical": {"per_1000_per_hour": 20, "teams": ["medics"],
                        "handle": {"dist": "exponential", "mean": 15}},
            "crush_risk": {"per_hour": 6, "above_ppm2": 2.5, "teams": ["guards", "medics"],
                           "handle": 5, "escalate": 0.5},
            "document": {"where": "checkpoints", "per_1000_per_hour": 100, "teams": ["medics"],
                         "handle": 2, "escalate": 1.0},
        },
    })
