"""Data-quality checks find the documents' known problems and never change a value."""
from __future__ import annotations

import re

import pandas as pd
import pytest

import planlib
from planlib.analysis.quality import FINDING_COLUMNS, check_quality


@pytest.fixture(scope="module")
def findings() -> pd.DataFrame:
    return check_quality()


def _has(df, region, indicator, check, *words, year=None):
    hit = df[(df["region_id"] == region) & (df["indicator_id"] == indicator) & (df["check"] == check)]
    if year is not None:
        hit = hit[hit["year"] == year]
    for w in words:
        hit = hit[hit["message"].str.contains(w, regex=False)]
    return len(hit) > 0


def test_columns(findings):
    assert list(findings.columns) == FINDING_COLUMNS
    assert set(findings["severity"]) <= {"error", "warning", "info"}


def test_xiangqiao_under5_below_infant(findings):
    assert _has(findings, "xiangqiao", "under5_mortality", "impossible_relation", "0.14", "0.35", year=2020)
    row = findings[(findings["check"] == "impossible_relation") & (findings["region_id"] == "xiangqiao")].iloc[0]
    assert row["severity"] == "error"
    assert "L111" in row["source_lines"] and "L112" in row["source_lines"]


def test_anju_life_expectancy_table_vs_prose(findings):
    assert _has(findings, "anju", "life_expectancy", "conflicting_values", "提高1岁", "80.17", "81.17", "≥82",
                year=2025)


def test_targets_of_different_plan_cycles_are_two_goals_not_a_conflict(findings):
    """The Healthy China 2030 Outline (2016) sets 79 years for 2030 and the 15th Five-Year Plan
    outline (2026) 80: two documents of different plan cycles, not one number reported twice. The
    same two values in one plan cycle are still a conflict; so are a local plan's own two 2025 values."""
    from planlib.analysis import quality
    for indicator in ("life_expectancy", "nurses_per_1000"):
        assert not _has(findings, "china", indicator, "conflicting_values", year=2030)
    obs = planlib.load_tables().enriched
    refs = obs[(obs["region_id"] == "china") & (obs["year"] == 2030) & (obs["kind"] == "target")].copy()
    assert set(refs["plan_cycle"]) == {"hc2030", "15th"}
    assert quality.conflicting_values(refs) == []
    refs["plan_cycle"] = "15th"  # as if one plan cycle gave both values
    found = quality.conflicting_values(refs)
    assert {f["indicator_id"] for f in found} == {"life_expectancy", "nurses_per_1000"}
    assert all("79" in f["message"] and "80" in f["message"] for f in found if f["indicator_id"] == "life_expectancy")
    assert _has(findings, "xiangqiao", "life_expectancy", "conflicting_values", "79.7", year=2025)


@pytest.mark.parametrize("region, indicator, check, words", [
    ("weihai", "infant_mortality", "unit_mismatch", ["2.02%"]),
    ("weihai", "under5_mortality", "unit_mismatch", ["3.03%"]),
    ("yangchun", "premature_ncd_mortality", "unit_mismatch", ["‰"]),
    ("xiangqiao", "life_expectancy", "conflicting_values", ["79.7", "79 岁以上"]),
    ("guangdong", "life_expectancy", "conflicting_values", ["78.4", "79.31"]),
    ("xiangqiao", "infant_mortality", "implausible_value", ["0.35"]),
    ("yangchun", "hiv_living_cases_count", "implausible_value", ["151,000"]),
    ("guangan", "maternal_mortality", "weak_target", ["低于14.5/10万", "14.32"]),
    ("anju", "infant_mortality", "weak_target", ["≤5", "2.69"]),
    ("guangan", "beds_per_1000", "ratio_count_mismatch", ["6012", "4.32", "18.07%"]),
    ("anju", "physicians_per_1000", "ratio_count_mismatch", ["829", "1.4"]),
    ("anju", "health_technicians_count", "ratio_count_mismatch", ["829", "764", "1593"]),
    ("weihai", "maternal_mortality", "ratio_count_mismatch", ["13,374", "7.77"]),
    ("yangchun", "public_health_physicians_per_1000", "implausible_change", ["0.05"]),
    ("yangchun", "life_expectancy", "comparator_differs", [">79", "达到79岁"]),
])
def test_other_findings(findings, region, indicator, check, words):
    assert _has(findings, region, indicator, check, *words)


