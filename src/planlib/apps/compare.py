"""The cross-region view: the five plan regions side by side, against the nation and their province.

Two questions, each answered by a tidy table and a chart:

* **Where does each region stand?** :func:`latest_by_region` gives one row per plan region and
  core indicator: the latest actual, the national value of the same (or nearest) year, the
  province's, the better / similar / worse judgement of :func:`planlib.compare_benchmarks` and
  the data-quality findings that concern the point. :func:`dot_chart` draws one indicator,
  :func:`core_dot_charts` all eight core indicators.
* **How ambitious are the 2025 targets?** :func:`target_ambition` sets each region's required
  annual change (baseline → own 2025 target) beside the change the national 2025 target would
  require from the same baseline, and flags targets copied from the national plans or already
  met at baseline. :func:`ambition_chart` / :func:`ambition_figure` draw it.

Plan tables give rates without the counts behind them, so no difference here is tested for
significance (:data:`SIGNIFICANCE_CAVEAT`); an ordering of regions is not a ranking of
performance.
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from planlib.analysis.comparison import TOLERANCE_ABS, TOLERANCE_REL
from planlib.analysis.quality import SEVERITY_ORDER, check_quality
from planlib.analysis.region import assess_progress, compare_benchmarks
from planlib.analysis.targets import ABSOLUTE_CHANGE, annual_change, baseline_for, derive_relative, meets
from planlib.data.tables import CORE_INDICATORS, load_tables, plan_regions
from planlib.report import style
from planlib.report.words import indicator_words

# --- caveats and labels -------------------------------------------------------------------

_TOL_TEXT = ", ".join(f"±{v:g} years for {k.replace('_', ' ')}" for k, v in TOLERANCE_ABS.items())
#: The caveat every cross-region comparison, ordering or ranking must carry.
SIGNIFICANCE_CAVEAT = (
    "Differences between plan-reported rates are not tested for significance: the plans give rates "
    "without the numbers of events and people behind them. \"Similar\" means within a stated "
    f"tolerance of the national value ({_TOL_TEXT}, ±{TOLERANCE_REL:.0%} otherwise), not a test; "
    "where counts are reported (maternal deaths and births) an exact Poisson interval decides. "
    "A better or worse value, or an ordering of regions, is not evidence of a real difference."
)
#: Short form for source lines under figures.
SIGNIFICANCE_CAVEAT_SHORT = (
    "Differences between plan-reported rates are not tested for significance (no counts are "
    f"reported); \"similar\" = within {_TOL_TEXT} or ±{TOLERANCE_REL:.0%} of the national value."
)

#: Colour of each comparison with the national value (seaborn "colorblind": blue / grey / vermillion).
COMPARISON_COLORS: dict[str, str] = {
    "better": style.PALETTE[0],
    "similar": "#8c8c8c",
    "worse": style.PALETTE[3],
    "different": style.PALETTE[4],
}
COMPARISON_LABELS = {"better": "Better than national", "similar": "Similar to national",
                     "worse": "Worse than national", "different": "Different from national"}
#: Footnote symbol next to a point that has data-quality findings.
FINDING_MARK = "†"
TARGET_YEAR = 2025

LATEST_COLUMNS = [
    "region_id", "region_name", "indicator_id", "indicator_name", "unit", "unit_label", "direction",
    "year", "value_std", "value_text", "ref",
    "national_year", "national_value", "national_ref", "year_note", "difference", "tolerance", "comparison",
    "ci_low", "ci_high", "ci_note",
    "province_id", "province_name", "province_year", "province_value", "province_ref", "province_comparison",
    "n_findings", "quality_severity", "quality_checks", "quality_findings", "quality_messages",
]

AMBITION_COLUMNS = [
    "region_id", "region_name", "indicator_id", "indicator_name", "unit", "unit_label", "direction", "change_measure",
    "baseline_year", "baseline_value", "baseline_ref",
    "target_year", "comparator", "target_value", "target_text", "target_ref", "target_derived",
    "required_annual_change",
    "national_comparator", "national_target_value", "national_target_text", "national_target_ref",
    "national_other_targets", "national_other_refs", "national_target_levels", "national_required_annual_change",
    "national_relative_required_annual_change",
    "copies_national", "already_met", "national_already_met", "note",
]


def _names(path=None) -> dict[str, str]:
    return load_tables(path).regions.set_index("id")["name_en"].astype(str).to_dict()


def _indicator_title(d: pd.DataFrame, indicator_id: str, panel: tuple[str, str] | None) -> str:
    """A panel's title, "name\\nunit": from its rows, else from ``panel``, else the indicator id."""
    if not d.empty:
        return f"{d['indicator_name'].iloc[0]}\n{d['unit_label'].iloc[0]}"
    name, unit = panel or (indicator_id, "")
    return f"{name}\n{unit}"


# --- where each region stands -------------------------------------------------------------

