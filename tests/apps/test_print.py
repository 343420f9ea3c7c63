"""Print and downloads: ``planlib briefings --pdf`` writes <name>.pdf and <name>.csv beside each
<name>.html (A4 portrait, the summary alone on page 1, the region's name and page x of y on every
page, no browser header or file path, Chinese in a real font); pages and index fetch nothing from
the internet; a PDF that cannot be made fails its region and leaves no half set of files; without
a browser, --pdf stops before any work and says what to install.

The PDF tests use the system Chromium (/usr/bin/chromium) and are skipped without it. PDFs are
read with pypdf; page images for people to look at are not made here.
"""
from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest

from planlib.apps import batch, pdf
from planlib.apps.cli import main
from planlib.apps.pages import dress_briefing
from planlib.report.words import word

from .conftest import descendants, running

CHROMIUM = Path("/usr/bin/chromium")
A4 = (595.28, 841.89)  # points
EXTERNAL = re.compile(r'<script[^>]+src="(?!data:)|<link[^>]+href="https?:|@import|url\(\s*["\']?https?:|'
                      r'import\(\s*["\']https?:')

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed: apt-get install chromium")


def pdf_pages(data: bytes) -> list[tuple[tuple[float, float], str]]:
    """(width, height) in points and the text (NFKC: CJK radicals as the ideographs) of each page."""
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(data))
    return [((float(p.mediabox.width), float(p.mediabox.height)), unicodedata.normalize("NFKC", p.extract_text()))
            for p in reader.pages]


def is_a4_portrait(size: tuple[float, float]) -> bool:
    return abs(size[0] - A4[0]) < 2 and abs(size[1] - A4[1]) < 2


def summary_page(lang: str, name: str) -> str:
    """A minimal exported briefing: a summary section, then a long section, as the notebook's cells
    would give them."""
    head = word(lang, "page", "summary")
    body = "".join(f"<p>Paragraph {i} of the section 第{i}段。</p>" for i in range(60))
    return (f"<!doctype html><html><head><title>t</title></head><body>"
            f'<div class="jp-OutputArea-child"><section class="planlib-summary"><h2>{head}</h2>'
            f"<p>{name}: the summary.</p></section></div>"
            f'<div class="jp-OutputArea-child"><h2>Next section</h2>{body}</div></body></html>')


