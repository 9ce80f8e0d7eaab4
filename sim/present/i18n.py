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
import string
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

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
    from babel.messages.pofile import read_po  # deferred: only when a translation is asked for

    merged: dict[str, str] = {}
    for po in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="zh_Hans_CN" if lang == "zh" else lang):
                if message.id and isinstance(message.id, str) and message.string:
                    merged[message.id] = str(message.string)
    return merged


def _(message: str, /, **params: Any) -> str:
    """The message in the current language (the English text itself when untranslated).

    ``params`` fill ``{name}`` placeholders after translation, so the translator may move them:
    ``_("at most {n}", n="1,000")`` → ``至多 1,000``. Without params the text is returned as is
    (braces in it need no escaping)."""
    lang = current_lang()
    if lang == "en":
        return message.format(**params) if params else message
    text = catalogue(lang).get(message, message)
    return spaced(text, params) if params else text


_FORMATTER = string.Formatter()


def _ideograph(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def _latin(c: str) -> bool:
    return c.isascii() and c.isalnum()


@functools.lru_cache(maxsize=4096)
def _parsed(template: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    return tuple(_FORMATTER.parse(template))


def spaced(template: str, params: dict[str, Any]) -> str:
    """``template.format(**params)`` with a space where a filled-in value and the text beside
    it meet as a Chinese character and a Latin letter or digit (``的{phrase}`` with "60 分钟内…"
    gives ``的 60 分钟内…``; ``多{amount}`` gives ``多 287 人``), as the catalogue spaces its own
    text. A translator cannot know whether a value (a plan's name, a measure) starts with a
    character or a digit; where both sides are Chinese nothing is added. A value holding a
    path separator is left as it is, and so is everything inside a value."""
    pieces: list[tuple[str, bool]] = []  # (text, a filled-in value)
    for literal, field, spec, conversion in _parsed(template):
        if literal:
            pieces.append((literal, False))
        if field is not None:
            value, _key = _FORMATTER.get_field(field, (), params)
            value = _FORMATTER.convert_field(value, conversion)
            pieces.append((_FORMATTER.format_field(value, spec or ""), True))
    out: list[str] = []
    prev: tuple[str, bool] | None = None
    for text, is_value in pieces:
        if prev is not None and text and prev[0] and (is_value or prev[1]) \
                and not any(sep in v for v, filled in (prev, (text, is_value)) if filled
                            for sep in "/\\"):
            a, b = prev[0][-1], text[0]
            if (_ideograph(a) and _latin(b)) or (_latin(a) and _ideograph(b)):
                out.append(" ")
        out.append(text)
        if text:
            prev = (text, is_value)
    return "".join(out)


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it now (module-level tables whose
    entries are translated where they are shown, e.g. metric phrases)."""
    return message


def is_zh() -> bool:
    return current_lang() == "zh"


def pick(en: str, zh: str | None) -> str:
    """A text given in both languages by the user (``name``/``name_zh``): the Chinese one when
    the language is 中文 and it is given, else the English."""
    return zh if zh and is_zh() else en


gettext = _

# Babel extraction keywords; each takes the message as its first argument (``tr`` is ``_``
# imported under another name where ``_`` is a throwaway variable).
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "tr": None, "gettext": None}
