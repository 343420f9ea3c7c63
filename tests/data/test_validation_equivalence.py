"""Validation and enrichment give exactly the problems and frames of the row-at-a-time code.

The exact problem lists of two broken copies of the bundled data (one with schema faults, one
with cross-column faults) were captured from the row-wise implementation and are pinned here.
The row-wise implementation itself is kept below as a private reference (``_reference_*``) and
compared with planlib on the bundled data and on a synthetic clone with many regions and
injected faults.
"""
from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planlib
from planlib import DataError
from planlib.data.schema import TABLES, TEXT, Column, choices_text, read_dictionary, validate_frame
from planlib.data.tables import COMPARATOR_WORDS, DICTIONARY, OBS_KEY, enrich
from planlib.data.values import first_number, parse_value_text, qualifier_word

from conftest import DATA, clone_regions



# These folders' values are changed on purpose, so they are not on the lines they cite: no source
# documents (conftest.no_documents). The line check has its own tests (test_bad_inputs.py).
pytestmark = pytest.mark.usefixtures("no_documents")


# --- the row-at-a-time reference (planlib before vectorisation, verbatim, with the rule issue 13
# added) --------------------------------------------------------------------------------------------

def _reference_cross_checks(obs: pd.DataFrame, indicators: pd.DataFrame, sources: pd.DataFrame) -> list[str]:
    f = "observations.csv"
    problems = []
    seeded = set(sources.loc[sources["seed_file"].notna(), "id"])
    keys = obs[OBS_KEY].astype("string").fillna("").agg("|".join, axis=1)
    first_row: dict[str, int] = {}
    for i, k in keys.items():
        if k in first_row:
            problems.append(f"{f}, row {i + 1} (line {i + 2}), columns {'/'.join(OBS_KEY)}: "
                            f"duplicate of row {first_row[k] + 1}")
        else:
            first_row[k] = i
    for i, r in obs.iterrows():
        where = f"{f}, row {i + 1} (line {i + 2})"
        parsed = parse_value_text(r["value_text"])
        if r["comparator"] == "text":
            if pd.notna(r["value"]):
                problems.append(f"{where}, column 'value': must be empty when comparator is 'text' "
                                f"(value_text {r['value_text']!r})")
        else:
            if pd.isna(r["value"]):
                problems.append(f"{where}, column 'value': empty, but comparator is {r['comparator']!r}; "
                                f"value_text {r['value_text']!r}")
            else:
                num = first_number(r["value_text"])
                if num is None or abs(num - float(r["value"])) > 1e-9:
                    problems.append(f"{where}, column 'value': {r['value']!r} does not match value_text "
                                    f"{r['value_text']!r} (reads {num!r})")
                if parsed.comparator in ("<", "<=", ">", ">=") and parsed.comparator != r["comparator"] \
                        and r["value_text"].strip()[:1] in "<>≤≥＜＞":
                    problems.append(f"{where}, column 'comparator': {r['comparator']!r} contradicts value_text "
                                    f"{r['value_text']!r} ({parsed.comparator!r})")
                # Added for issue 13 (row by row, as the specification of the vectorised rule): a
                # qualifier word (以下, 以上, 左右 ...) must agree with the comparator.
                word = qualifier_word(r["value_text"])
                if word is not None and word[1] != r["comparator"]:
                    problems.append(f"{where}, column 'comparator': {r['comparator']!r} contradicts value_text "
                                    f"{r['value_text']!r} ({word[0]} means {COMPARATOR_WORDS[word[1]]}: "
                                    f"{word[1]!r}); set comparator to {word[1]!r}")
        if r["kind"] == "target" and pd.isna(r["plan_cycle"]):
            problems.append(f"{where}, column 'plan_cycle': a target needs its plan cycle; valid choices: 13th, 14th, 15th, hc2030")
        if r["kind"] == "actual" and pd.notna(r["plan_cycle"]):
            problems.append(f"{where}, column 'plan_cycle': must be empty for an actual (got {r['plan_cycle']!r})")
        if r["source_id"] in seeded and pd.isna(r["source_line"]):
            problems.append(f"{where}, column 'source_line': required because source {r['source_id']!r} is a seed document")
    return problems


