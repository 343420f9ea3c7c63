"""The index pages: one row per region, one verdict per core indicator (a doubted value is "data in
doubt", never met), the data date, links to each briefing, its downloads and the methods page;
nothing fetched from the internet."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from planlib.apps import batch
from planlib.apps.pages import math_html, methods_html
from planlib.data.tables import CORE_INDICATORS
from planlib.report.words import word

REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]
EXTERNAL = re.compile(r'<script[^>]+src=|<link[^>]+href="https?:|@import|url\(\s*["\']?(?!data:)|https?://')


class Rows(HTMLParser):
    """Cells of the index table's body, row by row (text of each cell)."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell, self._in_body = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif self._in_body and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    results = [batch.Result(r, lang, True, 1.0, html=out / f"{r}{'' if lang == 'en' else '.zh'}.html",
                            pdf=out / f"{r}.pdf" if lang == "en" else None)
               for r in REGIONS for lang in ("en", "zh")]
    results[-1] = batch.Result("weihai", "zh", False, 0.0, cell="cell 4", error="ValueError: broken <b>x</b>")
    batch.write_index(results, out)
    return out


def rows(path: Path, table: str = "planlib-index") -> list[list[str]]:
    """Body rows of the index table of class ``table`` (the verdicts, or "planlib-assessment")."""
    html = path.read_text(encoding="utf-8")
    start = html.index(f'<table class="{table}"')
    p = Rows()
    p.feed(html[start:html.index("</table>", start)])
    return p.rows


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_row_per_region_one_verdict_per_core_indicator(index, lang):
    page = index / ("index.html" if lang == "en" else "index.zh.html")
    verdicts = {word(lang, "text", f"verdict.{v}") for v in
                ("met", "on track", "off track", "data in doubt", "no verdict")}
    body = rows(page)
    assert len(body) == len(REGIONS)
    for row in body:
        cells = row[1:1 + len(CORE_INDICATORS)]
        assert len(cells) == len(CORE_INDICATORS) and set(cells) <= verdicts, row
    html = page.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html
    for r in REGIONS:
        assert f'href="{r}.html"' in html and f'href="{r}.csv"' in html
    assert 'href="yangchun.pdf"' in html and 'href="methods.html"' in html
    assert 'href="weihai.zh.html"' not in html  # failed: its reason shown instead, escaped
    assert "ValueError: broken &lt;b&gt;x&lt;/b&gt;" in html


def test_doubted_value_is_data_in_doubt_never_met(index):
    """Xiangqiao's under-5 mortality (0.14‰, below its infant rate) is in doubt in both languages."""
    col = 1 + CORE_INDICATORS.index("under5_mortality")
    for lang, name, page in (("en", "Xiangqiao", "index.html"), ("zh", "湘桥区", "index.zh.html")):
        row = next(r for r in rows(index / page) if r[0].startswith(name))
        assert row[col] == word(lang, "text", "verdict.data in doubt")
        assert row[col] != word(lang, "text", "verdict.met")


def test_data_date_and_language_switch(index):
    en = (index / "index.html").read_text(encoding="utf-8")
    zh = (index / "index.zh.html").read_text(encoding="utf-8")
    assert re.search(r"The data run to 20\d\d; these pages were built on 20\d\d-\d\d-\d\d\.", en)
    assert re.search(r"数据截至20\d\d年；本页生成于20\d\d-\d\d-\d\d。", zh)
    assert 'href="index.zh.html"' in en and 'href="index.html"' in zh
    assert "Briefings: 9 of 10 built." in en


@pytest.mark.parametrize("name", ["index.html", "index.zh.html", "methods.html"])
def test_pages_fetch_nothing(index, name):
    html = (index / name).read_text(encoding="utf-8")
    assert "<script" not in html
    assert not EXTERNAL.findall(html), EXTERNAL.findall(html)


