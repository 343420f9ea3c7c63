"""Load and validate the planlib tables (regions, indicators, sources, units, observations).

The bundled tables live in the repository's ``data/`` folder. Point planlib at
another folder with the ``data_dir`` argument or the ``PLANLIB_DATA`` environment
variable. A folder is validated as a whole: a broken file never loads half.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from planlib.data.checks import (
    available_documents, check_text, cited_line_problems, dictionary_problems, document_name,
    region_tree_problems,
)
from planlib.data.documents import DOCUMENTS, documents_dir
from planlib.data.schema import TABLES, TEXT, Column, DataError, read_dictionary, validate_frame
from planlib.data.values import first_number, parse_value_text, qualifier_word
from planlib.resources import bundled_data

BUNDLED_DATA = bundled_data()  # the checkout's data/, or the installed package's copy
DICTIONARY = BUNDLED_DATA / "dictionary.csv"
CORE_INDICATORS = (
    "life_expectancy", "maternal_mortality", "infant_mortality", "under5_mortality",
    "physicians_per_1000", "nurses_per_1000", "beds_per_1000", "gps_per_10000",
)
#: The core indicators as the briefing groups them (a figure and a section each).
MORTALITY_INDICATORS = ("maternal_mortality", "infant_mortality", "under5_mortality")
WORKFORCE_INDICATORS = ("physicians_per_1000", "nurses_per_1000", "beds_per_1000", "gps_per_10000")
#: The indicators of the 2030 options (a panel each in the options figure).
OUTLOOK_INDICATORS = ("life_expectancy", "maternal_mortality", "physicians_per_1000", "nurses_per_1000")
OBS_KEY = ["region_id", "indicator_id", "year", "kind", "source_id", "source_line", "value_text"]


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """Resolve the data folder: the argument, else $PLANLIB_DATA, else the bundled data/."""
    chosen = path or os.environ.get("PLANLIB_DATA") or BUNDLED_DATA
    p = Path(chosen).expanduser().resolve()
    if not p.is_dir():
        raise FileNotFoundError(f"planlib data folder not found: {p}")
    return p


@dataclass(frozen=True)
class Tables:
    """All tables of one data folder, validated together."""

    folder: Path
    regions: pd.DataFrame
    indicators: pd.DataFrame
    sources: pd.DataFrame
    units: pd.DataFrame
    observations: pd.DataFrame

    @cached_property
    def region_index(self) -> pd.DataFrame:
        """Regions indexed by id (shared: do not modify)."""
        return self.regions.set_index("id")

    @cached_property
    def indicator_index(self) -> pd.DataFrame:
        """The indicator catalog indexed by id (shared: do not modify)."""
        return self.indicators.set_index("id")

    def region(self, region_id: str) -> pd.Series:
        """One region's row; KeyError naming the valid ids for an unknown one."""
        if region_id not in self.region_index.index:
            raise KeyError(f"unknown region {region_id!r}; valid ids: {', '.join(self.regions['id'])}")
        return self.region_index.loc[region_id]

    def province_of(self, region_id: str) -> str | None:
        """The province a region belongs to; None for the nation and for a province itself."""
        p = self.region(region_id)["province_id"]
        return None if pd.isna(p) or p == region_id else str(p)

    def region_names(self, lang: str = "en") -> dict[str, str]:
        """Region id → name in English ("en") or Chinese (any other language)."""
        return dict(zip(self.regions["id"], self.regions["name_en" if lang == "en" else "name_zh"]))

    def indicator_words(self, indicators: tuple[str, ...], lang: str = "en") -> dict[str, tuple[str, str]]:
        """Indicator → (short name, unit) as readers of ``lang`` see them ("en", else Chinese): the
        catalog's short name where it gives one, else the full name."""
        ind, suffix = self.indicator_index, "en" if lang == "en" else "zh"
        out = {}
        for i in indicators:
            short = ind.loc[i, f"short_name_{suffix}"]
            name = ind.loc[i, f"name_{suffix}"] if pd.isna(short) else short
            out[i] = (str(name), str(ind.loc[i, f"unit_{suffix}"]))
        return out

    def region_name(self, region_id: str, lang: str = "en") -> str:
        """A region's name in English ("en") or Chinese (any other language: "zh")."""
        return str(self.region(region_id)["name_en" if lang == "en" else "name_zh"])

    @cached_property
    def source_index(self) -> pd.DataFrame:
        """Sources indexed by id (shared: do not modify)."""
        return self.sources.set_index("id")

    def source_title(self, source_id: str, lang: str = "en") -> str:
        """A source's title for readers of ``lang``: in English ("en") where the table gives one,
        else as published."""
        src = self.source_index.loc[source_id]
        return str(src["title_en"] if lang == "en" and pd.notna(src["title_en"]) else src["title"])

    def source_issuer(self, source_id: str, lang: str = "en") -> str:
        """A source's issuer for readers of ``lang``: in English ("en") where the table gives one,
        else as published."""
        src = self.source_index.loc[source_id]
        return str(src["issuer_en"] if lang == "en" and pd.notna(src["issuer_en"]) else src["issuer"])

    @cached_property
    def source_regions(self) -> dict[str, str]:
        """Source id → the region most of its observations are about."""
        return (self.observations.groupby("source_id")["region_id"]
                .agg(lambda s: s.value_counts().index[0]).to_dict())

    @cached_property
    def rows_by_region(self) -> dict[str, np.ndarray]:
        """Region id → positions of its observations (computed once per load)."""
        return self.observations.groupby("region_id", sort=False).indices

    def region_rows(self, *region_ids: str | None) -> pd.DataFrame:
        """The enriched observations of the given regions, in table order (shared: do not modify)."""
        found = [self.rows_by_region[r] for r in dict.fromkeys(region_ids) if r in self.rows_by_region]
        pos = np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=int)
        return self.enriched.iloc[pos]

    @cached_property
    def enriched(self) -> pd.DataFrame:
        """The observations prepared for analysis (see :func:`enrich`), computed once per load.
        Shared: callers must not modify it."""
        return enrich(self)


