"""Charts for the region briefings: tidy data builders, plot functions, titled figures.

Three layers, kept apart so each can be tested and reused on its own:

* **Data builders** (``life_expectancy_data``, ``mortality_data``, ``workforce_data``) turn a
  region's analysis (:func:`planlib.analyse_region`) into long ("tidy") DataFrames, one row per
  plotted point, with the columns of ``DATA_COLUMNS``. They use only observations whose unit
  matches the indicator and that have a number; targets come from the analysis's progress, so
  relative targets and provincial/national fallbacks are handled in one place.
* **Plot functions** (``life_expectancy_chart``, ``mortality_chart``, ``workforce_chart``) draw
  such data on an ``ax`` / ``axes`` given by the caller (or on a new figure) and return the axes.
  ``*_figure`` functions add the title naming the region and the source line.
* **Output**: :func:`region_figures` saves all four for one region
  (:func:`planlib.report.style.save_figure`: reproducible PNG, SVG on request, written atomically).

The house style (colours, bands, label placement) is in :mod:`planlib.report.style`; every word
in :mod:`planlib.report.words`. Nothing here calls ``plt.show()``.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from planlib.analysis.comparison import nearest_year
from planlib.analysis.region import RegionAnalysis
from planlib.analysis.targets import IN_DOUBT, verdict
from planlib.data.tables import MORTALITY_INDICATORS, OUTLOOK_INDICATORS, WORKFORCE_INDICATORS
from planlib.report.style import (
    COLORS, COMPARATOR_SYMBOLS, FIG_WIDTH_IN, SMALL_FONT_PT, TEXT_COLORS, add_figure_legend, add_source_line,
    add_title, num_text, place_label, save_figure, set_style, source_line_text, target_text,
)
from planlib.report.words import word, words

# --- tidy data ------------------------------------------------------------------------------

#: Columns of every tidy frame. ``series`` is one of SERIES; ``text`` is the value as printed on
#: the chart (with the target's comparator, e.g. ">79"); ``ref`` is "source_id L123" (several
#: joined with "; " when the same value is reported on several lines); ``name`` and
#: ``unit_label`` are the indicator's short name and unit in the chart's language (catalog);
#: ``doubt`` marks a value the data-quality checks doubt (drawn hollow, labelled, never judged).
DATA_COLUMNS = [
    "region_id", "indicator_id", "unit", "series", "year", "value", "comparator", "text", "label",
    "basis", "derived", "conflict", "required_annual_change", "change_measure", "ref", "name", "unit_label",
    "doubt", "verdict", "direction",
]
LE_INDICATOR = "life_expectancy"
#: Latest year a chart shows (the 14th plan's target year).
END_YEAR = 2025


def _points(obs: pd.DataFrame | None, region_id: str, indicator_id: str) -> pd.DataFrame:
    """One row per (year, distinct value): the first-listed report first, equal reports merged.

    Returns year, value, comparator, text, ref and conflict (True for a second, different value
    reported for the same year). A handful of rows per call, so they are grouped in plain Python
    (pandas' sort and group-by cost milliseconds per call on frames this small).
    """
    columns = ["year", "value", "comparator", "text", "ref", "conflict"]
    if obs is None:
        return pd.DataFrame([], columns=columns)
    keep = (obs["region_id"] == region_id) & (obs["indicator_id"] == indicator_id) & (obs["year"] <= END_YEAR)
    s = obs.loc[keep, ["year", "source_line", "value_std", "comparator", "value_text", "ref"]]
    s = s.assign(rounded=s["value_std"].astype(float).round(9))
    recs = s.to_dict("records")
    # by year, then line (reports without a line last); stable, so the listed order breaks ties
    recs.sort(key=lambda r: (r["year"], pd.isna(r["source_line"]), 0 if pd.isna(r["source_line"]) else r["source_line"]))
    groups: dict[tuple, list[dict]] = {}
    for r in recs:
        groups.setdefault((r["year"], r["rounded"]), []).append(r)
    rows, years = [], set()
    for (year, _), same in groups.items():
        r = same[0]
        comp = str(r["comparator"]) if pd.notna(r["comparator"]) else "="
        rows.append({"year": int(year), "value": float(r["value_std"]), "comparator": comp,
                     "text": COMPARATOR_SYMBOLS.get(comp, "") + num_text(float(r["value_std"]), r["value_text"]),
                     "ref": "; ".join(str(x["ref"]) for x in same), "conflict": year in years})
        years.add(year)
    return pd.DataFrame(rows, columns=columns)


def _nearest_year(points: pd.DataFrame, year: int | None) -> pd.Series | None:
    """The point of ``year``; else the nearest year (the earlier on a tie); else None."""
    p = points[~points["conflict"]] if not points.empty else points
    if p.empty:
        return None
    if year is None:
        return p.sort_values("year").iloc[-1]
    return nearest_year(p, year)


def _row(region_id, indicator_id, unit, series, year, value, text, label, ref, **kw) -> dict:
    rec = dict.fromkeys(DATA_COLUMNS)
    rec.update(region_id=region_id, indicator_id=indicator_id, unit=unit, series=series, year=int(year),
               value=float(value), text=text, label=label, ref=ref, derived=False, conflict=False, doubt=False)
    rec.update(kw)
    return rec


def verdict_words(analysis: RegionAnalysis, lang: str) -> dict[str, str]:
    """Indicator → the reader's verdict on its progress (met, on track, off track, data in doubt,
    or that no trend can be judged), as chart titles state it."""
    return {r["indicator_id"]: word(lang, "chart", f"verdict.{verdict(r['status'])}")
            for _, r in analysis.progress.iterrows()}


def _frame(rows: list[dict], panels: dict[str, tuple[str, str]], verdicts: dict[str, str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=DATA_COLUMNS)
    df["verdict"] = df["indicator_id"].map(verdicts or {}).fillna("")
    df["name"] = df["indicator_id"].map(lambda i: panels[i][0])
    df["unit_label"] = df["indicator_id"].map(lambda i: panels[i][1])
    df["year"] = df["year"].astype("Int64")
    df["value"] = df["value"].astype(float)
    df["required_annual_change"] = df["required_annual_change"].astype(float)
    for c in ("derived", "conflict", "doubt"):
        df[c] = df[c].fillna(False).astype(bool)
    return df


def _series_points(analysis: RegionAnalysis, region_id: str, indicator_id: str) -> pd.DataFrame:
    """``_points`` of one region's usable actuals for one indicator (the region, its province or
    the nation of ``analysis``)."""
    return _points(analysis.actuals(region_id, indicator_id), region_id, indicator_id)


def _target_rows(analysis: RegionAnalysis, indicator_id: str, unit: str, lang: str) -> list[dict]:
    """The target point and, where the target is not yet met, the required path to it."""
    region_id, progress = analysis.region_id, analysis.progress
    p = progress[progress["indicator_id"] == indicator_id]
    if p.empty:
        return []
    r = p.iloc[0]
    if r["target_value"] is None or pd.isna(r["target_value"]):
        return []
    tv, comp, T = float(r["target_value"]), str(r["comparator"]), int(r["target_year"])
    basis = str(r["target_basis"])
    province = None
    if basis == "provincial target":
        province = analysis.name(lang, str(r["target_region_id"]))
    basis_label = word(lang, "chart", f"basis.{basis}", province=province)
    req = r["required_annual_change"]
    # no path is drawn from a value the checks doubt
    req = float(req) if req is not None and not pd.isna(req) and r["status"] != IN_DOUBT else None
    measure = r["change_measure"] if isinstance(r["change_measure"], str) else None
    out = [_row(region_id, indicator_id, unit, "target", T, tv, target_text(tv, comp),
                word(lang, "chart", "series.target", year=T, basis=basis_label), str(r["target_ref"]),
                comparator=comp, basis=basis, derived=bool(r["target_derived"]),
                required_annual_change=req, change_measure=measure, direction=str(r["direction"]))]
    proj = r["projected_value"]
    if (proj is not None and not pd.isna(proj) and r["status"] != IN_DOUBT
            and r["latest_year"] is not None and not pd.isna(r["latest_year"])):
        period = str(r["observed_period"]).replace("–", "—") if lang == "zh" else r["observed_period"]
        label = word(lang, "chart", "series.projected path", period=period)
        for y, v in ((int(r["latest_year"]), float(r["latest_value"])), (T, float(proj))):
            out.append(_row(region_id, indicator_id, unit, "projected path", y, v, num_text(v), label,
                            str(r["target_ref"]), basis=basis, change_measure=measure))
    if req is not None and r["latest_year"] is not None and not pd.isna(r["latest_year"]):
        path_label = word(lang, "chart", "series.required path")
        for y, v in ((int(r["latest_year"]), float(r["latest_value"])), (T, tv)):
            out.append(_row(region_id, indicator_id, unit, "required path", y, v, num_text(v), path_label,
                            str(r["target_ref"]), basis=basis, required_annual_change=req,
                            change_measure=measure))
    return out


def life_expectancy_data(analysis: RegionAnalysis, lang: str = "en") -> pd.DataFrame:
    """Life expectancy of a region, the nation and its province over time, with the 2025 target.

    Series: "region" (every reported year up to 2025), "national" (2015 on, with 2025 if
    reported), "province" (where known), "target" (from the region's progress, comparator kept)
    and "required path" (latest actual → target, only while the target is not yet met).
    """
    words(lang, "chart")
    region_id = analysis.region_id
    ind, unit = LE_INDICATOR, "years"
    name = analysis.name(lang)
    rows: list[dict] = []
    for _, p in _series_points(analysis, region_id, ind).iterrows():
        text = word(lang, "chart", "series.region.conflict" if p["conflict"] else "series.region", region=name)
        rows.append(_row(region_id, ind, unit, "region", p["year"], p["value"], p["text"], text, p["ref"],
                         comparator=p["comparator"], conflict=p["conflict"],
                         doubt=(ind, int(p["year"])) in analysis.doubts))
    for _, p in _series_points(analysis, "china", ind).iterrows():
        if p["year"] >= 2015:
            rows.append(_row(region_id, ind, unit, "national", p["year"], p["value"], p["text"],
                             word(lang, "chart", "series.national"), p["ref"], comparator=p["comparator"],
                             conflict=p["conflict"]))
    province = analysis.province_id
    if province:
        pname = analysis.name(lang, province)
        for _, p in _series_points(analysis, province, ind).iterrows():
            text = word(lang, "chart", "series.province.conflict" if p["conflict"] else "series.province", province=pname)
            rows.append(_row(region_id, ind, unit, "province", p["year"], p["value"], p["text"], text,
                             p["ref"], comparator=p["comparator"], conflict=p["conflict"]))
    rows += _target_rows(analysis, ind, unit, lang)
    return _frame(rows, analysis.tables.indicator_words((ind,), lang), verdict_words(analysis, lang))


def _latest_comparison(analysis: RegionAnalysis, indicators: tuple[str, ...], lang: str) -> pd.DataFrame:
    """Per indicator: the region's latest actual, the national value of that year, the target."""
    words(lang, "chart")
    region_id = analysis.region_id
    units = analysis.tables.indicator_index["unit"]
    name = analysis.name(lang)
    rows: list[dict] = []
    for ind in indicators:
        unit = str(units.get(ind, ""))
        mine = _nearest_year(_series_points(analysis, region_id, ind), None)
        targets = _target_rows(analysis, ind, unit, lang)
        if mine is not None:
            rows.append(_row(region_id, ind, unit, "region", mine["year"], mine["value"], mine["text"],
                             word(lang, "chart", "series.region", region=name), mine["ref"], comparator=mine["comparator"],
                             doubt=(ind, int(mine["year"])) in analysis.doubts))
        # National value of the actual's year (nearest year if that one is not published);
        # without a regional actual, the latest national value before the target year.
        nat_year = int(mine["year"]) if mine is not None else None
        nat_points = _series_points(analysis, "china", ind)
        if nat_year is None and targets:
            nat_points = nat_points[nat_points["year"] <= targets[0]["year"]]
        nat = _nearest_year(nat_points, nat_year)
        if nat is not None:
            rows.append(_row(region_id, ind, unit, "national", nat["year"], nat["value"], nat["text"],
                             word(lang, "chart", "series.national"), nat["ref"], comparator=nat["comparator"]))
        rows += [t for t in targets if t["series"] == "target"]
    return _frame(rows, analysis.tables.indicator_words(indicators, lang), verdict_words(analysis, lang))


def mortality_data(analysis: RegionAnalysis, lang: str = "en") -> pd.DataFrame:
    """Maternal, infant and under-5 mortality: latest actual, national same year, 2025 target."""
    return _latest_comparison(analysis, MORTALITY_INDICATORS, lang)


def workforce_data(analysis: RegionAnalysis, lang: str = "en") -> pd.DataFrame:
    """Physicians, nurses, beds (per 1,000) and GPs (per 10,000): latest actual, national same
    year, 2025 target with the required annual change from the region's progress."""
    return _latest_comparison(analysis, WORKFORCE_INDICATORS, lang)


# --- drawing helpers ------------------------------------------------------------------------

def _not_reported(ax: Axes, lang: str) -> None:
    ax.text(0.5, 0.5, word(lang, "chart", "not_reported"), transform=ax.transAxes, ha="center", va="center",
            fontsize=9.6, color="#555555", style="italic")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)