def test_methods_page_reads_without_mathjax(index):
    html = (index / "methods.html").read_text(encoding="utf-8")
    assert "$" not in html and "\\" not in html  # no raw LaTeX left for a reader
    assert "<h1>Methods</h1>" in html and "<table>" in html
    assert "planlib.assess_progress" not in html  # headings without function names
    assert 'href="data.md' not in html  # no link to a file that is not there
    assert math_html(r"(x_t/x_s)^{1/(t-s)} - 1") == "(<i>x</i><sub><i>t</i></sub>/<i>x</i><sub><i>s</i></sub>)<sup>1/(<i>t</i>−<i>s</i>)</sup> − 1"
    assert "½" in math_html(r"\tfrac{1}{2}\chi^2_{0.025}(2k)") and "χ<sup>2</sup>" in math_html(r"\chi^2")
    assert methods_html("a $x^*$ b").count("<sup>*</sup>") == 1


# --- the final assessment of the 14th plan ------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("region", ["yangchun", "xiangqiao"])
def test_final_assessment_table_matches_assess_plan(index, region, lang):
    """One row per region: completion rate (met of judged), how many cannot be judged, the count
    per class, the outcome years and the binding targets behind, each as assess_plan gives them."""
    from planlib import assess_plan
    page = index / ("index.html" if lang == "en" else "index.zh.html")
    body = rows(page, "planlib-assessment")
    assert len(body) == len(REGIONS)
    name = {"yangchun": ("Yangchun", "阳春市"), "xiangqiao": ("Xiangqiao", "湘桥区")}[region][lang == "zh"]
    row = next(r for r in body if r[0].startswith(name))
    df = assess_plan(region)
    c = df.attrs["completion"]
    judged = df["class"].isin(["met early", "met", "ahead of schedule", "roughly on schedule", "behind"])
    met = df["class"].isin(["met early", "met"])
    assert (c["met"], c["judged"]) == (int(met.sum()), int(judged.sum()))
    rate = round(100 * c["met"] / c["judged"])
    assert row[1] == (f"{rate}% ({c['met']} of {c['judged']})" if lang == "en" else f"{rate}%（{c['met']}/{c['judged']}）")
    assert int(row[2]) == int((~judged).sum()) == len(df) - c["judged"]
    counts = [int((df["class"] == k).sum()) for k in ("met early", "met", "ahead of schedule", "roughly on schedule",
                                                       "behind")]
    assert [int(x) for x in row[3:8]] == counts and sum(counts) == c["judged"]
    assert row[8] == "2020"
    assert row[9] == ("none" if lang == "en" else "无") and not (df["binding"] & (df["class"] == "behind")).any()
    html = page.read_text(encoding="utf-8")
    heads = ["Met early", "Met on time", "Ahead of schedule", "Roughly on schedule", "Behind"] if lang == "en" \
        else ["提前实现", "如期实现", "快于预期", "基本符合预期", "滞后"]
    assert all(f"<th>{h}</th>" in html for h in heads)


def test_yangchun_numbers_in_the_final_assessment_table(index):
    """Yangchun, worked out by hand from its briefing: 23 targets, 5 judged on 2020 outcomes, 4 met
    early and 1 behind (80%); 18 cannot be judged."""
    row = next(r for r in rows(index / "index.html", "planlib-assessment") if r[0].startswith("Yangchun"))
    assert row[1:] == ["80% (4 of 5)", "18", "4", "0", "0", "0", "1", "2020", "none"]


def test_binding_targets_behind_are_named():
    from planlib.apps.pages import Facts, Row, assessment_table_html, indicator_names
    from planlib.data.tables import load_tables
    t = load_tables()
    summary = {"met": 1, "judged": 3, "not_judged": 2, "rate": 1 / 3, "latest_years": [2024, 2025],
               "binding_behind_indicators": ["life_expectancy", "maternal_mortality"],
               "classes": {"met early": 0, "met": 1, "ahead of schedule": 0, "roughly on schedule": 0, "behind": 2}}
    facts = {"x": Facts({}, summary), "y": Facts(None, None)}
    for lang, named, rate in (("en", "Life expectancy at birth, Maternal mortality ratio", "33% (1 of 3)"),
                              ("zh", "人均预期寿命、孕产妇死亡率", "33%（1/3）")):
        page = assessment_table_html([Row("x"), Row("y")], facts, {"x": "X", "y": "Y"}, lang, indicator_names(t, lang))
        p = Rows()
        p.feed(page)
        assert p.rows[0] == ["X", rate, "2", "0", "1", "0", "0", "2", "2024, 2025" if lang == "en" else "2024、2025", named]
        assert p.rows[1] == ["Y"] + ["–"] * 9  # a region whose analysis fails keeps its row


