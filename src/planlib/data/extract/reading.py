"""Read a plan in TXT, HTML, PDF or DOCX into lines: one paragraph or one table row per line.

Table rows become one line each with their cells separated by tabs (a merged cell is read once,
its other positions left empty), so that every format reaches the extractor in the shape a
tab-separated text table has, and so that the stored document keeps ``source_line`` numbers
meaningful. The encoding of a text or HTML file is detected and always reported (never guessed
silently); a file planlib cannot read raises :class:`ReadError` with a one-line message that
names the file and says what to do.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

#: File suffixes planlib reads, by format.
FORMATS = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}


class ReadError(ValueError):
    """A plan that cannot be read; the message names the file and what to do."""


@dataclass
class Document:
    """A plan as lines of text (line n is ``lines[n - 1]``), with how it was read."""

    path: Path
    format: str
    lines: list[str]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The document as stored: UTF-8 text, one paragraph or table row per line."""
        return "\n".join(self.lines) + "\n"


def read_document(path: str | Path) -> Document:
    """Read a plan file (.txt, .html/.htm, .pdf, .docx) into a :class:`Document`."""
    p = Path(path)
    if not p.is_file():
        raise ReadError(f"{p}: no such file")
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        hint = " (save a .doc or .wps file as .docx)" if p.suffix.lower() in (".doc", ".wps") else ""
        raise ReadError(f"{p}: cannot read {p.suffix or 'files without a suffix'}; "
                        f"give a .txt, .html, .pdf or .docx file{hint}")
    reader = {"txt": _read_txt, "html": _read_html, "pdf": _read_pdf, "docx": _read_docx}[fmt]
    doc = reader(p)
    doc.lines = [clean_line(line) for line in doc.lines]
    if not any(line.strip() for line in doc.lines):
        raise ReadError(f"{p}: the file holds no text")
    return doc


def clean_line(line: str) -> str:
    """A line without control characters or trailing spaces (tabs, which separate cells, stay)."""
    line = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", line)
    line = re.sub(r"[\u2028\u2029\x85]", " ", line)  # would split the line for splitlines()
    return line.rstrip(" \r\u3000")


# --- text and encodings --------------------------------------------------------------------