def _panel_title(data: pd.DataFrame, indicator_id: str, panels: dict[str, tuple[str, str]] | None) -> tuple[str, str]:
    """(short name, unit) of a panel: from its data, else from ``panels``, else the indicator id."""
    d = data[data["indicator_id"] == indicator_id] if not data.empty else data
    if not d.empty:
        return str(d["name"].iloc[0]), str(d["unit_label"].iloc[0])
    return (panels or {}).get(indicator_id, (indicator_id, ""))


def _required_text(row: pd.Series, lang: str) -> str | None:
    req = row.get("required_annual_change")
    if req is None or pd.isna(req):
        return None
    measure = row.get("change_measure") or ""
    sign = "+" if req > 0 else "−"
    if str(measure).startswith("compound"):
        return word(lang, "chart", "required.rate", sign=sign, value=abs(req) * 100)
    return word(lang, "chart", "required.absolute", sign=sign, value=abs(req), unit=row["unit_label"])


def _new_axes(ax, nrows: int, ncols: int, size: tuple[float, float]):
    if ax is not None:
        return ax
    set_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=size, layout="constrained", squeeze=False)
    return axes[0, 0] if nrows * ncols == 1 else axes.ravel()


# --- plot functions -------------------------------------------------------------------------

def life_expectancy_chart(data: pd.DataFrame, ax: Axes | None = None, lang: str = "en",
                          legend: bool | str = True, title: bool = True,
                          panels: dict[str, tuple[str, str]] | None = None) -> Axes:
    """Region actuals, national and provincial series, the 2025 target (annotated with its
    comparator, e.g. ">79") and the dashed required path from the latest actual to the target.

    ``legend``: True (right of the axes), "figure" (one row band under the figure title) or
    False. Value labels are placed where they cover the fewest lines, markers and other labels.
    ``panels`` (:meth:`planlib.data.tables.Tables.indicator_words`) titles the chart when
    ``data`` has no rows.
    """
    lab = words(lang, "chart")
    ax = _new_axes(ax, 1, 1, (FIG_WIDTH_IN, 3.4))
    if title:
        name, unit = _panel_title(data, LE_INDICATOR, panels)
        ax.set_title(f"{name} ({unit})", loc="left")
    if data.empty or not data["series"].isin(["region", "target"]).any():
        _not_reported(ax, lang)
        return ax

    def first_label(d):
        return d["label"].iloc[0]

    handles = []
    styles = {"national": ("o", 3.5, 1.3, 2), "province": ("s", 3.5, 1.3, 3), "region": ("o", 5.5, 2.0, 5)}
    for series, (marker, ms, lw, z) in styles.items():
        d = data[data["series"] == series]
        main, extra = d[~d["conflict"]].sort_values("year"), d[d["conflict"]]
        if not main.empty:
            h, = ax.plot(main["year"].astype(int), main["value"], marker=marker, ms=ms, lw=lw,
                         color=COLORS[series], label=first_label(main), zorder=z, gid=f"le-{series}")
            handles.append(h)
        if not extra.empty:
            h2, = ax.plot(extra["year"].astype(int), extra["value"], ls="none", marker=marker, ms=ms + 1.5,
                          mfc="white", mec=COLORS[series], mew=1.3, label=first_label(extra), zorder=z,
                          gid=f"le-{series}-conflict")
            handles.append(h2)
    doubted = data[(data["series"] == "region") & data["doubt"]]
    if not doubted.empty:  # a value the checks doubt: a hollow ring over its marker, "?" in its label
        ax.plot(doubted["year"].astype(int), doubted["value"], ls="none", marker="o", ms=10, mfc="white",
                mec=COLORS["region"], mew=1.8, zorder=6, gid="le-region-doubt")
    path = data[data["series"] == "required path"].sort_values("year")
    if len(path) == 2:
        h, = ax.plot(path["year"].astype(int), path["value"], ls=(0, (4, 2)), lw=1.6,
                     color=COLORS["required path"], label=first_label(path), zorder=4, gid="le-required path")
        handles.append(h)
    projected = data[data["series"] == "projected path"].sort_values("year")
    if len(projected) == 2:  # where the observed pace leads: the region's colour, dotted, hollow end
        h, = ax.plot(projected["year"].astype(int), projected["value"], ls=(0, (1, 1.6)), lw=1.8,
                     color=COLORS["projected path"], marker="o", ms=5, mfc="white", mec=COLORS["projected path"], mew=1.4,
                     markevery=[1], label=first_label(projected), zorder=4, gid="le-projected path")
        handles.append(h)
    tgt = data[data["series"] == "target"]
    if not tgt.empty:
        t = tgt.iloc[0]
        h, = ax.plot([int(t["year"])], [t["value"]], ls="none", marker="D", ms=7, mfc="white",
                     mec=COLORS["target"], mew=1.8, label=t["label"], zorder=7, gid="le-target")
        handles.append(h)
    # axes limits before labels, so that the label placer measures the final data scale
    years = data["year"].dropna().astype(int)
    lo, hi = min(int(years.min()), 2015), max(int(years.max()), END_YEAR)
    ax.set_xlim(lo - 0.6, hi + 1.4)
    first_major = lo if lo % 5 == 0 else lo + (5 - lo % 5)
    ax.set_xticks(list(range(first_major, hi + 1, 5)))
    ax.set_xticks(list(range(lo, hi + 1)), minor=True)
    ax.tick_params(axis="x", which="minor", length=2)
    vals = data["value"].dropna()
    span = max(float(vals.max() - vals.min()), 1.0)
    ax.set_ylim(float(vals.min()) - 0.16 * span, float(vals.max()) + 0.12 * span)
    if lang == "zh":  # one Chinese character reads upright, not turned on its side
        ax.set_ylabel(lab["axis.years"], rotation=0, ha="right", va="center")
    else:
        ax.set_ylabel(lab["axis.years"])
    ax.yaxis.set_major_formatter(mpl.ticker.FormatStrFormatter("%g"))
    if legend == "figure":
        add_figure_legend(ax.figure, _legend_order(handles), ncols=3)
    elif legend:
        ax.legend(handles=_legend_order(handles), loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
                  handlelength=2.2)
    if ax.figure.get_layout_engine() is not None:
        ax.figure.draw_without_rendering()  # final axes size, so that labels are placed in it
    # labels: the target first (fixed, right of its marker), then region values, then the rate
    placed = []
    if not tgt.empty:
        text = t["text"] + (f" ({lab['derived']})" if t["derived"] else "")
        placed.append(ax.annotate(text, (int(t["year"]), t["value"]), xytext=(7, 0), textcoords="offset points",
                                  ha="left", va="center", fontsize=9.6, fontweight="bold",
                                  color=TEXT_COLORS["target"], zorder=7))
    region = data[(data["series"] == "region") & ~data["conflict"]].sort_values("year")
    for _, r in region.iterrows():
        xy = (int(r["year"]), float(r["value"]))
        cands = [(xy, (0, -7), "center", "top"), (xy, (0, 7), "center", "bottom"),
                 (xy, (-7, 0), "right", "center"), (xy, (7, 0), "left", "center")]
        text = f"{r['text']}? ({lab['doubt.short']})" if r["doubt"] else r["text"]
        placed.append(place_label(ax, text, cands, placed, fontsize=SMALL_FONT_PT,
                                   color=TEXT_COLORS["region"], fontweight="bold", zorder=6))
    if len(projected) == 2:
        end = projected.iloc[-1]
        xy = (int(end["year"]), float(end["value"]))
        placed.append(place_label(ax, end["text"], [(xy, (7, 0), "left", "center"), (xy, (0, -7), "center", "top"),
                                                    (xy, (0, 7), "center", "bottom")], placed,
                                   fontsize=SMALL_FONT_PT, color=TEXT_COLORS["region"], zorder=6))
    if len(path) == 2:
        txt = _required_text(path.iloc[0], lang)
        if txt:
            (x0, x1), (y0, y1) = path["year"].astype(int).tolist(), path["value"].tolist()
            rising = y1 >= y0
            cands = []
            for f in (0.5, 0.35, 0.65, 0.2, 0.8):
                xy = (x0 + f * (x1 - x0), y0 + f * (y1 - y0))
                # on a rising path the room is upper left and lower right (and vice versa)
                cands += [(xy, (-3, 6), "right" if rising else "left", "bottom"),
                          (xy, (3, -6), "left" if rising else "right", "top")]
            placed.append(place_label(ax, txt, cands, placed, fontsize=SMALL_FONT_PT,
                                       color=TEXT_COLORS["required path"], fontweight="bold", zorder=6))
    return ax