def latest_by_region(indicators: Sequence[str] = CORE_INDICATORS, path=None) -> pd.DataFrame:
    """One row per plan region and indicator it reports: the latest actual (``value_std``, year,
    ref), the national value of the same or nearest year, the province's where known, the
    polarity-aware comparison with the national value (:func:`planlib.compare_benchmarks`:
    :func:`~planlib.benchmarks.judge` with :func:`~planlib.benchmarks.similar_tolerance`, or an
    exact Poisson interval where counts exist) and the data-quality findings of the same region,
    indicator and year (check names and severities kept)."""
    indicators = tuple(indicators)
    names = _names(path)
    findings = check_quality(path)
    iw = indicator_words(load_tables(path).indicator_index, indicators, "en")
    rows = []
    for rid in plan_regions(path):
        cb = compare_benchmarks(rid, path, indicators)
        for ind, g in cb.groupby("indicator_id", sort=False):
            first = g.iloc[0]
            rec = dict.fromkeys(LATEST_COLUMNS)
            rec.update(region_id=rid, region_name=names[rid], indicator_id=ind, indicator_name=iw[ind][0],
                       unit=first["unit"], unit_label=iw[ind][1], direction=first["direction"], year=int(first["year"]), value_std=float(first["value"]),
                       value_text=first["value_text"], ref=first["ref"])
            nat = g[g["benchmark_level"] == "national"]
            if not nat.empty:
                n = nat.iloc[0]
                rec.update(national_year=int(n["benchmark_year"]), national_value=float(n["benchmark_value"]),
                           national_ref=n["benchmark_ref"], year_note=n["year_note"],
                           difference=float(n["difference"]), tolerance=float(n["tolerance"]),
                           comparison=n["comparison"], ci_low=n["ci_low"], ci_high=n["ci_high"],
                           ci_note=n["ci_note"])
            prov = g[g["benchmark_level"] == "provincial"]
            if not prov.empty:
                p = prov.iloc[0]
                rec.update(province_id=p["benchmark_region_id"], province_name=names[p["benchmark_region_id"]],
                           province_year=int(p["benchmark_year"]), province_value=float(p["benchmark_value"]),
                           province_ref=p["benchmark_ref"], province_comparison=p["comparison"])
            f = findings[(findings["region_id"] == rid) & (findings["indicator_id"] == ind)
                         & (findings["year"] == rec["year"])]
            f = f.assign(_s=f["severity"].map(SEVERITY_ORDER)).sort_values(["_s", "check"])
            rec["n_findings"] = len(f)
            if len(f):
                rec["quality_severity"] = f["severity"].iloc[0]
                rec["quality_checks"] = "; ".join(dict.fromkeys(f["check"]))
                rec["quality_findings"] = "; ".join(dict.fromkeys(
                    f"{c} [{s}]" for c, s in zip(f["check"], f["severity"])))
                rec["quality_messages"] = " | ".join(f["message"])
            rows.append(rec)
    df = pd.DataFrame(rows, columns=LATEST_COLUMNS)
    for c in ("year", "national_year", "province_year", "n_findings"):
        df[c] = df[c].astype("Int64")
    for c in ("value_std", "national_value", "province_value", "difference", "tolerance", "ci_low", "ci_high"):
        df[c] = df[c].astype(float)
    return df.reset_index(drop=True)


def _fmt(v: float) -> str:
    return style.num_text(float(v))


def _region_names(data: pd.DataFrame) -> dict[str, str]:
    return data.groupby("region_id")["region_name"].first().astype(str).to_dict() if not data.empty else {}


def _row_labels(d: pd.DataFrame, regions: list[str], names: dict[str, str]) -> tuple[list[str], int | None]:
    """Row labels: the region's name, with the year where it differs from the panel's usual year."""
    years = d["year"].dropna().astype(int)
    common = int(years.mode().min()) if len(years) else None
    by = d.set_index("region_id")
    out = []
    for rid in regions:
        name = names.get(rid, rid)
        y = int(by.loc[rid, "year"]) if rid in by.index and pd.notna(by.loc[rid, "year"]) else None
        out.append(f"{name} ({y})" if y is not None and y != common else name)
    return out, common


def _region_order(data: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(data["region_id"]))


def _finding_note(d: pd.DataFrame) -> str | None:
    """The footnote explaining hollow rings: which values have which findings, by indicator."""
    f = d[d["n_findings"].fillna(0) > 0]
    if f.empty:
        return None
    order = {ind: i for i, ind in enumerate(dict.fromkeys([*CORE_INDICATORS, *d["indicator_id"]]))}
    parts = []
    for ind, g in sorted(f.groupby("indicator_id"), key=lambda kv: order[kv[0]]):
        items = "; ".join(f"{r['region_name']} {int(r['year'])} {_compact_findings(r['quality_findings'])}"
                          for _, r in g.iterrows())
        parts.append(f"{g['indicator_name'].iloc[0]}: {items}." if d["indicator_id"].nunique() > 1 else f"{items}.")
    return f"{FINDING_MARK} Hollow ring: data-quality finding on the value. " + " ".join(parts)


