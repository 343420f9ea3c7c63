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
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from planlib.data.schema import TABLES, Column, DataError, read_dictionary, validate_frame
from planlib.data.values import first_number, parse_value_text
from planlib.resources import bundled_data

BUNDLED_DATA = bundled_data()  # the checkout's data/, or the installed package's copy
DICTIONARY = BUNDLED_DATA / "dictionary.csv"
CORE_INDICATORS = (
    "life_expectancy", "maternal_mortality", "infant_mortality", "under5_mortality",
    "physicians_per_1000", "nurses_per_1000", "beds_per_1000", "gps_per_10000",
)
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
    """Read a CSV as text (an empty field is missing), checking the header and the field count
    of every row."""
    if not path.is_file():
        raise DataError([f"{path}: file is missing (expected columns: {', '.join(c.name for c in columns)})"])
    expected = [c.name for c in columns]
    data = path.read_bytes()
    data = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    lines = _regular_lines(data, len(expected))
    if lines:  # the common case: pandas' C parser reads it, several times faster than the csv module
        try:  # (plain UTF-8 is its fast path, hence the byte-order mark taken off above)
            df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""],
                             encoding="utf-8")
        except (ValueError, UnicodeDecodeError):
            df = None
        if df is not None and list(df.columns) == expected and len(df) == lines - 1:
            return df
    return _read_rows(path, expected)


def _regular_lines(data: bytes, n_fields: int) -> int:
    """The number of lines of a CSV file if each holds one record of ``n_fields`` fields, else 0.
    Counts the commas per line once quoted text (with its commas and newlines) is taken out: the
    text between the 1st and 2nd double quote, the 3rd and 4th, ... (a doubled quote inside a
    quoted field just splits it in two). A file that is not plainly regular is read by
    :func:`_read_rows`, which names each bad row."""
    pieces = data.split(b'"')
    if len(pieces) % 2 == 0:  # an odd number of quotes
        return 0
    unquoted = b"".join(pieces[::2])
    if not unquoted:
        return 0
    b = np.frombuffer(unquoted, dtype=np.uint8)
    seps = np.flatnonzero(b == ord(","))
    ends = np.flatnonzero(b == ord("\n"))
    if not unquoted.endswith(b"\n"):
        ends = np.append(ends, len(b))
    per_line = np.diff(np.searchsorted(seps, ends), prepend=0)
    return len(ends) if (per_line == n_fields - 1).all() else 0


def _read_rows(path: Path, expected: list[str]) -> pd.DataFrame:
    """Read a CSV with the csv module, row by row, naming every row that is empty or has the
    wrong number of fields (with its line number)."""
    name = path.name
    problems: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise DataError([f"{name}: file is empty"]) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError([f"{name}, line 1: cannot be read: {exc}"]) from None
        if header != expected:
            raise DataError([f"{name}, line 1 (header): columns {header} do not match the data "
                             f"dictionary {expected}"])
        rows = []
        try:
            for row in reader:
                if not row:
                    problems.append(f"{name}, row {len(rows) + 1} (line {reader.line_num}): empty line")
                    rows.append([""] * len(expected))
                    continue
                if len(row) != len(expected):
                    problems.append(f"{name}, row {len(rows) + 1} (line {reader.line_num}): "
                                    f"{len(row)} fields, expected {len(expected)} ({', '.join(expected)})")
                    row = (row + [""] * len(expected))[: len(expected)]
                rows.append(row)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError([f"{name}, line {reader.line_num}: cannot be read: {exc}"]) from None
    if problems:
        raise DataError(problems)
    return pd.DataFrame(rows, columns=expected, dtype=str).replace("", np.nan)


def _duplicate_rows(obs: pd.DataFrame) -> list[str]:
    """Rows whose key (OBS_KEY) repeats an earlier row's. Validated keys hold no empty strings
    and no '|' before value_text, so this equals comparing the keys joined as text."""
    repeated = obs.duplicated(OBS_KEY).to_numpy()
    if not repeated.any():
        return []
    key = obs.groupby(OBS_KEY, dropna=False, sort=False).ngroup().to_numpy()  # numbered as first seen,
    first = np.flatnonzero(~repeated)  # so key k first appears at row first[k]
    return [f"observations.csv, row {i + 1} (line {i + 2}), columns {'/'.join(OBS_KEY)}: "
            f"duplicate of row {first[key[i]] + 1}" for i in np.flatnonzero(repeated)]


