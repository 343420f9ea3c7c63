"""The teaching module: lesson structure (no model answer in a student's notebook), a student
playing each lesson with wrong and with rounded right answers, the teacher's solutions, and the
check helpers of planlib.apps.teaching.

nbval runs every lesson top to bottom as part of the suite (notebooks/ is a test path); the
tests here execute them with nbclient and read what the check cells printed.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbclient import NotebookClient

from planlib.apps import teaching

ROOT = Path(__file__).resolve().parents[2]
LESSONS_DIR = ROOT / "notebooks" / "lessons"
LESSONS = sorted(LESSONS_DIR.glob("0*.ipynb"))
EXPECTED_LESSONS = ["01_indicators_and_units", "02_targets_and_progress", "03_small_numbers",
                    "04_workforce_planning", "05_targets_for_2030"]
PLACEHOLDER = re.compile(r"^(answer_\d+)\s*=\s*None\b", re.M)


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


@pytest.fixture(scope="module", params=LESSONS, ids=[p.stem for p in LESSONS])
def lesson(request) -> tuple[Path, nbformat.NotebookNode]:
    return request.param, _read(request.param)


# --- structure ----------------------------------------------------------------------------------

def test_the_lessons_exist_in_order():
    assert [p.stem for p in LESSONS] == EXPECTED_LESSONS


CHECK_CALL = re.compile(r"^check\((\d), (\d), (answer_\d)(, birth_rate=birth_rate_per_1000)?\);$")


def test_lesson_structure(lesson):
    """Exercise cell, then its check, with nothing between: Shift+Enter runs the student's own
    answer through the check. No model answer is in the student's notebook, and the check
    cell shows no computation of the expected value (only the call into planlib)."""
    path, nb = lesson
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first_md.source.startswith("# Lesson "), f"{path.name}: starts with its title"
    assert "## Learning goals" in first_md.source
    assert re.search(r"About \d+ minutes", first_md.source)
    exercises = _exercises(nb)
    assert 2 <= len(exercises) <= 4, f"{path.name}: {len(exercises)} exercises"
    variables = [v for *_, v in exercises]
    assert len(set(variables)) == len(variables), "each exercise has its own answer variable"
    for ex, chk, n, var in exercises:
        check = nb.cells[chk]
        assert check.cell_type == "code" and "check" in _tags(check), f"{var}: check cell follows the exercise"
        m = CHECK_CALL.match(check.source.strip())
        assert m, f"{path.name} {var}: check cell is only the call into planlib, got {check.source!r}"
        assert (int(m.group(1)), int(m.group(2)), m.group(3)) == (_lesson_number(path), n, var)
        teaching.exercise(_lesson_number(path), n)  # the exercise is registered
        question = nb.cells[ex - 1]
        assert question.cell_type == "markdown" and "### Exercise" in question.source
        tol = teaching.exercise(_lesson_number(path), n).tolerance_text()
        if tol:
            assert "accepted: " + tol.split(" ")[0] in question.source.lower(), \
                f"{path.name} {var}: the question states the accepted margin {tol}"
    for c in nb.cells:
        assert "answer" not in _tags(c), f"{path.name}: a model answer cell is in the student's notebook"
        assert "Model answer" not in c.source
    written = [c for c in nb.cells if "written" in _tags(c)]
    assert written and all(c.cell_type == "markdown" for c in written), f"{path.name}: a written exercise"


def test_every_registered_exercise_is_in_its_lesson():
    in_lessons = {(_lesson_number(p), n) for p in LESSONS for *_, n, _ in _exercises(_read(p))}
    assert in_lessons == {(e.lesson, e.number) for e in teaching.EXERCISES.values() if e.lesson != teaching.ASSESSMENT}


def test_saved_without_outputs(lesson):
    path, nb = lesson
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None, f"{path.name}: cell {c.get('id')} has outputs"


def test_readme_indexes_every_lesson():
    readme = (LESSONS_DIR / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED_LESSONS:
        assert f"{name}.ipynb" in readme
    assert "make lab" in readme and "teacher/solutions.ipynb" in readme


def test_lesson_3_birth_rate_is_the_sourced_one():
    nb = _read(LESSONS_DIR / "03_small_numbers.ipynb")
    params = next(c for c in nb.cells if "parameters" in _tags(c))
    ns: dict = {}
    exec(params.source, ns)
    assert ns["birth_rate_per_1000"] == teaching.CHINA_CRUDE_BIRTH_RATE_2020
    assert "National Bureau of Statistics" in params.source


def test_lesson_5_exercises_follow_the_formulas_it_teaches():
    """The expected values come from assess_plan and target_options; the lesson teaches them as
    plain formulas on the plan's numbers: both must agree."""
    from planlib.analysis.assessment import JUDGED_CLASSES, MET_CLASSES
    region = teaching.LESSON5_REGION
    classes = teaching.lesson5_assessment()["class"]
    assert teaching.exercise(5, 2).expected() == pytest.approx(
        100 * classes.isin(MET_CLASSES).sum() / classes.isin(JUDGED_CLASSES).sum())
    assert teaching.exercise(5, 1).expected() in JUDGED_CLASSES
    required = (teaching.value("china", "nurses_per_1000", 2030, kind="target")
                / teaching.value(region, "nurses_per_1000", 2020)) ** (1 / 10) - 1
    own = (1 + teaching.value(region, "nurses_per_1000_growth_pct", 2020) / 100) ** (1 / 5) - 1
    assert teaching.exercise(5, 3).expected() == pytest.approx(required)
    assert teaching.exercise(5, 4).expected() == pytest.approx(required / own)


