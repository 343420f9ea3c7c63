"""The teaching module: lesson structure, model answers that pass their checks, checks that
reject wrong answers and wait for missing ones, and the check helpers of planlib.apps.teaching.

nbval runs every lesson top to bottom as part of the suite (notebooks/ is a test path); the
tests here execute them with nbclient and read what the check cells printed.
"""
from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from planlib.apps import teaching

ROOT = Path(__file__).resolve().parents[2]
LESSONS_DIR = ROOT / "notebooks" / "lessons"
LESSONS = sorted(LESSONS_DIR.glob("0*.ipynb"))
EXPECTED_LESSONS = ["01_indicators_and_units", "02_targets_and_progress", "03_small_numbers",
                    "04_workforce_planning"]
PLACEHOLDER = re.compile(r"^(answer_\d+)\s*=\s*None\b", re.M)


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _exercises(nb) -> list[tuple[int, int, int, str]]:
    """(exercise index, answer index, check index, variable) for each exercise cell."""
    out = []
    cells = nb.cells
    for i, c in enumerate(cells):
        if "exercise" in _tags(c):
            m = PLACEHOLDER.search(c.source)
            assert m, f"exercise cell {c.get('id')} does not assign a None placeholder"
            out.append((i, i + 1, i + 2, m.group(1)))
    return out


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


def _execute(nb) -> nbformat.NotebookNode:
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(LESSONS_DIR)}})
    client.execute()
    return nb


@pytest.fixture(scope="module", params=LESSONS, ids=[p.stem for p in LESSONS])
def lesson(request) -> tuple[Path, nbformat.NotebookNode]:
    return request.param, _read(request.param)


# --- structure ----------------------------------------------------------------------------------

def test_the_four_lessons_exist_in_order():
    assert [p.stem for p in LESSONS] == EXPECTED_LESSONS


def test_lesson_structure(lesson):
    path, nb = lesson
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first_md.source.startswith("# Lesson "), f"{path.name}: starts with its title"
    assert "## Learning goals" in first_md.source
    assert re.search(r"About \d+ minutes", first_md.source)
    exercises = _exercises(nb)
    assert 2 <= len(exercises) <= 4, f"{path.name}: {len(exercises)} exercises"
    variables = [v for *_, v in exercises]
    assert len(set(variables)) == len(variables), "each exercise has its own answer variable"
    for ex, ans, chk, var in exercises:
        answer, check = nb.cells[ans], nb.cells[chk]
        assert answer.cell_type == "code" and "answer" in _tags(answer), f"{var}: answer cell follows exercise"
        assert answer.metadata.get("jupyter", {}).get("source_hidden") is True, f"{var}: answer is hidden"
        assert re.search(rf"^{var}\s*=", answer.source, re.M), f"{var}: the answer cell assigns it"
        assert check.cell_type == "code" and "check" in _tags(check), f"{var}: check cell follows answer"
        assert var in check.source


def test_check_cells_compute_their_expected_value(lesson):
    """The expected value of every check is an expression over the data, never a typed-in literal."""
    path, nb = lesson
    for *_, chk, var in _exercises(nb):
        tree = ast.parse(nb.cells[chk].source)
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "").startswith("check_")]
        assert len(calls) == 1, f"{path.name} {var}: one check call"
        call = calls[0]
        assert isinstance(call.args[0], ast.Name) and call.args[0].id == var
        expected = next((k.value for k in call.keywords if k.arg == "expected"), None)
        assert expected is not None, f"{path.name} {var}: check passes expected= explicitly"
        node = expected.operand if isinstance(expected, ast.UnaryOp) else expected
        assert not isinstance(node, ast.Constant), f"{path.name} {var}: expected value is hard-coded"
        names = {n.id for n in ast.walk(expected) if isinstance(n, ast.Name)} | \
                {n.attr for n in ast.walk(expected) if isinstance(n, ast.Attribute)}
        assert names, f"{path.name} {var}: expected value uses no data"


def test_saved_without_outputs(lesson):
    path, nb = lesson
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None, f"{path.name}: cell {c.get('id')} has outputs"


def test_readme_indexes_every_lesson():
    readme = (LESSONS_DIR / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED_LESSONS:
        assert f"{name}.ipynb" in readme
    assert "make lab" in readme and '"answer"' in readme


# --- execution ----------------------------------------------------------------------------------

def test_model_answers_pass_every_check(lesson):
    """Run the lesson as it is (placeholder, hidden model answer, check): every check ticks."""
    path, nb = lesson
    done = _execute(copy.deepcopy(nb))
    everything = "".join(_text(c) for c in done.cells if c.cell_type == "code")
    assert teaching.WRONG not in everything, f"{path.name}: a check failed"
    for *_, chk, var in _exercises(done):
        out = _text(done.cells[chk])
        assert f"{teaching.CORRECT} correct" in out, f"{path.name} {var}: check printed {out!r}"


CORRUPT = '''
import numbers as _numbers
def _corrupt(x):
    """A wrong answer of the right type."""
    if type(x).__name__ in ("bool", "bool_"):
        return not bool(x)
    if isinstance(x, str):
        return x + " (wrong)"
    if isinstance(x, _numbers.Number):
        return float(x) * 1.5 + 1
    raise TypeError(f"cannot corrupt {x!r}")
'''


def test_checks_wait_for_missing_and_reject_wrong_answers(lesson):
    """As a student would: run each check before answering (must say "not answered yet", not
    raise) and after a wrong answer of the right type (must say ✗)."""
    path, nb = lesson
    student = copy.deepcopy(nb)
    cells = list(student.cells)
    new = [nbformat.v4.new_code_cell(CORRUPT)]
    roles = {}
    i = 0
    exercises = {ex: (ans, chk, var) for ex, ans, chk, var in _exercises(nb)}
    while i < len(cells):
        if i in exercises:
            ans, chk, var = exercises[i]
            new.append(cells[i])
            pending = copy.deepcopy(cells[chk])
            roles[len(new)] = ("pending", var)
            new.append(pending)
            new.append(cells[ans])
            new.append(nbformat.v4.new_code_cell(f"{var} = _corrupt({var})"))
            roles[len(new)] = ("wrong", var)
            new.append(cells[chk])
            i = chk + 1
            continue
        new.append(cells[i])
        i += 1
    for c in new:
        c.pop("id", None)
    student.cells = new
    student.nbformat_minor = 4  # no cell ids needed
    done = _execute(student)
    assert len(roles) == 2 * len(exercises)
    for idx, (role, var) in roles.items():
        out = _text(done.cells[idx])
        if role == "pending":
            assert "not answered yet" in out, f"{path.name} {var}: unanswered check printed {out!r}"
            assert teaching.CORRECT not in out and teaching.WRONG not in out
        else:
            assert f"{teaching.WRONG} not yet" in out, f"{path.name} {var}: wrong answer printed {out!r}"
            assert teaching.CORRECT not in out


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
