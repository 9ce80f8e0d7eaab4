"""Chinese glyphs in every figure, on any machine: the project ships its own CJK font
(``fonts/gridmuster-cjk.ttf``, a GBK subset of WenQuanYi Micro Hei, Apache-2.0) and
registers it with matplotlib as a fallback after the usual Latin font (``font.family``).

Fallback, not a switch: matplotlib's rcParams are process-wide while the language is
per session (the dashboard serves several at once), so the same font list serves both —
Latin text is drawn in DejaVu Sans as before, each CJK glyph in the shipped font."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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


CSS_FAMILY = "gridmuster-cjk"
# CJK punctuation, ideographs and full-width forms: the only characters the page font serves.
CJK_RANGE = "U+2E80-9FFF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF"


def css_font_face(text: str) -> str:
    """A CSS ``@font-face`` for an HTML page that carries its own Chinese glyphs: the shipped
    font cut down (fontTools' subsetter) to the CJK characters ``text`` uses, as a data URI, so
    the page shows its Chinese on a computer without Chinese fonts and stays small (a report
    uses a few hundred characters: tens of kB instead of the font's 3.1 MB). Empty when the
    text has no CJK characters. Put ``gridmuster-cjk`` after the computer's own Chinese fonts and
    before the generic family in the page's font-family list."""
    import base64  # deferred: HTML reports only
    import io  # deferred: HTML reports only

    chars = {c for c in text if ord(c) >= 0x2E80}
    if not chars:
        return ""
    from fontTools import subset  # deferred: fontTools (HTML reports only)
    from fontTools.ttLib import TTFont  # deferred: fontTools (HTML reports only)

    font = TTFont(str(FONT_FILE))
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the licence and names
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in sorted(chars)])
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face{{font-family:"{CSS_FAMILY}";'
            f'src:url(data:font/ttf;base64,{data}) format("truetype");'
            f"unicode-range:{CJK_RANGE};}}")
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


def figure(**kwargs: Any) -> Figure:
    """A bare matplotlib ``Figure`` (``Figure(**kwargs)``) with the CJK fallback registered.

    Not pyplot's: safe to draw off the main thread (the dashboard prepares replay frames in
    the background), and nothing for pyplot to keep."""
    from matplotlib.figure import Figure  # deferred: matplotlib (figures only)

    register()
    return Figure(**kwargs)
