"""How a plan's random delays (and other random settings, such as group sizes) are spread,
drawn for a planner to check at a glance: for each, the share of draws at or below each value
(for a delay: the share whose delay is over by each minute), with the median (half) and the
90th percentile (nine in ten) marked. Drawn from each delay's own inverse CDF, the function the
model samples, so the curve is what the model draws."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from sim.core.distributions import Dist
from sim.present import formatting
from sim.present.cjk import pyplot
from sim.present.i18n import _
from sim.present.setting_words import setting_words

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.core.kind import AnyKind

_DIST: TypeAdapter[Any] = TypeAdapter(Dist)
COLUMNS = 3


@dataclass(frozen=True)
class SpreadDelay:
    """A random delay of a plan, named as the plan's settings table names it."""

    path: tuple[str | int, ...]  # within the kind's section of the scenario
    where: str  # the part of the plan ("residents", "what each role does: militia")
    what: str  # the setting ("time to get ready to leave")
    unit: str  # "min", "min per person", "people"
    spec: Any  # a ``sim.core.distributions`` spec

    def quantiles(self, shares: Sequence[float] | np.ndarray) -> np.ndarray:
        """The value at or below which each share of draws falls: the model's own inverse
        CDF (observed values in ascending order: the model draws them in the file's order,
        which spreads them the same but is not a distribution function)."""
        u = np.asarray(shares, dtype=float)
        if self.spec.dist == "empirical":
            values = np.sort(np.asarray(self.spec.values, dtype=float))
            return values[np.minimum((u * values.size).astype(int), values.size - 1)]
        return np.asarray(self.spec.sample(u), dtype=float)


def random_delays(kind: AnyKind, section: Mapping[str, Any]) -> list[SpreadDelay]:
    """The delays of a plan's section (resolved) that vary, in the order of the file. A fixed
    delay has no spread to show (its one value is in the settings table), and a delay the
    scenario's own checks refuse is left to them."""
    out = []
    for path, node in _delay_nodes(section):
        try:
            spec = _DIST.validate_python(node)
        except ValidationError:
            continue
        if spec.dist == "fixed":
            continue
        words = setting_words(kind, path, section)
        out.append(SpreadDelay(path, words.group, words.name, words.unit, spec))
    return out


def _delay_nodes(node: Any, path: tuple[str | int, ...] = ()
                 ) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    if isinstance(node, Mapping):
        if "dist" in node:
            yield path, node
            return
        for k, v in node.items():
            yield from _delay_nodes(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _delay_nodes(v, (*path, i))


def delays_figure(delays: Sequence[SpreadDelay]) -> Figure:
    """One small chart per delay: the share at or below (0–99.5 %) against the value, the
    median and the 90th percentile dashed, and both said in words above it."""
    plt = pyplot()
    rows = max(1, math.ceil(len(delays) / COLUMNS))
    fig, axes = plt.subplots(rows, COLUMNS, figsize=(11, 2.9 * rows), dpi=100, squeeze=False)
    # Up to 99.5 %: a long tail (and an exponential's infinite end) would squeeze the rest.
    shares = np.linspace(0.0, 0.995, 800)[1:]
    for ax, d in zip(axes.flat, delays, strict=False):
        x = d.quantiles(shares)
        if d.spec.dist == "empirical":  # observed values: the share jumps at each one
            ax.step(np.concatenate(([0.0], x)), np.concatenate(([0.0], shares)), where="post")
        else:
            ax.plot(np.concatenate(([x[0]], x)), np.concatenate(([0.0], shares)))
        median, p90 = (float(v) for v in d.quantiles([0.5, 0.9]))
        for v in (median, p90):
            ax.axvline(v, color="grey", linestyle="--", linewidth=0.8)
        said = _("half within {median}; 9 in 10 within {p90}",
                 median=_with_unit(median, d.unit), p90=_with_unit(p90, d.unit))
        ax.set_title(f"{d.where}\n{d.what}\n{said}", fontsize=8.5)
        ax.set_xlabel(d.unit, fontsize=8)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(left=0)
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(delays):]:
        ax.set_visible(False)
    fig.supylabel(_("share at or below the value"), fontsize=9)
    fig.tight_layout()
    return fig


def _with_unit(v: float, unit: str) -> str:
    """``3 people``, ``15 min``, ``0.12 min``: whole numbers without decimals, and two
    significant digits below one (a check takes seconds)."""
    if abs(v - round(v)) <= 1e-9 * max(1.0, abs(v)):  # (a 90th percentile of 5 is 5.0000001)
        text = f"{round(v):,}"
    elif abs(v) < 1:
        text = f"{v:.2g}"
    else:
        text = formatting.number(v)
    return f"{text} {unit}".strip()
