"""Interactive indicator explorer: an ipywidgets app for Jupyter and Voilà.

Pick an indicator, one or more plan regions, a benchmark (none, national, province) and a
view (values over time with targets, progress to target, region comparison); a chart and a
small table of the plotted numbers update on every change, and "Download CSV" downloads the
table in the browser (UTF-8 with BOM, numbers as reported).

Everything the app shows comes from two pure functions, testable without a browser or kernel:

* :func:`selection_data` returns a tidy DataFrame (columns :data:`COLUMNS`), one row per
  plotted number, with the data-quality findings of :func:`planlib.check_quality` in its
  ``quality`` column;
* :func:`render` draws that data as a titled matplotlib figure in the house style, with a
  source line.

Every reader-facing word comes from the ``app`` part of :mod:`planlib.report.words`, in
English or Chinese (``lang``); indicator names and units from the catalog.

:class:`Explorer` wires them to widgets (``Explorer().app`` displays it). No number is written
here: values come from :func:`planlib.load_tables` (via :func:`planlib.data.tables.enrich`),
:func:`planlib.assess_progress`, :func:`planlib.analysis.comparison.national_series` and
:func:`planlib.compare_benchmarks`.
"""
from __future__ import annotations

import base64
import html
import io
import os
import re
import textwrap
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import ipywidgets as widgets
import traitlets
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from planlib.analysis.comparison import national_series
from planlib.analysis.quality import check_quality
from planlib.analysis.region import analyse_region, compare_benchmarks
from planlib.analysis.targets import IN_DOUBT
from planlib.data.tables import load_tables, plan_regions
from planlib.files import atomic_open
from planlib.report import style
from planlib.report.narrative import finding_text, fmt_num
from planlib.report.words import check_language, words

#: Languages of the interface: value → the switch's label (each in its own language).
LANGS: dict[str, str] = {"en": "English", "zh": "中文"}


def app_words(lang: str = "en") -> dict[str, str]:
    """The explorer's words in ``lang`` (the ``app`` part of :mod:`planlib.report.words`)."""
    return words(lang, "app")


#: Views: value → button label (English; :func:`app_words` has each language's).
VIEWS: dict[str, str] = {k: app_words()[f"view.{k}"] for k in ("values", "progress", "comparison")}
#: Benchmarks: value → button label.
BENCHMARKS: dict[str, str] = {k: app_words()[f"benchmark.{k}"] for k in ("none", "national", "province")}
#: Indicator domains in menu order (the order of data/dictionary.csv) with their menu labels.
DOMAINS: dict[str, str] = {k: app_words()[f"domain.{k}"] for k in (
    "health_status", "maternal_child", "disease_prevention", "health_services", "workforce", "facilities",
    "financing", "population", "other")}
#: Separator between domain and indicator name in the indicator menu.
SEP = " · "
#: Columns of the tidy selection table. ``plan_region`` is the selected region a row belongs
#: to (empty for benchmark series drawn once for all regions); ``region_id`` is the region the
#: number describes (the nation or the province for benchmark rows, the province for a
#: provincial fallback target).
COLUMNS = [
    "indicator_id", "plan_region", "region_id", "region", "series", "year", "value", "value_text",
    "comparator", "unit", "basis", "status", "note", "ref", "quality",
]
#: Columns shown in the on-screen table (the CSV has all of COLUMNS).
TABLE_COLUMNS = {c: app_words()[f"col.{c}"]
                 for c in ("region", "series", "year", "value", "value_text", "status", "quality", "ref")}
#: A file name the Save CSV button accepts: letters, digits, ".", "_", "-", ending in .csv.
FILENAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.csv$")

_PALETTE = style.PALETTE
#: Colours of the selected regions in order (the palette minus the benchmark and target roles).
REGION_COLORS = [style.COLORS["region"], _PALETTE[1], _PALETTE[4], _PALETTE[5], _PALETTE[9], _PALETTE[8]]
#: Markers of the selected regions in order (shape tells regions apart without colour).
REGION_MARKERS = ["o", "s", "^", "v", "P", "X"]
#: Colours of provinces drawn as benchmarks (the first is the house "province" colour).
PROVINCE_COLORS = [style.COLORS["province"], _PALETTE[6], "#8c6d00"]
PROVINCE_MARKERS = ["s", "^", "v"]
CMP = style.COMPARATOR_SYMBOLS
#: Characters per title line (11 pt bold on the FIG_WIDTH_IN text block).
TITLE_CHARS = 62


# --- data -----------------------------------------------------------------------------------

def _enriched(path=None) -> pd.DataFrame:
    return load_tables(path).enriched


def _progress(region_id: str, path=None) -> pd.DataFrame:
    return analyse_region(region_id, path).progress


def _benchmarks(region_id: str, indicator_id: str, path=None) -> pd.DataFrame:
    """The briefings' comparisons (``analyse_region(...).comparisons``) of one indicator: the same
    verdict rules (small numbers "cannot be told apart", doubted values not compared)."""
    c = analyse_region(region_id, path).comparisons
    return c[c["indicator_id"] == indicator_id]


def _names(path=None, lang: str = "en") -> dict[str, str]:
    return load_tables(path).region_names(lang)


def _indicator(indicator_id: str, path=None) -> pd.Series:
    ind = load_tables(path).indicator_index
    if indicator_id not in ind.index:
        raise KeyError(f"unknown indicator {indicator_id!r}; valid ids: {', '.join(ind.index)}")
    return ind.loc[indicator_id]


# --- menu -----------------------------------------------------------------------------------

def indicator_options(path=None, regions: Iterable[str] | None = None, min_regions: int = 2,
                      lang: str = "en") -> list[tuple[str, str]]:
    """(label, id) of every indicator with at least one observation, grouped by domain.

    With ``regions``, only the indicators with actual values for at least ``min_regions`` of
    them (at most as many as are selected, at least one): the explorer's default list, where
    most of the catalog's indicators are reported by one plan only.

    Labels read "Workforce · Registered nurses per 1,000 population" ("卫生人力 · 每千人口注册护士数"
    with ``lang="zh"``: the catalog's Chinese name). Domains follow :data:`DOMAINS` (unknown
    domains after them, alphabetically); within a domain the core briefing indicators come
    first, then the others by English name (the same order in both languages).
    """
    w = app_words(lang)
    t = load_tables(path)
    keep = set(t.observations["indicator_id"])
    if regions is not None:
        regions = list(regions)
        need = max(1, min(int(min_regions), len(regions)))
        o = t.observations
        o = o[o["region_id"].isin(regions)]
        counts = o.groupby("indicator_id")["region_id"].nunique()
        keep &= set(counts[counts >= need].index)
    ind = t.indicators[t.indicators["id"].isin(keep)]
    order = {d: i for i, d in enumerate(DOMAINS)}
    rows = sorted(ind.itertuples(), key=lambda r: (order.get(r.domain, len(order)), str(r.domain),
                                                   r.core != "yes", str(r.name_en).lower()))
    name = "name_en" if lang == "en" else "name_zh"
    return [(f"{w.get(f'domain.{r.domain}', str(r.domain).replace('_', ' ').capitalize())}{SEP}{getattr(r, name)}",
             str(r.id)) for r in rows]


def region_options(path=None, lang: str = "en") -> list[tuple[str, str]]:
    """(name, id) of the plan regions in ``lang``, in the order of regions.csv."""
    names = _names(path, lang)
    return [(names[r], r) for r in plan_regions(path)]


# --- tidy selection data --------------------------------------------------------------------

def _empty() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    df["year"] = df["year"].astype("Int64")
    df["value"] = df["value"].astype(float)
    return df


def _rec(**kw) -> dict:
    rec = dict.fromkeys(COLUMNS)
    rec.update(kw)
    return rec


def _status_word(status: str, lang: str) -> str:
    """A progress status (Open SDG) as the table shows it: the key in English ("on track"), the
    briefings' word in other languages ("进展顺利")."""
    return status if lang == "en" else words(lang, "text").get(f"status.{status}", status)