def _reference_location(file: str, index: object) -> str:
    if isinstance(index, (int,)) and not isinstance(index, bool):
        return f"{file}, row {index + 1} (line {index + 2})"
    return f"{file}"


def _reference_validate_frame(df: pd.DataFrame, columns: list[Column], refs: dict[str, list[str]],
                              file: str) -> pd.DataFrame:
    from pandera.errors import SchemaErrors

    from planlib.data.schema import build_schema
    schema = build_schema(columns, refs)
    by_name = {c.name: c for c in columns}
    try:
        return schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        problems = []
        fc = exc.failure_cases
        for rec in fc.itertuples(index=False):
            col = rec.column
            check = str(rec.check)
            value = rec.failure_case
            if col is None or col not in by_name:
                problems.append(f"{file}: {check}: {value}")
                continue
            spec = by_name[col]
            where = _reference_location(file, rec.index)
            if spec.allowed.startswith("ref:"):
                hint = f"valid choices: {choices_text(refs.get(spec.allowed[4:], []))}"
            elif spec.allowed and not spec.allowed.startswith(("pattern:", "range:")):
                hint = f"valid choices: {spec.allowed.replace('|', ', ')}"
            elif spec.allowed:
                hint = f"expected {spec.allowed}"
            elif "coerce" in check or "dtype" in check:
                hint = f"expected a {spec.type}"
            else:
                hint = check
            if "not_nullable" in check or value is None or (isinstance(value, float) and pd.isna(value)):
                msg = f"{where}, column '{col}': value is required but empty"
            else:
                msg = f"{where}, column '{col}': bad value {value!r}; {hint}"
            problems.append(msg)
        raise DataError(_in_file_order(sorted(set(problems), key=problems.index), columns)) from None


def _in_file_order(problems: list[str], columns: list[Column]) -> list[str]:
    """Problems as planlib lists them since it validates distinct values: those of the whole file
    first, then row by row, a row's columns left to right (pandera lists them in an order that
    depends on how many there are)."""
    order = {c.name: k for k, c in enumerate(columns)}

    def key(p: str) -> tuple:
        m = re.match(r"[^,]+, row (\d+) \(line \d+\), column '([^']+)'", p)
        return (0, 0, 0, "") if m is None else (1, int(m[1]), order[m[2]], p)
    return sorted(problems, key=key)


def _reference_problems(folder: Path) -> list[str]:
    """Every problem the row-wise loader reported for a folder of well-formed CSV files."""
    dictionary = read_dictionary(DICTIONARY)
    raw = {}
    for t in TABLES:
        with (folder / f"{t}.csv").open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        raw[t] = pd.DataFrame(rows[1:], columns=rows[0], dtype=object).replace({"": None})
    refs = {"units.unit_text": list(raw["units"]["unit_text"].dropna()),
            "units.unit": list(raw["units"]["unit"].dropna()),
            "regions.id": list(raw["regions"]["id"].dropna()),
            "indicators.id": list(raw["indicators"]["id"].dropna()),
            "sources.id": list(raw["sources"]["id"].dropna())}
    out, problems = {}, []
    for t in TABLES:
        try:
            out[t] = _reference_validate_frame(raw[t], dictionary[t], refs, f"{t}.csv")
        except DataError as exc:
            problems.extend(exc.problems)
    for t, key in (("regions", ["id"]), ("indicators", ["id"]), ("sources", ["id"]),
                   ("units", ["unit_text", "unit"])):
        d = raw[t][key].fillna("")
        for i in d.index[d.duplicated()]:
            problems.append(f"{t}.csv, row {i + 1} (line {i + 2}), column '{'/'.join(key)}': "
                            f"duplicate of an earlier row ({', '.join(map(repr, d.loc[i]))})")
    if not problems:
        problems.extend(_reference_cross_checks(out["observations"], out["indicators"], out["sources"]))
    return problems


