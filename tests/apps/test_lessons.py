"""The teaching module: lesson structure (no model answer in a student's notebook), a student
playing each lesson, in English and in Chinese, with wrong and with rounded right answers, the
teacher's solutions in both languages, and the check helpers of planlib.apps.teaching.

nbval runs every lesson top to bottom as part of the suite (notebooks/ is a test path); the
tests here execute them with nbclient and read what the check cells printed.
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbclient import NotebookClient

import matplotlib
import planlib
import planlib.report.words
from planlib.apps import teaching

ROOT = Path(__file__).resolve().parents[2]
LESSONS_DIR = ROOT / "notebooks" / "lessons"
LESSONS = sorted(LESSONS_DIR.glob("0*.ipynb"))
ZH_DIR = LESSONS_DIR / "zh"
ZH_LESSONS = sorted(ZH_DIR.glob("0*.ipynb"))
EXPECTED_LESSONS = ["01_indicators_and_units", "02_targets_and_progress", "03_small_numbers",
                    "04_workforce_planning", "05_targets_for_2030"]
PLACEHOLDER = re.compile(r"^(answer_\d+)\s*=\s*None\b", re.M)
#: What a lesson's text and its checks say, per language (the checks' words are asserted as a
#: student reads them, not looked up in planlib).
MARKS = {
    "en": {"title": "# Lesson ", "goals": "## Learning goals", "minutes": r"About \d+ minutes",
           "question": "### Exercise", "accepted": "accepted: ", "model": "Model answer",
           "right": f"{teaching.CORRECT} correct", "wrong": f"{teaching.WRONG} not yet",
           "pending": "not answered yet", "margin": "are accepted", "written_answer": "written exercise: model answer"},
    "zh": {"title": "# 第", "goals": "## 学习目标", "minutes": r"约\d+分钟",
           "question": "### 练习", "accepted": "允许误差：", "model": "书面练习参考答案",
           "right": f"{teaching.CORRECT} 正确", "wrong": f"{teaching.WRONG} 还不对",
           "pending": "尚未作答", "margin": "均判为正确", "written_answer": "书面练习参考答案"},
}
ALL_LESSONS = [(p, "en") for p in LESSONS] + [(p, "zh") for p in ZH_LESSONS]


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _exercises(nb) -> list[tuple[int, int, int, str]]:
    """(exercise index, check index, exercise number, variable) for each exercise cell."""
    out = []
    cells = nb.cells
    for i, c in enumerate(cells):
        if "exercise" in _tags(c):
            m = PLACEHOLDER.search(c.source)
            assert m, f"exercise cell {c.get('id')} does not assign a None placeholder"
            out.append((i, i + 1, int(m.group(1).split("_")[1]), m.group(1)))
    return out


def _lesson_number(path: Path) -> int:
    return int(path.stem[:2])


def _text(cell) -> str:
    """Everything a code cell printed or displayed as text."""
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        elif o.get("output_type") in ("execute_result", "display_data"):
            parts.append(o.get("data", {}).get("text/plain", ""))
        elif o.get("output_type") == "error":
            parts.append(f"{o.get('ename')}: {o.get('evalue')}")
    return "".join(parts)


def _execute(nb, path: Path = LESSONS_DIR) -> nbformat.NotebookNode:
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path)}})
    client.execute()
    return nb


@pytest.fixture(scope="module", params=ALL_LESSONS, ids=[f"{lang}-{p.stem}" for p, lang in ALL_LESSONS])
def lesson(request) -> tuple[Path, nbformat.NotebookNode, str]:
    path, lang = request.param
    return path, _read(path), lang


# --- structure ----------------------------------------------------------------------------------

def test_the_lessons_exist_in_order_in_both_languages():
    assert [p.stem for p in LESSONS] == EXPECTED_LESSONS
    assert [p.stem[:2] for p in ZH_LESSONS] == [p.stem[:2] for p in LESSONS], "each lesson has its Chinese version"


CHECK_CALL = {
    "en": re.compile(r"^check\((\d), (\d), (answer_\d)(, birth_rate=birth_rate_per_1000)?\);$"),
    "zh": re.compile(r'^check\((\d), (\d), (answer_\d)(, birth_rate=birth_rate_per_1000)?, lang="zh"\);$'),
}


def test_lesson_structure(lesson):
    """Exercise cell, then its check, with nothing between: Shift+Enter runs the student's own
    answer through the check. No model answer is in the student's notebook, and the check
    cell shows no computation of the expected value (only the call into planlib)."""
    path, nb, lang = lesson
    mark = MARKS[lang]
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first_md.source.startswith(mark["title"]), f"{path.name}: starts with its title"
    assert mark["goals"] in first_md.source
    assert re.search(mark["minutes"], first_md.source)
    exercises = _exercises(nb)
    assert 2 <= len(exercises) <= 4, f"{path.name}: {len(exercises)} exercises"
    variables = [v for *_, v in exercises]
    assert len(set(variables)) == len(variables), "each exercise has its own answer variable"
    for ex, chk, n, var in exercises:
        check = nb.cells[chk]
        assert check.cell_type == "code" and "check" in _tags(check), f"{var}: check cell follows the exercise"
        m = CHECK_CALL[lang].match(check.source.strip())
        assert m, f"{path.name} {var}: check cell is only the call into planlib, got {check.source!r}"
        assert (int(m.group(1)), int(m.group(2)), m.group(3)) == (_lesson_number(path), n, var)
        teaching.exercise(_lesson_number(path), n)  # the exercise is registered
        question = nb.cells[ex - 1]
        assert question.cell_type == "markdown" and mark["question"] in question.source
        tol = teaching.exercise(_lesson_number(path), n).tolerance_text()
        if tol:
            assert mark["accepted"] + tol.split(" ")[0] in question.source.lower(), \
                f"{path.name} {var}: the question states the accepted margin {tol}"
    for c in nb.cells:
        assert "answer" not in _tags(c), f"{path.name}: a model answer cell is in the student's notebook"
        assert mark["model"] not in c.source
    written = [c for c in nb.cells if "written" in _tags(c)]
    assert written and all(c.cell_type == "markdown" for c in written), f"{path.name}: a written exercise"


def test_every_registered_exercise_is_in_its_lesson():
    registered = {(e.lesson, e.number) for e in teaching.EXERCISES.values() if e.lesson != teaching.ASSESSMENT}
    for lessons in (LESSONS, ZH_LESSONS):
        assert {(_lesson_number(p), n) for p in lessons for *_, n, _ in _exercises(_read(p))} == registered


def test_saved_without_outputs(lesson):
    path, nb, _ = lesson
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None, f"{path.name}: cell {c.get('id')} has outputs"


def test_readme_indexes_every_lesson():
    readme = (LESSONS_DIR / "README.md").read_text(encoding="utf-8")
    english, chinese = readme.split("## 中文说明")
    for name in EXPECTED_LESSONS:
        assert f"({name}.ipynb)" in english and f"(zh/{name}.ipynb)" in chinese
    assert "make lab" in readme and "teacher/solutions.ipynb" in english and "teacher/solutions_zh.ipynb" in chinese
    assert "Not yet: the lessons in Chinese" not in readme and "课程的中文版" not in readme
    assert len(chinese) > len(english) / 3, "the Chinese part is a full part, not a summary line"


# --- the Chinese lessons share the English lessons' code ------------------------------------------

def _code_tokens(source: str) -> list[tuple[int, str]]:
    """A code cell's tokens without its comments, layout and ``lang="zh"`` arguments."""
    source = re.sub(r',\s*lang="zh"', "", source)
    source = re.sub(r'^LANG = "zh"', 'LANG = "en"', source, flags=re.M)  # a lesson's language set once
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in skip]