def _compact_findings(text: str) -> str:
    """"a [error]; b [warning]; c [warning]" → "a [error], b, c [warning]" (severity once per group)."""
    groups: dict[str, list[str]] = {}
    for item in text.split("; "):
        check, _, sev = item.partition(" [")
        groups.setdefault(sev.rstrip("]"), []).append(check)
    return ", ".join(f"{', '.join(c)} [{sev}]" for sev, c in groups.items())


def _place_value_label(ax: Axes, text: str, x: float, y: float, obstacles: list[float], avoid_side: int,
                       **kw) -> None:
    """Write ``text`` left or right of the dot at (x, y), on the side whose label box covers no
    obstacle x (benchmark line, province marker) and stays inside the axes; the side away from
    ``avoid_side`` (-1 left, +1 right) first."""
    renderer = ax.figure.canvas.get_renderer()
    x0, x1 = ax.get_xlim()
    px_per_unit = ax.bbox.width / (x1 - x0)

    def scored():
        for side in (-avoid_side or 1, avoid_side or -1):
            ann = ax.annotate(text, (x, y), xytext=(7 * side, 0), textcoords="offset points",
                              ha="left" if side > 0 else "right", va="center", **kw)
            box = ann.get_window_extent(renderer).padded(2)
            lo, hi = (box.x0 - ax.bbox.x0) / px_per_unit + x0, (box.x1 - ax.bbox.x0) / px_per_unit + x0
            outside = box.x0 < ax.bbox.x0 or box.x1 > ax.bbox.x1
            yield ann, sum(lo <= o <= hi for o in obstacles) + (10 if outside else 0)

    style.keep_best(scored())


def dot_chart(data: pd.DataFrame, indicator_id: str, ax: Axes | None = None, legend: bool = True,
              note: bool = True, regions: Sequence[str] | None = None, values: bool = True,
              title_year: bool = True, row_labels: bool = True, names: dict[str, str] | None = None,
              panel: tuple[str, str] | None = None) -> Axes:
    """A dot chart of one indicator (tidy data of :func:`latest_by_region`): one row per region,
    the region's latest value as a dot coloured by its comparison with the national value
    (better / similar / worse), the national value of the same (or nearest) year as a vertical
    grey line on the row, the province's value as a small green diamond. Values with
    data-quality findings are drawn as a hollow ring with a footnote mark, explained in a note
    under the chart (``note``). Rows follow ``regions`` (default: the regions of ``data`` in
    order); a region without a value says "not reported". ``values`` writes each value beside its
    dot; ``row_labels`` False hides the region names (a panel right of one that shows them);
    ``panel`` (short name, unit: :func:`planlib.report.words.indicator_words`) titles the chart
    when ``data`` has no row for the indicator.
    Returns the axes."""
    if ax is None:
        style.set_style()
        _, ax = plt.subplots(figsize=(style.FIG_WIDTH_IN, 2.8), layout="constrained")
    regions = list(regions) if regions is not None else _region_order(data)
    names = names if names is not None else _region_names(data)
    d = data[data["indicator_id"] == indicator_id]
    labels, common = _row_labels(d, regions, names)
    ax.set_title(_indicator_title(d, indicator_id, panel) + (f", {common}" if common and title_year else ""), loc="left")
    by = d.set_index("region_id")
    xs = pd.concat([d["value_std"], d["national_value"], d["province_value"]]).dropna()
    lo, hi = (float(xs.min()), float(xs.max())) if len(xs) else (0.0, 1.0)
    span = max(hi - lo, abs(hi) * 0.05, 1e-6)
    if lo >= 0 and lo < 0.3 * span and indicator_id not in ABSOLUTE_CHANGE:
        lo = 0.0  # rates: show zero
    _fit_xlim(ax, lo, hi, 0.1)
    ax.set_ylim(len(regions) - 0.5, -0.5)
    ax.set_yticks(range(len(regions)), labels)
    ax.tick_params(axis="y", length=0, labelleft=row_labels)
    ax.grid(axis="y", color="#d9d9d9", linewidth=0.6)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=4))
    ax.xaxis.set_major_formatter(mpl.ticker.FormatStrFormatter("%g"))
    pending = []
    for y, rid in enumerate(regions):
        if rid not in by.index or pd.isna(by.loc[rid, "value_std"]):
            ax.text(0.5, y, "not reported", transform=ax.get_yaxis_transform(), ha="center", va="center",
                    fontsize=style.SMALL_FONT_PT, color="#555555", style="italic")
            continue
        r = by.loc[rid]
        v = float(r["value_std"])
        obstacles = []
        if pd.notna(r["national_value"]):
            ax.plot([r["national_value"]] * 2, [y - 0.36, y + 0.36], color=style.COLORS["national"],
                    linewidth=1.8, solid_capstyle="butt", zorder=2, gid="dot-national")
            obstacles.append(float(r["national_value"]))
        color = COMPARISON_COLORS.get(str(r["comparison"]), "#444444")
        flagged = bool(r["n_findings"]) if pd.notna(r["n_findings"]) else False
        ax.plot([v], [y], marker="o", markersize=7.5, linestyle="none", zorder=4,
                markerfacecolor="white" if flagged else color, markeredgecolor=color,
                markeredgewidth=2.0 if flagged else 0.8, gid="dot-region-flagged" if flagged else "dot-region")
        if pd.notna(r["province_value"]):
            ax.plot([r["province_value"]], [y], marker="D", markersize=4.2, linestyle="none", zorder=5,
                    color=style.COLORS["province"], markeredgecolor="white", markeredgewidth=0.6,
                    gid="dot-province")
            obstacles.append(float(r["province_value"]))
        text = (_fmt(v) if values else "") + (FINDING_MARK if flagged else "")
        if text:
            nat = r["national_value"]
            side = 0 if pd.isna(nat) else (1 if nat > v else -1)
            pending.append((text, v, y, obstacles, side, flagged))
    # legend and note first: labels are placed in the final axes
    fig = ax.figure
    layout = fig.get_layout_engine() is not None
    if legend:
        ax.legend(handles=dot_legend_handles(d), loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  borderaxespad=0, handlelength=1.6)
    n = _finding_note(d) if note else None
    if n:
        if layout:
            fig.draw_without_rendering()
        room_pt = (fig.bbox.x1 - ax.bbox.x0) * 72 / fig.dpi - 6
        ax.annotate(textwrap.fill(n, max(40, int(room_pt / (style.SMALL_FONT_PT * 0.56)))), (0, 0),
                    xycoords="axes fraction", xytext=(0, -24), textcoords="offset points", ha="left", va="top",
                    fontsize=style.SMALL_FONT_PT, color="#333333", annotation_clip=False, gid="dot-note")
    if pending:
        if layout:
            fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        widest = 0.0
        for text, *_ in pending:
            t = ax.text(0, 0, text, fontsize=style.SMALL_FONT_PT, fontweight="bold")
            widest = max(widest, t.get_window_extent(renderer).width)
            t.remove()
        # room beside the outermost markers for a label (offset 7 pt + 2 px padding)
        share = (widest + 7 * fig.dpi / 72 + 4) / max(ax.bbox.width, 1.0)
        _fit_xlim(ax, lo, hi, min(share, 0.35))
        for text, v, y, obstacles, side, flagged in pending:
            _place_value_label(ax, text, v, y, obstacles, side, fontsize=style.SMALL_FONT_PT, color="#222222",
                               zorder=6, fontweight="bold" if flagged else "normal")
    return ax


