"""Charts for the region briefings: one house style, tidy data builders, plot functions, saving.

Three layers, kept apart so each can be tested and reused on its own:

* **Data builders** (``life_expectancy_data``, ``mortality_data``, ``workforce_data``) are pure
  functions returning long ("tidy") DataFrames, one row per plotted point, with the columns of
  ``DATA_COLUMNS``. They use only observations whose unit matches the indicator (``unit_ok``)
  and that have a number (``value_std``); targets come from :func:`planlib.targets.assess_progress`
  so relative targets and provincial/national fallbacks are handled in one place.
* **Plot functions** (``life_expectancy_chart``, ``mortality_chart``, ``workforce_chart``) draw
  such data on an ``ax`` / ``axes`` given by the caller (or on a new figure) and return the axes.
  ``*_figure`` functions add the title naming the region and the source line.
* **Output**: :func:`save_figure` writes reproducible PNG + SVG files atomically and closes the
  figure; :func:`region_figures` does all of it for one region.

Every user-visible string is in :data:`LABELS`, keyed by language. Nothing here calls
``plt.show()``.
"""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from planlib.data.tables import REGION_CACHE, data_dir, folder_stamp, load_tables
from planlib.files import atomic_open
from planlib.report.fonts import register_cjk_font
from planlib.analysis.targets import assess_progress

# --- house style ----------------------------------------------------------------------------

#: Width of the A4 text block the figures are drawn for (inches); figures are printed at 100 %.
FIG_WIDTH_IN = 6.3
#: Smallest text size (points) anywhere on a chart, at print size.
MIN_FONT_PT = 8.0
#: seaborn "paper" context scale; paper's smallest sizes (tick and legend labels) are 8.8 pt at 1.0.
FONT_SCALE = 1.0
SMALL_FONT_PT = max(MIN_FONT_PT, 8.0)  # annotations, source line
PNG_DPI = 200
SVG_HASHSALT = "planlib"

_PALETTE = sns.color_palette("colorblind").as_hex()
#: Colour of each role a series plays on a chart (seaborn "colorblind", distinguishable in print).
COLORS: dict[str, str] = {
    "region": _PALETTE[0],         # blue
    "national": "#6f6f6f",         # dark grey (the palette's grey #949494, darkened for thin lines)
    "province": _PALETTE[2],       # green
    "target": _PALETTE[3],         # vermillion
    "required path": _PALETTE[4],  # reddish purple
}
SERIES = tuple(COLORS)


def _darker(color: str, amount: float = 0.35) -> tuple[float, float, float]:
    """A darker shade of ``color`` for text (light palette colours are too faint as thin text)."""
    r, g, b = mpl.colors.to_rgb(color)
    return (r * (1 - amount), g * (1 - amount), b * (1 - amount))


#: Text colours: each role colour darkened enough to read as small text on white.
TEXT_COLORS: dict[str, tuple[float, float, float]] = {k: _darker(v, 0.3) for k, v in COLORS.items()}


def house_rc() -> dict:
    """The rcParams of the house style (seaborn paper context, colorblind palette, light grid)."""
    rc = {}
    rc.update(sns.axes_style("whitegrid", {
        "grid.color": "#e6e6e6", "axes.edgecolor": "#444444",
        "axes.spines.top": False, "axes.spines.right": False,
    }))
    rc.update(sns.plotting_context("paper", font_scale=FONT_SCALE))
    rc.update({
        "axes.prop_cycle": mpl.cycler(color=_PALETTE),
        "axes.titleweight": "bold",
        "figure.titlesize": 11.0,
        "figure.titleweight": "bold",
        "figure.dpi": 100,
        "savefig.dpi": PNG_DPI,
        "svg.hashsalt": SVG_HASHSALT,
        "legend.frameon": False,
        "axes.titlelocation": "left",
    })
    cjk = register_cjk_font()
    # DejaVu draws Latin text and numbers; Chinese characters fall back to the CJK font.
    rc["font.family"] = ["DejaVu Sans"] + ([cjk] if cjk else [])
    return rc


def set_style() -> None:
    """Apply the house style to matplotlib's rcParams. Idempotent: calling it again changes nothing."""
    mpl.rcParams.update(house_rc())


# --- labels ---------------------------------------------------------------------------------