def _english_of(zh_path: Path) -> Path:
    return next(p for p in LESSONS if p.stem[:2] == zh_path.stem[:2])


@pytest.mark.parametrize("zh_path", ZH_LESSONS, ids=[p.stem for p in ZH_LESSONS])
def test_chinese_lesson_runs_the_english_code(zh_path):
    """Same cells in the same order with the same tags; each code cell is the English one but
    for comments and ``lang="zh"`` (checks, sentences, figures), so the two cannot drift. The
    parameters cell is the same."""
    en, zh = _read(_english_of(zh_path)), _read(zh_path)
    assert [(c.cell_type, _tags(c)) for c in zh.cells] == [(c.cell_type, _tags(c)) for c in en.cells]
    for e, z in zip(en.cells, zh.cells):
        if e.cell_type == "code":
            assert _code_tokens(z.source) == _code_tokens(e.source), f"{zh_path.name}: {z.source!r}"
            if "check" in _tags(e) or "teaching.say(" in e.source or "_figure(" in e.source:
                assert 'lang="zh"' in z.source or "lang=LANG" in z.source, f"{zh_path.name}: {z.source!r} speaks Chinese"
        else:
            assert z.source != e.source


#: English terms a Chinese lesson may keep: the international name it explains and proper names.
ALLOWED_ENGLISH = ("maternal mortality ratio", "maternal mortality rate", "Open SDG", "Shift+Enter", "True", "False")