@pytest.fixture
def printer():
    """A browser for one test (the apps tests allow no process to outlive its test)."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")
    p = pdf.Printer(str(CHROMIUM))
    yield p
    p.close()


@needs_chromium
@pytest.mark.parametrize("lang,name", [("en", "Yangchun"), ("zh", "阳春市")])
def test_summary_alone_on_page_one_a4_with_name_and_page_numbers(printer, lang, name):
    page = dress_briefing(summary_page(lang, name), "yangchun", lang, ("en", "zh"), True)
    pages = pdf_pages(printer.pdf(page, name, lang))
    assert len(pages) >= 3
    assert all(is_a4_portrait(size) for size, _ in pages)
    first = pages[0][1]
    assert word(lang, "page", "summary") in first and "the summary" in first
    assert "Next section" not in first and "Paragraph" not in first  # page 2 starts after the summary
    assert "Next section" in pages[1][1]
    n = len(pages)
    for i, (_, text) in enumerate(pages, start=1):
        assert name in text.splitlines()[0] or name in text  # the region's name on every page
        number = f"Page {i} of {n}" if lang == "en" else f"第{i}"
        assert number in (text if lang == "en" else re.sub(r"\s+", "", text)), (i, text[:200])
        for leak in ("file:", "about:blank", ".html", "/tmp", "://"):
            assert leak not in text, (leak, text[:300])
    assert "links" not in first.lower()  # the links bar is not printed
    assert word(lang, "page", "nav.index") not in first


CJK_PUNCTUATION = set("（）《》“”‘’。，、；：！？")


def overlapping_glyphs(data: bytes, page: int = 0) -> list[str]:
    """Pairs of neighbouring characters on one line of a PDF page whose boxes overlap by more than a
    third of a glyph: text spilling over the text next to it."""
    import pdfplumber
    with pdfplumber.open(io.BytesIO(data)) as doc:
        chars = [c for c in doc.pages[page].chars if c["text"].strip()]
    lines: dict[int, list[dict]] = {}
    for c in chars:
        lines.setdefault(round(c["top"] / 3), []).append(c)
    clashes = []
    for line in lines.values():
        line.sort(key=lambda c: c["x0"])
        for a, b in zip(line, line[1:]):
            if a["text"] in CJK_PUNCTUATION and b["text"] in CJK_PUNCTUATION:
                continue  # "）。": the font sets two punctuation marks closer, as Chinese print does
            if b["x0"] < a["x1"] - (a["x1"] - a["x0"]) / 3:
                clashes.append(a["text"] + b["text"])
    return clashes


@needs_chromium
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_summary_table_cells_do_not_spill_into_each_other(printer, lang):
    """The one-page summary of the region with the longest Chinese cells, in JupyterLab's table
    rules (equal columns): every value stays in its own cell."""
    from planlib import analyse_region
    from planlib.report.briefing import Briefing
    b = Briefing(analyse_region("xiangqiao"), lang)
    lab = "<style>.jp-RenderedHTMLCommon table {table-layout: fixed; margin: 0 auto}</style>"  # as JupyterLab's CSS
    page = (f"<!doctype html><html><head><title>t</title>{lab}</head><body>"
            f'<div class="jp-RenderedHTMLCommon">{b.summary_html()}</div></body></html>')
    data = printer.pdf(dress_briefing(page, "xiangqiao", lang, (lang,), True), b.region_name(), lang)
    assert not overlapping_glyphs(data), overlapping_glyphs(data)[:10]


@needs_chromium
def test_chinese_prints_in_a_real_font(printer):
    """Chinese text comes out as text in a CJK font (not boxes), even on a machine without one,
    and as the ideographs themselves (人, 页), not the radicals that share their glyphs, so a
    reader can search the PDF."""
    from pypdf import PdfReader
    data = printer.pdf(dress_briefing(summary_page("zh", "湘桥区") .replace("the summary", "人均预期寿命"),
                                      "xiangqiao", "zh", ("zh",), True), "湘桥区", "zh")
    raw = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "人均预期寿命" in raw.replace(" ", "") and "页" in raw
    assert not [c for c in raw if 0x2E80 <= ord(c) <= 0x2FDF], "radicals instead of ideographs"
    pages = pdf_pages(data)
    text = re.sub(r"\s+", "", "".join(t for _, t in pages))
    assert "湘桥区" in text and "摘要" in text and "第1段" in text and "第2页，共" in text.replace(",", "，").replace("⻚", "页")
    assert "\x00" not in text and "\ufffd" not in text


@needs_chromium
def test_a_print_that_takes_too_long_is_stopped_and_the_next_one_works(printer):
    page = dress_briefing(summary_page("en", "Anju"), "anju", "en", ("en",), True)
    with pytest.raises(pdf.PrintError, match="longer than"):
        printer.pdf(page, "Anju", "en", timeout=0.01)
    assert len(pdf_pages(printer.pdf(page, "Anju", "en"))) >= 2  # a fresh browser


def test_css_strings_cannot_break_out():
    assert pdf.css_string('a"b</style>\\') == '"a\\22 b\\3c /style\\3e \\5c "'
    assert pdf.page_number_content("en") == '"Page " counter(page) " of " counter(pages)'
    assert pdf.page_number_content("zh") == '"第" counter(page) "页，共" counter(pages) "页"'


def test_without_a_browser_pdf_stops_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PLANLIB_CHROMIUM", str(tmp_path / "no-such-chromium"))
    code = main(["briefings", "weihai", "--pdf", "--out", str(tmp_path / "out"), "--figures", str(tmp_path / "f")])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "apt-get install chromium" in err and "playwright install" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@needs_chromium
def test_briefings_with_pdf_and_csv(tmp_path):
    """The real notebook: yangchun in English and Chinese, two workers, with --pdf."""
    out, figs = tmp_path / "out", tmp_path / "figs"
    code = main(["briefings", "yangchun", "--lang", "both", "--pdf", "--jobs", "2", "--quiet",
                 "--out", str(out), "--figures", str(figs)])
    assert code == 0
    for name, lang in (("yangchun", "en"), ("yangchun.zh", "zh")):
        for ext in ("html", "ipynb", "csv", "pdf"):
            assert (out / f"{name}.{ext}").is_file(), f"{name}.{ext}"
        page = (out / f"{name}.html").read_text(encoding="utf-8")
        assert not EXTERNAL.findall(page)
        nav = re.search(r'<nav class="planlib-nav".*?</nav>', page).group(0)
        index, other = ("index.html", "yangchun.zh.html") if lang == "en" else ("index.zh.html", "yangchun.html")
        options = "yangchun-2030.csv" if lang == "en" else "yangchun-2030.zh.csv"
        assert (out / options).read_text(encoding="utf-8-sig").startswith(
            "Indicator," if lang == "en" else "指标,")
        for href in (index, other, f"{name}.csv", options, f"{name}.pdf"):
            assert f'href="{href}"' in nav, href
        assert word(lang, "page", "nav.pdf") in nav
        pages = pdf_pages((out / f"{name}.pdf").read_bytes())
        region = "Yangchun" if lang == "en" else "阳春市"
        assert len(pages) >= 3 and all(is_a4_portrait(s) for s, _ in pages)
        for i, (_, text) in enumerate(pages, start=1):
            assert region in text
            assert (f"Page {i} of {len(pages)}" if lang == "en" else f"第{i}") in (
                text if lang == "en" else re.sub(r"\s+", "", text))
            assert "file:" not in text and "://" not in text
        first = pages[0][1] if lang == "en" else re.sub(r"\s+", "", pages[0][1])
        assert word(lang, "page", "title", name=region) in first
        if 'class="planlib-summary"' in page:  # the summary section, once the notebook has it
            assert word(lang, "page", "summary") in first
            assert word(lang, "page", "life_expectancy") not in first.split(word(lang, "page", "summary"))[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="yangchun.pdf"' in index and 'href="yangchun.zh.pdf"' in index


def test_a_pdf_failure_fails_the_region_and_leaves_no_half_set(tmp_path, monkeypatch):
    class Broken:
        def pdf(self, *args, **kwargs):
            raise pdf.PrintError("the browser crashed")

        def kill(self):
            pass

        def close(self):
            pass

    monkeypatch.setattr(batch, "_PRINTER", Broken())
    out, figs = tmp_path / "out", tmp_path / "figs"
    out.mkdir()
    (out / "weihai.pdf").write_bytes(b"an older PDF")
    results = batch.build(["weihai"], out=out, figures=figs, jobs=1, progress=False, pdf=True)
    assert not results[0].ok
    assert results[0].error == "cannot make the PDF: the browser crashed"
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("weihai")) == ["weihai.pdf"]  # as it was
    assert not (figs / "weihai").exists()
    assert "cannot make the PDF: the browser crashed" in (out / "index.html").read_text(encoding="utf-8")
    # built again without --pdf: the page links no PDF, and the older PDF, which no longer matches, goes
    again = batch.build(["weihai"], out=out, figures=figs, jobs=1, progress=False)
    assert again[0].ok
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("weihai")) == \
        ["weihai-2030.csv", "weihai.csv", "weihai.html", "weihai.ipynb"]
    assert "weihai.pdf" not in (out / "weihai.html").read_text(encoding="utf-8")




def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@needs_chromium
@pytest.mark.parametrize("how", ["kill -9", "SIGTERM"])
def test_a_stopped_pdf_build_leaves_no_browser_behind(tmp_path, how):
    """Stop planlib while its workers print: workers, kernels, Playwright drivers and browsers
    all end within seconds (the browser dies with its driver, the driver with its worker)."""
    import signal
    import subprocess
    import sys
    import time
    proc = subprocess.Popen(
        [sys.executable, "-m", "planlib.apps.cli", "briefings", "weihai", "anju", "xiangqiao", "yangchun",
         "--lang", "both", "--pdf", "--jobs", "2", "--quiet", "--out", str(tmp_path / "out"),
         "--figures", str(tmp_path / "figs")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 240
    while True:  # until a worker's browser runs
        tree = descendants(proc.pid)
        if any("run-driver" in _cmd(p) for p in tree) and any("chrom" in _cmd(p) for p in tree[1:]):
            break
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"no browser started: {proc.communicate()}")
        time.sleep(0.2)
    time.sleep(0.5)
    tree = descendants(proc.pid)
    proc.send_signal(signal.SIGKILL if how == "kill -9" else signal.SIGTERM)
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 15
    while any(running(p) for p in tree) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [(p, _cmd(p)[:120]) for p in tree if running(p)]
    assert not left, f"still running 15 s later: {left}"


def test_the_print_font_is_made_once_and_kept(tmp_path):
    import time
    from fontTools.ttLib import TTFont
    made = pdf.print_font(cache=tmp_path)
    assert made is not None and made.parent == tmp_path
    t0 = time.monotonic()
    assert pdf.print_font(cache=tmp_path) == made and time.monotonic() - t0 < 0.5
    font = TTFont(str(made), lazy=True)
    font.setGlyphOrder([f"g{i}" for i in range(font["maxp"].numGlyphs)])  # no slow read of glyph names
    cmap = font["cmap"].getBestCmap()
    assert 0x4EBA in cmap and 0x2F08 not in cmap  # 人 kept, the radical ⼈ left out
    assert not list(tmp_path.glob(".*.tmp"))
