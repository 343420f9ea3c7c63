"""A briefing's numbers as CSV: reader columns in the page's language, values as written, status,
source by title and line; the same numbers and statuses as the briefing's key figures."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest

import planlib
from planlib import analyse_region
from planlib.data.tables import CORE_INDICATORS
from planlib.report.briefing import Briefing
from planlib.report.downloads import numbers_csv, numbers_table
from planlib.report.words import word

REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]


def col(lang: str, key: str) -> str:
    return word(lang, "page", f"csv.{key}")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("region", REGIONS)
def test_rows_match_the_key_figures(region, lang):
    """Every latest value and status of the key-figures table is a row of the CSV (same
    indicator, year and number), with its status; the table names no internal ids."""
    a = analyse_region(region)
    b = Briefing(a, lang)
    table = numbers_table(a, lang)
    assert list(table.columns) == [col(lang, k) for k in
                                   ("indicator", "region", "kind", "year", "value", "unit", "status", "source", "line")]
    own = table[(table[col(lang, "region")] == a.name(lang)) & (table[col(lang, "kind")] == word(lang, "page", "csv.kind.actual"))]
    kf = b.key_figures()
    for ind, row in zip(CORE_INDICATORS, kf.itertuples(index=False)):
        latest = row[2]
        if latest == "–":
            continue
        value, year = re.fullmatch(r"(.+) \((\d{4})\)", latest).groups()
        rows = own[(own[col(lang, "indicator")] == b.name(ind)) & (own[col(lang, "year")] == int(year))]
        assert len(rows), (region, ind, latest)
        written = [float(re.sub(r"[^0-9.]", "", v)) for v in rows[col(lang, "value")] if re.search(r"\d", v)]
        shown = float(value.replace(",", ""))  # the key figures round; the CSV keeps the text as written
        assert any(abs(w - shown) <= 0.006 * max(abs(shown), 1) for w in written), (region, ind, value, written)
        status = row[5]
        if status != "–" and a.progress.set_index("indicator_id").loc[ind, "latest_year"] == int(year):
            assert status in set(rows[col(lang, "status")]), (region, ind, status, list(rows[col(lang, "status")]))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sources_by_title_and_line_and_no_ids(lang):
    t = planlib.load_tables()
    table = numbers_table(analyse_region("yangchun"), lang)
    titles = set(t.sources["title_en" if lang == "en" else "title"])  # in the reader's language
    assert set(table[col(lang, "source")]) <= titles
    assert t.source_title("yangchun_14th_plan", lang) in set(table[col(lang, "source")])
    assert ("Yangchun City 14th Five-Year Plan for Health Development" if lang == "en"
            else "阳春市卫生健康事业发展“十四五”规划") in set(table[col(lang, "source")])
    assert table[col(lang, "line")].map(lambda v: v == "" or int(v) > 0).all()
    text = table.to_csv(index=False)
    ids = [*t.sources["id"], *t.indicators["id"], "region_id", "indicator_id", "value_text", "source_line"]
    for i in ids:
        assert not re.search(rf"(?<![\w]){re.escape(i)}(?![\w])", text), i
    # the region's own numbers, the national benchmark values and other regions' targets it uses
    kinds = set(table[col(lang, "kind")])
    assert {word(lang, "page", "csv.kind.actual"), word(lang, "page", "csv.kind.target"),
            word(lang, "page", "csv.kind.benchmark")} <= kinds


def test_units_in_the_pages_language():
    en = numbers_table(analyse_region("yangchun"), "en")
    zh = numbers_table(analyse_region("yangchun"), "zh")
    assert "years" in set(en[col("en", "unit")]) and "岁" in set(zh[col("zh", "unit")])
    assert "人均预期寿命" in set(zh[col("zh", "indicator")])
    assert "Life expectancy at birth" in set(en[col("en", "indicator")])


def test_doubted_value_says_data_in_doubt():
    """Xiangqiao's under-5 rate (0.14‰, below its own infant rate) is "data in doubt", never met."""
    for lang, doubt in (("en", "data in doubt"), ("zh", "数据存疑")):
        table = numbers_table(analyse_region("xiangqiao"), lang)
        name = Briefing(analyse_region("xiangqiao"), lang).name("under5_mortality")
        rows = table[(table[col(lang, "indicator")] == name) & (table[col(lang, "value")] == "0.14")]
        assert len(rows) and set(rows[col(lang, "status")]) == {doubt}  # each line that reports it


def test_csv_is_utf8_with_bom_for_excel():
    data = numbers_csv(analyse_region("xiangqiao"), "zh")
    assert data.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns)[0] == "指标"
    assert back.equals(numbers_table(analyse_region("xiangqiao"), "zh").astype(str))


# --- the 2030 options ------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("region", REGIONS)
def test_options_csv_has_the_options_values_and_no_ids(region, lang):
    """The 2030 options as a planning office pastes them: UTF-8 with BOM, reader columns in the
    page's language, one row per option with a value (the same values as target_options), sources by
    title, no internal ids."""
    from planlib import target_options
    from planlib.report.downloads import options_csv
    data = options_csv(analyse_region(region), lang)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    value = "2030 value" if lang == "en" else "2030年数值"
    first = ["Indicator", "Unit", "Latest outcome", "Year", "Option"] if lang == "en" else ["指标", "单位", "最新实际值", "年份", "方案"]
    assert list(table.columns[:5]) == first and value in table.columns
    opts = target_options(region)
    opts = opts[opts["option"].notna() & opts["value"].notna()]
    assert len(table) == len(opts) > 0
    for got, want in zip(table[value], opts["value"]):
        assert float(got) == pytest.approx(float(want), abs=0.006), (got, want)
    text = data.decode("utf-8-sig")
    assert not re.search(r"\b[a-z]+_[a-z0-9_]+\b", text), re.findall(r"\b[a-z]+_[a-z0-9_]+\b", text)[:5]
    assert "nan" not in text.lower().split(",")


def test_options_csv_names_the_basis():
    from planlib.report.downloads import options_csv
    zh = options_csv(analyse_region("weihai"), "zh").decode("utf-8-sig")
    assert "达到全国2030年目标" in zh and "“健康中国2030”规划纲要" in zh and "中华人民共和国国民经济和社会发展第十五个五年规划纲要" in zh
    en = pd.read_csv(io.BytesIO(options_csv(analyse_region("weihai"))), encoding="utf-8-sig", dtype=str,
                     keep_default_na=False)
    phys = en[(en["Indicator"] == "Licensed and assistant physicians per 1,000 population")
              & (en["Option"] == "national 2030 reference")]
    assert list(phys["2030 value"]) == ["3"] and list(phys["Basis"]) == ["“‘Healthy China 2030’ Planning Outline”"]
