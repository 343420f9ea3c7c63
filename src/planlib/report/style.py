"""The house style of every planlib chart: rcParams, colours, the title, legend and source-line
bands, label placement, number text, the source line, and reproducible saving.

Colours come from seaborn's colour-blind palette and every series also differs by marker or
line style, so charts read in greyscale print; sizes are for the A4 text width at 100 %.
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

from planlib.data.tables import Tables, load_tables
from planlib.data.values import num_text
from planlib.files import atomic_open
from planlib.report.fonts import register_cjk_font
from planlib.report.words import word, words

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

PALETTE = sns.color_palette("colorblind").as_hex()
#: Colour of each role a series plays on a chart (seaborn "colorblind", distinguishable in print).
COLORS: dict[str, str] = {
    "region": PALETTE[0],         # blue
    "national": "#6f6f6f",         # dark grey (the palette's grey #949494, darkened for thin lines)
    "province": PALETTE[2],       # green
    "target": PALETTE[3],         # vermillion
    "required path": PALETTE[4],  # reddish purple
    "projected path": PALETTE[0],  # the region's blue, dotted: where its observed pace leads
}
SERIES = tuple(COLORS)


def darker(color: str, amount: float = 0.35) -> tuple[float, float, float]:
    """A darker shade of ``color`` for text (light palette colours are too faint as thin text)."""
    r, g, b = mpl.colors.to_rgb(color)
    return (r * (1 - amount), g * (1 - amount), b * (1 - amount))


#: Text colours: each role colour darkened enough to read as small text on white.
TEXT_COLORS: dict[str, tuple[float, float, float]] = {k: darker(v, 0.3) for k, v in COLORS.items()}


def house_rc() -> dict:
    """The rcParams of the house style (seaborn paper context, colorblind palette, light grid)."""
    rc = {}
    rc.update(sns.axes_style("whitegrid", {
        "grid.color": "#e6e6e6", "axes.edgecolor": "#444444",
        "axes.spines.top": False, "axes.spines.right": False,
    }))
    rc.update(sns.plotting_context("paper", font_scale=FONT_SCALE))
    rc.update({
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "axes.titleweight": "bold",
        "figure.titlesize": 11.0,
        "figure.titleweight": "bold",
        "figure.dpi": 100,
        "savefig.dpi": PNG_DPI,
        "svg.hashsalt": SVG_HASHSALT,
        "legend.frameon": False,
        "axes.titlelocation": "left",
        # titles sit at the top of the axes (nothing is drawn above it): set, not searched for at
        # every draw (matplotlib measures every tick label to place a title otherwise)
        "axes.titley": 1.0,
    })
    cjk = register_cjk_font()
    # DejaVu draws Latin text and numbers; Chinese characters fall back to the CJK font.
    rc["font.family"] = ["DejaVu Sans"] + ([cjk] if cjk else [])
    return rc


def set_style() -> None:
    """Apply the house style to matplotlib's rcParams. Idempotent: calling it again changes nothing."""
    mpl.rcParams.update(house_rc())


COMPARATOR_SYMBOLS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "~": "≈", "=": ""}


def target_text(value: float, comparator: str) -> str:
    """A target as a chart prints it: comparator symbol and number (\u201c>79\u201d)."""
    return f"{COMPARATOR_SYMBOLS.get(comparator, '')}{num_text(value)}"


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
    lab = words(lang, "chart")
    return lab["source.comma"] + word(lang, "chart", key, lines=lab["source.list"].join(map(str, lines)))


def source_line_text(data: pd.DataFrame, lang: str = "en", tables: Tables | None = None,
                     cjk: bool | None = None) -> str:
    """The source line for the sources a chart plots (from the ``ref`` column of its tidy data).

    Local plans come first with the lines the numbers were read from; national and provincial
    benchmark sources follow, grouped. ``tables``: the loaded tables the refs come from (default: the
    bundled data). Local plans are named by their title in ``lang`` (English where sources.csv gives
    one) and date; a Chinese title where ``cjk`` is false (default: whether the configured font can
    draw Chinese) by a description in ``lang`` instead, so that no glyph is missing.
    """
    lab = words(lang, "chart")
    if cjk is None:
        cjk = default_font_has_cjk()
    t = tables if tables is not None else load_tables()
    src = t.source_index
    src_region = t.source_regions  # the region each source reports on
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
            title = t.source_title(sid, lang)
            if cjk or not re.search(r"[\u4e00-\u9fff]", title):  # a title the font can draw
                date = src.loc[sid, "date"]
                name = title + (lab["source.date"].format(date=date) if pd.notna(date) else "")
            else:
                m = re.search(r"(\d+(?:st|nd|rd|th))", sid)
                cycle = word(lang, "chart", "source.cycle", cycle=m.group(1)) if m else ""
                region = t.region_name(rid, lang) if rid else sid
                name = word(lang, "chart", f"source.{kind}", region=region, cycle=cycle)
                if "draft" in sid:
                    name += lab["source.draft"]
            local.append(name + _lines_text(sorted(lines), lang))
        else:
            groups.setdefault(rid or "", {}).setdefault(kind, []).append(sid)
    parts = list(local)
    order = ["china"] + sorted(k for k in groups if k != "china")
    for rid in order:
        if rid not in groups:
            continue
        kinds = groups[rid]
        where = lab["source.group.china"] if rid == "china" else (t.region_name(rid, lang) if rid else "")
        descr = []
        for kind in ("statistical bulletin", "national plan", "press", *sorted(kinds)):
            if kind not in kinds:
                continue
            key = f"source.{kind}" if f"source.{kind}" in lab else "source.other"
            titles = lab["source.list"].join(t.source_title(i, lang) for i in kinds.pop(kind) if i in src.index)
            descr.append(lab[key].format(titles=titles))
        parts.append((f"{where}{lab['source.colon']}" if where else "") + lab["source.list"].join(descr))
    parts.append(lab["source.suffix"])
    return lab["source.prefix"] + lab["source.sep"].join(parts)


