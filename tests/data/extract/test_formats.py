"""Reading each format, and a plan in each format through extract → review → accept → briefing."""
from __future__ import annotations

import csv

import pytest

from plans import EXPECTED, LINES, write_docx, write_html, write_pdf, write_scanned_pdf, write_txt, catalog  # noqa: F401  (catalog: a fixture)
from planlib.analysis.region import analyse_region
from planlib.data.extract.extractor import extract
from planlib.data.extract.reading import ReadError, read_document
from planlib.data.extract.review import merge_review, read_review, write_review
from planlib.report.briefing import Briefing
from test_review import REGION, SOURCE


def keys(cands):
    return {(c.indicator_id, c.year, c.kind, "text" if c.comparator == "text" else c.value) for c in cands}


@pytest.mark.parametrize("encoding, said", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (byte-order mark)"),
                                            ("gb18030", "GB18030"), ("gbk", "GB18030"),
                                            ("utf-16", "UTF-16 (byte-order mark)"), ("utf-16-le", "UTF-16-LE")])
def test_text_encodings_are_detected_and_reported(tmp_path, encoding, said):
    doc = read_document(write_txt(tmp_path / "plan.txt", encoding))
    assert doc.lines == LINES
    assert doc.encoding.startswith(said) and any(said.split()[0] in n for n in doc.notes)


