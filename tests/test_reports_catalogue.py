"""Every English string the GB/T 46792 report and the workbook show has a Chinese translation
(in sim/present/locale/zh/LC_MESSAGES/reports.po, or the shared catalogue)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file

import sim.present.report_gbt as gbt
from sim.core.injects import INJECT_TYPES
from sim.present.i18n import catalogue

ROOT = Path(__file__).resolve().parents[1]


def _literal_ids() -> set[str]:
    ids: set[str] = set()
    for module in ("sim/present/report_gbt.py", "sim/present/excel.py"):
        for _line, msg, _comments, _ctx in extract_from_file("python", ROOT / module,
                                                            keywords={"_": None}):
            ids.add(str(msg))
    return ids


def test_every_report_and_workbook_string_has_chinese():
    zh = catalogue("zh")
    wanted = _literal_ids() | set(gbt.SECTIONS) | set(gbt.COVER_FIELDS) \
        | set(gbt.RECOMMENDATION_COLUMNS) | {gbt.TO_FILL} \
        | set(INJECT_TYPES) | {"muster", "evacuation", "festival", "mean", "p5", "p50", "p95",
                               "live", "tabletop", "planning", "organisation", "equipment",
                               "training", "Run id", "Command", "Run on", "Scenario file"}
    missing = sorted(m for m in wanted if not zh.get(m))
    assert missing == []
    assert len(wanted) > 100  # the extraction found the strings, not nothing