_LEGEND_ORDER = ("le-region", "le-region-conflict", "le-target", "le-projected path", "le-required path", "le-national",
                 "le-national-conflict", "le-province", "le-province-conflict")


def _legend_order(handles: list) -> list:
    """Legend entries in reading order: the region and its target first, then benchmarks."""
    rank = {g: i for i, g in enumerate(_LEGEND_ORDER)}
    return sorted(handles, key=lambda h: rank.get(h.get_gid(), len(rank)))


def _comparison_panel(ax: Axes, d: pd.DataFrame, indicator_id: str, lang: str, title: tuple[str, str],
                      show_basis: bool = False) -> None:
    """Three bars: the region's latest actual, the national value of that year, the target
    (with the basis of the target under its bar when ``show_basis``)."""
    lab = words(lang, "chart")
    verdict_line = f"\n{d['verdict'].iloc[0]}" if not d.empty and d["verdict"].iloc[0] else ""
    ax.set_title(f"{title[0]}\n{title[1]}{verdict_line}", loc="left")
    if d.empty or not d["series"].isin(["region", "target"]).any():
        _not_reported(ax, lang)
        return
    tgt_rows = d[d["series"] == "target"]
    ceiling = not tgt_rows.empty and is_ceiling(tgt_rows.iloc[0])
    slots = ("region", "national") if ceiling else ("region", "national", "target")
    vmax = max(float(d["value"].max()), 1e-9)
    ticklabels = []
    for i, series in enumerate(slots):
        r = d[d["series"] == series]
        name = lab[f"bar.{series}"]
        if r.empty:
            ax.text(i, 0.02 * vmax, lab["not_reported.short"], ha="center", va="bottom",
                    fontsize=SMALL_FONT_PT, color="#555555", style="italic")
            ticklabels.append(name)
            continue
        r = r.iloc[0]
        y = int(r["year"])
        if series == "target":
            ax.bar(i, r["value"], width=0.7, color="white", edgecolor=COLORS["target"], hatch="///",
                   linewidth=1.4, zorder=3)
            ax.text(i, r["value"], r["text"], ha="center", va="bottom", fontsize=9.6, fontweight="bold",
                    color=TEXT_COLORS["target"], zorder=4)
            notes = [lab[f"basis.short.{r['basis']}"]] if show_basis else []
            if r["derived"]:
                notes.append(lab["derived.short"])
            sub = "".join(f"\n({n})" for n in notes)
            ticklabels.append(f"{name}\n{y}{sub}")
        elif r["doubt"]:  # drawn hollow with a question mark and named: no verdict rests on it
            ax.bar(i, r["value"], width=0.7, color="white", edgecolor=COLORS[series], hatch="..",
                   linewidth=1.4, zorder=3)
            ax.text(i, r["value"], f"{r['text']}?", ha="center", va="bottom", fontsize=SMALL_FONT_PT + 0.8,
                    color="#222222", zorder=5, bbox=LABEL_BOX)
            ticklabels.append(f"{name}\n{y}\n({lab['doubt.short']})")
        else:
            ax.bar(i, r["value"], width=0.7, color=COLORS[series], zorder=3)
            ax.text(i, r["value"], r["text"], ha="center", va="bottom", fontsize=SMALL_FONT_PT + 0.8,
                    color="#222222", zorder=5, bbox=LABEL_BOX)
            ticklabels.append(f"{name}\n{y}")
    if ceiling:  # a ceiling is a limit to stay under, not a bar to climb: a line across the panel
        r = tgt_rows.iloc[0]
        ax.axhline(r["value"], color=COLORS["target"], ls=(0, (5, 2)), lw=1.8, zorder=4, gid="limit")
        note = f" ({lab['derived.short']})" if r["derived"] else ""
        ax.text(len(slots) - 0.45, r["value"], f"{lab['limit']} {r['text']}{note}", ha="right", va="bottom",
                fontsize=SMALL_FONT_PT + 0.8, fontweight="bold", color=TEXT_COLORS["target"], zorder=5,
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.9})
    ax.set_xticks(range(len(slots)), ticklabels)
    ax.tick_params(axis="x", length=0)
    ax.set_xlim(-0.6, len(slots) - 0.4)
    ax.grid(axis="x", visible=False)
    req = d[d["series"] == "target"]
    txt = _required_text(req.iloc[0], lang) if not req.empty else None
    ax.set_ylim(0, vmax * (1.42 if txt else 1.22))
    if txt:
        ax.text(0.02, 0.98, txt, transform=ax.transAxes, ha="left", va="top", fontsize=SMALL_FONT_PT,
                color=TEXT_COLORS["required path"], fontweight="bold")
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=4))


