"""The explorer app without a browser: pure functions and widgets driven through their values.

Expected numbers are read from data/observations.csv through planlib.load_observations (the
raw ``value`` column), not written here, so the tests follow the data.
"""
from __future__ import annotations

import html
import io
import re

import base64
import math

import pandas as pd
import pytest
from matplotlib.figure import Figure

import planlib
from planlib.apps import explorer
from planlib.report import style
from planlib.analysis.comparison import national_series
from planlib.apps.explorer import COLUMNS, DOMAINS, SEP, Explorer, render, selection_data

REGIONS = planlib.plan_regions()


def _actuals(region_id: str, indicator_id: str) -> set[float]:
    """Numeric actuals of a region as stored in observations.csv (the raw value column)."""
    obs = planlib.load_observations()
    s = obs[(obs["region_id"] == region_id) & (obs["indicator_id"] == indicator_id)
            & (obs["kind"] == "actual") & obs["value"].notna()]
    return {round(float(v), 6) for v in s["value"]}


def _values(df: pd.DataFrame, series: str = "actual", region: str | None = None) -> set[float]:
    d = df[df["series"] == series]
    if region is not None:
        d = d[d["plan_region"] == region]
    return {round(float(v), 6) for v in d["value"].dropna()}


def _chart_png(ex: Explorer) -> bytes:
    """The PNG the Output widget holds (what the page shows)."""
    assert len(ex.chart.outputs) == 1
    return base64.b64decode(ex.chart.outputs[0]["data"]["image/png"])


def _fig_texts(fig: Figure) -> str:
    fig.draw_without_rendering()
    return "\n".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_visible()))


@pytest.fixture
def app(tmp_path) -> Explorer:
    return Explorer(out_dir=tmp_path)


# --- indicator menu -------------------------------------------------------------------------

def test_indicator_options_grouped_by_domain_core_first():
    opts = explorer.indicator_options()
    ind = planlib.load_indicators().set_index("id")
    ids = [v for _, v in opts]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(planlib.load_observations()["indicator_id"])
    domains = [ind.loc[i, "domain"] for i in ids]
    # each domain forms one contiguous block, in the order of DOMAINS
    blocks = [d for k, d in enumerate(domains) if k == 0 or d != domains[k - 1]]
    assert len(blocks) == len(set(blocks))
    assert blocks == [d for d in DOMAINS if d in blocks]
    for label, i in opts:
        assert label == f"{DOMAINS[ind.loc[i, 'domain']]}{SEP}{ind.loc[i, 'name_en']}"
    for d in blocks:
        members = [i for i in ids if ind.loc[i, "domain"] == d]
        core = [ind.loc[i, "core"] == "yes" for i in members]
        assert core == sorted(core, reverse=True), f"{d}: core indicators must come first"
        for flag in (True, False):
            names = [str(ind.loc[i, "name_en"]).lower() for i, c in zip(members, core) if c == flag]
            assert names == sorted(names)
    assert any(label.startswith("Workforce" + SEP) and "nurses per 1,000" in label.lower() for label, _ in opts)


def test_app_widgets_and_defaults(app):
    assert app.indicator.value == "life_expectancy"
    assert app.indicator.options == tuple(explorer.indicator_options(regions=["yangchun"]))
    assert app.all_indicators.value is False
    assert isinstance(app.regions, explorer.RegionChecks) and app.regions.description == "Regions"
    assert app.regions.value == ("yangchun",)
    assert [v for _, v in app.regions.options] == REGIONS
    assert tuple(app.benchmark.options) == tuple((v, k) for k, v in explorer.BENCHMARKS.items())
    assert tuple(app.view.options) == tuple((v, k) for k, v in explorer.VIEWS.items())
    assert app.benchmark.value == "none" and app.view.value == "values"
    assert app.error is None
    assert app.filename.value == "planlib_life_expectancy_yangchun_values.csv"


# --- widgets drive table and chart ------------------------------------------------------------

def test_default_table_shows_yangchun_life_expectancy(app):
    expected = _actuals("yangchun", "life_expectancy")
    assert expected, "observations.csv has Yangchun life expectancy"
    assert _values(app.current, "actual", "yangchun") == expected
    for v in expected:  # 77.8 among them
        assert f"<td>{planlib.report.narrative.fmt_num(v)}</td>" in app.table.value
    target = planlib.assess_progress("yangchun").set_index("indicator_id").loc["life_expectancy"]
    t = app.current[app.current["series"] == "target"]
    assert t["value"].tolist() == [target["target_value"]]
    assert t["status"].tolist() == [target["status"]]
    assert "Yangchun" in app.figure.get_suptitle()


