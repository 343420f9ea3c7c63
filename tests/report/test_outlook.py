"""The next plan in the briefing: final assessment and 2030 options, in both languages, with
sources named by title, and the options table a planning office can paste."""
from __future__ import annotations

import re

import pytest

from planlib import analyse_region
from planlib.report.outlook import (assessment_html, assessment_sentences, assessment_summary, options_html,
                                    options_notes, options_table, outlook_html, source_text)

REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]


def visible(h: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", h, flags=re.S)))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("region", REGIONS)
def test_every_seed_region_has_both_sections(region, lang):
    h = outlook_html(analyse_region(region), lang)
    heads = re.findall(r"<h2>(.*?)</h2>", h)
    assert heads == (["Final assessment of the 14th plan (2021–2025)", "Looking to 2030"] if lang == "en"
                     else ["“十四五”规划终期评估（2021—2025年）", "展望2030年"])
    assert "<table" in h


def test_completion_rate_and_method_note_in_words():
    s = assessment_sentences(analyse_region("yangchun"))
    assert s[0].startswith("Of the 23 targets of the plan in the data, 5 can be judged") and "80%" in s[0]
    assert "plan's own base year" in s[1]
    assert any("adapts the Open SDG progress method" in x for x in s)
    assert any("0.50 in planlib, 0.67 in Open SDG" in x for x in s)
    z = assessment_sentences(analyse_region("yangchun"), "zh")
    assert "完成率80%" in z[0] and any("提前实现" in x and "滞后" in x for x in z)


def test_assessment_table_classes():
    h = visible(assessment_html(analyse_region("yangchun"), "zh"))
    assert "滞后" in h and "提前实现" in h and "约束性" in h and "数据存疑" in h


def test_options_table_reader_columns_and_sources():
    df = options_table(analyse_region("yangchun"))
    assert list(df.columns) == ["Indicator", "Unit", "Latest outcome", "Year", "Option", "2030 value", "Range from",
                                "Range to", "Pace needed a year", "Against past paces", "Basis"]
    le = df[(df["Indicator"] == "Life expectancy at birth") & (df["Option"] == "national 2030 reference")].iloc[0]
    assert le["2030 value"] == "80" and le["Pace needed a year"] == "+0.22 years"
    assert le["Against past paces"].startswith("1.8× the pace of 2015–2020")
    assert le["Basis"] == ("“Outline of the 15th Five-Year Plan for National Economic and Social Development of "
                           "the People's Republic of China”")
    z = options_table(analyse_region("yangchun"), "zh")
    assert "依据" in z.columns and "2030年数值" in z.columns
    csv = z.to_csv(index=False)
    assert "达到全国2030年目标" in csv


def test_small_number_ranges_in_the_table():
    df = options_table(analyse_region("weihai"))
    m = df[df["Indicator"] == "Maternal mortality ratio"]
    assert (m["Range from"] != "").all() and (m["Range to"] != "").all()
    notes = options_notes(analyse_region("weihai"))
    assert any("13,374 births" in n for n in notes)
    y = options_notes(analyse_region("yangchun"))
    assert any("ceiling for the five-year average" in n for n in y)


def test_definition_and_doubt_notes():
    notes = options_notes(analyse_region("xiangqiao"))
    assert any("licensed physicians only, while the local ratio counts licensed and assistant" in n for n in notes)
    assert any(n.startswith("Under-5 mortality rate: the data-quality checks doubt") for n in notes)
    z = options_notes(analyse_region("xiangqiao"), "zh")
    assert any("口径不同" in n for n in z)


def test_physicians_guard_and_province_goal_notes():
    notes = options_notes(analyse_region("weihai"))
    assert any("national 2030 figure of 3.7" in n for n in notes)
    assert any("uses 3.0 from “‘Healthy China 2030’ Planning Outline”, which counts licensed and assistant physicians" in n for n in notes)
    assert ("Life expectancy at birth: Shandong's own goal for 2030 is about 81 years (Implementation Opinions of "
            "the Shandong Provincial People's Government on the Healthy China Initiative and Building a Healthy "
            "Shandong).") in notes
    assert any(n.startswith("Infant mortality rate: Shandong's own goal for 2030 is 3.0 per 1,000 live births") for n in notes)
    z = options_notes(analyse_region("weihai"), "zh")
    assert "人均预期寿命：山东省提出的2030年目标为81岁左右（山东省人民政府关于贯彻健康中国行动推进健康山东建设的实施意见）。" in z
    assert any("与本地指标口径一致" in n for n in z)
    assert not any("Shandong" in n or "goal for 2030" in n for n in options_notes(analyse_region("yangchun")))


def test_sources_by_title_and_line():
    a = analyse_region("yangchun")
    assert source_text(a, "yangchun_14th_plan L40", "en") == "“Yangchun City 14th Five-Year Plan for Health Development”, line 40"
    assert source_text(a, "yangchun_14th_plan L40", "zh") == "《阳春市卫生健康事业发展“十四五”规划》第40行"
    assert source_text(a, None, "en") == ""


def test_data_strings_are_escaped():
    h = options_html(analyse_region("yangchun"))
    assert "<script" not in h and "&#x27;" in h or "'" not in visible(h)


def test_index_summary():
    s = assessment_summary(analyse_region("weihai"))
    assert s["region_id"] == "weihai" and s["rate"] == 1.0 and s["judged"] == 6


# --- the options figure ---------------------------------------------------------------------------

def test_fan_figure_house_style():
    import matplotlib.pyplot as plt

    from planlib.report import style
    from planlib.report.figures import FIGURES, outlook_figure
    assert FIGURES["outlook"] is outlook_figure
    fig = outlook_figure(analyse_region("weihai"))
    assert fig.get_figwidth() == pytest.approx(style.FIG_WIDTH_IN)
    assert "Weihai" in fig.get_suptitle()
    src = next(t for t in fig.texts if t.get_gid() == style.GID_SOURCE).get_text()
    assert src.startswith("Source: ") and "planlib" in src and "_" not in src
    gids = {ln.get_gid() for ax in fig.axes for ln in ax.get_lines()}
    assert {"outlook-region", "outlook-national", "outlook-option-national reference"} <= gids
    # the maternal mortality panel draws each option's range
    mm = fig.axes[1]
    assert mm.collections, "ranges for a rare-event rate"
    plt.close(fig)


def test_fan_figure_alt_text():
    from planlib.report.outlook import figure_alt
    en = figure_alt(analyse_region("yangchun"))
    assert en.startswith("Chart: Yangchun's options for 2030") and "Life expectancy at birth: 77.8 in 2020" in en
    zh = figure_alt(analyse_region("yangchun"), "zh")
    assert zh.startswith("图：阳春市2030年目标方案")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_option_already_reached_asks_for_no_pace(lang):
    """Weihai's 81.58 years is above the national 2030 value of 80: the row says it is reached and
    gives no "needed" fall of 0.2 years a year."""
    df = options_table(analyse_region("weihai"), lang)
    feas, pace = df.columns[9], df.columns[8]
    reached = df[df[feas] == ("already reached" if lang == "en" else "已达到")]
    assert len(reached) >= 3
    assert (reached[pace] == "–").all()
    assert (df.loc[~df.index.isin(reached.index), pace] != "–").all()
