"""Table schemas built from data/dictionary.csv, validated with pandera.

The data dictionary is the single description of every table: column order, type,
whether a value is required, and its allowed values (a list, a pattern, a numeric
range or a reference to another table's column). This module turns it into pandera
schemas and turns pandera's failure cases into messages that name the file, the row,
the column, the bad value and the valid choices.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

TABLES = ("regions", "indicators", "sources", "units", "observations")


class DataError(ValueError):
    """Invalid input data. The message names file, row (1-based data row; header is line 1), column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:25]
        more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__("invalid planlib data:\n  " + "\n  ".join(shown) + more)


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    type: str
    required: bool
    allowed: str
    meaning: str


def read_dictionary(path: Path) -> dict[str, list[Column]]:
    """Read the data dictionary into {table: [Column, ...]} in file order."""
    out: dict[str, list[Column]] = {t: [] for t in TABLES}
    with path.open(encoding="utf-8-sig", newline="") as fh:  # (a copy saved by Excel has a byte-order mark)
        for row in csv.DictReader(fh):
            out.setdefault(row["table"], []).append(
                Column(row["table"], row["column"], row["type"], row["required"] == "yes",
                       row["allowed_values"], row["meaning"])
            )
    return out


def _location(file: str, index: object) -> str:
    if isinstance(index, (int,)) and not isinstance(index, bool):
        return f"{file}, row {index + 1} (line {index + 2})"
    return f"{file}"


def choices_text(values: list[str], limit: int = 40) -> str:
    vals = sorted(set(values))
    head = ", ".join(vals[:limit])
    return head + (f", … ({len(vals)} in all)" if len(vals) > limit else "")


def build_schema(columns: list[Column], refs: dict[str, list[str]]) -> pa.DataFrameSchema:
    """A pandera schema for one table. ``refs`` maps 'table.column' to the valid ids."""
    cols: dict[str, pa.Column] = {}
    for c in columns:
        checks: list[pa.Check] = []
        allowed = c.allowed
        if allowed.startswith("pattern:"):
            checks.append(pa.Check.str_matches(allowed[len("pattern:"):]))
        elif allowed.startswith("range:"):
            lo, hi = allowed[len("range:"):].split("-")
            checks.append(pa.Check.in_range(int(lo), int(hi)))
        elif allowed.startswith("ref:"):
            if refs.get(allowed[4:]):  # a table with no rows is reported once, not at each reference
                checks.append(pa.Check.isin(refs[allowed[4:]], name=f"isin:{allowed[4:]}"))
        elif allowed:
            checks.append(pa.Check.isin(allowed.split("|")))
        dtype = {"string": str, "integer": "Int64", "float": "Float64"}[c.type]
        cols[c.name] = pa.Column(dtype, checks=checks, nullable=not c.required, coerce=True,
                                 required=True)
    return pa.DataFrameSchema(cols, strict=True, ordered=True)


#: Numbers written as text that Python reads as "not a number": an empty cell is missing, these are
#: bad values (pandas would read them as missing and call a required cell "empty").
NAN_TEXT = [f"{sign}{n}{a}{n2}" for sign in ("", "+", "-") for n in "nN" for a in "aA" for n2 in "nN"]
#: What a column's type asks for, in messages.
TYPE_WORDS = {"integer": "whole number", "float": "float", "string": "string"}


#: The type pandas gives text read from a CSV file (``str`` in pandas 3, ``object`` before): the
#: distinct values are validated as this type, as the rows would be.
TEXT = pd.Series(["x"], dtype=str).dtype