def test_switching_region_and_indicator_changes_table_and_figure(app):
    png0, table0 = _chart_png(app), app.table.value
    app.regions.value = ("weihai",)
    weihai = _actuals("weihai", "life_expectancy")  # 81.58
    assert _values(app.current, "actual", "weihai") == weihai
    assert set(app.current["plan_region"].dropna()) == {"weihai"}
    for v in weihai:
        assert f"<td>{planlib.report.narrative.fmt_num(v)}</td>" in app.table.value
    assert "Yangchun" not in app.table.value
    png1 = _chart_png(app)
    assert png1 != png0 and app.table.value != table0
    assert "Weihai" in app.figure.get_suptitle()

    app.indicator.value = "nurses_per_1000"
    nurses = _actuals("weihai", "nurses_per_1000")
    assert nurses and nurses != weihai
    assert _values(app.current, "actual", "weihai") == nurses
    assert set(app.current["indicator_id"]) == {"nurses_per_1000"}
    assert _chart_png(app) != png1
    assert "nurses" in app.figure.get_suptitle().lower()
    assert app.filename.value == "planlib_nurses_per_1000_weihai_values.csv"


def test_benchmark_buttons_add_series(app):
    n0 = len(app.figure.axes[0].get_lines())
    app.benchmark.value = "national"
    nat = national_series("life_expectancy")
    assert _values(app.current, "national") == {round(v, 6) for v in nat["value"]}
    assert "China" in app.table.value
    assert len(app.figure.axes[0].get_lines()) > n0
    app.benchmark.value = "province"
    prov = app.current[app.current["series"] == "province"]
    assert set(prov["region_id"]) == {"guangdong"}
    assert _values(app.current, "province") == _actuals("guangdong", "life_expectancy")


def test_progress_and_comparison_views(app):
    app.regions.value = tuple(REGIONS)
    app.indicator.value = "nurses_per_1000"
    app.view.value = "progress"
    d = app.current
    assert app.error is None
    for rid in REGIONS:
        p = planlib.assess_progress(rid).set_index("indicator_id")
        if "nurses_per_1000" not in p.index:
            continue
        row = p.loc["nurses_per_1000"]
        mine = d[d["plan_region"] == rid]
        assert mine.loc[mine["series"] == "target", "value"].tolist() == [row["target_value"]]
        assert set(mine["status"].dropna()) == {row["status"]}
        if pd.notna(row["latest_value"]):
            assert mine.loc[mine["series"] == "latest", "value"].tolist() == [row["latest_value"]]
    assert "progress" in app.figure.get_suptitle().lower()

    app.view.value = "comparison"
    app.benchmark.value = "national"
    d = app.current
    latest = d[d["series"] == "latest"]
    assert latest["plan_region"].is_unique
    cmp = {rid: planlib.compare_benchmarks(rid, indicators=("nurses_per_1000",)) for rid in REGIONS}
    for _, r in latest.iterrows():
        c = cmp[r["plan_region"]]
        c = c[c["benchmark_level"] == "national"]
        assert r["value"] == c["value"].iloc[0]
        nat = d[(d["plan_region"] == r["plan_region"]) & (d["series"] == "national")]
        assert nat["value"].tolist() == c["benchmark_value"].tolist()
        assert c["comparison"].iloc[0] in r["status"]


# --- empty selections and regions without data ----------------------------------------------

def test_empty_selection_shows_a_message(app):
    app.regions.value = ()
    assert app.error is None
    assert app.current.empty and list(app.current.columns) == COLUMNS
    assert "No region selected" in app.table.value
    assert "Select at least one region" in _fig_texts(app.figure)
    assert len(app.chart.outputs) == 1
    for view in explorer.VIEWS:  # every view copes
        app.view.value = view
        assert app.error is None and app.current.empty


def _indicator_only(present: str, absent: str) -> str:
    obs = planlib.load_observations()
    a = obs[(obs["kind"] == "actual") & obs["value"].notna()]
    have = set(a.loc[a["region_id"] == present, "indicator_id"])
    not_there = set(obs.loc[obs["region_id"] == absent, "indicator_id"])
    return sorted(have - not_there)[0]


