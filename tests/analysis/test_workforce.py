"""Staffing arithmetic (planlib.workforce): hand-computed cases and nonsense input."""
from __future__ import annotations


import pytest  # noqa: E402

import planlib  # noqa: E402
from planlib.analysis import workforce  # noqa: E402


# --- staff_needed -----------------------------------------------------------------------------

@pytest.mark.parametrize(("ratio", "population", "per", "expected"), [
    (2.1, 600_000, 1000, 1260),        # 2.1 × 600 = 1,260 exactly (float gives 1260.0000000000002)
    (2.1, 764 / 1.2 * 1000, 1000, 1337),  # 764 × 2.1 / 1.2 = 1,337 exactly, float noise again
    (3.5, 100_001, 1000, 351),         # 350.0035 people: the 351st is needed to reach ≥3.5
    (2.0, 1_500, 1000, 3),
    (1.4, 592_142.857, 1000, 829),     # 828.9999998: rounds up to 829
    (6.0, 50_000, 10_000, 30),         # per 10,000
    (0.0, 1_000, 1000, 0),
])
def test_staff_needed_hand_computed(ratio, population, per, expected):
    assert workforce.staff_needed(ratio, population, per=per) == expected


def test_staff_needed_returns_int():
    assert isinstance(workforce.staff_needed(2.1, 592_142.857), int)


@pytest.mark.parametrize(("ratio", "population", "per"), [
    (-1.0, 1000, 1000), (2.0, 0, 1000), (2.0, -5, 1000), (2.0, 1000, 0), (float("nan"), 1000, 1000),
    (2.0, float("inf"), 1000), (True, 1000, 1000), ("2.1", 1000, 1000), (None, 1000, 1000),
])
def test_staff_needed_rejects_nonsense(ratio, population, per):
    with pytest.raises(ValueError):
        workforce.staff_needed(ratio, population, per=per)


# --- implied population, gap, projection ------------------------------------------------------

def test_implied_population_hand_computed():
    assert workforce.implied_population(829, 1.4) == pytest.approx(592_142.857, abs=0.001)
    assert workforce.implied_population(764, 1.2) == pytest.approx(636_666.667, abs=0.001)
    assert workforce.implied_population(30, 6, per=10_000) == pytest.approx(50_000)


@pytest.mark.parametrize(("count", "ratio"), [(-1, 1.4), (829, 0), (829, -1.4), (829, float("nan"))])
def test_implied_population_rejects_nonsense(count, ratio):
    with pytest.raises(ValueError):
        workforce.implied_population(count, ratio)


def test_staff_gap_hand_computed():
    # 2.1 × 592,142.857 / 1,000 = 1,243.5 → 1,244 needed; 1,244 − 829 = 415.
    assert workforce.staff_gap(829, 2.1, 829 / 1.4 * 1000) == 415
    # Already above target: no negative gap.
    assert workforce.staff_gap(2000, 2.1, 829 / 1.4 * 1000) == 0
    with pytest.raises(ValueError):
        workforce.staff_gap(829.5, 2.1, 600_000)


def test_project_population_hand_computed():
    assert workforce.project_population(1_000_000, 0.01, 2) == pytest.approx(1_020_100)
    assert workforce.project_population(1_000_000, -0.5, 1) == pytest.approx(500_000)
    assert workforce.project_population(1_000_000, 0.0, 5) == pytest.approx(1_000_000)
    with pytest.raises(ValueError):
        workforce.project_population(1_000_000, -1.0, 1)
    with pytest.raises(ValueError):
        workforce.project_population(1_000_000, 0.01, 1.5)


# --- hiring_plan --------------------------------------------------------------------------------

def test_hiring_plan_even_split():
    # 2.0 per 1,000 × 100,000 = 200 staff; 100 now → 100 over 4 years = 25 a year.
    plan = workforce.hiring_plan(100, 2.0, 100_000, 0.0, 4)
    assert list(plan.columns) == workforce.PLAN_COLUMNS
    assert list(plan["year"]) == [1, 2, 3, 4]
    assert list(plan["net_hires"]) == [25, 25, 25, 25]
    assert list(plan["staff_start"]) == [100, 125, 150, 175]
    assert list(plan["staff_end"]) == [125, 150, 175, 200]
    assert list(plan["ratio_end"]) == pytest.approx([1.25, 1.5, 1.75, 2.0])
    assert list(plan["ratio_start"]) == pytest.approx([1.0, 1.25, 1.5, 1.75])
    assert list(plan["leavers"]) == [0, 0, 0, 0]
    assert list(plan["gross_hires"]) == list(plan["net_hires"])


def test_hiring_plan_remainder_goes_to_early_years():
    # 1.0 per 1,000 × 13,000 = 13 staff; 10 now → 3 over 2 years = 2 then 1.
    plan = workforce.hiring_plan(10, 1.0, 13_000, 0.0, 2)
    assert list(plan["net_hires"]) == [2, 1]
    assert plan["staff_end"].iloc[-1] == 13