def _reason_text(reason: str, lang: str) -> str:
    """Why a progress status was given (:func:`planlib.assess_progress`'s ``reason``) in ``lang``;
    a data-quality finding is worded as the briefings word it."""
    if lang == "en" or not reason:
        return reason
    w = app_words(lang)
    shapes = [(r"^no earlier value, so no observed pace$", "reason.no earlier"),
              (r"^no reported value for this indicator$", "reason.no value"),
              (r"^observed change is (?P<share>[\d.,]+)% of the change required$", "reason.share"),
              (r"^qualitative target with no number to measure against$", "reason.qualitative"),
              (r"^the (?P<year>\d{4}) value already meets the target$", "reason.met"),
              (r"^the indicator has no better or worse direction$", "reason.no direction")]
    for pattern, key in shapes:
        m = re.match(pattern, reason)
        if m:
            return w[key].format(**m.groupdict())
    return finding_text(lang, {"message": reason})


def _actual_rows(obs: pd.DataFrame, series: str, plan_region: str | None, names: dict[str, str],
                 lang: str = "en") -> list[dict]:
    """One row per (region, year, distinct value); equal reports merged with their refs joined.

    A second, different value for a year is kept and marked "conflicting report"; a value
    whose unit contradicts the catalog is kept with an empty ``value`` (it is not plotted).
    """
    w = app_words(lang)
    rows: list[dict] = []
    obs = obs.sort_values(["region_id", "year", "source_line"], na_position="last", kind="stable")
    for (rid, year), g in obs.groupby(["region_id", "year"], sort=True):
        seen: dict[object, dict] = {}
        for _, r in g.iterrows():
            ok = bool(r["unit_ok"]) and pd.notna(r["value_std"])
            key = round(float(r["value_std"]), 9) if ok else ("text", str(r["value_text"]))
            if key in seen:
                seen[key]["ref"] += f"; {r['ref']}"
                continue
            status = None
            if not bool(r["unit_ok"]):
                status = w["status.unit"]
            elif any(isinstance(k, float) for k in seen) and ok:
                status = w["status.conflict"]
            seen[key] = _rec(plan_region=plan_region, region_id=str(rid), region=names.get(str(rid), str(rid)),
                             series=series, year=int(year), value=float(r["value_std"]) if ok else np.nan,
                             value_text=str(r["value_text"]), comparator=str(r["comparator"]),
                             unit=str(r["unit"]), status=status, ref=str(r["ref"]))
        rows.extend(seen.values())
    return rows


def _actuals(obs: pd.DataFrame, region_id: str, indicator_id: str) -> pd.DataFrame:
    return obs[(obs["region_id"] == region_id) & (obs["indicator_id"] == indicator_id)
               & (obs["kind"] == "actual") & (obs["comparator"] != "text")]


def _province(region_id: str, path=None) -> str | None:
    return load_tables(path).province_of(region_id)


def _target_row(p: pd.Series, region_id: str, indicator_id: str, names: dict[str, str], lang: str = "en") -> dict:
    tv = p["target_value"]
    tv = float(tv) if tv is not None and not pd.isna(tv) else np.nan
    trid = str(p["target_region_id"])
    note = app_words(lang)["note.derived"] if bool(p["target_derived"]) else None
    if np.isnan(tv):
        note = _reason_text(str(p["reason"]), lang)
    return _rec(indicator_id=indicator_id, plan_region=region_id, region_id=trid, region=names.get(trid, trid),
                series="target", year=int(p["target_year"]), value=tv, value_text=str(p["target_text"]),
                comparator=str(p["comparator"]), unit=str(p["unit"]), basis=str(p["target_basis"]),
                status=_status_word(str(p["status"]), lang), note=note, ref=str(p["target_ref"]),
                _achieved=str(p["status"]) == "achieved")


def _benchmark_rows(region_id: str, indicator_id: str, benchmark: str, names: dict[str, str],
                    path=None, lang: str = "en") -> list[dict]:
    """The national or provincial value nearest the region's latest actual (compare_benchmarks).

    Each row also carries its comparison key (``_cmp``, not a column) for the comparison view."""
    if benchmark == "none":
        return []
    w = app_words(lang)
    level = {"national": "national", "province": "provincial"}[benchmark]
    b = _benchmarks(region_id, indicator_id, path)
    b = b[b["benchmark_level"] == level]
    rows = []
    for _, r in b.iterrows():
        bid = str(r["benchmark_region_id"])
        cmp = str(r["comparison"])
        if cmp == IN_DOUBT:
            status = w["bench.doubt"]
        elif f"bench.{cmp}" in w:
            status = w[f"bench.{cmp}"].format(region=names.get(region_id, region_id))
        else:
            status = f"{names.get(region_id, region_id)}: {cmp}"
        note = str(r["year_note"]) or None
        if note and lang != "en":
            note = w["note.year"].format(level=names.get(bid, bid), year=int(r["year"]), byear=int(r["benchmark_year"]))
        rows.append(_rec(indicator_id=indicator_id, plan_region=region_id, region_id=bid,
                         region=names.get(bid, bid), series=benchmark, year=int(r["benchmark_year"]),
                         value=float(r["benchmark_value"]), value_text=fmt_num(float(r["benchmark_value"])),
                         comparator="=", unit=str(r["unit"]), status=status, note=note,
                         ref=str(r["benchmark_ref"]), _cmp=cmp))
    return rows


def _values_view(indicator_id, regions, benchmark, names, path, lang="en") -> list[dict]:
    obs = _enriched(path)
    rows: list[dict] = []
    for rid in regions:
        rows += _actual_rows(_actuals(obs, rid, indicator_id), "actual", rid, names, lang)
        p = _progress(rid, path)
        p = p[p["indicator_id"] == indicator_id]
        if not p.empty:
            rows.append(_target_row(p.iloc[0], rid, indicator_id, names, lang))
    if benchmark == "national":
        s = national_series(indicator_id, path)
        s = obs.loc[s.index]  # the same rows with their comparator, unit and source line
        rows += _actual_rows(s, "national", None, names, lang)
    elif benchmark == "province":
        provinces = dict.fromkeys(p for p in (_province(r, path) for r in regions) if p)
        for pid in provinces:
            a = _actuals(obs, pid, indicator_id)
            rows += _actual_rows(a[a["unit_ok"] & a["value_std"].notna()], "province", None, names, lang)
    return rows


def _progress_view(indicator_id, regions, benchmark, names, path, lang="en") -> list[dict]:
    w = app_words(lang)
    rows: list[dict] = []
    for rid in regions:
        p = _progress(rid, path)
        p = p[p["indicator_id"] == indicator_id]
        if p.empty:
            continue
        p = p.iloc[0]
        status, reason = _status_word(str(p["status"]), lang), _reason_text(str(p["reason"]), lang)
        if pd.notna(p["latest_value"]):
            rows.append(_rec(plan_region=rid, region_id=rid, region=names[rid], series="latest",
                             year=int(p["latest_year"]), value=float(p["latest_value"]),
                             value_text=str(p["latest_text"]), comparator="=", unit=str(p["unit"]),
                             status=status, note=reason, ref=_latest_ref(rid, indicator_id, p, path)))
        rows.append(_target_row(p, rid, indicator_id, names, lang))
        if pd.notna(p["projected_value"]):
            period = str(p["observed_period"]) if lang == "en" else str(p["observed_period"]).replace("–", "—")
            measure = w.get(f"measure.{p['change_measure']}", str(p["change_measure"]))
            rows.append(_rec(plan_region=rid, region_id=rid, region=names[rid], series="projected",
                             year=int(p["target_year"]), value=float(p["projected_value"]),
                             value_text=fmt_num(float(p["projected_value"])), unit=str(p["unit"]),
                             status=status, note=w["note.projected"].format(period=period, measure=measure)))
        rows += _benchmark_rows(rid, indicator_id, benchmark, names, path, lang)
    return rows


def _latest_ref(region_id: str, indicator_id: str, p: pd.Series, path) -> str | None:
    obs = _actuals(_enriched(path), region_id, indicator_id)
    hit = obs[(obs["year"] == p["latest_year"]) & obs["unit_ok"]
              & np.isclose(obs["value_std"].astype(float), float(p["latest_value"]), rtol=0, atol=1e-9)]
    return "; ".join(dict.fromkeys(hit["ref"])) or None


