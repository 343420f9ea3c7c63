"""One region's analysis: computed once, shared, and honest about values the checks doubt."""
from __future__ import annotations

import pandas as pd
import pytest

import planlib
from planlib.analysis.region import analyse_region
from planlib.analysis.targets import IN_DOUBT
from planlib.report.briefing import Briefing

REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]
FAVOURABLE_STATUS = {"achieved", "on track"}
FAVOURABLE_COMPARISON = {"better", "similar"}


def test_analysis_is_computed_once_and_shared():
    a = analyse_region("anju")
    assert analyse_region("anju") is a
    assert a.progress is a.progress and a.findings is a.findings
    # the public functions hand out copies of the same analysis
    p = planlib.assess_progress("anju")
    assert p.equals(a.progress) and p is not a.progress
    with pytest.raises(KeyError, match="unknown region 'atlantis'; valid ids: china"):
        analyse_region("atlantis")


@pytest.mark.parametrize("region", REGIONS)
def test_a_doubted_value_gets_no_favourable_verdict_anywhere(region):
    a = analyse_region(region)
    doubted = set(a.doubts)
    p = a.progress.dropna(subset=["latest_year"])
    for r in p.itertuples():
        if (r.indicator_id, int(r.latest_year)) in doubted:
            assert r.status == IN_DOUBT, (region, r.indicator_id)
        assert not (r.status in FAVOURABLE_STATUS and (r.indicator_id, int(r.latest_year)) in doubted)
    for r in a.comparisons.itertuples():
        if (r.indicator_id, int(r.year)) in doubted:
            assert r.comparison == IN_DOUBT, (region, r.indicator_id)


def test_xiangqiao_under5_below_infant_is_in_doubt_in_table_and_text():
    a = analyse_region("xiangqiao")
    assert ("under5_mortality", 2020) in a.doubts
    assert "below infant mortality" in a.doubts[("under5_mortality", 2020)]
    for lang, status in (("en", "data in doubt"), ("zh", "数据存疑")):
        b = Briefing(a, lang)
        k = b.key_figures()
        row = k[k.iloc[:, 0] == b.name("under5_mortality")].iloc[0]
        assert row.iloc[-1] == status
        text = b.section_markdown("maternal_child")
        para = next(p for p in text.split("\n\n") if b.name("under5_mortality") in p)
        assert "already meets" not in para and "better than" not in para and "已达到" not in para
        assert "优于" not in para


@pytest.mark.usefixtures("no_documents")
def test_the_rule_follows_the_checks_not_a_list_of_regions(data_copy):
    """Fix the impossible number in a copy of the data: the normal verdict comes back."""
    obs = pd.read_csv(data_copy / "observations.csv", dtype=str, keep_default_na=False)
    mask = (obs["region_id"] == "xiangqiao") & (obs["indicator_id"] == "under5_mortality") & (obs["year"] == "2020")
    obs.loc[mask & (obs["kind"] == "actual"), ["value", "value_text"]] = ["3.1", "3.1"]
    obs.loc[mask & (obs["kind"] == "target"), ["value", "value_text"]] = ["8", "8"]
    obs.to_csv(data_copy / "observations.csv", index=False)
    a = analyse_region("xiangqiao", data_copy)
    assert ("under5_mortality", 2020) not in a.doubts
    u5 = a.progress.set_index("indicator_id").loc["under5_mortality"]
    assert u5["status"] == "achieved"  # 3.1 meets the 2025 target of below 4
    c = a.comparisons[a.comparisons["indicator_id"] == "under5_mortality"]
    assert set(c["comparison"]) == {"better"}



def test_charts_mark_a_doubted_value_and_draw_no_path_from_it():
    import matplotlib.pyplot as plt

    from planlib.report import figures
    a = analyse_region("xiangqiao")
    w = figures.workforce_data(a)
    beds = w[(w["indicator_id"] == "beds_per_1000")]
    assert bool(beds.loc[beds["series"] == "region", "doubt"].iloc[0])
    assert beds["required_annual_change"].isna().all()  # no "x %/yr needed" from a doubted value
    assert not w.loc[w["indicator_id"] == "physicians_per_1000", "doubt"].any()
    fig = figures.workforce_figure(a)
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels()]
    plt.close(fig)
    assert sum("(in doubt)" in t for t in ticks) == 1
