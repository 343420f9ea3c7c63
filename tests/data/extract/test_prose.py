"""Prose patterns of plans, each in a sentence written for the test (invented figures)."""
from __future__ import annotations

from plans import catalog  # noqa: F401  (a fixture)

import pytest

from planlib.data.extract.extractor import extract_lines
from planlib.data.extract.prose import document_context


def found(catalog, *lines, kind=None):
    return {(c.indicator_id, c.year, c.kind, c.comparator, c.value): c
            for c in extract_lines(list(lines), catalog, kind)}


def test_from_a_to_b_gives_the_baseline_and_the_latest_value(catalog):
    c = found(catalog, "第一章 发展基础", "2020年，全县人均预期寿命由2015年的76.5岁提高到77.6岁。")
    assert ("life_expectancy", 2015, "actual", "=", 76.5) in c
    assert ("life_expectancy", 2020, "actual", "=", 77.6) in c
    c = found(catalog, "2016年到2020年，居民人均预期寿命从75.1岁提高到76.0岁。")
    assert {("life_expectancy", 2016, "actual", "=", 75.1), ("life_expectancy", 2020, "actual", "=", 76.0)} <= set(c)


def test_respectively_lists_pair_in_order_and_share_a_final_suffix(catalog):
    c = found(catalog, "2020年，孕产妇死亡率、婴儿死亡率和5岁以下儿童死亡率分别为9.8/10万、3.2‰和4.4‰以下。")
    assert ("maternal_mortality", 2020, "actual", "<=", 9.8) in c
    assert ("infant_mortality", 2020, "actual", "<=", 3.2) in c
    assert ("under5_mortality", 2020, "actual", "<=", 4.4) in c
    assert c[("maternal_mortality", 2020, "actual", "<=", 9.8)].value_text == "9.8/10万"
    assert any("shared suffix" in f for f in c[("infant_mortality", 2020, "actual", "<=", 3.2)].flags)


def test_paired_list_with_ratio_context_and_glued_values(catalog):
    c = found(catalog, "2020年，每千常住人口执业(助理)医师数、护士数、床位数分别达到2.2人、2.9人、4.8张，"
                       "分别较“十二五”末增长10%20%30%。")
    assert {("physicians_per_1000", 2020, "actual", "=", 2.2), ("nurses_per_1000", 2020, "actual", "=", 2.9),
            ("beds_per_1000", 2020, "actual", "=", 4.8)} == set(c)  # growth figures are not levels


def test_comparator_words(catalog):
    c = found(catalog, "第二章 发展目标", "到2025年，婴儿死亡率控制在4‰以内，孕产妇死亡率低于10/10万，"
              "居民健康素养水平不低于28%，人均预期寿命80岁左右，孕产妇系统管理率达到92%以上。")
    assert ("infant_mortality", 2025, "target", "<=", 4.0) in c
    assert ("maternal_mortality", 2025, "target", "<", 10.0) in c
    assert ("health_literacy_pct", 2025, "target", ">=", 28.0) in c
    assert ("life_expectancy", 2025, "target", "~", 80.0) in c
    assert ("maternal_system_management_pct", 2025, "target", ">=", 92.0) in c
    assert c[("infant_mortality", 2025, "target", "<=", 4.0)].value_text == "控制在4‰以内"
    assert all(x.plan_cycle == "14th" for x in c.values())


def test_relative_and_qualitative_targets_are_kept_as_text(catalog):
    c = found(catalog, "第二章 发展目标", "到2025年，人均预期寿命在2020年基础上提高1岁，儿童青少年总体近视率每年降低0.5个百分点以上，"
              "居民健康素养水平持续提升。")
    texts = {(k[0], v.value_text) for k, v in c.items() if k[3] == "text"}
    assert ("life_expectancy", "提高1岁") in texts
    assert ("child_myopia_pct", "每年降低0.5个百分点以上") in texts
    assert ("health_literacy_pct", "持续提升") in texts
    assert all(k[1] == 2025 and k[2] == "target" for k in c)  # 2020 is the baseline, not the year


def test_chinese_numerals_in_a_relative_target(catalog):
    c = found(catalog, "到2025年，人均预期寿命提高一岁。")
    assert c[("life_expectancy", 2025, "target", "text", None)].value_text == "提高一岁"


def test_years_named_by_the_plan_period_and_carried(catalog):
    c = found(catalog, "“十三五”期末，全区婴儿死亡率为3.5‰。“十四五”末，婴儿死亡率降至3‰。",
              "全区5岁以下儿童死亡率为4.1‰。")
    assert ("infant_mortality", 2020, "actual", "=", 3.5) in c
    assert ("infant_mortality", 2025, "target", "=", 3.0) in c
    u5 = c[("under5_mortality", 2020, "actual", "=", 4.1)]  # no year in its paragraph: the section's
    assert any("inferred" in f for f in u5.flags)
    c = found(catalog, "第一章 发展基础", "截至2020年底，全区婴儿死亡率为3.5‰。5岁以下儿童死亡率为4.1‰。")
    assert c[("under5_mortality", 2020, "actual", "=", 4.1)].flags == ["year carried from the paragraph"] or \
        "year carried from the paragraph" in c[("under5_mortality", 2020, "actual", "=", 4.1)].flags