LABELS: dict[str, dict[str, str]] = {
    "en": {
        # figure titles
        "title.life_expectancy": "{region}: life expectancy at birth",
        "title.mortality": "{region}: maternal and child mortality",
        "title.workforce": "{region}: health workforce and beds",
        # panel titles / axis labels
        "ind.life_expectancy": "Life expectancy at birth",
        "ind.maternal_mortality": "Maternal mortality",
        "ind.infant_mortality": "Infant mortality",
        "ind.under5_mortality": "Under-5 mortality",
        "ind.physicians_per_1000": "Physicians",
        "ind.nurses_per_1000": "Registered nurses",
        "ind.beds_per_1000": "Hospital beds",
        "ind.gps_per_10000": "General practitioners",
        "unit.years": "years",
        "unit.per 100000 live births": "per 100,000 live births",
        "unit.per 1000 live births": "per 1,000 live births",
        "unit.per 1000 population": "per 1,000 population",
        "unit.per 10000 population": "per 10,000 population",
        "axis.year": "Year",
        "axis.years": "Years",
        # series (legend) labels
        "series.region": "{region}",
        "series.region.conflict": "{region}: conflicting report",
        "series.national": "National (China)",
        "series.province": "{province} (province)",
        "series.province.conflict": "{province}: conflicting report",
        "series.target": "{year} target ({basis})",
        "series.required path": "Required path",
        "basis.own plan": "own plan",
        "basis.provincial target": "{province} provincial",
        "basis.national target": "national",
        # bar categories (short: they sit under narrow bars)
        "bar.region": "Actual",
        "bar.national": "National",
        "bar.target": "Target",
        "legend.bar.region": "{region}, latest reported",
        "legend.bar.national": "National, same year",
        "legend.bar.target": "{year} target",
        "not_reported": "not reported",
        "not_reported.short": "not\nreported",
        "derived": "relative target",
        "derived.short": "relative",
        "basis.short.own plan": "own plan",
        "basis.short.provincial target": "provincial",
        "basis.short.national target": "national",
        "required.rate": "{sign}{value:.1f} %/yr needed",
        "required.absolute": "{sign}{value:.2f} {unit}/yr needed",
        "unit.short.years": "years",
        # source line
        "source.prefix": "Source: ",
        "source.lines": "line {lines}",
        "source.lines.plural": "lines {lines}",
        "source.local plan": "{region} {cycle}health plan",
        "source.mid-term review": "{region} {cycle}health-plan mid-term review",
        "source.draft": " (draft)",
        "source.cycle": "{cycle}-plan ",
        "source.group.china": "national",
        "source.statistical bulletin": "NHC statistical bulletins",
        "source.press": "press reports ({ids})",
        "source.national plan": "national plans ({ids})",
        "source.other": "{ids}",
        "source.suffix": "chart: planlib",
        "source.sep": "; ",
    },
    "zh": {
        "title.life_expectancy": "{region}：人均预期寿命",
        "title.mortality": "{region}：孕产妇和儿童死亡率",
        "title.workforce": "{region}：卫生人力与床位",
        "ind.life_expectancy": "人均预期寿命",
        "ind.maternal_mortality": "孕产妇死亡率",
        "ind.infant_mortality": "婴儿死亡率",
        "ind.under5_mortality": "5岁以下儿童死亡率",
        "ind.physicians_per_1000": "执业（助理）医师",
        "ind.nurses_per_1000": "注册护士",
        "ind.beds_per_1000": "医疗卫生机构床位",
        "ind.gps_per_10000": "全科医生",
        "unit.years": "岁",
        "unit.per 100000 live births": "/10万",
        "unit.per 1000 live births": "‰",
        "unit.per 1000 population": "人/千人口",
        "unit.per 10000 population": "人/万人口",
        "axis.year": "年份",
        "axis.years": "岁",
        "series.region": "{region}",
        "series.region.conflict": "{region}：另有不同数据",
        "series.national": "全国",
        "series.province": "{province}（全省）",
        "series.province.conflict": "{province}：另有不同数据",
        "series.target": "{year}年目标（{basis}）",
        "series.required path": "达标所需路径",
        "basis.own plan": "本地规划",
        "basis.provincial target": "{province}省级目标",
        "basis.national target": "全国目标",
        "bar.region": "实际值",
        "bar.national": "全国",
        "bar.target": "目标",
        "legend.bar.region": "{region}最新报告值",
        "legend.bar.national": "全国同年",
        "legend.bar.target": "{year}年目标",
        "not_reported": "未报告",
        "not_reported.short": "未报告",
        "derived": "相对目标",
        "derived.short": "相对",
        "basis.short.own plan": "本地",
        "basis.short.provincial target": "省级",
        "basis.short.national target": "全国",
        "required.rate": "需年均{sign}{value:.1f}%",
        "required.absolute": "需年均{sign}{value:.2f}{unit}",
        "unit.short.years": "岁",
        "source.prefix": "资料来源：",
        "source.lines": "第{lines}行",
        "source.lines.plural": "第{lines}行",
        "source.local plan": "{region}{cycle}卫生健康规划",
        "source.mid-term review": "{region}{cycle}卫生健康规划中期评估",
        "source.draft": "（征求意见稿）",
        "source.cycle": "“{cycle}”",
        "source.group.china": "全国",
        "source.statistical bulletin": "国家卫生健康事业发展统计公报",
        "source.press": "新闻报道（{ids}）",
        "source.national plan": "国家规划（{ids}）",
        "source.other": "{ids}",
        "source.suffix": "制图：planlib",
        "source.sep": "；",
    },
}


def labels(lang: str = "en") -> dict[str, str]:
    """The label dictionary of a language; ValueError for a language without one."""
    if lang not in LABELS:
        raise ValueError(f"unknown language {lang!r}; available: {', '.join(LABELS)}")
    return LABELS[lang]


def _l(lang: str, key: str, **kw) -> str:
    return labels(lang)[key].format(**kw)


# --- tidy data ------------------------------------------------------------------------------

#: Columns of every tidy frame. ``series`` is one of SERIES; ``text`` is the value as printed on
#: the chart (with the target's comparator, e.g. ">79"); ``ref`` is "source_id L123" (several
#: joined with "; " when the same value is reported on several lines).
DATA_COLUMNS = [
    "region_id", "indicator_id", "unit", "series", "year", "value", "comparator", "text", "label",
    "basis", "derived", "conflict", "required_annual_change", "change_measure", "ref",
]
LE_INDICATOR = "life_expectancy"
MORTALITY_INDICATORS = ("maternal_mortality", "infant_mortality", "under5_mortality")
WORKFORCE_INDICATORS = ("physicians_per_1000", "nurses_per_1000", "beds_per_1000", "gps_per_10000")
COMPARATOR_SYMBOLS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "~": "≈", "=": ""}
#: Units of the panels, for titles of panels without any data (the catalog's units).
DEFAULT_UNITS = {
    "life_expectancy": "years", "maternal_mortality": "per 100000 live births",
    "infant_mortality": "per 1000 live births", "under5_mortality": "per 1000 live births",
    "physicians_per_1000": "per 1000 population", "nurses_per_1000": "per 1000 population",
    "beds_per_1000": "per 1000 population", "gps_per_10000": "per 10000 population",
}
#: Latest year a chart shows (the 14th plan's target year).
END_YEAR = 2025


