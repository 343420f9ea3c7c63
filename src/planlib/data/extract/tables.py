"""Indicator tables that became text: find them and read their rows through their headers.

Three shapes are read (a plan's table may show any of them, and a reader of HTML, DOCX or PDF
gives the third):

* one cell per line, separated by blank lines (``人均预期寿命(岁)`` / ``77.8`` / ``77.8``);
* one cell per line after a leading tab, a lone tab standing for a merged (empty) cell, rows
  separated by blank lines;
* one tab-separated row per line, headers repeated after page breaks, merged cells left empty.

Column meaning comes from the header (``指标值``/``规划目标``: the plan's target; ``2020年``,
``现状``: the actual; ``2025年目标``; ``单位``; ``指标性质``/``属性``: 预期性/约束性; ``备注``)
and from the table's title (十三五 → targets for 2020, 十四五 → targets for 2025). Rows are found
by their label: the cell just before the values, whatever category or serial-number cells come
first (merged category cells may be empty or missing), ``其中:`` sub-rows included; ``-``/``—``
cells are empty.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from planlib.data.extract.candidates import Candidate, unit_of
from planlib.data.extract.catalog import Catalog, looks_like_unit, clean_label, label_unit
from planlib.data.extract.normalise import normal_text

_YEAR = re.compile(r"(20\d\d)")
_HEADER_WORDS = re.compile(r"领域|类别|类型|分类|序号|编号|指标|项目|单位|目标|性质|属性|备注|说明|现状|基期|基数|完成|实际|名称")
_LABEL_HEADER = re.compile(r"^(指标名称|主要指标|指标|项目|指标项目|指标项|名称|具体指标|主要指标名称|指标内容)$")
_VALUE = re.compile(r"^[<>≤≥=~≈]*(约|近)?\d+(\.\d+)?(%|‰|岁|人|名|张|个|家|所|天|元|万人|万|1?/10万|平方米|例)?"
                    r"(以上|以下|以内|左右|及以上|及以下)?$")
_QUALITATIVE = re.compile(r"^(比|较|持续|明显|稳步|逐步|进一步|不断|力争|保持|稳定|显著|有所|增长|提高|提升|"
                          r"下降|降低|减少|增加|上升|达到|不低于|不少于|不高于|不超过|低于|高于|控制|逐年|每年|"
                          r"完成|实现|全覆盖|[<>≤≥])")
_EMPTY = {"-", "—", "－", "--", "——", "/", "／", "无", "…", "——————"}
_NATURE = {"预期性", "约束性"}
_PROSE_END = re.compile(r"。|^\s{2,}\S.{30,}")


@dataclass
class Column:
    """What one column of a table holds."""

    role: str  # label, category, serial, unit, nature, note, value, other
    year: int | None = None
    kind: str = ""
    header: str = ""


def is_header_cell(text: str) -> bool:
    """A short header cell: 领域, 指标名称, 2020年, 2025年目标, 指标性质 …"""
    if len(text) > 40:
        return False
    s = normal_text(text)
    if not s or len(s) > 16:
        return False
    if not re.fullmatch(r"((20\d\d)年?)?[\u4e00-\u9fff()“”\"]{0,12}((20\d\d)年?)?[\u4e00-\u9fff]{0,6}", s):
        return False
    return bool(_HEADER_WORDS.search(s)) or bool(re.fullmatch(r"20\d\d年?", s))


def column_role(header: str, cycle: str) -> Column:
    """What a column holds, from its header and the table's plan cycle ("13th" / "14th")."""
    h = normal_text(header)
    if re.search(r"序号|编号", h):
        return Column("serial", header=h)
    if "单位" in h:
        return Column("unit", header=h)
    if re.search(r"性质|属性", h):
        return Column("nature", header=h)
    if re.search(r"备注|说明", h):
        return Column("note", header=h)
    if _LABEL_HEADER.match(h) or ("指标" in h and "名称" in h):
        return Column("label", header=h)
    if re.search(r"领域|类别|类型|分类", h):
        return Column("category", header=h)
    target_year = 2020 if cycle == "13th" else 2025
    m = _YEAR.search(h)
    if m:
        y = int(m.group(1))
        if re.search(r"目标|规划|预期", h):
            return Column("value", y, "target", h)
        if re.search(r"现状|实际|完成|基期|基数|基础", h):
            return Column("value", y, "actual", h)
        if cycle == "14th" and y >= 2021 and y % 5 == 0:
            return Column("value", y, "target", h)
        return Column("value", y, "actual", h)
    if re.search(r"指标值|目标|规划值", h):
        return Column("value", target_year, "target", h)
    if re.search(r"现状|基期|基数", h):
        return Column("value", 2020 if cycle == "14th" else 2015, "actual", h)
    return Column("other", header=h)