def test_mid_term_review_reference_year(catalog):
    lines = ["某市卫生健康“十四五”规划中期实施情况报告", "截止202212月底，全市人均期望寿命为80.9岁。",
             "婴儿死亡率为2.1‰。", "到2025年，人均期望寿命达到81.5岁。"]
    assert document_context(lines).review and document_context(lines).reference_year == 2022
    c = found(catalog, *lines)
    assert ("life_expectancy", 2022, "actual", "=", 80.9) in c
    assert ("infant_mortality", 2022, "actual", "=", 2.1) in c
    assert ("life_expectancy", 2025, "target", "=", 81.5) in c


def test_counts_told_apart_from_ratios(catalog):
    c = found(catalog, "2020年全县卫生技术人员达到1800人，其中执业（助理）医师700人，注册护士764人。"
                       "每千人口注册护士数1.2人，每千人口配备2.1名执业(助理)医师。")
    assert ("nurses_count", 2020, "actual", "=", 764.0) in c
    assert ("nurses_per_1000", 2020, "actual", "=", 1.2) in c
    assert ("physicians_count", 2020, "actual", "=", 700.0) in c
    assert ("physicians_per_1000", 2020, "actual", "=", 2.1) in c


def test_numbers_that_are_not_levels_are_not_proposed(catalog):
    c = found(catalog, "第一章 发展基础", "2020年完成全科医生转岗培训合格120人，每年培训医务人员2000人次以上。",
              "《健康某县2030》提出，到2030年人均预期寿命达到82岁。",
              "到2025年，全国人均预期寿命达到79岁。")
    assert not c


def test_each_and_wider_area_figures_are_flagged(catalog):
    c = found(catalog, "第一章 发展基础", "2022年，三级医院分别设置综合及可转化重症床位各100张，综合重症床位各100张。",
              "2020年全省婴儿死亡率为3.0‰。")
    each = [v for k, v in c.items() if k[0] == "icu_beds_count"]
    assert each and all(any("各" in f for f in v.flags) for v in each)
    wide = c[("infant_mortality", 2020, "actual", "=", 3.0)]
    assert any("national, provincial" in f for f in wide.flags) and wide.confidence < 0.7


def test_everything_proposed_nothing_repaired(catalog):
    cands = extract_lines(["第一章 发展基础", "2020年，全县婴儿死亡率为2.5%，人均预期寿命为78.2岁。",
                           "第二章 发展目标", "到2025年，人均预期寿命达到77.5岁，人均预期寿命达到79岁。",
                           "到2025年，婴儿死亡率控制在9‰以内，孕产妇死亡率为900/10万。"], catalog)
    by = {(c.indicator_id, c.value): c for c in cands}
    pct = by[("infant_mortality", 2.5)]
    assert pct.unit_text == "%" and any("‰ printed as %" in f for f in pct.flags)
    assert any("below its 2020 baseline" in f for f in by[("life_expectancy", 77.5)].flags)
    assert any("another value" in f for f in by[("life_expectancy", 79.0)].flags)
    assert any("implausible" in f for f in by[("maternal_mortality", 900.0)].flags)


@pytest.mark.parametrize("line", ["索引号: 11440000/2024-00117 发布日期: 2024-02-03",
                                  "当前位置：首页 > 政府信息公开 2023"])
def test_web_page_header_lines_are_skipped(catalog, line):
    assert not extract_lines([line], catalog)


def test_a_change_and_the_level_it_reaches(catalog):
    c = found(catalog, "第一章 发展基础", "2020年，人均预期寿命较2015年提高1.1岁，达到78.9岁。")
    assert set(c) == {("life_expectancy", 2020, "actual", "=", 78.9)}  # the change since 2015 is not a level
    c = found(catalog, "到2025年，人均预期寿命提高1岁，达到80岁。")
    assert set(c) == {("life_expectancy", 2025, "target", "text", None), ("life_expectancy", 2025, "target", "=", 80.0)}


def test_unknown_names_before_values_are_proposed_with_suggestions(catalog):
    cands = extract_lines(["第二章 发展目标", "到2025年，乡村医生持证上岗率达到90%，基层中医馆覆盖率为100%。"], catalog)
    assert len(cands) == 2 and not any(c.indicator_id for c in cands)
    assert all(c.flags[0].startswith("unknown indicator '") and c.confidence <= 0.3 for c in cands)
    assert cands[0].year == 2025 and cands[0].kind == "target" and cands[0].value == 90.0