def _reference_enrich(t) -> pd.DataFrame:
    obs = t.observations.copy()
    ind = t.indicators.set_index("id")
    obs["direction"] = obs["indicator_id"].map(ind["direction"])
    obs["unit"] = obs["indicator_id"].map(ind["unit"])
    pairs = t.units.set_index(["unit_text", "unit"])["factor"]
    keys = list(zip(obs["unit_text"].fillna(""), obs["unit"]))
    obs["unit_ok"] = [(k in pairs.index) or k[0] == "" for k in keys]
    factor = [float(pairs[k]) if k in pairs.index else 1.0 for k in keys]
    obs["value_std"] = obs["value"].astype(float) * factor
    obs["ref"] = [f"{s} L{int(ln)}" if pd.notna(ln) else s
                  for s, ln in zip(obs["source_id"], obs["source_line"])]
    return obs


# --- editing a copy of the data ------------------------------------------------------------------

def _rows(folder: Path, table: str) -> list[dict]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(folder: Path, table: str, rows: list[dict]) -> None:
    with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _edit(folder: Path, table: str, edits: dict[int, dict], appended: list[dict] = ()) -> None:
    """Change data rows (1-based) of a table; append rows (copies of a row with changes:
    ``{"like": row, **changes}``)."""
    rows = _rows(folder, table)
    for row, changes in edits.items():
        rows[row - 1].update(changes)
    for a in appended:
        a = dict(a)
        rows.append({**rows[a.pop("like") - 1], **a})
    _write(folder, table, rows)


def _row_of(folder: Path, **match: str) -> int:
    """1-based data row of the first observation matching every column given."""
    for i, r in enumerate(_rows(folder, "observations"), start=1):
        if all(r[k] == v for k, v in match.items()):
            return i
    raise LookupError(match)


def _schema_faults(folder: Path) -> None:
    """Faults pandera finds: unknown ids, bad choices, types, ranges, patterns, empty required
    values; and duplicated ids in the small tables."""
    _edit(folder, "observations", {
        3: {"kind": "forecast"}, 4: {"unit_text": "furlongs"}, 5: {"region_id": "atlantis"},
        7: {"value": "seventy"}, 8: {"year": "1800"}, 10: {"value_text": ""},
        11: {"source_line": "0"}, 12: {"plan_cycle": "16th"}, 13: {"nature": "maybe"},
        14: {"source_id": "nowhere"}, 15: {"comparator": "≈"}, 16: {"region_id": "atlantis"},
        17: {"indicator_id": ""}, 19: {"region_id": "Atlantis", "year": "3000"}, 20: {"value": ""},
        21: {"value": "1e400"}, 22: {"comparator": "", "kind": ""},
    })
    _edit(folder, "regions", {2: {"level": "county"}, 3: {"parent_id": "nowhere"}},
          [{"like": 13}, {"like": 1, "id": "Bad-Id"}, {"like": 1, "id": ""}])
    _edit(folder, "indicators", {4: {"direction": "up", "plausible_min": "low"}}, [{"like": 2}])
    _edit(folder, "sources", {6: {"date": "2016/01"}, 7: {"kind": "blog"}})
    _edit(folder, "units", {3: {"factor": "ten"}}, [{"like": 1}, {"like": 2, "note": "again"}])


def _coercion_faults(folder: Path) -> None:
    """Values of the wrong type in an integer column: pandera then reports the column's range
    check once, for the whole column."""
    _edit(folder, "observations", {8: {"year": "1800"}, 9: {"year": "20x5"}, 18: {"source_line": "12.5"},
                                   19: {"source_line": "0"}})


def _cross_faults(folder: Path) -> None:
    """Faults only the cross-column rules find: duplicates, value vs value_text, comparator vs
    value_text, plan cycle vs kind, missing seed lines."""
    text_target = _row_of(folder, region_id="yangchun", comparator="text")
    le_target = _row_of(folder, region_id="yangchun", value_text="<8")
    ge_target = _row_of(folder, region_id="anju", value_text="≥82")
    seeded = _row_of(folder, region_id="guangan", kind="actual")
    _edit(folder, "observations", {
        1: {"plan_cycle": "14th"}, 2: {"value": "99.9"}, 6: {"value": ""},
        20: {"value_text": "about four", "value": "4"}, 21: {"value_text": "10,700", "value": "10700"},
        22: {"value": "7.80000000001"}, 23: {"value": "7.5000001"},
        text_target: {"value": "1"}, le_target: {"comparator": "="},
        ge_target: {"comparator": ">", "plan_cycle": ""}, seeded: {"source_line": ""},
        30: {"comparator": "text", "value": ""}, 31: {"value_text": "＜3.15", "comparator": ">=", "value": "3.16"},
        56: {"kind": "actual"},
    }, [{"like": 4}, {"like": 4}, {"like": seeded}, {"like": 59}, {"like": 1, "note": "same key, other note"},
        {"like": 57, "value_text": "<18 ", "plan_cycle": "14th"}])


