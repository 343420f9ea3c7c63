"""Briefing text states real numbers, targets and caveats."""
from __future__ import annotations

import pytest

from planlib import analyse_region
from planlib.report.briefing import Briefing
from planlib.report.narrative import fmt_num, target_phrase
from planlib.report.words import WORDS

REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]


def text(region: str) -> str:
    b = Briefing(analyse_region(region))
    return "\n".join([b.header_markdown(), b.key_figures_html()]
                     + [b.section_markdown(s) for s in ("life_expectancy", "maternal_child", "workforce")]
                     + [b.quality_markdown(), b.sources_markdown()])


def test_yangchun_life_expectancy_and_target():
    s = Briefing(analyse_region("yangchun")).section_markdown("life_expectancy")
    assert "77.8 years in 2020" in s
    assert "2025 target is more than 79 years" in s
    assert "77.2 in 2015" in s and "+0.12 years a year" in s and "+0.24 years a year" in s
    assert "78.4 years in 2025: off track (limited progress)" in s
    assert "similar to the national value of 77.93 years (2020)" in s


def test_weihai_says_no_2025_targets():
    s = Briefing(analyse_region("weihai")).section_markdown("life_expectancy")
    assert "sets no 2025 targets" in s
    assert "Shandong's provincial target of about 80 years" in s


def test_anju_relative_target_conflict_is_reported():
    s = Briefing(analyse_region("anju")).section_markdown("life_expectancy")
    assert "at least 82 years" in s
    assert "Treat this number with care" in s and "81.17" in s


def test_targets_met_before_they_were_set_are_called_so():
    s = Briefing(analyse_region("guangan")).section_markdown("maternal_child")
    assert ("The 2020 value already meets this target. The 2025 target (below 14.5) is above the 2020 value of "
            "14.32 per 100,000 live births: it allows a rise of up to 0.18 per 100,000 live births.") in s
    w = Briefing(analyse_region("weihai")).section_markdown("maternal_child")  # provincial targets: not the plan's
    assert "asks for no improvement" not in w


def test_small_numbers_and_no_significance_caveats():
    s = Briefing(analyse_region("xiangqiao")).section_markdown("maternal_child")
    assert "not evidence of zero risk" in s
    assert "not tested for significance" in s


def test_weihai_maternal_interval():
    s = Briefing(analyse_region("weihai")).section_markdown("maternal_child")
    assert "1 maternal death in 13,374 hospital deliveries (2022)" in s
    assert "exact 95% interval runs from 0.189 to 41.66 per 100,000 live births" in s
    assert "cannot be told apart from the national value of 15.7" in s
    assert "death(s)" not in s and "similar to the national" not in s


def test_the_tolerance_for_similar_is_stated_in_numbers():
    s = Briefing(analyse_region("anju")).section_markdown("workforce")
    assert "within 0.5 years of the benchmark for life expectancy and within 5% of the benchmark value" in s
    z = Briefing(analyse_region("anju"), "zh").section_markdown("workforce")
    assert "相差不超过0.5岁" in z and "5%" in z


def test_missing_indicator_is_said():
    s = Briefing(analyse_region("weihai")).section_markdown("workforce")
    assert "The plan does not report beds in medical and health institutions per 1,000 population." in s


@pytest.mark.parametrize("region", REGIONS)
def test_every_briefing_has_every_section_and_its_sources(region):
    s = text(region)
    for heading in ("Key figures", "Life expectancy", "Maternal and child mortality",
                    "Health workforce and beds", "Data-quality notes", "Sources"):
        assert heading in s
    b = Briefing(analyse_region(region))
    assert b.plan_source["title"] in s
    assert "{" not in s.replace("{}", "")  # no unfilled template fields


@pytest.mark.parametrize("region", REGIONS)
def test_key_figures_numbers_match_the_data(region):
    b = Briefing(analyse_region(region))
    kf = b.key_figures()
    assert len(kf) == 8
    le = kf.iloc[0]
    latest = b.latest_actual("life_expectancy")
    assert le["Latest value"].startswith(fmt_num(float(latest["value_std"])))


def test_unknown_language_and_region():
    with pytest.raises(ValueError, match="unknown language"):
        Briefing(analyse_region("yangchun"), lang="fr")
    with pytest.raises(KeyError, match="valid ids"):
        Briefing(analyse_region("atlantis"))


def test_formatting():
    assert fmt_num(77.80) == "77.8" and fmt_num(0.0) == "0" and fmt_num(6012) == "6,012"
    assert target_phrase("en", ">", 79.0, ">79") == "more than 79"
    assert target_phrase("en", "text", None, "持续提升") == "“持续提升”"
    assert set(WORDS) >= {"en", "zh"}
