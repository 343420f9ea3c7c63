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
    assert mmr["comparison"] == "cannot be told apart"  # 15.7 lies inside 0.19–41.7: not "similar"
    assert mmr["ci_exposure"] == 13374 and mmr["ci_exposure_kind"] == "hospital deliveries"


def test_small_numbers_without_counts_are_never_better_or_worse():
    """A county's maternal mortality ratio with no counts behind it (Anju's 14.94/10万 against
    16.9 nationally; Yangchun's 0) cannot be called better: a county sees a few deaths a year."""
    for region in ("anju", "yangchun", "guangan", "xiangqiao"):
        df = compare_benchmarks(region)
        mmr = df[df["indicator_id"] == "maternal_mortality"]
        assert set(mmr["comparison"]) == {"cannot be told apart"}, region
    # other indicators keep the tolerance rule
    le = compare_benchmarks("anju").set_index(["indicator_id", "benchmark_level"]).loc[("life_expectancy", "national")]
    assert le["comparison"] == "better"


@pytest.mark.usefixtures("no_documents")
def test_small_numbers_with_an_interval_that_excludes_the_benchmark_are_judged(data_copy):
    """With many deaths the interval is narrow: then the ratio is better or worse, never "similar"."""
    import pandas as pd
    obs = pd.read_csv(data_copy / "observations.csv", dtype=str, keep_default_na=False)
    deaths = (obs["region_id"] == "weihai") & (obs["indicator_id"] == "maternal_deaths_count")
    births = (obs["region_id"] == "weihai") & (obs["indicator_id"] == "hospital_deliveries_count")
    rate = (obs["region_id"] == "weihai") & (obs["indicator_id"] == "maternal_mortality") & (obs["year"] == "2022")
    obs.loc[deaths, ["value", "value_text"]] = ["60", "60例"]
    obs.loc[births, ["value", "value_text"]] = ["200000", "200000人"]
    obs.loc[rate, ["value", "value_text"]] = ["30", "30"]
    obs.to_csv(data_copy / "observations.csv", index=False)
    df = compare_benchmarks("weihai", data_copy)
    mmr = df[(df["indicator_id"] == "maternal_mortality") & (df["benchmark_level"] == "national")].iloc[0]
    assert mmr["ci_low"] > 15.7 and mmr["comparison"] == "worse"


def test_exact_poisson_known_values():
    assert poisson_ci(0) == (0.0, pytest.approx(3.689, abs=1e-3))
    lo, hi = poisson_ci(1)
    assert lo == pytest.approx(0.0253, abs=1e-4) and hi == pytest.approx(5.572, abs=1e-3)
    ri = rate_interval(0, 4000, 1e5)
    assert ri.rate == 0 and ri.high == pytest.approx(92.2, abs=0.1)
    with pytest.raises(ValueError):
        rate_interval(1, 0, 1e5)


def test_far_better_than_the_province_is_questioned_not_praised():
    from planlib import analyse_region
    from planlib.report.briefing import Briefing

    c = analyse_region("weihai").comparisons
    le = c[(c["indicator_id"] == "life_expectancy")].set_index("benchmark_level")
    assert le.loc["provincial", "far_better"]  # 81.58 against Shandong's 79.13: 2.45 years ahead
    assert not le.loc["national", "far_better"]  # only the province is the yardstick for this
    nurses = c[(c["indicator_id"] == "nurses_per_1000") & (c["benchmark_level"] == "provincial")].iloc[0]
    assert nurses["comparison"] == "better" and not nurses["far_better"]  # 3.92 against 3.53: ordinary
    text = " ".join(Briefing(analyse_region("weihai"), "en").section("life_expectancy"))
    assert "far better than Shandong's value of 79.13 years" in text and "worth checking" in text
    assert "That is better than Shandong's" not in text