@dataclass(frozen=True)
class Distinct:
    """A table's distinct values, column by column, and where each row's value is among them.

    ``frame`` holds column c's k-th distinct value at row k (a missing value is one of them);
    columns with fewer distinct values than the longest repeat theirs to its length, and those
    repeats stand for no row. ``at[c][i]`` is the position of row i's value; ``count[c]`` the
    number of distinct values; ``table`` the table itself."""
    frame: pd.DataFrame
    at: dict[str, np.ndarray]
    count: dict[str, int]
    table: pd.DataFrame

    def rows(self, column: str, positions: list[int]) -> list[np.ndarray]:
        """The rows (ascending) holding each distinct value of ``column`` at ``positions``."""
        at = self.at[column]
        order = np.argsort(at, kind="stable")
        bounds = np.searchsorted(at[order], np.arange(self.count[column] + 1))
        return [order[bounds[k]:bounds[k + 1]] for k in positions]

    def categorical(self, column: str) -> pd.Series:
        """The column as a categorical of its texts (each stored once)."""
        s = self.table[column]
        if isinstance(s.dtype, pd.CategoricalDtype):
            return s
        values = self.frame[column].iloc[:self.count[column]]
        codes = self.at[column]
        if values.isna().any():  # missing: the last distinct value
            values, codes = values.iloc[:-1], np.where(codes == len(values) - 1, -1, codes)
        return pd.Series(pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(values)),
                         index=s.index, name=column)


def distinct_values(df: pd.DataFrame) -> Distinct:
    """The distinct values of each column of ``df``: text, or categoricals of text."""
    values, at = {}, {}
    for c in df.columns:
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes, v = s.cat.codes.to_numpy().astype(np.int64), s.cat.categories.to_numpy(dtype=object)
        else:
            codes, v = pd.factorize(s.to_numpy(dtype=object))
        if (codes < 0).any():  # missing: the last distinct value
            codes = np.where(codes < 0, len(v), codes)
            v = np.append(v, np.nan)
        values[c], at[c] = np.asarray(v, dtype=object), codes
    length = max((len(v) for v in values.values()), default=0)
    frame = pd.DataFrame({c: pd.Series(np.resize(v, length), dtype=TEXT) for c, v in values.items()})
    return Distinct(frame, at, {c: len(v) for c, v in values.items()}, df)


def _nan_cells(distinct: Distinct, columns: list[Column]) -> dict[str, list[int]]:
    """Column → positions of the distinct values of a number column that are 'nan' as text."""
    out = {}
    for c in columns:
        if c.type != "string" and c.name in distinct.count:
            n = distinct.count[c.name]
            at = np.flatnonzero(distinct.frame[c.name].iloc[:n].isin(NAN_TEXT).to_numpy())
            if len(at):
                out[c.name] = at.tolist()
    return out


def validate_frame(df: pd.DataFrame, columns: list[Column], refs: dict[str, list[str]],
                   file: str) -> pd.DataFrame:
    """Validate and coerce ``df``; raise DataError listing every problem (file, row, column, value)
    in file order: row by row, a row's columns left to right.

    pandera checks each column's distinct values once (a table repeats most of its texts: the
    observations of 2,850 regions hold a few thousand distinct ones), and a problem is reported at
    every row holding the value. Number columns come back as numbers; text columns as categoricals
    (each distinct text stored once)."""
    schema = build_schema(columns, refs)
    by_name = {c.name: c for c in columns}
    distinct = distinct_values(df)
    try:
        valid = schema.validate(distinct.frame, lazy=True)
    except SchemaErrors as exc:
        raise DataError(_schema_problems(df, distinct, exc.failure_cases, columns, refs, file)) from None
    # Valid, unless a number column holds 'nan' where a value may be missing: a value that was not
    # empty and is missing once converted (the text is read only then).
    numbers = [c.name for c in columns if c.type != "string" and c.name in df.columns]
    if any((distinct.frame[c].notna().to_numpy() & np.isnan(valid[c].to_numpy(dtype=float, na_value=np.nan)))
           [:distinct.count[c]].any() for c in numbers):  # (a nullable float can hold NaN apart from NA)
        problems = _nan_problems(df, distinct, _nan_cells(distinct, columns), by_name, file)
        if problems:
            raise DataError([p for _, _, p in sorted(problems)])
    out = {c: (pd.Series(valid[c].array.take(distinct.at[c]), index=df.index, name=c) if c in numbers
               else distinct.categorical(c)) for c in df.columns}
    return pd.DataFrame(out, index=df.index)