#: A value label's white ground, so that a limit line drawn across the panel passes behind the number.
LABEL_BOX = {"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none", "alpha": 0.9}


def _small_multiples(data: pd.DataFrame, axes, indicators: tuple[str, ...], lang: str, shape, size,
                     panels: dict[str, tuple[str, str]] | None = None):
    words(lang, "chart")
    if axes is None:
        axes = _new_axes(None, *shape, size)
    axes = list(np.ravel(axes))
    if len(axes) < len(indicators):
        raise ValueError(f"need {len(indicators)} axes, got {len(axes)}")
    show_basis = _mixed_basis(data)
    for ax, ind in zip(axes, indicators):
        _comparison_panel(ax, data[data["indicator_id"] == ind] if not data.empty else data, ind, lang,
                          _panel_title(data, ind, panels), show_basis)
    return np.array(axes[: len(indicators)])


def is_ceiling(target: pd.Series) -> bool:
    """Whether a target row is a ceiling to stay under ("<8", "at most 12", or a level on an
    indicator where lower is better) rather than a level to reach."""
    comp = str(target["comparator"])
    return comp in ("<", "<=") or (comp in ("=", "~") and target.get("direction") == "lower_is_better")


def _mixed_basis(data: pd.DataFrame) -> bool:
    """Whether the targets of a figure have different bases (own plan, provincial, national)."""
    return (not data.empty) and data.loc[data["series"] == "target", "label"].nunique() > 1