def _comparison_view(indicator_id, regions, benchmark, names, path, lang="en") -> list[dict]:
    """Per region its latest actual, judged against the benchmark with the briefings' rules
    (doubted values are not compared, small numbers "cannot be told apart")."""
    w = app_words(lang)
    obs = _enriched(path)
    rows: list[dict] = []
    for rid in regions:
        a = _actuals(obs, rid, indicator_id)
        a = a[a["unit_ok"] & a["value_std"].notna()]
        if a.empty:
            continue
        latest = a[a["year"] == a["year"].max()]
        own = [r for r in _actual_rows(latest, "latest", rid, names, lang) if r["status"] is None][:1]
        bench = _benchmark_rows(rid, indicator_id, benchmark, names, path, lang)
        if own and bench:
            cmp = bench[0]["_cmp"]
            if cmp == IN_DOUBT:
                own[0]["status"] = _status_word(IN_DOUBT, lang)
            elif f"cmp.{cmp}" in w:
                b = bench[0]["region"]
                if lang != "en" and benchmark == "national":
                    b = words(lang, "chart")["series.national"]  # "优于全国", not "优于中国"
                own[0]["status"] = w[f"cmp.{cmp}"].format(b=b)
            else:
                own[0]["status"] = f"{cmp} ({bench[0]['region']})"
            own[0]["_cmp"] = cmp
        rows += own + bench
    return rows


def _refs(text) -> set[str]:
    return {x.strip() for x in str(text or "").split(";") if x.strip()}


def _row_findings(df: pd.DataFrame, path=None) -> list[pd.DataFrame]:
    """Per row of a selection table: the data-quality findings about that number (same region,
    indicator and year, citing one of the row's source lines)."""
    q = check_quality(path)
    if df.empty:
        return []
    q = q.assign(_refs=q["source_lines"].map(_refs))
    out = []
    for _, r in df.iterrows():
        refs = _refs(r["ref"] if pd.notna(r["ref"]) else "")
        hit = q[(q["region_id"] == r["region_id"]) & (q["indicator_id"] == r["indicator_id"])
                & (q["year"] == r["year"])]
        keep = np.array([bool(refs & s) for s in hit["_refs"]], dtype=bool)
        out.append(hit.loc[keep].drop(columns="_refs"))
    return out


def _severity(severity: str, lang: str) -> str:
    return severity if lang == "en" else words(lang, "text").get(f"severity.{severity}", severity)


def _quality_labels(df: pd.DataFrame, path=None, lang: str = "en") -> list[str | None]:
    """Per row: its findings as "severity: check" ("warning: conflicting values"; "警告：数值不一致"),
    or None."""
    w = app_words(lang)
    out = []
    for hit in _row_findings(df, path):
        labels = dict.fromkeys(w["quality.label"].format(severity=_severity(s, lang),
                                                         check=w.get(f"check.{c}", c.replace("_", " ")))
                               for s, c in zip(hit["severity"], hit["check"]))
        out.append(w["quality.sep"].join(labels) or None)
    return out


def quality_notes(data: pd.DataFrame, path=None) -> pd.DataFrame:
    """The data-quality findings behind the ``quality`` column of a selection table (each once)."""
    hits = _row_findings(data, path)
    if not hits:
        return check_quality(path).iloc[0:0]
    q = pd.concat(hits)
    return q[~q.index.duplicated()].sort_index().reset_index(drop=True)


def _check_selection(indicator_id: str, regions, benchmark: str, view: str, path=None,
                     lang: str = "en") -> list[str]:
    _indicator(indicator_id, path)
    check_language(lang)
    if isinstance(regions, str):
        regions = [regions]
    regions = list(dict.fromkeys(regions or []))
    valid = plan_regions(path)
    bad = [r for r in regions if r not in valid]
    if bad:
        raise KeyError(f"unknown plan region(s) {', '.join(map(repr, bad))}; valid ids: {', '.join(valid)}")
    if benchmark not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {benchmark!r}; valid: {', '.join(BENCHMARKS)}")
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; valid: {', '.join(VIEWS)}")
    return regions


def selection_data(indicator_id: str, regions: str | Iterable[str] = ("yangchun",), benchmark: str = "none",
                   view: str = "values", path=None, lang: str = "en") -> pd.DataFrame:
    """The tidy table behind a selection: one row per number the chart shows.

    ``view`` "values": every actual of each region ("actual") and its headline target from
    assess_progress ("target", provincial or national where the plan sets none, see ``basis``),
    plus the "national" or "province" series. "progress": per region its "latest" value, the
    "target", the "projected" value at the observed pace, with ``status`` (Open SDG) and
    ``note`` (why). "comparison": per region its "latest" actual and the benchmark value of the
    nearest year, ``status`` better / similar / worse. ``quality`` lists the data-quality
    findings about each number. Empty (with COLUMNS) when no region is selected or none
    reports the indicator. Unknown ids raise KeyError, unknown benchmark, view or language
    ValueError.

    ``lang`` is the language of the reader-facing columns (``region``, ``unit``, ``status``,
    ``note``, ``quality``); ids, ``series``, ``basis`` and numbers are the same in every language.
    """
    regions = _check_selection(indicator_id, regions, benchmark, view, path, lang)
    if not regions:
        return _empty()
    names = _names(path, lang)
    build = {"values": _values_view, "progress": _progress_view, "comparison": _comparison_view}[view]
    rows = build(indicator_id, regions, benchmark, names, path, lang)
    if not rows:
        return _empty()
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["indicator_id"] = indicator_id
    ind = _indicator(indicator_id, path)
    if lang == "en":
        df["unit"] = df["unit"].fillna(str(ind["unit"]))
    else:
        df["unit"] = str(ind["unit_zh"])
    df["year"] = df["year"].astype("Int64")
    df["value"] = df["value"].astype(float)
    df["quality"] = _quality_labels(df, path, lang)
    return df.reset_index(drop=True)


def missing_regions(data: pd.DataFrame, regions: Iterable[str]) -> list[str]:
    """Selected regions without any row of their own in ``data`` (they report no data)."""
    have = set(data["plan_region"].dropna()) if not data.empty else set()
    return [r for r in regions if r not in have]


# --- figure ---------------------------------------------------------------------------------

#: Gid of the value labels on a chart (what :func:`label_overlaps` checks).
GID_VALUE = "planlib-value-label"


def _join(names: list[str], lang: str = "en") -> str:
    w = app_words(lang)
    return names[0] if len(names) == 1 else w["join.sep"].join(names[:-1]) + w["join.and"] + names[-1]


def _unit_label(unit: str) -> str:
    """The catalog's unit as an axis label, thousands separated ("per 1,000 live births")."""
    return re.sub(r"\d{4,}", lambda m: f"{int(m.group()):,}", unit)


def _where(region_names: list[str], lang: str = "en") -> str:
    w = app_words(lang)
    if not region_names:
        return w["chart.where.none"]
    return _join(region_names, lang) if len(region_names) <= 3 else w["chart.where.many"].format(n=len(region_names))


def _title(indicator_name: str, region_names: list[str], view: str, data: pd.DataFrame, lang: str = "en") -> str:
    w = app_words(lang)
    kw = {"indicator": indicator_name, "where": _where(region_names, lang)}
    if view == "values":
        has_target = not data.empty and (data["series"] == "target").any()
        return w["chart.title.values.targets" if has_target else "chart.title.values"].format(**kw)
    if view == "progress":
        years = sorted(data.loc[data["series"] == "target", "year"].dropna().unique()) if not data.empty else []
        if len(years) == 1:
            return w["chart.title.progress"].format(year=int(years[0]), **kw)
        return w["chart.title.progress.any"].format(**kw)
    return w["chart.title.comparison"].format(**kw)


def _wrap(text: str, width: int, lang: str) -> str:
    """Wrap to ``width`` characters (Chinese: display cells, two per character)."""
    if lang == "en":
        return textwrap.fill(text, width=width, break_on_hyphens=False)
    return style.wrap_display(text, width)


def _message(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=10,
            color="#555555", style="italic", wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)


class _Labels:
    """Value labels placed after the layout is final: each at the candidate offset whose box
    covers the fewest line points and no label placed before it (:func:`style.place_label`);
    a label that still overlaps an earlier one is left out (its number is in the table)."""

    def __init__(self) -> None:
        self.pending: list[tuple] = []

    def add(self, ax, x, y, text, color, candidates, **kw) -> None:
        self.pending.append((ax, x, y, text, color, candidates, kw))

    def place(self, fig: Figure) -> None:
        style.freeze_layout(fig)  # solve the layout once and keep it: labels must not move the axes
        renderer = fig.canvas.get_renderer()
        placed: list = []
        for ax, x, y, text, color, candidates, kw in self.pending:
            cands = [((x, y), off, ha, va) for off, ha, va in candidates]
            ann = style.place_label(ax, text, cands, placed, fontsize=style.SMALL_FONT_PT, color=color, **kw)
            if ann is None:
                continue
            ann.set_gid(GID_VALUE)
            box = ann.get_window_extent(renderer)
            if any(box.overlaps(p.get_window_extent(renderer)) for p in placed):
                ann.remove()
                continue
            placed.append(ann)


