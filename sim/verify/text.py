"""Numbers in plain words for the table and the report (no None, NaN or code names)."""

from __future__ import annotations

import math

from sim.present.i18n import N_, _
from sim.verify.case import Case, Check

# Marked for the catalogue; translated where shown (``gridmuster verify`` and its report).
STATUS_WORDS = {"pass": N_("pass"), "fail": N_("FAIL"),
                "pending": N_("pending (not connected yet)"),
                "error": N_("FAIL (the case could not run)")}


BROKEN = " (deliberately wrong expectation)"  # sim.verify.case.broken's title suffix


def title(c: Case) -> str:
    """A case's title in the current language (the library's texts are in verify.po)."""
    if c.title.endswith(BROKEN):
        return _(c.title.removesuffix(BROKEN)) + _(BROKEN)
    return _(c.title)


def number(x: float) -> str:
    if isinstance(x, bool):
        return _("yes") if x else _("no")
    if not math.isfinite(x):
        return _("not reached") if x > 0 or math.isnan(x) else "−∞"
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


# The checks' units as a reader says them (the JSON keeps the code: "min", "people").
UNITS = {"min": N_("min"), "s": N_("s"), "m": N_("m"), "km/h": N_("km/h"),
         "people": N_("people"), "roads": N_("roads"), "points": N_("points")}


def with_unit(text: str, unit: str) -> str:
    return f"{text} {_(UNITS[unit]) if unit in UNITS else unit}".strip()


def expected(k: Check) -> str:
    if k.at_most:
        return with_unit(_("at most {value} (+ {tolerance})", value=number(k.expected),
                           tolerance=number(k.tolerance)), k.unit)
    if k.tolerance == 0:
        return with_unit(_("exactly {value}", value=number(k.expected)), k.unit)
    if k.tolerance < 1e-5:  # a float-rounding allowance, not a modelling tolerance
        return _("{value} (exact up to rounding)", value=with_unit(number(k.expected), k.unit))
    return with_unit(f"{number(k.expected)} ± {number(k.tolerance)}", k.unit)


def measured(k: Check) -> str:
    return with_unit(number(k.measured), k.unit)
