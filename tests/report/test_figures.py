"""Charts: tidy data, plot functions, house style, source lines, reproducible atomic saving."""
from __future__ import annotations

import dataclasses
import io
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402

import planlib  # noqa: E402
from planlib import analyse_region  # noqa: E402
from planlib.report import figures, style, words  # noqa: E402

REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]
NAMES = {"yangchun": "Yangchun", "guangan": "Guang'an District", "anju": "Anju District",
         "xiangqiao": "Xiangqiao District", "weihai": "Weihai"}
FIGURE_NAMES = ("life_expectancy", "mortality", "workforce", "outlook")
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _row(df: pd.DataFrame, **kw) -> pd.DataFrame:
    m = pd.Series(True, index=df.index)
    for k, v in kw.items():
        m &= df[k] == v
    return df[m]


def _texts(fig: Figure) -> list[Text]:
    fig.draw_without_rendering()  # creates the tick labels
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _source_text(fig: Figure) -> str:
    hits = [t for t in fig.texts if t.get_gid() == style.GID_SOURCE]
    assert len(hits) == 1
    return hits[0].get_text()


# --- tidy data ------------------------------------------------------------------------------

def test_life_expectancy_data_yangchun_numbers():
    d = figures.life_expectancy_data(analyse_region("yangchun"))
    assert list(d.columns) == figures.DATA_COLUMNS
    assert set(d["series"]) <= set(style.SERIES)
    region = _row(d, series="region")
    assert region.set_index("year")["value"].to_dict() == {2015: 77.2, 2020: 77.8}
    assert "yangchun_14th_plan L40" in _row(region, year=2020)["ref"].iloc[0]
    target = _row(d, series="target")
    assert len(target) == 1
    t = target.iloc[0]
    assert (t["year"], t["value"], t["comparator"], t["text"]) == (2025, 79.0, ">", ">79")
    assert t["label"] == "2025 target (own plan)"
    assert t["ref"] == "yangchun_14th_plan L238"
    assert t["required_annual_change"] == pytest.approx(0.24)
    national = _row(d, series="national").set_index("year")["value"]
    assert national[2020] == pytest.approx(77.93)
    assert national.index.min() == 2015 and 2025 in national.index
    # the required path runs from the latest actual to the target
    path = _row(d, series="required path").sort_values("year")
    assert list(zip(path["year"], path["value"])) == [(2020, 77.8), (2025, 79.0)]
    # Guangdong's two official 2020 figures are both kept, the second flagged as a conflict
    prov = _row(d, series="province", year=2020)
    assert sorted(prov["value"]) == [78.4, 79.31]
    assert prov["conflict"].sum() == 1


def test_provincial_fallback_target_is_labelled_with_its_basis():
    d = figures.life_expectancy_data(analyse_region("weihai"))
    t = _row(d, series="target").iloc[0]
    assert (t["value"], t["comparator"], t["text"]) == (80.0, "~", "≈80")
    assert t["label"] == "2025 target (Shandong provincial)"
    assert t["basis"] == "provincial target"
    # already met (81.58 in 2022): no required path is drawn
    assert _row(d, series="required path").empty
    assert set(_row(d, series="province")["year"]) == {2015, 2020}


def test_anju_target_keeps_its_comparator():
    t = _row(figures.life_expectancy_data(analyse_region("anju")), series="target").iloc[0]
    assert (t["value"], t["text"]) == (82.0, "≥82")


def test_mortality_data_latest_actual_national_same_year_and_target():
    d = figures.mortality_data(analyse_region("yangchun"))
    imr = _row(d, indicator_id="infant_mortality").set_index("series")
    assert imr.loc["region", "value"] == 3.11 and imr.loc["region", "year"] == 2020
    assert imr.loc["national", "value"] == 5.4 and imr.loc["national", "year"] == 2020
    assert imr.loc["target", "text"] == "<3"
    mmr = _row(d, indicator_id="maternal_mortality").set_index("series")
    assert mmr.loc["region", "value"] == 0.0  # a real zero, not missing
    assert mmr.loc["target", "comparator"] == "<"


def test_unit_mismatch_rows_are_not_used():
    # Weihai line 25 writes 2.02 with "%" (unit_ok False); only line 89 (‰) may be used.
    d = figures.mortality_data(analyse_region("weihai"))
    imr = _row(d, indicator_id="infant_mortality", series="region").iloc[0]
    assert imr["value"] == 2.02 and imr["ref"] == "weihai_14th_midterm L89"
    assert "L25" not in " ".join(d["ref"])