def is_value_cell(text: str) -> bool:
    """A cell holding a value: a number (with comparator and unit) or a relative or
    qualitative target (增长30%, 持续提升, 力争每年降低…)."""
    s = normal_text(text)
    if not s:
        return False
    return bool(_VALUE.match(s)) or (len(s) <= 24 and bool(_QUALITATIVE.match(s)))


def is_empty_cell(text: str) -> bool:
    """A cell printed empty: blank, ``-`` or ``—``."""
    return normal_text(text) in _EMPTY or not text.strip()


def is_label_cell(text: str) -> bool:
    """A cell that can be a row label (or a category): words, not a value, unit or nature."""
    s = normal_text(text)
    return bool(s) and bool(re.search(r"[\u4e00-\u9fff]", s)) and not is_value_cell(s) \
        and s not in _NATURE and not looks_like_unit(s) and not is_empty_cell(s)


@dataclass
class Cell:
    """A cell and the 1-based line it is on."""

    text: str
    line: int


def _cycle(lines: list[str], header_line: int, years: list[int]) -> str:
    """13th or 14th: the title above the header, else the years the header names."""
    seen = 0
    for n in range(header_line - 2, max(-1, header_line - 12), -1):
        s = normal_text(lines[n])
        if not s:
            continue
        seen += 1
        if "十三五" in s:
            return "13th"
        if "十四五" in s:
            return "14th"
        if seen >= 4:
            break
    if years and max(years) <= 2020:
        return "13th"
    return "14th"


def find_tables(lines: list[str]) -> list[tuple[list[Column], list[list[Cell]]]]:
    """Every table in a document: its columns and its rows (cells with their lines)."""
    tables = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        if line.count("\t") >= 2 and not line.startswith("\t"):
            fields = line.split("\t")
            if _is_header_row(fields):
                cols, rows, i = _read_tab_table(lines, i)
                tables.append((cols, rows))
                continue
        if is_header_cell(line) and "\t" not in line.strip():
            run = _header_run(lines, i)
            if run:
                cols, rows, i = _read_cell_table(lines, i, run)
                tables.append((cols, rows))
                continue
        i += 1
    return tables


def _is_header_row(fields: list[str]) -> bool:
    """A tab-separated row of header cells with a label column and a value column."""
    cells = [f for f in fields if f.strip()]
    heads = [f for f in cells if is_header_cell(f)]
    return len(cells) >= 3 and len(heads) >= len(cells) - 1 and any(
        column_role(f, "14th").role == "label" for f in cells) and any(
        column_role(f, "14th").role == "value" for f in cells)


def _header_run(lines: list[str], start: int) -> list[int]:
    """Lines (0-based) of a header given one cell per line from ``start``: at least three header
    cells with a label column and a value column; [] when it is not one."""
    run = []
    j = start
    while j < len(lines) and len(run) < 10:
        s = lines[j].strip()
        if not s:
            if lines[j] and "\t" in lines[j] and run:  # a lone tab: an empty header cell
                run.append(j)
            j += 1
            continue
        if not is_header_cell(s):
            break
        run.append(j)
        j += 1
    roles = [column_role(lines[k].strip(), "14th").role for k in run if lines[k].strip()]
    if len(roles) >= 3 and "label" in roles and "value" in roles:
        return run
    return []


