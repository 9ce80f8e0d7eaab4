"""Two languages for everything a person reads: 简体中文 (``zh``) and English (``en``).

English text is the message id; Chinese comes from gettext catalogues under
``sim/present/locale/zh/LC_MESSAGES/<domain>.po`` (one domain per area: ``gridmuster`` for the
command line, messages, reports and figures; ``dashboard`` for the app), read with Babel.

The language is per context (a ``ContextVar``), never process-wide: Streamlit runs each
session's script in its own thread, and two planners may read different languages at once.
Default: ``GRIDMUSTER_LANG`` (``zh``/``en``, also ``zh_CN``, ``zh-CN``), else English.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

LANGS: tuple[str, ...] = ("en", "zh")
LANG_NAMES: dict[str, str] = {"en": "English", "zh": "简体中文"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_lang: ContextVar[str | None] = ContextVar("gridmuster_lang", default=None)


def normalise(lang: str | None) -> str:
    """``zh_CN``, ``zh-Hans``, ``ZH`` → ``zh``; anything unknown → ``en``."""
    if not lang:
        return "en"
    head = lang.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return head if head in LANGS else "en"


def default_lang() -> str:
    return normalise(os.environ.get("GRIDMUSTER_LANG"))


def current_lang() -> str:
    lang = _lang.get()
    return lang if lang is not None else default_lang()


def set_lang(lang: str | None) -> None:
    """Set the language for this context (a CLI invocation, a dashboard script run)."""
    _lang.set(normalise(lang) if lang is not None else None)


@contextlib.contextmanager
def use_lang(lang: str | None) -> Iterator[str]:
    token = _lang.set(normalise(lang) if lang is not None else None)
    try:
        yield current_lang()
    finally:
        _lang.reset(token)


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid → translation, merged over every domain's .po file for ``lang``."""
    if lang == "en":
        return {}
    from babel.messages.pofile import read_po  # only when a translation is asked for

    merged: dict[str, str] = {}
    for po in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="zh_Hans_CN" if lang == "zh" else lang):
                if message.id and isinstance(message.id, str) and message.string:
                    merged[message.id] = str(message.string)
    return merged


def _(message: str) -> str:
    """The message in the current language (the English text itself when untranslated)."""
    lang = current_lang()
    if lang == "en":
        return message
    return catalogue(lang).get(message, message)


gettext = _
