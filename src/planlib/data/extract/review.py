"""The review CSV (one row per candidate, for Excel, WPS or the notebook) and the merge of its
accepted rows into a data folder.

``write_review`` writes three files side by side: the review CSV (UTF-8 with a byte-order mark,
so that Excel and WPS open it as Chinese), ``<name>.document.txt`` (the plan's text as it will be
stored: one paragraph or table row per line, which the cited lines number) and
``<name>.meta.json`` (the region and source the rows belong to, with the fields needed to create
them). ``merge_review`` takes the rows whose ``status`` is ``accept`` (edited in place or not),
builds the new tables in a copy of the data folder, checks each value against its cited line and
validates the whole copy; only then are the files of the real folder replaced (each atomically).
A merge that fails changes nothing and says why, row by row.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from planlib.data.documents import DOCUMENTS, document_lines
from planlib.data.extract.candidates import OBS_COLUMNS, REVIEW_COLUMNS, Candidate
from planlib.data.extract.extractor import Extraction
from planlib.data.extract.normalise import normal_text
from planlib.data.schema import TABLES, DataError
from planlib.data.tables import data_dir, load_tables
from planlib.data.values import num_text, parse_value_text
from planlib.files import write_atomic

ACCEPT = {"accept", "accepted", "a", "yes", "y", "ok", "1", "true", "接受", "采纳", "通过", "是", "✓"}
REJECT = {"", "reject", "rejected", "r", "no", "n", "0", "false", "skip", "拒绝", "否", "不采纳", "✗"}
REGION_FIELDS = ["name_zh", "name_en", "level", "parent_id", "province_id"]
SOURCE_FIELDS = ["title", "issuer", "date", "document_number", "kind", "note", "note_zh", "title_en", "issuer_en"]


class MergeError(ValueError):
    """A review that cannot be merged; ``problems`` lists every reason (nothing was changed)."""

    def __init__(self, problems: list[str]) -> None:
        """A merge error listing every problem found."""
        self.problems = problems
        super().__init__("; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""))


def sidecars(review: Path) -> tuple[Path, Path]:
    """The document text and the meta file written beside a review CSV."""
    review = Path(review)
    stem = review.with_suffix("")
    return stem.with_name(stem.name + ".document.txt"), stem.with_name(stem.name + ".meta.json")


def context(line: str, value_text: str, width: int = 30) -> str:
    """The cited line around the value, shortened with … on either side."""
    line = line.strip()
    at = line.find(value_text)
    if at < 0 or len(line) <= 2 * width + len(value_text):
        return line[: 2 * width + 20] + ("…" if len(line) > 2 * width + 20 else "")
    a, b = max(0, at - width), min(len(line), at + len(value_text) + width)
    return ("…" if a else "") + line[a:b] + ("…" if b < len(line) else "")


def _context(c: Candidate, line: str) -> str:
    """The cited line around the value; a table cell alone on its line is shown with its row label."""
    shown = context(line, c.value_text)
    if c.label and normal_text(c.label) not in normal_text(line):
        shown = f"[{c.label}] {shown}"
    return shown


def review_rows(ext: Extraction) -> list[dict[str, str]]:
    """The review CSV's rows (strings) for the candidates of one extraction."""
    rows = []
    for c in ext.candidates:
        value = c.value
        rows.append({
            "status": "", "region_id": ext.region_id, "indicator_id": c.indicator_id,
            "year": "" if c.year is None else str(c.year), "kind": c.kind, "plan_cycle": c.plan_cycle,
            "comparator": c.comparator, "value": "" if value is None or c.comparator == "text" else num_text(value, c.value_text),
            "value_text": c.value_text, "unit_text": c.unit_text, "nature": c.nature,
            "source_id": ext.source_id, "source_line": str(c.line), "note": c.note,
            "confidence": f"{c.confidence:.2f}", "via": c.via, "flags": "; ".join(c.flags),
            "context": _context(c, ext.document.lines[c.line - 1]),
        })
    return rows


