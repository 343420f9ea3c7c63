"""Read a plan and propose every indicator value in it: tables first, then prose, then the
checks that flag (never repair) what looks wrong."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from planlib.data.extract.candidates import Candidate
from planlib.data.extract.catalog import Catalog
from planlib.data.extract.prose import document_context, prose_candidates
from planlib.data.extract.reading import Document, read_document
from planlib.data.extract.tables import find_tables, table_candidates

#: Catalog units and the spellings that belong to them (for the ‰-printed-as-% flag).
_UNIT_FAMILY = {"per 1000 live births": "‰", "per 1000 population": "‰", "%": "%",
                "per 100000 live births": "/10万", "per 100000 population": "/10万", "years": "岁"}


@dataclass
class Extraction:
    """The candidates found in one document."""

    document: Document
    region_id: str
    source_id: str
    candidates: list[Candidate] = field(default_factory=list)


def extract_lines(lines: list[str], catalog: Catalog, kind: str | None = None) -> list[Candidate]:
    """Every candidate value in a document's lines (tables, then prose), flagged."""
    tables = find_tables(lines)
    table_lines = {c.line for _, rows in tables for row in rows for c in row}
    cands = table_candidates(lines, catalog, tables)
    table_lines |= {c.line for c in cands}
    ctx = document_context(lines, kind)
    cands += prose_candidates(lines, catalog, ctx, table_lines)
    cands.sort(key=lambda c: c.line)
    check_candidates(cands, catalog)
    return cands


def extract(path: str | Path, catalog: Catalog, region_id: str, source_id: str,
            kind: str | None = None) -> Extraction:
    """Read a plan file and propose its values (``kind``: the source's kind, e.g. ``mid-term review``)."""
    doc = read_document(path)
    return Extraction(doc, region_id, source_id, extract_lines(doc.lines, catalog, kind))


def check_candidates(cands: list[Candidate], catalog: Catalog) -> None:
    """Flags that need the catalog or other candidates: implausible values, units that contradict
    the catalog (‰ printed as %), the same value on several lines, two values for one target, a
    target below (or above) the baseline it improves on."""
    seen: dict[tuple, list[Candidate]] = {}
    for c in cands:
        ind = catalog.indicators.get(c.indicator_id)
        if ind is None:
            continue
        v = c.value
        if v is not None and not ind.plausible(v):
            c.flags.append(f"implausible for {ind.id} (catalog range {ind.low:g}–{ind.high:g})"
                           if ind.low is not None and ind.high is not None else f"implausible for {ind.id}")
            c.confidence -= 0.3
        unit = re.sub(r"\s", "", c.unit_text)
        family = _UNIT_FAMILY.get(ind.unit)
        rate_units = {"%", "％", "‰", "岁", "/10万", "1/10万"}
        if unit in rate_units and family and unit.lstrip("1").replace("％", "%") != family:
            if {unit, family} == {"%", "‰"}:
                c.flags.append(f"unit {unit} where the catalog has {family} (‰ printed as %?)")
            else:
                c.flags.append(f"unit {unit} differs from the catalog's {family}")
            c.confidence -= 0.1
        seen.setdefault((c.indicator_id, c.year, c.kind), []).append(c)
    for group in seen.values():
        if len(group) < 2:
            continue
        for c in group:
            others = [o for o in group if o is not c]
            same = sorted({o.line for o in others if (o.comparator, o.value) == (c.comparator, c.value)
                           and o.line != c.line})
            differ = sorted({o.line for o in others if (o.comparator, o.value) != (c.comparator, c.value)})
            if same:
                c.flags.append(f"duplicate of line {', '.join(map(str, same))}")
            if differ:
                c.flags.append(f"another value for this on line {', '.join(map(str, differ))}")
    actual = {(c.indicator_id,): c.value for c in cands if c.kind == "actual" and c.year == 2020 and c.indicator_id
              and c.value is not None}
    for c in cands:
        if c.kind != "target" or c.value is None or c.year != 2025 or not c.indicator_id \
                or (c.indicator_id,) not in actual:
            continue
        ind = catalog.indicators[c.indicator_id]
        base = actual[(c.indicator_id,)]
        if ind.direction == "higher_is_better" and c.value < base or \
                ind.direction == "lower_is_better" and c.value > base:
            c.flags.append(f"target {'below' if ind.direction == 'higher_is_better' else 'above'} "
                           f"its 2020 baseline {base:g}")
    for c in cands:
        c.confidence = round(min(1.0, max(0.05, c.confidence)), 2)