def enrich(t: Tables) -> pd.DataFrame:
    """Observations with indicator metadata, canonical value (value × unit factor) and a unit-match flag."""
    obs = t.observations.copy()
    ind = t.indicators.set_index("id")
    obs["direction"] = obs["indicator_id"].map(ind["direction"])
    obs["unit"] = obs["indicator_id"].map(ind["unit"])
    pairs = t.units.set_index(["unit_text", "unit"])["factor"]
    written = obs["unit_text"].fillna("")
    at = pairs.index.get_indexer(pd.MultiIndex.from_arrays([written, obs["unit"]]))  # -1: no such pair
    obs["unit_ok"] = (at >= 0) | (written == "").to_numpy()
    factor = np.where(at >= 0, pairs.to_numpy(dtype=float)[at], 1.0)
    obs["value_std"] = obs["value"].astype(float) * factor
    line = obs["source_line"].astype("string")
    obs["ref"] = (obs["source_id"] + " L" + line).where(line.notna(), obs["source_id"]).astype(str)
    return obs


def _read_csv(path: Path, columns: list[Column]) -> pd.DataFrame:
    """Read a CSV as text (an empty field is missing; each column a categorical, or text when the
    file is read row by row), checking that it is UTF-8 CSV text, its header, the field count and
    the length of every field. Optional columns that planlib added at the end of a table after
    the file was made may be left out: they are read as empty."""
    if not path.is_file():
        raise DataError([f"{path}: file is missing (expected columns: {', '.join(c.name for c in columns)})"])
    data = path.read_bytes()
    data = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    check_text(path.name, data, [c.name for c in columns], utf8=False)  # a workbook, UTF-16, binary data
    written = _written_columns(data, columns)
    expected = [c.name for c in written]
    lines = _regular_lines(data, len(expected))
    if lines:  # the common case: pandas' C parser reads it, several times faster than the csv module
        try:  # (plain UTF-8 is its fast path, hence the byte-order mark taken off above)
            df = _read_text(data, written)
        except UnicodeDecodeError:  # it decodes strictly: the text is not UTF-8
            check_text(path.name, data, expected)  # names the line and column
            df = None
        except ValueError:
            df = None
        if df is not None and list(df.columns) == expected and len(df) == lines - 1:
            if len(data) > FIELD_LIMIT and _longest_line(data) > FIELD_LIMIT:  # else no field is too long
                _check_field_lengths(path.name, df, data)
            return _with_all_columns(df, columns)
    check_text(path.name, data, expected)
    return _with_all_columns(_read_rows(path, expected), columns)