def _num_text(value: float, value_text: str | None = None) -> str:
    """A number as printed in its source where that is the same number (keeps "2.90"), else :g."""
    if value_text is not None and not pd.isna(value_text):
        m = re.search(r"\d+(?:\.\d+)?", str(value_text))
        if m and math.isclose(float(m.group()), value, rel_tol=0, abs_tol=1e-9):
            return m.group()
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _target_text(value: float, comparator: str) -> str:
    return f"{COMPARATOR_SYMBOLS.get(comparator, '')}{_num_text(value)}"


def region_name(region_id: str, lang: str = "en", path=None) -> str:
    """The region's name in ``lang`` (English name from regions.csv for "en")."""
    labels(lang)
    reg = load_tables(path).regions.set_index("id")
    if region_id not in reg.index:
        raise KeyError(f"unknown region {region_id!r}; valid ids: {', '.join(reg.index)}")
    col = "name_zh" if lang == "zh" else "name_en"
    return str(reg.loc[region_id, col])


def _province_id(region_id: str, path=None) -> str | None:
    reg = load_tables(path).regions.set_index("id")
    p = reg.loc[region_id, "province_id"]
    return None if pd.isna(p) or p == region_id else str(p)


@lru_cache(maxsize=8)
def _usable_groups(folder: Path, stamp: tuple) -> dict[tuple[str, str], pd.DataFrame]:
    """Numeric actuals whose unit matches the indicator's, split by (region, indicator) once
    per data state, so that a chart filters a few rows instead of the whole table."""
    obs = load_tables(folder).enriched
    usable = obs[obs["unit_ok"] & obs["value_std"].notna() & (obs["kind"] == "actual")]
    return {key: g for key, g in usable.groupby(["region_id", "indicator_id"], sort=False)}


@lru_cache(maxsize=REGION_CACHE * 8)  # eight indicators per region
def _cached_points(folder: Path, stamp: tuple, region_id: str, indicator_id: str) -> pd.DataFrame:
    return _points(_usable_groups(folder, stamp).get((region_id, indicator_id)), region_id, indicator_id)


def _series_points(region_id: str, indicator_id: str, path=None) -> pd.DataFrame:
    """``_points`` of a region's usable actuals for one indicator (cached per data state;
    callers must not modify the returned frame)."""
    folder = data_dir(path)
    return _cached_points(folder, folder_stamp(folder), region_id, indicator_id)


def _points(obs: pd.DataFrame | None, region_id: str, indicator_id: str) -> pd.DataFrame:
    """One row per (year, distinct value): the first-listed report first, equal reports merged.

    Returns year, value, comparator, text, ref and conflict (True for a second, different value
    reported for the same year).
    """
    rows = []
    if obs is None:
        return pd.DataFrame(rows, columns=["year", "value", "comparator", "text", "ref", "conflict"])
    s = obs[(obs["region_id"] == region_id) & (obs["indicator_id"] == indicator_id)
            & (obs["year"] <= END_YEAR)]
    for year, g in s.sort_values(["year", "source_line"], na_position="last", kind="stable").groupby(
            "year", sort=True):
        seen: dict[float, dict] = {}
        for _, r in g.iterrows():
            v = round(float(r["value_std"]), 9)
            if v in seen:
                seen[v]["ref"] += f"; {r['ref']}"
                continue
            comp = str(r["comparator"]) if pd.notna(r["comparator"]) else "="
            seen[v] = {"year": int(year), "value": float(r["value_std"]), "comparator": comp,
                       "text": COMPARATOR_SYMBOLS.get(comp, "") + _num_text(float(r["value_std"]), r["value_text"]),
                       "ref": str(r["ref"]), "conflict": bool(seen)}
        rows.extend(seen.values())
    return pd.DataFrame(rows, columns=["year", "value", "comparator", "text", "ref", "conflict"])


def _nearest_year(points: pd.DataFrame, year: int | None) -> pd.Series | None:
    """The point of ``year``; else the nearest year (the earlier on a tie); else None."""
    p = points[~points["conflict"]] if not points.empty else points
    if p.empty:
        return None
    if year is None:
        return p.sort_values("year").iloc[-1]
    d = (p["year"] - year).abs()
    return p.assign(_d=d).sort_values(["_d", "year"]).iloc[0].drop("_d")


def _row(region_id, indicator_id, unit, series, year, value, text, label, ref, **kw) -> dict:
    rec = dict.fromkeys(DATA_COLUMNS)
    rec.update(region_id=region_id, indicator_id=indicator_id, unit=unit, series=series, year=int(year),
               value=float(value), text=text, label=label, ref=ref, derived=False, conflict=False)
    rec.update(kw)
    return rec


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=DATA_COLUMNS)
    df["year"] = df["year"].astype("Int64")
    df["value"] = df["value"].astype(float)
    df["required_annual_change"] = df["required_annual_change"].astype(float)
    for c in ("derived", "conflict"):
        df[c] = df[c].fillna(False).astype(bool)
    return df


