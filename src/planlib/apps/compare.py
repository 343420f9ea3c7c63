"""The cross-region views: the plan regions side by side, against the nation and their province.

Two questions, each answered by a tidy table (:mod:`planlib.analysis.cross_region`) and a chart
drawn here:

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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from planlib.analysis.comparison import TOLERANCE_ABS, TOLERANCE_REL
from planlib.analysis.cross_region import TARGET_YEAR, latest_by_region, target_ambition
from planlib.analysis.targets import ABSOLUTE_CHANGE
from planlib.data.tables import CORE_INDICATORS, load_tables, plan_regions
from planlib.data.values import num_text
from planlib.report import style
from planlib.report.escape import md_text
from planlib.report.words import words

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
    "cannot be told apart": style.PALETTE[5],
    "data in doubt": "#d0d0d0",
}
COMPARISON_LABELS = {"better": "Better than national", "similar": "Similar to national",
                     "worse": "Worse than national", "different": "Different from national",
                     "cannot be told apart": "Cannot be told apart (small numbers)",
                     "data in doubt": "Data in doubt: not compared"}
#: Footnote symbol next to a point that has data-quality findings.
FINDING_MARK = "†"

def _indicator_title(d: pd.DataFrame, indicator_id: str, panel: tuple[str, str] | None) -> str:
    """A panel's title, "name\\nunit": from its rows, else from ``panel``, else the indicator id."""
    if not d.empty:
        return f"{d['indicator_name'].iloc[0]}\n{d['unit_label'].iloc[0]}"
    name, unit = panel or (indicator_id, "")
    return f"{name}\n{unit}"


# --- where each region stands -------------------------------------------------------------

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
    ``panel`` (short name, unit: :meth:`planlib.data.tables.Tables.indicator_words`) titles the chart
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
        text = (num_text(v) if values else "") + (FINDING_MARK if flagged else "")
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
    names = _region_names(data) | {r: n for r, n in load_tables(path).region_names("en").items() if r not in set(data["region_id"])}
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
    panels = load_tables(path).indicator_words(CORE_INDICATORS, "en")
    for i, (ax, ind) in enumerate(zip(axes.ravel(), CORE_INDICATORS)):
        repeat = i % 2 == 1 and labels[ind] == labels[CORE_INDICATORS[i - 1]]
        dot_chart(data, ind, ax=ax, legend=False, note=False, regions=regions, title_year=False,
                  row_labels=not repeat, names=names, panel=panels[ind])
    return fig


# --- how ambitious the 2025 targets are ---------------------------------------------------

def copied_targets_markdown(data: pd.DataFrame) -> str:
    """One sentence per region that copied national 2025 targets unchanged (computed from ``data``)."""
    c = data[data["copies_national"]]
    if c.empty:
        return "No plan's 2025 target for a core indicator equals a national 2025 target."
    out = []
    for rid, g in c.groupby("region_id", sort=False):
        items = [f"{md_text(r['indicator_name'].lower())} ({md_text(r['target_text'])}, "
                 f"{md_text(r['target_ref'])}; national {md_text(r['national_target_text'])}, "
                 f"{md_text(r['national_target_ref'])})"
                 for _, r in g.iterrows()]
        met = g["already_met"].fillna(False).astype(bool)
        tail = ""
        if met.all():
            tail = (f" {'All of these were' if len(g) > 1 else 'It was'} already met by the "
                    f"{int(g['baseline_year'].max())} baseline, so the copied target asks for no improvement.")
        elif met.any():
            tail = f" {int(met.sum())} of them already met by the baseline."
        out.append(f"- **{md_text(g['region_name'].iloc[0])}** copied {len(g)} national target"
                   f"{'s' if len(g) > 1 else ''}: {'; '.join(items)}.{tail}")
    others = [n for rid, n in data.groupby("region_id", sort=False)["region_name"].first().items()
              if rid not in set(c["region_id"])]
    if others:
        out.append(f"- No copied target in: {', '.join(map(md_text, others))}.")
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
    names = load_tables(path).region_names("en")
    without = [names[r] for r in plan_regions(path) if r not in set(data["region_id"])]
    if without:
        note += f" No 2025 targets of its own for these indicators: {', '.join(without)}."
    _add_notes_and_source(fig, [note], src)
    return fig


# --- slides ---------------------------------------------------------------------------------

#: A slide: 16:9, 1280 × 720 pixels at 100 dpi.
SLIDE_SIZE_IN = (12.8, 7.2)
SLIDE_DPI = 100
#: The smallest type on a slide (points at 1280 × 720), and the title's size when it fits.
SLIDE_MIN_PT = 18.0
SLIDE_TITLE_PT = 26.0
#: Order of the comparisons in a slide's message and legend.
_SLIDE_ORDER = ["better", "similar", "worse", "different", "cannot be told apart", "data in doubt"]


