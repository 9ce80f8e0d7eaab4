"""Chinese glyphs in every figure, on any machine: the project ships its own CJK font
(``fonts/gridmuster-cjk.ttf``, a GB2312 subset of WenQuanYi Micro Hei, Apache-2.0) and
registers it with matplotlib as a fallback after the usual Latin font (``font.family``).

Fallback, not a switch: matplotlib's rcParams are process-wide while the language is
per session (the dashboard serves several at once), so the same font list serves both —
Latin text is drawn in DejaVu Sans as before, each CJK glyph in the shipped font."""

from __future__ import annotations

import functools
from pathlib import Path

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "gridmuster-cjk.ttf"
FAMILY = "Gridmuster CJK"


@functools.cache
def register() -> str:
    """Add the shipped font to matplotlib (once) and to the sans-serif fallback list."""
    import matplotlib as mpl  # deferred: matplotlib (figures only)
    from matplotlib import font_manager  # deferred: matplotlib (figures only)

    font_manager.fontManager.addfont(str(FONT_FILE))
    # matplotlib falls back glyph by glyph along font.family (a generic name there stands for
    # one font only), so the shipped font follows the configured family.
    families = [f for f in mpl.rcParams["font.family"] if f != FAMILY]
    mpl.rcParams["font.family"] = [*(families or ["sans-serif"]), FAMILY]
    return FAMILY
