"""Tables that became text, in each shape real plans show (invented rows)."""
from __future__ import annotations

from plans import catalog  # noqa: F401  (a fixture)

from planlib.data.extract.extractor import extract_lines
from planlib.data.extract.tables import column_role


def rows(cands):
    return {(c.indicator_id, c.year, c.kind, c.value_text, c.line) for c in cands}


def keyset(cands):
    return {(c.indicator_id, c.year, c.kind, c.comparator, c.value) for c in cands}


def test_one_cell_per_line_with_blank_lines_and_unit_in_the_label(catalog):
    lines = ["某县“十三五”时期卫生健康主要指标完成情况", "", "领域", "", "指标名称", "", "指标值", "",
             "2020年", "", "健康水平", "", "人均预期寿命(岁)", "", "78", "", "78.4", "",
             "婴儿死亡率(‰)", "", "<6", "", "3.9", "", "医疗服务", "", "每万常住人口全科医生数(人)", "",
             "2", "", "2.6", "", "  第二节 形势", ""]
    c = extract_lines(lines, catalog)
    assert keyset(c) == {
        ("life_expectancy", 2020, "target", "=", 78.0), ("life_expectancy", 2020, "actual", "=", 78.4),
        ("infant_mortality", 2020, "target", "<", 6.0), ("infant_mortality", 2020, "actual", "=", 3.9),
        ("gps_per_10000", 2020, "target", "=", 2.0), ("gps_per_10000", 2020, "actual", "=", 2.6)}
    le = next(x for x in c if x.indicator_id == "life_expectancy" and x.kind == "target")
    assert le.plan_cycle == "13th" and le.unit_text == "岁" and le.line == 15 and le.table


def test_leading_tabs_lone_tab_merged_cells_serial_numbers_and_nature(catalog):
    lines = ["某区“十四五”卫生健康发展指标", "\t指标类别", "\t序号", "\t指标名称", "\t2025年", "\t指标属性", "",
             "\t人群健康", "\t1", "\t人均期望寿命（岁）", "\t≥80", "\t预期性", "",
             "\t", "\t2", "\t5岁以下儿童死亡率（‰）", "\t≤5", "\t约束性", "",
             "\t", "\t3", "\t青少年新发近视率", "\t明显下降", "\t约束性", ""]
    c = extract_lines(lines, catalog)
    got = {(x.indicator_id, x.year, x.kind, x.comparator, x.value, x.nature) for x in c}
    assert got == {("life_expectancy", 2025, "target", ">=", 80.0, "预期性"),
                   ("under5_mortality", 2025, "target", "<=", 5.0, "约束性"),
                   ("adolescent_new_myopia_rate", 2025, "target", "text", None, "约束性")}


def test_tab_separated_rows_repeated_header_subrows_and_empty_cells(catalog):
    head = "领域\t序号\t主要指标\t单位\t2020 年 区现状\t2025 年 区目标\t指标 性质"
    lines = ["某区“十四五”时期卫生事业发展主要工作指标", "", head,
             "健康 水平\t1\t人均预期寿命\t岁\t79.0\t80.0\t预期性", "",
             head.replace("2020 年", "2020年"),  # repeated after a page break
             "\t2\t婴儿死亡率\t‰\t—\t<3\t预期性",
             "健康 服务\t3\t每千人口拥有执业（助理）医师数\t人\t1.5\t2.2\t预期性",
             "\t\t其中：每千人口拥有中医类别执业（助理）医师数\t人\t0.4\t0.6\t预期性",
             "\t4\t每千人口拥有公共卫生人员数\t人\t0.3\t增长 30%\t预期性", "", "三、主要任务"]
    c = extract_lines(lines, catalog)
    got = keyset(c)
    assert ("life_expectancy", 2020, "actual", "=", 79.0) in got
    assert ("infant_mortality", 2025, "target", "<", 3.0) in got
    assert not any(x.indicator_id == "infant_mortality" and x.kind == "actual" for x in c)  # — is empty
    assert ("tcm_physicians_per_1000", 2025, "target", "=", 0.6) in got  # 其中 sub-row
    assert ("physicians_per_1000", 2020, "actual", "=", 1.5) in got
    assert ("public_health_staff_per_1000", 2025, "target", "text", None) in got
    sub = next(x for x in c if x.indicator_id == "tcm_physicians_per_1000" and x.kind == "target")
    assert sub.unit_text == "人" and "sub-row" in sub.note and sub.line == 9
    assert len(c) == 9


def test_unit_cell_that_vanished_and_notes_in_their_own_cell(catalog):
    lines = ["某县“十四五”主要指标", "序号\t指标名称\t单位\t2025年目标\t备注",
             "1\t婴儿死亡率\t<4\t省定指标",  # the unit cell is gone
             "2\t孕产妇死亡率\t/10万\t<10\t"]
    c = extract_lines(lines, catalog)
    im = next(x for x in c if x.indicator_id == "infant_mortality")
    assert (im.year, im.kind, im.comparator, im.value) == (2025, "target", "<", 4.0)
    assert "unit missing" in im.flags and "省定指标" in im.note
    mm = next(x for x in c if x.indicator_id == "maternal_mortality")
    assert mm.unit_text == "/10万"


def test_unknown_row_labels_are_proposed_with_catalog_suggestions(catalog):
    lines = ["某县“十四五”主要指标", "指标名称\t单位\t2025年目标", "每千人口执业医师人数\t人\t2.5",
             "乡村医生持证比例\t%\t≥90"]
    c = extract_lines(lines, catalog)
    unknown = [x for x in c if not x.indicator_id]
    assert unknown and any("unknown indicator" in f for x in unknown for f in x.flags)
    assert any("physicians_per_1000" in f for x in c for f in x.flags) or \
        any(x.indicator_id == "physicians_per_1000" for x in c)


def test_column_meaning_from_header_and_title():
    assert column_role("指标值", "13th").kind == "target" and column_role("指标值", "13th").year == 2020
    assert column_role("规划目标", "14th").year == 2025
    assert (column_role("2020年", "13th").kind, column_role("2020年", "13th").year) == ("actual", 2020)
    assert column_role("2025年", "14th").kind == "target"
    assert column_role("2020 年 区现状", "14th").kind == "actual"
    assert column_role("指标 性质", "14th").role == "nature"
    assert column_role("属性", "14th").role == "nature"
    assert column_role("单位", "14th").role == "unit"
    assert column_role("备注", "14th").role == "note"


def test_header_in_two_rows(catalog):
    lines = ["某县“十四五”主要指标", "指标名称\t单位\t2020年\t2025年\t指标", "\t\t现状\t目标\t属性",
             "人均预期寿命\t岁\t78.0\t79.0\t预期性"]
    c = extract_lines(lines, catalog)
    assert keyset(c) == {("life_expectancy", 2020, "actual", "=", 78.0),
                         ("life_expectancy", 2025, "target", "=", 79.0)}
    assert all(x.nature == "预期性" for x in c)