GID_TITLE, GID_LEGEND, GID_SOURCE = "planlib-title", "planlib-legend", "source-line"
PAD_IN = 0.07  # margin around the title, legend and source bands (inches)


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


#: Punctuation a Chinese line never starts with: it stays at the end of the line before.
_NO_LINE_START = set("，。、；：？！）》」』”’")


def wrap_display(text: str, width: int) -> str:
    """Wrap text to ``width`` display cells: Chinese characters count double and may break
    anywhere except before closing punctuation (，。；）…); Latin words break only at spaces."""
    tokens = re.findall(r"[\u2E80-\u9FFF\uFF00-\uFFEF\u3000-\u303F“”]|[^\s\u2E80-\u9FFF\uFF00-\uFFEF\u3000-\u303F“”]+|\s+", text)
    lines, line, used = [], "", 0
    for tok in tokens:
        w = sum(_cell_width(c) for c in tok)
        if tok.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if used + w > width and line.strip() and tok not in _NO_LINE_START:
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
    width_pt = (fig.get_figwidth() - 2 * PAD_IN) * 72
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

    top = PAD_IN
    title = fig._suptitle if fig._suptitle is not None and fig._suptitle.get_gid() == GID_TITLE else None
    if title is not None:
        title.set_position((PAD_IN / W, 1 - top / H))
        top += height_in(title) + 0.08
    for leg in fig.legends:
        if leg.get_gid() == GID_LEGEND:
            leg.set_bbox_to_anchor((0.5, 1 - top / H), transform=fig.transFigure)
            top += height_in(leg) + 0.06
    bottom = PAD_IN
    for t in fig.texts:
        if t.get_gid() == GID_SOURCE:
            t.set_position((PAD_IN / W, PAD_IN / H))
            bottom += height_in(t) + 0.08
    top = 0.0 if top == PAD_IN else top
    bottom = 0.0 if bottom == PAD_IN else bottom
    engine = fig.get_layout_engine()
    if engine is not None and "rect" in getattr(engine, "_params", {}):
        engine.set(rect=(0, bottom / H, 1, 1 - (top + bottom) / H))  # (left, bottom, width, height)
    else:
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, bottom / H + 0.08),
                            top=min(fig.subplotpars.top, 1 - top / H - 0.02))


# --- label placement ---------------------------------------------------------------------------

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


def place_label(ax: Axes, text: str, candidates, placed: list, **kw):
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


#: zlib level of the PNGs: on the briefings' figures level 3 makes files as small as the default
#: level 6 (within 1 %) in two thirds of the time (0.2 s against 0.3 s per briefing here).
PNG_COMPRESS_LEVEL = 3


def save_figure(fig: Figure, out_dir, name: str, svg: bool = True) -> list[Path]:
    """Write ``<name>.png`` (PNG_DPI) and, with ``svg``, ``<name>.svg`` into ``out_dir`` and close
    the figure; returns the paths written, PNG first.

    Each file is written to a temporary file in the same folder and moved into place, so a
    reader never sees half a file. Output is reproducible: the SVG has a fixed hash salt and no
    date, the PNG no timestamp, so the same figure gives byte-identical files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png"] + ([out / f"{name}.svg"] if svg else [])
    try:
        with mpl.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path"}):
            freeze_layout(fig)
            _atomic_savefig(fig, paths[0], "png", dpi=PNG_DPI, metadata={"Software": "planlib (matplotlib)"},
                            pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
            if svg:
                _atomic_savefig(fig, paths[1], "svg", metadata={"Date": None, "Creator": "planlib (matplotlib)"})
    finally:
        plt.close(fig)
    return paths




# --- checks on a finished figure ------------------------------------------------------------

def drawn_texts(fig: Figure) -> list:
    """The texts a reader sees on ``fig``: figure texts and title, legend entries and titles,
    and per axes its texts, title, axis labels and the tick labels within its limits."""
    fig.draw_without_rendering()
    out = list(fig.texts) + ([fig._suptitle] if fig._suptitle is not None else [])
    for leg in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]:
        if leg is not None:
            out += [*leg.get_texts(), leg.get_title()]
    for ax in fig.axes:
        out += [*ax.texts, ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        out += tick_labels(ax, "x") + tick_labels(ax, "y")
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def tick_labels(ax: Axes, which: str) -> list:
    """The tick labels of ``ax``'s x or y axis that are drawn (their tick within the limits)."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    lo, hi = sorted(axis.get_view_interval())
    out = []
    for tick in axis.get_major_ticks():
        if lo - 1e-9 * max(1.0, abs(hi)) <= tick.get_loc() <= hi + 1e-9 * max(1.0, abs(hi)):
            out += [lab for lab in (tick.label1, tick.label2) if lab.get_visible() and lab.get_text()]
    return out


def texts_off_canvas(fig: Figure) -> list[str]:
    """The texts of :func:`drawn_texts` that leave the canvas, wholly or in part (one pixel of
    slack for rounding)."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    W, H = fig.bbox.width, fig.bbox.height
    out = []
    for t in drawn_texts(fig):
        b = t.get_window_extent(renderer)
        if b.x0 < -1 or b.y0 < -1 or b.x1 > W + 1 or b.y1 > H + 1:
            out.append(t.get_text())
    return out
