"""The review CSV and ``--accept``: accepted rows merge into a data folder after every check;
a rejected merge changes nothing."""
from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

import planlib

from plans import write_txt, catalog  # noqa: F401  (catalog: a fixture)
from planlib.apps.cli import main
from planlib.data.extract.extractor import extract
from planlib.data.extract.review import MergeError, merge_review, read_review, sidecars, write_review
from planlib.data.tables import load_tables

REGION = {"name_zh": "青山县", "name_en": "Qingshan County", "level": "county-level city",
          "parent_id": "yangjiang", "province_id": "guangdong"}
SOURCE = {"title": "青山县卫生健康事业发展“十四五”规划（示例）", "issuer": "青山县人民政府", "kind": "local plan",
          "date": "2022-03"}


def folder_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def reviewed(tmp_path, catalog):
    """A review CSV of the example plan, every row with an indicator accepted."""
    plan = write_txt(tmp_path / "qingshan.txt")
    ext = extract(plan, catalog, "qingshan", "qingshan_14th_plan")
    out = tmp_path / "review.csv"
    write_review(ext, out, REGION, SOURCE)
    rows, _ = read_review(out)
    for r in rows:
        r["status"] = "accept" if r["indicator_id"] else "reject"
    _write(out, rows)
    return out


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_review_csv_has_the_columns_a_bom_and_sidecars(tmp_path, catalog):
    plan = write_txt(tmp_path / "qingshan.txt")
    ext = extract(plan, catalog, "qingshan", "qingshan_14th_plan")
    out = tmp_path / "review.csv"
    write_review(ext, out, REGION, SOURCE)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == ["status", "region_id", "indicator_id", "year", "kind", "plan_cycle", "comparator",
                             "value", "value_text", "unit_text", "nature", "source_id", "source_line", "note",
                             "confidence", "via", "flags", "context"]
    doc, meta = sidecars(out)
    lines = doc.read_text(encoding="utf-8").splitlines()
    for r in rows:
        assert r["value_text"] in lines[int(r["source_line"]) - 1]
        assert 0 <= float(r["confidence"]) <= 1 and r["via"]
    assert json.loads(meta.read_text(encoding="utf-8"))["region"]["name_zh"] == "青山县"
    le = [r for r in rows if r["indicator_id"] == "life_expectancy" and r["year"] == "2025" and r["value"] == "79.6"]
    assert le and le[0]["context"] and "table" in le[0]["via"]


def test_accept_merges_creates_region_and_source_and_stores_the_document(reviewed, data_copy):
    before = len(load_tables(data_copy).observations)
    res = merge_review(reviewed, data_copy)
    t = load_tables(data_copy)
    assert res.added == len(t.observations) - before > 20
    assert "qingshan" in set(t.regions["id"]) and "qingshan_14th_plan" in set(t.sources["id"])
    stored = data_copy / "documents" / "qingshan_14th_plan.txt"
    assert stored.is_file()
    obs = t.observations[t.observations["region_id"] == "qingshan"]
    lines = stored.read_text(encoding="utf-8").splitlines()
    for r in obs.itertuples():
        assert r.value_text in lines[int(r.source_line) - 1]
    le = obs[(obs["indicator_id"] == "life_expectancy") & (obs["year"] == 2025) & (obs["value_text"] == "79.6")]
    assert len(le) == 1 and le.iloc[0]["nature"] == "预期性" and le.iloc[0]["plan_cycle"] == "14th"


def test_edits_in_place_are_taken(reviewed, data_copy):
    rows, _ = read_review(reviewed)
    r = next(r for r in rows if r["indicator_id"] == "infant_mortality" and r["value_text"] == "<4")
    r["value_text"], r["comparator"], r["value"] = "4", "", ""  # the reviewer reads the cell differently
    r["note"] = "edited in review"
    _write(reviewed, rows)
    merge_review(reviewed, data_copy)
    obs = load_tables(data_copy).observations
    hit = obs[(obs["region_id"] == "qingshan") & (obs["note"] == "edited in review")]
    assert len(hit) == 1 and hit.iloc[0]["comparator"] == "=" and float(hit.iloc[0]["value"]) == 4.0


