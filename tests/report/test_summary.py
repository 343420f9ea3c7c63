"""The one-page summary, the 13th plan's results and the figures' alt text, as a reader sees them."""
from __future__ import annotations

import re

import pytest

from planlib import analyse_region
from planlib.report.briefing import Briefing
from planlib.report.figures import region_figures

REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def verdicts(region: str, lang: str = "en") -> dict[str, str]:
    s = Briefing(analyse_region(region), lang).summary_table()
    return dict(zip(s.iloc[:, 0], s.iloc[:, -1]))


def test_value_in_doubt_gets_no_favourable_verdict_in_the_summary():
    b = Briefing(analyse_region("xiangqiao"), "en")
    v = verdicts("xiangqiao")
    assert v["Under-5 mortality rate (per 1,000 live births)"] == "data in doubt"  # 0.14‰ below infant 0.35‰
    assert v["Infant mortality rate (per 1,000 live births)"] == "data in doubt"
    gaps = " ".join(b.largest_gaps())
    assert "Under-5" not in gaps and "Beds" not in gaps
    assert "Under-5 mortality rate: 0.14 per 1,000 live births in 2020; target below 4; data in doubt." in b.figure_alt("mortality")


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_doubted_value_is_called_met_or_on_track_anywhere_in_the_summary(region, lang):
    a = analyse_region(region)
    b = Briefing(a, lang)
    table = b.summary_table()
    prog = a.progress.set_index("indicator_id")
    favourable = {"met", "on track", "已达标", "有望达标"}
    for ind in prog.index.intersection(["life_expectancy", "maternal_mortality", "infant_mortality", "under5_mortality",
                                        "physicians_per_1000", "nurses_per_1000", "beds_per_1000", "gps_per_10000"]):
        if prog.loc[ind, "status"] == "data in doubt":
            cell = table.set_index(table.columns[0]).loc[b.indicator_label(ind)].iloc[-1]
            assert cell not in favourable and cell in ("data in doubt", "数据存疑")


def test_pace_needed_replaces_cannot_be_assessed():
    v = verdicts("yangchun")
    cell = v["Registered nurses per 1,000 population"]
    assert cell.startswith("needs +8.3 % a year (nation +")
    assert "cannot be assessed" not in " ".join(v.values())
    zh = verdicts("yangchun", "zh")["每千人口注册护士数（人）"]
    assert zh.startswith("需年均增长8.3%（全国增长")
    assert "the data show no trend" in Briefing(analyse_region("yangchun"), "en").summary_html()


def _looser(data_copy):
    with (data_copy / "regions.csv").open("a", encoding="utf-8") as fh:
        fh.write("testland,测试区,Testland,district,chaozhou,guangdong\n")
    with (data_copy / "sources.csv").open("a", encoding="utf-8") as fh:
        fh.write("test_plan,测试规划,测试区,2022,,local plan,,synthetic,,,\n")
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as fh:
        fh.write("testland,life_expectancy,2020,actual,,=,83.0,83.0,岁,,test_plan,1,\n"
                 "testland,life_expectancy,2025,target,14th,>,79,>79,岁,预期性,test_plan,2,\n")
    return analyse_region("testland", data_copy)


def test_target_looser_than_its_baseline_is_a_warning(data_copy):
    a = _looser(data_copy)
    en, zh = Briefing(a, "en"), Briefing(a, "zh")
    para = " ".join(en.section("life_expectancy"))
    assert "The 2025 target (more than 79) is below the 2020 value of 83 years: it allows a fall of up to 4 years." in para
    assert "asks for no improvement" not in para
    assert verdicts_of(en)["Life expectancy at birth (years)"] == "met; the target is below the 2020 value"
    assert "2025年目标（高于79）低于2020年的83岁，即允许回落最多4岁。" in "".join(zh.section("life_expectancy"))
    assert verdicts_of(zh)["人均预期寿命（岁）"] == "已达标；目标低于2020年水平"


def verdicts_of(b: Briefing) -> dict[str, str]:
    s = b.summary_table()
    return dict(zip(s.iloc[:, 0], s.iloc[:, -1]))


def test_previous_plan_results_are_stated():
    en = text(Briefing(analyse_region("yangchun"), "en").previous_plan_html())
    assert "Results of the 13th plan (2016–2020)" in en
    assert ("The 2025 target for licensed and assistant physicians per 1,000 population (2.75) is below the "
            "2020 target (2.8) that was missed (2.04 in 2020).") in en
    assert re.search(r"Licensed and assistant physicians per 1,000 population per 1,000 population 2\.8 2\.04 missed", en)
    zh = text(Briefing(analyse_region("yangchun"), "zh").previous_plan_html())
    assert "每千人口执业（助理）医师数2025年目标（2.75）低于未完成的2020年目标（2.8，2020年实际为2.04）。" in zh
    assert Briefing(analyse_region("anju"), "en").previous_plan_html() == ""


def test_workforce_targets_in_people():
    en = text(Briefing(analyse_region("xiangqiao"), "en").summary_html())
    assert "means about 1,118 physicians for 514,900 people, 413 more than the 705 of 2020" in en
    assert "held constant to 2025, so these are estimates" in en
    zh = text(Briefing(analyse_region("xiangqiao"), "zh").summary_html())
    assert "按51.49万人口计算约需执业（助理）医师1118人" in zh
    assert "cannot be put in numbers of people" in text(Briefing(analyse_region("yangchun"), "en").summary_html())


def test_summary_is_one_section_with_beds_in_zhang():
    zh = Briefing(analyse_region("yangchun"), "zh").summary_html()
    assert zh.startswith('<section class="planlib-summary">') and zh.rstrip().endswith("</section>")
    assert "每千人口医疗卫生机构床位数（张）" in zh and "床位数（人）" not in zh


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_carry_alt_text_in_the_page_language(tmp_path, lang):
    a = analyse_region("yangchun")
    b = Briefing(a, lang)
    figs = region_figures(a, tmp_path, lang=lang)
    tag = b.figure_html("workforce", figs["workforce"][0])
    alt = re.search(r'alt="([^"]*)"', tag).group(1)
    assert tag.startswith('<img class="briefing-figure" src="data:image/png;base64,')
    if lang == "en":
        assert alt.startswith("Chart: Yangchun: health workforce and beds. Licensed and assistant physicians")
        assert not re.search(r"[\u4e00-\u9fff]", alt)
    else:
        assert alt.startswith("图：阳春市：卫生人力与床位。每千人口执业（助理）医师数：2020年为2.04人")
        assert not re.search(r"[A-Za-z]{3,}", alt)


@pytest.mark.parametrize("lang, said", [("en", "0.3 years short"), ("zh", "尚差0.3岁")])
def test_a_life_expectancy_gap_is_given_in_years(lang, said):
    """Guang'an's 77.9 against 78.2 is 0.3 years short (0.4 % of the target, which "0% short" hid)."""
    gaps = Briefing(analyse_region("guangan"), lang).largest_gaps()
    le = [g for g in gaps if g.startswith(("Life expectancy", "人均预期寿命"))]
    assert le and said in le[0], gaps
    assert not any(re.search(r"(?<![\d.])0%", g) for g in gaps)