def test_region_without_the_indicator_says_no_data(app):
    ind = _indicator_only("yangchun", "anju")
    app.all_indicators.value = True  # by default the menu lists only indicators both report
    app.indicator.value = ind
    app.regions.value = ("yangchun", "anju")
    assert app.error is None
    assert set(app.current["plan_region"].dropna()) == {"yangchun"}
    assert "No data" in app.table.value and "Anju District" in app.table.value
    assert "no data: Anju District" in _fig_texts(app.figure)
    app.regions.value = ("anju",)
    assert app.error is None and app.current.empty
    assert "No data" in _fig_texts(app.figure)
    for view in explorer.VIEWS:
        app.view.value = view
        assert app.error is None
        assert explorer.missing_regions(app.current, ["anju"]) == ["anju"]


# --- quality column -------------------------------------------------------------------------

def test_quality_column_marks_findings():
    d = selection_data("life_expectancy", REGIONS, "province", "values")
    q = planlib.check_quality()
    flagged = d[d["quality"].notna()]
    assert not flagged.empty
    for _, r in flagged.iterrows():
        f = q[(q["region_id"] == r["region_id"]) & (q["indicator_id"] == r["indicator_id"]) & (q["year"] == r["year"])]
        labels = {f"{s}: {c.replace('_', ' ')}" for s, c in zip(f["severity"], f["check"])}
        assert set(r["quality"].split("; ")) <= labels
        refs = set(str(r["ref"]).split("; "))
        assert any(refs & set(str(s).split("; ")) for s in f["source_lines"])
    # every finding about a shown number is marked on that number's row
    shown = explorer.quality_notes(d)
    assert not shown.empty
    for _, f in shown.iterrows():
        rows = d[(d["region_id"] == f["region_id"]) & (d["year"] == f["year"])]
        assert rows["quality"].fillna("").str.contains(f["check"].replace("_", " ")).any()


def test_unit_mismatch_is_listed_not_plotted():
    obs = planlib.data.tables.enrich(planlib.load_tables())
    bad = obs[~obs["unit_ok"] & obs["region_id"].isin(REGIONS) & (obs["kind"] == "actual")].iloc[0]
    d = selection_data(bad["indicator_id"], [bad["region_id"]], "none", "values")
    row = d[d["value_text"] == bad["value_text"]]
    assert len(row) == 1
    assert math.isnan(row["value"].iloc[0])
    assert "unit" in row["status"].iloc[0]
    assert "unit mismatch" in row["quality"].iloc[0]


# --- CSV ------------------------------------------------------------------------------------

def test_save_csv_button_writes_the_table(app, tmp_path):
    app.regions.value = ("yangchun", "weihai")
    app.benchmark.value = "national"
    app.save_button.click()
    path = tmp_path / app.filename.value
    assert path.name == "planlib_life_expectancy_yangchun-weihai_values_national.csv"
    assert path.is_file()
    assert str(path.resolve()) in app.saved.value
    got = pd.read_csv(path)
    assert list(got.columns) == COLUMNS
    assert len(got) == len(app.current) > 0
    assert got["value"].round(6).tolist() == app.current["value"].round(6).tolist()
    assert got["series"].tolist() == app.current["series"].tolist()
    # the label resets when the selection changes
    app.view.value = "progress"
    assert app.saved.value == ""


def test_save_csv_defaults_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ex = Explorer()
    out = ex.save()
    assert out == (tmp_path / ex.filename.value).resolve()
    assert len(pd.read_csv(out)) == len(ex.current)


@pytest.mark.parametrize("name", ["../escape.csv", "/tmp/abs.csv", "sub/dir.csv", ".hidden.csv", "table.txt",
                                  "", "a\\b.csv", "what?.csv", "tab\tx.csv"])
def test_save_csv_rejects_bad_names(app, tmp_path, name):
    app.filename.value = name
    assert app.save() is None
    assert app.saved.value.startswith("Not saved")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError):
        explorer.validate_filename(name)


# --- pure functions -------------------------------------------------------------------------