@pytest.mark.parametrize("edit, message", [
    (lambda r: r.update(value_text="99.9"), "is not on line"),
    (lambda r: r.update(indicator_id="no_such_indicator"), "indicators not in indicators.csv"),
    (lambda r: r.update(unit_text="furlongs"), "unit spellings not in units.csv"),
    (lambda r: r.update(status="maybe"), "neither accept nor reject"),
    (lambda r: r.update(kind="target", plan_cycle="", comparator="=", year="2025"), "plan_cycle"),
])
def test_a_rejected_merge_changes_nothing(reviewed, data_copy, edit, message):
    rows, _ = read_review(reviewed)
    edit(next(r for r in rows if r["status"] == "accept"))
    _write(reviewed, rows)
    before = folder_hash(data_copy)
    with pytest.raises(MergeError) as err:
        merge_review(reviewed, data_copy)
    assert any(message in p for p in err.value.problems), err.value.problems
    assert folder_hash(data_copy) == before


def test_a_new_region_needs_its_fields(reviewed, data_copy):
    _, meta_path = sidecars(reviewed)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["region"] = {}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    before = folder_hash(data_copy)
    with pytest.raises(MergeError, match="not in regions.csv"):
        merge_review(reviewed, data_copy)
    assert folder_hash(data_copy) == before


def test_cli_extract_and_accept(tmp_path, data_copy, capsys):
    plan = write_txt(tmp_path / "qingshan.txt")
    assert main(["extract", str(plan), "--region", "qingshan", "--data", str(data_copy)]) == 0
    shown = capsys.readouterr().out
    assert "candidate values" in shown and "life_expectancy" in shown
    out = tmp_path / "r.csv"
    assert main(["--data", str(data_copy), "extract", str(plan), "--region", "qingshan", "-o", str(out),
                 "--region-name-zh", "青山县", "--region-name-en", "Qingshan", "--level", "county-level city",
                 "--parent", "yangjiang", "--province", "guangdong", "--title", "青山县规划（示例）",
                 "--issuer", "青山县人民政府", "--title-en", "Qingshan County Plan (example)"]) == 0
    rows, _ = read_review(out)
    for r in rows:
        r["status"] = "accept" if r["indicator_id"] and float(r["confidence"]) >= 0.5 else "reject"
    _write(out, rows)
    capsys.readouterr()
    assert main(["extract", "--accept", str(out), "--data", str(data_copy)]) == 0
    shown = capsys.readouterr().out
    assert "Merged" in shown and "== qingshan" in shown or "No data-quality findings" in shown
    t = planlib.load_tables(data_copy)  # an English title given is what English readers see; no issuer: as published
    assert t.source_title("qingshan_14th_plan", "en") == "Qingshan County Plan (example)"
    assert t.source_issuer("qingshan_14th_plan", "en") == "青山县人民政府" == t.source_issuer("qingshan_14th_plan", "zh")
    assert main(["extract", "--accept", str(out), "--data", str(data_copy)]) == 2  # the same rows again
    assert "duplicate" in capsys.readouterr().err


def test_cli_unreadable_plan_is_one_clear_line(tmp_path, capsys):
    bad = tmp_path / "plan.txt"
    bad.write_bytes(bytes(range(128, 256)) * 40)
    assert main(["extract", str(bad), "--region", "qingshan"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(bad) in err and "UTF-8" in err and "Traceback" not in err


def test_review_widget_edits_saves_and_merges(reviewed, data_copy):
    from planlib.apps.add_region import ReviewWidget

    w = ReviewWidget(reviewed)
    assert len(w.controls) == len(w.rows) > 20
    assert w.set_status("reject") == sum(1 for r in w.rows if r["indicator_id"])
    row = next(i for i, r in enumerate(w.rows) if r["indicator_id"] == "gps_per_10000" and r["value_text"] == "4")
    w.controls[row]["status"].value = "accept"
    w.controls[row]["value_text"].value = "4"
    w.controls[row]["year"].value = "2025"
    res = w.merge(data_copy)
    assert res.added == 1
    rows, _ = read_review(reviewed)  # saved back to the CSV
    assert [r["status"] for r in rows].count("accept") == 1
    obs = load_tables(data_copy).observations
    assert len(obs[obs["region_id"] == "qingshan"]) == 1


def test_a_review_saved_by_excel_in_the_local_code_page_is_read(reviewed):
    text = reviewed.read_bytes().decode("utf-8-sig")
    reviewed.write_bytes(text.encode("gb18030"))  # Excel's "CSV" on a Chinese Windows
    rows, meta = read_review(reviewed)
    assert rows and meta["region_id"] == "qingshan"
    assert any(r["value_text"] == "提高1岁" for r in rows)
