"""Small inline SVG figures for the verification report (matplotlib, no files)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.present.cjk import pyplot
from sim.present.i18n import _

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def svg(fig: Figure) -> str:
    plt = pyplot()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg"):]  # drop the XML prolog: the SVG is inlined in HTML


def histogram_svg(x: np.ndarray, xlabel: str, marks: dict[str, float] | None = None) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 2.4))
    hi = float(np.quantile(x, 0.995))
    ax.hist(x[x <= hi], bins=60, color="#7aa6c2")
    for label, v in (marks or {}).items():
        ax.axvline(v, color="#c0392b", lw=1)
        ax.text(v, ax.get_ylim()[1] * 0.9, f" {label}", color="#c0392b", fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(_("draws"))
    return svg(fig)


def curve_svg(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray,
              points: Sequence[tuple[float, float]], xlabel: str, ylabel: str,
              curve_label: str, points_label: str) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 2.6))
    ax.plot(x, y, color="#34495e", label=curve_label)
    if points:
        px, py = zip(*points, strict=True)
        ax.plot(px, py, "o", color="#c0392b", label=points_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return svg(fig)