def test_workforce_data_required_growth_and_fallbacks():
    d = figures.workforce_data(analyse_region("yangchun"))
    phys = _row(d, indicator_id="physicians_per_1000", series="target").iloc[0]
    assert phys["value"] == 2.75
    assert phys["required_annual_change"] == pytest.approx(0.06155, abs=1e-4)
    g = figures.workforce_data(analyse_region("guangan"))
    nurses = _row(g, indicator_id="nurses_per_1000", series="target").iloc[0]
    assert nurses["basis"] == "national target" and nurses["label"] == "2025 target (national)"
    # no regional GP value: no region row, national is the latest before the target year
    gps = _row(g, indicator_id="gps_per_10000")
    assert "region" not in set(gps["series"])
    assert _row(gps, series="national")["year"].iloc[0] == 2024


def test_unknown_region_and_language():
    with pytest.raises(KeyError):
        figures.life_expectancy_data(analyse_region("atlantis"))
    with pytest.raises(ValueError, match="unknown language"):
        figures.mortality_data(analyse_region("yangchun"), lang="fr")
    with pytest.raises(ValueError, match="unknown language"):
        figures.life_expectancy_chart(figures.life_expectancy_data(analyse_region("yangchun")), lang="xx")


# --- house style ----------------------------------------------------------------------------