#: Candidate offsets (points, ha, va) of a label beside a point: below, above, right, left.
AROUND = [((0, -8), "center", "top"), ((0, 7), "center", "bottom"), ((7, 0), "left", "center"),
          ((-7, 0), "right", "center"), ((7, -9), "left", "top"), ((7, 9), "left", "bottom"),
          ((-7, -9), "right", "top"), ((-7, 9), "right", "bottom")]


def _color(i: int, palette: list[str]) -> str:
    return palette[i % len(palette)]


def _draw_values(ax, data: pd.DataFrame, regions: list[str], names: dict[str, str], labels: _Labels,
                 lang: str = "en") -> list:
    w = app_words(lang)
    handles = []
    label_all = len(regions) == 1
    targets = paths = False
    achieved = _status_word("achieved", lang)
    for i, rid in enumerate(regions):
        color, marker = _color(i, REGION_COLORS), REGION_MARKERS[i % len(REGION_MARKERS)]
        own = data[(data["plan_region"] == rid) & (data["series"] == "actual") & data["value"].notna()]
        main = own[own["status"].isna()].sort_values("year")
        if not main.empty:
            ax.plot(main["year"].astype(int), main["value"], "-", marker=marker, color=color, lw=1.8, ms=5.5,
                    zorder=4)
            handles.append(Line2D([], [], color=color, marker=marker, lw=1.8, ms=5.5, label=names[rid]))
            for _, r in main.iterrows() if label_all else main.tail(1).iterrows():
                labels.add(ax, int(r["year"]), r["value"], fmt_num(r["value"]), style.darker(color, 0.3), AROUND)
        conflict = own[own["status"].notna()]  # a second, different report of a year
        if not conflict.empty:
            ax.plot(conflict["year"].astype(int), conflict["value"], marker, mfc="white", mec=color, ms=5.5,
                    zorder=4)
        tgt = data[(data["plan_region"] == rid) & (data["series"] == "target") & data["value"].notna()]
        for _, t in tgt.iterrows():
            targets = True
            ax.plot([int(t["year"])], [t["value"]], "D", mfc="white", mec=color, mew=1.6, ms=7, zorder=5)
            text = f"{CMP.get(t['comparator'], '')}{fmt_num(t['value'])}"
            if t["basis"] != "own plan":
                text += w["chart.target.other"].format(region=names.get(t["region_id"], t["region_id"]))
            labels.add(ax, int(t["year"]), t["value"], text, style.darker(color, 0.3),
                       [AROUND[2], AROUND[4], AROUND[5], AROUND[1], AROUND[0]], fontweight="bold")
            if not main.empty and t["status"] != achieved:  # the way still to go, as in plots
                last = main.iloc[-1]
                if int(last["year"]) < int(t["year"]):
                    paths = True
                    ax.plot([int(last["year"]), int(t["year"])], [last["value"], t["value"]], ":", color=color,
                            lw=1.3, zorder=3)
    if targets:
        handles.append(Line2D([], [], color="#444444", marker="D", mfc="white", ls=":" if paths else "", ms=6,
                              label=w["chart.target.path"] if paths else w["chart.target"]))
    nat = data[(data["series"] == "national") & data["value"].notna()]
    if not nat.empty:
        first = nat[nat["status"].isna()].sort_values("year")
        c = style.COLORS["national"]
        ax.plot(first["year"].astype(int), first["value"], "--", marker=".", color=c, lw=1.4, zorder=2)
        handles.append(Line2D([], [], color=c, ls="--", marker=".", label=words(lang, "chart")["series.national"]))
    prov = data[(data["series"] == "province") & data["value"].notna()]
    for j, (pid, g) in enumerate(prov.groupby("region_id", sort=False)):
        c, m = _color(j, PROVINCE_COLORS), PROVINCE_MARKERS[j % len(PROVINCE_MARKERS)]
        first = g[g["status"].isna()].sort_values("year")
        ax.plot(first["year"].astype(int), first["value"], "--", marker=m, ms=4, color=c, lw=1.4, zorder=2)
        other = g[g["status"].notna()]
        if not other.empty:
            ax.plot(other["year"].astype(int), other["value"], m, mfc="white", mec=c, ms=5, zorder=2)
        handles.append(Line2D([], [], color=c, ls="--", marker=m, ms=4,
                              label=words(lang, "chart")["series.province"].format(province=names[pid])))
    years = data.loc[data["value"].notna(), "year"].dropna().astype(int)
    if not years.empty:
        lo, hi = int(years.min()), int(years.max())
        if hi - lo < 2:
            lo, hi = lo - 1, hi + 1
        ax.set_xlim(lo - 0.7, hi + 1.6)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True, nbins=8))
        ax.set_xlabel(words(lang, "chart")["axis.year"])
    ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.margins(y=0.15)
    return handles


def _draw_progress(ax, data: pd.DataFrame, regions: list[str], names: dict[str, str], labels: _Labels,
                   lang: str = "en") -> list:
    w = app_words(lang)
    shown = [r for r in regions if not data[data["plan_region"] == r].empty]
    ticks = []
    for i, rid in enumerate(shown):
        y = len(shown) - 1 - i
        color = _color(regions.index(rid), REGION_COLORS)
        marker = REGION_MARKERS[regions.index(rid) % len(REGION_MARKERS)]
        d = data[data["plan_region"] == rid]
        latest, tgt = d[d["series"] == "latest"], d[d["series"] == "target"]
        proj = d[d["series"] == "projected"]
        status = str((tgt if not tgt.empty else latest)["status"].iloc[0])
        ticks.append((y, f"{_wrap(names[rid], 20, lang)}\n{_wrap(status, 22, lang)}"))
        if not latest.empty and not tgt.empty and pd.notna(tgt["value"].iloc[0]):
            ax.plot([latest["value"].iloc[0], tgt["value"].iloc[0]], [y, y], "-", color="#cccccc", lw=4,
                    solid_capstyle="round", zorder=1)
        if not latest.empty:
            r = latest.iloc[0]
            ax.plot([r["value"]], [y], marker, color=color, ms=8, zorder=4)
            labels.add(ax, r["value"], y, w["chart.value_year"].format(value=fmt_num(r["value"]), year=int(r["year"])),
                       style.darker(color, 0.3), [AROUND[1], AROUND[5], AROUND[7], AROUND[2], AROUND[3]])
        if not tgt.empty and pd.notna(tgt["value"].iloc[0]):
            t = tgt.iloc[0]
            ax.plot([t["value"]], [y], "D", mfc="white", mec=style.COLORS["target"], mew=1.8, ms=8, zorder=5)
            whose = "" if t["basis"] == "own plan" else w["chart.whose"].format(
                region=names.get(t["region_id"], t["region_id"]))
            text = w["chart.target.label"].format(target=f"{CMP.get(t['comparator'], '')}{fmt_num(t['value'])}",
                                                  year=int(t["year"]), whose=whose)
            labels.add(ax, t["value"], y, text, style.TEXT_COLORS["target"],
                       [AROUND[0], AROUND[4], AROUND[6], AROUND[2], AROUND[3]], fontweight="bold")
        if not proj.empty:
            p = proj.iloc[0]
            ax.plot([p["value"]], [y], "x", color=style.COLORS["required path"], ms=8, mew=2, zorder=5)
        for series in ("national", "province"):
            b = d[d["series"] == series]
            if not b.empty:
                ax.plot([b["value"].iloc[0]], [y], "|", color=style.COLORS[series], ms=22, mew=2.5, zorder=3)
        if latest.empty and (tgt.empty or pd.isna(tgt["value"].iloc[0])):
            ax.text(0.5, y, w["chart.no_value"], transform=ax.get_yaxis_transform(), ha="center",
                    va="center", fontsize=style.SMALL_FONT_PT, color="#555555", style="italic")
    ax.set_yticks([t[0] for t in ticks], [t[1] for t in ticks])
    ax.set_ylim(-0.7, len(shown) - 0.3)
    ax.grid(axis="y", visible=False)
    ax.margins(x=0.12)
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    handles = [Line2D([], [], color="#444444", marker="o", ls="", ms=7, label=w["chart.latest"]),
               Line2D([], [], mfc="white", mec=style.COLORS["target"], marker="D", ls="", mew=1.8, ms=7,
                      label=w["chart.target"])]
    if (data["series"] == "projected").any():
        handles.append(Line2D([], [], color=style.COLORS["required path"], marker="x", ls="", mew=2,
                              label=w["chart.projected"]))
    for series in ("national", "province"):
        if (data["series"] == series).any():
            handles.append(Line2D([], [], color=style.COLORS[series], marker="|", ls="", ms=12, mew=2.5,
                                  label=w[f"chart.{series}.nearest"]))
    return handles