# --- exact problem lists, captured from the row-wise code (the schema's problems put in file order) --

#: Rows of the bundled observations.csv: rows a test appends are numbered after them.
N_OBS = len(pd.read_csv(Path(planlib.__file__).resolve().parents[2] / "data" / "observations.csv"))
#: Rows of the bundled indicators.csv, and the bundled source ids (valid choices in messages).
N_IND = len(pd.read_csv(Path(planlib.__file__).resolve().parents[2] / "data" / "indicators.csv"))
SOURCE_IDS = ", ".join(sorted(pd.read_csv(Path(planlib.__file__).resolve().parents[2] / "data" / "sources.csv")["id"]))

SCHEMA_PROBLEMS = [
    "regions.csv, row 2 (line 3), column 'level': bad value 'county'; valid choices: nation, province, prefecture-level city, county-level city, district",
    "regions.csv, row 3 (line 4), column 'parent_id': bad value 'nowhere'; valid choices: Bad-Id, anju, chaozhou, china, guangan, guangan_city, guangdong, shandong, sichuan, suining, weihai, xiangqiao, yangchun, yangjiang",
    "regions.csv, row 15 (line 16), column 'id': bad value 'Bad-Id'; expected pattern:^[a-z][a-z0-9_]*$",
    "regions.csv, row 16 (line 17), column 'id': value is required but empty",
    "indicators.csv, row 4 (line 5), column 'direction': bad value 'up'; valid choices: higher_is_better, lower_is_better, no_judgement",
    "indicators.csv, row 4 (line 5), column 'plausible_min': bad value 'low'; expected a float",
    "sources.csv, row 6 (line 7), column 'date': bad value '2016/01'; expected pattern:^(\\d{4}(-\\d{2}(-\\d{2})?)?)?$",
    "sources.csv, row 7 (line 8), column 'kind': bad value 'blog'; valid choices: local plan, mid-term review, national plan, statistical bulletin, press",
    "units.csv, row 3 (line 4), column 'factor': bad value 'ten'; expected a float",
    "observations.csv, row 3 (line 4), column 'kind': bad value 'forecast'; valid choices: actual, target",
    "observations.csv, row 4 (line 5), column 'unit_text': bad value 'furlongs'; valid choices: %, /10 万, /10万, 1/10万, ‰, 万, 万人, 个, 人, 例, 元, 名, 天, 家, 岁, 平方米, 张, ％",
    "observations.csv, row 5 (line 6), column 'region_id': bad value 'atlantis'; valid choices: Bad-Id, anju, chaozhou, china, guangan, guangan_city, guangdong, shandong, sichuan, suining, weihai, xiangqiao, yangchun, yangjiang",
    "observations.csv, row 7 (line 8), column 'value': bad value 'seventy'; expected a float",
    "observations.csv, row 8 (line 9), column 'year': bad value 1800; expected range:1949-2100",
    "observations.csv, row 10 (line 11), column 'value_text': value is required but empty",
    "observations.csv, row 11 (line 12), column 'source_line': bad value 0; expected range:1-100000",
    "observations.csv, row 12 (line 13), column 'plan_cycle': bad value '16th'; valid choices: 13th, 14th, 15th, hc2030",
    "observations.csv, row 13 (line 14), column 'nature': bad value 'maybe'; valid choices: 预期性, 约束性",
    f"observations.csv, row 14 (line 15), column 'source_id': bad value 'nowhere'; valid choices: {SOURCE_IDS}",
    "observations.csv, row 15 (line 16), column 'comparator': bad value '≈'; valid choices: =, <, <=, >, >=, ~, text",
    "observations.csv, row 16 (line 17), column 'region_id': bad value 'atlantis'; valid choices: Bad-Id, anju, chaozhou, china, guangan, guangan_city, guangdong, shandong, sichuan, suining, weihai, xiangqiao, yangchun, yangjiang",
    "observations.csv, row 17 (line 18), column 'indicator_id': value is required but empty",
    "observations.csv, row 19 (line 20), column 'region_id': bad value 'Atlantis'; valid choices: Bad-Id, anju, chaozhou, china, guangan, guangan_city, guangdong, shandong, sichuan, suining, weihai, xiangqiao, yangchun, yangjiang",
    "observations.csv, row 19 (line 20), column 'year': bad value 3000; expected range:1949-2100",
    "observations.csv, row 22 (line 23), column 'kind': value is required but empty",
    "observations.csv, row 22 (line 23), column 'comparator': value is required but empty",
    "regions.csv, row 14 (line 15), column 'id': duplicate of an earlier row ('weihai')",
    f"indicators.csv, row {N_IND + 1} (line {N_IND + 2}), column 'id': duplicate of an earlier row ('maternal_mortality')",
    "units.csv, row 31 (line 32), column 'unit_text/unit': duplicate of an earlier row ('岁', 'years')",
    "units.csv, row 32 (line 33), column 'unit_text/unit': duplicate of an earlier row ('‰', 'per 1000 live births')",
]
COERCION_PROBLEMS = [
    'observations.csv, column \'year\': bad value \'TypeError("\\\'>=\\\' not supported between instances of \\\'str\\\' and \\\'int\\\'")\'; expected range:1949-2100',
    'observations.csv, column \'source_line\': bad value \'TypeError("\\\'>=\\\' not supported between instances of \\\'str\\\' and \\\'int\\\'")\'; expected range:1-100000',
    "observations.csv, row 9 (line 10), column 'year': bad value '20x5'; expected range:1949-2100",
    "observations.csv, row 18 (line 19), column 'source_line': bad value '12.5'; expected range:1-100000",
]
#: planlib since issue 13: a value that is not a whole number is said to be one, and pandera's
#: internal error from running the range check on unconverted text (the TypeError lines) is not
#: shown: each bad value is already named on its own line.
COERCION_PROBLEMS_NOW = [
    "observations.csv, row 9 (line 10), column 'year': bad value '20x5'; expected a whole number (range:1949-2100)",
    "observations.csv, row 18 (line 19), column 'source_line': bad value '12.5'; expected a whole number (range:1-100000)",
]
CROSS_PROBLEMS = [
    f'observations.csv, row {N_OBS + 1} (line {N_OBS + 2}), columns region_id/indicator_id/year/kind/source_id/source_line/value_text: duplicate of row 4',
    f'observations.csv, row {N_OBS + 2} (line {N_OBS + 3}), columns region_id/indicator_id/year/kind/source_id/source_line/value_text: duplicate of row 4',
    f'observations.csv, row {N_OBS + 3} (line {N_OBS + 4}), columns region_id/indicator_id/year/kind/source_id/source_line/value_text: duplicate of row 168',
    f'observations.csv, row {N_OBS + 4} (line {N_OBS + 5}), columns region_id/indicator_id/year/kind/source_id/source_line/value_text: duplicate of row 59',
    f'observations.csv, row {N_OBS + 5} (line {N_OBS + 6}), columns region_id/indicator_id/year/kind/source_id/source_line/value_text: duplicate of row 1',
    "observations.csv, row 1 (line 2), column 'plan_cycle': must be empty for an actual (got '14th')",
    "observations.csv, row 2 (line 3), column 'value': 99.9 does not match value_text '77.3' (reads 77.3)",
    "observations.csv, row 6 (line 7), column 'value': empty, but comparator is '='; value_text '79.0'",
    "observations.csv, row 20 (line 21), column 'value': 4.0 does not match value_text 'about four' (reads None)",
    "observations.csv, row 23 (line 24), column 'value': 7.5000001 does not match value_text '7.5' (reads 7.5)",
    "observations.csv, row 31 (line 32), column 'value': 3.16 does not match value_text '＜3.15' (reads 3.15)",
    "observations.csv, row 31 (line 32), column 'comparator': '>=' contradicts value_text '＜3.15' ('<')",
    "observations.csv, row 56 (line 57), column 'plan_cycle': must be empty for an actual (got '13th')",
    "observations.csv, row 114 (line 115), column 'value': must be empty when comparator is 'text' (value_text '比2015年降低5%')",
    "observations.csv, row 122 (line 123), column 'comparator': '=' contradicts value_text '<8' ('<')",
    "observations.csv, row 168 (line 169), column 'source_line': required because source 'guangan_14th_plan' is a seed document",
    "observations.csv, row 229 (line 230), column 'comparator': '>' contradicts value_text '≥82' ('>=')",
    "observations.csv, row 229 (line 230), column 'plan_cycle': a target needs its plan cycle; valid choices: 13th, 14th, 15th, hc2030",
    f"observations.csv, row {N_OBS + 3} (line {N_OBS + 4}), column 'source_line': required because source 'guangan_14th_plan' is a seed document",
    f"observations.csv, row {N_OBS + 5} (line {N_OBS + 6}), column 'plan_cycle': must be empty for an actual (got '14th')",
]


