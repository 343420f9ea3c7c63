"""The fault suite of issue 13: every bad input a user editing the CSV files can produce, tried on
a copy of the bundled data, with the exact outcome: the folder does not load and ``planlib check``
says what is wrong in one line per problem (file, row and line, column, value, what to do), or
it loads and gives the correct result. Cases that passed before the issue stay here so that they
keep passing.
"""
from __future__ import annotations

import csv
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import planlib
from planlib import DataError
from planlib.apps.cli import main

from conftest import DATA, clone_regions

# --- editing a copy of the data ---------------------------------------------------------------

OBS = dict(region_id="", indicator_id="", year="", kind="actual", plan_cycle="", comparator="=", value="",
           value_text="", unit_text="", nature="", source_id="", source_line="", note="")
#: Yangchun's 2020 life expectancy as its plan's prose gives it: observations.csv row 158, "77.8岁"
#: on line 40 of the plan.
LE_2020 = {"region_id": "yangchun", "indicator_id": "life_expectancy", "year": "2020", "kind": "actual",
           "source_line": "40"}


def rows(folder: Path, table: str) -> list[dict]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write(folder: Path, table: str, data: list[dict]) -> None:
    with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]))
        w.writeheader()
        w.writerows(data)


def edit(folder: Path, table: str, match: dict, **changes: str) -> None:
    """Change every row of ``table`` matching ``match`` (exactly one must)."""
    data = rows(folder, table)
    hits = [r for r in data if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, (table, match, len(hits))
    hits[0].update(changes)
    write(folder, table, data)


def append(folder: Path, table: str, **values: str) -> None:
    data = rows(folder, table)
    data.append({**{k: "" for k in data[0]}, **values})
    write(folder, table, data)


def text(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


def header_only(folder: Path, table: str) -> None:
    (folder / f"{table}.csv").write_text(text(folder, f"{table}.csv").splitlines()[0] + "\n", encoding="utf-8")


def xlsx(path: Path) -> None:
    """A minimal Excel workbook (a zip with the parts Excel writes first) under a .csv name."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")


SAVE = 'save it as UTF-8 (in Excel: File → Save As → "CSV UTF-8 (Comma delimited)")'
DICT_REMEDY = ("planlib validates with its own dictionary and cannot use a changed one; undo the change, "
               "or remove dictionary.csv from the data folder")
N_OBS = len(pd.read_csv(DATA / "observations.csv"))

#: (case, how to break the folder, the exact problems). Each is tried with load_tables and with
#: ``planlib check``.
REJECTED: list[tuple[str, Callable[[Path], None], list[str]]] = [
    # --- the region tree
    ("province_id names a city", lambda d: edit(d, "regions", {"id": "yangchun"}, province_id="yangjiang"),
     ["regions.csv, row 9 (line 10), column 'province_id': 'yangjiang' is a prefecture-level city, not a "
      "province (its briefing would compare the region with it as its province); set province_id to the "
      "province the region lies in"]),
    ("province_id names another province", lambda d: edit(d, "regions", {"id": "yangchun"}, province_id="sichuan"),
     ["regions.csv, row 9 (line 10), column 'province_id': 'sichuan', but its parent 'yangjiang' lies in "
      "'guangdong'; set province_id to 'guangdong' or correct parent_id"]),
    ("a province's province_id", lambda d: edit(d, "regions", {"id": "sichuan"}, province_id=""),
     ["regions.csv, row 3 (line 4), column 'province_id': a province's province_id is its own id 'sichuan' "
      "(it is empty)"]),
    ("region is its own parent", lambda d: edit(d, "regions", {"id": "yangchun"}, parent_id="yangchun"),
     ["regions.csv, row 9 (line 10), column 'parent_id': 'yangchun' is its own parent; parent_id names the "
      "region one level up"]),
    ("parent cycle", lambda d: edit(d, "regions", {"id": "yangjiang"}, parent_id="yangchun"),
     ["regions.csv, row 5 (line 6), column 'parent_id': the parents go round in a circle ('yangjiang' → "
      "'yangchun' → 'yangjiang'); parent_id names the region one level up, ending at the nation"]),
    ("parent on a lower level", lambda d: edit(d, "regions", {"id": "suining"}, parent_id="anju"),
     ["regions.csv, row 8 (line 9), column 'parent_id': the parents go round in a circle ('suining' → "
      "'anju' → 'suining'); parent_id names the region one level up, ending at the nation"]),
    ("parent on the same level", lambda d: edit(d, "regions", {"id": "yangchun"}, parent_id="guangan"),
     ["regions.csv, row 9 (line 10), column 'parent_id': 'guangan' is a district, not a level above this "
      "county-level city; parent_id names the region one level up",
      "regions.csv, row 9 (line 10), column 'province_id': 'guangdong', but its parent 'guangan' lies in "
      "'sichuan'; set province_id to 'sichuan' or correct parent_id"]),
    ("region without a parent", lambda d: edit(d, "regions", {"id": "weihai"}, parent_id=""),
     ["regions.csv, row 13 (line 14), column 'parent_id': value is required for a prefecture-level city: "
      "the id of the region one level up"]),
    ("the nation with a parent", lambda d: edit(d, "regions", {"id": "china"}, parent_id="guangdong"),
     ["regions.csv, row 1 (line 2), column 'parent_id': the parents go round in a circle ('china' → "
      "'guangdong' → 'china'); parent_id names the region one level up, ending at the nation"]),
    # --- comparator words
    ("以下 with >", lambda d: append(d, "observations", **{
        **OBS, "region_id": "china", "indicator_id": "life_expectancy", "year": "2019", "comparator": ">",
        "value": "77.8", "value_text": "77.8岁以下", "unit_text": "岁", "source_id": "nhc_bulletin_2019"}),
     [f"observations.csv, row {N_OBS + 1} (line {N_OBS + 2}), column 'comparator': '>' contradicts value_text "
      "'77.8岁以下' (以下 means at most the number (the number included): '<='); set comparator to '<='"]),
    ("以上 with <=", lambda d: edit(d, "observations", {"region_id": "xiangqiao", "value_text": "79 岁以上"},
                                   comparator="<="),
     ["observations.csv, row 397 (line 398), column 'comparator': '<=' contradicts value_text '79 岁以上' "
      "(以上 means at least the number (the number included): '>='); set comparator to '>='"]),
    # --- value_text against its cited line (the bundled documents are available in these tests)
    ("source_line 99999", lambda d: edit(d, "observations", LE_2020, source_line="99999"),
     ["observations.csv, row 158 (line 159), column 'source_line': line 99999 is past the end of the document "
      "of source 'yangchun_14th_plan' (000_27c8e80ac61bac0c.txt, 518 lines); value_text '77.8岁' is on line "
      "40: set source_line to 40"]),
    ("the wrong line", lambda d: edit(d, "observations", LE_2020, source_line="41"),
     ["observations.csv, row 158 (line 159), column 'source_line': value_text '77.8岁' is not on line 41 of the "
      "document of source 'yangchun_14th_plan' (000_27c8e80ac61bac0c.txt); it is on line 40: set source_line "
      "to 40"]),
    ("a value not in the document", lambda d: edit(d, "observations", LE_2020, value="77.85", value_text="77.85"),
     ["observations.csv, row 158 (line 159), column 'value_text': value_text '77.85' is not on line 40 of the "
      "document of source 'yangchun_14th_plan' (000_27c8e80ac61bac0c.txt), nor anywhere else in it: write "
      "value_text exactly as the document does, and source_line as the line it is on"]),
    # --- a user's dictionary
    ("dictionary with another allowed value", lambda d: (d / "dictionary.csv").write_text(
        text(d, "dictionary.csv").replace("county-level city|district,", "county-level city|district|municipality,"),
        encoding="utf-8"),
     ["dictionary.csv, line 5 (regions.level), column 'allowed_values': 'nation|province|prefecture-level "
      "city|county-level city|district|municipality' differs from planlib's 'nation|province|prefecture-level "
      f"city|county-level city|district': {DICT_REMEDY}"]),
    ("dictionary with a column of its own", lambda d: (d / "dictionary.csv").write_text(
        text(d, "dictionary.csv") + "regions,population,integer,no,persons,,Resident population\n", encoding="utf-8"),
     ["dictionary.csv, line 52: column 'population' of regions.csv is not in planlib's dictionary (planlib "
      f"reads only its own columns): {DICT_REMEDY}"]),
    ("dictionary without a column", lambda d: (d / "dictionary.csv").write_text(
        "".join(line for line in text(d, "dictionary.csv").splitlines(keepends=True) if ",nature," not in line),
        encoding="utf-8"),
     [f"dictionary.csv: column 'nature' of observations.csv is missing (line 48 of planlib's dictionary): "
      f"{DICT_REMEDY}"]),
    ("dictionary saved as GBK", lambda d: (d / "dictionary.csv").write_bytes(
        text(d, "dictionary.csv").encode("gb18030")),
     ["dictionary.csv, line 22, column 'meaning': the file is in the GBK (GB2312/GB18030) encoding of Chinese "
      f"Windows, not UTF-8 (it reads 'The unit as Chinese readers see it in tables and text (岁' as GBK): {SAVE}"]),
    # --- files that are empty, not UTF-8 or not CSV
    ("observations.csv header only", lambda d: header_only(d, "observations"),
     ["observations.csv: header only: no rows; add a line per number reported in a source below the header"]),
    ("sources.csv header only", lambda d: header_only(d, "sources"),
     ["sources.csv: header only: no rows; add a line per source below the header"]),
    ("sources.csv empty", lambda d: (d / "sources.csv").write_bytes(b""),
     ["sources.csv: file is empty: it needs the header line (id, title, issuer, date, document_number, kind, "
      "seed_file, note, note_zh, title_en, issuer_en) and a line per row"]),
    ("regions.csv saved as GBK", lambda d: (d / "regions.csv").write_bytes(text(d, "regions.csv").encode("gbk")),
     ["regions.csv, line 2, column 'name_zh': the file is in the GBK (GB2312/GB18030) encoding of Chinese "
      f"Windows, not UTF-8 (it reads '中国' as GBK): {SAVE}"]),
    ("observations.csv saved as GBK", lambda d: (d / "observations.csv").write_bytes(
        text(d, "observations.csv").encode("gb18030")),
     ["observations.csv, line 2, column 'unit_text': the file is in the GBK (GB2312/GB18030) encoding of "
      f"Chinese Windows, not UTF-8 (it reads '岁' as GBK): {SAVE}"]),
    ("one GBK cell in a UTF-8 file", lambda d: (d / "units.csv").write_bytes(
        text(d, "units.csv").encode("utf-8") + "张,beds,1,床位\n".encode("gbk")),
     ["units.csv, line 32, column 'unit_text': this line is in the GBK (GB2312/GB18030) encoding of Chinese "
      f"Windows, not UTF-8 (it reads '张' as GBK): {SAVE}"]),
    ("observations.csv saved as UTF-16", lambda d: (d / "observations.csv").write_bytes(
        text(d, "observations.csv").encode("utf-16")),
     [f"observations.csv: saved as UTF-16 (Unicode text), not UTF-8: {SAVE}"]),
    ("UTF-16 without a byte-order mark", lambda d: (d / "units.csv").write_bytes(
        text(d, "units.csv").encode("utf-16-le")),
     [f"units.csv: saved as UTF-16 (Unicode text), not UTF-8: {SAVE}"]),
    ("an Excel workbook renamed .csv", lambda d: xlsx(d / "observations.csv"),
     ['observations.csv: this is an Excel workbook, not CSV text: export it as CSV UTF-8 (in Excel: File → '
      'Save As → "CSV UTF-8 (Comma delimited)")']),
    ("an old Excel workbook renamed .csv", lambda d: (d / "regions.csv").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
     ['regions.csv: this is an Excel workbook, not CSV text: export it as CSV UTF-8 (in Excel: File → '
      'Save As → "CSV UTF-8 (Comma delimited)")']),
    ("tab-separated", lambda d: (d / "units.csv").write_text(text(d, "units.csv").replace(",", "\t"),
                                                             encoding="utf-8"),
     ["units.csv, line 1 (header): columns ['unit_text\\tunit\\tfactor\\tnote'] do not match the data "
      "dictionary ['unit_text', 'unit', 'factor', 'note']: the file is separated by tabs; save it "
      "comma-separated (CSV UTF-8)"]),
    # --- values
    ("nan as a value", lambda d: edit(d, "observations", LE_2020, value="nan"),
     ["observations.csv, row 158 (line 159), column 'value': bad value 'nan'; expected a float ('nan' is not a "
      "number: write the number, or leave the cell empty if there is none)"]),
    ("NaN as a year", lambda d: edit(d, "observations", LE_2020, year="NaN"),
     ["observations.csv, row 158 (line 159), column 'year': bad value 'NaN'; expected a whole number ('nan' is "
      "not a number: write the number)"]),
    ("year 2020.0", lambda d: edit(d, "observations", LE_2020, year="2020.0"),
     ["observations.csv, row 158 (line 159), column 'year': bad value '2020.0'; expected a whole number "
      "(range:1949-2100): write 2020"]),
    ("source_line 40.0", lambda d: edit(d, "observations", LE_2020, source_line="40.0"),
     ["observations.csv, row 158 (line 159), column 'source_line': bad value '40.0'; expected a whole number "
      "(range:1-100000): write 40"]),
    ("a 1 MB field", lambda d: edit(d, "observations", LE_2020, note="x" * 1_048_576),
     ["observations.csv, row 158 (line 159), column 'note': the field is 1,048,576 characters long, more than "
      "the 131,072 planlib reads: a double quote left open swallows the lines after it (close it), or a "
      "whole text was pasted into the cell (shorten it)"]),
    ("a quote left open", lambda d: (d / "observations.csv").write_text(
        text(d, "observations.csv") + 'china,life_expectancy,2018,actual,,=,77,"77,岁,,nhc_bulletin_2019,,\n'
        + "x\n" * 5, encoding="utf-8"),
     [f"observations.csv, row {N_OBS + 1} (line {N_OBS + 2}), column 'value_text': a double quote opened in "
      f"this field is closed only on line {N_OBS + 7}, so lines {N_OBS + 2}-{N_OBS + 7} were read as one row "
      f"of 8 fields (expected 13): close the quote where the field ends"]),
    ("a quote in the wrong place", lambda d: (d / "observations.csv").write_text(
        text(d, "observations.csv") + 'china,life_expectancy,2018,actual,,=,77,"77,岁",,nhc_bulletin_2019,,\n',
        encoding="utf-8"),
     [f"observations.csv, row {N_OBS + 1} (line {N_OBS + 2}): 12 fields, expected 13 (region_id, indicator_id, "
      "year, kind, plan_cycle, comparator, value, value_text, unit_text, nature, source_id, source_line, note); "
      "the commas inside field 8 ('77,岁') were read as text: check the double quotes around it"]),
    # --- cases that were already clear, kept so they stay so
    ("unknown region", lambda d: edit(d, "observations", LE_2020, region_id="atlantis"),
     ["observations.csv, row 158 (line 159), column 'region_id': bad value 'atlantis'; valid choices: anju, "
      "chaozhou, china, guangan, guangan_city, guangdong, shandong, sichuan, suining, weihai, xiangqiao, "
      "yangchun, yangjiang"]),
    ("a row of 3 fields", lambda d: (d / "observations.csv").write_text(
        text(d, "observations.csv") + "yangchun,life_expectancy,2020\n", encoding="utf-8"),
     [f"observations.csv, row {N_OBS + 1} (line {N_OBS + 2}): 3 fields, expected 13 (region_id, indicator_id, "
      "year, kind, plan_cycle, comparator, value, value_text, unit_text, nature, source_id, source_line, note)"]),
    ("value against value_text", lambda d: edit(d, "observations", LE_2020, value="78.8"),
     ["observations.csv, row 158 (line 159), column 'value': 78.8 does not match value_text '77.8岁' (reads 77.8)"]),
    ("a symbol against the comparator", lambda d: edit(d, "observations", {"region_id": "anju", "value_text": "≥82"},
                                                         comparator="<="),
     ["observations.csv, row 229 (line 230), column 'comparator': '<=' contradicts value_text '≥82' ('>=')"]),
    ("sources.csv missing", lambda d: (d / "sources.csv").unlink(),
     None),  # the message names the folder: checked in test_missing_file below
]


@pytest.fixture
def with_documents(seeds, monkeypatch) -> Path:
    """The bundled documents are where planlib looks for them (as in a source checkout)."""
    monkeypatch.setenv("PLANLIB_DOCUMENTS", str(seeds))
    return seeds


def _problems(folder: Path) -> list[str]:
    with pytest.raises(DataError) as exc:
        planlib.load_tables(folder)
    return exc.value.problems


@pytest.mark.parametrize("case, fault, expected", [c for c in REJECTED if c[2] is not None],
                         ids=[c[0] for c in REJECTED if c[2] is not None])
def test_rejected_with_a_clear_message(case, fault, expected, data_copy, with_documents, capsys):
    fault(data_copy)
    assert _problems(data_copy) == expected
    assert all("valid choices: " not in p or not p.rstrip().endswith("valid choices:") for p in expected)
    # the command line says the same, one line per problem, and exits 2 without a traceback
    assert main(["--data", str(data_copy), "check"]) == 2
    out = capsys.readouterr()
    assert out.err.splitlines()[1:] == [f"  {p}" for p in expected[:25]]
    assert "Traceback" not in out.err + out.out


def test_missing_file(data_copy):
    (data_copy / "sources.csv").unlink()
    assert _problems(data_copy) == [f"{data_copy / 'sources.csv'}: file is missing (expected columns: id, title, "
                                    "issuer, date, document_number, kind, seed_file, note, note_zh, title_en, issuer_en)"]


def test_empty_sources_is_one_problem_not_one_per_reference(data_copy):
    """Before issue 13: 443 problems, each ending "valid choices: " with nothing after it."""
    header_only(data_copy, "sources")
    problems = _problems(data_copy)
    assert len(problems) == 1 and not any(p.endswith("valid choices: ") for p in problems)


# --- silent cases that load, with the correct result ---------------------------------------------------

def test_beds_implausible_for_the_population_are_in_doubt(data_copy, with_documents):
    """99,999,999 beds in a district of 514,900 people: a finding (error) that puts the value in
    doubt, so no verdict and no comparison is given for it."""
    append(data_copy, "observations", **{**OBS, "region_id": "xiangqiao", "indicator_id": "beds_count",
                                         "year": "2020", "value": "99999999", "value_text": "99999999张",
                                         "unit_text": "张", "source_id": "guangdong_press_a"})
    f = planlib.check_quality(data_copy)
    hit = f[f["check"] == "implausible_count"]
    assert hit[["region_id", "indicator_id", "year", "severity"]].values.tolist() == [
        ["xiangqiao", "beds_count", 2020, "error"]]
    assert hit["message"].iloc[0] == (
        "actual 99999999张 (guangdong_press_a) is 99,999,999 beds: 194,212 per 1,000 people for the 2020 "
        "population of 514,900 (51.49, xiangqiao_14th_plan_draft L126), far outside the plausible 1.5–15 per "
        "1,000; check the number and its unit")
    a = planlib.analyse_region("xiangqiao", data_copy)
    assert a.doubts[("beds_count", 2020)] == hit["message"].iloc[0]
    c = a.comparisons[a.comparisons["indicator_id"] == "beds_count"]
    assert (c["comparison"] == "data in doubt").all()


def test_plausible_counts_are_not_flagged(data_copy):
    """The same district's 474 institutions and 203 recruits, and beds at 6 per 1,000 people."""
    append(data_copy, "observations", **{**OBS, "region_id": "xiangqiao", "indicator_id": "beds_count",
                                         "year": "2020", "value": "3100", "value_text": "3100张",
                                         "unit_text": "张", "source_id": "guangdong_press_a"})
    f = planlib.check_quality(data_copy)
    assert not (f["check"] == "implausible_count").any()


def test_wrong_line_is_not_checked_without_the_document(data_copy, monkeypatch, tmp_path):
    """Without the document (an installed planlib without the bundled texts) a line cannot be
    checked: the folder loads."""
    monkeypatch.setenv("PLANLIB_DOCUMENTS", str(tmp_path / "nowhere"))
    edit(data_copy, "observations", LE_2020, source_line="41")
    assert len(planlib.load_tables(data_copy).observations) == N_OBS


def test_stored_document_is_checked(data_copy, with_documents):
    """A document stored with the data folder (documents/<source id>.txt, as ``planlib extract``
    keeps it) is checked like a bundled one, and wins over it; its rows need their lines."""
    docs = data_copy / "documents"
    docs.mkdir()
    lines = (with_documents / "000_27c8e80ac61bac0c.txt").read_text(encoding="utf-8").splitlines()
    (docs / "yangchun_14th_plan.txt").write_text("\n".join(["(cover page)"] + lines) + "\n", encoding="utf-8")
    problems = _problems(data_copy)
    assert len(problems) == 77  # the lines whose value is not also on the line below
    assert problems[:2] == [
        "observations.csv, row 96 (line 97), column 'source_line': value_text '77.8' is not on line 62 of the "
        "document of source 'yangchun_14th_plan' (documents/yangchun_14th_plan.txt); it is on line 63 (also on "
        "lines 41, 65): set source_line to 63",
        "observations.csv, row 97 (line 98), column 'source_line': value_text '77.8' is not on line 64 of the "
        "document of source 'yangchun_14th_plan' (documents/yangchun_14th_plan.txt); it is on lines 63 and 65, "
        "as near (also on line 41): set source_line to the one meant"]
    (docs / "yangchun_14th_plan.txt").unlink()
    (docs / "guangdong_press_a.txt").write_text("广东省 2020 年人均预期寿命 78.4 岁\n", encoding="utf-8")
    problems = _problems(data_copy)
    rows_a = [i for i, r in enumerate(rows(data_copy, "observations"), start=1)
              if r["source_id"] == "guangdong_press_a"]
    assert problems[0] == (f"observations.csv, row {rows_a[0]} (line {rows_a[0] + 1}), column 'source_line': required "
                           "because planlib has the document of source 'guangdong_press_a' "
                           "(documents/guangdong_press_a.txt): give the line value_text is on")
    assert len(problems) == len(rows_a)


def test_a_stored_document_that_is_not_utf8(data_copy, with_documents):
    docs = data_copy / "documents"
    docs.mkdir()
    (docs / "yangchun_14th_plan.txt").write_bytes("阳春市 77.8".encode("gbk"))
    problems = _problems(data_copy)
    assert problems[0].endswith("column 'source_line': the document of source 'yangchun_14th_plan' "
                                "(documents/yangchun_14th_plan.txt) cannot be read (UnicodeDecodeError): "
                                "save it as UTF-8 text")


def test_users_dictionary_is_used_when_it_only_documents_differently(data_copy):
    """Units and meanings are documentation: a dictionary that changes only those is used."""
    (data_copy / "dictionary.csv").write_text(
        text(data_copy, "dictionary.csv").replace("Official Chinese name", "官方中文名称"), encoding="utf-8")
    from planlib.data.tables import _dictionary
    assert _dictionary(data_copy)["regions"][1].meaning == "官方中文名称"
    assert len(planlib.load_tables(data_copy).regions) == 13


def test_users_dictionary_saved_by_excel_is_used(data_copy):
    """A copy of the dictionary saved again by Excel (byte-order mark, CRLF line ends) is the same."""
    (data_copy / "dictionary.csv").write_bytes(
        b"\xef\xbb\xbf" + text(data_copy, "dictionary.csv").replace("\n", "\r\n").encode("utf-8"))
    assert len(planlib.load_tables(data_copy).regions) == 13


def test_a_changed_dictionary_is_noticed_after_loading(data_copy):
    """The folder's dictionary is part of its state: changing it after a load is seen."""
    planlib.load_tables(data_copy)
    (data_copy / "dictionary.csv").write_text(
        text(data_copy, "dictionary.csv").replace("range:1949-2100", "range:2000-2100"), encoding="utf-8")
    assert _problems(data_copy)[0].startswith("dictionary.csv, line 41 (observations.year), column 'allowed_values'")


def test_bundled_data_is_valid_with_every_check(with_documents, capsys):
    """The bundled data loads with the documents checked and ``planlib check`` exits 0."""
    assert len(planlib.load_tables(DATA).observations) == N_OBS
    assert main(["--data", str(DATA), "check"]) == 0
    assert "all valid" in capsys.readouterr().out


# --- at scale: the vectorised line check against a row-by-row one --------------------------------

def _reference_off_line(folder: Path, seeds: Path) -> set[int]:
    """Rows (1-based) whose value_text is not on their cited line, found row by row."""
    docs = {r["id"]: (seeds / r["seed_file"]).read_text(encoding="utf-8").splitlines()
            for r in rows(folder, "sources") if r["seed_file"]}
    bad = set()
    for i, r in enumerate(rows(folder, "observations"), start=1):
        if r["source_id"] in docs and r["source_line"]:
            lines, n = docs[r["source_id"]], int(r["source_line"])
            if not (1 <= n <= len(lines) and r["value_text"] in lines[n - 1]):
                bad.add(i)
    return bad


def test_line_check_of_many_regions_matches_a_row_by_row_check(data_copy, with_documents):
    clone_regions(data_copy, 150)
    data = rows(data_copy, "observations")
    rnd = random.Random(13)
    seeded = [i for i, r in enumerate(data) if r["source_line"]]
    for i in rnd.sample(seeded, 400):
        r = data[i]
        if rnd.random() < 0.5:
            r["source_line"] = str(int(r["source_line"]) + rnd.choice([-3, -1, 1, 2, 700]))
        else:
            r["note"] = "moved"  # a changed note keeps the row valid: a control
    write(data_copy, "observations", data)
    expected = _reference_off_line(data_copy, with_documents)
    assert 100 < len(expected) < 400
    problems = _problems(data_copy)
    found = {int(p.split("row ")[1].split(" ")[0]) for p in problems}
    assert found == expected
    assert all("column 'source_line'" in p or "column 'value_text'" in p for p in problems)


def test_region_tree_of_many_regions_is_valid(data_copy, with_documents):
    ids = clone_regions(data_copy, 300)
    assert planlib.load_tables(data_copy).regions["id"].tolist()[-300:] == ids