def write_review(ext: Extraction, out: str | Path, region: dict | None = None,
                 source: dict | None = None) -> list[Path]:
    """Write the review CSV, the document text and the meta file; returns their paths."""
    out = Path(out)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=REVIEW_COLUMNS, lineterminator="\r\n")
    w.writeheader()
    w.writerows(review_rows(ext))
    doc_path, meta_path = sidecars(out)
    meta = {
        "region_id": ext.region_id, "source_id": ext.source_id,
        "region": {k: v for k, v in (region or {}).items() if v},
        "source": {k: v for k, v in (source or {}).items() if v},
        "document": doc_path.name, "read_from": str(ext.document.path),
        "format": ext.document.format, "encoding": ext.document.encoding,
    }
    write_atomic(doc_path, ext.document.text)
    write_atomic(meta_path, json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    write_atomic(out, "\ufeff" + buf.getvalue())
    return [out, doc_path, meta_path]


def summary(ext: Extraction, width: int = 100) -> str:
    """A readable summary of the candidates for the screen."""
    cands = ext.candidates
    known = [c for c in cands if c.indicator_id]
    lines = [f"{ext.document.path}: {ext.document.format}, {ext.document.encoding}; "
             f"{len(ext.document.lines)} lines",
             f"{len(cands)} candidate values ({sum(c.table for c in cands)} from tables, "
             f"{sum(not c.table for c in cands)} from prose); {len(cands) - len(known)} with an unknown "
             f"indicator; {sum(bool(c.flags) for c in cands)} flagged", ""]
    lines.append(f"{'line':>5}  {'indicator':<36}{'year':>5} {'kind':<7}{'value as written':<22}{'conf':>5}  flags")
    for c in cands:
        flag = "; ".join(c.flags)
        row = (f"{c.line:>5}  {(c.indicator_id or '?' + c.label)[:35]:<36}{c.year or '':>5} {c.kind:<7}"
               f"{c.value_text[:20]:<22}{c.confidence:>5.2f}  {flag}")
        lines.append(row[:width + 40])
    return "\n".join(lines)


# --- merging ---------------------------------------------------------------------------------

@dataclass
class MergeResult:
    """What a merge added."""

    folder: Path
    region_id: str
    source_id: str
    added: int
    created: list[str] = field(default_factory=list)
    skipped: int = 0


def read_review(path: str | Path) -> tuple[list[dict[str, str]], dict]:
    """The rows of a review CSV (as edited) and its meta file (empty if there is none)."""
    path = Path(path)
    if not path.is_file():
        raise MergeError([f"{path}: no such review file"])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = path.read_bytes().decode("gb18030")  # saved by Excel in the local code page
        except UnicodeDecodeError:
            raise MergeError([f"{path}: not UTF-8 or GB18030 text; save it as CSV UTF-8"]) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ["status"] + OBS_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise MergeError([f"{path}: columns missing: {', '.join(missing)} (write it with planlib extract -o)"])
    rows = [{k: (v or "").strip() for k, v in r.items() if k} for r in reader]
    _, meta_path = sidecars(path)
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    return rows, meta


def _csv_text(rows: list[dict[str, str]], columns: list[str]) -> str:
    """Rows as CSV text (no header), one line each."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    w.writerows(rows)
    return buf.getvalue()


def _append(path: Path, rows: list[dict[str, str]], columns: list[str]) -> str:
    """The text of a CSV file with rows appended (a missing final newline added first)."""
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else ",".join(columns) + "\n"
    if text and not text.endswith("\n"):
        text += "\n"
    return text + _csv_text(rows, columns)


def _columns(path: Path) -> list[str]:
    """The header of a CSV file."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


def _accepted(rows: list[dict[str, str]], path: Path) -> tuple[list[dict[str, str]], int, list[str]]:
    """The accepted rows (with their CSV line), how many were rejected, and bad statuses."""
    keep, skipped, problems = [], 0, []
    for i, r in enumerate(rows, start=2):
        status = r.get("status", "").strip().lower()
        if status in ACCEPT:
            keep.append((i, r))
        elif status in REJECT:
            skipped += 1
        else:
            problems.append(f"{path.name}, line {i}: status {r.get('status')!r} is neither accept nor reject")
    return keep, skipped, problems


def _observation(r: dict[str, str]) -> dict[str, str]:
    """An accepted review row as an observations.csv row; comparator and value are read from
    value_text where the reviewer left them empty (or edited value_text alone)."""
    o = {c: r.get(c, "") for c in OBS_COLUMNS}
    parsed = parse_value_text(o["value_text"])
    if not o["comparator"]:
        o["comparator"] = parsed.comparator
    if o["comparator"] == "text":
        o["value"] = ""
    elif not o["value"] and parsed.value is not None:
        o["value"] = num_text(parsed.value, o["value_text"])
    if o["kind"] == "actual":
        o["plan_cycle"] = ""
    return o


def merge_review(review: str | Path, data: str | Path | None = None) -> MergeResult:
    """Merge a review's accepted rows into a data folder (see the module docstring)."""
    review = Path(review)
    folder = data_dir(data)
    rows, meta = read_review(review)
    accepted, skipped, problems = _accepted(rows, review)
    if not accepted and not problems:
        raise MergeError([f"{review.name}: no row is marked accept in the status column"])
    ids = {(r["region_id"], r["source_id"]) for _, r in accepted}
    if len(ids) > 1:
        problems.append(f"{review.name}: accepted rows name several regions or sources {sorted(ids)}; "
                        f"a review holds one document")
    if problems:
        raise MergeError(problems)
    region_id, source_id = next(iter(ids))
    tables = load_tables(folder)
    created: list[str] = []
    new_regions, new_sources = [], []
    if region_id not in set(tables.regions["id"]):
        fields = meta.get("region", {}) if meta.get("region_id") == region_id else {}
        need = [f for f in ("name_zh", "name_en", "level") if not fields.get(f)]
        if need:
            problems.append(f"region {region_id!r} is not in regions.csv and the review does not give its "
                            f"{', '.join(need)} (planlib extract --region-name-zh … --level …)")
        new_regions.append({"id": region_id, **{f: fields.get(f, "") for f in REGION_FIELDS}})
        created.append(f"region {region_id}")
    if source_id not in set(tables.sources["id"]):
        fields = meta.get("source", {}) if meta.get("source_id") == source_id else {}
        need = [f for f in ("title", "issuer", "kind") if not fields.get(f)]
        if need:
            problems.append(f"source {source_id!r} is not in sources.csv and the review does not give its "
                            f"{', '.join(need)} (planlib extract --title … --issuer …)")
        new_sources.append({"id": source_id, "seed_file": "", **{f: fields.get(f, "") for f in SOURCE_FIELDS}})
        created.append(f"source {source_id}")
    # the document: the one stored with the folder, else the one written beside the review
    stored = folder / DOCUMENTS / f"{source_id}.txt"
    doc_path, _ = sidecars(review)
    if meta.get("document"):
        doc_path = review.parent / meta["document"]
    new_document = None
    if stored.is_file():
        lines = list(document_lines(stored))
    elif doc_path.is_file():
        new_document = doc_path.read_text(encoding="utf-8")
        lines = new_document.splitlines()
    else:
        problems.append(f"no text of source {source_id!r}: neither {stored} nor {doc_path} exists")
        lines = []
    obs = []
    for i, r in accepted:
        o = _observation(r)
        obs.append(o)
        if lines:
            try:
                n = int(o["source_line"])
            except ValueError:
                problems.append(f"{review.name}, line {i}: source_line {o['source_line']!r} is not a line number")
                continue
            if not 1 <= n <= len(lines) or not o["value_text"] or o["value_text"] not in lines[n - 1]:
                problems.append(f"{review.name}, line {i}: value_text {o['value_text']!r} is not on line {n} "
                                f"of the document of {source_id}")
    known_ind = set(tables.indicators["id"])
    new_ind = sorted({o["indicator_id"] or "(empty)" for o in obs} - known_ind)
    if new_ind:
        problems.append(f"indicators not in indicators.csv (add them to the catalog first, or pick one): "
                        f"{', '.join(new_ind)}")
    spellings = set(tables.units["unit_text"])
    new_units = sorted({o["unit_text"] for o in obs if o["unit_text"]} - spellings)
    if new_units:
        problems.append(f"unit spellings not in units.csv (add them with the unit they mean, or edit the rows): "
                        f"{', '.join(new_units)}")
    if problems:
        raise MergeError(problems)
    # build the new folder in a copy, validate it whole, then replace the real files
    with tempfile.TemporaryDirectory(prefix="planlib-merge-") as tmp:
        copy = Path(tmp) / "data"
        copy.mkdir()
        for t in TABLES:
            if (folder / f"{t}.csv").is_file():
                shutil.copy2(folder / f"{t}.csv", copy / f"{t}.csv")
        texts: dict[str, str] = {}
        if new_regions:
            texts["regions"] = _append(folder / "regions.csv", new_regions, _columns(folder / "regions.csv"))
        if new_sources:
            texts["sources"] = _append(folder / "sources.csv", new_sources, _columns(folder / "sources.csv"))
        texts["observations"] = _append(folder / "observations.csv", obs, _columns(folder / "observations.csv"))
        for t, text in texts.items():
            (copy / f"{t}.csv").write_text(text, encoding="utf-8")
        try:
            load_tables(copy)
        except DataError as exc:
            raise MergeError([re.sub(re.escape(str(copy)), str(folder), p) for p in exc.problems]) from None
    if new_document is not None:
        write_atomic(stored, new_document if new_document.endswith("\n") else new_document + "\n")
    for t in ("regions", "sources", "observations"):
        if t in texts:
            write_atomic(folder / f"{t}.csv", texts[t])
    return MergeResult(folder, region_id, source_id, len(obs), created, skipped)


def candidates_frame(cands: list[Candidate]) -> "pd.DataFrame":
    """Candidates as a pandas DataFrame (for the notebook)."""
    import pandas as pd

    return pd.DataFrame([{**{k: getattr(c, k) for k in ("line", "indicator_id", "year", "kind", "plan_cycle",
                                                          "value_text", "unit_text", "nature", "via",
                                                          "confidence")},
                          "comparator": c.comparator, "flags": "; ".join(c.flags)} for c in cands])