def _english_runs(markdown: str) -> list[str]:
    """Runs of three or more English words in markdown, outside code, links' targets, units,
    numbers and the allowed names."""
    text = re.sub(r"`[^`]*`", " ", markdown)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = text.replace("*", "")
    for term in ALLOWED_ENGLISH:
        text = text.replace(term, " ")
    return re.findall(r"[A-Za-z][A-Za-z'’]*(?:[ ,;:-]+[A-Za-z][A-Za-z'’]*){2,}", text)


@pytest.mark.parametrize("zh_path", ZH_LESSONS + [LESSONS_DIR / "teacher" / "solutions_zh.ipynb"],
                         ids=lambda p: p.stem)
def test_no_english_sentence_in_a_chinese_lesson(zh_path):
    for c in _read(zh_path).cells:
        if c.cell_type == "markdown":
            assert re.search(r"[\u4e00-\u9fff]", c.source), f"{zh_path.name}: {c.source[:80]!r} has no Chinese"
            assert _english_runs(c.source) == [], f"{zh_path.name}: English left in {c.source[:80]!r}"


def test_english_runs_finds_english():
    assert _english_runs("Read the unit of a health indicator，再换算。") == ["Read the unit of a health indicator"]
    assert _english_runs("用 `teaching.value(\"guangan\", \"life_expectancy\", year)` 查，Open SDG 方法，[第1课](01_a.ipynb)") == []


@pytest.mark.parametrize(("path", "source"), [(LESSONS_DIR / "03_small_numbers.ipynb", "National Bureau of Statistics"),
                                            (ZH_DIR / "03_small_numbers.ipynb", "国家统计局")])
def test_lesson_3_birth_rate_is_the_sourced_one(path, source):
    nb = _read(path)
    params = next(c for c in nb.cells if "parameters" in _tags(c))
    ns: dict = {}
    exec(params.source, ns)
    assert ns["birth_rate_per_1000"] == teaching.CHINA_CRUDE_BIRTH_RATE_2020
    assert source in params.source and ("Chaozhou" in params.source or "潮州" in params.source)


def test_lesson_5_exercises_follow_the_formulas_it_teaches():
    """The expected values come from assess_plan and target_options; the lesson teaches them as
    plain formulas on the plan's numbers: both must agree."""
    from planlib.analysis.assessment import JUDGED_CLASSES, MET_CLASSES
    region = teaching.LESSON5_REGION
    classes = teaching.lesson5_assessment()["class"]
    assert teaching.exercise(5, 2).expected() == pytest.approx(
        100 * classes.isin(MET_CLASSES).sum() / classes.isin(JUDGED_CLASSES).sum())
    assert teaching.exercise(5, 1).expected() in JUDGED_CLASSES
    required = (teaching.value("china", "nurses_per_1000", 2030, kind="target", cycle="15th")
                / teaching.value(region, "nurses_per_1000", 2020)) ** (1 / 10) - 1
    own = (1 + teaching.value(region, "nurses_per_1000_growth_pct", 2020) / 100) ** (1 / 5) - 1
    assert teaching.exercise(5, 3).expected() == pytest.approx(required)
    assert teaching.exercise(5, 4).expected() == pytest.approx(required / own)


# --- a student at work ----------------------------------------------------------------------------

def _wrong(ex: teaching.Exercise, lang: str = "en"):
    """A wrong answer of the right type (a status in the lesson's language)."""
    exp = ex.expected()
    if ex.kind == "bool":
        return not exp
    if ex.kind == "choice":
        options = ex.options() if callable(ex.options) else ex.options
        wrong = next(o for o in options if o != exp)
        return teaching.status_word(wrong, lang) if ex.synonyms else wrong
    return float(exp) * 1.5 + 1