def slide_message(data: pd.DataFrame, indicator_id: str, regions: Sequence[str], lang: str = "en") -> str:
    """The one message of an indicator's slide, from the comparisons in ``data``
    (:func:`latest_by_region`): how many regions are better, similar, worse than the national
    value, cannot be told apart, are in doubt or report nothing ("3 better than national, 1 in
    doubt, 1 not reported"; "all 5 regions better than national")."""
    w = words(lang, "app")
    d = data[(data["indicator_id"] == indicator_id) & data["region_id"].isin(regions)]
    counts = d["comparison"].value_counts()
    missing = len(set(regions) - set(d["region_id"]))
    if len(counts) == 1 and not missing and f"slide.all.{counts.index[0]}" in w:
        return w[f"slide.all.{counts.index[0]}"].format(n=int(counts.iloc[0]))
    order = [k for k in _SLIDE_ORDER if k in counts.index] + [k for k in counts.index if k not in _SLIDE_ORDER]
    # comparisons with the nation first, the largest group first; values in doubt after them
    order = sorted(order, key=lambda k: (k == "data in doubt", -int(counts[k])))
    # the first group in full ("4 better than national"), the others short ("1 worse")
    parts = [w.get(f"slide.{k}" if i == 0 else f"slide.short.{k}", "{n} " + k).format(n=int(counts[k]))
             for i, k in enumerate(order)]
    if missing:
        parts.append(w["slide.not reported" if not parts else "slide.short.not reported"].format(n=missing))
    return w["slide.sep"].join(parts)


def _fit_title(fig: Figure, text: str) -> None:
    """The title on one line, as large as fits (SLIDE_TITLE_PT down to SLIDE_MIN_PT), else wrapped."""
    title = style.add_title(fig, text)
    renderer = fig.canvas.get_renderer()
    room = fig.bbox.width - 2 * style.PAD_IN * fig.dpi
    size = SLIDE_TITLE_PT
    title.set_fontsize(size)
    while title.get_window_extent(renderer).width > room and size > SLIDE_MIN_PT:
        size -= 1
        title.set_fontsize(size)
    if title.get_window_extent(renderer).width > room:
        chars = int(room / (size * fig.dpi / 72 * 0.6))
        title.set_text(style.wrap_display(text, chars))
    style.arrange_bands(fig)


