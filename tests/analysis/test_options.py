"""Target options for 2030: each option's arithmetic, feasibility against past paces, the
definition guard, ranges for rare-event rates, and no option on a value in doubt."""
from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import poisson

from planlib import target_options
from planlib.analysis.options import PEER_QUANTILE, small_number_range
from planlib.analysis.targets import annual_change


def opt(df, indicator, option):
    hit = df[(df["indicator_id"] == indicator) & (df["option"] == option)]
    assert len(hit) == 1, f"{indicator}/{option}: {len(hit)} rows"
    return hit.iloc[0]


def test_continue_pace_life_expectancy_absolute():
    # Yangchun: 77.2 (2015) → 77.8 (2020): +0.12 a year; ten more years → 79.0
    r = opt(target_options("yangchun"), "life_expectancy", "continue pace")
    assert r["own_pace"] == pytest.approx(0.12) and r["own_period"] == "2015–2020"
    assert r["value"] == pytest.approx(79.0)
    assert r["required_annual_change"] == pytest.approx(0.12) and r["own_multiple"] == pytest.approx(1.0)
    assert r["feasibility"] == "within own pace"


def test_national_reference_and_paces():
    r = opt(target_options("yangchun"), "life_expectancy", "national reference")
    assert r["value"] == 80 and r["basis_ref"].startswith("national_15th_fyp_outline")
    assert "healthy_china_2030_outline" in r["note"] and "other_reference" in r["flags"]
    assert r["required_annual_change"] == pytest.approx((80 - 77.8) / 10)
    assert r["own_multiple"] == pytest.approx(0.22 / 0.12)  # needs 1.8× the pace of 2015–2020
    nat = annual_change(77.93, 79.25, 5, True)  # the nation 2020 → 2025
    assert r["national_pace"] == pytest.approx(nat) and r["national_period"] == "2020–2025"
    assert r["national_multiple"] == pytest.approx(0.22 / nat)
    assert r["feasibility"] == "faster than own pace"


def test_compound_rates_for_ratios():
    # Xiangqiao nurses: 0.80 in 2020, pace from the growth the plan states; national 5.1 for 2030
    r = opt(target_options("xiangqiao"), "nurses_per_1000", "national reference")
    assert r["required_annual_change"] == pytest.approx((5.1 / 0.8) ** 0.1 - 1)
    assert r["own_multiple"] == pytest.approx(r["required_annual_change"] / r["own_pace"])
    assert r["change_measure"] == "compound annual rate"


def test_province_level_names_a_conflicting_report():
    r = opt(target_options("yangchun"), "life_expectancy", "province level")
    assert r["value"] == 78.4 and r["basis_year"] == 2020
    assert "79.31" in r["note"] and r["feasibility"] == "within own pace"


def test_plan_style():
    d = target_options("yangchun")
    assert opt(d, "life_expectancy", "plan style")["value"] == pytest.approx(78.8)  # +1 year
    # physicians: 2.04 (2020) → 2.75 (2025), the same step from the latest outcome
    r = opt(d, "physicians_per_1000", "plan style")
    assert r["value"] == pytest.approx(2.04 * 2.75 / 2.04)
    r = opt(target_options("xiangqiao"), "nurses_per_1000", "plan style")
    assert r["value"] == pytest.approx(0.8 * 2.17 / 0.8)


def test_peer_level_is_the_better_quartile():
    d = target_options("yangchun")
    r = opt(d, "nurses_per_1000", "peer level")
    assert r["peers"] == 5 and "5 plan regions" in r["note"]
    u5 = opt(d, "under5_mortality", "peer level")  # lower is better: the lower quartile
    assert u5["value"] <= opt(d, "under5_mortality", "plan style")["value"]
    assert PEER_QUANTILE == 0.75


def test_already_reached():
    r = opt(target_options("weihai"), "life_expectancy", "national reference")  # 81.58 against 80
    assert r["feasibility"] == "already reached" and r["own_multiple"] is None


def test_one_point_gives_no_pace_option():
    r = opt(target_options("yangchun"), "nurses_per_1000", "continue pace")
    assert r["value"] is None or r["value"] != r["value"]
    assert r["flags"] == "one_point"
    assert opt(target_options("yangchun"), "nurses_per_1000", "national reference")["feasibility"] == "no own pace"


