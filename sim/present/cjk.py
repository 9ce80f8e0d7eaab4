"""Chinese glyphs in every figure, on any machine: the project ships its own CJK font
(``fonts/gridmuster-cjk.ttf``, a GB2312 subset of WenQuanYi Micro Hei, Apache-2.0) and
registers it with matplotlib as a fallback after the usual Latin font (``font.family``).

Fallback, not a switch: matplotlib's rcParams are process-wide while the language is
per session (the dashboard serves several at once), so the same font list serves both —
Latin text is drawn in DejaVu Sans as before, each CJK glyph in the shipped font."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "gridmuster-cjk.ttf"
FAMILY = "Gridmuster CJK"


@functools.cache
def register() -> str:
    """Add the shipped font to matplotlib (once) and to the sans-serif fallback list."""
    import matplotlib as mpl
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(FONT_FILE))
    # matplotlib falls back glyph by glyph along font.family (a generic name there stands for
    # one font only), so the shipped font follows the configured family.
    families = [f for f in mpl.rcParams["font.family"] if f != FAMILY]
    mpl.rcParams["font.family"] = [*(families or ["sans-serif"]), FAMILY]
    return FAMILY


@functools.cache
def pyplot() -> Any:
    """``matplotlib.pyplot`` with the Agg backend and the CJK fallback registered.

    Figure modules call this inside each function rather than importing pyplot at module
    level: matplotlib is the largest part of the command line's start-up (~1 s of CPU), and
    ``gridmuster validate`` or ``--help`` draw nothing."""
    import matplotlib  # deferred: ~1 s of start-up; only figures need it

    matplotlib.use("Agg")  # files and Streamlit images only; never a window
    import matplotlib.pyplot as plt  # deferred: as above

    register()
    return plt
