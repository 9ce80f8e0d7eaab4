"""No English text goes straight from dashboard/*.py to the page: every label, help text,
caption, placeholder and message given to a Streamlit call passes through ``_()`` (so a planner
reading 中文 never meets an English sentence the catalogue cannot see).

Read with ``ast``, not by running the app: a literal on a page the AppTest tests do not open
(an error branch, an empty workspace) is caught too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Streamlit calls that put their first argument (a label, a message) on the page.
SHOWN = {"header", "subheader", "title", "markdown", "caption", "write", "text", "code",
         "info", "warning", "error", "success", "toast", "exception",
         "button", "form_submit_button", "download_button", "link_button",
         "selectbox", "multiselect", "radio", "number_input", "text_input", "text_area",
         "checkbox", "toggle", "slider", "select_slider", "date_input", "time_input",
         "file_uploader", "color_picker", "spinner", "status", "expander", "popover", "tabs",
         "metric", "progress"}
# Keyword arguments a planner reads.
SHOWN_KEYWORDS = {"label", "help", "caption", "placeholder", "text"}
# Calls whose result is a container with the same methods (c1.selectbox, left.metric, …).
CONTAINERS = {"columns", "tabs", "container", "empty", "expander", "popover", "form", "sidebar"}

WORD = re.compile(r"[A-Za-z]{2,}")
# Words that may stand as they are in both languages (proper names, file formats, units),
# and the code of an expression: ``"yaml"`` as st.code's language is not shown as a word.
ALLOWED_WORDS = {
    "gridmuster",  # the product's name
    "English",  # the language switch offers English by its own name
    "CSV", "Excel", "HTML", "YAML", "docx", "xlsx",  # file formats on download buttons
}
# Whole texts shown as they are in both languages.
ALLOWED_TEXTS = {
    "语言 / Language",  # the language switch is labelled in both, so either reader finds it
    "name: ...\nkind: muster\n...",  # an example of the YAML keys a planner types, as typed
}


def _words(node: ast.AST) -> list[str]:
    """The English words in the literal text of ``node`` (a string, an f-string, ``"…" + x``,
    ``"…".format(…)``); [] when the node is not literal text or has only symbols/markup."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value in ALLOWED_TEXTS:
            return []
        return [w for w in WORD.findall(node.value) if w not in ALLOWED_WORDS]
    if isinstance(node, ast.JoinedStr):  # f"**{_(x)}**" is fine, f"{n} assumptions" is not
        return [w for part in node.values for w in _words(part)]
    if isinstance(node, ast.BinOp):
        return _words(node.left) + _words(node.right)
    if isinstance(node, ast.IfExp):
        return _words(node.body) + _words(node.orelse)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("format", "join")):
        return _words(node.func.value)  # "….".format() outside _(): still untranslated
    return []


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _container_names(tree: ast.AST) -> set[str]:
    """Names bound to Streamlit containers: ``c1, c2 = st.columns(2)``, ``with st.form() as f``,
    ``tab = st.tabs([...])[0]``."""
    names = {"st"}

    def from_st(value: ast.AST) -> bool:
        while isinstance(value, ast.Subscript):
            value = value.value
        return (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr in CONTAINERS and _root(value.func) == "st")

    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign) and from_st(node.value):
            targets = list(node.targets)
        elif isinstance(node, ast.withitem) and node.optional_vars and from_st(node.context_expr):
            targets = [node.optional_vars]
        for t in targets:
            names |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _callee_attrs(func: ast.AST) -> list[ast.Attribute]:
    if isinstance(func, ast.Attribute):
        return [func]
    if isinstance(func, ast.IfExp):  # (st.error if bad else st.success)(message)
        return _callee_attrs(func.body) + _callee_attrs(func.orelse)
    return []


def untranslated(source: str, filename: str = "<text>") -> list[str]:
    """Every place in ``source`` where literal English goes to a Streamlit call."""
    tree = ast.parse(source, filename)
    owners = _container_names(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for attr in _callee_attrs(node.func):
            owner = _root(attr.value)
            column = (attr.attr.endswith("Column") and isinstance(attr.value, ast.Attribute)
                      and attr.value.attr == "column_config")  # a table column's header
            if owner not in owners or not (attr.attr in SHOWN or column):
                continue
            shown: list[ast.expr] = node.args[:1]
            if attr.attr == "tabs" and node.args and isinstance(node.args[0], (ast.List,
                                                                               ast.Tuple)):
                shown = list(node.args[0].elts)
            if attr.attr == "code":  # st.code shows its text; language= is not text
                shown = node.args[:1]
            shown += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
            for arg in shown:
                words = _words(arg)
                if words:
                    found.append((arg.lineno, f"{filename}:{arg.lineno}: {attr.attr}(… "
                                              f"{' '.join(words)} …)"))
    return [text for _line, text in sorted(found)]


def test_no_dashboard_page_shows_an_untranslated_literal():
    found = []
    for path in sorted((ROOT / "dashboard").glob("*.py")):
        found += untranslated(path.read_text(encoding="utf-8"), f"dashboard/{path.name}")
    assert not found, "wrap these in _() and translate them in dashboard.po:\n" + "\n".join(found)


def test_the_checker_sees_literals_in_every_form_and_lets_translated_text_through():
    bad = '''
import streamlit as st
c1, c2 = st.columns(2)
st.header("Scenario")
c1.metric("grids", 3)
st.caption(f"kind **{k}** · from {src}")
st.info("Still showing " + name)
st.radio("Open", opts, help="Pick one")
st.text_area(_("Scenario YAML"), placeholder="name: ...")
with st.form("f") as form:
    form.selectbox("Plan", names)
(st.error if bad else st.success)("Saved plan {p}".format(p=p))
st.column_config.TextColumn("kind of value")
t1, t2 = st.tabs(["Table", _("Chart")])
'''
    found = untranslated(bad)
    assert [f.split(": ", 1)[1].split("(")[0] for f in found] == [
        "header", "metric", "caption", "info", "radio", "radio", "text_area", "selectbox",
        "error", "success", "TextColumn", "tabs"], found
    good = '''
import streamlit as st
import logging
c1, = st.columns(1)
st.header(_("Scenario"))
c1.metric(_("grids"), 3)
st.caption(_("kind **{kind}** · from {src}").format(kind=k, src=src))
st.markdown(f"**{_(title)}**")
st.markdown("---")
st.caption(" · ".join(parts))
st.code(text, language="yaml")
st.download_button(_("Comparison as CSV"), data, file_name="comparison.csv", mime="text/csv")
logging.info("not on the page")
'''
    assert untranslated(good) == []
