"""Numbers in plain words for the table and the report (no None, NaN or code names)."""

from __future__ import annotations

import math

from sim.present.i18n import N_
from sim.verify.case import Check

# Marked for the catalogue; translated where shown (``gridmuster verify``).
STATUS_WORDS = {"pass": N_("pass"), "fail": N_("FAIL"),
                "pending": N_("pending (not connected yet)"),
                "error": N_("FAIL (the case could not run)")}


def number(x: float) -> str:
    if isinstance(x, bool):
        return "yes" if x else "no"
    if not math.isfinite(x):
        return "not reached" if x > 0 or math.isnan(x) else "−∞"
    if x == int(x) and abs(x) < 1e9:
        return f"{int(x):,}"
    a = abs(x)
    if a >= 100:
        return f"{x:,.1f}"
    if a >= 1:
        return f"{x:.3f}".rstrip("0").rstrip(".")
    if a >= 1e-3:
        return f"{x:.4f}".rstrip("0").rstrip(".")
    return f"{x:.2e}"


def with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}".strip()


def expected(k: Check) -> str:
    if k.at_most:
        return with_unit(f"at most {number(k.expected)} (+ {number(k.tolerance)})", k.unit)
    if k.tolerance == 0:
        return with_unit(f"exactly {number(k.expected)}", k.unit)
    if k.tolerance < 1e-5:  # a float-rounding allowance, not a modelling tolerance
        return with_unit(f"{number(k.expected)} (exact up to rounding)", k.unit)
    return with_unit(f"{number(k.expected)} ± {number(k.tolerance)}", k.unit)


def measured(k: Check) -> str:
    return with_unit(number(k.measured), k.unit)