def _fit_xlim(ax: Axes, lo: float, hi: float, share: float) -> None:
    """x limits leaving ``share`` of the axes width free beyond ``lo`` and beyond ``hi``."""
    span = max(hi - lo, abs(hi) * 0.05, 1e-6)
    width = span / (1 - 2 * share)
    ax.set_xlim(lo - share * width, hi + share * width)


def dot_legend_handles(data: pd.DataFrame | None = None) -> list[Line2D]:
    """Legend entries of the dot charts (comparisons present in ``data``, benchmarks, finding mark)."""
    present = set(data["comparison"].dropna()) if data is not None and not data.empty else set(COMPARISON_COLORS)
    handles = [Line2D([], [], marker="o", linestyle="none", markersize=7, color=c, label=COMPARISON_LABELS[k])
               for k, c in COMPARISON_COLORS.items() if k in present]
    handles += [
        Line2D([], [], color=style.COLORS["national"], linewidth=1.8, label="National, same or nearest year"),
        Line2D([], [], marker="D", linestyle="none", markersize=4.2, color=style.COLORS["province"],
               markeredgecolor="white", label="Province"),
        Line2D([], [], marker="o", linestyle="none", markersize=7, markerfacecolor="white",
               markeredgecolor="#444444", markeredgewidth=2.0, label=f"Data-quality finding {FINDING_MARK}"),
    ]
    return handles


def _refs_frame(*cols: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"ref": pd.concat([c.dropna().astype(str) for c in cols], ignore_index=True)})


def _add_notes_and_source(fig: Figure, notes: list[str], source: str) -> None:
    """The source line under the figure, preceded by notes (each its own wrapped paragraph)."""
    txt = style.add_source_line(fig, source)
    width_pt = (fig.get_figwidth() - 2 * style.PAD_IN) * 72
    chars = max(40, int(width_pt / (txt.get_fontsize() * 0.56)))
    wrapped = [textwrap.fill(n, width=chars, break_long_words=False, break_on_hyphens=False) for n in notes if n]
    txt.set_text("\n".join(wrapped + [txt.get_text()]))
    style.arrange_bands(fig)