def _target_rows(region_id: str, indicator_id: str, unit: str, progress: pd.DataFrame, lang: str,
                 path=None) -> list[dict]:
    """The target point and, where the target is not yet met, the required path to it."""
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
        province = region_name(str(r["target_region_id"]), lang, path)
    basis_label = _l(lang, f"basis.{basis}", province=province)
    req = r["required_annual_change"]
    req = float(req) if req is not None and not pd.isna(req) else None
    measure = r["change_measure"] if isinstance(r["change_measure"], str) else None
    out = [_row(region_id, indicator_id, unit, "target", T, tv, _target_text(tv, comp),
                _l(lang, "series.target", year=T, basis=basis_label), str(r["target_ref"]),
                comparator=comp, basis=basis, derived=bool(r["target_derived"]),
                required_annual_change=req, change_measure=measure)]
    if req is not None and r["latest_year"] is not None and not pd.isna(r["latest_year"]):
        label = _l(lang, "series.required path")
        for y, v in ((int(r["latest_year"]), float(r["latest_value"])), (T, tv)):
            out.append(_row(region_id, indicator_id, unit, "required path", y, v, _num_text(v), label,
                            str(r["target_ref"]), basis=basis, required_annual_change=req,
                            change_measure=measure))
    return out


def _check_region(region_id: str, path=None) -> None:
    ids = set(load_tables(path).regions["id"])
    if region_id not in ids:
        raise KeyError(f"unknown region {region_id!r}; valid ids: {', '.join(sorted(ids))}")


def life_expectancy_data(region_id: str, path=None, lang: str = "en") -> pd.DataFrame:
    """Life expectancy of a region, the nation and its province over time, with the 2025 target.

    Series: "region" (every reported year up to 2025), "national" (2015 on, with 2025 if
    reported), "province" (where known), "target" (from assess_progress, comparator kept) and
    "required path" (latest actual → target, only while the target is not yet met).
    """
    labels(lang)
    _check_region(region_id, path)
    ind, unit = LE_INDICATOR, "years"
    name = region_name(region_id, lang, path)
    rows: list[dict] = []
    for _, p in _series_points(region_id, ind, path).iterrows():
        label = _l(lang, "series.region.conflict" if p["conflict"] else "series.region", region=name)
        rows.append(_row(region_id, ind, unit, "region", p["year"], p["value"], p["text"], label, p["ref"],
                         comparator=p["comparator"], conflict=p["conflict"]))
    for _, p in _series_points("china", ind, path).iterrows():
        if p["year"] >= 2015:
            rows.append(_row(region_id, ind, unit, "national", p["year"], p["value"], p["text"],
                             _l(lang, "series.national"), p["ref"], comparator=p["comparator"],
                             conflict=p["conflict"]))
    province = _province_id(region_id, path)
    if province:
        pname = region_name(province, lang, path)
        for _, p in _series_points(province, ind, path).iterrows():
            label = _l(lang, "series.province.conflict" if p["conflict"] else "series.province", province=pname)
            rows.append(_row(region_id, ind, unit, "province", p["year"], p["value"], p["text"], label,
                             p["ref"], comparator=p["comparator"], conflict=p["conflict"]))
    rows += _target_rows(region_id, ind, unit, assess_progress(region_id, path), lang, path)
    return _frame(rows)


def _latest_comparison(region_id: str, indicators: tuple[str, ...], path, lang: str) -> pd.DataFrame:
    """Per indicator: the region's latest actual, the national value of that year, the target."""
    labels(lang)
    _check_region(region_id, path)
    units = load_tables(path).indicators.set_index("id")["unit"]
    progress = assess_progress(region_id, path)
    name = region_name(region_id, lang, path)
    rows: list[dict] = []
    for ind in indicators:
        unit = str(units.get(ind, ""))
        mine = _nearest_year(_series_points(region_id, ind, path), None)
        targets = _target_rows(region_id, ind, unit, progress, lang, path)
        if mine is not None:
            rows.append(_row(region_id, ind, unit, "region", mine["year"], mine["value"], mine["text"],
                             _l(lang, "series.region", region=name), mine["ref"], comparator=mine["comparator"]))
        # National value of the actual's year (nearest year if that one is not published);
        # without a regional actual, the latest national value before the target year.
        nat_year = int(mine["year"]) if mine is not None else None
        nat_points = _series_points("china", ind, path)
        if nat_year is None and targets:
            nat_points = nat_points[nat_points["year"] <= targets[0]["year"]]
        nat = _nearest_year(nat_points, nat_year)
        if nat is not None:
            rows.append(_row(region_id, ind, unit, "national", nat["year"], nat["value"], nat["text"],
                             _l(lang, "series.national"), nat["ref"], comparator=nat["comparator"]))
        rows += [t for t in targets if t["series"] == "target"]
    return _frame(rows)


def mortality_data(region_id: str, path=None, lang: str = "en") -> pd.DataFrame:
    """Maternal, infant and under-5 mortality: latest actual, national same year, 2025 target."""
    return _latest_comparison(region_id, MORTALITY_INDICATORS, path, lang)


def workforce_data(region_id: str, path=None, lang: str = "en") -> pd.DataFrame:
    """Physicians, nurses, beds (per 1,000) and GPs (per 10,000): latest actual, national same
    year, 2025 target with the required annual change from assess_progress."""
    return _latest_comparison(region_id, WORKFORCE_INDICATORS, path, lang)


# --- source line ----------------------------------------------------------------------------

_CJK_PROBE = "阳春市卫生健康规划"