def _cross_checks(obs: pd.DataFrame, indicators: pd.DataFrame, sources: pd.DataFrame) -> list[str]:
    """Row rules that span columns: duplicates, value vs value_text, targets vs plan cycle.
    Problems come row by row (rows in file order, a row's rules in a fixed order)."""
    problems = _duplicate_rows(obs)
    seeded = set(sources.loc[sources["seed_file"].notna(), "id"])
    # value_text is parsed once per distinct string (a folder repeats few).
    at, distinct = pd.factorize(obs["value_text"].to_numpy(dtype=object))
    number = [first_number(t) for t in distinct]
    written = np.array([parse_value_text(t).comparator for t in distinct], dtype=object)[at]
    symbol = np.array([t.strip()[:1] in "<>≤≥＜＞" for t in distinct])[at]
    num = np.array([np.nan if n is None else n for n in number], dtype=float)[at]
    value = obs["value"].to_numpy(dtype=float, na_value=np.nan)
    comp, kind = obs["comparator"].to_numpy(dtype=object), obs["kind"].to_numpy(dtype=object)
    is_text, no_value = comp == "text", np.isnan(value)
    numeric = ~is_text & ~no_value
    no_cycle = obs["plan_cycle"].isna().to_numpy()
    # (rule, rows breaking it) in the order the rules apply to one row.
    rules = [
        ("text_value", is_text & ~no_value),
        ("no_value", ~is_text & no_value),
        ("mismatch", numeric & (np.isnan(num) | (np.abs(num - value) > 1e-9))),
        ("comparator", numeric & np.isin(written, ["<", "<=", ">", ">="]) & (written != comp) & symbol),
        ("no_cycle", (kind == "target") & no_cycle),
        ("cycle", (kind == "actual") & ~no_cycle),
        ("no_line", obs["source_id"].isin(seeded).to_numpy() & obs["source_line"].isna().to_numpy()),
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
        elif rule == "no_cycle":
            problems.append(f"{where}, column 'plan_cycle': a target needs its plan cycle; valid choices: 13th, 14th, 15th, hc2030")
        elif rule == "cycle":
            problems.append(f"{where}, column 'plan_cycle': must be empty for an actual (got {r['plan_cycle']!r})")
        else:
            problems.append(f"{where}, column 'source_line': required because source {r['source_id']!r} is a seed document")
    return problems


#: Entries kept by the per-region caches (progress, benchmark comparison, quality findings):
#: enough for a region, its province and the nation and for the bundled data as a whole, small
#: enough that a worker building hundreds of regions does not grow with each one.
REGION_CACHE = 16


def folder_stamp(folder: Path) -> tuple:
    """Modification times of a folder's table files: a cache key that changes when a file does."""
    return tuple((t, (folder / f"{t}.csv").stat().st_mtime_ns if (folder / f"{t}.csv").exists() else 0)
                 for t in TABLES)


@lru_cache(maxsize=8)
def _load(folder: Path, stamp: tuple) -> Tables:
    dictionary = read_dictionary(DICTIONARY)
    raw = {t: _read_csv(folder / f"{t}.csv", dictionary[t]) for t in TABLES}
    refs: dict[str, list[str]] = {}
    out: dict[str, pd.DataFrame] = {}
    problems: list[str] = []
    # Reference targets first, so that later tables can be checked against them.
    refs["units.unit_text"] = [v for v in raw["units"]["unit_text"].dropna()]
    refs["units.unit"] = list(raw["units"]["unit"].dropna())
    refs["regions.id"] = list(raw["regions"]["id"].dropna())
    refs["indicators.id"] = list(raw["indicators"]["id"].dropna())
    refs["sources.id"] = list(raw["sources"]["id"].dropna())
    for t in TABLES:
        try:
            out[t] = validate_frame(raw[t], dictionary[t], refs, f"{t}.csv")
        except DataError as exc:
            problems.extend(exc.problems)
    for t, key in (("regions", ["id"]), ("indicators", ["id"]), ("sources", ["id"]),
                   ("units", ["unit_text", "unit"])):
        d = raw[t][key].fillna("")
        for i in d.index[d.duplicated()]:
            problems.append(f"{t}.csv, row {i + 1} (line {i + 2}), column '{'/'.join(key)}': "
                            f"duplicate of an earlier row ({', '.join(map(repr, d.loc[i]))})")
    if not problems:
        problems.extend(_cross_checks(out["observations"], out["indicators"], out["sources"]))
    if problems:
        raise DataError(problems)
    for df in out.values():
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].astype("string")
    return Tables(folder, **out)


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