def _schema_problems(df: pd.DataFrame, distinct: Distinct, fc: pd.DataFrame, columns: list[Column],
                     refs: dict[str, list[str]], file: str) -> list[str]:
    """The problems of pandera's failure cases on the distinct values (:func:`validate_frame`):
    the file's own first, then each bad value at each row holding it, in file order."""
    by_name = {c.name: c for c in columns}
    order = {c.name: k for k, c in enumerate(columns)}
    nan = _nan_cells(distinct, columns)  # 'nan' in a number column is a bad value, not the empty
    found = _nan_problems(df, distinct, nan, by_name, file)  # cell pandera takes it for
    skip = {(col, k) for col, at in nan.items() for k in at}
    whole_file: list[str] = []
    bad: dict[str, dict[int, list[str]]] = {}  # column → distinct position → what is wrong with it
    choices: dict[str, str] = {}  # 'table.column' -> its valid ids as text, built once
    for rec in fc.itertuples(index=False):
        col = rec.column
        check = str(rec.check)
        value = rec.failure_case
        missing_index = rec.index is None or (isinstance(rec.index, float) and pd.isna(rec.index))
        if missing_index and isinstance(value, str) and value.startswith(("TypeError(", "ValueError(")):
            continue  # a check run on values that could not be converted: said at each value already
        if col is None or col not in by_name:
            whole_file.append(f"{file}: {check}: {value}")
            continue
        spec = by_name[col]
        coerce = "coerce" in check or "dtype" in check
        if spec.allowed.startswith("ref:"):
            ref = spec.allowed[4:]
            if ref not in choices:
                choices[ref] = choices_text(refs.get(ref, []))
            hint = f"valid choices: {choices[ref]}"
        elif spec.allowed and not spec.allowed.startswith(("pattern:", "range:")):
            hint = f"valid choices: {spec.allowed.replace('|', ', ')}"
        elif coerce and spec.type == "integer":
            hint = f"expected a whole number" + (f" ({spec.allowed})" if spec.allowed else "")
            whole = _whole(value)
            hint += f": write {whole}" if whole is not None else ""
        elif spec.allowed:
            hint = f"expected {spec.allowed}"
        elif coerce:
            hint = f"expected a {TYPE_WORDS[spec.type]}"
        else:
            hint = check
        if "not_nullable" in check or value is None or (isinstance(value, float) and pd.isna(value)):
            what = "value is required but empty"
        else:
            what = f"bad value {value!r}; {hint}"
        if missing_index:
            whole_file.append(f"{file}, column '{col}': {what}")
            continue
        k = int(rec.index)
        if k < distinct.count[col] and (col, k) not in skip:  # (else a repeat that stands for no row)
            bad.setdefault(col, {}).setdefault(k, []).append(what)
    for col, at in bad.items():
        for rows, whats in zip(distinct.rows(col, list(at)), at.values()):
            found += [(i, order[col], f"{_location(file, df.index[i])}, column '{col}': {what}")
                      for i in rows.tolist() for what in whats]
    return list(dict.fromkeys(whole_file + [p for _, _, p in sorted(found)]))  # each once


def _nan_problems(df: pd.DataFrame, distinct: Distinct, nan: dict[str, list[int]],
                  by_name: dict[str, Column], file: str) -> list[tuple[int, int, str]]:
    """(row, column position, problem) of each number cell that holds 'nan' as text (``nan``:
    :func:`_nan_cells`)."""
    order = {name: k for k, name in enumerate(by_name)}
    problems = []
    for col, at in nan.items():
        spec = by_name[col]
        todo = "write the number" if spec.required else "write the number, or leave the cell empty if there is none"
        for k, rows in zip(at, distinct.rows(col, at)):
            value = distinct.frame[col].iloc[k]
            problems += [(i, order[col], f"{_location(file, df.index[i])}, column '{col}': bad value {value!r}; "
                                         f"expected a {TYPE_WORDS[spec.type]} ('nan' is not a number: {todo})")
                         for i in rows.tolist()]
    return problems


def _whole(value: object) -> int | None:
    """The whole number a text such as '2020.0' writes, else None."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    return int(number) if number.is_integer() and "." in str(value) else None
