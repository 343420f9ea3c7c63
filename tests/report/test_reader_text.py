"""What a reader sees holds no internal ids, column names or words about how the project works."""
from __future__ import annotations

import re

import pytest

import planlib
from planlib import analyse_region
from planlib.report.briefing import SECTIONS, Briefing
from planlib.report.outlook import figure_alt, outlook_html

REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]
#: Words about how the project is organised, never meant for a reader.
PROCESS_WORDS = ["issue 2", "benchmark brief", "seed", "test_", "tests/", ".txt", "project's", "planlib.",
                 "_count", "_per_1000", "value_text", "source_line"]


def page(region: str, lang: str) -> str:
    b = Briefing(analyse_region(region), lang)
    parts = [b.header_markdown(), b.summary_html(), b.key_figures_html(), *(b.section_markdown(s) for s in SECTIONS),
             b.previous_plan_html(), *(b.figure_alt(k) for k in ("life_expectancy", "mortality", "workforce")),
             b.quality_markdown(), b.sources_markdown(), b.stamp(), outlook_html(b.analysis, lang),
             figure_alt(b.analysis, lang)]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("region", REGIONS)
def test_no_ids_or_process_words_in_reader_text(region, lang):
    text = page(region, lang)
    t = planlib.load_tables()
    ids = [*t.sources["id"], *t.indicators["id"], *(r for r in t.regions["id"] if "_" in r)]
    found = [i for i in ids if re.search(rf"(?<![\w]){re.escape(i)}(?![\w])", text)]
    assert not found, found
    process = [w for w in PROCESS_WORDS if w.lower() in text.lower()]
    assert not process, process


@pytest.mark.parametrize("region", REGIONS)
def test_chinese_page_has_no_english_sentences(region):
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", page(region, "zh"), flags=re.S))  # what the reader sees
    # English words of three letters or more, outside the product name and units such as "UTC"
    words = set(re.findall(r"\b[A-Za-z]{3,}\b", text)) - {"planlib", "UTC", "Python", "key", "figures",
                                                          "class", "div", "border", "dataframe", "table",
                                                          "thead", "tbody", "style", "right", "text", "align",
                                                          "span", "ignore", "mathjax", "tex2jax"}
    assert not words, sorted(words)


def test_sources_are_numbered_and_cited_by_number():
    b = Briefing(analyse_region("anju"))
    assert "[1] line 7" in b.section("life_expectancy")[0]
    src = b.sources_markdown()
    # the English title, then the title as published, the issuer in English
    assert src.splitlines()[2].startswith("1. Anju District, Suining: 14th Five-Year Plan for Health Development "
                                          "(遂宁市安居区“十四五”卫生健康发展规划), People's Government of Anju District, "
                                          "Suining City, ")
    assert Briefing(analyse_region("anju"), "zh").sources_markdown().splitlines()[2].startswith(
        "1. 遂宁市安居区“十四五”卫生健康发展规划，遂宁市安居区人民政府，")
    z = Briefing(analyse_region("anju"), "zh")
    assert "[1]第7行" in z.section("life_expectancy")[0]
    assert "正式印发文本" in z.sources_markdown() and "The plan as published" not in z.sources_markdown()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("region", REGIONS)
def test_no_unit_is_written_twice(region, lang):
    """"Registered nurses per 1,000 population (per 1,000 population)" or "每千人口注册护士数（人/千人口）"
    says the denominator twice: a name that states it takes only what it lacks."""
    text = re.sub(r"<[^>]+>", " ", page(region, lang))
    assert not re.search(r"(per [\d,]+ [a-z ]+?) \(\1\)", text)
    assert not re.search(r"每[千万]人口[^（。，]*?（[^（）]*/[千万]人口）", text)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("region", REGIONS)
def test_no_pace_is_said_to_be_zero_times_another(region, lang):
    """A required pace a twentieth of the nation's is "<0.1×", not "0.0×" (which reads as none)."""
    assert not re.search(r"(?<![\d.])0\.0(?:×|倍)", page(region, lang))
