"""Chinese briefings: the same facts as English, Chinese units, and figures that draw Chinese."""
from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from planlib.report import fonts  # noqa: E402
from planlib import analyse_region  # noqa: E402
from planlib.report import figures  # noqa: E402
from planlib.report.briefing import SECTIONS, Briefing  # noqa: E402
import planlib  # noqa: E402
from planlib.report.words import WORDS  # noqa: E402

REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]
CATALOG_UNITS = sorted(set(planlib.load_indicators()["unit"]), key=len, reverse=True)
UNIT_PHRASES = sorted({u for c in ("unit_en", "unit_zh") for u in planlib.load_indicators()[c]}, key=len, reverse=True)
#: Documents' English titles: "14th Five-Year Plan" is a name, written 十四五 in Chinese, not a fact.
TITLES_EN = sorted(planlib.load_sources()["title_en"].dropna(), key=len, reverse=True)
FLAG_PREFIXES = ("Treat this number with care", "该数据需谨慎使用", "The data-quality checks doubt", "数据质量检查对该数值存疑")


def facts(paragraph: str) -> Counter:
    """Numbers stated in a paragraph, without source references, unit phrases and quality notes."""
    sentences = re.split(r"(?<=\.)\s+|(?<=。)", paragraph)
    kept = " ".join(s for s in sentences if not s.startswith(FLAG_PREFIXES))
    kept = re.sub(r"\b\w+ L\d+", " ", kept)  # source references such as anju_14th_plan L7
    for title in TITLES_EN:
        kept = kept.replace(title, " ")
    for unit in sorted(UNIT_PHRASES, key=len, reverse=True):
        kept = kept.replace(unit, " ")
    kept = re.sub(r"(?<=\d),(?=\d{3})", "", kept)
    return Counter(re.findall(r"\d+(?:\.\d+)?", kept))


def wan(text: str) -> str:
    """Chinese 万 written out (51.49万 → 514900), as the English states it."""
    return re.sub(r"(\d+(?:\.\d+)?)万", lambda m: f"{round(float(m.group(1)) * 10_000)}", text)


@pytest.mark.parametrize("region", REGIONS)
def test_same_facts_in_both_languages(region):
    en, zh = Briefing(analyse_region(region), "en"), Briefing(analyse_region(region), "zh")
    for section in SECTIONS:
        pe, pz = en.section(section), zh.section(section)
        assert len(pe) == len(pz), section
        for a, b in zip(pe, pz):
            assert facts(a) == facts(b), (section, a, b)
    # Same statuses in the key-figures tables (both come from one assessment), with the same
    # numbers where a status states the pace needed.
    status_en = list(en.key_figures()["Status"])
    status_zh = list(zh.key_figures()["评估"])
    translate = {WORDS["en"]["text"][k]: WORDS["zh"]["text"][k] for k in WORDS["en"]["text"] if k.startswith("status.")}
    assert [translate.get(s, s) if s in translate else facts(s) for s in status_en] == [
        z if s in translate else facts(z) for s, z in zip(status_en, status_zh)]
    # The summary (verdicts, gaps, staff in people) and the 13th plan's results state the same facts.
    assert [facts(x) for x in en.largest_gaps()] == [facts(x) for x in zh.largest_gaps()]
    assert [facts(x) for x in en.staff_sentences()] == [facts(wan(x)) for x in zh.staff_sentences()]
    zh_plan = zh.previous_plan_html()
    for target in en.analysis.previous_plan["target_text"]:  # quoted in Chinese; "stated in words" in English
        if re.search(r"[\u4e00-\u9fff]", str(target)):
            zh_plan = zh_plan.replace(f"<td>{target}</td>", "")
    assert facts(en.previous_plan_html().replace("13th", "")) == facts(zh_plan)
    assert [facts(x) for x in en.summary_table().iloc[:, -1]] == [facts(x) for x in zh.summary_table().iloc[:, -1]]


def test_chinese_text_reads_naturally():
    b = Briefing(analyse_region("yangchun"), "zh")
    s = b.section_markdown("life_expectancy")
    assert "2020年人均预期寿命为77.8岁" in s
    assert "2025年目标为高于79岁" in s
    assert "年均提高0.24岁" in s
    assert b.title() == "阳春市卫生健康规划简报"
    w = Briefing(analyse_region("weihai"), "zh").section_markdown("life_expectancy")
    assert "未设定上述指标的2025年目标" in w and "山东省目标约80岁" in w
    kf = b.key_figures()
    assert list(kf.columns) == ["指标", "单位", "最新值", "2025年目标", "全国水平", "评估"]
    assert set(kf["单位"]) >= {"岁", "/10万", "‰", "人/千人口", "人/万人口"}
    assert "人均预期寿命" in set(kf["指标"])  # names from the catalog's name_zh


def test_numbers_written_as_in_the_plans():
    from planlib.report.narrative import fmt_num, t
    kw = dict(year=2020, name="卫生机构床位数", value=fmt_num(6012), unit="张", ref="guangan_14th_plan L43")
    assert t("zh", "latest", **kw) == "2020年卫生机构床位数为6012张（guangan_14th_plan L43）。"
    assert "6,012" in t("en", "latest", **kw)


