"""Every constant ``Problem`` message has a 中文 translation: ``Problem.__str__`` translates
the message where it is printed, so Babel (which looks for ``_()``) does not see these texts."""

from __future__ import annotations

import ast
from pathlib import Path

from sim.core.errors import Problem
from sim.present.i18n import catalogue, use_lang

ROOT = Path(__file__).resolve().parents[1]


def constant_messages() -> dict[str, str]:
    """message → where, for every ``Problem(path, "constant message", …)`` in sim/."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "sim").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem"
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                    and isinstance(node.args[1].value, str)):
                found.setdefault(node.args[1].value,
                                 f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_constant_problem_message_has_a_chinese_translation():
    zh = catalogue("zh")
    found = constant_messages()
    assert "malformed coordinates" in found and len(found) > 40  # the walk sees them
    missing = sorted(f"{where}: {m!r}" for m, where in found.items() if not zh.get(m))
    assert not missing, "Problem messages without 中文:\n" + "\n".join(missing)


def test_a_problem_prints_in_chinese():
    p = Problem("grids[0].centre", "malformed coordinates", [1])
    with use_lang("zh"):
        assert str(p) == "grids[0].centre：坐标格式有误（实际 [1]）"
    with use_lang("en"):
        assert str(p) == "grids[0].centre: malformed coordinates (got [1])"


def test_problems_with_values_print_in_chinese():
    """Messages that carry values are translated with them (not left in English because an
    f-string hid them from the catalogue)."""
    from sim.core.limits import check_values

    with use_lang("zh"):
        (p,) = check_values({"description": "x" * 50_000})
        assert str(p).startswith("description：文字长 50,000 个字符；最多"), str(p)
    with use_lang("en"):
        (p,) = check_values({"description": "x" * 50_000})
        assert str(p).startswith("description: text of 50,000 characters; at most"), str(p)