def _problems(folder: Path) -> list[str]:
    with pytest.raises(DataError) as exc:
        planlib.load_tables(folder)
    return exc.value.problems


def test_schema_faults_exact_problems(data_copy):
    _schema_faults(data_copy)
    assert _problems(data_copy) == SCHEMA_PROBLEMS
    assert _reference_problems(data_copy) == SCHEMA_PROBLEMS


def test_coercion_faults_exact_problems(data_copy):
    _coercion_faults(data_copy)
    assert _problems(data_copy) == COERCION_PROBLEMS_NOW
    assert _reference_problems(data_copy) == COERCION_PROBLEMS


def test_cross_column_faults_exact_problems(data_copy):
    _cross_faults(data_copy)
    assert _problems(data_copy) == CROSS_PROBLEMS
    assert _reference_problems(data_copy) == CROSS_PROBLEMS


# --- many regions: planlib against the row-wise reference ------------------------------------------

def _inject(folder: Path, faults: list, n: int, seed: int, duplicates: int = 0) -> None:
    """Apply ``n`` faults (functions changing an observation dict in place) to random rows of the
    synthetic regions and append ``duplicates`` copies of random rows."""
    rnd = random.Random(seed)
    rows = _rows(folder, "observations")
    first_clone = next(i for i, r in enumerate(rows) if "_c" in r["region_id"])
    for i in rnd.sample(range(first_clone, len(rows)), n):
        rnd.choice(faults)(rows[i])
    rows += [dict(rows[rnd.randrange(len(rows))]) for _ in range(duplicates)]
    _write(folder, "observations", rows)