@lru_cache(maxsize=16)
def _fonts_have_glyphs(families: tuple[str, ...], probe: str) -> bool:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font
    missing = set(map(ord, probe))
    for fam in families:
        try:
            fpath = font_manager.findfont(font_manager.FontProperties(family=fam), fallback_to_default=False)
            cmap = FT2Font(fpath).get_charmap()
        except (ValueError, RuntimeError, OSError):
            continue
        missing -= set(cmap)
        if not missing:
            return True
    return False


def default_font_has_cjk() -> bool:
    """Whether the configured font family (with its fallbacks) can draw Chinese characters."""
    fams: list[str] = []
    for f in mpl.rcParams["font.family"]:
        generic = f"font.{f}"
        fams.extend(mpl.rcParams[generic] if generic in mpl.rcParams else [f])
    return _fonts_have_glyphs(tuple(fams), _CJK_PROBE)


def _split_ref(ref: str) -> list[tuple[str, int | None]]:
    out = []
    for part in str(ref).split(";"):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\S+) L(\d+)", part)
        out.append((m.group(1), int(m.group(2))) if m else (part, None))
    return out


def _lines_text(lines: list[int], lang: str) -> str:
    if not lines:
        return ""
    key = "source.lines.plural" if len(lines) > 1 else "source.lines"
    return ", " + _l(lang, key, lines=", ".join(map(str, lines)))


def source_line_text(data: pd.DataFrame, lang: str = "en", path=None, cjk: bool | None = None) -> str:
    """The source line for the sources a chart plots (from the ``ref`` column of its tidy data).

    Local plans come first with the lines the numbers were read from; national and provincial
    benchmark sources follow, grouped. With ``cjk`` (default: whether the configured font can
    draw Chinese) local plans are named by their Chinese title and date; otherwise by an English
    description and their source id, so that no glyph is missing.
    """
    lab = labels(lang)
    if cjk is None:
        cjk = default_font_has_cjk()
    t = load_tables(path)
    src = t.sources.set_index("id")
    # The region a source reports on: the one most of its observations are about.
    src_region = (t.observations.groupby("source_id")["region_id"]
                  .agg(lambda s: s.value_counts().index[0]).to_dict())
    refs: dict[str, list[int]] = {}
    for ref in data["ref"].dropna():
        for sid, line in _split_ref(ref):
            refs.setdefault(sid, [])
            if line is not None and line not in refs[sid]:
                refs[sid].append(line)
    local, groups = [], {}
    for sid, lines in refs.items():
        kind = str(src.loc[sid, "kind"]) if sid in src.index else ""
        rid = src_region.get(sid)
        if kind in ("local plan", "mid-term review"):
            if cjk:
                date = src.loc[sid, "date"]
                name = str(src.loc[sid, "title"]) + (f" ({date})" if pd.notna(date) else "")
            else:
                m = re.search(r"(\d+(?:st|nd|rd|th))", sid)
                cycle = _l(lang, "source.cycle", cycle=m.group(1)) if m else ""
                region = region_name(rid, lang, path) if rid else sid
                name = _l(lang, f"source.{kind}", region=region, cycle=cycle)
                if "draft" in sid:
                    name += lab["source.draft"]
                name += f" ({sid})"
            local.append(name + _lines_text(sorted(lines), lang))
        else:
            groups.setdefault(rid or "", {}).setdefault(kind, []).append(sid)
    parts = list(local)
    order = ["china"] + sorted(k for k in groups if k != "china")
    for rid in order:
        if rid not in groups:
            continue
        kinds = groups[rid]
        where = lab["source.group.china"] if rid == "china" else (region_name(rid, lang, path) if rid else "")
        descr = []
        for kind in ("statistical bulletin", "national plan", "press", *sorted(kinds)):
            if kind not in kinds:
                continue
            key = f"source.{kind}" if f"source.{kind}" in lab else "source.other"
            d = lab[key].format(ids=", ".join(kinds.pop(kind)))
            descr.append(d)
        parts.append((f"{where}: " if where else "") + ", ".join(descr))
    parts.append(lab["source.suffix"])
    return lab["source.prefix"] + lab["source.sep"].join(parts)


GID_TITLE, GID_LEGEND, GID_SOURCE = "planlib-title", "planlib-legend", "source-line"
_PAD_IN = 0.07  # margin around the title, legend and source bands (inches)


def add_title(fig: Figure, text: str):
    """The figure title, top left (gid "planlib-title"); arranged with :func:`arrange_bands`."""
    title = fig.suptitle(text, x=0.0, y=1.0, ha="left", va="top", gid=GID_TITLE)
    title.set_in_layout(False)
    arrange_bands(fig)
    return title


def add_figure_legend(fig: Figure, handles, ncols: int = 3):
    """A legend for the whole figure under its title (gid "planlib-legend")."""
    for old in [leg for leg in fig.legends if leg.get_gid() == GID_LEGEND]:
        old.remove()
    leg = fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0), ncols=ncols,
                     frameon=False, handlelength=2.0, columnspacing=1.4, borderaxespad=0, borderpad=0)
    leg.set_gid(GID_LEGEND)
    leg.set_in_layout(False)
    arrange_bands(fig)
    return leg