@pytest.mark.parametrize("view", list(explorer.VIEWS))
@pytest.mark.parametrize("benchmark", list(explorer.BENCHMARKS))
def test_render_every_view_has_title_and_source_line(view, benchmark):
    fig = render("infant_mortality", ["yangchun", "weihai"], benchmark, view)
    assert isinstance(fig, Figure)
    assert "Infant mortality" in fig.get_suptitle()
    src = [t for t in fig.texts if t.get_gid() == style.GID_SOURCE]
    assert len(src) == 1 and src[0].get_text().startswith("Source: ")
    text = src[0].get_text().replace("\n", " ")
    assert "Yangchun City 14th Five-Year Plan for Health Development" in text and "_" not in text
    assert explorer.figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_selection_data_validates_its_arguments():
    with pytest.raises(KeyError, match="unknown indicator"):
        selection_data("no_such_indicator", ["yangchun"])
    with pytest.raises(KeyError, match="unknown plan region"):
        selection_data("life_expectancy", ["china"])
    with pytest.raises(ValueError, match="unknown view"):
        selection_data("life_expectancy", ["yangchun"], view="map")
    with pytest.raises(ValueError, match="unknown benchmark"):
        selection_data("life_expectancy", ["yangchun"], benchmark="world")
    assert selection_data("life_expectancy", "yangchun").equals(selection_data("life_expectancy", ["yangchun"]))


@pytest.mark.parametrize("name", ["my table.csv", "阳春 预期寿命.csv", "tab\u00e9 (2).csv"])
def test_file_names_with_spaces_and_chinese_are_accepted(app, tmp_path, name):
    assert explorer.validate_filename(name) == name
    app.filename.value = name
    assert app.save() == (tmp_path / name).resolve()
    assert f'download="{name}"' in app.download.value


def test_csv_opens_in_a_spreadsheet_with_bom_and_numbers_as_reported():
    data = selection_data("life_expectancy", ["yangchun", "guangan"], "national", "values")
    raw = explorer.csv_bytes(data)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    text = raw.decode("utf-8-sig")
    assert "岁" in text and "99999" not in text and "00000000" not in text
    got = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert list(got.columns) == COLUMNS
    assert got["value"].round(9).tolist() == data["value"].round(9).tolist()


def test_download_link_carries_the_csv(app):
    app.regions.value = ("yangchun", "weihai")
    link = app.download.value
    m = re.search(r"href='data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)'", link)
    assert m and f'download="{app.filename.value}"' in link
    assert base64.b64decode(m.group(1)) == explorer.csv_bytes(app.current)
    app.filename.value = "bad/name.csv"
    assert "invalid file name" in app.download.value


def test_indicator_menu_lists_indicators_shared_by_the_selected_regions(app):
    obs = planlib.load_observations()
    app.regions.value = tuple(REGIONS)
    shared = {v for _, v in app.indicator.options}
    counts = obs[obs["region_id"].isin(REGIONS)].groupby("indicator_id")["region_id"].nunique()
    assert shared == set(counts[counts >= 2].index)
    assert len(shared) < len(explorer.indicator_options()) / 2
    assert "at least two" in app.indicator_count.value
    app.all_indicators.value = True
    assert len(app.indicator.options) == len(explorer.indicator_options())
    app.indicator.value = next(i for i, n in counts.items() if n == 1)
    app.all_indicators.value = False  # the one-region indicator leaves the menu; a listed one is shown
    assert app.indicator.value in shared and app.error is None


def test_comparison_uses_the_briefings_verdicts():
    """A 0/10万 from a plan without counts cannot be told apart from anything (lesson 3)."""
    d = selection_data("maternal_mortality", ["yangchun", "xiangqiao"], "province", "comparison")
    latest = d[d["series"] == "latest"]
    assert latest["status"].str.startswith("cannot be told apart").all(), latest["status"].tolist()
    assert not d["status"].fillna("").str.contains("better").any()
    for rid in ("yangchun", "weihai", "anju"):
        c = planlib.analyse_region(rid).comparisons
        c = c[(c["indicator_id"] == "infant_mortality") & (c["benchmark_level"] == "national")]
        row = selection_data("infant_mortality", [rid], "national", "comparison")
        own = row[row["series"] == "latest"]["status"].iloc[0]
        assert own.split(" ")[0] == c["comparison"].iloc[0].split(" ")[0]


# --- the Chinese interface ------------------------------------------------------------------

#: Latin words a Chinese reader sees on purpose: the file type, the spreadsheet program and the
#: name of the tool in the source line.
LATIN_OK = {"CSV", "Excel", "planlib", "csv"}