def _written_columns(data: bytes, columns: list[Column]) -> list[Column]:
    """The columns a file's header names: all of ``columns``, or, in a file made before planlib
    added optional columns at the end of the table, all but those."""
    end = data.find(b"\n")
    first = data[: len(data) if end < 0 else end].rstrip(b"\r")
    try:
        header = next(csv.reader([first.decode("utf-8")]), [])
    except (UnicodeDecodeError, csv.Error):
        return columns
    k = len(header)
    if 0 < k < len(columns) and header == [c.name for c in columns[:k]] and not any(c.required for c in columns[k:]):
        return columns[:k]
    return columns


def _with_all_columns(df: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    """``df`` with each of ``columns`` it lacks added as an empty text column."""
    for c in columns:
        if c.name not in df.columns:
            df[c.name] = pd.Series(np.nan, index=df.index, dtype=TEXT)
    return df


def _read_text(data: bytes, columns: list[Column]) -> pd.DataFrame:
    """Read CSV text with pandas' C parser, an empty field as missing. Text columns are read as
    categoricals (each distinct text made once: validation works on the distinct values), number
    columns as text. pandas reads a categorical column whose texts are all numbers (or true/false)
    as numbers, merging '7' and '07': such a column is read again as text."""
    def read(dtype: dict, usecols: list[str] | None = None) -> pd.DataFrame:
        return pd.read_csv(io.BytesIO(data), dtype=dtype, usecols=usecols, keep_default_na=False,
                           na_values=[""], encoding="utf-8")
    df = read({c.name: "category" if c.type == "string" else str for c in columns})
    converted = [c.name for c in columns if c.name in df.columns and c.type == "string"
                 and df[c.name].cat.categories.dtype.kind not in "OU"]
    if converted:
        df[converted] = read({c: str for c in converted}, converted)[converted]
    return df


#: The longest field planlib reads (the csv module's own limit). A longer one is almost always a
#: quote left open, which swallows the rest of the file, or a whole document pasted into a cell.
FIELD_LIMIT = 131_072


def _longest_line(data: bytes) -> int:
    """The length in bytes of the longest line of ``data``."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    return int(np.diff(ends, prepend=-1, append=len(data)).max()) if len(data) else 0


def _check_field_lengths(name: str, df: pd.DataFrame, data: bytes) -> None:
    """Raise DataError naming every field longer than FIELD_LIMIT characters (row, line, column)."""
    problems = []
    for c in df.columns:
        long = np.flatnonzero(df[c].str.len().to_numpy(dtype=float, na_value=0) > FIELD_LIMIT)
        problems += [(i, c) for i in long]
    if not problems:
        return
    starts = _record_lines(data)
    raise DataError([_too_long(name, i + 1, starts[i + 1] if i + 1 < len(starts) else None, c,
                               len(df.at[i, c])) for i, c in sorted(problems)])


def _record_lines(data: bytes) -> list[int]:
    """The file line each CSV record starts on (record 0 is the header)."""
    starts, line = [], 1
    with _no_field_limit():
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        for _ in reader:
            starts.append(line)
            line = reader.line_num + 1
    return starts


@contextmanager
def _no_field_limit() -> Iterator[None]:
    """Let the csv module read fields of any length (planlib checks their length itself, to name
    the row and column); the limit is put back afterwards."""
    old = csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _too_long(name: str, row: int, line: int | None, column: str, length: int) -> str:
    """The problem of a field longer than FIELD_LIMIT characters."""
    where = f"{name}, row {row}" + (f" (line {line})" if line else "")
    return (f"{where}, column '{column}': the field is {length:,} characters long, more than the "
            f"{FIELD_LIMIT:,} planlib reads: a double quote left open swallows the lines after it "
            f"(close it), or a whole text was pasted into the cell (shorten it)")


def _regular_lines(data: bytes, n_fields: int) -> int:
    """The number of lines of a CSV file if each holds one record of ``n_fields`` fields, else 0.
    Counts the commas per line outside quoted text (with its commas and newlines): the text
    between the 1st and 2nd double quote, the 3rd and 4th, ... (a doubled quote inside a quoted
    field just splits it in two), when each such quote opens or closes a field. A file that is
    not plainly regular (a quote inside unquoted text, say) is read by :func:`_read_rows`, which
    names each bad row."""
    b = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(b == ord('"'))
    if not len(b) or len(quotes) % 2:  # empty, or an odd number of quotes
        return 0
    opens, closes = quotes[0::2], quotes[1::2]
    if len(quotes):  # each quote opens a field (or doubles the one before) and closes one (or is doubled)
        after_close = np.append(closes[:-1] + 1 == opens[1:], False)
        before_open = np.insert(opens[1:] - 1 == closes[:-1], 0, False)
        before, after = b[opens - 1], b[np.minimum(closes + 1, len(b) - 1)]
        opening = (opens == 0) | (before == ord(",")) | (before == ord("\n")) | before_open
        closing = ((closes == len(b) - 1) | (after == ord(",")) | (after == ord("\n")) | (after == ord("\r"))
                   | after_close)
        if not (opening.all() and closing.all()):
            return 0
    seps = np.flatnonzero(b == ord(","))
    ends = np.flatnonzero(b == ord("\n"))
    if len(quotes):
        ends = ends[np.searchsorted(quotes, ends) % 2 == 0]  # line ends outside quoted text
    if not len(ends) or ends[-1] != len(b) - 1:  # the last line has no line end
        ends = np.append(ends, len(b))
    per_line = np.diff(np.searchsorted(seps, ends), prepend=0)
    if len(quotes):  # less the commas in each line's quoted text
        quoted = np.searchsorted(seps, closes) - np.searchsorted(seps, opens)
        per_line -= np.bincount(np.searchsorted(ends, opens), weights=quoted, minlength=len(ends)).astype(np.int64)
    return len(ends) if (per_line == n_fields - 1).all() else 0


def _read_rows(path: Path, expected: list[str]) -> pd.DataFrame:
    """Read a CSV with the csv module, row by row, naming every row that is empty, has the wrong
    number of fields or a field too long to be true (with its line number)."""
    name = path.name
    problems: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as fh, _no_field_limit():
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise DataError([f"{name}: file is empty: it needs the header line "
                             f"({', '.join(expected)}) and a line per row"]) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError([f"{name}, line 1: cannot be read: {exc}"]) from None
        if header != expected:
            raise DataError([_header_problem(name, header, expected)])
        rows = []
        try:
            while True:
                line = reader.line_num + 1  # the line this row starts on
                row = next(reader, None)
                if row is None:
                    break
                where = f"{name}, row {len(rows) + 1} (line {line})"
                long = [k for k, field in enumerate(row) if len(field) > FIELD_LIMIT]
                if long:
                    k = long[0]
                    column = expected[k] if k < len(expected) else f"field {k + 1}"
                    problems.append(_too_long(name, len(rows) + 1, line, column, len(row[k])))
                    row = (row + [""] * len(expected))[: len(expected)]
                elif not row:
                    problems.append(f"{where}: empty line")
                    row = [""] * len(expected)
                elif len(row) != len(expected) and reader.line_num > line:  # a quote ran on
                    k = next((k for k, field in enumerate(row) if "\n" in field), 0)
                    column = expected[k] if k < len(expected) else f"field {k + 1}"
                    problems.append(f"{where}, column '{column}': a double quote opened in this field is closed "
                                    f"only on line {reader.line_num}, so lines {line}-{reader.line_num} were read as "
                                    f"one row of {len(row)} fields (expected {len(expected)}): close the quote where "
                                    f"the field ends")
                elif len(row) != len(expected):
                    quoted = next((k for k, field in enumerate(row) if "," in field), None)
                    hint = "" if quoted is None or len(row) > len(expected) else (
                        f"; the commas inside field {quoted + 1} ({row[quoted][:40]!r}) were read as text: "
                        f"check the double quotes around it")
                    problems.append(f"{where}: {len(row)} fields, expected {len(expected)} "
                                    f"({', '.join(expected)}){hint}")
                    row = (row + [""] * len(expected))[: len(expected)]
                rows.append(row)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError([f"{name}, line {reader.line_num}: cannot be read: {exc}"]) from None
    if problems:
        raise DataError(problems)
    return pd.DataFrame(rows, columns=expected, dtype=str).replace("", np.nan)


def _header_problem(name: str, header: list[str], expected: list[str]) -> str:
    """The problem of a header line that is not the dictionary's, with a hint when the file is
    separated by tabs or semicolons instead of commas."""
    msg = f"{name}, line 1 (header): columns {header} do not match the data dictionary {expected}"
    if len(header) == 1 and any(sep in header[0] for sep in ("\t", ";")):
        sep = "tabs" if "\t" in header[0] else "semicolons"
        msg += f": the file is separated by {sep}; save it comma-separated (CSV UTF-8)"
    return msg


def _duplicate_rows(obs: pd.DataFrame) -> list[str]:
    """Rows whose key (OBS_KEY) repeats an earlier row's. Validated keys hold no empty strings
    and no '|' before value_text, so this equals comparing the keys joined as text."""
    repeated = obs.duplicated(OBS_KEY).to_numpy()
    if not repeated.any():
        return []
    key = obs.groupby(OBS_KEY, dropna=False, sort=False, observed=True).ngroup().to_numpy()  # numbered as first seen,
    first = np.flatnonzero(~repeated)  # so key k first appears at row first[k]
    return [f"observations.csv, row {i + 1} (line {i + 2}), columns {'/'.join(OBS_KEY)}: "
            f"duplicate of row {first[key[i]] + 1}" for i in np.flatnonzero(repeated)]


def _cross_checks(obs: pd.DataFrame, indicators: pd.DataFrame, sources: pd.DataFrame,
                  folder: Path | None = None) -> list[str]:
    """Row rules that span columns: duplicates, value vs value_text, comparator vs the symbol or
    words of value_text, targets vs plan cycle, cited lines; with a ``folder``, each value_text
    against its cited line wherever planlib has the source's document (:mod:`planlib.data.documents`).
    Problems come row by row (rows in file order, a row's rules in a fixed order)."""
    problems = _duplicate_rows(obs)
    seeded = set(sources.loc[sources["seed_file"].notna(), "id"])
    documents = available_documents(sources, folder) if folder is not None else {}
    stored = [s for s in documents if s not in seeded]  # documents kept with the data folder
    # value_text is parsed once per distinct string (a folder repeats few).
    at, distinct = obs["value_text"].factorize()  # (the codes of a categorical)
    distinct = [str(t) for t in distinct]
    number = [first_number(t) for t in distinct]
    comparators = [parse_value_text(t).comparator for t in distinct]
    written = np.array(comparators, dtype=object)[at]
    strict = np.array([c in ("<", "<=", ">", ">=") for c in comparators], dtype=bool)[at]
    symbol = np.array([t.strip()[:1] in "<>≤≥＜＞" for t in distinct])[at]
    words = [qualifier_word(t) for t in distinct]
    word = np.array([w[1] if w else "" for w in words], dtype=object)[at]
    num = np.array([np.nan if n is None else n for n in number], dtype=float)[at]
    value = obs["value"].to_numpy(dtype=float, na_value=np.nan)
    comp, kind = obs["comparator"].to_numpy(dtype=object), obs["kind"].to_numpy(dtype=object)
    is_text, no_value = comp == "text", np.isnan(value)
    numeric = ~is_text & ~no_value
    no_cycle = obs["plan_cycle"].isna().to_numpy()
    no_line = obs["source_line"].isna().to_numpy()
    off_line = cited_line_problems(obs, documents, folder) if documents else {}
    off = np.zeros(len(obs), dtype=bool)
    off[list(off_line)] = True
    # (rule, rows breaking it) in the order the rules apply to one row.
    rules = [
        ("text_value", is_text & ~no_value),
        ("no_value", ~is_text & no_value),
        ("mismatch", numeric & (np.isnan(num) | (np.abs(num - value) > 1e-9))),
        ("comparator", numeric & strict & (written != comp) & symbol),
        ("comparator_word", numeric & (word != "") & (word != comp)),
        ("no_cycle", (kind == "target") & no_cycle),
        ("cycle", (kind == "actual") & ~no_cycle),
        ("no_line", obs["source_id"].isin(seeded).to_numpy() & no_line),
        ("no_stored_line", obs["source_id"].isin(stored).to_numpy() & no_line),
        ("off_line", off),
    ]
    found = sorted((i, order) for order, (_, mask) in enumerate(rules) for i in np.flatnonzero(mask))
    for i, order in found:
        r = obs.iloc[i]
        where = f"observations.csv, row {i + 1} (line {i + 2})"
        rule = rules[order][0]
        if rule == "text_value":
            problems.append(f"{where}, column 'value': must be empty when comparator is 'text' "
                            f"(value_text {r['value_text']!r})")
        elif rule == "no_value":
            problems.append(f"{where}, column 'value': empty, but comparator is {r['comparator']!r}; "
                            f"value_text {r['value_text']!r}")
        elif rule == "mismatch":
            problems.append(f"{where}, column 'value': {float(r['value'])!r} does not match value_text "
                            f"{r['value_text']!r} (reads {number[at[i]]!r})")
        elif rule == "comparator":
            problems.append(f"{where}, column 'comparator': {r['comparator']!r} contradicts value_text "
                            f"{r['value_text']!r} ({written[i]!r})")
        elif rule == "comparator_word":
            w, c = words[at[i]]
            problems.append(f"{where}, column 'comparator': {r['comparator']!r} contradicts value_text "
                            f"{r['value_text']!r} ({w} means {COMPARATOR_WORDS[c]}: {c!r}); set comparator to {c!r}")
        elif rule == "no_cycle":
            problems.append(f"{where}, column 'plan_cycle': a target needs its plan cycle; valid choices: 13th, 14th, 15th, hc2030")
        elif rule == "cycle":
            problems.append(f"{where}, column 'plan_cycle': must be empty for an actual (got {r['plan_cycle']!r})")
        elif rule == "no_line":
            problems.append(f"{where}, column 'source_line': required because source {r['source_id']!r} is a seed document")
        elif rule == "no_stored_line":
            doc = document_name(folder, documents[r["source_id"]])
            problems.append(f"{where}, column 'source_line': required because planlib has the document of source "
                            f"{r['source_id']!r} ({doc}): give the line value_text is on")
        else:
            problems.append(f"{where}, {off_line[i]}")
    return problems


#: What each comparator means, for messages about qualifier words.
COMPARATOR_WORDS = {"<": "below the number", "<=": "at most the number (the number included)",
                    ">": "above the number", ">=": "at least the number (the number included)",
                    "~": "about the number"}


#: Entries kept by the per-region caches (progress, benchmark comparison, quality findings):
#: enough for a region, its province and the nation and for the bundled data as a whole, small
#: enough that a worker building hundreds of regions does not grow with each one.
REGION_CACHE = 16


def folder_stamp(folder: Path) -> tuple:
    """A cache key that changes when a data folder's inputs do: the modification times of its
    table files and dictionary, and the documents its values are checked against (those stored
    in its documents/ and the bundled documents' folder)."""
    files = [folder / f"{t}.csv" for t in TABLES] + [folder / "dictionary.csv"]
    stamp = [(f.name, f.stat().st_mtime_ns if f.exists() else 0) for f in files]
    for d in (folder / DOCUMENTS, documents_dir()):
        if d is not None and d.is_dir():
            stamp.append((str(d), tuple(sorted((e.name, e.stat().st_mtime_ns) for e in os.scandir(d)
                                               if e.name.endswith(".txt")))))
        else:
            stamp.append((str(d), None))
    return tuple(stamp)


def _dictionary(folder: Path) -> dict[str, list[Column]]:
    """The data dictionary to validate ``folder`` with: the folder's own dictionary.csv when it
    has one that planlib can use (it differs from planlib's at most in units and meanings, and may
    lack optional columns planlib added at the end of a table since), else planlib's. A dictionary
    that cannot be used is rejected (DataError), never ignored."""
    user = folder / "dictionary.csv"
    if not user.is_file() or user.resolve() == DICTIONARY.resolve():
        return read_dictionary(DICTIONARY)
    if user.read_bytes() != DICTIONARY.read_bytes():
        problems = dictionary_problems(user, DICTIONARY)
        if problems:
            raise DataError(problems)
    mine, ours = read_dictionary(user), read_dictionary(DICTIONARY)
    # (a dictionary made before planlib added optional columns at the end of a table lacks them)
    return {t: mine.get(t, []) + ours[t][len(mine.get(t, [])):] for t in ours}


@lru_cache(maxsize=8)
def _load(folder: Path, stamp: tuple) -> Tables:
    dictionary = _dictionary(folder)
    raw = {t: _read_csv(folder / f"{t}.csv", dictionary[t]) for t in TABLES}
    refs: dict[str, list[str]] = {}
    out: dict[str, pd.DataFrame] = {}
    problems: list[str] = []
    # A table with a header and no rows is one problem (not one per reference to it).
    for t in TABLES:
        if raw[t].empty:
            problems.append(f"{t}.csv: header only: no rows; add a line per {ROW_OF[t]} below the header")
    # Reference targets first, so that later tables can be checked against them.
    refs["units.unit_text"] = [v for v in raw["units"]["unit_text"].dropna()]
    refs["units.unit"] = list(raw["units"]["unit"].dropna())
    refs["regions.id"] = list(raw["regions"]["id"].dropna())
    refs["indicators.id"] = list(raw["indicators"]["id"].dropna())
    refs["sources.id"] = list(raw["sources"]["id"].dropna())
    for t in TABLES:
        if raw[t].empty:
            continue
        try:
            out[t] = validate_frame(raw[t], dictionary[t], refs, f"{t}.csv")
        except DataError as exc:
            problems.extend(exc.problems)
    for t, key in (("regions", ["id"]), ("indicators", ["id"]), ("sources", ["id"]),
                   ("units", ["unit_text", "unit"])):
        d = raw[t][key].astype(object).fillna("")
        for i in d.index[d.duplicated()]:
            problems.append(f"{t}.csv, row {i + 1} (line {i + 2}), column '{'/'.join(key)}': "
                            f"duplicate of an earlier row ({', '.join(map(repr, d.loc[i]))})")
    if not problems:
        problems.extend(region_tree_problems(out["regions"]))
        problems.extend(_cross_checks(out["observations"], out["indicators"], out["sources"], folder))
    if problems:
        raise DataError(problems)
    for df in out.values():  # text columns as text for the analysis
        for c in df.columns:
            if isinstance(df[c].dtype, pd.CategoricalDtype):
                df[c] = df[c].astype(TEXT)
            if df[c].dtype == object:
                df[c] = df[c].astype("string")
    return Tables(folder, **out)


#: What one row of each table is, for messages.
ROW_OF = {"regions": "region", "indicators": "indicator", "sources": "source", "units": "unit spelling",
          "observations": "number reported in a source"}


def load_tables(path: str | os.PathLike | None = None) -> Tables:
    """Load and validate every table of a data folder (cached until a file changes)."""
    folder = data_dir(path)
    return _load(folder, folder_stamp(folder))


def load_observations(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Observations: one row per number reported in a source."""
    return load_tables(path).observations.copy()


def load_regions(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Regions: nation, provinces, prefectures and the plan regions."""
    return load_tables(path).regions.copy()


def load_indicators(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Indicator catalog with Chinese and English names, unit and polarity."""
    return load_tables(path).indicators.copy()


def load_sources(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Sources: the seed plans, national plans, bulletins and press reports."""
    return load_tables(path).sources.copy()


def load_units(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Unit spellings met in the documents and the canonical unit each means."""
    return load_tables(path).units.copy()


def data_hash(path: str | os.PathLike | None = None) -> str:
    """Short SHA-256 over the table files of a data folder (for reproducibility stamps)."""
    folder = data_dir(path)
    h = hashlib.sha256()
    for t in TABLES:
        h.update(t.encode())
        h.update((folder / f"{t}.csv").read_bytes())
    return h.hexdigest()[:12]


def plan_regions(path: str | os.PathLike | None = None) -> list[str]:
    """Ids of regions that have a local plan or review among the sources (the briefing regions)."""
    t = load_tables(path)
    local = set(t.sources.loc[t.sources["kind"].isin(["local plan", "mid-term review"]), "id"])
    ids = set(t.observations.loc[t.observations["source_id"].isin(local), "region_id"])
    return [r for r in t.regions["id"] if r in ids]


def enriched(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """``enrich`` of a data folder's tables, computed once per folder state (returns a copy)."""
    return load_tables(path).enriched.copy()
