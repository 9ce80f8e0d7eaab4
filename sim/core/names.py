"""Names and free text from a scenario that reach file names and the terminal.

A plan name is a word on the command line (``--plans a,b``) and part of file names
(``out/<scenario>-<plan>/``), so it is a plain word: letters of any script (增派干部), digits,
``_ . -``; no spaces, slashes or control characters. Names and descriptions are printed on
the terminal, so no text from a scenario may hold control characters (an ESC sequence would
set the terminal's title or colours); descriptions may hold line breaks and tabs.
"""

from __future__ import annotations

import re

from sim.present.i18n import _

# Letters of any script (增派干部), digits, _ . - ; no spaces or slashes: a plan name is a
# word on the command line (--plans a,b) and part of file names. Use ``fullmatch``: ``$``
# also matches before a final line break.
PLAN_NAME = re.compile(r"\w[\w.-]*")

# C0 controls, DEL and C1 controls (0x9b is a one-byte CSI on some terminals).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same, but a line break or a tab is allowed (multi-line descriptions).
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escaped(text: object) -> str:
    """``text`` with each control character written as its escape (``\\x1b``): for text that
    is printed (a field path, a name from a file or the run store)."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def is_plan_name(name: object) -> bool:
    """Whether ``name`` may name a plan (and so be part of a file name)."""
    return isinstance(name, str) and PLAN_NAME.fullmatch(name) is not None


def plan_name_rule() -> str:
    """The rule for plan names, in plain words in the current language."""
    return _("use letters (Chinese too), digits, _ . - and no spaces, starting with a letter, "
             "a digit or _")


def control_rule() -> str:
    """Why text with control characters is refused, in the current language."""
    return _("must not contain control characters (such as ESC or NUL)")