_BOMS = [(codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16")]
#: Encodings detectors name for Chinese text, read as their superset GB18030.
_GB = {"gb2312", "gbk", "gb18030", "cp936", "hz", "big5"}


def decode(data: bytes, path: Path, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes: byte-order mark, else the declared charset, else UTF-8, else detection.
    Returns (text, how it was read, for the report); ReadError when no encoding fits."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return data.decode(codec), f"{name} (byte-order mark)"
    if declared:
        codec = "gb18030" if declared.lower() in _GB - {"big5"} else declared
        try:
            return data.decode(codec), f"{codec.upper()} (declared in the file)"
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    if data[1::2].count(0) > len(data) // 4 or data[0::2].count(0) > len(data) // 4:
        codec = "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(codec), f"{codec.upper()} (detected, no byte-order mark)"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        codec = "gb18030" if best.encoding.lower() in _GB - {"big5"} else best.encoding.replace("_", "-")
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            text = None
        if text is not None and _looks_like_text(text):
            return text, f"{codec.upper()} (detected)"
    try:  # short Chinese files defeat detectors; GB18030 decodes them or fails loudly
        text = data.decode("gb18030")
        if _looks_like_text(text):
            return text, "GB18030 (detected: not UTF-8, decodes as GB18030)"
    except UnicodeDecodeError:
        pass
    raise ReadError(f"{path}: cannot tell its text encoding (not UTF-8, UTF-16 or GB18030); "
                    f"save it as UTF-8 and try again")


def _looks_like_text(text: str) -> bool:
    """Mostly Chinese, ASCII and punctuation, not control or private-use characters."""
    if not text:
        return False
    bad = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n" or 0x7F <= ord(c) <= 0x9F
              or 0xE000 <= ord(c) <= 0xF8FF or c == "\ufffd")
    wide = [c for c in text if ord(c) > 0x7F]
    cjk = sum(1 for c in wide if 0x3000 <= ord(c) <= 0x9FFF or 0xFF00 <= ord(c) <= 0xFFEF)
    return bad <= len(text) // 100 and (not wide or cjk >= 0.3 * len(wide))


def _read_txt(path: Path) -> Document:
    """A text file, its encoding detected; a file hard-wrapped at a page width has its
    paragraphs joined (one paragraph per line)."""
    text, how = decode(path.read_bytes(), path)
    lines = split_lines(text)
    notes = [f"read as {how}"]
    if hard_wrapped(lines):
        lines = join_broken_lines(lines)
        notes.append("lines broken at the page width joined into paragraphs")
    return Document(path, "txt", lines, encoding=how, notes=notes)


def hard_wrapped(lines: list[str]) -> bool:
    """Most lines run to the same width without ending a sentence: text wrapped at a page width
    (as a PDF or e-mail conversion leaves it), not one paragraph per line."""
    text = [s.strip() for s in lines if s.strip() and "\t" not in s]
    if len(text) < 5:
        return False
    widths = sorted(len(s) for s in text)
    full = widths[int(0.9 * (len(widths) - 1))]
    wrapped = sum(1 for s in text if len(s) >= 0.85 * full and not s.endswith(_SENTENCE_END))
    return full <= 120 and wrapped >= 0.4 * len(text)


def split_lines(text: str) -> list[str]:
    """Lines as ``grep -n`` numbers them (only \\n, \\r\\n and \\r end a line)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


# --- HTML ------------------------------------------------------------------------------------

_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "blockquote",
          "pre", "dd", "dt", "caption", "center", "td", "th", "tr", "ul", "ol", "body", "main",
          "table", "tbody", "thead", "tfoot", "form", "span_block"}
_BOILERPLATE = {"script", "style", "noscript", "nav", "header", "footer", "aside", "iframe", "form",
                "button", "select", "input", "svg", "template", "head"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


def _read_html(path: Path) -> Document:
    """An HTML page, its encoding from its meta charset or detected."""
    data = path.read_bytes()
    m = _CHARSET.search(data[:4096])
    text, how = decode(data, path, m.group(1).decode("ascii") if m else None)
    lines = html_lines(text)
    return Document(path, "html", lines, encoding=how, notes=[f"read as {how}"])


def html_lines(markup: str) -> list[str]:
    """The text of an HTML page as lines: one per block of text, one per table row (cells
    separated by tabs, a merged cell read once); scripts, styles, navigation, headers and
    footers dropped."""
    import lxml.html

    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)  # lxml refuses text with an encoding declaration
    root = lxml.html.document_fromstring(markup) if markup.strip() else None
    if root is None:
        return []
    for bad in root.xpath("|".join(f"//{t}" for t in _BOILERPLATE)):
        bad.drop_tree()
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        """End the current line of text."""
        line = re.sub(r"[ \t\r\n]+", " ", "".join(buf)).strip()
        if line:
            lines.append(line)
        buf.clear()

    def walk(el: "lxml.html.HtmlElement") -> None:
        """Collect the text of an element and its children, line by line."""
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "table":
            flush()
            lines.extend(_table_rows(el))
            if el.tail:
                buf.append(el.tail)
            return
        if tag == "br":
            flush()
        elif tag in _BLOCK:
            flush()
        if el.text and tag:
            buf.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK:
            flush()
        if el.tail:
            buf.append(el.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return lines


def _cell_text(el: "lxml.html.HtmlElement") -> str:
    """The text of a table cell, spaces collapsed."""
    return re.sub(r"\s+", " ", el.text_content()).strip()


def _table_rows(table: "lxml.html.HtmlElement") -> list[str]:
    """Rows of an HTML table as tab-separated lines; rowspan/colspan cells are read once and
    leave empty positions, so that columns stay aligned."""
    rows = [tr for tr in table.iter("tr")]
    taken: dict[tuple[int, int], bool] = {}
    out = []
    for r, tr in enumerate(rows):
        cells: dict[int, str] = {}
        col = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while taken.get((r, col)):
                cells[col] = ""
                col += 1
            span_c = max(1, int(td.get("colspan", "1") or 1)) if str(td.get("colspan", "1")).isdigit() else 1
            span_r = max(1, int(td.get("rowspan", "1") or 1)) if str(td.get("rowspan", "1")).isdigit() else 1
            cells[col] = _cell_text(td)
            for dc in range(span_c):
                for dr in range(span_r):
                    if dr or dc:
                        taken[(r + dr, col + dc)] = True
            for dc in range(1, span_c):
                cells[col + dc] = ""
            col += span_c
        while taken.get((r, col)):
            cells[col] = ""
            col += 1
        if any(v for v in cells.values()):
            out.append("\t".join(cells.get(i, "") for i in range(max(cells) + 1)))
    return out


# --- DOCX --------------------------------------------------------------------------------------

def _read_docx(path: Path) -> Document:
    """A Word document: paragraphs and table rows in document order."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover
        raise ReadError(f"{path}: reading .docx needs python-docx ({exc})") from None
    try:
        d = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a broken file
        raise ReadError(f"{path}: not a readable .docx file ({type(exc).__name__}); "
                        f"open it in Word or WPS and save it again as .docx") from None
    lines: list[str] = []
    body = d.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, d).text)
        elif tag == "tbl":
            lines.extend(_docx_rows(Table(child, d)))
    return Document(path, "docx", lines, encoding="DOCX (UTF-8 XML)", notes=["read as DOCX"])