def _bar_legend(fig: Figure, data: pd.DataFrame, lang: str) -> None:
    """One legend for all panels, under the title (bars mean the same in every panel)."""
    lab = words(lang, "chart")
    region = data.loc[data["series"] == "region", "label"]
    t = data.loc[data["series"] == "target"]
    ceilings = t.apply(is_ceiling, axis=1) if not t.empty else pd.Series(dtype=bool)
    nat = data.loc[data["series"] == "national", "year"].dropna().astype(int).unique()
    national = (lab["legend.bar.national.year"].format(year=nat[0]) if len(nat) == 1
                else lab["legend.bar.national"])
    target_handle = (Line2D([], [], color=COLORS["target"], ls=(0, (5, 2)), lw=1.8,
                            label=lab["legend.limit"].format(year=END_YEAR)) if len(ceilings) and ceilings.all() else
                     Patch(facecolor="white", edgecolor=COLORS["target"], hatch="///",
                           label=t["label"].iloc[0] if not t.empty and not _mixed_basis(data) else
                           lab["legend.bar.target"].format(year=END_YEAR)))
    handles = [
        Patch(facecolor=COLORS["region"],
              label=lab["legend.bar.region"].format(region=region.iloc[0]) if not region.empty
              else lab["bar.region"]),
        Patch(facecolor=COLORS["national"], label=national),
        target_handle,
    ]
    add_figure_legend(fig, handles, ncols=3)