def test_set_style_is_idempotent_and_readable():
    style.set_style()
    first = dict(matplotlib.rcParams)
    style.set_style()
    assert dict(matplotlib.rcParams) == first
    rc = matplotlib.rcParams
    assert not rc["axes.spines.top"] and not rc["axes.spines.right"]
    assert rc["axes.grid"]
    for key in ("font.size", "axes.labelsize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize",
                "axes.titlesize"):
        assert float(rc[key]) >= style.MIN_FONT_PT, key
    assert set(style.COLORS) == {"region", "national", "province", "target", "required path", "projected path"}
    assert len(set(style.COLORS.values())) == 5


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_figures_are_a4_width_and_all_text_at_least_8pt(name):
    fig = figures.FIGURES[name](analyse_region("yangchun"))
    assert fig.get_figwidth() == pytest.approx(style.FIG_WIDTH_IN)
    small = [(t.get_text(), t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < style.MIN_FONT_PT]
    assert small == []


# --- plot functions -------------------------------------------------------------------------

def test_life_expectancy_chart_draws_on_given_axes():
    d = figures.life_expectancy_data(analyse_region("yangchun"))
    fig, ax = plt.subplots()
    out = figures.life_expectancy_chart(d, ax=ax)
    assert out is ax
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    assert list(lines["le-region"].get_ydata()) == [77.2, 77.8]
    assert list(lines["le-target"].get_xdata()) == [2025]
    assert lines["le-required path"].get_linestyle() == "--"
    assert 2025 in list(lines["le-national"].get_xdata())
    texts = {t.get_text() for t in ax.texts}
    assert ">79" in texts and "77.8" in texts
    assert any("years/yr needed" in t for t in texts)
    assert ax.get_legend() is not None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_limit_line_passes_behind_the_value_labels_it_crosses(lang):
    """Weihai's maternal mortality (7.77) sits just under its limit (8.2): the dashed limit line
    crosses the number's label, which must stay readable (drawn over the line on a white ground)."""
    fig = figures.mortality_figure(analyse_region("weihai"), lang)
    fig.draw_without_rendering()
    r = fig.canvas.get_renderer()
    crossed = 0
    for ax in fig.axes:
        limits = [ln for ln in ax.get_lines() if ln.get_gid() == "limit"]
        for line in limits:
            y = ax.transData.transform((0, line.get_ydata()[0]))[1]
            for text in ax.texts:
                box = text.get_window_extent(r)
                if box.y0 < y < box.y1 and text.get_text()[:1].isdigit():
                    crossed += 1
                    patch = text.get_bbox_patch()
                    assert patch is not None and patch.get_facecolor()[:3] == (1.0, 1.0, 1.0), text.get_text()
                    assert text.get_zorder() > line.get_zorder(), text.get_text()
    assert crossed >= 1  # 7.77 under 8.2


def test_mortality_chart_small_multiples_on_given_axes():
    d = figures.mortality_data(analyse_region("yangchun"))
    fig, axes = plt.subplots(1, 3)
    out = figures.mortality_chart(d, axes=axes)
    assert list(out) == list(axes)
    heights = [round(p.get_height(), 2) for p in axes[0].patches]
    assert heights == [0.0, 16.9]  # Yangchun 2020, national 2020: bars to compare
    # the target is a ceiling: drawn as a limit line across the panel, not a bar to climb
    limit = [ln for ln in axes[0].lines if ln.get_gid() == "limit"]
    assert len(limit) == 1 and list(limit[0].get_ydata()) == [8.0, 8.0]
    assert "100,000" in axes[0].get_title(loc="left") and "1,000" in axes[1].get_title(loc="left")
    assert "limit <8" in {t.get_text() for t in axes[0].texts}
    assert axes[0].get_title(loc="left").endswith("\ntarget met") and axes[2].get_title(loc="left").endswith(
        "\nno trend to judge")
    ticks = [t.get_text() for t in axes[1].get_xticklabels()]
    assert len(ticks) == 2 and ticks[0].endswith("2020") and ticks[1].endswith("2020")


def test_workforce_targets_are_bars_and_the_le_chart_shows_the_projected_path():
    d = figures.workforce_data(analyse_region("xiangqiao"))
    fig, axes = plt.subplots(2, 2)
    figures.workforce_chart(d, axes=axes)
    assert [round(p.get_height(), 2) for p in axes.ravel()[0].patches][-1] == 2.17  # a level to reach: a bar
    assert axes.ravel()[0].get_title(loc="left").endswith("\noff track")
    le = figures.life_expectancy_data(analyse_region("yangchun"))
    proj = le[le["series"] == "projected path"]
    assert list(proj["year"]) == [2020, 2025] and list(proj["value"].round(2)) == [77.8, 78.4]
    ax = figures.life_expectancy_chart(le)
    lines = {ln.get_gid(): ln for ln in ax.lines}
    # told apart from the required path without colour: dotted with a hollow end marker
    assert lines["le-projected path"].get_marker() == "o" and lines["le-required path"].get_marker() in ("None", None, "")
    assert lines["le-projected path"].get_markerfacecolor() == "white"
    fig = figures.life_expectancy_figure(analyse_region("yangchun"))
    assert "life expectancy at birth — off track" in " ".join(t.get_text() for t in fig.texts)


def test_workforce_chart_writes_required_growth():
    d = figures.workforce_data(analyse_region("yangchun"))
    fig, axes = plt.subplots(2, 2)
    out = figures.workforce_chart(d, axes=axes)
    assert len(out) == 4 and out[0] is axes[0, 0]
    assert "+6.2 %/yr needed" in {t.get_text() for t in axes[0, 0].texts}
    assert "per 10,000" in axes[1, 1].get_title(loc="left")


def test_workforce_chart_creates_its_own_figure():
    out = figures.workforce_chart(figures.workforce_data(analyse_region("anju")))
    assert len(out) == 4 and out[0].figure is out[3].figure


def test_missing_data_says_not_reported():
    # Weihai reports no beds ratio and has no beds target; no GP value either.
    fig, axes = plt.subplots(2, 2)
    figures.workforce_chart(figures.workforce_data(analyse_region("weihai")), axes=axes)
    beds, gps = axes[1, 0], axes[1, 1]
    assert "not reported" in {t.get_text() for t in beds.texts}
    assert not beds.patches
    assert any("not" in t.get_text() and "reported" in t.get_text() for t in gps.texts)
    # entirely empty data frames draw "not reported" panels instead of failing
    empty = pd.DataFrame(columns=figures.DATA_COLUMNS)
    fig, ax = plt.subplots()
    assert figures.life_expectancy_chart(empty, ax=ax) is ax
    assert [t.get_text() for t in ax.texts] == ["not reported"]
    fig, axes = plt.subplots(1, 3)
    figures.mortality_chart(empty, axes=axes)
    assert all("not reported" in {t.get_text() for t in a.texts} for a in axes)


def test_region_without_any_observation_still_builds(tmp_path, data_copy):
    obs = pd.read_csv(data_copy / "observations.csv", dtype=str, keep_default_na=False)
    obs[obs["region_id"] != "yangchun"].to_csv(data_copy / "observations.csv", index=False)
    out = figures.region_figures(analyse_region("yangchun", data_copy), tmp_path / "figs")
    assert all(p.is_file() for paths in out.values() for p in paths)
    le = figures.life_expectancy_data(analyse_region("yangchun", data_copy))
    assert _row(le, series="region").empty
    # falls back to Guangdong's provincial target
    assert _row(le, series="target")["label"].iloc[0] == "2025 target (Guangdong provincial)"


# --- titles and source lines ----------------------------------------------------------------

@pytest.mark.parametrize("region", REGIONS)
def test_titles_name_the_region_and_source_line_is_clear_of_the_axes(region):
    for name, build in figures.FIGURES.items():
        fig = build(analyse_region(region))
        assert NAMES[region] in fig.get_suptitle()
        src = _source_text(fig)
        assert src.startswith("Source: ") and "planlib" in src
        fig.draw_without_rendering()
        r = fig.canvas.get_renderer()
        source_box = next(t for t in fig.texts if t.get_gid() == style.GID_SOURCE).get_window_extent(r)
        title_box = fig._suptitle.get_window_extent(r)
        fig_box = fig.bbox
        assert source_box.x0 >= 0 and source_box.x1 <= fig_box.x1 and source_box.y0 >= 0, (name, "source")
        assert title_box.y1 <= fig_box.y1 and title_box.x1 <= fig_box.x1, (name, "title")
        legends = [leg.get_window_extent(r) for leg in fig.legends]
        for leg in legends:
            assert leg.x0 >= 0 and leg.x1 <= fig_box.x1, (name, "legend inside figure")
            assert leg.y1 <= title_box.y0 + 1, (name, "legend under title")
        for ax in fig.axes:
            box = ax.get_tightbbox(r)
            assert box.y0 >= source_box.y1 - 1, (name, "axes overlap the source line")
            assert box.y1 <= title_box.y0 + 1, (name, "axes overlap the title")
            for leg in legends:
                assert box.y1 <= leg.y0 + 1, (name, "axes overlap the legend")
        plt.close(fig)


def test_source_line_lists_plotted_sources_without_cjk_when_font_lacks_it():
    d = figures.life_expectancy_data(analyse_region("yangchun"))
    text = style.source_line_text(d, cjk=False)  # English: the plan by its English title, whatever the font
    assert text.startswith("Source: Yangchun City 14th Five-Year Plan for Health Development (2024-01-30), "
                           "lines 40, 64, 238;")
    assert text == style.source_line_text(d, cjk=True)
    assert "national: NHC statistical bulletins" in text
    assert "Guangdong: press reports;" in text
    assert not re.search(r"[a-z]+_[a-z0-9_]+", text)  # no source ids under a chart
    assert not CJK.search(text)
    # a plan with no English title: its Chinese title where the font can draw it, else described
    t = planlib.load_tables()
    untitled = dataclasses.replace(t, sources=t.sources.assign(title_en=pd.NA))
    assert style.source_line_text(d, tables=untitled, cjk=False).startswith(
        "Source: Yangchun 14th-plan health plan, lines 40, 64, 238;")
    assert style.source_line_text(d, tables=untitled, cjk=True).startswith(
        "Source: 阳春市卫生健康事业发展“十四五”规划 (2024-01-30), lines 40, 64, 238;")
    zh = style.source_line_text(figures.life_expectancy_data(analyse_region("yangchun"), lang="zh"), lang="zh", cjk=True)
    assert zh.startswith("资料来源：阳春市卫生健康事业发展“十四五”规划（2024-01-30），第40、64、238行")
    # the mortality chart cites its own lines, not the life-expectancy ones
    m = style.source_line_text(figures.mortality_data(analyse_region("yangchun")), cjk=False)
    assert "244" in m and "238" not in m
    w = style.source_line_text(figures.mortality_data(analyse_region("weihai")), tables=untitled, cjk=False)
    assert "Weihai 14th-plan health-plan mid-term review, line 89" in w
    assert "Shandong: press reports;" in w
    zh_page = style.source_line_text(figures.mortality_data(analyse_region("weihai"), lang="zh"), lang="zh", cjk=True)
    assert "山东省：新闻报道；" in zh_page and "_" not in zh_page


def test_source_line_matches_font_capability():
    """A Chinese chart names its plan in Chinese where the font can draw it; an English chart
    names it in English."""
    zh = _source_text(figures.life_expectancy_figure(analyse_region("yangchun"), "zh")).replace("\n", "")
    assert ("阳春市卫生健康事业发展“十四五”规划" in zh) == style.default_font_has_cjk()
    en = figures.life_expectancy_figure(analyse_region("yangchun"))
    assert "Yangchun City 14th Five-Year Plan for Health Development" in _source_text(en).replace("\n", " ")
    assert not CJK.search(_source_text(en))


def test_add_source_line_on_a_plain_figure():
    fig, ax = plt.subplots(figsize=(6.3, 3))
    ax.plot([0, 1], [0, 1])
    t = style.add_source_line(fig, "Source: test " + "word " * 60)
    assert t.get_gid() == style.GID_SOURCE and "\n" in t.get_text()  # wrapped to the figure width
    fig.draw_without_rendering()
    r = fig.canvas.get_renderer()
    assert t.get_window_extent(r).x1 <= fig.bbox.x1
    assert ax.get_tightbbox(r).y0 >= t.get_window_extent(r).y1 - 1


# --- saving ---------------------------------------------------------------------------------

def test_region_figures_for_all_regions_without_warnings(tmp_path):
    before = set(plt.get_fignums())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # includes "Glyph ... missing from font"
        results = {r: figures.region_figures(analyse_region(r), tmp_path / r, svg=True) for r in REGIONS}
    assert set(plt.get_fignums()) == before  # every figure was closed
    for region, out in results.items():
        assert set(out) == set(FIGURE_NAMES)
        for name, paths in out.items():
            assert [p.name for p in paths] == [f"{name}.png", f"{name}.svg"]
            png, svg = paths
            assert png.parent == tmp_path / region
            with Image.open(png) as im:
                dpi = im.info.get("dpi")
                assert dpi is not None and min(dpi) >= 199.5
                assert im.size[0] >= style.FIG_WIDTH_IN * 200
            text = svg.read_text(encoding="utf-8")
            assert text.lstrip().startswith("<?xml") and text.rstrip().endswith("</svg>")
            assert 'id="source-line"' in text and 'id="planlib-title"' in text
        assert sorted(p.name for p in (tmp_path / region).iterdir()) == sorted(
            f"{n}.{e}" for n in FIGURE_NAMES for e in ("png", "svg"))  # no temporary files left


def test_saved_files_get_normal_permissions(tmp_path):
    import os
    mask = os.umask(0)
    os.umask(mask)
    for p in style.save_figure(figures.mortality_figure(analyse_region("guangan")), tmp_path, "m"):
        assert p.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's private 0600


def test_png_metadata_has_no_timestamp(tmp_path):
    png, _ = style.save_figure(figures.mortality_figure(analyse_region("anju")), tmp_path, "m")
    with Image.open(png) as im:
        keys = {k.lower() for k in im.info}
    assert not any("time" in k or "date" in k or "creation" in k for k in keys)


def test_saving_twice_gives_identical_files(tmp_path):
    a = style.save_figure(figures.life_expectancy_figure(analyse_region("yangchun")), tmp_path / "a", "le")
    b = style.save_figure(figures.life_expectancy_figure(analyse_region("yangchun")), tmp_path / "b", "le")
    assert a[1].read_bytes() == b[1].read_bytes()  # SVG
    assert a[0].read_bytes() == b[0].read_bytes()  # PNG
    svg = a[1].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    # and again into the same folder (replacing the files)
    c = style.save_figure(figures.life_expectancy_figure(analyse_region("yangchun")), tmp_path / "a", "le")
    assert c[1].read_bytes() == b[1].read_bytes()


def test_saving_draws_each_file_once_at_the_layout_savefig_would_give(tmp_path, monkeypatch):
    reference = io.BytesIO()
    figures.workforce_figure(analyse_region("weihai")).savefig(reference, format="png", dpi=style.PNG_DPI)
    draws = []
    real_draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: (draws.append(1), real_draw(self, r))[1])
    png, _ = style.save_figure(figures.workforce_figure(analyse_region("weihai")), tmp_path, "w")
    assert len(draws) == 2  # one PNG, one SVG: no dry runs, no second layout solve
    with Image.open(reference) as a, Image.open(png) as b:
        assert np.array_equal(np.asarray(a.convert("RGB")), np.asarray(b.convert("RGB")))


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    png, svg = style.save_figure(figures.workforce_figure(analyse_region("anju")), tmp_path, "w")
    old_png, old_svg = png.read_bytes(), svg.read_bytes()
    fig = figures.workforce_figure(analyse_region("guangan"))

    def broken(self, fh, **kw):
        fh.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        style.save_figure(fig, tmp_path, "w")
    assert png.read_bytes() == old_png and svg.read_bytes() == old_svg
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.png", "w.svg"]
    assert fig.number not in plt.get_fignums()  # closed even on failure