def test_cjk_font_comes_from_mplfonts():
    family = fonts.register_cjk_font()
    assert family == "Noto Sans CJK SC"
    paths = [str(p) for p in fonts._candidates()]
    assert paths and "mplfonts" in paths[0]


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_chinese_figure_renders_without_missing_glyphs(tmp_path, fmt):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = figures.life_expectancy_figure(analyse_region("yangchun"), lang="zh")
        out = tmp_path / f"le.{fmt}"
        fig.savefig(out)
        plt.close(fig)
    assert out.stat().st_size > 1000


def test_without_a_cjk_font_planlib_warns_and_falls_back(monkeypatch):
    fonts.register_cjk_font.cache_clear()
    monkeypatch.setattr(fonts, "_candidates", lambda: [])
    try:
        with pytest.warns(fonts.CJKFontWarning, match="mplfonts"):
            assert fonts.register_cjk_font() is None
    finally:
        fonts.register_cjk_font.cache_clear()
        monkeypatch.undo()
        fonts.register_cjk_font()


def test_zh_figures_have_stable_suffixed_names(tmp_path):
    out = figures.region_figures(analyse_region("weihai"), tmp_path, lang="zh", svg=True)
    assert sorted(p.name for ps in out.values() for p in ps) == sorted(
        f"{n}.zh.{e}" for n in ("life_expectancy", "mortality", "workforce", "outlook") for e in ("png", "svg"))


def test_html_declares_language_and_cjk_fonts(tmp_path):
    from planlib.apps import batch
    results = batch.build(["weihai"], out=tmp_path / "out", jobs=1, langs=("en", "zh"),
                          figures=tmp_path / "figs", progress=False)
    assert all(r.ok for r in results), [(r.cell, r.error) for r in results]
    html = Path(tmp_path / "out" / "weihai.zh.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in html and "Noto Sans CJK SC" in html and "Microsoft YaHei" in html
    assert "威海市卫生健康规划简报" in html
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="weihai.html"' in index and 'href="weihai.zh.html"' in index


@pytest.mark.parametrize("region", REGIONS)
def test_quality_notes_state_the_same_facts_in_both_languages(region):
    en, zh = Briefing(analyse_region(region), "en"), Briefing(analyse_region(region), "zh")
    notes_en = en.quality_markdown().split("\n- ")[1:]
    notes_zh = zh.quality_markdown().split("\n- ")[1:]
    assert len(notes_en) == len(notes_zh) > 0
    for a, b in zip(notes_en, notes_zh):
        a, b = (re.sub(r"\\\[\d+\\\]|\[\d+\]", " ", x).split(":", 1)[-1] for x in (a, b))
        for unit in [*CATALOG_UNITS, "per 100,000"]:  # the checks name the catalog's own units ("per 1000 population")
            a = a.replace(unit, " ")
        assert facts(a) == facts(b.split("：", 1)[-1]), (a, b)
        assert not re.search(r"[A-Za-z]{4,}", b), b  # no English left in the Chinese note


def test_every_finding_on_the_bundled_data_is_worded_in_both_languages():
    from planlib.report.narrative import FINDING_SHAPES, finding_text
    f = planlib.check_quality()
    unknown = [m for m in f["message"] if not any(shape.match(m) for _, shape in FINDING_SHAPES)]
    assert not unknown, unknown  # a new message shape needs its wording in words.py
    for _, r in f.iterrows():
        en = finding_text("en", r, "years")
        assert "(s)" not in en and "  " not in en
        zh = re.sub(r"[a-z0-9]+(?:_[a-z0-9]+)+(?: L\d+)?", " ", finding_text("zh", r, "岁"))  # ids: cited by number
        assert not re.search(r"[A-Za-z]{4,}", zh), r["message"]


def test_chinese_text_cites_documents_in_title_marks():
    """A Chinese official cites a document by its title in 《》: the subtitle, the 2030 notes; a title
    inside a title takes 〈〉; a press report keeps its descriptive name."""
    from planlib.report.narrative import doc_title
    from planlib.report.outlook import options_notes
    w = Briefing(planlib.analyse_region("weihai"), "zh")
    assert "依据：《〈威海市卫生与健康“十四五”规划〉中期实施情况报告》" in w.subtitle()
    assert "依据：《阳春市卫生健康事业发展“十四五”规划》" in Briefing(planlib.analyse_region("yangchun"), "zh").subtitle()
    notes = " ".join(options_notes(planlib.analyse_region("anju"), "zh"))
    assert "《中华人民共和国国民经济和社会发展第十五个五年规划纲要》" in notes
    assert doc_title("zh", "四川省人均预期寿命（官方报道）", "press") == "四川省人均预期寿命（官方报道）"
    # in English a title is quoted (a quotation inside it in single marks); a press report is not
    assert doc_title("en", "“Healthy China 2030” Planning Outline", "national plan") == "“‘Healthy China 2030’ Planning Outline”"
    assert doc_title("en", "Life expectancy in Sichuan Province (official report)", "press") == \
        "Life expectancy in Sichuan Province (official report)"