def _cell_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap_display(text: str, width: int) -> str:
    """Wrap text to ``width`` display cells: Chinese characters count double and may break
    anywhere; Latin words break only at spaces."""
    tokens = re.findall(r"[\u2E80-\u9FFF\uFF00-\uFFEF\u3000-\u303F“”]|[^\s\u2E80-\u9FFF\uFF00-\uFFEF\u3000-\u303F“”]+|\s+", text)
    lines, line, used = [], "", 0
    for tok in tokens:
        w = sum(_cell_width(c) for c in tok)
        if tok.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if used + w > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + tok, used + w
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def add_source_line(fig: Figure, text: str, fontsize: float = SMALL_FONT_PT):
    """Write ``text`` under the figure (wrapped to its width) and keep the axes clear of it.

    Returns the Text artist (gid "source-line").
    """
    for old in [t for t in fig.texts if t.get_gid() == GID_SOURCE]:
        old.remove()
    width_pt = (fig.get_figwidth() - 2 * _PAD_IN) * 72
    chars = max(40, int(width_pt / (fontsize * 0.56)))
    wrapped = wrap_display(text, chars)
    txt = fig.text(0, 0, wrapped, ha="left", va="bottom", fontsize=fontsize, color="#333333",
                   gid=GID_SOURCE, linespacing=1.3)
    txt.set_in_layout(False)
    arrange_bands(fig)
    return txt


def arrange_bands(fig: Figure) -> None:
    """Stack title and figure legend at the top and the source line at the bottom, and keep
    the axes out of those bands (constrained layout rect, else subplot margins).

    Heights are measured, so long titles, two-row legends and wrapped source lines all fit.
    """
    renderer = fig.canvas.get_renderer()
    W, H = fig.get_figwidth(), fig.get_figheight()
    dpi = fig.dpi

    def height_in(artist) -> float:
        return artist.get_window_extent(renderer).height / dpi

    top = _PAD_IN
    title = fig._suptitle if fig._suptitle is not None and fig._suptitle.get_gid() == GID_TITLE else None
    if title is not None:
        title.set_position((_PAD_IN / W, 1 - top / H))
        top += height_in(title) + 0.08
    for leg in fig.legends:
        if leg.get_gid() == GID_LEGEND:
            leg.set_bbox_to_anchor((0.5, 1 - top / H), transform=fig.transFigure)
            top += height_in(leg) + 0.06
    bottom = _PAD_IN
    for t in fig.texts:
        if t.get_gid() == GID_SOURCE:
            t.set_position((_PAD_IN / W, _PAD_IN / H))
            bottom += height_in(t) + 0.08
    top = 0.0 if top == _PAD_IN else top
    bottom = 0.0 if bottom == _PAD_IN else bottom
    engine = fig.get_layout_engine()
    if engine is not None and "rect" in getattr(engine, "_params", {}):
        engine.set(rect=(0, bottom / H, 1, 1 - (top + bottom) / H))  # (left, bottom, width, height)
    else:
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, bottom / H + 0.08),
                            top=min(fig.subplotpars.top, 1 - top / H - 0.02))


# --- drawing helpers ------------------------------------------------------------------------

def _not_reported(ax: Axes, lang: str) -> None:
    ax.text(0.5, 0.5, _l(lang, "not_reported"), transform=ax.transAxes, ha="center", va="center",
            fontsize=9.6, color="#555555", style="italic")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)


def _unit_label(unit: str, lang: str) -> str:
    lab = labels(lang)
    return lab.get(f"unit.{unit}", unit)


def _required_text(row: pd.Series, lang: str) -> str | None:
    req = row.get("required_annual_change")
    if req is None or pd.isna(req):
        return None
    measure = row.get("change_measure") or ""
    sign = "+" if req > 0 else "−"
    if str(measure).startswith("compound"):
        return _l(lang, "required.rate", sign=sign, value=abs(req) * 100)
    unit = labels(lang).get(f"unit.short.{row['unit']}", _unit_label(str(row["unit"]), lang))
    return _l(lang, "required.absolute", sign=sign, value=abs(req), unit=unit)


def _new_axes(ax, nrows: int, ncols: int, size: tuple[float, float]):
    if ax is not None:
        return ax
    set_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=size, layout="constrained", squeeze=False)
    return axes[0, 0] if nrows * ncols == 1 else axes.ravel()


# --- plot functions -------------------------------------------------------------------------

def life_expectancy_chart(data: pd.DataFrame, ax: Axes | None = None, lang: str = "en",
                          legend: bool | str = True, title: bool = True) -> Axes:
    """Region actuals, national and provincial series, the 2025 target (annotated with its
    comparator, e.g. ">79") and the dashed required path from the latest actual to the target.

    ``legend``: True (right of the axes), "figure" (one row band under the figure title) or
    False. Value labels are placed where they cover the fewest lines, markers and other labels.
    """
    lab = labels(lang)
    ax = _new_axes(ax, 1, 1, (FIG_WIDTH_IN, 3.4))
    if title:
        ax.set_title(f"{lab['ind.life_expectancy']} ({lab['unit.years']})", loc="left")
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
    path = data[data["series"] == "required path"].sort_values("year")
    if len(path) == 2:
        h, = ax.plot(path["year"].astype(int), path["value"], ls=(0, (4, 2)), lw=1.6,
                     color=COLORS["required path"], label=first_label(path), zorder=4, gid="le-required path")
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
        placed.append(_place_label(ax, r["text"], cands, placed, fontsize=SMALL_FONT_PT,
                                   color=TEXT_COLORS["region"], fontweight="bold", zorder=6))
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
            placed.append(_place_label(ax, txt, cands, placed, fontsize=SMALL_FONT_PT,
                                       color=TEXT_COLORS["required path"], fontweight="bold", zorder=6))
    return ax


