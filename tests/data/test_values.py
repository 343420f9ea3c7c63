"""Parsing values as written in plans into comparator and number."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planlib.analysis.targets import derive_relative, meets
from planlib.data.values import first_number, format_target, parse_relative, parse_value_text


@pytest.mark.parametrize("text, comparator, value", [
    ("77.8", "=", 77.8),
    (">79", ">", 79.0),
    ("＞79", ">", 79.0),
    ("≥82", ">=", 82.0),
    ("<8", "<", 8.0),
    ("＜20", "<", 20.0),
    ("≤0.2", "<=", 0.2),
    ("3.11‰", "=", 3.11),
    ("0/10万", "=", 0.0),
    ("3‰以下", "<=", 3.0),
    ("79岁以上", ">=", 79.0),
    ("79 岁以上", ">=", 79.0),
    ("低于14.5/10万", "<", 14.5),
    ("不少于 4.5 个", ">=", 4.5),
    ("80左右", "~", 80.0),
    ("近12万", "~", 12.0),
    ("11.14万余人", ">", 11.14),
    ("6,012张", "=", 6012.0),
    ("提高至70%", "=", 70.0),
    ("达到79岁", "=", 79.0),
    ("持续提升", "text", None),
    ("增长30%", "text", None),
    ("提高1岁", "text", None),
    ("比2015年降低5%", "text", None),
    ("明显下降", "text", None),
])
def test_parse_value_text(text, comparator, value):
    p = parse_value_text(text)
    assert (p.comparator, p.value) == (comparator, value)


@given(st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from([("", "="), ("<", "<"), (">", ">"), ("≥", ">="), ("≤", "<="), ("＜", "<")]),
       st.sampled_from(["", "‰", "%", "岁", "/10万", "人", "张"]))
def test_symbol_prefix_round_trip(number, prefix, unit):
    sym, comparator = prefix
    text = f"{sym}{number}{unit}"
    p = parse_value_text(text)
    assert p.comparator == comparator
    assert p.value == pytest.approx(float(number))


@given(st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from([("以上", ">="), ("以下", "<="), ("左右", "~")]))
def test_word_suffix_round_trip(number, suffix):
    word, comparator = suffix
    p = parse_value_text(f"{number}{word}")
    assert (p.comparator, p.value) == (comparator, pytest.approx(float(number)))


@given(st.text(alphabet="持续提升稳步提高逐步下降保持稳定明显", min_size=1, max_size=8))
def test_text_without_number_is_qualitative(text):
    assert parse_value_text(text).comparator == "text"
    assert parse_value_text(text).value is None


@given(st.integers(min_value=0, max_value=10**7))
def test_first_number_reads_thousands_separators(n):
    assert first_number(f"约{n:,}人") == n


def test_relative_targets():
    assert parse_relative("提高1岁").apply(80.17) == pytest.approx(81.17)
    assert parse_relative("增长30%").apply(2.0) == pytest.approx(2.6)
    assert parse_relative("比2015年降低5%").apply(10.0) == pytest.approx(9.5)
    assert parse_relative("提高1岁左右").approximate
    assert parse_relative("持续提升") is None
    assert derive_relative("提高1岁", 77.93) == (pytest.approx(78.93), False)


@pytest.mark.parametrize("value, comparator, target, direction, expected", [
    (79.1, ">", 79, "higher_is_better", True),
    (79.0, ">", 79, "higher_is_better", False),
    (79.0, "=", 79, "higher_is_better", True),
    (3.0, "<", 3, "lower_is_better", False),
    (3.0, "<=", 3, "lower_is_better", True),
    (8.5, "=", 8, "lower_is_better", False),
    (79.1, "~", 80, "higher_is_better", False),
    (79.25, "~", 80, "higher_is_better", True),
    (5.0, "=", 4, "no_judgement", None),
])
def test_meets(value, comparator, target, direction, expected):
    assert meets(value, comparator, target, direction) is expected


def test_format_target():
    assert format_target(">=", 82.0, "≥82") == "≥82"
    assert format_target("text", None, "提高1岁") == "提高1岁"