def mortality_chart(data: pd.DataFrame, axes=None, lang: str = "en", legend: bool = True,
                    panels: dict[str, tuple[str, str]] | None = None):
    """Small multiples (1×3): maternal (per 100,000 live births), infant and under-5 (per 1,000
    live births) mortality; each panel shows the latest actual, the national value of that year
    and the 2025 target with its comparator. ``panels``
    (:meth:`planlib.data.tables.Tables.indicator_words`) titles the panels without data. Returns the array of axes."""
    out = _small_multiples(data, axes, MORTALITY_INDICATORS, lang, (1, 3), (FIG_WIDTH_IN, 3.0), panels)
    if legend and axes is None and not data.empty:
        _bar_legend(out[0].figure, data, lang)
    return out


def workforce_chart(data: pd.DataFrame, axes=None, lang: str = "en", legend: bool = True,
                    panels: dict[str, tuple[str, str]] | None = None):
    """Small multiples (2×2): physicians, nurses, beds per 1,000 and GPs per 10,000; latest
    actual, national value of that year and 2025 target, with the required annual growth written
    where the region's progress gives it. ``panels`` as for :func:`mortality_chart`. Returns the
    array of axes."""
    out = _small_multiples(data, axes, WORKFORCE_INDICATORS, lang, (2, 2), (FIG_WIDTH_IN, 4.8), panels)
    if legend and axes is None and not data.empty:
        _bar_legend(out[0].figure, data, lang)
    return out