def slide_figure(data: pd.DataFrame, indicator_id: str, path=None, lang: str = "en") -> Figure:
    """One slide (16:9, SLIDE_SIZE_IN) of one core indicator: a one-line title with the
    indicator and its message (:func:`slide_message`), one row per plan region with its latest
    value coloured by its comparison with the national value, the national value of the same or
    nearest year as a grey bar and the province's as a diamond, a legend, the significance caveat
    and a source line naming the documents (their lines are in the notebook's table). Every text
    is at least SLIDE_MIN_PT points at 1280 × 720 and stays on the canvas."""
    tables = load_tables(path)
    regions = plan_regions(path)
    names = tables.region_names(lang)
    w = words(lang, "app")
    name, unit = tables.indicator_words((indicator_id,), lang)[indicator_id]
    d = data[data["indicator_id"] == indicator_id].set_index("region_id")
    style.set_style()
    fig = Figure(figsize=SLIDE_SIZE_IN, dpi=SLIDE_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    _fit_title(fig, w["slide.title"].format(indicator=name, message=slide_message(data, indicator_id, regions, lang)))
    years = d["year"].dropna().astype(int)
    common = int(years.mode().min()) if len(years) else None
    present = [k for k in _SLIDE_ORDER if k in set(d["comparison"].dropna())]
    handles = [Line2D([], [], marker="o", linestyle="none", markersize=14, color=COMPARISON_COLORS[k],
                      label=w[f"slide.legend.{k}"]) for k in present]
    handles.append(Line2D([], [], color=style.COLORS["national"], linewidth=4, label=w["slide.legend.national"]))
    if d["province_value"].notna().any():
        handles.append(Line2D([], [], marker="D", linestyle="none", markersize=11, color=style.COLORS["province"],
                              markeredgecolor="white", label=w["slide.legend.province"]))
    flagged_any = bool((d["n_findings"].fillna(0) > 0).any())
    if flagged_any:
        handles.append(Line2D([], [], marker="o", linestyle="none", markersize=14, markerfacecolor="white",
                              markeredgecolor="#444444", markeredgewidth=3, label=w["slide.legend.finding"]))
    with mpl.rc_context({"legend.fontsize": SLIDE_MIN_PT}):
        leg = style.add_figure_legend(fig, handles, ncols=min(4, len(handles)))
        renderer = fig.canvas.get_renderer()
        ncols = min(4, len(handles))
        while leg.get_window_extent(renderer).width > fig.bbox.width - 2 * style.PAD_IN * fig.dpi and ncols > 1:
            ncols -= 1
            leg = style.add_figure_legend(fig, handles, ncols=ncols)
    refs = _refs_frame(d["ref"].astype(str).str.replace(r" L\d+", "", regex=True), d["national_ref"],
                       d["province_ref"])
    source = style.source_line_text(refs, lang, tables, cjk=None if lang != "en" else False)
    src = style.add_source_line(fig, source, fontsize=SLIDE_MIN_PT)
    room = fig.bbox.width - 2 * style.PAD_IN * fig.dpi
    renderer = fig.canvas.get_renderer()
    cells = int(room * 72 / fig.dpi / (SLIDE_MIN_PT * 0.5))
    while True:  # as wide as the slide, measured (digits and Chinese differ in width)
        src.set_text(style.wrap_display(w["slide.caveat"], cells) + "\n" + style.wrap_display(source, cells))
        if src.get_window_extent(renderer).width <= room or cells < 40:
            break
        cells -= 3
    style.arrange_bands(fig)
    # rows
    xs = pd.concat([d["value_std"], d["national_value"], d["province_value"]]).dropna()
    lo, hi = (float(xs.min()), float(xs.max())) if len(xs) else (0.0, 1.0)
    span = max(hi - lo, abs(hi) * 0.05, 1e-6)
    if lo >= 0 and lo < 0.3 * span and indicator_id not in ABSOLUTE_CHANGE:
        lo = 0.0
    _fit_xlim(ax, lo, hi, 0.14)
    ax.set_ylim(len(regions) - 0.5, -0.5)
    labels = []
    for y, rid in enumerate(regions):
        label = names.get(rid, rid)
        if rid in d.index and pd.notna(d.loc[rid, "year"]) and int(d.loc[rid, "year"]) != common:
            label = w["slide.year"].format(region=label, year=int(d.loc[rid, "year"]))
        labels.append(label)
    ax.set_yticks(range(len(regions)), labels)
    ax.tick_params(axis="y", length=0, labelsize=SLIDE_MIN_PT + 2)
    ax.tick_params(axis="x", labelsize=SLIDE_MIN_PT)
    ax.grid(axis="y", color="#d9d9d9", linewidth=1)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(mpl.ticker.FormatStrFormatter("%g"))
    ax.set_xlabel(w["slide.axis"].format(unit=unit, year=common) if common else unit, fontsize=SLIDE_MIN_PT)
    pending = []
    for y, rid in enumerate(regions):
        if rid not in d.index or pd.isna(d.loc[rid, "value_std"]):
            ax.text(0.5, y, w["slide.not_reported"], transform=ax.get_yaxis_transform(), ha="center", va="center",
                    fontsize=SLIDE_MIN_PT, color="#555555", style="italic")
            continue
        r = d.loc[rid]
        v = float(r["value_std"])
        if pd.notna(r["national_value"]):
            ax.plot([r["national_value"]] * 2, [y - 0.32, y + 0.32], color=style.COLORS["national"], linewidth=4,
                    solid_capstyle="butt", zorder=2)
        color = COMPARISON_COLORS.get(str(r["comparison"]), "#444444")
        flagged = bool(r["n_findings"]) if pd.notna(r["n_findings"]) else False
        ax.plot([v], [y], marker="o", markersize=16, linestyle="none", zorder=5,  # the region above the rest
                markerfacecolor="white" if flagged else color, markeredgecolor=color,
                markeredgewidth=3.5 if flagged else 1)
        if pd.notna(r["province_value"]):
            ax.plot([r["province_value"]], [y], marker="D", markersize=11, linestyle="none", zorder=4,
                    color=style.COLORS["province"], markeredgecolor="white", markeredgewidth=1)
        pending.append((num_text(v) + (FINDING_MARK if flagged else ""), v, y))
    style.freeze_layout(fig)
    placed: list = []
    for text, v, y in pending:
        cands = [((v, y), off, ha, "center") for off, ha in (((13, 0), "left"), ((-13, 0), "right"))]
        cands += [((v, y), (0, 13), "center", "bottom")]
        placed.append(style.place_label(ax, text, [(xy, off, ha, va) for xy, off, ha, va in cands], placed,
                                        fontsize=SLIDE_MIN_PT + 2, color="#222222", zorder=6))
    return fig


def slide_figures(path=None, data: pd.DataFrame | None = None, lang: str = "en") -> list[Figure]:
    """The slide version of the cross-region comparison: one :func:`slide_figure` per core
    indicator that any plan region reports, in the order of CORE_INDICATORS."""
    data = latest_by_region(CORE_INDICATORS, path) if data is None else data
    return [slide_figure(data, ind, path, lang) for ind in CORE_INDICATORS
            if (data["indicator_id"] == ind).any()]