def _rounded_right(ex: teaching.Exercise, lang: str = "en"):
    """A right answer as a student would type it: rounded as the exercise asks; for a status,
    the Open SDG method's own name where it has one (in Chinese for a Chinese lesson)."""
    exp = ex.expected()
    if ex.kind == "number":
        v = round(float(exp), ex.decimals)
        return int(v) if ex.decimals <= 0 else v
    if ex.kind == "choice" and ex.synonyms.get(exp):
        return teaching.STATUS_OPEN_SDG_ZH.get(exp, ex.synonyms[exp][0]) if lang == "zh" else ex.synonyms[exp][0]
    return exp


def _play(path: Path, answers, lang: str = "en") -> tuple[nbformat.NotebookNode, list[tuple[int, int]]]:
    """Run the lesson top to bottom (as Shift+Enter does) with each exercise cell replaced by
    ``answer_n = <answers(exercise, lang)>``; returns the executed notebook and (check index, number)."""
    nb = _read(path)
    lesson_no = _lesson_number(path)
    checks = []
    for ex_i, chk, n, var in _exercises(nb):
        if answers is not None:
            nb.cells[ex_i].source = f"{var} = {answers(teaching.exercise(lesson_no, n), lang)!r}"
        checks.append((chk, n))
    return _execute(nb, path.parent), checks


def test_student_with_wrong_answers_gets_a_cross_for_every_exercise(lesson):
    path, _, lang = lesson
    done, checks = _play(path, _wrong, lang)
    for chk, n in checks:
        out = _text(done.cells[chk])
        assert MARKS[lang]["wrong"] in out, f"{path.name} exercise {n}: wrong answer printed {out!r}"
        assert teaching.CORRECT not in out
        if lang == "zh":  # Chinese throughout, with a Chinese hint
            assert "提示：" in out and not re.search(r"\b(not yet|Hint|too (high|low)|answer|choice)\b", out), out


def test_student_with_rounded_right_answers_gets_a_tick_for_every_exercise(lesson):
    path, _, lang = lesson
    done, checks = _play(path, _rounded_right, lang)
    for chk, n in checks:
        out = _text(done.cells[chk])
        assert MARKS[lang]["right"] in out, f"{path.name} exercise {n}: right answer printed {out!r}"
        assert teaching.WRONG not in out
        if teaching.exercise(_lesson_number(path), n).kind == "number":
            assert MARKS[lang]["margin"] in out, "the margin is stated"


def test_unanswered_lesson_runs_and_waits(lesson):
    """Run All on a fresh lesson: every check waits for its answer, none ticks, and every
    data-quality message shown is complete (not cut by pandas' column width)."""
    path, _, lang = lesson
    done, checks = _play(path, None, lang)
    for chk, n in checks:
        out = _text(done.cells[chk])
        assert MARKS[lang]["pending"] in out and teaching.CORRECT not in out and teaching.WRONG not in out
    for c in done.cells:
        if c.cell_type == "code" and "message" in c.source:
            assert "..." not in _text(c), f"{path.name}: a message is cut: {_text(c)[:300]}"
            if lang == "zh":  # the messages are the Chinese ones
                assert re.search(r"[\u4e00-\u9fff]", _text(c)) and "is written in" not in _text(c)


@pytest.mark.parametrize(("name", "lang"), [("solutions.ipynb", "en"), ("solutions_zh.ipynb", "zh")])
def test_teachers_solutions_tick_every_exercise(name, lang):
    path = LESSONS_DIR / "teacher" / name
    done = _execute(_read(path), path.parent)
    outs = [_text(c) for c in done.cells if "model-answer" in _tags(c)]
    assert len(outs) == len([e for e in teaching.EXERCISES.values() if e.lesson != teaching.ASSESSMENT])
    for out in outs:
        assert MARKS[lang]["right"] in out and teaching.WRONG not in out, out
    written = [c for c in done.cells if c.cell_type == "markdown" and MARKS[lang]["written_answer"] in c.source]
    assert len(written) == len(LESSONS)


