"""A briefing's numbers as a table a reader can download (``<name>.csv`` beside ``<name>.html``).

:func:`numbers_table` lists every number a region's briefing rests on: the region's own reported
values and targets of the indicators the briefing covers, and the national and provincial values
and targets it is measured against. Each row gives the value as the document writes it, the unit,
the year, the status the briefing gives (on the row of the value the verdict rests on), and the
source by its title and line. Columns and words are in the page's language; no internal ids.
:func:`numbers_csv` writes it as UTF-8 with a byte-order mark, which Excel and WPS need to read
Chinese correctly; :func:`options_csv` writes the 2030 target options the same way.
"""
from __future__ import annotations

import pandas as pd

from planlib.analysis.region import RegionAnalysis
from planlib.report.briefing import SECTIONS
from planlib.report.narrative import status_text, t
from planlib.report.outlook import options_table
from planlib.report.words import check_language, word

#: Column keys (``page`` words ``csv.*``), in order.
COLUMNS = ("indicator", "region", "kind", "year", "value", "unit", "status", "source", "line")


def _w(lang: str, key: str) -> str:
    return word(lang, "page", key)


def _used_refs(analysis: RegionAnalysis) -> set[tuple[str, str, int, str]]:
    """(region, indicator, year, ref) of the national and provincial values and targets the
    briefing compares the region with."""
    keys: set[tuple[str, str, int, str]] = set()
    c = analysis.comparisons
    for r in c.itertuples():
        if pd.notna(r.benchmark_ref) and pd.notna(r.benchmark_year):
            keys.add((r.benchmark_region_id, r.indicator_id, int(r.benchmark_year), r.benchmark_ref))
    p = analysis.progress
    other = p[(p["target_basis"] != "own plan") & p["target_ref"].notna() & p["target_year"].notna()]
    for r in other.itertuples():
        keys.add((r.target_region_id, r.indicator_id, int(r.target_year), r.target_ref))
    return keys


def numbers_table(analysis: RegionAnalysis, lang: str = "en") -> pd.DataFrame:
    """The briefing's numbers, one row per number, with reader column names in ``lang``.

    Rows: the region's own reported values and targets of the briefing's indicators (in the
    order the briefing takes them: indicator, then year, reported values before targets), then
    the benchmark values and targets the briefing cites. "Status" is filled on the reported value
    each progress verdict rests on, in the words of the briefing's key-figures table.
    """
    check_language(lang)
    t_ = analysis.tables
    indicators = [i for s in SECTIONS.values() for i in s]
    order = {i: n for n, i in enumerate(indicators)}
    obs = analysis.observations
    obs = obs[obs["indicator_id"].isin(order)]
    own = obs["region_id"] == analysis.region_id
    used = _used_refs(analysis)
    cited = pd.Series([(r, i, int(y), ref) in used for r, i, y, ref in
                       zip(obs["region_id"], obs["indicator_id"], obs["year"], obs["ref"])],
                      index=obs.index, dtype=bool)
    rows = obs[own | cited].copy()
    rows["_own"] = rows["region_id"] == analysis.region_id
    rows["_kind"] = rows["kind"].map({"actual": 0, "target": 1}).fillna(2)
    rows["_ind"] = rows["indicator_id"].map(order)
    rows = rows.sort_values(["_own", "_ind", "year", "_kind", "source_line"],
                            ascending=[False, True, True, True, True], kind="stable")

    status: dict[tuple[str, int], str] = {}
    units = t_.indicator_index["unit_en" if lang == "en" else "unit_zh"]
    for _, r in analysis.progress.iterrows():  # worded as the key figures word them
        text = status_text(lang, r, str(units.get(r["indicator_id"], "")))
        if pd.notna(r["latest_year"]):
            status[(r["indicator_id"], int(r["latest_year"]))] = text
        elif r["indicator_id"] not in {k[0] for k in status}:
            status[(r["indicator_id"], -1)] = text

    names = t_.indicator_words(tuple(order), lang)
    long_names = t_.indicator_index["name_en" if lang == "en" else "name_zh"]
    titles = {sid: t_.source_title(sid, lang) for sid in rows["source_id"].dropna().unique()}
    region_names = {r: t_.region_name(r, lang) for r in rows["region_id"].unique()}
    out = []
    for r in rows.itertuples():
        is_own = r.region_id == analysis.region_id
        kind = ("actual" if r.kind == "actual" else "target") if is_own else (
            "benchmark" if r.kind == "actual" else "target")
        st = status.get((r.indicator_id, int(r.year)), "") if is_own and r.kind == "actual" else ""
        out.append({
            "indicator": str(long_names.loc[r.indicator_id]),
            "region": region_names[r.region_id],
            "kind": _w(lang, f"csv.kind.{kind}"),
            "year": int(r.year),
            "value": "" if pd.isna(r.value_text) else str(r.value_text),
            "unit": names[r.indicator_id][1],
            "status": st,
            "source": str(titles.get(r.source_id, "")),
            "line": "" if pd.isna(r.source_line) else int(r.source_line),
        })
    table = pd.DataFrame(out, columns=list(COLUMNS))
    return table.rename(columns={k: _w(lang, f"csv.{k}") for k in COLUMNS})


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as CSV bytes: UTF-8 with a byte-order mark, Windows line ends (what Excel and WPS
    open without asking)."""
    text = table.to_csv(index=False, lineterminator="\r\n")
    return "\ufeff".encode() + text.encode("utf-8")


def numbers_csv(analysis: RegionAnalysis, lang: str = "en") -> bytes:
    """:func:`numbers_table` as CSV bytes (:func:`csv_bytes`)."""
    return csv_bytes(numbers_table(analysis, lang))


def options_csv(analysis: RegionAnalysis, lang: str = "en", year: int = 2030) -> bytes:
    """The next plan's target options (:func:`planlib.report.outlook.options_table`: reader column
    names, values, ranges, the pace each needs and its basis by title and line) as CSV bytes
    (:func:`csv_bytes`), for a planning office to paste into its draft."""
    return csv_bytes(options_table(analysis, lang, year))