def _mismatch(r: dict) -> None:
    if r["value"]:
        r["value"] = str(float(r["value"]) + 1)


def _flip(r: dict) -> None:
    r["comparator"] = "=" if r["value_text"].strip()[:1] in "<>≤≥＜＞" else ">"


CROSS_FAULTS = [
    _mismatch, _flip,
    lambda r: r.update(value=""),
    lambda r: r.update(comparator="text", value="1"),
    lambda r: r.update(comparator="text", value=""),
    lambda r: r.update(kind="target", plan_cycle=""),
    lambda r: r.update(kind="actual", plan_cycle="13th"),
    lambda r: r.update(source_line=""),
    lambda r: r.update(value_text="n/a"),
    lambda r: r.update(value_text=f"≥{r['value_text']}"),
    lambda r: r.update(value_text=f" {r['value_text']}以下"),
]
SCHEMA_FAULTS = [
    lambda r: r.update(region_id="atlantis"),
    lambda r: r.update(region_id=f"{r['region_id']}x"),
    lambda r: r.update(indicator_id=""),
    lambda r: r.update(kind="forecast"),
    lambda r: r.update(comparator="≈"),
    lambda r: r.update(year="1800"),
    lambda r: r.update(source_line="0"),
    lambda r: r.update(unit_text="furlongs"),
    lambda r: r.update(value="seventy"),
    lambda r: r.update(value_text=""),
    lambda r: r.update(nature="maybe", plan_cycle="16th"),
]