def _draw_comparison(ax, data: pd.DataFrame, regions: list[str], names: dict[str, str], labels: _Labels,
                     lang: str = "en") -> list:
    w = app_words(lang)
    benches = [s for s in ("national", "province") if (data["series"] == s).any()]
    width = 0.8 / (1 + len(benches))
    vmax = float(data["value"].max()) if data["value"].notna().any() else 1.0
    # characters per line under a category (8 pt type on the figure's width)
    chars = max(10, int(style.FIG_WIDTH_IN * 72 * 0.85 / max(1, len(regions)) / (style.SMALL_FONT_PT * 0.6)))
    above = [((0, 2), "center", "bottom"), ((0, 12), "center", "bottom"), ((0, 22), "center", "bottom")]
    ticks = []
    for i, rid in enumerate(regions):
        d = data[data["plan_region"] == rid]
        latest = d[d["series"] == "latest"]
        color = _color(i, REGION_COLORS)
        name = _wrap(names[rid], chars, lang)
        if latest.empty:
            ax.text(i, 0.02 * vmax, w["chart.no_data"], ha="center", va="bottom", fontsize=style.SMALL_FONT_PT,
                    color="#555555", style="italic")
            ticks.append(name)
            continue
        r = latest.iloc[0]
        x0 = i - 0.4 + width / 2
        ax.bar(x0, r["value"], width=width, color=color, zorder=3)
        labels.add(ax, x0, r["value"], fmt_num(r["value"]), "#222222", above)
        for j, series in enumerate(benches, start=1):
            b = d[d["series"] == series]
            if b.empty:
                continue
            b = b.iloc[0]
            ax.bar(x0 + j * width, b["value"], width=width, color=style.COLORS[series], zorder=3)
            labels.add(ax, x0 + j * width, b["value"], fmt_num(b["value"]), "#222222", above)
        verdict = ("\n" + _wrap(r["status"], chars, lang)) if isinstance(r["status"], str) else ""
        year = str(int(r["year"])) if lang == "en" else f"{int(r['year'])}年"
        ticks.append(f"{name}\n{year}{verdict}")
    ax.set_xticks(range(len(regions)), ticks)
    ax.tick_params(axis="x", length=0)
    ax.grid(axis="x", visible=False)
    ax.set_xlim(-0.6, len(regions) - 0.4)
    ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_ylim(0, vmax * 1.3)
    handles = []  # the regions are named under their bars; only benchmarks need a key
    for series in ("national", "province"):
        if series in benches:
            handles.append(mpl.patches.Patch(color=style.COLORS[series], label=w[f"chart.{series.capitalize()}.nearest"]))
    return handles


#: Figure size (inches) in normal mode and in presentation mode (wider, for a 16:9 or 4:3 screen
#: under the controls: type is as large as in normal mode on a figure shown larger).
FIG_SIZE = (style.FIG_WIDTH_IN, 4.2)
FIG_SIZE_PRESENTATION = (8.0, 3.9)