def _obstacles(ax: Axes) -> np.ndarray:
    """Display coordinates of points along every line and marker of ``ax`` (densely sampled)."""
    pts = []
    for line in ax.get_lines():
        xy = ax.transData.transform(np.column_stack(line.get_data()).astype(float))
        pts.append(xy)
        if line.get_linestyle() not in ("None", "none", "", " ") and len(xy) > 1:
            for (xa, ya), (xb, yb) in zip(xy[:-1], xy[1:]):
                n = max(2, int(math.hypot(xb - xa, yb - ya) / 3))
                pts.append(np.column_stack([np.linspace(xa, xb, n), np.linspace(ya, yb, n)]))
    return np.vstack(pts) if pts else np.empty((0, 2))


def keep_best(candidates):
    """From (annotation, score) pairs produced one at a time, keep the lowest-scoring annotation
    (the first on a tie), remove the others from the axes, and stop at the first score of 0."""
    best, best_score = None, None
    for ann, score in candidates:
        if best_score is None or score < best_score:
            if best is not None:
                best.remove()
            best, best_score = ann, score
        else:
            ann.remove()
        if best_score == 0:
            break
    return best


def _place_label(ax: Axes, text: str, candidates, placed: list, **kw):
    """Annotate ``text`` at the candidate (xy, offset, ha, va) whose box covers the fewest line
    and marker points and no earlier label, staying inside the axes (first candidate on a tie)."""
    renderer = ax.figure.canvas.get_renderer()
    obstacles = _obstacles(ax)
    axes_box = ax.get_window_extent(renderer)
    others = [p.get_window_extent(renderer) for p in placed if p is not None]

    def scored():
        for xy, offset, ha, va in candidates:
            ann = ax.annotate(text, xy, xytext=offset, textcoords="offset points", ha=ha, va=va, **kw)
            box = ann.get_window_extent(renderer).padded(2)
            inside = 0
            if len(obstacles):
                inside = int(((obstacles[:, 0] >= box.x0) & (obstacles[:, 0] <= box.x1)
                              & (obstacles[:, 1] >= box.y0) & (obstacles[:, 1] <= box.y1)).sum())
            score = inside + 100 * sum(box.overlaps(o) for o in others)
            if not (axes_box.x0 <= box.x0 and box.x1 <= axes_box.x1
                    and axes_box.y0 <= box.y0 and box.y1 <= axes_box.y1):
                score += 1000
            yield ann, score

    return keep_best(scored())


_LEGEND_ORDER = ("le-region", "le-region-conflict", "le-target", "le-required path", "le-national",
                 "le-national-conflict", "le-province", "le-province-conflict")


def _legend_order(handles: list) -> list:
    """Legend entries in reading order: the region and its target first, then benchmarks."""
    rank = {g: i for i, g in enumerate(_LEGEND_ORDER)}
    return sorted(handles, key=lambda h: rank.get(h.get_gid(), len(rank)))


def _comparison_panel(ax: Axes, d: pd.DataFrame, indicator_id: str, lang: str, unit: str | None,
                      show_basis: bool = False) -> None:
    """Three bars: the region's latest actual, the national value of that year, the target
    (with the basis of the target under its bar when ``show_basis``)."""
    lab = labels(lang)
    unit = unit or (str(d["unit"].iloc[0]) if not d.empty else "")
    ax.set_title(f"{lab.get('ind.' + indicator_id, indicator_id)}\n{_unit_label(unit, lang)}", loc="left")
    if d.empty or not d["series"].isin(["region", "target"]).any():
        _not_reported(ax, lang)
        return
    slots = ("region", "national", "target")
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
        else:
            ax.bar(i, r["value"], width=0.7, color=COLORS[series], zorder=3)
            ax.text(i, r["value"], r["text"], ha="center", va="bottom", fontsize=SMALL_FONT_PT + 0.8,
                    color="#222222", zorder=4)
            ticklabels.append(f"{name}\n{y}")
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


def _small_multiples(data: pd.DataFrame, axes, indicators: tuple[str, ...], lang: str, shape, size):
    labels(lang)
    if axes is None:
        axes = _new_axes(None, *shape, size)
    axes = list(np.ravel(axes))
    if len(axes) < len(indicators):
        raise ValueError(f"need {len(indicators)} axes, got {len(axes)}")
    units = {}
    if not data.empty:
        units = data.groupby("indicator_id")["unit"].first().to_dict()
    show_basis = _mixed_basis(data)
    for ax, ind in zip(axes, indicators):
        _comparison_panel(ax, data[data["indicator_id"] == ind] if not data.empty else data, ind, lang,
                          units.get(ind, DEFAULT_UNITS.get(ind)), show_basis)
    return np.array(axes[: len(indicators)])


def _mixed_basis(data: pd.DataFrame) -> bool:
    """Whether the targets of a figure have different bases (own plan, provincial, national)."""
    return (not data.empty) and data.loc[data["series"] == "target", "label"].nunique() > 1


def _bar_legend(fig: Figure, data: pd.DataFrame, lang: str) -> None:
    """One legend for all panels, under the title (bars mean the same in every panel)."""
    lab = labels(lang)
    region = data.loc[data["series"] == "region", "label"]
    t = data.loc[data["series"] == "target"]
    handles = [
        Patch(facecolor=COLORS["region"],
              label=lab["legend.bar.region"].format(region=region.iloc[0]) if not region.empty
              else lab["bar.region"]),
        Patch(facecolor=COLORS["national"], label=lab["legend.bar.national"]),
        Patch(facecolor="white", edgecolor=COLORS["target"], hatch="///",
              label=t["label"].iloc[0] if not t.empty and not _mixed_basis(data) else
              lab["legend.bar.target"].format(year=END_YEAR)),
    ]
    add_figure_legend(fig, handles, ncols=3)