def test_consistent_counts_are_not_flagged(findings):
    # Weihai's physicians, nurses and pharmacists imply one population within rounding.
    assert not _has(findings, "weihai", "physicians_per_1000", "ratio_count_mismatch")


def test_checks_change_no_value(data_copy):
    """Every check runs for real (a fresh folder: no cached findings) and leaves the frames it
    reads exactly as they were."""
    from planlib.analysis import quality
    t = planlib.load_tables(data_copy)
    obs, indicators = t.enriched, t.indicators
    obs_before, indicators_before = obs.copy(deep=True), indicators.copy(deep=True)
    loaded_before = planlib.load_observations(data_copy)
    found = quality.findings(obs, indicators)
    assert len(found) > 20
    for check in (quality.impossible_relations, quality.conflicting_values, quality.unit_mismatches,
                  quality.weak_targets, quality.implausible_changes, quality.target_outcome_gaps,
                  quality.ratio_count_consistency):
        assert check(obs), check.__name__
    assert quality.implausible_values(obs, indicators)
    anju = obs[obs["region_id"] == "anju"]
    anju_before = anju.copy(deep=True)
    assert len(quality.findings(anju, indicators)) > 3
    assert len(check_quality(data_copy)) == len(found)
    pd.testing.assert_frame_equal(obs, obs_before)
    pd.testing.assert_frame_equal(indicators, indicators_before)
    pd.testing.assert_frame_equal(anju, anju_before)
    pd.testing.assert_frame_equal(planlib.load_tables(data_copy).enriched, obs_before)
    pd.testing.assert_frame_equal(planlib.load_observations(data_copy), loaded_before)


def test_findings_of_any_regions(findings):
    """findings() on some regions' rows: each region's findings as check_quality gives them, the
    regions in the order they first appear in the rows."""
    from planlib.analysis.quality import findings as find
    t = planlib.load_tables()
    obs = t.enriched
    rows = obs[obs["region_id"].isin(["weihai", "anju", "china"])]
    got = find(rows, t.indicators)
    assert list(dict.fromkeys(got["region_id"])) == ["china", "anju", "weihai"]  # china's rows come first
    for r in ("china", "anju", "weihai"):
        pd.testing.assert_frame_equal(got[got["region_id"] == r].reset_index(drop=True), check_quality(region_id=r))
    pd.testing.assert_frame_equal(find(obs[obs["region_id"] == "guangan"], t.indicators),
                                  check_quality(region_id="guangan"))
    empty = find(obs.iloc[:0], t.indicators)
    assert list(empty.columns) == FINDING_COLUMNS and empty.empty


def test_unknown_region_is_named():
    with pytest.raises(KeyError, match="unknown region 'atlantis'; valid ids: china, guangdong"):
        check_quality(region_id="atlantis")


def test_region_filter(findings):
    only = check_quality(region_id="weihai")
    assert set(only["region_id"]) == {"weihai"}
    assert len(only) == (findings["region_id"] == "weihai").sum()


def test_new_problem_in_user_data_is_found(data_copy):
    # (from a report planlib has no document of: a number cited on a line of a document planlib
    # has must be on that line)
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as fh:
        fh.write("weihai,under5_mortality,2021,actual,,=,1.5,1.5‰,‰,,shandong_press,,test\n")
        fh.write("weihai,infant_mortality,2021,actual,,=,2.5,2.5‰,‰,,shandong_press,,test\n")
    df = check_quality(data_copy)
    assert _has(df, "weihai", "under5_mortality", "impossible_relation", "1.5‰ < 2.5‰", year=2021)