def _visible_text(ex: Explorer) -> str:
    """Every word the page shows, but the language switch (each choice in its own language)."""
    parts = [ex.intro.value, ex.regions.description, ex.indicator_count.value, ex.message.value, ex.saved.value,
             ex.filename.value, re.sub(r"href='[^']*'", "", ex.download.value),
             re.sub(r"<style>.*?</style>", "", ex.table.value, flags=re.S), _fig_texts(ex.figure)]
    for w in (ex.indicator, ex.regions, ex.benchmark, ex.view, ex.filename, ex.all_indicators, ex.presentation,
              ex.save_button):
        parts.append(w.description)
        parts.append(getattr(w, "tooltip", "") or "")
    for w in (ex.indicator, ex.regions, ex.benchmark, ex.view):
        parts += [label for label, _ in w.options]
    return html.unescape(re.sub(r"<[^>]+>", " ", "\n".join(parts)))


def _latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", text)) - LATIN_OK


@pytest.mark.parametrize("view", list(explorer.VIEWS))
def test_chinese_page_has_no_english(view):
    ex = Explorer(lang="zh", regions=tuple(REGIONS), view=view, benchmark="province")
    assert ex.error is None
    text = _visible_text(ex)
    assert not _latin_words(text), sorted(_latin_words(text))
    assert "指标" == ex.indicator.description and "演示模式" == ex.presentation.description
    assert "人均预期寿命" in ex.figure.get_suptitle()
    assert "资料来源：" in _fig_texts(ex.figure)
    ids = [*planlib.load_tables().sources["id"], *REGIONS, "life_expectancy"]
    assert not [i for i in ids if i in text], "no internal ids on the Chinese page"
    for benchmark in explorer.BENCHMARKS:  # every benchmark, with its notes and quality findings
        ex.benchmark.value = benchmark
        assert ex.error is None
        assert not _latin_words(_visible_text(ex)), (benchmark, sorted(_latin_words(_visible_text(ex))))
    ex.regions.value = ()
    assert "请至少选择一个地区" in _fig_texts(ex.figure) and "尚未选择地区" in ex.table.value


def test_chinese_quality_notes_and_statuses():
    """Doubted values, unit mismatches and quality findings are worded in Chinese, sources by title."""
    ex = Explorer(lang="zh", indicator="infant_mortality", regions=("weihai", "xiangqiao"), benchmark="national")
    d = ex.current
    assert "单位与指标不符，未绘入图中" in set(d["status"].dropna())
    assert d["quality"].dropna().str.contains("警告：").any()
    assert "数据质量说明" in ex.table.value and "第" in ex.table.value
    ex.view.value = "comparison"
    latest = ex.current[ex.current["series"] == "latest"].set_index("plan_region")["status"]
    assert latest["xiangqiao"] == "数据存疑"  # a doubted value is compared with nothing
    assert latest["weihai"] == "优于全国"
    assert not _latin_words(_visible_text(ex))


def test_comparison_in_chinese_follows_the_briefings_verdicts():
    d = selection_data("maternal_mortality", ["yangchun", "xiangqiao"], "province", "comparison", lang="zh")
    latest = d[d["series"] == "latest"]
    assert latest["status"].str.startswith("与").all() and latest["status"].str.endswith("无法区分高低").all()
    assert not d["status"].fillna("").str.contains("优于").any()


def test_language_switch_relabels_everything_and_keeps_the_selection(app):
    app.regions.value = ("yangchun", "weihai")
    app.indicator.value = "infant_mortality"
    app.view.value = "progress"
    app.benchmark.value = "national"
    sel, title_en, table_en = app.selection(), app.figure.get_suptitle(), app.table.value
    app.language.value = "zh"
    assert app.selection() == sel and app.error is None
    assert app.figure.get_suptitle().startswith("阳春市和威海市婴儿死亡率")
    assert "<th>地区</th>" in app.table.value and "<th>Region</th>" not in app.table.value
    assert dict(app.view.options)["目标进展"] == "progress"
    assert app.filename.value == "阳春市、威海市_婴儿死亡率_目标进展_全国.csv"
    assert not _latin_words(_visible_text(app))
    app.language.value = "en"
    assert app.selection() == sel
    assert app.figure.get_suptitle() == title_en and app.table.value == table_en
    assert app.indicator.description == "Indicator"