def mortality_chart(data: pd.DataFrame, axes=None, lang: str = "en", legend: bool = True):
    """Small multiples (1×3): maternal (per 100,000 live births), infant and under-5 (per 1,000
    live births) mortality; each panel shows the latest actual, the national value of that year
    and the 2025 target with its comparator. Returns the array of axes."""
    out = _small_multiples(data, axes, MORTALITY_INDICATORS, lang, (1, 3), (FIG_WIDTH_IN, 3.0))
    if legend and axes is None and not data.empty:
        _bar_legend(out[0].figure, data, lang)
    return out


def workforce_chart(data: pd.DataFrame, axes=None, lang: str = "en", legend: bool = True):
    """Small multiples (2×2): physicians, nurses, beds per 1,000 and GPs per 10,000; latest
    actual, national value of that year and 2025 target, with the required annual growth written
    where assess_progress gives it. Returns the array of axes."""
    out = _small_multiples(data, axes, WORKFORCE_INDICATORS, lang, (2, 2), (FIG_WIDTH_IN, 4.8))
    if legend and axes is None and not data.empty:
        _bar_legend(out[0].figure, data, lang)
    return out


# --- figures --------------------------------------------------------------------------------

def _finish(fig: Figure, key: str, region_id: str, data: pd.DataFrame, lang: str, path) -> Figure:
    add_title(fig, _l(lang, f"title.{key}", region=region_name(region_id, lang, path)))
    add_source_line(fig, source_line_text(data, lang, path))
    return fig


def life_expectancy_figure(region_id: str, lang: str = "en", path=None) -> Figure:
    """The life-expectancy chart of a region, titled and with its source line."""
    data = life_expectancy_data(region_id, path, lang)
    set_style()
    fig, ax = plt.subplots(figsize=(FIG_WIDTH_IN, 3.6), layout="constrained")
    _finish(fig, "life_expectancy", region_id, data, lang, path)  # bands first: labels are placed last
    life_expectancy_chart(data, ax=ax, lang=lang, title=False, legend="figure")
    return fig


def mortality_figure(region_id: str, lang: str = "en", path=None) -> Figure:
    """The maternal and child mortality small multiples of a region, titled and sourced."""
    data = mortality_data(region_id, path, lang)
    set_style()
    fig, axes = plt.subplots(1, 3, figsize=(FIG_WIDTH_IN, 3.3), layout="constrained")
    mortality_chart(data, axes=axes, lang=lang)
    if not data.empty:
        _bar_legend(fig, data, lang)
    return _finish(fig, "mortality", region_id, data, lang, path)


def workforce_figure(region_id: str, lang: str = "en", path=None) -> Figure:
    """The workforce and beds small multiples of a region, titled and sourced."""
    data = workforce_data(region_id, path, lang)
    set_style()
    fig, axes = plt.subplots(2, 2, figsize=(FIG_WIDTH_IN, 5.2), layout="constrained")
    workforce_chart(data, axes=axes, lang=lang)
    if not data.empty:
        _bar_legend(fig, data, lang)
    return _finish(fig, "workforce", region_id, data, lang, path)


FIGURES = {
    "life_expectancy": life_expectancy_figure,
    "mortality": mortality_figure,
    "workforce": workforce_figure,
}


# --- saving ---------------------------------------------------------------------------------

def _atomic_savefig(fig: Figure, target: Path, fmt: str, **kw) -> None:
    """Save through a temporary file in the target's folder, then move it into place."""
    with atomic_open(target) as fh:
        fig.savefig(fh, format=fmt, **kw)


def freeze_layout(fig: Figure) -> None:
    """Solve the figure's layout once and fix it, so each save draws the figure once.

    With a layout engine attached, every ``savefig`` draws twice (a dry run to solve the layout,
    then the real drawing) and solves the layout each time; a figure saved as PNG and SVG
    would be drawn four times. Without an engine it is drawn once per file, same positions.
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        dpi = fig.dpi
        fig.dpi = PNG_DPI  # solved at the PNG's resolution, as savefig would (text sizes snap to pixels)
        try:
            engine.execute(fig)
        finally:
            fig.dpi = dpi
    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # None, not "none": a placeholder engine still costs a dry run


def save_figure(fig: Figure, out_dir, name: str) -> list[Path]:
    """Write ``<name>.png`` (PNG_DPI) and ``<name>.svg`` into ``out_dir`` and close the figure.

    Each file is written to a temporary file in the same folder and moved into place, so a
    reader never sees half a file. Output is reproducible: the SVG has a fixed hash salt and no
    date, the PNG no timestamp, so the same figure gives byte-identical files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.svg"]
    try:
        with mpl.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path"}):
            freeze_layout(fig)
            _atomic_savefig(fig, paths[0], "png", dpi=PNG_DPI, metadata={"Software": "planlib (matplotlib)"})
            _atomic_savefig(fig, paths[1], "svg", metadata={"Date": None, "Creator": "planlib (matplotlib)"})
    finally:
        plt.close(fig)
    return paths


def region_figures(region_id: str, out_dir, lang: str = "en", path=None) -> dict[str, list[Path]]:
    """Build and save the three figures of a region. Stable names: ``life_expectancy``,
    ``mortality``, ``workforce`` in English, with a ``.zh`` suffix for Chinese
    (``life_expectancy.zh.png``), so both languages can live in one folder."""
    labels(lang)
    _check_region(region_id, path)
    suffix = "" if lang == "en" else f".{lang}"
    return {name: save_figure(build(region_id, lang=lang, path=path), out_dir, f"{name}{suffix}")
            for name, build in FIGURES.items()}
