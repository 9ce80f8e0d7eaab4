"""A file uploader whose words are in the page's language.

Streamlit 1.67 writes its uploader's button ("Upload") and hint ("5MB per file • XLSX, CSV")
in English and has no setting for them. In 中文 both are drawn again in Chinese by a style
scoped to the one uploader (its key is a class, ``st-key-KEY``): the English is kept in the
page at size zero, so screen readers and tests still find Streamlit's own element.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from sim.present.i18n import is_zh

BUTTON_ZH = "选择文件"


def hint_zh(types: list[str], limit_mb: int) -> str:
    """``每个文件不超过 5 MB · XLSX、CSV``: Streamlit's hint, in Chinese."""
    return f"每个文件不超过 {limit_mb} MB · " + "、".join(t.upper() for t in types)


def file_uploader(label: str, types: list[str], key: str) -> Any:
    """``st.file_uploader`` of ``types`` (extensions without the dot), said in the page's
    language."""
    up = st.file_uploader(label, type=types, key=key)
    if is_zh():
        limit = int(st.get_option("server.maxUploadSize"))
        scope = f".st-key-{_css_class(key)}"
        st.html(
            "<style>"
            f"{scope} button [data-testid='stMarkdownContainer'] p,"
            f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span"
            "{font-size:0;}"
            f"{scope} button [data-testid='stMarkdownContainer'] p::after"
            f"{{content:'{BUTTON_ZH}';font-size:0.875rem;}}"
            f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span::after"
            f"{{content:'{hint_zh(types, limit)}';font-size:0.875rem;}}"
            "</style>")
    return up


def _css_class(key: str) -> str:
    """The class Streamlit gives an element with ``key``: characters other than letters,
    digits, ``-`` and ``_`` become ``-``."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-"
                   for c in key.strip())