def test_region_figures_write_png_only_unless_svg_is_asked_for(tmp_path):
    out = figures.region_figures(analyse_region("anju"), tmp_path, lang="zh")
    assert {name: [p.name for p in paths] for name, paths in out.items()} == {
        name: [f"{name}.zh.png"] for name in FIGURE_NAMES}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.zh.png" for n in FIGURE_NAMES)


def test_region_figures_rejects_unknown_language(tmp_path):
    with pytest.raises(ValueError, match="unknown language"):
        figures.region_figures(analyse_region("yangchun"), tmp_path, lang="de")
    assert not any(tmp_path.iterdir())


def test_words_are_per_language_with_the_same_keys():
    assert set(words.WORDS) == {"en", "zh"}
    for part in ("page", "text", "chart", "app"):
        assert words.words("en", part) is words.WORDS["en"][part]
        # Chinese has every English entry and nothing else (a key missing in one language would
        # fail only when that sentence is needed)
        extra_zh = set(words.WORDS["zh"][part]) - set(words.WORDS["en"][part])
        missing_zh = set(words.WORDS["en"][part]) - set(words.WORDS["zh"][part])
        assert not missing_zh, (part, missing_zh)
        assert extra_zh <= {k for k in extra_zh if k.startswith("check.")}, (part, extra_zh)
        assert all(isinstance(v, str) for v in words.WORDS["en"][part].values())
        assert np.all([not CJK.search(v) for v in words.WORDS["en"][part].values()]), part
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        words.word("fr", "chart", "axis.year")


