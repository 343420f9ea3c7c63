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


def _nan_cells(df: pd.DataFrame, columns: list[Column]) -> dict[str, np.ndarray]:
    """Column → positions of the cells of a number column that hold 'nan' as text."""
    out = {}
    for c in columns:
        if c.type != "string" and c.name in df.columns:
            at = np.flatnonzero(df[c.name].isin(NAN_TEXT).to_numpy())
            if len(at):
                out[c.name] = at
    return out


def validate_frame(df: pd.DataFrame, columns: list[Column], refs: dict[str, list[str]],
                   file: str) -> pd.DataFrame:
    """Validate and coerce ``df``; raise DataError listing every problem (file, row, column, value)."""
    schema = build_schema(columns, refs)
    by_name = {c.name: c for c in columns}
    try:
        valid = schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        # 'nan' written in a number column is a bad value, not the empty cell pandera takes it for
        nan = _nan_cells(df, columns)
        problems = _nan_problems(df, nan, by_name, file)
        skip = {(col, df.index[i]) for col, at in nan.items() for i in at.tolist()}
        choices: dict[str, str] = {}  # 'table.column' -> its valid ids as text, built once
        fc = exc.failure_cases
        for rec in fc.itertuples(index=False):
            col = rec.column
            check = str(rec.check)
            value = rec.failure_case
            missing_index = rec.index is None or (isinstance(rec.index, float) and pd.isna(rec.index))
            if missing_index and isinstance(value, str) and value.startswith(("TypeError(", "ValueError(")):
                continue  # a check run on values that could not be converted: said at each value already
            if col is None or col not in by_name:
                problems.append(f"{file}: {check}: {value}")
                continue
            if (col, rec.index) in skip:
                continue
            spec = by_name[col]
            where = _location(file, rec.index)
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
                msg = f"{where}, column '{col}': value is required but empty"
            else:
                msg = f"{where}, column '{col}': bad value {value!r}; {hint}"
            problems.append(msg)
        raise DataError(list(dict.fromkeys(problems))) from None  # each once, first seen first
    # Valid, unless a number column holds 'nan' where a value may be missing: a cell that was not
    # empty and is missing once converted (two column comparisons; the text is read only then).
    numbers = [c.name for c in columns if c.type != "string" and c.name in df.columns]
    if any((df[c].notna().to_numpy() & np.isnan(valid[c].to_numpy(dtype=float, na_value=np.nan))).any()
           for c in numbers):  # (a nullable float column can hold NaN apart from NA: read both as NaN)
        problems = _nan_problems(df, _nan_cells(df, columns), by_name, file)
        if problems:
            raise DataError(problems)
    return valid


def _nan_problems(df: pd.DataFrame, nan: dict[str, np.ndarray], by_name: dict[str, Column],
                  file: str) -> list[str]:
    """One problem per number cell that holds 'nan' as text (``nan``: :func:`_nan_cells`)."""
    problems = []
    for col, at in nan.items():
        spec = by_name[col]
        todo = "write the number" if spec.required else "write the number, or leave the cell empty if there is none"
        for i in at.tolist():
            problems.append(f"{_location(file, df.index[i])}, column '{col}': bad value {df[col].iloc[i]!r}; "
                            f"expected a {TYPE_WORDS[spec.type]} ('nan' is not a number: {todo})")
    return problems


def _whole(value: object) -> int | None:
    """The whole number a text such as '2020.0' writes, else None."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    return int(number) if number.is_integer() and "." in str(value) else None
