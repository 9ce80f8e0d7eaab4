"""``--help`` in the reader's language.

typer reads help texts when the commands are defined (docstrings, ``help=`` of options), before
any ``--lang`` is parsed, so the texts are kept in English (the catalogue's message ids) and
translated just before the command line runs: :class:`LocalisedGroup` looks for ``--lang`` in the
arguments itself (the ``--help`` flag is handled while parsing, before the ``--lang`` callback
could run), and, for 中文, walks the freshly built command tree and puts the translation of
every help text in its place. typer builds a new tree for every invocation, so nothing English
is lost for the next one.

Only :mod:`sim.present.i18n` is needed here: ``--help`` stays as light as before.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import typer
from typer import _click
from typer.core import TyperGroup

from sim.cli.common import say_interrupted
from sim.present.i18n import LANGS, N_, _, is_zh, set_lang

# typer's own words in the rich help layout (module constants of ``typer.rich_utils``, read when
# the help is printed): the English text of each, also its catalogue id.
RICH_TEXTS: dict[str, str] = {
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "DEFAULT_STRING": "[default: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ENVVAR_STRING": "[env var: {}]",
    "DEPRECATED_STRING": "(deprecated) ",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}
HELP_OPTION_TEXT = "Show this message and exit."
# What an option takes, in a planner's words, where typer would print its type's name
# (``<int range>``, ``<str>``; and ``<bool>`` beside a flag, which takes no value at all).
VALUE_WORDS: dict[str, str] = {
    "<int>": N_("<whole number>"), "<int range>": N_("<whole number>"),
    "<float>": N_("<number>"), "<float range>": N_("<number>"), "<str>": N_("<text>"),
    "<path>": N_("<path>"), "<list[str]>": N_("<text> (repeatable)"),
}
# A bound this large is no bound a planner needs to read (a seed's 9,223,372,036,854,775,807).
NO_BOUND = 2**31

# click's usage errors (whole messages, as its exceptions format them) → catalogue ids whose
# {names} are the pattern's groups.
USAGE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), msgid) for pattern, msgid in (
        (r"Missing argument '(?P<name>[^']+)'\.", N_("Missing argument '{name}'.")),
        (r"Missing option '(?P<name>[^']+)'\.", N_("Missing option '{name}'.")),
        (r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.*)\)",
         N_("No such option: {name} (possible options: {options})")),
        (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
        (r"No such command '(?P<name>[^']+)'\. Did you mean (?P<options>.*)\?",
         N_("No such command '{name}'. Did you mean {options}?")),
        (r"No such command '(?P<name>[^']+)'\.", N_("No such command '{name}'.")),
        (r"Option '(?P<name>[^']+)' requires an argument\.",
         N_("Option '{name}' requires an argument.")),
        (r"Got unexpected extra arguments? \((?P<args>.*)\)",
         N_("Got unexpected extra argument(s) ({args})")),
        (r"Invalid value for (?P<hint>.+?): (?P<why>.*)", N_("Invalid value for {hint}: {why}")),
    ))
# The most common reasons inside "Invalid value for …" (typer's own wording).
USAGE_REASONS: dict[str, str] = {
    "Input should be a valid integer, unable to parse string as an integer":
        N_("not a whole number"),
    "Input should be a valid number, unable to parse string as a number": N_("not a number"),
}
# ... and those that give a bound (``--reps 0``: "Input should be greater than or equal to 1").
USAGE_BOUNDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), msgid) for pattern, msgid in (
        (r"Input should be greater than or equal to (?P<n>\S+)", N_("must be at least {n}")),
        (r"Input should be less than or equal to (?P<n>\S+)", N_("must be at most {n}")),
        (r"Input should be greater than (?P<n>\S+)", N_("must be more than {n}")),
        (r"Input should be less than (?P<n>\S+)", N_("must be less than {n}")),
    ))


def usage_error(message: str) -> str:
    """A click usage error's message in the current language (as it is, if not known)."""
    for pattern, msgid in USAGE_ERRORS:
        m = pattern.fullmatch(message.strip())
        if m:
            groups = {k: v or "" for k, v in m.groupdict().items()}
            if "why" in groups:
                groups["why"] = _reason(groups["why"])
            return _(msgid, **groups)
    return message
