"""``gridmuster --help`` in 中文: every command's and option's help text has a translation, and
the help printed with ``--lang zh`` or ``GRIDMUSTER_LANG=zh`` shows it (and none of the English)."""

from __future__ import annotations

import inspect
import re

import pytest
import typer

from sim.cli.localise import help_texts, lang_in
from sim.cli.main import app
from sim.present.i18n import catalogue
from tests.helpers import cli_here
from tests.test_startup import _loaded

pytestmark = pytest.mark.cli

BOX = re.compile(r"[\s│╭╮╰╯─…]+")  # rich's panel borders and the line breaks it inserts


def flat(text: str) -> str:
    return BOX.sub("", text)


def command_paths() -> list[list[str]]:
    from sim.cli.localise import commands

    return [path.split() for path, _cmd in commands(typer.main.get_command(app))]


def own_texts(path: list[str]) -> list[str]:
    """The English help texts ``gridmuster PATH --help`` prints: the command's and its options'."""
    from sim.cli.localise import commands

    cmd = dict(commands(typer.main.get_command(app)))[" ".join(path)]
    texts = [cmd.help or ""] + [getattr(p, "help", None) or "" for p in cmd.params
                                if not getattr(p, "hidden", False)]
    return [inspect.cleandoc(t) for t in texts if t]


def test_every_help_text_has_a_chinese_translation():
    zh = catalogue("zh")
    texts = list(help_texts(typer.main.get_command(app)))
    assert len(texts) > 80  # the walk sees options of sub-commands too
    assert ("network elevation zones",
            "GeoJSON polygons of low-lying zones (property elevation_m)") in texts
    missing = sorted({f"{where}: {text!r}" for where, text in texts if not zh.get(text)})
    assert not missing, "help texts without 中文 (add them to cli.po):\n" + "\n".join(missing)


@pytest.mark.parametrize("how", ["--lang", "env"])
def test_every_commands_help_is_chinese(how: str, monkeypatch: pytest.MonkeyPatch):
    zh = catalogue("zh")
    if how == "env":
        monkeypatch.setenv("GRIDMUSTER_LANG", "zh")
    checked = 0
    for path in command_paths():
        args = (["--lang", "zh"] if how == "--lang" else []) + [*path, "--help"]
        done = cli_here(*args)
        assert done.returncode == 0, (path, done.stderr)
        out = flat(done.stdout)
        assert "选项" in out and "显示本帮助并退出。" in out and "Options" not in out, path
        assert "用法：" in out and "Usage:" not in out, path
        for text in own_texts(path):
            words = text.split()
            if len(words) >= 3:  # an English sentence, not a bare name
                assert "".join(words[:3]) not in out, (path, text)
            assert flat(zh[text])[:12] in out, (path, text)
            checked += 1
        assert not TYPE_NAMES.search(done.stdout), (path, TYPE_NAMES.findall(done.stdout))
    assert checked > 80


# typer's names of types and ranges, which a planner reading the help should not meet:
# <bool> beside a flag (which takes no value), <int range>, <str>, [0<=x<=9223372036854775807]
TYPE_NAMES = re.compile(r"<(?:bool|int|float|str|int range|float range)>|<list\[|<=x|x<=|x>=")


def test_options_say_what_they_take_in_words_and_flags_take_nothing():
    """Every command's help in English too: values in words with their range as people write
    one, no type beside a flag."""
    for path in command_paths():
        out = cli_here(*path, "--help").stdout
        assert not TYPE_NAMES.search(out), (path, TYPE_NAMES.findall(out))
    out = cli_here("compare", "--help").stdout
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "--reps" in line)
    reps = " ".join(lines[at:at + 2])  # (the range may wrap to the next line)
    assert "<whole number>" in reps and "[1–100,000]" in reps, reps
    assert "[≥ 0]" in next(line for line in out.splitlines() if "--seed" in line)
    store = next(line for line in out.splitlines() if "--no-store" in line)
    assert "<" not in store, store  # a flag: nothing to type after it
    zh = cli_here("--lang", "zh", "compare", "--help").stdout
    assert "<整数> [1–100,000]" in zh and "<文字>" in zh


def test_every_option_says_what_it_is_for():
    """optimise's --at-least and --at-most, review's --plan and --reps, runs list's --limit
    and network grids' --*-field options had no words at all beside them; --vary read
    <list[str]>."""
    import click

    root = typer.main.get_command(app)
    silent = []
    for path in command_paths():
        command = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        silent += [f"{' '.join(path)} {p.opts[0]}" for p in command.params
                   if isinstance(p, click.Option) and not (p.help or "").strip()]
    assert not silent, silent
    zh = cli_here("--lang", "zh", "optimise", "--help").stdout
    assert "<文字>（可多次给出）" in zh and "目标：该指标不低于此值" in zh


def test_english_help_stays_english_after_a_chinese_one(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GRIDMUSTER_LANG", "en")
    assert "选项" in cli_here("--lang", "zh", "run", "--help").stdout
    out = cli_here("run", "--help").stdout
    assert "Options" in out and "Usage:" in out and "replications per plan" in out
    assert not re.search(r"[\u4e00-\u9fff]", out)


def test_the_language_is_found_before_typer_parses():
    assert lang_in(["--lang", "zh", "run", "--help"]) == "zh"
    assert lang_in(["--lang=zh_CN", "--help"]) == "zh_CN"
    assert lang_in(["report", "out/x", "--lang", "en", "--help"]) == "en"
    assert lang_in(["--lang", "fr", "--help"]) is None  # left to the option's own check
    assert lang_in(["--lang"]) is None
    assert lang_in(["run", "--", "--lang", "zh"]) is None


def test_a_bad_lang_is_still_refused():
    done = cli_here("--lang", "fr", "--help")
    assert done.returncode == 0 or "--lang" in done.stderr  # --help is eager: it may win
    done = cli_here("--lang", "fr", "version")
    assert done.returncode == 2 and "--lang" in done.stderr


def test_chinese_help_imports_no_heavy_library():
    result = _loaded(["--lang", "zh", "--help"])
    assert result["code"] in (0, None)
    assert result["loaded"] == []


@pytest.mark.parametrize("args,zh,en", [
    (["run"], "缺少参数 'SCENARIO'。", "Missing argument 'SCENARIO'."),
    (["run", "x.yaml", "--bogus"], "没有此选项：--bogus", "No such option: --bogus"),
    (["run", "x.yaml", "--reps", "abc"], "'--reps' 的值无效：不是整数", "Invalid value for '--reps'"),
    (["run", "x.yaml", "--reps", "0"], "'--reps' 的值无效：应不小于 1", "Invalid value for '--reps'"),
    (["compare", "x.yaml", "--workers", "999"], "'--workers' 的值无效：应不大于 256",
     "Invalid value for '--workers'"),
    (["runn"], "没有此命令 'runn'。是否要输入 'run', 'runs'？", "No such command 'runn'."),
])
def test_usage_errors_in_chinese(args: list[str], zh: str, en: str):
    done = cli_here("--lang", "zh", *args)
    assert done.returncode == 2 and flat(zh) in flat(done.stderr), done.stderr
    assert "错误" in done.stderr and "用法：" in done.stderr
    english = cli_here("--lang", "en", *args)
    assert flat(en) in flat(english.stderr), english.stderr


def test_an_unknown_usage_error_is_left_as_it_is():
    from sim.cli.localise import usage_error
    from sim.present.i18n import use_lang

    with use_lang("zh"):
        assert usage_error("Something else entirely.") == "Something else entirely."
        assert usage_error("Missing option '--observed'.") == "缺少选项 '--observed'。"