def _title(fig: Figure, text: str) -> None:
    """The figure title, wrapped to the figure width."""
    chars = int((fig.get_figwidth() - 0.2) * 72 / (mpl.rcParams["figure.titlesize"] * 0.62))
    style.add_title(fig, textwrap.fill(text, chars))


def core_dot_charts(path=None, data: pd.DataFrame | None = None) -> Figure:
    """Small multiples (4 × 2) of :func:`dot_chart` for the eight core indicators, with a title,
    one legend, a note on the data-quality findings and a source line carrying the significance
    caveat. Rows are the same regions in the same order in every panel; a right-hand panel
    whose row labels repeat its left neighbour's drops them."""
    data = latest_by_region(CORE_INDICATORS, path) if data is None else data
    regions = plan_regions(path)
    names = _region_names(data) | {r: n for r, n in _names(path).items() if r not in set(data["region_id"])}
    style.set_style()
    fig, axes = plt.subplots(4, 2, figsize=(style.FIG_WIDTH_IN, 8.8), layout="constrained")
    years = data["year"].dropna().astype(int)
    common = int(years.mode().min()) if len(years) else None
    # title, legend and source first, so that value labels are placed in the final axes
    when = f" ({common} unless stated)" if common else ""
    _title(fig, f"Plan regions against the national value: latest reported value{when}")
    style.add_figure_legend(fig, dot_legend_handles(data), ncols=3)
    src = style.source_line_text(_refs_frame(data["ref"], data["national_ref"], data["province_ref"]),
                                 tables=load_tables(path))
    _add_notes_and_source(fig, [_finding_note(data), SIGNIFICANCE_CAVEAT_SHORT], src)
    labels = {ind: _row_labels(data[data["indicator_id"] == ind], regions, names)[0] for ind in CORE_INDICATORS}
    panels = indicator_words(load_tables(path).indicator_index, CORE_INDICATORS, "en")
    for i, (ax, ind) in enumerate(zip(axes.ravel(), CORE_INDICATORS)):
        repeat = i % 2 == 1 and labels[ind] == labels[CORE_INDICATORS[i - 1]]
        dot_chart(data, ind, ax=ax, legend=False, note=False, regions=regions, title_year=False,
                  row_labels=not repeat, names=names, panel=panels[ind])
    return fig


# --- how ambitious the 2025 targets are ---------------------------------------------------

def _national_targets(obs: pd.DataFrame, path=None) -> dict[str, dict]:
    """Per indicator: the headline national 14th-plan target (as assess_progress("china") picks
    it), the other national target rows and every level they state or imply."""
    head = assess_progress("china", path)
    head = head[(head["target_basis"] == "own plan") & (head["target_year"] == TARGET_YEAR)]
    out: dict[str, dict] = {}
    for _, h in head.iterrows():
        ind = h["indicator_id"]
        rows = obs[(obs["region_id"] == "china") & (obs["indicator_id"] == ind) & (obs["kind"] == "target")
                   & (obs["plan_cycle"] == "14th") & (obs["year"] == TARGET_YEAR)]
        levels, others, relative = [], [], None
        refs = [r["ref"] for _, r in rows.iterrows() if r["ref"] != h["target_ref"]]
        for _, r in rows.iterrows():
            if pd.notna(r["value_std"]):
                levels.append(float(r["value_std"]))
                if r["ref"] != h["target_ref"] or r["value_text"] != h["target_text"]:
                    others.append(f"{r['value_text']} ({r['ref']})")
                continue
            base = baseline_for(obs, "china", ind, TARGET_YEAR, "14th", r["source_id"])
            d = derive_relative(str(r["value_text"]), float(base["value_std"])) if base is not None else None
            if d is None:
                others.append(f"{r['value_text']} ({r['ref']})")
                continue
            levels.append(d[0])
            relative = str(r["value_text"])
            others.append(f"{r['value_text']} ({r['ref']}): {_fmt(round(d[0], 4))} on the national "
                          f"{int(base['year'])} value {_fmt(base['value_std'])}")
        out[ind] = {"value": float(h["target_value"]) if pd.notna(h["target_value"]) else None,
                    "comparator": h["comparator"], "text": h["target_text"], "ref": h["target_ref"],
                    "others": "; ".join(others), "other_refs": "; ".join(dict.fromkeys(refs)),
                    "levels": sorted(set(round(v, 6) for v in levels)),
                    "relative": relative}
    return out


