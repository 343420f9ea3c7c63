"""assess_progress against hand-computed cases."""
from __future__ import annotations

import pytest

from planlib.analysis.region import assess_progress
from planlib.analysis.targets import ABSOLUTE_CHANGE, annual_change, project


def row(df, indicator):
    hit = df[df["indicator_id"] == indicator]
    assert len(hit) == 1, f"{indicator}: {len(hit)} rows"
    return hit.iloc[0]


def test_annual_change_and_projection():
    assert annual_change(77.2, 77.8, 5, absolute=True) == pytest.approx(0.12)
    assert annual_change(10, 8, 5, absolute=False) == pytest.approx((0.8) ** 0.2 - 1)
    assert annual_change(0, 3, 5, absolute=False) is None  # zero start: no compound rate
    assert project(8, (5 / 8) ** 0.2 - 1, 5, absolute=False) == pytest.approx(5)
    assert "life_expectancy" in ABSOLUTE_CHANGE


def test_yangchun_life_expectancy_limited_progress():
    r = row(assess_progress("yangchun"), "life_expectancy")
    # 77.2 (2015) → 77.8 (2020): +0.12/yr; target >79 in 2025 needs (79 − 77.8)/5 = 0.24/yr.
    assert (r["latest_value"], r["comparator"], r["target_value"]) == (77.8, ">", 79.0)
    assert r["observed_annual_change"] == pytest.approx(0.12)
    assert r["required_annual_change"] == pytest.approx(0.24)
    assert r["progress_ratio"] == pytest.approx(0.5)
    assert r["projected_value"] == pytest.approx(78.4)
    assert r["status"] == "limited progress"
    assert r["observed_period"] == "2015–2020"


def test_guangan_life_expectancy_on_track():
    r = row(assess_progress("guangan"), "life_expectancy")
    assert r["observed_annual_change"] == pytest.approx((77.9 - 76.83) / 5)
    assert r["required_annual_change"] == pytest.approx((78.2 - 77.9) / 5)
    assert r["status"] == "on track"


def test_already_met_target():
    r = row(assess_progress("guangan"), "maternal_mortality")
    assert (r["latest_value"], r["comparator"], r["target_value"]) == (14.32, "<", 14.5)
    assert r["status"] == "achieved"


def test_one_data_point_cannot_be_assessed():
    r = row(assess_progress("yangchun"), "nurses_per_1000")
    assert r["status"] == "cannot assess" and "no earlier value" in r["reason"]
    assert r["required_annual_change"] == pytest.approx((3.88 / 2.61) ** 0.2 - 1)


def _add(folder, lines):
    with (folder / "regions.csv").open("a", encoding="utf-8") as fh:
        fh.write("testland,测试区,Testland,district,chaozhou,guangdong\n")
    with (folder / "sources.csv").open("a", encoding="utf-8") as fh:
        fh.write("test_plan,测试规划,测试区,2022,,local plan,,synthetic,,,\n")
    with (folder / "observations.csv").open("a", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")


def test_lower_is_better_compound_rates(data_copy):
    _add(data_copy, [
        "testland,infant_mortality,2015,actual,,=,10,10‰,‰,,test_plan,,",
        "testland,infant_mortality,2020,actual,,=,8,8‰,‰,,test_plan,,",
        "testland,infant_mortality,2025,target,14th,<,5,<5,‰,,test_plan,,",
    ])
    r = row(assess_progress("testland", data_copy), "infant_mortality")
    req, obs = (5 / 8) ** 0.2 - 1, (8 / 10) ** 0.2 - 1
    assert r["required_annual_change"] == pytest.approx(req)
    assert r["observed_annual_change"] == pytest.approx(obs)
    assert r["progress_ratio"] == pytest.approx(obs / req)  # ≈0.49
    assert r["status"] == "limited progress"


def test_moving_away(data_copy):
    _add(data_copy, [
        "testland,nurses_per_1000,2015,actual,,=,3,3,人,,test_plan,,",
        "testland,nurses_per_1000,2020,actual,,=,2.5,2.5,人,,test_plan,,",
        "testland,nurses_per_1000,2025,target,14th,>=,3.5,≥3.5,人,,test_plan,,",
    ])
    assert row(assess_progress("testland", data_copy), "nurses_per_1000")["status"] == "moving away"


def test_relative_target_is_derived_and_said_so(data_copy):
    _add(data_copy, [
        "testland,life_expectancy,2015,actual,,=,75,75岁,岁,,test_plan,,",
        "testland,life_expectancy,2020,actual,,=,76,76岁,岁,,test_plan,,",
        "testland,life_expectancy,2025,target,14th,text,,提高1岁,岁,,test_plan,,",
    ])
    r = row(assess_progress("testland", data_copy), "life_expectancy")
    assert r["target_derived"] and r["target_value"] == pytest.approx(77.0)
    assert r["target_text"] == "提高1岁"
    assert r["required_annual_change"] == pytest.approx(0.2)
    assert r["progress_ratio"] == pytest.approx(1.0)
    assert r["status"] == "on track"


def test_qualitative_target(data_copy):
    _add(data_copy, [
        "testland,health_literacy_pct,2020,actual,,=,20,20%,%,,test_plan,,",
        "testland,health_literacy_pct,2025,target,14th,text,,持续提升,,,test_plan,,",
    ])
    r = row(assess_progress("testland", data_copy), "health_literacy_pct")
    assert r["status"] == "cannot assess" and "qualitative" in r["reason"]


def test_region_without_targets_uses_provincial_then_national():
    df = assess_progress("weihai")
    le = row(df, "life_expectancy")
    assert (le["target_basis"], le["target_region_id"], le["comparator"], le["target_value"]) == \
        ("provincial target", "shandong", "~", 80.0)
    assert le["status"] == "achieved"
    nurses = row(df, "nurses_per_1000")
    assert (nurses["target_basis"], nurses["target_value"]) == ("national target", 3.8)


def test_prefers_table_target_and_lists_the_others():
    r = row(assess_progress("yangchun"), "life_expectancy")
    assert r["target_text"] == ">79"
    assert "达到79岁" in r["other_targets"]


def test_unknown_region():
    with pytest.raises(KeyError, match="valid ids: .*yangchun"):
        assess_progress("atlantis")
