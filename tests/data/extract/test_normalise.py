"""Normalisation keeps a map back to the original line: values are quoted as written."""
from __future__ import annotations

from hypothesis import given, strategies as st

from planlib.data.extract.normalise import normal_text, normalise, to_simplified


def test_full_width_digits_and_signs_become_half_width():
    n = normalise("婴儿死亡率控制在４．５‰以下，覆盖率＞９５％")
    assert n.text == "婴儿死亡率控制在4.5‰以下，覆盖率>95%"


def test_spaces_inside_numbers_and_labels_are_dropped_but_quoted_back():
    line = "全科医生数 3.82 人，孕产妇死亡率 51.06/10 万以下"
    n = normalise(line)
    assert "3.82人" in n.text and "51.06/10万以下" in n.text
    a = n.text.index("51.06")
    b = a + len("51.06/10万以下")
    assert n.quote(a, b) == "51.06/10 万以下"  # as written, a substring of the line
    assert n.quote(a, b) in line


def test_traditional_characters_are_simplified():
    assert to_simplified("嬰兒死亡率") == "婴儿死亡率"
    assert normal_text("每千人口執業（助理）醫師數") == "每千人口执业(助理)医师数"


def test_pinyin_glosses_after_characters_are_removed():
    assert normal_text("衛(wèi)生") == "卫生"


def test_markdown_emphasis_is_dropped():
    assert normal_text("——**健康水平**进一步提升") == "——健康水平进一步提升"


@given(st.text(alphabet="0123456789.％%‰岁人 　，。婴儿死亡率衛生ａｂ（）*\t", max_size=40))
def test_every_normalised_span_quotes_a_substring_of_the_original(line):
    n = normalise(line)
    for a in range(len(n.text)):
        for b in range(a + 1, min(len(n.text), a + 6) + 1):
            assert n.quote(a, b) in line