def test_cross_column_problems_of_many_regions_match_reference(data_copy):
    clone_regions(data_copy, 150)
    _inject(data_copy, CROSS_FAULTS, 600, seed=1, duplicates=40)
    problems = _problems(data_copy)
    assert len(problems) > 400
    assert problems == _reference_problems(data_copy)


def test_schema_problems_of_many_regions_match_reference(data_copy):
    clone_regions(data_copy, 150)
    _inject(data_copy, SCHEMA_FAULTS, 1500, seed=2)
    problems = _problems(data_copy)
    assert len(problems) > 1000
    assert problems == _reference_problems(data_copy)


def test_valid_many_regions_load_like_reference(data_copy):
    clone_regions(data_copy, 150)
    assert _reference_problems(data_copy) == []
    obs = planlib.load_observations(data_copy)
    assert len(obs) > 10_000 and obs["region_id"].str.contains("_c").any()


def test_enrich_matches_reference_on_bundled_data():
    t = planlib.load_tables()
    pd.testing.assert_frame_equal(enrich(t), _reference_enrich(t))
    pd.testing.assert_frame_equal(t.enriched, _reference_enrich(t))


UNIT_FAULTS = [
    lambda r: r.update(unit_text=""),
    lambda r: r.update(unit_text="%"),
    lambda r: r.update(unit_text="万"),
    lambda r: r.update(unit_text="‰"),
    lambda r: r.update(source_line="", note="line removed"),
]


def test_enrich_matches_reference_on_many_regions(data_copy):
    clone_regions(data_copy, 150)
    # Seed documents need their lines: only faults that keep the folder valid.
    rows = _rows(data_copy, "observations")
    rnd = random.Random(3)
    seeded = {r["id"] for r in _rows(data_copy, "sources") if r["seed_file"]}
    for r in rnd.sample(rows, 2000):
        fault = rnd.choice(UNIT_FAULTS)
        if fault is UNIT_FAULTS[-1] and r["source_id"] in seeded:
            continue
        fault(r)
    _write(data_copy, "observations", rows)
    t = planlib.load_tables(data_copy)
    ref = _reference_enrich(t)
    assert (~ref["unit_ok"]).sum() > 100 and (ref["value_std"] != ref["value"]).sum() > 10
    pd.testing.assert_frame_equal(enrich(t), ref)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(['a', ',', '"', '""', '\n', '\r\n', '岁', ' ', '1']), max_size=14).map("".join))