def test_check_states_its_margin_without_revealing_the_answer(capsys):
    ex = teaching.exercise(3, 1)
    exact = ex.expected()
    assert teaching.check(3, 1, round(exact, -2)) is True
    assert teaching.check(3, 1, exact * 1.2) is False
    out = capsys.readouterr().out
    assert "±1%" in out and f"{exact:,.0f}" not in out and f"{exact * 0.01:,.2f}" not in out
    assert teaching.check(2, 3, "Substantial progress / on track") is True
    assert teaching.check(2, 3, "moderate progress") is False
    assert teaching.check(2, 3, "great") is False
    assert teaching.check(2, 1, None) is None
    out = capsys.readouterr().out
    assert "not one of the choices" in out and "not answered yet" in out


def test_checks_speak_chinese(capsys):
    ex = teaching.exercise(3, 1)
    exact = ex.expected()
    assert teaching.check(3, 1, round(exact, -2), lang="zh") is True
    out = capsys.readouterr().out
    assert out.startswith("✓ 正确：") and "例活产" in out and "±1%" in out and "均判为正确" in out
    assert teaching.check(3, 1, exact * 1.2, lang="zh") is False
    out = capsys.readouterr().out
    assert out.startswith("✗ 还不对：") and "偏大" in out and "提示：活产数" in out and f"{exact:,.0f}" not in out
    assert teaching.check(1, 1, 20, lang="zh") is False
    assert "偏小" in capsys.readouterr().out
    assert teaching.check(2, 1, None, lang="zh") is None
    assert capsys.readouterr().out.startswith("… 尚未作答")
    assert teaching.check(2, 1, "很多", lang="zh") is False
    assert "这里应填一个数" in capsys.readouterr().out
    assert teaching.check(3, 3, "是" if teaching.exercise(3, 3).expected() else "否", lang="zh") is True
    with pytest.raises(ValueError, match="unknown language"):
        teaching.check(1, 1, 1, lang="fr")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_status_answers_in_every_accepted_wording(capsys, lang):
    """Lesson 2's status: planlib's word in English or Chinese (the briefings' 进展顺利) and the
    Open SDG name in English or Chinese are all right, whatever language the check speaks."""
    status = teaching.exercise(2, 3).expected()
    zh_word = planlib.report.words.WORDS["zh"]["text"][f"status.{status}"]
    for answer in (status, zh_word, teaching.STATUS_OPEN_SDG_ZH[status], teaching.STATUS_SYNONYMS[status][0]):
        assert teaching.check(2, 3, answer, lang=lang) is True, answer
    other = next(s for s in teaching.STATUS_OPEN_SDG_ZH if s != status)
    assert teaching.check(2, 3, teaching.STATUS_OPEN_SDG_ZH[other], lang=lang) is False
    assert teaching.check(2, 3, "很好", lang=lang) is False
    out = capsys.readouterr().out
    if lang == "zh":
        assert "不是正确答案" in out and "不在可选答案之中" in out and zh_word in out.split("可选答案为：")[-1]
    else:
        assert "not the right choice" in out and "not one of the choices" in out


def test_every_exercise_has_chinese_words():
    """A Chinese check prints no English unit or hint."""
    from planlib.report.words import WORDS
    for ex in teaching.EXERCISES.values():
        if ex.unit:
            assert f"unit.{ex.unit}" in WORDS["zh"]["lesson"], ex.unit
        if ex.hint:
            assert ex.hint_text("zh") and not re.search(r"[A-Za-z]{3,}", ex.hint_text("zh").replace("poisson_ci", ""))
    assert teaching.exercise(1, 1).tolerance_text("zh") == "±0.5/10万"


def test_quality_findings_in_chinese():
    en, zh = teaching.quality_findings("anju"), teaching.quality_findings("anju", lang="zh")
    assert list(en.columns) == list(zh.columns) and list(en["check"]) == list(zh["check"])
    assert zh["message"].str.contains(r"[\u4e00-\u9fff]").all()
    ids = set(planlib.load_indicators()["id"])
    assert not any(re.search(rf"\b{re.escape(i)}\b", m) for m in zh["message"] for i in ids)
    assert not zh["message"].str.contains("以计").any(), "the unit is named"