def test_folder_with_more_regions_than_the_region_cache(tmp_path):
    """Per-region caches are small (a batch worker must not grow with every region); a folder with
    more regions still gets every region's findings, the same as asking region by region."""
    import csv
    import shutil

    from planlib.data.tables import BUNDLED_DATA, REGION_CACHE
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DATA, data)
    with (data / "regions.csv").open(encoding="utf-8") as fh:
        regions = {r["id"]: r for r in csv.DictReader(fh)}
    with (data / "observations.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, obs = reader.fieldnames, [o for o in reader if o["region_id"] == "xiangqiao"]
    clones = [f"xiangqiao_c{i:02d}" for i in range(REGION_CACHE + 4)]
    with (data / "regions.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(regions["xiangqiao"])).writerows(
            {**regions["xiangqiao"], "id": c} for c in clones)
    with (data / "observations.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=fields).writerows({**o, "region_id": c} for c in clones for o in obs)
    whole = check_quality(data)
    assert set(clones) <= set(whole["region_id"])
    one_by_one = pd.concat([check_quality(data, region_id=r) for r in planlib.load_regions(data)["id"]],
                           ignore_index=True)
    pd.testing.assert_frame_equal(whole, one_by_one)
    assert whole.equals(check_quality(data))  # and again, from the folder cache
    mine = whole[whole["region_id"] == clones[-1]].drop(columns="region_id").reset_index(drop=True)
    theirs = whole[whole["region_id"] == "xiangqiao"].drop(columns="region_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs)  # a clone has the original's findings


# --- counts against the region's population (issue 13) ---------------------------------------------

def _with_rows(folder, *lines: str) -> pd.DataFrame:
    """check_quality after appending observation rows (from sources planlib has no document of)."""
    with (folder / "observations.csv").open("a", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))
    f = check_quality(folder)
    return f[f["check"] == "implausible_count"].reset_index(drop=True)


def test_no_implausible_counts_in_the_bundled_data(findings):
    assert not (findings["check"] == "implausible_count").any()


def test_count_far_beyond_its_ratio_range_for_the_stated_population(data_copy):
    """Xiangqiao states its 2020 population (51.49万): 99,999,999 beds is 194,212 per 1,000 people
    (plausible beds per 1,000: 1.5–15, and at most 3 times that); 8,000 beds (15.5) is not flagged."""
    f = _with_rows(data_copy, "xiangqiao,beds_count,2020,actual,,=,99999999,99999999张,张,,guangdong_press_a,,",
                   "xiangqiao,beds_count,2021,actual,,=,8000,8000张,张,,guangdong_press_a,,")
    assert f[["indicator_id", "year", "severity"]].values.tolist() == [["beds_count", 2020, "error"]]
    assert "194,212 per 1,000 people for the 2020 population of 514,900" in f["message"][0]
    assert f["source_lines"][0] == "guangdong_press_a; xiangqiao_14th_plan_draft L126"


def test_count_far_below_its_ratio_range(data_copy):
    """5 physicians for 514,900 people (0.0097 per 1,000, under a third of the plausible 0.5)."""
    f = _with_rows(data_copy, "xiangqiao,physicians_count,2020,actual,,=,5,5人,人,,guangdong_press_a,,")
    assert f["message"].tolist() == [
        "actual 5人 (guangdong_press_a) is 5 persons: 0.00971 per 1,000 people for the 2020 population of "
        "514,900 (51.49, xiangqiao_14th_plan_draft L126), far outside the plausible 0.5–8 per 1,000; check the "
        "number and its unit"]


def test_count_larger_than_the_population(data_copy):
    """A count without a ratio in the catalog may not exceed the population; the nearest year's
    population is used (2020 for a 2023 count)."""
    f = _with_rows(data_copy, "xiangqiao,health_workers_count,2023,actual,,=,60,60万人,万人,,guangdong_press_a,,",
                   "xiangqiao,health_workers_count,2022,actual,,=,6000,6000人,人,,guangdong_press_a,,")
    assert f["message"].tolist() == [
        "actual 60万人 (guangdong_press_a) is 600,000 persons, more than the 2020 population of 514,900 (51.49, "
        "xiangqiao_14th_plan_draft L126); check the number and its unit"]
    assert f["year"].tolist() == [2023]


def test_population_implied_by_the_elderly_and_their_share(data_copy):
    """Guang'an states no population, but its 65+ count and their share imply one."""
    f = _with_rows(data_copy, "guangan,beds_count,2021,actual,,=,600000,600000张,张,,sichuan_press,,")
    assert len(f) == 1
    assert "population aged 65 and over 11.14万余人 (guangan_14th_plan L" in f["message"][0]
    assert f["severity"][0] == "error"


def test_targets_warn_ceilings_and_distant_years_are_not_judged(data_copy):
    f = _with_rows(data_copy,
                   "xiangqiao,beds_count,2025,target,14th,>=,99999999,≥99999999张,张,,guangdong_press_a,,",
                   "xiangqiao,beds_count,2025,target,14th,<=,88888888,≤88888888张,张,,guangdong_press_b,,",
                   "xiangqiao,beds_count,2010,actual,,=,99999999,99999999张,张,,guangdong_press_a,,")
    assert f[["year", "severity"]].values.tolist() == [[2025, "warning"]]
    assert f["message"][0].startswith("target ≥99999999张 (guangdong_press_a) is 99,999,999 beds")


def test_an_implausible_count_puts_the_value_in_doubt(data_copy):
    from planlib.analysis.region import DOUBTING_CHECKS, analyse_region
    assert "implausible_count" in DOUBTING_CHECKS
    _with_rows(data_copy, "xiangqiao,physicians_count,2020,actual,,=,5,5人,人,,guangdong_press_a,,")
    a = analyse_region("xiangqiao", data_copy)
    assert a.doubts[("physicians_count", 2020)].startswith("actual 5人 (guangdong_press_a) is 5 persons")


@pytest.mark.parametrize("row, zh", [
    ("xiangqiao,physicians_count,2020,actual,,=,5,5人,人,,guangdong_press_a,,",
     "实际值5人（guangdong_press_a）按2020年人口514900人（51.49，xiangqiao_14th_plan_draft L126）折算，"
     "每1000人达0.00971，远超合理范围0.5—8，请核实该数值及其单位"),
    ("xiangqiao,health_workers_count,2023,actual,,=,60,60万人,万人,,guangdong_press_a,,",
     "实际值60万人（guangdong_press_a）超过了2020年人口514900人（51.49，xiangqiao_14th_plan_draft L126），"
     "请核实该数值及其单位"),
    ("guangan,beds_count,2021,actual,,=,600000,600000张,张,,sichuan_press,,",
     "实际值600000张（sichuan_press）按2020年人口616491人（由65岁及以上人口11.14万余人（guangan_14th_plan L"),
])
def test_implausible_count_states_its_numbers_in_chinese(data_copy, row, zh):
    """The Chinese note says what the English one says: value, population, rate and range."""
    from planlib.report.narrative import finding_text
    f = _with_rows(data_copy, row)
    assert len(f) == 1
    en, text = finding_text("en", f.iloc[0]), finding_text("zh", f.iloc[0])
    assert en == f["message"][0]
    assert text.startswith(zh), text
    assert not re.search(r"\b(?:the|population|per|far|more than|check)\b", text)
    numbers = lambda s: set(re.findall(r"\d[\d.]*", s.replace(",", "")))  # noqa: E731
    converted = re.search(r"\) is ([\d,.]+) ", en).group(1)  # the written value in persons: said as written
    assert numbers(en) - numbers(converted) == numbers(text) - numbers(converted)


