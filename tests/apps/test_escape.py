"""Hostile text: strings from the data show as text in briefings (Markdown, HTML, MathJax), the
index and the compare view; ordinary text passes through unchanged."""
from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from planlib.apps import batch
from planlib.report.escape import md_text, no_math

SCRIPT = "<script>alert(1)</script>"
MARKDOWN = "**bold** [link](http://x)"
MATH = "$x^2$"
LONG = ("A very long name. " * 300)[:5000]
HOSTILE = f"{SCRIPT} {MARKDOWN} {MATH}"


class _MathJaxText(HTMLParser):
    """Text that MathJax would read: outside script/style/code and elements of an ignore class."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        ignored = (self.stack[-1] if self.stack else False) or tag in ("head", "title", "script", "style", "code", "pre") \
            or "tex2jax_ignore" in classes
        if tag not in ("br", "img", "meta", "link", "input", "hr", "wbr"):
            self.stack.append(ignored)

    def handle_endtag(self, tag):
        if self.stack and tag not in ("br", "img", "meta", "link", "input", "hr", "wbr"):
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


def mathjax_text(page: str) -> str:
    parser = _MathJaxText()
    parser.feed(page)
    return "".join(parser.text)


@pytest.mark.parametrize("text, shown", [
    (SCRIPT, "&lt;script&gt;alert(1)&lt;/script&gt;"), (MARKDOWN, MARKDOWN), ("_a_ __b__ *c* `d` ~~e~~ ![f](g)", "_a_ __b__ *c* `d` ~~e~~ ![f](g)"),
    ("# heading", "# heading"), ("- item", "- item"), ("1. item", "1. item"), ("> quote", "&gt; quote"),
    ("a\n\n# b\n- c", "a # b - c"), ("<!-- c -->", "&lt;!-- c --&gt;"), ("&amp; &#36;", "&amp;amp; &amp;#36;"),
    ("www.x.org http://x.org", "www.x.org http://x.org"), ("| a | b |", "| a | b |"),
])
def test_md_text_shows_markup_as_text(text, shown):
    html = markdown2html_mistune("- " + md_text(text))  # also where a line starts: a list item
    assert html == f"<ul>\n<li>{shown}</li>\n</ul>\n"


@pytest.mark.parametrize("text", [MATH, r"\(x\)", r"\[x\]", r"\begin{equation}x\end{equation}", "$$x$$"])
def test_md_text_keeps_mathematics_from_mathjax(text):
    html = markdown2html_mistune(md_text(text))
    assert 'class="tex2jax_ignore mathjax_ignore"' in html
    assert text in html and mathjax_text(html).strip() == ""
    assert no_math(f"<td>{text}</td>").startswith('<div class="tex2jax_ignore mathjax_ignore">')
    assert no_math("<td>x</td>") == "<td>x</td>"


def _bundled_strings() -> list[str]:
    data = Path(__file__).resolve().parents[2] / "data"
    columns = {"regions.csv": ["name_en", "name_zh"],
               "sources.csv": ["title", "issuer", "date", "document_number", "note", "note_zh"],
               "observations.csv": ["value_text", "unit_text", "note"],
               "indicators.csv": ["name_en", "name_zh", "short_name_en", "short_name_zh", "unit_en", "unit_zh"]}
    out = []
    for name, cols in columns.items():
        with (data / name).open(encoding="utf-8") as fh:
            out += [row[c] for row in csv.DictReader(fh) for c in cols if row.get(c)]
    from planlib.analysis.quality import check_quality
    out += list(check_quality()["message"])
    return out


def test_md_text_leaves_every_bundled_string_unchanged():
    strings = _bundled_strings()
    assert len(strings) > 1000
    changed = [s for s in strings if md_text(s) != s]
    # '>79' would start a quote where a line starts; inside a sentence, where values stand, it is kept
    assert changed and all(s.startswith(">") and md_text(s) == "\\" + s for s in changed), changed
    assert all(md_text(f"x {s}") == f"x {s}" for s in strings)


def _hostile_data(data: Path) -> None:
    """Anju's names, its plan's title and issuer, every source's note and its maternal-mortality
    target as written hold markup and mathematics; the notes also a 5,000-character string (not
    the title: figures print it in their source line, which cannot wrap 5,000 characters)."""
    def rewrite(name: str, change) -> None:
        path = data / name
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            fields, rows = reader.fieldnames, list(reader)
        for row in rows:
            change(row)
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)

    def region(row):
        if row["id"] == "anju":
            row["name_en"], row["name_zh"] = HOSTILE, HOSTILE

    def source(row):
        row["note"] = row["note_zh"] = f"{HOSTILE} {LONG}"
        if row["id"] == "anju_14th_plan":
            row["title"], row["issuer"] = f"{SCRIPT} {MARKDOWN}", MATH

    def observation(row):
        if (row["region_id"], row["indicator_id"], row["year"], row["kind"]) == \
                ("anju", "maternal_mortality", "2025", "target"):
            row["comparator"], row["value"], row["value_text"] = "text", "", HOSTILE

    rewrite("regions.csv", region)
    rewrite("sources.csv", source)
    rewrite("observations.csv", observation)


@pytest.mark.usefixtures("no_documents")
def test_hostile_strings_show_as_text_in_the_briefing_and_index(data_copy, tmp_path):
    _hostile_data(data_copy)
    results = batch.build(["anju"], out=tmp_path / "out", figures=tmp_path / "figs", jobs=1,
                          langs=("en", "zh"), data=str(data_copy), progress=False)
    assert all(r.ok for r in results), [(r.cell, r.error) for r in results]
    for name in ("anju.html", "anju.zh.html", "index.html"):
        page = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert "<script>alert" not in page and "<strong>bold" not in page and '<a href="http://x"' not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        if name == "index.html":  # planlib's own page: no MathJax to read $x^2$
            assert "mathjax" not in page.lower() and "<script" not in page
        else:
            assert MATH not in mathjax_text(page) and MATH in page
            assert "**bold** [link](http://x)" in page  # shown, not formatted
            assert LONG.strip() in page  # the notes, whole
            assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4  # title, heading, target, notes
    en = (tmp_path / "out" / "anju.html").read_text(encoding="utf-8")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; **bold** [link](http://x) $x^2$: health-plan briefing</title>" in en
    assert re.search(r"<h1[^>]*>.*&lt;script&gt;alert\(1\)&lt;/script&gt; \*\*bold\*\* \[link\]\(http://x\)", en)


def test_compare_view_markdown_escapes_names():
    import pandas as pd

    from planlib.apps import compare
    data = pd.DataFrame([{"region_id": "r", "region_name": HOSTILE, "indicator_name": "Life *expectancy*",
                          "target_text": SCRIPT, "target_ref": "r_plan L1", "national_target_text": MATH,
                          "national_target_ref": "n L2", "copies_national": True, "already_met": False,
                          "baseline_year": 2020},
                         {"region_id": "s", "region_name": MARKDOWN, "indicator_name": "x", "target_text": "",
                          "target_ref": "", "national_target_text": "", "national_target_ref": "",
                          "copies_national": False, "already_met": False, "baseline_year": 2020}])
    html = markdown2html_mistune(compare.copied_targets_markdown(data))
    assert "<script>alert" not in html and "<strong>bold" not in html and '<a href="http://x"' not in html
    assert "<em>" not in html and MATH not in mathjax_text(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold** [link](http://x)" in html
    assert '<strong><span class="tex2jax_ignore mathjax_ignore">&lt;script&gt;' in html