def test_chinese_csv_has_chinese_headers_bom_and_numbers_as_reported(app, tmp_path):
    app.language.value = "zh"
    app.regions.value = ("yangchun", "guangan")
    app.benchmark.value = "national"
    link = app.download.value
    m = re.search(r"href='data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)'", link)
    raw = base64.b64decode(m.group(1))
    assert raw.startswith(b"\xef\xbb\xbf") and ">下载CSV表格<" in link
    got = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    words = explorer.app_words("zh")
    assert list(got.columns) == [words[f"col.{'indicator' if c == 'indicator_id' else c}"]
                                 for c in COLUMNS if c != "region_id"]
    assert set(got["指标"]) == {"人均预期寿命"} and set(got["单位"]) == {"岁"}
    assert {"阳春市", "广安区"} <= set(got["所属规划地区"].dropna())
    assert got["数值"].round(9).tolist() == app.current["value"].round(9).tolist()
    assert "实际值" in set(got["类别"]) and "全国" in set(got["类别"])
    text = raw.decode("utf-8-sig")
    assert "99999" not in text and "yangchun" not in text and "_plan" not in text
    out = app.save()
    assert out.name == "阳春市、广安区_人均预期寿命_历年数值_全国.csv" and out.read_bytes() == raw
    assert app.saved.value.startswith("已将")


# --- normal mode: nothing overlaps ----------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", list(explorer.VIEWS))
@pytest.mark.parametrize("indicator", ["life_expectancy", "infant_mortality", "physicians_per_1000"])
def test_five_regions_value_labels_do_not_overlap(lang, view, indicator):
    for benchmark in ("national", "province"):
        fig = render(indicator, REGIONS, benchmark, view, lang=lang)
        values = [t for t in fig.axes[0].texts if t.get_gid() == explorer.GID_VALUE]
        assert len(values) >= 3, "the chart labels its values"
        assert explorer.label_overlaps(fig) == [], (benchmark, explorer.label_overlaps(fig))
        assert style.texts_off_canvas(fig) == []


def test_label_overlaps_finds_overlapping_labels():
    fig = render("life_expectancy", ["yangchun"], "none", "values")
    ax = fig.axes[0]
    for _ in range(2):  # the same label twice, on top of each other
        ax.annotate("77.8", (2020, 77.8), xytext=(0, 8), textcoords="offset points", gid=explorer.GID_VALUE)
    assert ("77.8", "77.8") in explorer.label_overlaps(fig)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presentation_figure_is_wider_and_readable(lang):
    for view in explorer.VIEWS:
        fig = render("infant_mortality", REGIONS, "national", view, lang=lang, presentation=True)
        assert tuple(fig.get_size_inches()) == explorer.FIG_SIZE_PRESENTATION
        assert fig.get_figwidth() / fig.get_figheight() > 1.9, "wide enough for a 16:9 or 4:3 screen"
        assert explorer.label_overlaps(fig) == [] and style.texts_off_canvas(fig) == []
    app = Explorer(regions=tuple(REGIONS), lang=lang)
    assert tuple(app.figure.get_size_inches()) == explorer.FIG_SIZE
    app.presentation.value = True
    assert tuple(app.figure.get_size_inches()) == explorer.FIG_SIZE_PRESENTATION
    assert "planlib-present" in app.app._dom_classes


def test_a_region_change_redraws_once_with_the_new_menu(app, monkeypatch):
    calls = []
    redraw = app.update
    monkeypatch.setattr(app, "update", lambda: (calls.append(1), redraw()))
    app.regions.value = tuple(REGIONS)
    assert len(calls) == 1, "one redraw per change: the page never shows a half-updated state"
    assert app.indicator_count.value.split(">")[1].startswith(f"{len(app.indicator.options)} of ")


def test_regions_are_checkboxes_one_click_each(app):
    boxes = {rid: b for rid, b in app.regions._boxes.items()}
    assert [b.description for b in boxes.values()] == [k for k, _ in explorer.region_options()]
    boxes["weihai"].value = True  # a click adds a region, no Ctrl needed
    assert app.regions.value == ("yangchun", "weihai") and "Weihai" in app.figure.get_suptitle()
    boxes["yangchun"].value = False  # another click removes one
    assert app.regions.value == ("weihai",) and "Yangchun" not in app.figure.get_suptitle()
    app.regions.value = ("anju", "yangchun")  # set in code: the boxes follow, in the regions' order
    assert [rid for rid, b in boxes.items() if b.value] == ["yangchun", "anju"]
    assert app.regions.value == ("yangchun", "anju")
    with pytest.raises(Exception, match="unknown plan region"):
        app.regions.value = ("atlantis",)