def render(indicator_id: str, regions: str | Iterable[str] = ("yangchun",), benchmark: str = "none",
           view: str = "values", path=None, data: pd.DataFrame | None = None, lang: str = "en",
           presentation: bool = False) -> Figure:
    """The chart of a selection: title naming what it shows, legend, source line, in ``lang``.

    ``data`` is :func:`selection_data` of the same selection (computed when not given). An
    empty selection, or regions that do not report the indicator, give a figure that says so.
    Value labels never overlap each other (:func:`label_overlaps`). ``presentation``: the wider
    figure of presentation mode (:data:`FIG_SIZE_PRESENTATION`). The figure is not attached
    to pyplot (nothing to close, nothing shown by accident).
    """
    regions = _check_selection(indicator_id, regions, benchmark, view, path, lang)
    if data is None:
        data = selection_data(indicator_id, regions, benchmark, view, path, lang)
    w = app_words(lang)
    ind = _indicator(indicator_id, path)
    ind_name = str(ind["name_en" if lang == "en" else "name_zh"])
    _, unit = load_tables(path).indicator_words((indicator_id,), lang)[indicator_id]
    names = _names(path, lang)
    style.set_style()
    fig = Figure(figsize=FIG_SIZE_PRESENTATION if presentation else FIG_SIZE, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    labels = _Labels()
    missing = missing_regions(data, regions)
    unit = _unit_label(unit)
    if not regions:
        _message(ax, w["chart.select"])
    elif len(missing) == len(regions):
        _message(ax, w["chart.nodata"].format(regions=_join([names[r] for r in missing], lang), indicator=ind_name))
    else:
        draw = {"values": _draw_values, "progress": _draw_progress, "comparison": _draw_comparison}[view]
        handles = draw(ax, data, regions, names, labels, lang)
        if view == "progress":
            ax.set_xlabel(unit)
        elif lang == "en":
            ax.set_ylabel(unit)
        else:  # Chinese reads across: the unit above the axis, not turned on its side
            ax.set_ylabel(unit, rotation=0, ha="left", va="bottom")
            ax.yaxis.set_label_coords(-0.02, 1.02)
        if missing:
            ax.text(0.99, 0.02, w["chart.nodata.short"].format(regions=_join([names[r] for r in missing], lang)),
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=style.SMALL_FONT_PT,
                    color="#555555", style="italic")
        if handles:
            _fit_legend(fig, handles)
    title = _title(ind_name, [names[r] for r in regions], view, data, lang)
    chars = int(TITLE_CHARS * fig.get_figwidth() / style.FIG_WIDTH_IN)
    style.add_title(fig, _wrap(title, chars, lang))
    tables = load_tables(path)
    source = style.source_line_text(data if not data.empty else _empty(), lang, tables,
                                    cjk=None if lang != "en" else False)
    style.add_source_line(fig, source)
    labels.place(fig)
    return fig


def _fit_legend(fig: Figure, handles: list) -> None:
    """The figure legend in as many columns (three at most) as fit the figure's width."""
    renderer = fig.canvas.get_renderer()
    for ncols in range(min(3, len(handles)), 0, -1):
        leg = style.add_figure_legend(fig, handles, ncols=ncols)
        if leg.get_window_extent(renderer).width <= fig.bbox.width - 2 * style.PAD_IN * fig.dpi:
            return


def label_overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of texts on the chart that overlap: value labels with each other and with the tick
    labels of their axes, and the tick labels of one axis with each other (empty on a readable
    chart)."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()

    def texts(items) -> list:
        return [(t.get_text(), t.get_window_extent(renderer)) for t in items if t.get_visible() and t.get_text()]

    def pairs(a, b=None):
        if b is None:
            return [(x, y) for i, x in enumerate(a) for y in a[i + 1:]]
        return [(x, y) for x in a for y in b]

    out = []
    for ax in fig.axes:
        values = texts(t for t in ax.texts if t.get_gid() == GID_VALUE)
        xt, yt = texts(style.tick_labels(ax, "x")), texts(style.tick_labels(ax, "y"))
        for (ta, ba), (tb, bb) in pairs(values) + pairs(values, xt + yt) + pairs(xt) + pairs(yt):
            if ba.overlaps(bb):
                out.append((ta, tb))
    return out


def figure_png(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG bytes (no timestamp, so the same figure gives the same bytes)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": "planlib (matplotlib)"})
    return buf.getvalue()


# --- table and CSV --------------------------------------------------------------------------

_REF_RE = re.compile(r"(?<![\w])([a-z][a-z0-9_]*)(?: L(\d+))?(?![\w])")


def ref_text(ref, lang: str = "en", path=None) -> str:
    """Source references ("yangchun_14th_plan L40; yangchun_14th_plan L76") as the reader sees
    them: by the document's title and lines, "Yangchun City 14th Five-Year Plan for Health Development,
    lines 40, 76" in English, "阳春市卫生健康事业发展“十四五”规划第40、76行" in Chinese."""
    if ref is None or (not isinstance(ref, str) and pd.isna(ref)):
        return ""
    w = app_words(lang)
    t = load_tables(path)
    lines: dict[str, list[str]] = {}
    for part in _refs(ref):
        m = _REF_RE.fullmatch(part)
        sid, line = (m.group(1), m.group(2)) if m else (part, None)
        got = lines.setdefault(sid, [])
        if line and line not in got:
            got.append(line)
    out = []
    for sid, ls in lines.items():
        title = t.source_title(sid, lang) if sid in t.source_index.index else sid
        ls = sorted(ls, key=int)
        out.append(w["ref.lines" if len(ls) > 1 else "ref.line"].format(title=title, lines=w["ref.list"].join(ls))
                   if ls else title)
    return w["ref.sep"].join(out)


def _refs_in_text(text: str, lang: str, path=None) -> str:
    """Source ids inside a sentence (a finding's message) replaced by ``ref_text``."""
    if not isinstance(text, str):
        return text
    titles = load_tables(path).sources["id"]
    known = set(titles)

    def sub(m: re.Match) -> str:
        return ref_text(m.group(0), lang, path) if m.group(1) in known else m.group(0)

    return _REF_RE.sub(sub, text)


def _finding_message(f, lang: str, unit: str = "", path=None) -> str:
    """A finding's message in ``lang`` (the briefings' wording), its sources named for the reader."""
    return _refs_in_text(finding_text(lang, f, unit), lang, path)


def reader_table(data: pd.DataFrame, lang: str = "en", path=None, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """The selection table as a reader sees it, headed in ``lang``: series and target basis in
    words, sources by title and line (in the reader's language), the indicator and plan region by name; numbers
    stay numbers. ``columns`` (default: all of COLUMNS but the region id) picks and orders them."""
    w = app_words(lang)
    cols = list(columns) if columns is not None else [c for c in COLUMNS if c != "region_id"]
    out = data.copy()
    other = out["basis"].notna() & (out["basis"] != "own plan")
    series = out["series"].map(lambda s: w.get(f"series.{s}", s))
    basis = out["basis"].map(lambda b: w.get(f"basis.{b}", b) if isinstance(b, str) else b)
    out["series"] = series.where(~other, [w["series.basis"].format(series=s, basis=b) for s, b in zip(series, basis)])
    out["basis"] = basis
    if not out.empty:
        t = load_tables(path)
        names = _names(path, lang)
        name = "name_en" if lang == "en" else "name_zh"
        out["indicator_id"] = out["indicator_id"].map(lambda i: str(t.indicator_index.loc[i, name]))
        out["plan_region"] = out["plan_region"].map(lambda r: names.get(r, r) if isinstance(r, str) else r)
        out["ref"] = out["ref"].map(lambda r: ref_text(r, lang, path))
        out["note"] = out["note"].map(lambda n: _refs_in_text(n, lang, path))
        out["status"] = out["status"].map(lambda n: _refs_in_text(n, lang, path))
    out = out[cols]
    return out.rename(columns={c: w[f"col.{'indicator' if c == 'indicator_id' else c}"] for c in cols})


def table_html(data: pd.DataFrame, regions: Iterable[str] = (), path=None, notes: bool = True,
               lang: str = "en") -> str:
    """The selection table as HTML (the columns of TABLE_COLUMNS, headed in ``lang``), with "no
    data" lines for regions that report nothing and the data-quality findings in a collapsible
    list."""
    w = app_words(lang)
    names = _names(path, lang)
    regions = list(regions)
    parts = []
    if not regions:
        parts.append(f"<p class='planlib-empty'>{w['empty']}</p>")
    missing = missing_regions(data, regions)
    if missing and regions:
        parts.append("<p class='planlib-nodata'>" + html.escape(w["nodata.table"].format(
            regions=_join([names.get(r, r) for r in missing], lang))) + "</p>")
    if not data.empty:
        show = data.copy()
        show["value"] = [fmt_num(v) if pd.notna(v) else "–" for v in show["value"]]
        show["year"] = show["year"].astype("string")
        show = reader_table(show, lang, path, columns=list(TABLE_COLUMNS)).fillna("")
        parts.append(show.to_html(index=False, escape=True, border=0, classes="planlib-data"))
        if notes:
            q = quality_notes(data, path)
            if not q.empty:
                unit = str(data["unit"].iloc[0])
                items = "".join("<li>" + w["quality.item"].format(
                    severity=html.escape(_severity(r["severity"], lang)),
                    region=html.escape(names.get(r["region_id"], r["region_id"])), year=r["year"],
                    message=html.escape(_finding_message(r, lang, unit, path))) + "</li>"
                    for _, r in q.iterrows())
                parts.append(f"<details><summary>{html.escape(w['quality.notes'].format(n=len(q)))}</summary>"
                             f"<ul>{items}</ul></details>")
    css = ("<style>.planlib-data{border-collapse:collapse;font-size:12px}"
           ".planlib-data th,.planlib-data td:nth-child(-n+5){white-space:nowrap}"
           ".planlib-data th,.planlib-data td{padding:2px 6px;border-bottom:1px solid #ddd;text-align:left;"
           "vertical-align:top;line-height:1.35}.planlib-table details{font-size:12px;line-height:1.35}</style>")
    return css + "".join(parts)


def csv_name(indicator_id: str, regions: Iterable[str], benchmark: str, view: str, lang: str = "en",
             path=None) -> str:
    """A file name built from the selection: planlib_<indicator>_<regions>_<view>[_<benchmark>].csv
    in English; in Chinese from the names ("阳春市_人均预期寿命_历年数值.csv")."""
    regions = list(regions)
    if lang != "en":
        w = app_words(lang)
        names = _names(path, lang)
        where = (w["join.sep"].join(names.get(r, r) for r in regions) if 0 < len(regions) <= 3
                 else _where([names.get(r, r) for r in regions], lang))
        ind = str(_indicator(indicator_id, path)["name_zh"])
        parts = [where, ind, w[f"view.{view}"]] + ([w[f"benchmark.{benchmark}"]] if benchmark != "none" else [])
        return "_".join(p.replace("/", "每") for p in parts) + ".csv"
    regions = regions or ["none"]
    parts = ["planlib", indicator_id, "-".join(regions), view] + ([benchmark] if benchmark != "none" else [])
    return "_".join(parts) + ".csv"


def validate_filename(name: str) -> str:
    """The name if it is a plain CSV file name: any letters (Chinese too), digits, spaces and
    punctuation, but no folders (``/``, ``\\``), no hidden file (leading ``.``), no control
    characters or characters Windows refuses (``<>:"|?*``), ending in .csv; ValueError otherwise."""
    name = (name or "").strip()
    if (not name.lower().endswith(".csv") or name.startswith(".") or len(name) > 150
            or any(ch in name for ch in '/\\<>:"|?*') or any(ord(ch) < 32 for ch in name) or name == ".csv"):
        raise ValueError(f"invalid file name {name!r}: no folders, no '<>:\"|?*', not starting with '.', "
                         "ending in .csv")
    return name


def csv_bytes(data: pd.DataFrame, lang: str = "en", path=None) -> bytes:
    """The table as a CSV a spreadsheet opens correctly: UTF-8 with a byte-order mark (Excel
    then reads 岁, ‰ and 10万 right) and numbers as reported (78.4, not 78.39999999999999:
    at most 12 significant digits, which no source number has). In English the columns are
    COLUMNS; in another language :func:`reader_table`'s (headed in that language)."""
    out = data.copy() if lang == "en" else reader_table(data, lang, path)
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = [("" if pd.isna(v) else f"{float(v):.12g}") for v in out[col]]
    return out.to_csv(index=False).encode("utf-8-sig")


def download_html(data: pd.DataFrame, filename: str, label: str | None = None, lang: str = "en",
                  path=None) -> str:
    """A link that downloads the table (:func:`csv_bytes` in ``lang``) in the browser (a data:
    URL, nothing written on the server), with the file name given (spaces and Chinese allowed)."""
    name = validate_filename(filename)
    label = app_words(lang)["download"] if label is None else label
    b64 = base64.b64encode(csv_bytes(data, lang, path)).decode("ascii")
    return (f"<a class='planlib-download-link' download=\"{html.escape(name, quote=True)}\" "
            f"href='data:text/csv;charset=utf-8;base64,{b64}' "
            "style='display:inline-block;padding:4px 12px;background:#1565c0;color:#fff;border-radius:3px;"
            f"text-decoration:none'>{html.escape(label)}</a>")


def save_csv(data: pd.DataFrame, filename: str, out_dir: str | os.PathLike | None = None, lang: str = "en",
             path=None) -> Path:
    """Write ``data`` (:func:`csv_bytes` in ``lang``) to ``out_dir/filename`` (default: the
    current working directory) through a temporary file, and return the path."""
    name = validate_filename(filename)
    folder = Path(out_dir) if out_dir is not None else Path.cwd()
    if not folder.is_dir():
        raise FileNotFoundError(f"folder not found: {folder}")
    target = folder / name
    with atomic_open(target, "wb") as fh:
        fh.write(csv_bytes(data, lang, path))
    return target.resolve()


# --- the app --------------------------------------------------------------------------------

#: Presentation mode (class ``planlib-present`` on the app): the chart image as wide as the
#: window and short enough to fit under the controls (the notebook's introduction is hidden),
#: the table and download below it, 16-18 px type.
PRESENTATION_CSS = """<style>
.planlib-present .planlib-main {flex-direction: column !important;}
.planlib-present .planlib-chart {width: 100% !important; max-width: 100% !important;}
body:has(.planlib-present) .jp-RenderedMarkdown {display: none !important;}
.planlib-present .planlib-chart img {width: 100% !important; height: auto !important;
  max-height: calc(100vh - 250px);
  object-fit: contain; object-position: left top;}
.planlib-present .planlib-side {padding: 8px 0 0 0 !important; width: 100% !important;}
.planlib-present .planlib-table {max-width: 100% !important;}
.planlib-present .planlib-data {font-size: 17px !important;}
.planlib-present .planlib-table details {font-size: 16px !important;}
.planlib-present, .planlib-present .widget-label, .planlib-present select, .planlib-present button,
.planlib-present .widget-toggle-button, .planlib-present input, .planlib-present .widget-label-basic,
.planlib-present .planlib-regions-label {font-size: 16px !important;}
.planlib-present select {height: auto !important;}
.planlib-present .planlib-intro, .planlib-present .planlib-indicator-count {display: none !important;}
</style>"""


class RegionChecks(widgets.HBox):
    """The plan regions as checkboxes under a label: one click adds or removes a region (no
    Ctrl-click to learn). ``value`` is the tuple of ticked ids in the order of ``options``
    ((label, id) pairs, as for a multiple select); ``description`` is the label."""

    value = traitlets.Tuple()

    def __init__(self, options: Iterable[tuple[str, str]], value: Iterable[str] = (), description: str = "") -> None:
        self._label = widgets.HTML(layout=widgets.Layout(width="80px", margin="0 8px 0 0"))
        self._label.add_class("planlib-regions-label")
        self._column = widgets.VBox(layout=widgets.Layout(width="auto"))
        self._boxes: dict[str, widgets.Checkbox] = {}
        self._options: tuple[tuple[str, str], ...] = ()
        self._syncing = False
        super().__init__([self._label, self._column])
        self.options = options
        self.description = description
        self.value = tuple(v for v in value if v in self._boxes)

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        return self._options

    @options.setter
    def options(self, options: Iterable[tuple[str, str]]) -> None:
        """New options (new labels, or a language): ticked regions that remain stay ticked."""
        keep = set(self.value)
        self._options = tuple((str(label), str(rid)) for label, rid in options)
        self._boxes = {}
        # as wide as the longest name at presentation mode's 16 px (a Chinese character is two
        # cells), so that a name never runs into the controls beside it
        cells = max([sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label)
                     for label, _ in self._options] or [10])
        width = f"{int(cells * 9.5 + 40)}px"
        self._column.layout.width = width
        for label, rid in self._options:
            box = widgets.Checkbox(value=rid in keep, description=label, indent=False,
                                   layout=widgets.Layout(width=width, margin="0"))
            box.add_class("planlib-region")
            box.observe(self._on_box, names="value")
            self._boxes[rid] = box
        self._column.children = tuple(self._boxes.values())
        self._set_value(tuple(r for _, r in self._options if r in keep))

    @property
    def description(self) -> str:
        return self._description

    @description.setter
    def description(self, text: str) -> None:
        self._description = text
        self._label.value = f"<span style='float:right'>{html.escape(text)}</span>"

    def _set_value(self, value: tuple[str, ...]) -> None:
        self._syncing = True
        try:
            self.value = value
        finally:
            self._syncing = False

    def _on_box(self, change) -> None:
        if not self._syncing:
            self._set_value(tuple(r for r, b in self._boxes.items() if b.value))

    @traitlets.validate("value")
    def _valid(self, proposal) -> tuple[str, ...]:
        unknown = [v for v in proposal["value"] if v not in self._boxes]
        if unknown:
            raise traitlets.TraitError(f"unknown plan region(s) {unknown}; valid: {list(self._boxes)}")
        return tuple(r for r in self._boxes if r in set(proposal["value"]))

    @traitlets.observe("value")
    def _tick(self, change) -> None:
        was, self._syncing = self._syncing, True
        try:
            for rid, box in self._boxes.items():
                box.value = rid in change["new"]
        finally:
            self._syncing = was


class Explorer:
    """The explorer app: ``Explorer().app`` is the widget to display; ``Explorer(lang="zh")`` in
    Chinese (the ``language`` switch changes it on the page).

    Widgets (public, so that tests and notebooks can drive them): ``indicator`` (Dropdown),
    ``regions`` (:class:`RegionChecks`: a checkbox per plan region), ``benchmark`` and ``view`` (ToggleButtons), ``chart``
    (Output holding the PNG), ``table`` (HTML, with "no data" notes), ``message`` (HTML, errors),
    ``filename`` (Text), ``download`` (HTML: the "Download CSV" link, a data: URL of
    :func:`csv_bytes`), ``all_indicators`` (Checkbox: off, the menu lists only indicators with
    data for two or more selected regions), ``indicator_count``, ``presentation`` (ToggleButton),
    ``language`` (ToggleButtons), ``intro`` (HTML: title and how to use it); ``save()`` (with
    ``save_button``, not shown) writes the CSV on the server for notebook use and ``saved`` says
    where. ``current`` is the tidy DataFrame on screen, ``figure`` the matplotlib figure,
    ``error`` the last error (or None).
    """

    def __init__(self, data=None, out_dir: str | os.PathLike | None = None, indicator: str | None = None,
                 regions: Iterable[str] = ("yangchun",), benchmark: str = "none", view: str = "values",
                 presentation: bool = False, lang: str = "en") -> None:
        check_language(lang)
        self.path = data
        self.out_dir = out_dir
        self.lang = lang
        self.current: pd.DataFrame = _empty()
        self.figure: Figure | None = None
        self.png: bytes = b""
        self.error: str | None = None
        self._busy = False
        all_ids = [v for _, v in indicator_options(data)]
        default = indicator or ("life_expectancy" if "life_expectancy" in all_ids else all_ids[0])
        shared = {v for _, v in indicator_options(data, regions=regions)}
        #: Off: the menu lists only indicators with data for at least two of the selected regions.
        self.all_indicators = widgets.Checkbox(value=default not in shared, indent=False,
                                               layout=widgets.Layout(width="auto"))
        self.indicator_count = widgets.HTML(layout=widgets.Layout(margin="0 0 0 16px"))
        self.indicator = widgets.Dropdown(options=self._menu(regions), value=default,
                                          layout=widgets.Layout(width="640px"),
                                          style={"description_width": "80px"})
        self.regions = RegionChecks(region_options(data, lang), value=tuple(regions))
        self.benchmark = widgets.ToggleButtons(options=self._choices("benchmark", BENCHMARKS), value=benchmark,
                                               style={"button_width": "auto", "description_width": "80px"})
        self.view = widgets.ToggleButtons(options=self._choices("view", VIEWS), value=view,
                                          style={"button_width": "auto", "description_width": "80px"})
        self.chart = widgets.Output(layout=widgets.Layout(width="650px", min_height="300px"))
        self.table = widgets.HTML(layout=widgets.Layout(width="auto", max_width="640px"))
        self.message = widgets.HTML()
        self.filename = widgets.Text(layout=widgets.Layout(width="440px"), style={"description_width": "60px"})
        self.save_button = widgets.Button(icon="download", button_style="primary")
        self.saved = widgets.Label()
        self.download = widgets.HTML()
        #: Presentation mode for a projector: the chart fills the screen's width and fits under
        #: the controls, the table goes below it, every text is larger.
        self.presentation = widgets.ToggleButton(value=presentation, icon="desktop")
        #: The interface's language, each choice written in its own language.
        self.language = widgets.ToggleButtons(options=[(v, k) for k, v in LANGS.items()], value=lang,
                                              style={"button_width": "auto"})
        self.intro = widgets.HTML()
        self.css = widgets.HTML(PRESENTATION_CSS)
        for w, cls in ((self.indicator, "planlib-indicator"), (self.regions, "planlib-regions"),
                       (self.benchmark, "planlib-benchmark"), (self.view, "planlib-view"),
                       (self.chart, "planlib-chart"), (self.table, "planlib-table"),
                       (self.message, "planlib-message"), (self.saved, "planlib-saved"),
                       (self.save_button, "planlib-save"), (self.download, "planlib-download"),
                       (self.all_indicators, "planlib-all-indicators"), (self.indicator_count, "planlib-indicator-count"),
                       (self.presentation, "planlib-presentation"), (self.language, "planlib-language"),
                       (self.intro, "planlib-intro"),
                       (self.filename, "planlib-filename")):
            w.add_class(cls)
        for w in (self.indicator, self.benchmark, self.view):
            w.observe(self._on_change, names="value")
        self.regions.observe(self._on_menu_change, names="value")  # the menu first, then one update
        self.all_indicators.observe(self._on_menu_change, names="value")
        self.filename.observe(lambda _: self._refresh_download(), names="value")
        self.save_button.on_click(lambda _: self.save())
        self.language.observe(self._on_language, names="value")
        switches = widgets.HBox([self.presentation, self.language],
                                layout=widgets.Layout(margin="4px 0 0 84px", flex_flow="row wrap"))
        controls = widgets.HBox([self.regions,
                                 widgets.VBox([self.benchmark, self.view, switches],
                                              layout=widgets.Layout(margin="0 0 0 24px"))],
                                layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        side = widgets.VBox([self.table, widgets.HBox([self.download, self.filename],
                                                      layout=widgets.Layout(flex_flow="row wrap")), self.saved],
                            layout=widgets.Layout(padding="0 0 0 12px"))
        side.add_class("planlib-side")
        menu = widgets.HBox([self.indicator, self.all_indicators, self.indicator_count],
                            layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        main = widgets.HBox([self.chart, side], layout=widgets.Layout(flex_flow="row wrap"))
        main.add_class("planlib-main")
        self.app = widgets.VBox([self.css, self.intro, menu, controls, self.message, main])
        self.presentation.observe(lambda _: (self._apply_presentation(), self.update()), names="value")
        self._apply_presentation()
        self.app.add_class("planlib-explorer")
        self._label_widgets()
        self.update()

    # language --------------------------------------------------------------------------------
    def _choices(self, kind: str, keys: Iterable[str]) -> list[tuple[str, str]]:
        w = app_words(self.lang)
        return [(w[f"{kind}.{k}"], k) for k in keys]

    def _menu(self, regions: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """The indicator menu in the interface's language: all indicators when the switch is on,
        else those with data for at least two of ``regions`` (all when none is listed)."""
        if self.all_indicators.value:
            return indicator_options(self.path, lang=self.lang)
        regions = self.regions.value if regions is None else regions
        return (indicator_options(self.path, regions=regions, lang=self.lang)
                or indicator_options(self.path, lang=self.lang))

    def _label_widgets(self) -> None:
        """Every label, tooltip and hint in the interface's language."""
        w = app_words(self.lang)
        self.indicator.description = w["label.indicator"]
        self.regions.description = w["label.regions"]
        self.benchmark.description = w["label.benchmark"]
        self.view.description = w["label.view"]
        self.filename.description = w["label.file"]
        self.all_indicators.description = w["all_indicators"]
        self.save_button.description = w["save"]
        self.save_button.tooltip = w["save.tip"]
        self.presentation.description = w["presentation"]
        self.presentation.tooltip = w["presentation.tip"]
        self.intro.value = (f"<h2 style='margin:4px 0'>{html.escape(w['title'])}</h2>"
                            f"<p style='margin:0 0 6px 0;max-width:60em'>{w['intro']}</p>")

    def _on_language(self, change) -> None:
        """The language switch: relabel every widget and option (keeping the selection), redraw."""
        self.lang = change["new"]
        self._busy = True
        try:
            sel = self.selection()
            self.regions.options = region_options(self.path, self.lang)
            self.regions.value = tuple(sel["regions"])
            self.benchmark.options = self._choices("benchmark", BENCHMARKS)
            self.benchmark.value = sel["benchmark"]
            self.view.options = self._choices("view", VIEWS)
            self.view.value = sel["view"]
            self.indicator.options = self._menu()
            self.indicator.value = sel["indicator_id"]
            self._label_widgets()
        finally:
            self._busy = False
        self.update()

    # selection -------------------------------------------------------------------------------
    def selection(self) -> dict:
        """The current selection as keyword arguments of :func:`selection_data` (without ``lang``)."""
        return {"indicator_id": self.indicator.value, "regions": list(self.regions.value),
                "benchmark": self.benchmark.value, "view": self.view.value}

    def _on_change(self, change) -> None:
        if not self._busy:
            self.update()

    def _on_menu_change(self, change) -> None:
        """Regions or the "All indicators" switch changed: rebuild the indicator list (keeping the
        indicator shown when it is still listed), then update once."""
        if self._busy:
            return
        self._busy = True
        try:
            current = self.indicator.value
            opts = self._menu()
            ids = [v for _, v in opts]
            self.indicator.options = opts
            self.indicator.value = current if current in ids else ids[0]
        finally:
            self._busy = False
        self.update()

    def _apply_presentation(self) -> None:
        if self.presentation.value:
            self.app.add_class("planlib-present")
        else:
            self.app.remove_class("planlib-present")

    def _refresh_download(self) -> None:
        try:
            self.download.value = download_html(self.current, self.filename.value, lang=self.lang, path=self.path)
        except ValueError as exc:
            text = str(exc) if self.lang == "en" else app_words(self.lang)["bad_name"].format(name=self.filename.value)
            self.download.value = f"<span style='color:#b00020'>{html.escape(text)}</span>"

    def update(self) -> None:
        """Recompute the table and the chart for the current selection."""
        w = app_words(self.lang)
        sel = self.selection()
        self.filename.value = csv_name(**sel, lang=self.lang, path=self.path)
        self.saved.value = ""
        try:
            data = selection_data(**sel, path=self.path, lang=self.lang)
            fig = render(**sel, path=self.path, data=data, lang=self.lang, presentation=self.presentation.value)
            png = figure_png(fig)
        except Exception as exc:  # the app reports, it does not crash
            self.error = f"{type(exc).__name__}: {exc}"
            self.message.value = f"<p style='color:#b00020'>{html.escape(w['error'].format(error=self.error))}</p>"
            return
        self.error = None
        self.current, self.figure, self.png = data, fig, png
        self.message.value = ""
        self.table.value = table_html(data, sel["regions"], self.path, lang=self.lang)
        n_all = len(indicator_options(self.path))
        self.indicator_count.value = ("<span style='color:#555'>"
                                      + html.escape(w["count"].format(n=len(self.indicator.options), total=n_all)
                                                    + ("" if self.all_indicators.value else w["count.shared"]))
                                      + "</span>")
        self._refresh_download()
        width = int(round(fig.get_figwidth() * 100))
        self.chart.outputs = ({
            "output_type": "display_data",
            "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": f"<{fig.get_suptitle()}>"},
            "metadata": {"image/png": {"width": width}},
        },)

    def save(self) -> Path | None:
        """Write the current table to the file named in ``filename`` (in ``out_dir``, default the
        working directory); the path, or why nothing was written, is shown in ``saved``."""
        w = app_words(self.lang)
        try:
            path = save_csv(self.current, self.filename.value, self.out_dir, lang=self.lang, path=self.path)
        except (ValueError, OSError) as exc:
            self.saved.value = w["not_saved"].format(error=exc)
            return None
        self.saved.value = w["saved"].format(n=len(self.current), path=path)
        return path