def _read_cell_table(lines: list[str], start: int, run: list[int]) -> tuple[list[Column], list[list[Cell]], int]:
    """A table given one cell per line: its columns, rows and the line after it."""
    heads = [lines[k].strip() for k in run]
    years = [int(m.group(1)) for h in heads for m in [_YEAR.search(normal_text(h))] if m]
    cycle = _cycle(lines, start + 1, years)
    cols = [column_role(h, cycle) for h in heads]
    cells: list[Cell] = []
    j = run[-1] + 1
    while j < len(lines):
        raw = lines[j]
        s = raw.strip()
        if not s:
            if "\t" in raw:
                cells.append(Cell("", j + 1))
            j += 1
            continue
        if raw.count("\t") >= 2 and not raw.startswith("\t") or _PROSE_END.search(raw) or len(s) > 60:
            break
        if is_header_cell(s) and _header_run(lines, j):  # the header repeated after a page break
            j = _header_run(lines, j)[-1] + 1
            continue
        cells.append(Cell(s, j + 1))
        j += 1
    return cols, _rows_from_cells(cells, cols), j


def _rows_from_cells(cells: list[Cell], cols: list[Column]) -> list[list[Cell]]:
    """Cut a stream of cells into rows: each starts with a label followed by its values."""
    serial = any(c.role == "serial" for c in cols)
    li = next((k for k, c in enumerate(cols) if c.role == "label"), 0)
    n_after = len(cols) - li - 1
    rows = []
    i = 0
    while i < len(cells):
        s = cells[i].text
        if not is_label_cell(s) or i + 1 >= len(cells):
            i += 1
            continue
        nxt = cells[i + 1].text
        is_serial = serial and re.fullmatch(r"\d{1,3}", normal_text(nxt)) and i + 2 < len(cells) \
            and is_label_cell(cells[i + 2].text)
        if is_serial or not (is_value_cell(nxt) or is_empty_cell(nxt) or normal_text(nxt) in _NATURE
                             or looks_like_unit(normal_text(nxt))):
            i += 1  # a category cell (or a label whose values all vanished)
            continue
        row = [cells[i]]
        j = i + 1
        while j < len(cells) and len(row) <= n_after:
            t = cells[j].text
            if is_label_cell(t):
                break
            row.append(cells[j])
            j += 1
        rows.append(row)
        i = j
    return rows


def _read_tab_table(lines: list[str], start: int) -> tuple[list[Column], list[list[Cell]], int]:
    """A tab-separated table: its columns, rows and the line after it."""
    heads = lines[start].split("\t")
    j = start + 1
    second = lines[j].split("\t") if j < len(lines) else []
    if len(second) >= 2 and any(f.strip() for f in second) and all(
            is_header_cell(f) or not f.strip() for f in second):  # a header in two rows: 2025年 / 目标
        heads = [a + (b if k < len(second) else "") for k, (a, b) in
                 enumerate(zip(heads + [""] * (len(second) - len(heads)), second + [""] * (len(heads) - len(second))))]
        j += 1
    years = [int(m.group(1)) for h in heads for m in [_YEAR.search(normal_text(h))] if m]
    cycle = _cycle(lines, start + 1, years)
    cols = [column_role(h, cycle) for h in heads]
    rows: list[list[Cell]] = []
    gap = 0
    while j < len(lines):
        raw = lines[j]
        fields = raw.split("\t")
        if raw.count("\t") >= 1 and len(fields) >= 3:
            if _is_header_row(fields):  # repeated after a page break (or a new table)
                if {column_role(h, cycle).header for h in fields} != {c.header for c in cols}:
                    break
                j += 1
                continue
            rows.append(_tab_row(fields, cols, j + 1))
            gap = 0
        elif raw.strip():
            gap += 1
            if gap > 2 or len(raw.strip()) < 60 and not raw.startswith("——"):
                if gap > 2:
                    break
        j += 1
    return cols, [r for r in rows if r], j