ZH_LESSON_5 = LESSONS_DIR / "zh" / "05_targets_for_2030.ipynb"


def _code_cells(nb) -> list[tuple[str, list[str]]]:
    return [(c.source, _tags(c)) for c in nb.cells if c.cell_type == "code"]


def test_chinese_lesson_5_shares_the_english_code():
    """Same code cells as the English lesson, but for the language of its tables, figure and checks;
    Chinese narrative, a written exercise, no model answer, saved without outputs."""
    en, zh = _read(LESSONS_DIR / "05_targets_for_2030.ipynb"), _read(ZH_LESSON_5)
    expected = [(src.replace('LANG = "en"', 'LANG = "zh"'), tags) for src, tags in _code_cells(en)]
    expected = [(re.sub(r"^(check\(5, \d, answer_\d)\);$", r'\1, lang="zh");', src), tags) for src, tags in expected]
    assert _code_cells(zh) == expected
    assert 'LANG = "zh"' in zh.cells[2].source
    md = [c.source for c in zh.cells if c.cell_type == "markdown"]
    assert md[0].startswith("# 第五课") and "## 学习目标" in md[0] and "约45分钟" in md[0]
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in md), "every markdown cell is in Chinese"
    assert sum("written" in _tags(c) for c in zh.cells) == 1
    assert not any({"answer", "model-answer"} & set(_tags(c)) or "Model answer" in c.source for c in zh.cells)
    assert all(c.outputs == [] for c in zh.cells if c.cell_type == "code")


# --- a student at work ----------------------------------------------------------------------------

def _wrong(ex: teaching.Exercise):
    """A wrong answer of the right type."""
    exp = ex.expected()
    if ex.kind == "bool":
        return not exp
    if ex.kind == "choice":
        options = ex.options() if callable(ex.options) else ex.options
        return next(o for o in options if o != exp)
    return float(exp) * 1.5 + 1


def _rounded_right(ex: teaching.Exercise):
    """A right answer as a student would type it: rounded as the exercise asks; for a status,
    the Open SDG method's own name where it has one."""
    exp = ex.expected()
    if ex.kind == "number":
        v = round(float(exp), ex.decimals)
        return int(v) if ex.decimals <= 0 else v
    if ex.kind == "choice" and ex.synonyms.get(exp):
        return ex.synonyms[exp][0]
    return exp


def _play(path: Path, answers) -> tuple[nbformat.NotebookNode, list[tuple[int, int]]]:
    """Run the lesson top to bottom (as Shift+Enter does) with each exercise cell replaced by
    ``answer_n = <answers(exercise)>``; returns the executed notebook and (check index, number)."""
    nb = _read(path)
    lesson_no = _lesson_number(path)
    checks = []
    for ex_i, chk, n, var in _exercises(nb):
        if answers is not None:
            nb.cells[ex_i].source = f"{var} = {answers(teaching.exercise(lesson_no, n))!r}"
        checks.append((chk, n))
    return _execute(nb), checks


def test_student_with_wrong_answers_gets_a_cross_for_every_exercise(lesson):
    path, _ = lesson
    done, checks = _play(path, _wrong)
    for chk, n in checks:
        out = _text(done.cells[chk])
        assert f"{teaching.WRONG} not yet" in out, f"{path.name} exercise {n}: wrong answer printed {out!r}"
        assert teaching.CORRECT not in out


def test_student_with_rounded_right_answers_gets_a_tick_for_every_exercise(lesson):
    path, _ = lesson
    done, checks = _play(path, _rounded_right)
    for chk, n in checks:
        out = _text(done.cells[chk])
        assert f"{teaching.CORRECT} correct" in out, f"{path.name} exercise {n}: right answer printed {out!r}"
        assert teaching.WRONG not in out
        if teaching.exercise(_lesson_number(path), n).kind == "number":
            assert "are accepted" in out, "the margin is stated"


def test_chinese_lesson_5_student_gets_crosses_then_ticks():
    for answers, mark in ((_wrong, teaching.WRONG), (_rounded_right, teaching.CORRECT)):
        done, checks = _play(ZH_LESSON_5, answers)
        assert len(checks) == 4
        for chk, n in checks:
            out = _text(done.cells[chk])
            assert mark in out and ({teaching.WRONG, teaching.CORRECT} - {mark}).pop() not in out, (n, out)


def test_unanswered_lesson_runs_and_waits(lesson):
    """Run All on a fresh lesson: every check waits for its answer, none ticks, and every
    data-quality message shown is complete (not cut by pandas' column width)."""
    path, _ = lesson
    done, checks = _play(path, None)
    for chk, n in checks:
        out = _text(done.cells[chk])
        assert "not answered yet" in out and teaching.CORRECT not in out and teaching.WRONG not in out
    for c in done.cells:
        if c.cell_type == "code" and "message" in c.source:
            assert "..." not in _text(c), f"{path.name}: a message is cut: {_text(c)[:300]}"


def test_teachers_solutions_tick_every_exercise():
    path = LESSONS_DIR / "teacher" / "solutions.ipynb"
    done = _execute(_read(path), path.parent)
    outs = [_text(c) for c in done.cells if "model-answer" in _tags(c)]
    assert len(outs) == len([e for e in teaching.EXERCISES.values() if e.lesson != teaching.ASSESSMENT])
    for out in outs:
        assert f"{teaching.CORRECT} correct" in out and teaching.WRONG not in out, out
    written = [c for c in done.cells if c.cell_type == "markdown" and "written exercise: model answer" in c.source]
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