def _docx_rows(table: "docx.table.Table") -> list[str]:
    """Rows of a Word table as tab-separated lines. python-docx repeats a merged cell at every
    position it covers; each underlying cell is read once, its other positions left empty."""
    seen: set = set()  # the cell elements themselves: holding them keeps lxml's proxies (and identity) stable
    out = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell._tc in seen:
                cells.append("")
                continue
            seen.add(cell._tc)
            cells.append(re.sub(r"\s+", " ", cell.text).strip())
        if any(cells):
            out.append("\t".join(cells))
    return out


# --- PDF -------------------------------------------------------------------------------------

_SENTENCE_END = tuple("。；;！!？?：:")
_HEADING = re.compile(r"^(第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、．]|——)")


def _read_pdf(path: Path) -> Document:
    """A PDF's text layer, page by page; ReadError for a scanned or unreadable file."""
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover
        raise ReadError(f"{path}: reading .pdf needs pdfplumber ({exc})") from None
    lines: list[str] = []
    chars = 0
    try:
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                page = page.dedupe_chars()  # fake-bold fonts print every character twice
                chars += len(page.chars)
                lines.extend(_pdf_page_lines(page))
    except ReadError:
        raise
    except Exception as exc:  # pdfminer raises many kinds for a damaged file
        raise ReadError(f"{path}: not a readable PDF ({type(exc).__name__}); "
                        f"save it again as PDF or give a .docx or .txt version") from None
    if chars == 0:
        raise ReadError(f"{path}: the PDF has no text layer (a scanned document?); "
                        f"run OCR on it first or give a .docx or .txt version")
    if sum(line.count("(cid:") for line in lines) > 20:
        raise ReadError(f"{path}: the PDF's fonts do not say which characters they draw ((cid:NN) "
                        f"text); give a .docx or .txt version of the plan")
    return Document(path, "pdf", join_broken_lines(lines), encoding="PDF text layer",
                    notes=["read from the PDF's text layer (doubled characters removed)"])


def _pdf_page_lines(page: "pdfplumber.page.Page") -> list[str]:
    """A page's text lines and table rows (tab-separated), in reading order from the top."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        """An object (character, line) outside every table on the page."""
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    blocks: list[tuple[float, list[str]]] = []
    text_page = page.filter(outside) if boxes else page
    for line in text_page.extract_text_lines(return_chars=False):
        blocks.append((line["top"], [line["text"]]))
    for t in tables:
        rows = []
        for row in t.extract():
            cells = [re.sub(r"\s+", "", c) if c else "" for c in row]
            if any(cells):
                rows.append("\t".join(cells))
        blocks.append((t.bbox[1], ["\t" + "\u0000TABLE"] + rows))
    blocks.sort(key=lambda b: b[0])
    return [ln for _, lns in blocks for ln in lns]


def join_broken_lines(lines: list[str]) -> list[str]:
    """Join the lines of a paragraph that a PDF broke at the page width (a line that does not end
    a sentence continues on the next, unless that starts a heading or a table row). Table rows
    stay one per line; a blank line separates a table from the text around it."""
    out: list[str] = []
    open_para = False
    widths = sorted(len(s.strip()) for s in lines if s.strip() and "\t" not in s)
    full = widths[int(0.9 * (len(widths) - 1))] if widths else 0  # a line that reaches the margin
    for line in lines:
        if line == "\t\u0000TABLE":
            out.append("")
            open_para = False
            continue
        if "\t" in line:
            out.append(line)
            open_para = False
            continue
        s = line.strip()
        if not s:
            open_para = False
            continue
        if open_para and out and not _HEADING.match(s):
            out[-1] += s
        else:
            if out and "\t" in out[-1]:
                out.append("")
            out.append(s)
        open_para = not s.endswith(_SENTENCE_END) and len(s) >= 0.85 * full and len(s) > 8
    return out