def test_unknown_encoding_is_a_clear_error(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_bytes(b"\x80\x81\xff\xfe\x00" * 3 + bytes(range(128, 256)) * 20)
    with pytest.raises(ReadError, match="cannot tell its text encoding.*save it as UTF-8"):
        read_document(p)


def test_unknown_format_is_a_clear_error(tmp_path):
    p = tmp_path / "plan.xls"
    p.write_bytes(b"x")
    with pytest.raises(ReadError, match=r"plan.xls: cannot read .xls"):
        read_document(p)


def test_gb18030_html_page_tables_as_rows_boilerplate_dropped(tmp_path):
    doc = read_document(write_html(tmp_path / "plan.html", "gb18030", charset="gb2312"))
    assert doc.encoding.startswith("GB18030")
    assert not any("var x" in line or "版权所有" in line or "首页" in line for line in doc.lines)
    header = next(line for line in doc.lines if line.startswith("领域\t"))
    assert header.split("\t")[2] == "指标名称"
    row = next(line for line in doc.lines if "\t孕产妇死亡率\t" in line)
    assert row.split("\t")[0] == ""  # the merged category cell is read once
    assert row.split("\t")[5] == "<12"


def test_traditional_character_page_is_read_through_normalisation(tmp_path, catalog):
    import opencc

    trad = [opencc.OpenCC("s2t").convert(line) for line in LINES]
    assert trad != LINES
    ext = extract(write_html(tmp_path / "plan.htm", "utf-8", lines=trad), catalog, "qingshan", "q")
    assert set(EXPECTED) <= keys(ext.candidates)
    for c in ext.candidates:  # quoted from the original (traditional) text
        assert c.value_text in ext.document.lines[c.line - 1]


def test_docx_with_merged_cells(tmp_path):
    doc = read_document(write_docx(tmp_path / "plan.docx"))
    rows = [line.split("\t") for line in doc.lines if "\t" in line]
    assert rows[0][:3] == ["领域", "序号", "指标名称"]
    cats = [r[0] for r in rows[1:]]
    assert cats.count("健康水平") == 1 and cats.count("健康服务") == 1  # merged: read once
    assert any(r[2] == "其中：每千人口中医类别执业（助理）医师数" for r in rows)


def test_pdf_with_text_layer_ruled_table_and_fake_bold(tmp_path):
    doc = read_document(write_pdf(tmp_path / "plan.pdf"))
    text = "\n".join(doc.lines)
    title = LINES[0]
    assert doc.lines[0] == title  # printed twice (fake bold): the doubled characters are removed
    assert "青青山山" not in text
    para = next(line for line in LINES if "由2015年的77.9岁" in line)
    assert any(para[:40] in line and para[-10:] in line for line in doc.lines)  # broken lines joined
    rows = [line for line in doc.lines if "\t" in line]
    assert any(r.split("\t")[2:6] == ["婴儿死亡率", "‰", "4.2", "<4"] for r in rows)


def test_scanned_pdf_is_a_clear_error(tmp_path):
    with pytest.raises(ReadError, match="no text layer.*OCR"):
        read_document(write_scanned_pdf(tmp_path / "scan.pdf"))


def test_broken_docx_and_pdf_are_clear_errors(tmp_path):
    for name in ("plan.docx", "plan.pdf"):
        p = tmp_path / name
        p.write_bytes(b"not really a document")
        with pytest.raises(ReadError, match=name):
            read_document(p)


WRITERS = {"txt": lambda p: write_txt(p.with_suffix(".txt"), "gb18030"),
           "html": lambda p: write_html(p.with_suffix(".html"), "utf-8"),
           "docx": lambda p: write_docx(p.with_suffix(".docx")),
           "pdf": lambda p: write_pdf(p.with_suffix(".pdf"))}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_extract_review_accept_briefing(fmt, tmp_path, data_copy, catalog):
    plan = WRITERS[fmt](tmp_path / "qingshan")
    ext = extract(plan, catalog, "qingshan", "qingshan_14th_plan")
    assert set(EXPECTED) <= keys(ext.candidates), set(EXPECTED) - keys(ext.candidates)
    out = tmp_path / "review.csv"
    write_review(ext, out, REGION, SOURCE)
    rows, _ = read_review(out)
    for r in rows:
        r["status"] = "accept" if r["indicator_id"] else "reject"
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    merge_review(out, data_copy)
    b = Briefing(analyse_region("qingshan", data_copy))
    text = b.section_markdown("life_expectancy")
    assert "78.6" in text and "79.6" in text


def test_an_added_region_gets_a_full_briefing(tmp_path, data_copy, catalog):
    """The HTML briefing itself (notebook, kernel, export) for a region added with extract."""
    from planlib.apps import batch

    plan = write_txt(tmp_path / "qingshan.txt")
    ext = extract(plan, catalog, "qingshan", "qingshan_14th_plan")
    out = tmp_path / "review.csv"
    write_review(ext, out, REGION, SOURCE)
    rows, _ = read_review(out)
    for r in rows:
        r["status"] = "accept" if r["indicator_id"] else "reject"
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    merge_review(out, data_copy)
    results = batch.build(["qingshan"], out=tmp_path / "b", jobs=1, figures=tmp_path / "f", progress=False,
                          data=str(data_copy))
    assert all(r.ok for r in results), [(r.cell, r.error) for r in results]
    html = (tmp_path / "b" / "qingshan.html").read_text(encoding="utf-8")
    assert "Qingshan" in html and "79.6" in html
    assert "line 7" in html  # cited in the stored document, as for the bundled regions


def test_text_wrapped_at_a_page_width_is_joined_into_paragraphs(tmp_path, catalog):
    para = next(line for line in LINES if "由2015年的77.9岁" in line)
    wrapped = [para[i:i + 20] for i in range(0, len(para), 20)]
    text = "\n".join(["第一章 发展基础"] + wrapped + ["", "到2025年，婴儿死亡率控制在4‰以内，孕产妇死亡率低于1", "2/10万。"])
    p = tmp_path / "wrapped.txt"
    p.write_text(text, encoding="utf-8")
    doc = read_document(p)
    assert para in doc.lines and any("joined" in n for n in doc.notes)
    ext = extract(p, catalog, "q", "q")
    assert {("life_expectancy", 2015, "actual", 77.9), ("under5_mortality", 2020, "actual", 5.8),
            ("maternal_mortality", 2025, "target", 12.0)} <= keys(ext.candidates)  # 1|2/10万: broken mid-number