def test_lesson_sentences_and_figures_in_chinese(capsys):
    teaching.say("l2.steps", observed=0.12, required=0.24, ratio=0.5, status="limited progress", projected=78.4,
                 start=2015, end=2020, target_year=2025, lang="zh")
    teaching.say("l3.inside", year=2022, national=15.7, inside=True, lang="zh")
    out = capsys.readouterr().out
    assert "“进展有限，难以达标”" in out and "2015—2020年" in out and out.rstrip().endswith("是")
    fig = teaching.deaths_what_if_figure("weihai", 2022, lang="zh")
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    assert any(t.startswith("威海市2022年") for t in texts) and any("（报告值）" in t for t in texts)
    assert not any(re.search(r"\b(death|deaths|Source|Denominator)\b", t) for t in texts), texts


def test_lesson_3_checks_follow_the_birth_rate():
    lo, hi = teaching.exercise(3, 2).expected(birth_rate=10.0), teaching.exercise(3, 2).expected(birth_rate=8.52)
    assert hi == pytest.approx(lo * 10 / 8.52)
    # deaths come from the ratio times the births (0 here), never the ratio itself
    xq = teaching.xiangqiao_interval()
    assert xq.rate == 0 and xq.low == 0


# --- the check helpers ----------------------------------------------------------------------------

def test_check_number_right_wrong_and_missing(capsys):
    assert teaching.check_number(202.0, expected=202.0, tolerance=0.5, unit="per 100,000") is True
    assert "✓ correct: 202 per 100,000" in capsys.readouterr().out
    assert teaching.check_number(20.2, expected=202.0, tolerance=0.5) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ not yet") and "too low" in out and "202" not in out.replace("20.2", "")
    assert teaching.check_number(300, expected=202.0, tolerance=0.5, hint="‰ is per 1,000") is False
    out = capsys.readouterr().out
    assert "too high" in out and "Hint: ‰ is per 1,000" in out
    assert teaching.check_number(None, expected=202.0) is None
    assert "not answered yet" in capsys.readouterr().out


def test_check_number_tolerance_edges_and_types(capsys):
    assert teaching.check_number(202.5, expected=202.0, tolerance=0.5) is True
    assert teaching.check_number(202.51, expected=202.0, tolerance=0.5) is False
    assert teaching.check_number(101.0, expected=100.0, tolerance=0.01, relative=True) is True
    assert teaching.check_number(101.5, expected=100.0, tolerance=0.01, relative=True) is False
    assert teaching.check_number("12,870", expected=12_870.0, tolerance=1) is True
    assert teaching.check_number(np.float64(7.48), expected=7.477, tolerance=0.01) is True
    capsys.readouterr()
    for bad in ("seven", True, np.bool_(False), [1, 2], float("nan"), {"a": 1}):
        assert teaching.check_number(bad, expected=7.48, tolerance=0.01) is False
    out = capsys.readouterr().out
    assert out.count("✗") == 6 and "✓" not in out
    with pytest.raises(ValueError):
        teaching.check_number(1, expected=float("nan"))


def test_check_choice(capsys):
    opts = ["achieved", "on track", "needs acceleration", "limited progress"]
    assert teaching.check_choice("On Track", expected="on track", options=opts) is True
    assert teaching.check_choice("on_track", expected="on track", options=opts) is True
    assert teaching.check_choice("limited progress", expected="on track", options=opts) is False
    assert "not the right choice" in capsys.readouterr().out
    assert teaching.check_choice("great", expected="on track", options=opts) is False
    assert "not one of the choices" in capsys.readouterr().out
    assert teaching.check_choice(0.95, expected="on track") is False
    assert teaching.check_choice(None, expected="on track") is None
    assert "not answered yet" in capsys.readouterr().out


def test_check_bool(capsys):
    assert teaching.check_bool(True, expected=True) is True
    assert teaching.check_bool(np.bool_(True), expected=True) is True
    assert teaching.check_bool("yes", expected=True) is True
    assert teaching.check_bool(False, expected=True) is False
    assert teaching.check_bool(1, expected=True) is False  # a number is not a yes/no answer
    assert teaching.check_bool(None, expected=False) is None
    out = capsys.readouterr().out
    assert out.count("✓") == 3 and out.count("✗") == 2 and "not answered yet" in out


@pytest.mark.parametrize(("unit", "per"), [
    ("%", 100), ("‰", 1000), ("per 1000 live births", 1000), ("per 100000 live births", 100_000),
    ("per 1,000 population", 1000), ("/10万", 100_000), ("1/10万", 100_000), ("/10 万", 100_000),
])
def test_per_of_unit(unit, per):
    assert teaching.per_of_unit(unit) == per


