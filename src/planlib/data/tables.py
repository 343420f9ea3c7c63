"""Load and validate the planlib tables (regions, indicators, sources, units, observations).

The bundled tables live in the repository's ``data/`` folder. Point planlib at
another folder with the ``data_dir`` argument or the ``PLANLIB_DATA`` environment
variable. A folder is validated as a whole: a broken file never loads half.
"""
from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

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
    keys = list(zip(obs["unit_text"].fillna(""), obs["unit"]))
    obs["unit_ok"] = [(k in pairs.index) or k[0] == "" for k in keys]
    factor = [float(pairs[k]) if k in pairs.index else 1.0 for k in keys]
    obs["value_std"] = obs["value"].astype(float) * factor
    obs["ref"] = [f"{s} L{int(ln)}" if pd.notna(ln) else s
                  for s, ln in zip(obs["source_id"], obs["source_line"])]
    return obs


def _read_csv(path: Path, columns: list[Column]) -> pd.DataFrame:
    """Read a CSV as strings, checking the header and the field count of every row."""
    name = path.name
    if not path.is_file():
        raise DataError([f"{path}: file is missing (expected columns: {', '.join(c.name for c in columns)})"])
    expected = [c.name for c in columns]
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
    df = pd.DataFrame(rows, columns=expected, dtype=object)
    return df.replace({"": None})


def _cross_checks(obs: pd.DataFrame, indicators: pd.DataFrame, sources: pd.DataFrame) -> list[str]:
    """Row rules that span columns: duplicates, value vs value_text, targets vs plan cycle."""
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
        if r["kind"] == "target" and pd.isna(r["plan_cycle"]):
            problems.append(f"{where}, column 'plan_cycle': a target needs its plan cycle; valid choices: 13th, 14th")
        if r["kind"] == "actual" and pd.notna(r["plan_cycle"]):
            problems.append(f"{where}, column 'plan_cycle': must be empty for an actual (got {r['plan_cycle']!r})")
        if r["source_id"] in seeded and pd.isna(r["source_line"]):
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
    ids = t.observations.loc[t.observations["source_id"].isin(local), "region_id"].unique()
    order = list(t.regions["id"])
    return sorted(ids, key=order.index)


def enriched(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """``enrich`` of a data folder's tables, computed once per folder state (returns a copy)."""
    return load_tables(path).enriched.copy()