def _tab_row(fields: list[str], cols: list[Column], line: int) -> list[Cell]:
    """A tab-separated row as [label, values …], aligned on the header's columns when the counts
    agree, else on the label (the last word cell before the values)."""
    li = next((k for k, c in enumerate(cols) if c.role == "label"), 0)
    if len(fields) == len(cols) and is_label_cell(fields[li]):
        return [Cell(f.strip(), line) for f in fields[li:]]
    label_at = None
    for k, f in enumerate(fields):
        if is_label_cell(f):
            label_at = k
        elif label_at is not None and (is_value_cell(f) or is_empty_cell(f)):
            break
    if label_at is None:
        return []
    return [Cell(f.strip(), line) for f in fields[label_at:]]


def table_candidates(lines: list[str], catalog: Catalog,
                     tables: list[tuple[list[Column], list[list[Cell]]]] | None = None) -> list[Candidate]:
    """Candidates from every table row of a document (one per value cell); ``tables`` as
    :func:`find_tables` gives them, if already found."""
    out: list[Candidate] = []
    for cols, rows in (find_tables(lines) if tables is None else tables):
        li = next((k for k, c in enumerate(cols) if c.role == "label"), 0)
        after = cols[li + 1:]
        for row in rows:
            out.extend(_row_candidates(row, after, catalog))
    return out


def _assign(values: list[Cell], after: list[Column]) -> list[tuple[Cell, Column]]:
    """Give each value cell its column: in order, a unit cell to the unit column, a nature word to
    the nature column, and skipping a unit column whose cell vanished."""
    out = []
    k = 0
    for cell in values:
        s = normal_text(cell.text)
        if s in _NATURE:
            col = next((c for c in after if c.role == "nature"), None)
            if col is not None:
                out.append((cell, col))
            continue
        while k < len(after) and (after[k].role in ("unit",) and not looks_like_unit(s) and s
                                  or after[k].role in ("category", "serial", "label", "nature") and s):
            k += 1
        if k >= len(after):
            break
        out.append((cell, after[k]))
        k += 1
    return out


def _row_candidates(row: list[Cell], after: list[Column], catalog: Catalog) -> list[Candidate]:
    """Candidates from one table row: one per value cell that is not empty."""
    label_cell, values = row[0], row[1:]
    label = re.sub(r"^\s*其中\s*[:：]?\s*", "", label_cell.text)
    pairs = _assign(values, after)
    unit = next((c.text for c, col in pairs if col.role == "unit" and c.text), "") or label_unit(label)
    nature = next((normal_text(c.text) for c, col in pairs if col.role == "nature"), "")
    note = "; ".join(c.text for c, col in pairs if col.role == "note" and c.text)
    ids, alias = catalog.label(label)
    out = []
    for cell, col in pairs:
        if col.role != "value" or is_empty_cell(cell.text):
            continue
        text = cell.text.strip()
        flags: list[str] = []
        year, kind = col.year, col.kind
        cycle = ("13th" if (year or 0) <= 2020 else "14th") if kind == "target" else ""
        cand = Candidate(line=cell.line, indicator_id="", year=year, kind=kind, plan_cycle=cycle,
                         value_text=text, unit_text=unit or unit_of(text), nature=nature,
                         via=f"table ({col.header or 'column'})", confidence=0.9, flags=flags,
                         label=clean_label(label), note=f"table, column {col.header}" + (f"; {note}" if note else ""))
        if cand.comparator == "text" and kind == "actual":
            if not re.search(r"\d", text):
                continue
        if ids:
            per = 10000 if re.search(r"每万|万人口|万常住", alias) else 1000
            ratio = bool(re.match(r"每|千人|万人", alias)) or bool(re.match(r"每", clean_label(label)))
            cand.indicator_id = catalog.choose(ids, ratio, cand.value, per)
        else:
            sugg = catalog.suggest(label)
            flags.append(f"unknown indicator '{clean_label(label)}'" + (f" (suggestions: {', '.join(sugg)})" if sugg else ""))
            cand.confidence = 0.3
        if cand.unit_text and not label_unit(label) and not any(c.role == "unit" for c in after) \
                and not unit_of(text):
            flags.append("unit missing")
        if not cand.unit_text:
            flags.append("unit missing")
        if "其中" in label_cell.text:
            cand.note += "; sub-row"
        out.append(cand)
    return out