# --- figures --------------------------------------------------------------------------------

def _finish(fig: Figure, key: str, analysis: RegionAnalysis, data: pd.DataFrame, lang: str) -> Figure:
    title = word(lang, "chart", f"title.{key}", region=analysis.name(lang))
    if key == "life_expectancy" and not data.empty and data["verdict"].iloc[0]:
        title = word(lang, "chart", "title.verdict", title=title, verdict=data["verdict"].iloc[0])
    add_title(fig, title)
    add_source_line(fig, source_line_text(data, lang, analysis.tables))
    return fig


def life_expectancy_figure(analysis: RegionAnalysis, lang: str = "en") -> Figure:
    """The life-expectancy chart of a region, titled and with its source line."""
    data = life_expectancy_data(analysis, lang)
    set_style()
    fig, ax = plt.subplots(figsize=(FIG_WIDTH_IN, 3.6), layout="constrained")
    _finish(fig, "life_expectancy", analysis, data, lang)  # bands first: labels are placed last
    life_expectancy_chart(data, ax=ax, lang=lang, title=False, legend="figure",
                          panels=analysis.tables.indicator_words((LE_INDICATOR,), lang))
    return fig


def mortality_figure(analysis: RegionAnalysis, lang: str = "en") -> Figure:
    """The maternal and child mortality small multiples of a region, titled and sourced."""
    data = mortality_data(analysis, lang)
    set_style()
    fig, axes = plt.subplots(1, 3, figsize=(FIG_WIDTH_IN, 3.3), layout="constrained")
    mortality_chart(data, axes=axes, lang=lang,
                    panels=analysis.tables.indicator_words(MORTALITY_INDICATORS, lang))
    if not data.empty:
        _bar_legend(fig, data, lang)
    return _finish(fig, "mortality", analysis, data, lang)


def workforce_figure(analysis: RegionAnalysis, lang: str = "en") -> Figure:
    """The workforce and beds small multiples of a region, titled and sourced."""
    data = workforce_data(analysis, lang)
    set_style()
    fig, axes = plt.subplots(2, 2, figsize=(FIG_WIDTH_IN, 5.2), layout="constrained")
    workforce_chart(data, axes=axes, lang=lang,
                    panels=analysis.tables.indicator_words(WORKFORCE_INDICATORS, lang))
    if not data.empty:
        _bar_legend(fig, data, lang)
    return _finish(fig, "workforce", analysis, data, lang)


FIGURES = {
    "life_expectancy": life_expectancy_figure,
    "mortality": mortality_figure,
    "workforce": workforce_figure,
}


def region_figures(analysis: RegionAnalysis, out_dir, lang: str = "en", svg: bool = False) -> dict[str, list[Path]]:
    """Build and save the four figures of a region as PNG, with ``svg`` also as SVG (vector, for
    editing; it doubles the drawing time). Stable names: ``life_expectancy``, ``mortality``,
    ``workforce``, ``outlook`` in English, with a ``.zh`` suffix for Chinese
    (``life_expectancy.zh.png``), so both languages can live in one folder."""
    words(lang, "chart")
    suffix = "" if lang == "en" else f".{lang}"
    return {name: save_figure(build(analysis, lang=lang), out_dir, f"{name}{suffix}", svg=svg)
            for name, build in FIGURES.items()}


# --- options for 2030 (the next plan) ---------------------------------------------------------

#: Line style and marker of each option (all in the region's colour except the references, so the
#: fan reads in greyscale by its line styles).
OUTLOOK_STYLES = {
    "continue pace": {"color": COLORS["projected path"], "linestyle": ":", "marker": "o"},
    "national reference": {"color": COLORS["national"], "linestyle": "--", "marker": "D"},
    "province level": {"color": COLORS["province"], "linestyle": "-.", "marker": "s"},
    "peer level": {"color": COLORS["province"], "linestyle": (0, (1, 1)), "marker": "^"},
    "plan style": {"color": COLORS["target"], "linestyle": (0, (5, 1, 1, 1)), "marker": "v"},
}


