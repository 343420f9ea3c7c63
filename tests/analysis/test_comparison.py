"""Benchmark comparison and exact Poisson intervals."""
from __future__ import annotations

import pytest

from planlib.analysis.comparison import judge
from planlib.analysis.region import compare_benchmarks
from planlib.analysis.uncertainty import poisson_ci, rate_interval


def test_judge_is_polarity_aware():
    assert judge(3.0, 5.4, "lower_is_better", 0.27) == "better"
    assert judge(3.0, 5.4, "higher_is_better", 0.27) == "worse"
    assert judge(77.8, 77.93, "higher_is_better", 0.5) == "similar"


def test_yangchun_against_nation_and_province():
    df = compare_benchmarks("yangchun")
    le = df[(df["indicator_id"] == "life_expectancy")].set_index("benchmark_level")
    assert le.loc["national", "benchmark_value"] == 77.93 and le.loc["national", "comparison"] == "similar"
    assert le.loc["provincial", "benchmark_region_id"] == "guangdong"
    imr = df[(df["indicator_id"] == "infant_mortality")].set_index("benchmark_level")
    assert imr.loc["national", "comparison"] == "better"  # 3.11 vs 5.4, lower is better
    assert "without its counts" in imr.loc["national", "ci_note"]


def test_nearest_year_is_stated():
    df = compare_benchmarks("weihai")
    le = df[(df["indicator_id"] == "life_expectancy") & (df["benchmark_level"] == "national")].iloc[0]
    assert le["year"] == 2022 and le["benchmark_year"] in (2021, 2023)
    assert "nearest year" in le["year_note"]


def test_poisson_interval_with_counts():
    df = compare_benchmarks("weihai")
    mmr = df[(df["indicator_id"] == "maternal_mortality") & (df["benchmark_level"] == "national")].iloc[0]
    lo, hi = poisson_ci(1)
    assert mmr["ci_low"] == pytest.approx(lo / 13374 * 1e5)
    assert mmr["ci_high"] == pytest.approx(hi / 13374 * 1e5)
    assert mmr["comparison"] == "similar"  # 15.7 lies inside 0.19–41.7


def test_exact_poisson_known_values():
    assert poisson_ci(0) == (0.0, pytest.approx(3.689, abs=1e-3))
    lo, hi = poisson_ci(1)
    assert lo == pytest.approx(0.0253, abs=1e-4) and hi == pytest.approx(5.572, abs=1e-3)
    ri = rate_interval(0, 4000, 1e5)
    assert ri.rate == 0 and ri.high == pytest.approx(92.2, abs=0.1)
    with pytest.raises(ValueError):
        rate_interval(1, 0, 1e5)