def test_hiring_plan_with_population_growth():
    # 500,000 growing 2 % a year: 510,000 then 520,200; 2.0 per 1,000 × 520,200 = 1,040.4 → 1,041.
    plan = workforce.hiring_plan(1000, 2.0, 500_000, 0.02, 2, base_year=2020)
    assert list(plan["year"]) == [2021, 2022]
    assert list(plan["population"]) == pytest.approx([510_000, 520_200])
    assert list(plan["net_hires"]) == [21, 20]
    assert plan["staff_end"].iloc[-1] == 1041
    assert plan["ratio_end"].iloc[-1] >= 2.0
    assert plan["ratio_start"].iloc[0] == pytest.approx(2.0)  # 1,000 / 500,000 × 1,000


def test_hiring_plan_with_attrition():
    # 1.5 × 100 = 150 needed, 100 now: 25 net a year. Leavers: 10 % of 100 = 10, then of 125 = 12.5 → 13.
    plan = workforce.hiring_plan(100, 1.5, 100_000, 0.0, 2, attrition=0.1)
    assert list(plan["net_hires"]) == [25, 25]
    assert list(plan["leavers"]) == [10, 13]
    assert list(plan["gross_hires"]) == [35, 38]


def test_hiring_plan_target_already_met_hires_nobody_net():
    plan = workforce.hiring_plan(2000, 2.1, 829 / 1.4 * 1000, 0.0, 5, attrition=0.05)
    assert list(plan["net_hires"]) == [0] * 5
    assert list(plan["staff_end"]) == [2000] * 5
    assert list(plan["leavers"]) == [100] * 5  # replacements are still needed
    assert list(plan["gross_hires"]) == [100] * 5


def test_hiring_plan_anju_physicians():
    # Anju 2020: 829 physicians at 1.4 per 1,000 → 592,143 people; ≥2.1 in 2025 needs 1,244: 415 more, 83 a year.
    plan = workforce.hiring_plan(829, 2.1, 829 / 1.4 * 1000, 0.0, 5, base_year=2020)
    assert plan["net_hires"].sum() == 415
    assert list(plan["net_hires"]) == [83] * 5
    assert plan["staff_end"].iloc[-1] == 1244
    assert plan["ratio_end"].iloc[-1] == pytest.approx(2.1008, abs=1e-4)


@pytest.mark.parametrize("kwargs", [
    {"current_staff": -1}, {"current_staff": 10.5}, {"target_ratio": 0}, {"target_ratio": -2},
    {"population_now": 0}, {"population_growth": -1.0}, {"population_growth": float("nan")},
    {"years": 0}, {"years": 2.5}, {"years": True}, {"per": 0}, {"attrition": 1.0},
    {"attrition": -0.1}, {"base_year": 2020.5},
])
def test_hiring_plan_rejects_nonsense(kwargs):
    args = {"current_staff": 100, "target_ratio": 2.0, "population_now": 100_000, "population_growth": 0.0,
            "years": 4} | kwargs
    with pytest.raises(ValueError):
        workforce.hiring_plan(**args)


# --- implied populations from the data ---------------------------------------------------------

def test_implied_populations_anju_match_counts_and_ratios():
    pairs = workforce.implied_populations("anju", 2020).set_index("count_indicator")
    assert {"physicians_count", "nurses_count"} <= set(pairs.index)
    for _, r in pairs.iterrows():
        assert r["population"] == pytest.approx(r["count"] / r["ratio"] * r["per"])
        assert r["population_low"] < r["population"] < r["population_high"]
    # 1.4 printed means 1.35–1.45: 829 / 1.45 × 1,000 = 571,379 … 829 / 1.35 × 1,000 = 614,444.
    assert pairs.loc["physicians_count", "population_low"] == pytest.approx(571_379.31, abs=0.01)
    assert pairs.loc["physicians_count", "population_high"] == pytest.approx(614_444.44, abs=0.01)
    # The point values disagree by more than 5 %: the teaching point of lesson 4 ...
    phys, nurses = pairs.loc["physicians_count", "population"], pairs.loc["nurses_count", "population"]
    assert nurses / phys - 1 > 0.05
    # ... and check_quality flags the set of pairs as impossible to reconcile.
    q = planlib.check_quality(region_id="anju")
    assert ((q["check"] == "ratio_count_mismatch") & (q["indicator_id"] == "physicians_per_1000")).any()
    lo, hi = pairs["population_low"].max(), pairs["population_high"].min()
    assert lo > hi


def test_implied_populations_empty_and_unknown():
    assert workforce.implied_populations("yangchun", 2020).empty  # ratios but no counts
    with pytest.raises(KeyError, match="atlantis"):
        workforce.implied_populations("atlantis", 2020)