def test_pace_beyond_plausible_range_is_said():
    r = opt(target_options("xiangqiao"), "gps_per_10000", "continue pace")
    assert r["value"] > 15 and "beyond" in r["flags"]


def test_definition_guard_physicians():
    # the 15th-plan outline's 3.7 counts licensed physicians (执业医师) only: never an option for
    # the local 执业（助理）医师 ratio, and always said; the option rests on the Healthy China 2030
    # Outline's 3.0, which counts licensed and assistant physicians per 1,000 permanent residents
    for region in ("yangchun", "xiangqiao", "weihai"):
        d = target_options(region)
        rows = d[(d["indicator_id"] == "physicians_per_1000") & (d["option"] == "national reference")]
        guard = rows[rows["flags"] == "definition"]
        assert len(guard) == 1 and pd.isna(guard.iloc[0]["value"]) and "3.7" in guard.iloc[0]["note"]
        assert guard.iloc[0]["basis_ref"] == "national_15th_fyp_outline"
        used = rows[rows["value"].notna()]
        assert len(used) == 1 and used.iloc[0]["value"] == 3.0
        assert used.iloc[0]["basis_ref"] == "healthy_china_2030_outline" and used.iloc[0]["basis_text"] == "3.0"
    # Xiangqiao: 1.37 (2020) to 3.0 in ten years
    r = target_options("xiangqiao")
    r = r[(r["indicator_id"] == "physicians_per_1000") & (r["value"] == 3.0)].iloc[0]
    assert r["required_annual_change"] == pytest.approx((3.0 / 1.37) ** 0.1 - 1)


def test_nurses_other_national_document_named():
    # the 15th plan's 5.1 is preferred; the Healthy China 2030 Outline's 4.7 is named beside it
    r = opt(target_options("yangchun"), "nurses_per_1000", "national reference")
    assert r["value"] == 5.1 and "4.7 (healthy_china_2030_outline)" in r["note"] and "other_reference" in r["flags"]


def test_province_goal_for_2030_is_flagged():
    # Shandong's own 2030 goals (Healthy Shandong): flagged on Weihai's first option of each indicator
    d = target_options("weihai")
    for ind in ("life_expectancy", "infant_mortality", "under5_mortality", "maternal_mortality"):
        rows = d[(d["indicator_id"] == ind) & d["flags"].fillna("").str.contains("province_target")]
        assert len(rows) == 1, ind
    assert not d["flags"].fillna("").str.contains("province_target").loc[d["indicator_id"] == "nurses_per_1000"].any()
    y = target_options("yangchun")  # Guangdong: no 2030 goal in the data
    assert not y["flags"].fillna("").str.contains("province_target").any()


def test_no_option_on_a_value_in_doubt():
    d = target_options("xiangqiao")
    for ind in ("under5_mortality", "infant_mortality", "beds_per_1000"):
        rows = d[d["indicator_id"] == ind]
        assert len(rows) == 1 and pd.isna(rows.iloc[0]["option"]) and rows.iloc[0]["flags"] == "doubt"


def test_small_numbers_get_ranges():
    # Weihai: 13,374 hospital deliveries (2022); at 12 per 100,000 expected deaths 1.6
    r = opt(target_options("weihai"), "maternal_mortality", "national reference")
    mu = 12 * 13374 / 100_000
    assert r["value_low"] == pytest.approx(poisson.ppf(0.025, mu) / 13374 * 1e5)
    assert r["value_high"] == pytest.approx(poisson.ppf(0.975, mu) / 13374 * 1e5)
    assert r["value_high"] > 2 * r["value"] and r["flags"].split(",")[0] == "small_births"
    # no births in the data: 0 up to the value, a ceiling for the five-year average
    y = opt(target_options("yangchun"), "maternal_mortality", "national reference")
    assert (y["value_low"], y["value_high"]) == (0, 12) and y["flags"] == "small_no_births"
    assert small_number_range(12, None) == (0.0, 12.0)
    # no peer quartile of rare-death ratios
    assert opt(target_options("guangan"), "maternal_mortality", "peer level")["flags"] == "small_no_peer"


def test_other_indicators_get_points():
    d = target_options("weihai")
    assert d[d["indicator_id"] != "maternal_mortality"]["value_low"].isna().all()