def target_ambition(path=None, indicators: Sequence[str] = CORE_INDICATORS) -> pd.DataFrame:
    """For each plan region and core indicator with a numeric (or derived) 2025 target of its own:
    the baseline (2020, else the latest actual before 2025), the annual change needed to reach the
    target (absolute years for life expectancy, compound rate otherwise), the national 2025
    target and the annual change it would need from the same baseline, side by side;
    ``copies_national`` (the regional target level equals a national 2025 target level, stated
    or derived) and ``already_met`` (the baseline already meets the region's target)."""
    t = load_tables(path)
    obs = t.enriched
    obs = obs[obs["unit_ok"]]
    names = _names(path)
    national = _national_targets(obs, path)
    iw = indicator_words(t.indicator_index, tuple(indicators), "en")
    rows = []
    for rid in plan_regions(path):
        prog = assess_progress(rid, path)
        prog = prog[(prog["target_basis"] == "own plan") & (prog["target_year"] == TARGET_YEAR)
                    & prog["indicator_id"].isin(indicators) & prog["target_value"].notna()]
        for _, p in prog.iterrows():
            ind = p["indicator_id"]
            absolute = ind in ABSOLUTE_CHANGE
            rec = dict.fromkeys(AMBITION_COLUMNS)
            tv = float(p["target_value"])
            rec.update(region_id=rid, region_name=names[rid], indicator_id=ind, indicator_name=iw[ind][0],
                       unit=p["unit"], unit_label=iw[ind][1], direction=p["direction"], target_year=TARGET_YEAR, comparator=p["comparator"],
                       target_value=tv, target_text=p["target_text"], target_ref=p["target_ref"],
                       target_derived=bool(p["target_derived"]),
                       change_measure="absolute per year" if absolute else "compound annual rate")
            n = national.get(ind)
            notes = []
            if n is not None:
                rec.update(national_comparator=n["comparator"], national_target_value=n["value"],
                           national_target_text=n["text"], national_target_ref=n["ref"],
                           national_other_targets=n["others"], national_other_refs=n["other_refs"],
                           national_target_levels="; ".join(_fmt(v) for v in n["levels"]))
            rec["copies_national"] = bool(n is not None and any(math.isclose(tv, v, abs_tol=1e-9) for v in n["levels"]))
            base = baseline_for(obs, rid, ind, TARGET_YEAR, "14th", p["target_source"])
            if base is None or pd.isna(base["value_std"]):
                notes.append("no baseline reported")
            else:
                b, by = float(base["value_std"]), int(base["year"])
                years = TARGET_YEAR - by
                rec.update(baseline_year=by, baseline_value=b, baseline_ref=base["ref"])
                rec["already_met"] = bool(meets(b, p["comparator"], tv, p["direction"]))
                rec["required_annual_change"] = annual_change(b, tv, years, absolute)
                if rec["required_annual_change"] is None:
                    notes.append(f"a compound rate is undefined from a baseline of {_fmt(b)}")
                if n is not None and n["value"] is not None:
                    rec["national_already_met"] = bool(meets(b, n["comparator"], n["value"], p["direction"]))
                    rec["national_required_annual_change"] = annual_change(b, n["value"], years, absolute)
                if n is not None and n["relative"] is not None:
                    d = derive_relative(n["relative"], b)
                    if d is not None:
                        rec["national_relative_required_annual_change"] = annual_change(b, d[0], years, absolute)
                        notes.append(f"national {n['relative']} applied to this baseline gives {_fmt(round(d[0], 4))}")
            rec["note"] = "; ".join(notes)
            rows.append(rec)
    df = pd.DataFrame(rows, columns=AMBITION_COLUMNS)
    df["baseline_year"] = df["baseline_year"].astype("Int64")
    df["target_year"] = df["target_year"].astype("Int64")
    for c in ("baseline_value", "target_value", "required_annual_change", "national_target_value",
              "national_required_annual_change", "national_relative_required_annual_change"):
        df[c] = df[c].astype(float)
    for c in ("already_met", "national_already_met"):
        df[c] = df[c].astype("boolean")
    df["copies_national"] = df["copies_national"].astype(bool)
    return df.reset_index(drop=True)