USAGE_PREFIX = "Usage: "


def _reason(why: str) -> str:
    if why in USAGE_REASONS:
        return _(USAGE_REASONS[why])
    for pattern, msgid in USAGE_BOUNDS:
        m = pattern.fullmatch(why)
        if m:
            return _(msgid, n=m["n"])
    return why


def lang_in(args: Sequence[str]) -> str | None:
    """The value of the last ``--lang X`` / ``--lang=X`` among ``args`` if it names a language
    gridmuster has (a bad value is left to the option's own check, which names it)."""
    found: str | None = None
    for k, arg in enumerate(args):
        if arg == "--":
            break
        value = args[k + 1] if arg == "--lang" and k + 1 < len(args) else \
            arg.removeprefix("--lang=") if arg.startswith("--lang=") else None
        if value is not None:
            head = value.strip().lower().replace("-", "_").split("_")[0]
            found = value if head in LANGS else found
    return found


class _Formatter(_click.HelpFormatter):
    """click's formatter with the usage line's prefix in the current language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _(USAGE_PREFIX) if prefix is None else prefix)


class _Context(_click.Context):
    formatter_class = _Formatter


def _tr(text: str | None) -> str | None:
    # typer shows a docstring cleaned of its indentation; the catalogue holds it that way.
    return _(inspect.cleandoc(text)) if text else text


def commands(cmd: _click.Command, path: str = "") -> Iterator[tuple[str, _click.Command]]:
    """Every command of the tree under ``cmd`` with its path (``"runs list"``), ``cmd`` first."""
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from commands(sub, f"{path} {name}".strip())


def help_texts(cmd: _click.Command) -> Iterator[tuple[str, str]]:
    """(where, English text) of every help text the tree under ``cmd`` shows (for the
    catalogue's completeness test)."""
    for path, c in commands(cmd):
        where = path or "gridmuster"
        for text in (c.help, c.short_help, c.epilog):
            if text:
                yield where, inspect.cleandoc(text)
        for p in c.params:
            if getattr(p, "help", None) and not getattr(p, "hidden", False):
                yield f"{where} {p.name}", inspect.cleandoc(p.help)  # type: ignore[attr-defined]
    yield "--help", HELP_OPTION_TEXT
    yield "usage", USAGE_PREFIX
    for name, text in RICH_TEXTS.items():
        yield name, text


def plain_values(root: _click.Command) -> None:
    """What each option takes, shown in words (``VALUE_WORDS``, in the current language) and
    its range as people write one (``1–100,000``, ``≥ 0``; typer: ``[1<=x<=100000]``,
    ``[0<=x<=9223372036854775807]``); a flag shows nothing (typer: ``<bool>``). Only the
    help's display changes: the values accepted and their checks are typer's."""
    for _path, c in commands(root):
        ctx = _click.Context(c)
        help_option = c.get_help_option(ctx)
        for p in [*c.params, *([help_option] if help_option is not None else [])]:
            if isinstance(p, typer.core.TyperArgument):  # (its metavar is the usage line's)
                shown = p.display_type(ctx)
                if shown in VALUE_WORDS:
                    p.display_type_rich = _typed(  # type: ignore[method-assign,assignment]
                        _(VALUE_WORDS[shown]))
            elif isinstance(p, typer.core.TyperOption):
                if p.is_flag:
                    p.metavar = ""
                    continue
                if p.metavar is None:
                    shown = p.display_type(ctx)
                    if shown in VALUE_WORDS:
                        p.metavar = _(VALUE_WORDS[shown])
            else:
                continue
            low, high = getattr(p, "min", None), getattr(p, "max", None)
            if low is not None or high is not None:
                words = _range_words(low, high)
                # (this option's display only: its own bound method, replaced on the instance)
                p._get_number_range_help_str = _saying(words)  # type: ignore[method-assign]


def _saying(words: str | None) -> Callable[[], str | None]:
    return lambda: words


def _typed(words: str) -> Callable[[_click.Context], str | None]:
    return lambda ctx: words


def _range_words(low: float | None, high: float | None) -> str | None:
    high = None if high is not None and abs(high) >= NO_BOUND else high
    low = None if low is not None and abs(low) >= NO_BOUND else low
    if low is not None and high is not None:
        return f"{low:,}–{high:,}"
    if low is not None:
        return f"≥ {low:,}"
    return f"≤ {high:,}" if high is not None else None


def localise(root: _click.Command) -> None:
    """Put the current language's text in place of every help text under ``root``."""
    for _path, c in commands(root):
        c.help, c.short_help, c.epilog = _tr(c.help), _tr(c.short_help), _tr(c.epilog)
        for p in c.params:
            if getattr(p, "help", None):
                p.help = _tr(p.help)  # type: ignore[attr-defined]
        c.context_class = _Context
        option = c.get_help_option(_click.Context(c))
        if option is not None:
            option.help = _(HELP_OPTION_TEXT)
    _localise_rich()


def _localise_rich() -> None:
    """typer's panel titles and ``[default: …]`` in the current language. They are module
    constants, so they are set on every invocation that may print them (to English as well,
    for a second invocation in the same process); an English run that has not loaded typer's
    rich layout yet leaves it unloaded (it is loaded only when help or an error is printed)."""
    if not is_zh() and "typer.rich_utils" not in sys.modules:
        return
    from typer import rich_utils  # deferred: typer loads it only to print help or an error

    for name, english in RICH_TEXTS.items():
        setattr(rich_utils, name, _(english))
    # rich breaks lines at spaces and cuts a longer "word" with "…" in the help tables; a
    # Chinese sentence has no spaces, so its text is folded (broken anywhere) instead.
    make = getattr(rich_utils, "_make_rich_text", None)
    if make is not None:
        original = getattr(make, "__wrapped__", make)
        rich_utils._make_rich_text = _folding(original) if is_zh() else original
    # click's usage errors ("Missing argument …") are printed through this function
    show = getattr(rich_utils, "rich_format_error", None)
    if show is not None:
        original = getattr(show, "__wrapped__", show)
        rich_utils.rich_format_error = _translated_errors(original) if is_zh() else original


def _translated_errors(show: Any) -> Any:
    @functools.wraps(show)
    def translated(error: Any) -> Any:
        message = usage_error(error.format_message())
        error.format_message = lambda: message  # this error object only, printed once
        return show(error)
    return translated


def _folding(make: Any) -> Any:
    @functools.wraps(make)
    def folded(**kwargs: Any) -> Any:
        text = make(**kwargs)
        if hasattr(text, "overflow"):
            text.overflow = "fold"
        return text
    return folded


class LocalisedGroup(TyperGroup):
    """The root command: settles the language from ``--lang`` before typer parses anything,
    and ends every command on Ctrl-C the same way (one line, exit 130, no traceback)."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # typer would exit 130 without a word; run and compare say more themselves.
            say_interrupted()
            raise typer.Exit(130) from None

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        lang = lang_in(list(sys.argv[1:] if args is None else args))
        if lang is not None:
            set_lang(lang)  # the --lang option sets it again once parsed (and checks it)
        if is_zh():
            localise(self)
        else:
            _localise_rich()  # back to English after a 中文 invocation in the same process
        plain_values(self)
        return super().main(args, prog_name, complete_var, standalone_mode, windows_expand_args,
                            **extra)