def outlook_data(analysis: RegionAnalysis, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 2030 options figure's data: the past series (region, nation, province; columns ``series``,
    ``indicator_id``, ``year``, ``value``, ``ref``) and the options
    (:func:`planlib.analysis.options.options_for`)."""
    from planlib.analysis.options import options_for
    opts = options_for(analysis)
    opts = opts[opts["indicator_id"].isin(OUTLOOK_INDICATORS)]
    rows = []
    for ind in OUTLOOK_INDICATORS:
        for series, rid in (("region", analysis.region_id), ("national", "china"), ("province", analysis.province_id)):
            a = analysis.actuals(rid, ind) if rid else None
            if a is None:
                continue
            for _, r in a.sort_values("year").drop_duplicates("year").iterrows():
                doubt = series == "region" and (ind, int(r["year"])) in analysis.doubts
                rows.append({"series": series, "indicator_id": ind, "year": int(r["year"]),
                             "value": float(r["value_std"]), "ref": r["ref"], "doubt": doubt})
    past = pd.DataFrame(rows, columns=["series", "indicator_id", "year", "value", "ref", "doubt"])
    return past, opts


def outlook_figure(analysis: RegionAnalysis, lang: str = "en") -> Figure:
    """The region's past series with its 2030 options drawn as a fan from the latest outcome, the
    national series and 2030 reference, the province's series; ranges for rare-event rates; panels
    without options say why. Titled, with a legend and the source line."""
    past, opts = outlook_data(analysis, lang)
    lab = words(lang, "chart")
    names = analysis.tables.indicator_words(OUTLOOK_INDICATORS, lang)
    set_style()
    fig, axes = plt.subplots(2, 2, figsize=(FIG_WIDTH_IN, 5.4), layout="constrained")
    province = analysis.name(lang, analysis.province_id) if analysis.province_id else ""
    for ax, ind in zip(axes.flat, OUTLOOK_INDICATORS):
        name, unit = names[ind]
        ax.set_title(name, loc="left")
        ax.set_ylabel(unit)
        p = past[past["indicator_id"] == ind]
        nat = p[p["series"] == "national"]
        if len(nat):
            ax.plot(nat["year"], nat["value"], color=COLORS["national"], linewidth=1.2, gid="outlook-national")
        prov = p[p["series"] == "province"]
        if len(prov):
            ax.plot(prov["year"], prov["value"], color=COLORS["province"], marker="s", linestyle="none",
                    markersize=4, gid="outlook-province")
        reg = p[p["series"] == "region"]
        ok = reg[~reg["doubt"]]
        if len(ok):
            ax.plot(ok["year"], ok["value"], color=COLORS["region"], marker="o", linewidth=1.8, gid="outlook-region")
        bad = reg[reg["doubt"]]
        if len(bad):
            ax.plot(bad["year"], bad["value"], color=COLORS["region"], marker="o", markerfacecolor="white",
                    linestyle="none", gid="outlook-doubt")
        o = opts[(opts["indicator_id"] == ind) & opts["option"].notna() & opts["value"].notna()]
        for _, r in o.iterrows():
            st = OUTLOOK_STYLES[r["option"]]
            ax.plot([r["latest_year"], r["year"]], [r["latest_value"], r["value"]], color=st["color"],
                    linestyle=st["linestyle"], linewidth=1.3, gid=f"outlook-option-{r['option']}")
            ax.plot([r["year"]], [r["value"]], color=st["color"], marker=st["marker"], linestyle="none", markersize=5)
            if pd.notna(r["value_low"]):
                ax.vlines(r["year"], r["value_low"], r["value_high"], color=st["color"], linewidth=3, alpha=0.35)
        refs = opts[(opts["indicator_id"] == ind) & (opts["option"] == "national reference") & opts["value"].notna()]
        for _, r in refs.iterrows():
            ax.axhline(r["value"], color=COLORS["national"], linewidth=0.8, linestyle="--", alpha=0.6)
        none = opts[(opts["indicator_id"] == ind) & opts["option"].isna()]
        if len(none) and not len(o):
            why = lab["outlook.why.doubt"] if none.iloc[0]["flags"] == "doubt" else lab["outlook.why.no_value"]
            ax.text(0.78, 0.78, lab["outlook.no_option"].format(why=why), transform=ax.transAxes, ha="center",
                    va="center", fontsize=SMALL_FONT_PT, color=TEXT_COLORS["national"])
        ax.set_xlim(2014, 2031)
        ax.set_xticks([2015, 2020, 2025, 2030])
    handles = [Line2D([], [], color=COLORS["region"], marker="o", label=lab["outlook.series.region"].format(
                   region=analysis.name(lang))),
               Line2D([], [], color=COLORS["national"], label=lab["outlook.series.national"])]
    if province:
        handles.append(Line2D([], [], color=COLORS["province"], marker="s", linestyle="none",
                              label=lab["outlook.series.province"].format(province=province)))
    for key in [k for k in OUTLOOK_STYLES if (opts["option"] == k).any() and opts.loc[opts["option"] == k, "value"].notna().any()]:
        st = OUTLOOK_STYLES[key]
        handles.append(Line2D([], [], color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                              label=lab[f"outlook.option.{key}"]))
    if opts["value_low"].notna().any():
        handles.append(Line2D([], [], color=COLORS["national"], linewidth=3, alpha=0.35, label=lab["outlook.range"]))
    add_figure_legend(fig, handles, ncols=2)
    add_title(fig, lab["title.outlook"].format(region=analysis.name(lang)))
    refs = pd.concat([past[["ref"]], opts[["basis_ref"]].rename(columns={"basis_ref": "ref"}).dropna()])
    add_source_line(fig, source_line_text(refs, lang, analysis.tables))
    return fig


FIGURES["outlook"] = outlook_figure
