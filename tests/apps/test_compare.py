"""The cross-region view: latest values against the nation, target ambition, dot and ambition charts."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import planlib  # noqa: E402
from planlib.analysis import cross_region  # noqa: E402
from planlib.apps import compare  # noqa: E402
from planlib.report import style  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def latest() -> pd.DataFrame:
    return cross_region.latest_by_region()


@pytest.fixture(scope="module")
def ambition() -> pd.DataFrame:
    return cross_region.target_ambition()


def _one(df: pd.DataFrame, region: str, indicator: str) -> pd.Series:
    rows = df[(df["region_id"] == region) & (df["indicator_id"] == indicator)]
    assert len(rows) == 1, (region, indicator, len(rows))
    return rows.iloc[0]


def _source_text(fig) -> str:
    hits = [t for t in fig.texts if t.get_gid() == style.GID_SOURCE]
    assert len(hits) == 1
    return hits[0].get_text()


# --- latest_by_region -----------------------------------------------------------------------

def test_latest_by_region_is_tidy(latest):
    assert list(latest.columns) == cross_region.LATEST_COLUMNS
    assert not latest.duplicated(["region_id", "indicator_id"]).any()
    assert set(latest["region_id"]) == set(planlib.plan_regions())
    assert set(latest["indicator_id"]) <= set(planlib.CORE_INDICATORS)
    # a region without a value for an indicator has no row (Weihai reports no bed ratio)
    assert latest[(latest["region_id"] == "weihai") & (latest["indicator_id"] == "beds_per_1000")].empty
    assert latest["comparison"].isin(["better", "similar", "worse", "data in doubt", "cannot be told apart"]).all()
    # a county's maternal mortality ratio rests on a handful of deaths: never better or worse without counts
    assert _one(latest, "anju", "maternal_mortality")["comparison"] == "cannot be told apart"
    # values the checks doubt are compared with nothing (Xiangqiao's under-5 rate below its infant rate)
    assert _one(latest, "xiangqiao", "under5_mortality")["comparison"] == "data in doubt"


def test_weihai_infant_mortality_is_better_than_national(latest):
    r = _one(latest, "weihai", "infant_mortality")
    assert (r["year"], r["value_std"], r["national_year"], r["national_value"]) == (2022, 2.02, 2022, 4.9)
    assert r["comparison"] == "better"
    assert r["province_name"] == "Shandong" and r["province_value"] == pytest.approx(3.71)
    # the "2.02%" spelling elsewhere in the review is a finding on the same value
    assert "unit_mismatch" in r["quality_checks"]


def test_comparison_matches_compare_benchmarks(latest):
    for region in ("yangchun", "anju", "weihai"):
        cb = planlib.compare_benchmarks(region)
        nat = cb[cb["benchmark_level"] == "national"].set_index("indicator_id")["comparison"]
        mine = latest[latest["region_id"] == region].set_index("indicator_id")["comparison"]
        assert mine.to_dict() == nat.to_dict()


def test_xiangqiao_under5_carries_the_impossible_relation(latest):
    r = _one(latest, "xiangqiao", "under5_mortality")
    assert r["value_std"] == pytest.approx(0.14) and r["year"] == 2020
    assert r["quality_severity"] == "error"
    assert r["quality_checks"].split("; ")[0] == "impossible_relation"
    assert "impossible_relation [error]" in r["quality_findings"]
    assert r["n_findings"] == len(planlib.check_quality(region_id="xiangqiao").query(
        "indicator_id == 'under5_mortality' and year == 2020"))


def test_findings_of_other_years_are_not_attached(latest):
    # Yangchun's life-expectancy finding concerns its 2025 targets, not the 2020 value
    q = planlib.check_quality(region_id="yangchun")
    assert ((q["indicator_id"] == "life_expectancy") & (q["year"] == 2025)).any()
    r = _one(latest, "yangchun", "life_expectancy")
    assert r["n_findings"] == 0 and pd.isna(r["quality_checks"])
    # Xiangqiao's weak 2025 infant target is not a finding on the 2020 value
    assert "weak_target" not in _one(latest, "xiangqiao", "infant_mortality")["quality_checks"]


def test_nearest_national_year_is_stated(latest):
    r = _one(latest, "weihai", "life_expectancy")  # no national 2022 life expectancy in the data
    assert r["year"] == 2022 and r["national_year"] == 2021
    assert "2021" in r["year_note"]


# --- target_ambition ------------------------------------------------------------------------

def test_guangan_copies_the_national_mortality_targets(ambition):
    for ind in ("maternal_mortality", "infant_mortality", "under5_mortality"):
        r = _one(ambition, "guangan", ind)
        assert r["copies_national"], ind
        assert r["target_value"] == r["national_target_value"]
        assert r["already_met"], ind  # 14.32, 2.12 and 3.56 in 2020
    assert {(r["indicator_id"], r["target_value"]) for _, r in ambition[ambition["copies_national"]].iterrows()} == {
        ("maternal_mortality", 14.5), ("infant_mortality", 5.2), ("under5_mortality", 6.6)}
    assert set(ambition.loc[ambition["copies_national"], "region_id"]) == {"guangan"}


def test_yangchun_maternal_target_is_its_own(ambition):
    r = _one(ambition, "yangchun", "maternal_mortality")
    assert (r["comparator"], r["target_value"]) == ("<", 8.0)
    assert not r["copies_national"]
    assert r["already_met"]  # 0/10万 in 2020
    assert pd.isna(r["required_annual_change"])  # no compound rate from zero
    assert "undefined" in r["note"]


def test_yangchun_life_expectancy_needs_024_years_a_year(ambition):
    r = _one(ambition, "yangchun", "life_expectancy")
    assert (r["baseline_year"], r["baseline_value"], r["target_text"]) == (2020, 77.8, ">79")
    assert r["change_measure"] == "absolute per year"
    assert r["required_annual_change"] == pytest.approx(0.24)
    assert not r["already_met"]
    # the national 78.3 from the same baseline, and 提高1岁左右 (+1 year) applied to it
    assert r["national_target_value"] == pytest.approx(78.3)
    assert r["national_required_annual_change"] == pytest.approx(0.1)
    assert r["national_relative_required_annual_change"] == pytest.approx(0.2)
    assert "78.93" in r["national_target_levels"] and "提高1岁左右" in r["national_other_targets"]


def test_rates_use_compound_change_as_assess_progress_does(ambition):
    r = _one(ambition, "yangchun", "physicians_per_1000")
    expected = (2.75 / 2.04) ** (1 / 5) - 1
    assert r["required_annual_change"] == pytest.approx(expected)
    p = planlib.assess_progress("yangchun").set_index("indicator_id")
    assert r["required_annual_change"] == pytest.approx(p.loc["physicians_per_1000", "required_annual_change"])
    assert r["national_required_annual_change"] == pytest.approx((3.2 / 2.04) ** (1 / 5) - 1)


def test_ambition_covers_own_targets_only(ambition):
    assert list(ambition.columns) == cross_region.AMBITION_COLUMNS
    assert "weihai" not in set(ambition["region_id"])  # the mid-term review sets no 2025 targets
    # Guang'an's nurses target is the national fallback in assess_progress, not its own
    assert ambition[(ambition["region_id"] == "guangan") & (ambition["indicator_id"] == "nurses_per_1000")].empty
    r = _one(ambition, "guangan", "gps_per_10000")  # a target without a reported baseline
    assert pd.isna(r["baseline_value"]) and r["note"] == "no baseline reported"
    assert pd.isna(_one(ambition, "yangchun", "beds_per_1000")["national_target_value"])


def test_already_met_agrees_with_the_weak_target_check(ambition):
    weak = planlib.check_quality().query("check == 'weak_target'")
    weak = set(zip(weak["region_id"], weak["indicator_id"]))
    for _, r in ambition[ambition["already_met"].fillna(False)].iterrows():
        assert (r["region_id"], r["indicator_id"]) in weak


def test_copied_targets_answer_is_computed(ambition):
    text = compare.copied_targets_markdown(ambition)
    first, rest = text.split("\n", 1)
    assert "Guang'an District" in first and "copied 3 national targets" in first
    assert "already met" in first
    assert "Yangchun" in rest and "Yangchun" not in first
    assert list(cross_region.copied_targets(ambition)["region_name"].unique()) == ["Guang'an District"]
    none = compare.copied_targets_markdown(ambition.assign(copies_national=False))
    assert none.startswith("No plan")


# --- charts ---------------------------------------------------------------------------------

def test_dot_chart_draws_on_given_axes(latest):
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH_IN, 3), layout="constrained")
    out = compare.dot_chart(latest, "under5_mortality", ax=ax)
    assert out is ax
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[:4] == ["Yangchun", "Guang'an District", "Anju District", "Xiangqiao District"]
    assert rows[4] == "Weihai (2022)"  # the year is stated where it is not the panel's usual year
    flagged = [ln for ln in ax.get_lines() if ln.get_gid() == "dot-region-flagged"]
    assert sorted(float(ln.get_xdata()[0]) for ln in flagged) == [0.14, 3.03]
    assert all(ln.get_markerfacecolor() == "white" for ln in flagged)
    national = {float(ln.get_ydata().mean()): float(ln.get_xdata()[0]) for ln in ax.get_lines()
                if ln.get_gid() == "dot-national"}
    assert national[4.0] == 6.8 and national[0.0] == 7.5  # Weihai 2022, the others 2020
    texts = {t.get_text() for t in ax.texts}
    assert "0.14†" in texts and "4.77" in texts
    note = next(t for t in ax.texts if t.get_gid() == "dot-note").get_text()
    assert "impossible_relation [error]" in note.replace("\n", " ")
    assert ax.get_legend() is not None


def test_dot_chart_colours_by_comparison(latest):
    ax = compare.dot_chart(latest, "physicians_per_1000", legend=False, note=False)
    colors = {float(ln.get_xdata()[0]): ln.get_markeredgecolor() for ln in ax.get_lines()
              if ln.get_gid() in ("dot-region", "dot-region-flagged")}
    to_hex = matplotlib.colors.to_hex
    assert to_hex(colors[3.57]) == to_hex(compare.COMPARISON_COLORS["better"])  # Weihai 2022 vs 3.15
    assert to_hex(colors[2.04]) == to_hex(compare.COMPARISON_COLORS["worse"])  # Yangchun 2020 vs 2.90
    assert len(set(compare.COMPARISON_COLORS.values())) == len(compare.COMPARISON_COLORS)


def test_dot_chart_says_not_reported(latest):
    ax = compare.dot_chart(latest, "gps_per_10000", legend=False, regions=planlib.plan_regions())
    assert sum(t.get_text() == "not reported" for t in ax.texts) == 3  # Guang'an, Anju, Weihai


@pytest.fixture
def core_fig():
    fig = compare.core_dot_charts()
    fig.draw_without_rendering()
    return fig


def test_core_figure_has_title_legend_and_a_source_line_on_significance(core_fig):
    assert core_fig.get_figwidth() == pytest.approx(style.FIG_WIDTH_IN)
    assert "national value" in core_fig.get_suptitle()
    src = _source_text(core_fig)
    assert "not tested for significance" in src.replace("\n", " ")
    assert "Source: " in src and "planlib" in src
    assert "impossible_relation [error]" in src.replace("\n", " ")  # the footnote on hollow rings
    panels = [ax for ax in core_fig.axes if ax.get_title(loc="left")]
    assert len(panels) == len(planlib.CORE_INDICATORS)
    assert panels[0].get_title(loc="left").startswith("Life expectancy")


def test_core_figure_is_readable(core_fig):
    r = core_fig.canvas.get_renderer()
    small = [(t.get_text(), t.get_fontsize()) for t in core_fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and t.get_fontsize() < style.MIN_FONT_PT]
    assert small == []
    fig_box = core_fig.bbox
    source_box = next(t for t in core_fig.texts if t.get_gid() == style.GID_SOURCE).get_window_extent(r)
    title_box = core_fig._suptitle.get_window_extent(r)
    assert title_box.x1 <= fig_box.x1 + 1 and source_box.x1 <= fig_box.x1 + 1
    for ax in core_fig.axes:
        box = ax.get_tightbbox(r)
        assert box.y0 >= source_box.y1 - 1 and box.y1 <= title_box.y0 + 1
        assert box.x0 >= -1 and box.x1 <= fig_box.x1 + 1, ax.get_title(loc="left")
        # value labels stay inside their panel and do not overlap each other
        labels = [t.get_window_extent(r) for t in ax.texts if t.get_text() != "not reported"]
        inner = ax.bbox
        for b in labels:
            assert inner.x0 - 1 <= b.x0 and b.x1 <= inner.x1 + 1, ax.get_title(loc="left")
        for i, a in enumerate(labels):
            assert not any(a.overlaps(b) for b in labels[i + 1:]), ax.get_title(loc="left")


def test_ambition_chart_accepts_ax_and_returns_it(ambition):
    fig, ax = plt.subplots(layout="constrained")
    le = ambition[ambition["indicator_id"] == "life_expectancy"]
    out = compare.ambition_chart(le, ax=ax)
    assert out is ax
    own = {float(ln.get_ydata()[0]): float(ln.get_xdata()[0]) for ln in ax.get_lines()
           if ln.get_gid() == "ambition-region"}
    assert own[0.0] == pytest.approx(0.24)  # Yangchun, first row, years per year
    assert "years" in ax.get_title(loc="left")
    with pytest.raises(ValueError, match="one Axes draws one indicator"):
        compare.ambition_chart(ambition, ax=ax)


def test_ambition_chart_writes_copies_and_met_targets(ambition):
    fig, axes = plt.subplots(1, 2)
    out = compare.ambition_chart(ambition, ax=axes, indicators=["maternal_mortality", "infant_mortality"])
    assert list(out) == list(axes)
    texts = [t.get_text() for t in axes[0].texts]
    assert "copies national, met at baseline" in texts  # Guang'an: 低于14.5 = national 14.5
    assert not [ln for ln in axes[0].get_lines() if ln.get_gid() == "ambition-region"
                and float(ln.get_ydata()[0]) == 1.0]  # nothing plotted for a met target
    assert "%" in axes[0].get_title(loc="left")


def test_ambition_figure_has_title_and_source_line(ambition):
    fig = compare.ambition_figure(data=ambition)
    assert "2025 targets" in fig.get_suptitle()
    src = _source_text(fig).replace("\n", " ")
    assert "Source: " in src and "Weihai" in src  # says who sets no targets of its own
    assert "national: national plans" in src and "_plan" not in src  # cited by kind, not by id
    assert len(fig.legends) == 1
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == len(set(ambition["indicator_id"]))
    assert np.all([ax.figure is fig for ax in axes])
    fig.draw_without_rendering()
    r = fig.canvas.get_renderer()
    texts = [*fig.texts, fig._suptitle, *[t for leg in fig.legends for t in leg.get_texts()],
             *[t for ax in axes for t in (*ax.texts, ax.title, ax._left_title)]]
    for t in texts:
        if t.get_visible() and t.get_text().strip():
            assert t.get_fontsize() >= style.MIN_FONT_PT, t.get_text()
            box = t.get_window_extent(r)
            assert box.x0 >= -1 and box.x1 <= fig.bbox.x1 + 1, t.get_text()
    for ax in axes:  # row notes stay inside their panel
        for t in ax.texts:
            box = t.get_window_extent(r)
            assert ax.bbox.x0 - 1 <= box.x0 and box.x1 <= ax.bbox.x1 + 1, t.get_text()


def test_caveat_is_stated():
    assert "not tested for significance" in compare.SIGNIFICANCE_CAVEAT
    assert "not tested for significance" in compare.SIGNIFICANCE_CAVEAT_SHORT
    assert "±5%" in compare.SIGNIFICANCE_CAVEAT and "0.5 years" in compare.SIGNIFICANCE_CAVEAT


def test_compare_notebook_shows_whole_figures_and_full_messages():
    """Jupyter's inline display crops a figure to its axes (title, legend, notes and source line
    go); the notebook renders whole figures, and shows data-quality findings uncut."""
    import nbformat

    from planlib.apps.teaching import show_figure

    from pathlib import Path

    nb = nbformat.read(str(Path(__file__).resolve().parents[2] / "notebooks" / "compare_regions.ipynb"), as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "display(fig)" not in code and code.count("show_figure(fig)") == 2
    assert 'pd.set_option("display.max_colwidth", None)' in code
    import io

    import matplotlib.pyplot as plt
    from PIL import Image as PILImage

    fig = plt.figure(figsize=(6, 4))
    fig.suptitle("title")
    fig.text(0.01, 0.005, "source line")
    img = show_figure(fig, dpi=50)
    w, h = PILImage.open(io.BytesIO(img.data)).size
    assert (w, h) == (300, 200), "the image is the whole figure, not cropped to its content"


# --- slides ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_slide_figures_one_message_large_type_nothing_off_the_canvas(latest, lang):
    figs = compare.slide_figures(data=latest, lang=lang)
    reported = [i for i in planlib.CORE_INDICATORS if (latest["indicator_id"] == i).any()]
    assert len(figs) == len(reported) == 8
    names = planlib.load_tables().indicator_words(tuple(reported), lang)
    for ind, fig in zip(reported, figs):
        w, h = fig.get_size_inches() * fig.dpi
        assert (round(w), round(h)) == (1280, 720), "a 16:9 slide at 1280 × 720"
        title = fig.get_suptitle()
        assert title.startswith(names[ind][0]) and "\n" not in title, title  # one line, the indicator first
        assert compare.slide_message(latest, ind, planlib.plan_regions(), lang) in title
        src = _source_text(fig)
        assert ("Source: " if lang == "en" else "资料来源：") in src and src.rstrip().endswith("planlib")
        texts = style.drawn_texts(fig)
        small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < compare.SLIDE_MIN_PT]
        assert not small, small
        assert style.texts_off_canvas(fig) == [], ind
        renderer = fig.canvas.get_renderer()
        values = [t for t in fig.axes[0].texts if t.get_text()[:1].isdigit()]
        boxes = [t.get_window_extent(renderer) for t in values]
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_slide_messages_follow_the_comparisons(latest):
    regions = planlib.plan_regions()
    # every maternal mortality ratio rests on a handful of deaths: no region is better or worse
    assert compare.slide_message(latest, "maternal_mortality", regions) == \
        "too few deaths to tell any region from national"
    infant = latest[latest["indicator_id"] == "infant_mortality"]["comparison"].value_counts()
    msg = compare.slide_message(latest, "infant_mortality", regions)
    assert msg.startswith(f"{infant['better']} better than national")
    assert f"{infant['data in doubt']} in doubt" in msg and "worse" not in msg
    # Weihai reports no bed ratio: the slide says so rather than leaving it out
    assert compare.slide_message(latest, "beds_per_1000", regions).endswith("1 not reported")
    assert compare.slide_message(latest, "beds_per_1000", regions, "zh").endswith("1个未报告")
