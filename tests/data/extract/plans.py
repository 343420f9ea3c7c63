"""Small invented plans for the extraction tests, written in every format planlib reads.

The plan is planlib's bundled example (青山县, every figure invented): its paragraphs and its
indicator table are rebuilt as TXT (in several encodings), HTML (merged category cells as
rowspan, navigation and scripts around it), DOCX (merged cells) and PDF (a text layer, a ruled
table, paragraphs broken at the page width, fake-bold doubled characters). No text here comes
from a real plan.
"""
from __future__ import annotations

import html
from pathlib import Path

import pytest

from planlib.data.extract import example_plan
from planlib.data.extract.catalog import Catalog
from planlib.data.tables import load_tables


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The bundled indicator catalog, ready for matching (import it into a test module)."""
    return Catalog(load_tables().indicators)


LINES = example_plan().read_text(encoding="utf-8").splitlines()
TABLE = [line.split("\t") for line in LINES if "\t" in line]
TITLE = next(line for line in LINES if "主要发展指标" in line)
BEFORE = [line for line in LINES[: LINES.index(TITLE)] if line.strip()]
AFTER = [line for line in LINES[LINES.index(TITLE) + 1:] if line.strip() and "\t" not in line]

#: Core values every format must yield: (indicator, year, kind, value as a number or "text").
EXPECTED = [
    ("life_expectancy", 2020, "actual", 78.6), ("life_expectancy", 2025, "target", 79.6),
    ("life_expectancy", 2015, "actual", 77.9), ("life_expectancy", 2025, "target", "text"),
    ("maternal_mortality", 2020, "actual", 12.5), ("maternal_mortality", 2025, "target", 12.0),
    ("infant_mortality", 2025, "target", 4.0), ("under5_mortality", 2025, "target", 5.5),
    ("beds_per_1000", 2025, "target", 6.2), ("physicians_per_1000", 2025, "target", 2.9),
    ("nurses_per_1000", 2025, "target", 3.4), ("gps_per_10000", 2025, "target", 4.0),
    ("nurses_count", 2020, "actual", 1046.0), ("nurses_per_1000", 2020, "actual", 2.6),
]


def write_txt(path: Path, encoding: str = "utf-8") -> Path:
    """The plan as a text file in ``encoding``."""
    path.write_bytes("\n".join(LINES).encode(encoding))
    return path


def html_page(lines: list[str] | None = None, charset: str = "utf-8") -> str:
    """The plan as a web page: navigation, a script and a footer around it, its table with the
    category cells merged down (rowspan) as published pages do."""
    lines = lines or LINES
    table = [line.split("\t") for line in lines if "\t" in line]
    title = lines[LINES.index(TITLE)]
    body = []
    for line in lines:
        if "\t" in line or not line.strip():
            continue
        body.append(f"<p>{html.escape(line)}</p>")
        if line == title:
            body.append(_html_table(table))
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>plan</title><style>p {{margin: 0}}</style><script>var x = 2021;</script></head>"
            f'<body><nav><a href="/">首页 2023</a> &gt; 政府信息公开</nav><div class="content">'
            + "\n".join(body) + "</div><footer>版权所有 2024 备案号 12345</footer></body></html>")


def _html_table(rows: list[list[str]]) -> str:
    out = ["<table border=1>"]
    spans = {}
    for i, row in enumerate(rows):
        if row[0]:
            n = 1
            while i + n < len(rows) and not rows[i + n][0]:
                n += 1
            spans[i] = n
    for i, row in enumerate(rows):
        cells = []
        for k, cell in enumerate(row):
            tag = "th" if i == 0 else "td"
            if k == 0:
                if i in spans:
                    cells.append(f'<{tag} rowspan="{spans[i]}">{html.escape(cell)}</{tag}>')
                continue
            cells.append(f"<{tag}>{html.escape(cell)}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def write_html(path: Path, encoding: str = "utf-8", charset: str | None = None,
               lines: list[str] | None = None) -> Path:
    """The plan as an HTML page encoded in ``encoding`` (declaring ``charset``)."""
    path.write_bytes(html_page(lines, charset or encoding).encode(encoding))
    return path


def write_docx(path: Path) -> Path:
    """The plan as a Word document; the table's category cells are merged vertically and the
    header's last two cells horizontally into the row above's pattern."""
    import docx

    d = docx.Document()
    for line in BEFORE:
        d.add_paragraph(line)
    d.add_paragraph(TITLE)
    t = d.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for i, row in enumerate(TABLE):
        for k, cell in enumerate(row):
            t.cell(i, k).text = cell
    start = None
    for i in range(1, len(TABLE) + 1):  # merge each category cell down over its empty cells
        if i == len(TABLE) or TABLE[i][0]:
            if start is not None and i - 1 > start:
                keep = TABLE[start][0]
                t.cell(start, 0).merge(t.cell(i - 1, 0))
                t.cell(start, 0).text = keep
            start = i
    for line in AFTER:
        d.add_paragraph(line)
    d.save(str(path))
    return path


def write_pdf(path: Path, fake_bold: bool = True, width: int = 28) -> Path:
    """The plan as a PDF with a text layer: paragraphs broken every ``width`` characters, the
    first line printed twice, a fraction of a point apart (fake bold), the table ruled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from planlib.report.fonts import register_cjk_font

    family = register_cjk_font() or "DejaVu Sans"
    font = {"family": family, "size": 9}
    items: list[tuple[str, object]] = []
    for line in BEFORE + [TITLE]:
        chunks = [line[i:i + width] for i in range(0, len(line), width)] or [""]
        items += [("text", c) for c in chunks]
        items.append(("gap", None))
    items.append(("table", TABLE))
    for line in AFTER:
        items += [("text", line[i:i + width]) for i in range(0, len(line), width)]
        items.append(("gap", None))
    with PdfPages(str(path)) as pdf:
        fig = plt.figure(figsize=(8.27, 11.69))
        y = 0.96
        for kind, what in items:
            if kind == "gap":
                y -= 0.008
                continue
            if kind == "text":
                fig.text(0.08, y, what, fontdict=font)
                if fake_bold and what == LINES[0][:width]:
                    fig.text(0.0804, y, what, fontdict=font)
                y -= 0.022
                continue
            rows = what
            widths = [0.1, 0.05, 0.36, 0.07, 0.1, 0.1, 0.1]
            xs = [0.04]
            for w in widths:
                xs.append(xs[-1] + w)
            h = 0.024
            top = y + 0.016
            for i, row in enumerate(rows):
                for k, cell in enumerate(row):
                    fig.text(xs[k] + 0.004, top - (i + 1) * h + 0.007, cell, fontdict={**font, "size": 7})
            for i in range(len(rows) + 1):
                fig.add_artist(plt.Line2D([xs[0], xs[-1]], [top - i * h] * 2, color="black", lw=0.6))
            for x in xs:
                fig.add_artist(plt.Line2D([x, x], [top, top - len(rows) * h], color="black", lw=0.6))
            y = top - len(rows) * h - 0.03
        pdf.savefig(fig)
        plt.close(fig)
    return path


def write_scanned_pdf(path: Path) -> Path:
    """A PDF page that is only an image (as a scanner makes): no text layer."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig = plt.figure(figsize=(4, 4))
    fig.figimage(np.random.default_rng(0).random((200, 200)), 20, 20)
    fig.savefig(str(path), format="pdf")
    plt.close(fig)
    return path
