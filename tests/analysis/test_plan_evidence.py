"""Evidence the plans give beyond a time series: growth stated in words, the 13th plan's results,
targets looser than their baseline, and the pace needed where no pace is observed."""
from __future__ import annotations

import pandas as pd
import pytest

from planlib import analyse_region
from planlib.analysis.targets import VERDICTS, growth_bases, plan_results, verdict


def row(df, indicator):
    hit = df[df["indicator_id"] == indicator]
    assert len(hit) == 1, f"{indicator}: {len(hit)} rows"
    return hit.iloc[0]


def test_growth_in_words_gives_an_observed_pace():
    # Xiangqiao: 1.37 physicians per 1,000 in 2020, "增长 21.09%" on 2015 (line 90)
    r = row(analyse_region("xiangqiao").progress, "physicians_per_1000")
    assert r["observed_derived_from"] == "xiangqiao_14th_plan_draft L90"
    assert r["baseline_year"] == 2015 and r["baseline_value"] == pytest.approx(1.37 / 1.2109)
    assert r["observed_annual_change"] == pytest.approx(1.2109 ** 0.2 - 1)
    assert r["observed_period"] == "2015–2020"
    assert r["status"] == "limited progress"


@pytest.mark.usefixtures("no_documents")  # a made-up 2015 value, not on the plan's line
def test_growth_never_replaces_a_reported_value(data_copy):
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as fh:
        fh.write("xiangqiao,physicians_per_1000,2015,actual,,=,1.2,1.2,人,,xiangqiao_14th_plan_draft,90,test\n")
    r = row(analyse_region("xiangqiao", data_copy).progress, "physicians_per_1000")
    assert r["baseline_value"] == pytest.approx(1.2) and pd.isna(r["observed_derived_from"])


def test_growth_indicators_come_from_the_catalog():
    bases = growth_bases(analyse_region("xiangqiao").tables.indicator_index)
    assert bases["physicians_per_1000_growth_pct"] == ("physicians_per_1000", 2015)
    assert bases["nurses_per_1000_growth_pct"] == ("nurses_per_1000", 2015)


def test_previous_plan_met_and_missed():
    r = analyse_region("yangchun").previous_plan
    phys = row(r, "physicians_per_1000")
    assert (phys["target_value"], phys["outcome_value"], phys["met"]) == (2.8, 2.04, False)
    assert phys["next_target_value"] == 2.75 and phys["next_below_missed"]  # 2.75 < the missed 2.8
    nurses = row(r, "nurses_per_1000")
    assert nurses["met"] is False and not nurses["next_below_missed"]  # 3.88 is above 3.5
    assert row(r, "infant_mortality")["met"] is True  # 3.11 against 6 (lower is better)
    assert row(r, "premature_ncd_mortality")["met"] is None  # "比2015年降低5%" with no 2015 value


def test_previous_plan_outcome_in_doubt_is_not_judged():
    r = analyse_region("yangchun").previous_plan
    x = row(r, "public_health_physicians_per_1000")  # 0.05 against a target of 1: 20-fold
    assert x["met"] is None and "20-fold" in x["doubt"]


def test_previous_plan_without_outcomes_is_empty():
    obs = analyse_region("anju").observations
    assert plan_results(obs, analyse_region("anju").tables.indicator_index, "anju").empty


def _testland(folder, lines):
    with (folder / "regions.csv").open("a", encoding="utf-8") as fh:
        fh.write("testland,测试区,Testland,district,chaozhou,guangdong\n")
    with (folder / "sources.csv").open("a", encoding="utf-8") as fh:
        fh.write("test_plan,测试规划,测试区,2022,,local plan,,synthetic,,,\n")
    with (folder / "observations.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def test_target_below_its_baseline_is_marked(data_copy):
    _testland(data_copy, ["testland,life_expectancy,2020,actual,,=,83.0,83.0,岁,,test_plan,1,",
                          "testland,life_expectancy,2025,target,14th,>,79,>79,岁,预期性,test_plan,2,"])
    r = row(analyse_region("testland", data_copy).progress, "life_expectancy")
    assert r["status"] == "achieved"
    assert r["baseline_below_target_by"] == pytest.approx(4.0)
    assert (r["looser_base_year"], r["looser_base_value"]) == (2020, 83.0)


def test_target_above_its_baseline_is_not_marked(data_copy):
    _testland(data_copy, ["testland,life_expectancy,2020,actual,,=,78.0,78.0,岁,,test_plan,1,",
                          "testland,life_expectancy,2025,target,14th,>,79,>79,岁,预期性,test_plan,2,"])
    r = row(analyse_region("testland", data_copy).progress, "life_expectancy")
    assert r["status"] != "achieved" and pd.isna(r["baseline_below_target_by"])


def test_no_looser_warning_on_a_baseline_in_doubt():
    # Xiangqiao's infant mortality 0.35 (2020) is in doubt: the target 3 is not called looser than it
    r = row(analyse_region("xiangqiao").progress, "infant_mortality")
    assert r["status"] == "data in doubt" and pd.isna(r["baseline_below_target_by"])


def test_pace_needed_and_the_nations_where_no_pace_is_observed():
    r = row(analyse_region("yangchun").progress, "nurses_per_1000")
    assert r["status"] == "cannot assess" and pd.isna(r["observed_annual_change"])
    assert r["required_annual_change"] == pytest.approx((3.88 / 2.61) ** 0.2 - 1)
    nat = analyse_region("yangchun").actuals("china", "nurses_per_1000")
    first, last = nat[nat["year"] == 2020].iloc[0], nat[nat["year"] == nat["year"].max()].iloc[0]
    years = int(last["year"]) - 2020
    assert r["national_period"] == f"2020–{int(last['year'])}"
    assert r["national_annual_change"] == pytest.approx((last["value_std"] / first["value_std"]) ** (1 / years) - 1)


def test_every_status_has_a_verdict():
    from planlib.analysis.targets import STATUSES
    assert set(STATUSES) == set(VERDICTS)
    assert verdict("data in doubt") == "data in doubt" and verdict("limited progress") == "off track"


def test_staff_needs_in_people():
    n = analyse_region("xiangqiao").staff_needs.set_index("indicator_id")
    # 51.49万 people (2020, line 126); target 2.17 per 1,000 → ceil(1117.3) = 1,118 physicians
    phys = n.loc["physicians_per_1000"]
    assert phys["population"] == 514_900 and not phys["population_estimated"]
    assert phys["staff_needed"] == 1118 and phys["current_staff"] == round(1.37 * 514.9)
    assert phys["extra_staff"] == 1118 - round(1.37 * 514.9) and phys["current_estimated"]


def test_staff_needs_use_no_value_in_doubt():
    n = analyse_region("anju").staff_needs
    # Anju's physician count and ratio contradict each other: only nurses are turned into people,
    # on the population the nurse count and ratio imply (764 / 1.2 per 1,000)
    assert list(n["indicator_id"]) == ["nurses_per_1000"]
    r = n.iloc[0]
    assert r["population_estimated"] and r["population"] == pytest.approx(764 / 1.2 * 1000)
    assert r["current_staff"] == 764 and not r["current_estimated"]
    assert r["staff_needed"] == 2229  # ceil(3.5 × 636,666.7 / 1,000)


def test_staff_needs_without_a_population_are_empty():
    assert analyse_region("yangchun").staff_needs.empty