def test_any_text_reads_as_the_csv_module_reads_it(body):
    """Whatever the text, the fast reader (a byte scan, then pandas) gives what the csv module
    gives row by row, or the csv module's own problems."""
    import tempfile

    from planlib.data import tables
    cols = [Column("t", name, "string", False, "", "") for name in ("a", "b", "c")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_text("a,b,c\n" + body, encoding="utf-8", newline="")
        try:
            rows = tables._read_rows(path, ["a", "b", "c"])
        except DataError as exc:
            with pytest.raises(DataError) as fast:
                tables._read_csv(path, cols)
            assert fast.value.problems == exc.problems
        else:
            pd.testing.assert_frame_equal(tables._read_csv(path, cols).astype(TEXT), rows)


def test_fast_reader_reads_like_the_csv_module(tmp_path):
    """Regular files are read by pandas' C parser: it must give what the csv module gives, for
    quoting, embedded commas and newlines, spaces, CRLF, a byte-order mark and no final newline."""
    from planlib.data import tables
    cols = read_dictionary(DICTIONARY)["observations"]
    header = ",".join(c.name for c in cols)
    body = [
        'yangchun,life_expectancy,2020,actual,,=,77.8,77.8,岁,,yangchun_14th_plan,40,"table, row 3"',
        'yangchun,life_expectancy,2025,target,14th,>,79,">79",岁,预期性,yangchun_14th_plan,41,"two\nlines, ""quoted"""',
        'anju,life_expectancy,2025,target,14th,text,,提高1岁, 岁 ,,anju_14th_plan,7,""',
        'anju,beds_per_1000,2020,actual,,=,5, 5 ,张,,anju_14th_plan,8,NA',
        'china,beds_per_1000,2020,actual,,=,6.46,6.46,张,,nhc_bulletin_2020,,None',
        'china,beds_per_1000,2021,actual,,=,6.7,6.7,张,,nhc_bulletin_2021,,"a,b,c,d"',
    ]
    files = {"lf": header + "\n" + "\n".join(body) + "\n", "crlf_bom": "\ufeff" + header + "\r\n" + "\r\n".join(body) + "\r\n",
             "no_final_newline": header + "\n" + "\n".join(body)}
    for name, text in files.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(text.encode("utf-8"))
        assert tables._regular_lines(path.read_bytes(), len(cols)) == len(body) + 1, name
        fast = tables._read_csv(path, cols)
        rows = tables._read_rows(path, [c.name for c in cols])
        assert all(isinstance(fast[c.name].dtype, pd.CategoricalDtype) == (c.type == "string") for c in cols)
        pd.testing.assert_frame_equal(fast.astype(TEXT), rows, obj=name)
        assert fast.loc[1, "note"] == 'two\nlines, "quoted"' and fast.loc[2, "unit_text"] == " 岁 "
        assert pd.isna(fast.loc[2, "note"]) and fast.loc[3, "note"] == "NA"


def test_quotes_inside_fields_read_like_the_csv_module(data_copy):
    """Quotes inside an unquoted field are literal for the csv module, and pandas may read the
    commas after them otherwise: the byte scan does not vouch for such a file (balanced quotes
    or not), and the csv module reads it."""
    from planlib.data import tables
    cols = read_dictionary(DICTIONARY)["observations"]
    path = data_copy / "observations.csv"
    assert tables._regular_lines(path.read_bytes(), len(cols))
    with path.open("a", encoding="utf-8") as fh:
        fh.write('china,life_expectancy,2018,actual,,=,77.0,77.0,岁,,nhc_bulletin_2019,,a "quoted" word\n')
    assert not tables._regular_lines(path.read_bytes(), len(cols))
    pd.testing.assert_frame_equal(tables._read_csv(path, cols), tables._read_rows(path, [c.name for c in cols]))
    with path.open("a", encoding="utf-8") as fh:
        fh.write('china,life_expectancy,2017,actual,,=,76.7,76.7,岁,,nhc_bulletin_2019,,a 5" screen\n')
    assert not tables._regular_lines(path.read_bytes(), len(cols))
    obs = planlib.load_observations(data_copy)
    assert list(obs["note"].iloc[-2:]) == ['a "quoted" word', 'a 5" screen']
    assert len(obs) == len(planlib.load_observations()) + 2


def test_text_that_reads_as_numbers_keeps_its_spelling(data_copy):
    """pandas reads a categorical column whose texts are all numbers (or all true/false) as
    numbers, merging '7', '07' and '7.0': planlib reads such a column again as text."""
    for notes in (["7", "07", "7.0", "+7"], ["True", "TRUE", "false", "true"]):
        rows = _rows(data_copy, "observations")
        for i, r in enumerate(rows):
            r["note"] = notes[i % len(notes)]
        _write(data_copy, "observations", rows)
        obs = planlib.load_observations(data_copy)
        assert list(obs["note"].iloc[:8]) == notes * 2
        assert obs["note"].dtype == planlib.load_observations()["note"].dtype


def test_validate_frame_with_many_failures_matches_reference():
    """Thousands of failure cases (a whole column wrong) give the reference's messages, in order."""
    from planlib.data import tables
    d = read_dictionary(DICTIONARY)
    raw = tables._read_csv(DATA / "observations.csv", d["observations"]).astype(TEXT)  # (text, not categoricals)
    raw = pd.concat([raw] * 8, ignore_index=True)
    raw["region_id"] = "atlantis"
    raw.loc[::3, "kind"] = "forecast"
    raw.loc[::5, "year"] = "1800"
    t = planlib.load_tables()
    refs = {"regions.id": list(t.regions["id"]), "indicators.id": list(t.indicators["id"]),
            "sources.id": list(t.sources["id"]), "units.unit_text": list(t.units["unit_text"])}
    with pytest.raises(DataError) as mine:
        validate_frame(raw, d["observations"], refs, "observations.csv")
    with pytest.raises(DataError) as theirs:
        _reference_validate_frame(raw, d["observations"], refs, "observations.csv")
    assert len(mine.value.problems) > 4000
    assert mine.value.problems == theirs.value.problems