def test_index_analyses_each_region_once(tmp_path, monkeypatch):
    """Both tables and both languages come from one analysis per region."""
    import planlib.analysis.region as region
    calls = []
    real = region.analyse_region
    monkeypatch.setattr(region, "analyse_region", lambda rid, data=None: calls.append(rid) or real(rid, data))
    batch.write_index([batch.Result(r, lang, True, 1.0) for r in ("weihai", "anju") for lang in ("en", "zh")], tmp_path)
    assert sorted(calls) == ["anju", "weihai"]


def test_index_links_the_2030_options(index):
    en = (index / "index.html").read_text(encoding="utf-8")
    zh = (index / "index.zh.html").read_text(encoding="utf-8")
    for r in REGIONS:
        assert f'href="{r}-2030.csv" download>2030 options</a>' in en
    assert 'href="yangchun-2030.zh.csv" download>2030年方案</a>' in zh


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_region_table_fits_a_1024_pixel_screen(tmp_path, lang):
    """Every region in both languages, with PDFs: the index's tables fit a 1024-pixel-wide screen
    or projector and a 1280-pixel laptop without running off the right edge (before, the region
    table was wider than the page even at 1280 pixels once both languages were built)."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    regions = batch.default_regions()
    results = [batch.Result(r, lg, True, 12.3, pdf=tmp_path / f"{r}.pdf") for r in regions for lg in ("en", "zh")]
    batch.write_index(results, tmp_path)
    page_file = tmp_path / ("index.html" if lang == "en" else "index.zh.html")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=["--no-sandbox"])
        try:
            for width in (1024, 1280):
                page = browser.new_page(viewport={"width": width, "height": 768})
                page.goto(page_file.as_uri())
                widths = page.evaluate("[document.documentElement.scrollWidth,"
                                       " ...[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right)]")
                assert widths[0] <= width and max(widths[1:]) <= width, (width, widths)
                assert page.locator("table.planlib-index tbody tr").count() == len(regions)
                page.close()
        finally:
            browser.close()


def test_hover_texts_are_written_for_the_reader(tmp_path):
    """Why a value is in doubt, on the index as on the briefing: the indicator's name, the
    document's title and line, in the page's language; never a source id, an indicator id or,
    on the Chinese index, English (before: the checks' message, with ids, in English on both)."""
    import html as html_lib

    from planlib.data.tables import load_tables
    t = load_tables()
    regions = batch.default_regions()
    batch.write_index([batch.Result(r, lg, True, 1.0) for r in regions for lg in ("en", "zh")], tmp_path)
    ids = set(t.sources["id"]) | set(t.indicators["id"])
    for name, lang in (("index.html", "en"), ("index.zh.html", "zh")):
        page = (tmp_path / name).read_text(encoding="utf-8")
        titles = [html_lib.unescape(x) for x in re.findall(r'<td class="v [^"]*" title="([^"]*)"', page)]
        doubts = [x for x in titles if x.startswith(("data in doubt", "数据存疑"))]
        assert len(doubts) >= 3, titles  # Anju's physicians, Xiangqiao's infant and under-5 mortality, beds
        for text in titles:
            assert not any(re.search(rf"(?<![\w]){re.escape(i)}(?![\w])", text) for i in ids), text
            if lang == "zh":
                assert not re.search(r"[A-Za-z]{3,}", text), text
        assert any("第111行" in x or "line 111" in x for x in doubts)