def test_per_of_unit_rejects_counts_and_convert_rate():
    with pytest.raises(ValueError):
        teaching.per_of_unit("persons")
    assert teaching.convert_rate(2.02, 1000, 100_000) == pytest.approx(202.0)
    assert teaching.convert_rate(2.02, 100, 1000) == pytest.approx(20.2)
    with pytest.raises(ValueError):
        teaching.convert_rate(1, 0, 1000)


def test_value_skips_wrong_units_and_refuses_conflicts():
    rows = teaching.observations("weihai", "infant_mortality", 2022)
    assert (~rows["unit_ok"]).any() and rows["unit_ok"].any()
    assert teaching.value("weihai", "infant_mortality", 2022) == rows.loc[rows["unit_ok"], "value_std"].iloc[0]
    with pytest.raises(ValueError, match="different"):
        teaching.value("guangdong", "life_expectancy", 2020)  # two official reports disagree
    with pytest.raises(KeyError):
        teaching.value("weihai", "life_expectancy", 1990)


def test_interval_table_matches_uncertainty():
    from planlib.analysis.uncertainty import rate_interval
    t = teaching.interval_table([("one", 1, 13_374), ("zero", 0, 5_000, "src L1")])
    ri = rate_interval(1, 13_374, 100_000)
    assert t.loc[0, "rate"] == pytest.approx(ri.rate) and t.loc[0, "high"] == pytest.approx(ri.high)
    assert t.loc[1, "low"] == 0 and t.loc[1, "high"] == pytest.approx(73.78, abs=0.01)
    assert t.loc[1, "ref"] == "src L1"
    with pytest.raises(ValueError):
        teaching.interval_table([("bad", -1, 100)])


# --- the graded assessment ------------------------------------------------------------------

ASSESSMENT_NB = LESSONS_DIR / "assessment.ipynb"


def _handed_in(tmp_path, answers: dict[int, str]) -> Path:
    nb = _read(ASSESSMENT_NB)
    for c in nb.cells:
        m = PLACEHOLDER.search(c.source) if "answer-cell" in _tags(c) else None
        if m and int(m.group(1).split("_")[1]) in answers:
            c.source = f"{m.group(1)} = {answers[int(m.group(1).split('_')[1])]}"
    out = tmp_path / "assessment.ipynb"
    nbformat.write(nb, str(out))
    return out


def test_assessment_has_no_checks_and_a_written_question():
    nb = _read(ASSESSMENT_NB)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "check(" not in code and "grade_assessment" not in code
    assert sorted(int(n) for n in re.findall(r"^answer_(\d+) = None", code, re.M)) == \
        sorted(teaching.ASSESSMENT_POINTS)
    assert any("written" in _tags(c) for c in nb.cells)
    assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")


def test_assessment_marks_rounded_right_wrong_and_formula_answers(tmp_path):
    right = {n: repr(_rounded_right(teaching.exercise(teaching.ASSESSMENT, n))) for n in teaching.ASSESSMENT_POINTS}
    marks = teaching.grade_assessment(_handed_in(tmp_path, right))
    assert marks["awarded"].sum() == sum(teaching.ASSESSMENT_POINTS.values()), marks.to_string()
    wrong = {n: repr(_wrong(teaching.exercise(teaching.ASSESSMENT, n))) for n in teaching.ASSESSMENT_POINTS}
    wrong[1] = "__import__('os').system('touch pwned') or 1"  # a formula is read, never run
    marks = teaching.grade_assessment(_handed_in(tmp_path, wrong))
    assert marks["awarded"].sum() == 0 and pd.isna(marks.loc[0, "answer"])
    assert not Path("pwned").exists() and not (tmp_path / "pwned").exists()
    assert marks["verdict"].iloc[1:].str.startswith(teaching.WRONG).all()


def test_teacher_marks_the_blank_assessment_with_zero():
    path = LESSONS_DIR / "teacher" / "grade_assessment.ipynb"
    done = _execute(_read(path), path.parent)
    out = "".join(_text(c) for c in done.cells if c.cell_type == "code")
    assert f"0 of {sum(teaching.ASSESSMENT_POINTS.values())} points" in out