def copied_targets(data: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`target_ambition` whose target copies a national 2025 target level."""
    cols = ["region_name", "indicator_id", "target_text", "target_ref", "national_target_text",
            "national_target_ref", "baseline_year", "baseline_value", "already_met"]
    return data.loc[data["copies_national"], cols].reset_index(drop=True)


def copied_targets_markdown(data: pd.DataFrame) -> str:
    """One sentence per region that copied national 2025 targets unchanged (computed from ``data``)."""
    c = data[data["copies_national"]]
    if c.empty:
        return "No plan's 2025 target for a core indicator equals a national 2025 target."
    out = []
    for rid, g in c.groupby("region_id", sort=False):
        items = [f"{r['indicator_name'].lower()} ({r['target_text']}, "
                 f"{r['target_ref']}; national {r['national_target_text']}, {r['national_target_ref']})"
                 for _, r in g.iterrows()]
        met = g["already_met"].fillna(False).astype(bool)
        tail = ""
        if met.all():
            tail = (f" {'All of these were' if len(g) > 1 else 'It was'} already met by the "
                    f"{int(g['baseline_year'].max())} baseline, so the copied target asks for no improvement.")
        elif met.any():
            tail = f" {int(met.sum())} of them already met by the baseline."
        out.append(f"- **{g['region_name'].iloc[0]}** copied {len(g)} national target"
                   f"{'s' if len(g) > 1 else ''}: {'; '.join(items)}.{tail}")
    others = [n for rid, n in data.groupby("region_id", sort=False)["region_name"].first().items()
              if rid not in set(c["region_id"])]
    if others:
        out.append(f"- No copied target in: {', '.join(others)}.")
    return "\n".join(out)


_AMBITION_STYLE = {
    "region": dict(marker="o", markersize=7, color=style.COLORS["region"], linestyle="none", zorder=4),
    "national": dict(marker="D", markersize=6, markerfacecolor="none", markeredgecolor="#333333",
                     markeredgewidth=1.4, linestyle="none", zorder=5),
    "national relative": dict(marker="^", markersize=6.5, markerfacecolor="none",
                              markeredgecolor=style.COLORS["required path"], markeredgewidth=1.4,
                              linestyle="none", zorder=5),
}


def ambition_legend_handles(data: pd.DataFrame | None = None) -> list[Line2D]:
    """Legend entries of :func:`ambition_chart` (the relative national target only where ``data`` has one)."""
    out = [Line2D([], [], label="Region's own 2025 target", **_AMBITION_STYLE["region"]),
           Line2D([], [], label="National 2025 target level", **_AMBITION_STYLE["national"])]
    if data is None or data["national_relative_required_annual_change"].notna().any():
        out.append(Line2D([], [], label="National target stated as a change, applied to the region",
                          **_AMBITION_STYLE["national relative"]))
    return out


def _true(v) -> bool:
    return v is not None and not pd.isna(v) and bool(v)


def _false(v) -> bool:
    return v is not None and not pd.isna(v) and not bool(v)


def _row_text(ax: Axes, y: float, text: str, x: float = 0.5, ha: str = "center") -> None:
    ax.text(x, y, text, transform=ax.get_yaxis_transform(), ha=ha, va="center",
            fontsize=style.SMALL_FONT_PT, color="#444444", style="italic")


def _ambition_points(r: pd.Series, scale: float) -> list[tuple[str, float]]:
    """The markers of one row: required change to the region's target, to the national level and
    for the national relative target; targets already met at baseline are not plotted."""
    pts = []
    if _false(r["already_met"]) and pd.notna(r["required_annual_change"]):
        pts.append(("region", r["required_annual_change"] * scale))
    if _false(r["national_already_met"]) and pd.notna(r["national_required_annual_change"]):
        pts.append(("national", r["national_required_annual_change"] * scale))
    if pd.notna(r["national_relative_required_annual_change"]):
        pts.append(("national relative", r["national_relative_required_annual_change"] * scale))
    return pts


def _ambition_words(r: pd.Series) -> str:
    """What the row says in words: copied, met at baseline, no national target..."""
    words = []
    if _true(r["copies_national"]):
        words.append("copies national")
    if _true(r["already_met"]):
        words.append("met at baseline")
    elif pd.isna(r["required_annual_change"]):
        words.append("no rate from 0")
    if pd.isna(r["national_target_value"]):
        words.append("no national target")
    elif _true(r["national_already_met"]) and not _true(r["already_met"]):
        words.append("national level met" if pd.notna(r["national_relative_required_annual_change"])
                     else "national target met")
    return ", ".join(words)


def _ambition_panel(ax: Axes, d: pd.DataFrame, indicator_id: str, regions: list[str], names: dict,
                    row_labels: bool = True) -> None:
    """One indicator: per region, the annual change needed for its own target and the national one."""
    absolute = indicator_id in ABSOLUTE_CHANGE
    scale = 1.0 if absolute else 100.0
    name = d["indicator_name"].iloc[0] if not d.empty else indicator_id
    ax.set_title(f"{name}\n"
                 f"{'years' if absolute else '%'} per year needed", loc="left")
    by = d.set_index("region_id")
    points = {rid: _ambition_points(by.loc[rid], scale) for rid in regions if rid in by.index}
    xs = [v for pts in points.values() for _, v in pts] + [0.0]
    lo, hi = min(xs), max(xs)
    span = max(hi - lo, 0.2 if absolute else 2.0)
    ax.set_xlim(lo - 0.12 * span, hi + 0.12 * span)
    ax.set_ylim(len(regions) - 0.5, -0.5)
    ax.axvline(0, color="#444444", linewidth=0.9, zorder=1)
    ax.set_yticks(range(len(regions)), [names.get(r, r) for r in regions])
    ax.tick_params(axis="y", length=0, labelleft=row_labels)
    ax.grid(axis="y", color="#d9d9d9", linewidth=0.6)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=4))
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(
        lambda v, _: ("+" if v > 1e-9 else "−" if v < -1e-9 else "") + f"{abs(v):g}"))
    x0, x1 = ax.get_xlim()
    for y, rid in enumerate(regions):
        if rid not in by.index:
            _row_text(ax, y, "no numeric target of its own")
            continue
        r = by.loc[rid]
        if pd.isna(r["baseline_value"]):
            _row_text(ax, y, "no baseline reported")
            continue
        pts = points[rid]
        vals = [v for _, v in pts]
        if len(pts) > 1:
            ax.plot([min(vals), max(vals)], [y, y], color="#9a9a9a", linewidth=1.2, zorder=2)
        for kind, v in pts:
            ax.plot([v], [y], **_AMBITION_STYLE[kind], gid=f"ambition-{kind.replace(' ', '-')}")
        text = _ambition_words(r)
        if not text:
            continue
        if not vals:
            _row_text(ax, y, text)
        elif x1 - max(vals) >= min(vals) - x0:
            ax.annotate(text, (max(vals), y), xytext=(7, 0), textcoords="offset points", ha="left", va="center",
                        fontsize=style.SMALL_FONT_PT, color="#444444", style="italic", zorder=6)
        else:
            ax.annotate(text, (min(vals), y), xytext=(-7, 0), textcoords="offset points", ha="right",
                        va="center", fontsize=style.SMALL_FONT_PT, color="#444444", style="italic", zorder=6)


def ambition_chart(data: pd.DataFrame, ax: Axes | Sequence[Axes] | np.ndarray | None = None,
                   indicators: Sequence[str] | None = None):
    """Required annual change to each region's own 2025 target (blue dot) against the change the
    national 2025 target would require from the same baseline (open diamond), one panel per
    indicator (tidy data of :func:`target_ambition`). Life expectancy is in years per year,
    the rates in % per year (compound). Targets already met at baseline, copied from the
    national plans or without a baseline are written on their row instead of plotted.

    ``ax``: one Axes (``data`` or ``indicators`` must then name a single indicator) or a
    sequence of Axes, one per indicator; None creates a 4 × 2 figure. Returns the Axes given (or
    the array of axes)."""
    indicators = list(indicators) if indicators is not None else [
        i for i in CORE_INDICATORS if i in set(data["indicator_id"])] or list(dict.fromkeys(data["indicator_id"]))
    single = isinstance(ax, Axes)
    if single and len(indicators) != 1:
        raise ValueError(f"one Axes draws one indicator; data has {len(indicators)} ({', '.join(indicators)}): "
                         "pass one Axes per indicator or select one with indicators=[...]")
    if ax is None:
        style.set_style()
        ncols = 2 if len(indicators) > 1 else 1
        nrows = math.ceil(len(indicators) / ncols)
        _, axs = plt.subplots(nrows, ncols, figsize=(style.FIG_WIDTH_IN, 1.0 + 1.9 * nrows),
                              layout="constrained", squeeze=False)
        axes = list(axs.ravel())
        for extra in axes[len(indicators):]:
            extra.set_visible(False)
    else:
        axes = [ax] if single else list(np.ravel(ax))
    if len(axes) < len(indicators):
        raise ValueError(f"need {len(indicators)} axes, got {len(axes)}")
    regions = _region_order(data)
    names = _region_names(data)
    for i, (a, ind) in enumerate(zip(axes, indicators)):
        # in a two-column grid made here, the right-hand column repeats the row labels: drop them
        _ambition_panel(a, data[data["indicator_id"] == ind], ind, regions, names,
                        row_labels=not (ax is None and i % 2 == 1))
    return ax if single else np.array(axes[: len(indicators)])


def ambition_figure(path=None, data: pd.DataFrame | None = None) -> Figure:
    """:func:`ambition_chart` for all core indicators with a title, legend and source line."""
    data = target_ambition(path) if data is None else data
    axes = ambition_chart(data)
    fig = axes[0].figure
    years = data["baseline_year"].dropna().astype(int)
    base = f"the {int(years.mode().min())} baseline" if len(years) else "the baseline"
    _title(fig, f"How ambitious are the {TARGET_YEAR} targets? Annual change needed from {base}, "
                f"own target against the national one")
    style.add_figure_legend(fig, ambition_legend_handles(data), ncols=2)
    src = style.source_line_text(_refs_frame(data["baseline_ref"], data["target_ref"], data["national_target_ref"],
                                             data["national_other_refs"].replace("", None)), tables=load_tables(path))
    note = ("Required change = (target − baseline) / years for life expectancy, else the compound annual "
            "rate (target / baseline)^(1/years) − 1; negative = a fall (the aim for mortality). The national "
            "target is applied to each region's own baseline.")
    names = _names(path)
    without = [names[r] for r in plan_regions(path) if r not in set(data["region_id"])]
    if without:
        note += f" No 2025 targets of its own for these indicators: {', '.join(without)}."
    _add_notes_and_source(fig, [note], src)
    return fig