def test_indicator_names_and_units_come_from_the_catalog(data_copy):
    """Short names and reader units are catalog data: changing the catalog changes the charts."""
    ind = pd.read_csv(data_copy / "indicators.csv", dtype=str, keep_default_na=False)
    ind.loc[ind["id"] == "beds_per_1000", ["short_name_zh", "unit_zh"]] = ["床位数", "张/千人口"]
    ind.to_csv(data_copy / "indicators.csv", index=False)
    w = figures.workforce_data(analyse_region("yangchun", data_copy), lang="zh")
    beds = w[w["indicator_id"] == "beds_per_1000"]
    assert set(beds["name"]) == {"床位数"} and set(beds["unit_label"]) == {"张/千人口"}
    fig = figures.workforce_figure(analyse_region("yangchun", data_copy), lang="zh")
    assert any(a.get_title(loc="left").startswith("床位数\n张/千人口\n") for a in fig.axes)
    plt.close(fig)


def test_points_merge_equal_reports_flag_a_second_value_and_keep_the_listed_order():
    """A year's equal reports become one point citing every line (in line order, reports without
    a line last); a different value for the same year is a second point flagged as a conflict;
    years after 2025 are left out; comparators are kept."""
    import pandas as pd
    obs = pd.DataFrame({
        "region_id": ["r"] * 6 + ["other"], "indicator_id": ["le"] * 6 + ["le"],
        "year": pd.array([2020, 2020, 2020, 2015, 2020, 2030, 2020], dtype="Int64"),
        "source_line": pd.array([40, None, 12, 7, 30, 5, 1], dtype="Int64"),
        "value_std": [78.2, 78.2, 78.2, 76.0, 78.5, 80.0, 1.0],
        "comparator": ["=", "=", "=", ">", None, "=", "="],
        "value_text": ["78.2", "78.2", "78.20", "76", "78.5", "80", "1"],
        "ref": ["d L40", "e", "d L12", "d L7", "d L30", "d L5", "x L1"]})
    p = figures._points(obs, "r", "le")
    assert p.to_dict("records") == [
        {"year": 2015, "value": 76.0, "comparator": ">", "text": ">76", "ref": "d L7", "conflict": False},
        {"year": 2020, "value": 78.2, "comparator": "=", "text": "78.20", "ref": "d L12; d L40; e", "conflict": False},
        {"year": 2020, "value": 78.5, "comparator": "=", "text": "78.5", "ref": "d L30", "conflict": True}]
    assert figures._points(None, "r", "le").empty
