"""Every string marked for translation in sim/ and dashboard/ has a 中文 translation, with the
same {placeholders} as its English."""

from __future__ import annotations

import re
import string
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from sim.present.i18n import KEYWORDS, LOCALE_DIR, _, catalogue, use_lang

ROOT = Path(__file__).resolve().parents[1]


def marked() -> dict[str, str]:
    """msgid → where it is marked (file:line), from Babel's own Python extractor."""
    found: dict[str, str] = {}
    for folder in ("sim", "dashboard"):
        if not (ROOT / folder).is_dir():
            continue
        for filename, lineno, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python"),
                                           ("**/templates/**.html", "jinja2.ext:babel_extract")],
                keywords=KEYWORDS,
                comment_tags=(), strip_comment_tags=True):
            msgid = message if isinstance(message, str) else message[0]
            if msgid:
                found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found


def fields(text: str) -> list[str]:
    return sorted(name for _lit, name, _spec, _conv in string.Formatter().parse(text)
                  if name is not None)


def test_every_marked_string_has_a_chinese_translation():
    zh = catalogue("zh")
    missing = {m: where for m, where in marked().items() if not zh.get(m)}
    assert not missing, "untranslated (add to a .po under sim/present/locale/zh):\n" + "\n".join(
        f"{where}: {m!r}" for m, where in sorted(missing.items(), key=lambda x: x[1]))


def test_translations_keep_their_placeholders_and_are_chinese():
    bad = []
    for po in sorted((LOCALE_DIR / "zh" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for msg in read_po(fh):
                if not msg.id or not msg.string:
                    continue
                try:
                    same = fields(str(msg.id)) == fields(str(msg.string))
                except ValueError as exc:  # an unbalanced brace in either
                    same, why = False, str(exc)
                else:
                    why = f"{fields(str(msg.id))} vs {fields(str(msg.string))}"
                if not same:
                    bad.append(f"{po.name}: {msg.id!r}: {why}")
    assert not bad, "\n".join(bad)


def test_the_checker_itself_sees_marked_strings_and_placeholders():
    found = marked()
    assert "people mustered by 60 min" in found  # N_ in the metric catalogue
    assert "at most {n}" in found  # _() with params in validation messages
    assert "2. Objectives" in found  # _() in the report's Jinja2 template
    assert fields("{b} 比 {a} {more}") == ["a", "b", "more"]
    with use_lang("zh"):
        assert _("at most {n}", n="1,000") == "至多 1,000"
        assert re.search(r"[\u4e00-\u9fff]", _("people mustered by 60 min"))
    with use_lang("en"):
        assert _("at most {n}", n="1,000") == "at most 1,000"


def replay_words() -> dict[str, str]:
    """Every name a kind's replay shows (counts table, map legend): states, groups, who, unit —
    stated as plain data in the kinds' ReplaySpec, so Babel cannot see them; they are checked
    here instead."""
    from sim.core.kind import kind_named
    from sim.kinds import BUNDLED

    words: dict[str, str] = {"state": "counts header", "who": "counts header"}
    # the bundled kinds only: a kind a test registers (tests/kinds/patrol) is not shipped
    for kind in map(kind_named, BUNDLED):
        spec = kind.replay
        if spec is None:
            continue
        where = f"{kind.name} ReplaySpec"
        names = [spec.before_first, spec.unit, spec.who_default, *spec.who.values(),
                 *(state for state, _how in spec.states.values()), *spec.groups]
        words.update({n: where for n in names if n})
        d = kind.dashboard  # shown through _() by the dashboard, so also names Babel cannot see
        words.update({n: f"{kind.name} DashboardDefaults" for n in
                      (d.forces_title, d.replay_dot, d.replay_note) if n})
    return words


def test_every_replay_state_and_group_has_a_chinese_translation():
    zh = catalogue("zh")
    words = replay_words()
    assert {"queueing", "households stranded", "mustered"} <= set(words)  # all three kinds seen
    missing = sorted(f"{where}: {w!r}" for w, where in words.items() if not zh.get(w))
    assert not missing, "untranslated replay names:\n" + "\n".join(missing)


def test_each_text_has_one_chinese_translation_across_the_catalogues():
    """The domains are merged at run time (the last file wins), so a text translated two ways
    would read one way in the dashboard's source and another on screen: a planner must see one
    term for one thing (a shelter is 安置点 everywhere)."""
    from collections import defaultdict

    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for po in sorted((Path(LOCALE_DIR) / "zh" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for m in read_po(fh):
                if m.id and isinstance(m.id, str) and m.string:
                    seen[m.id][po.name] = str(m.string)
    twice = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert not twice, twice
    assert any(len(v) > 1 for v in seen.values())  # the check can see a text in two files
