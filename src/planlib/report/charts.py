"""Small charts for the lessons and notebooks that are not part of a region's briefing."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from planlib.report.style import FIG_WIDTH_IN, PALETTE
from planlib.report.words import word


def hiring_chart(plan: pd.DataFrame, ax: Axes | None = None, per_label: str | None = None, lang: str = "en") -> Axes:
    """Ratio path of one or more hiring plans against their targets.

    ``plan`` is a :func:`planlib.analysis.workforce.hiring_plan` frame, or several concatenated with a ``group`` column
    ("Physicians", "Nurses"). Each group gets a solid line from its starting ratio through the
    end of every planned year and a dashed line at its target, in the same colour-blind-safe
    colour. Draws on ``ax`` (or a new figure) and returns it; titles and source lines are the
    caller's (:func:`planlib.report.style.add_title`, :func:`planlib.report.style.add_source_line`).
    Legend and axes are in ``lang``; ``per_label`` (the y axis) defaults to "per 1,000 population".
    """
    if per_label is None:
        per_label = word(lang, "lesson", "hiring.per")
    missing = {"year", "ratio_start", "ratio_end", "target_ratio"} - set(plan.columns)
    if missing:
        raise ValueError(f"plan lacks columns {sorted(missing)}; pass a hiring_plan() frame")
    if ax is None:
        _, ax = plt.subplots(figsize=(FIG_WIDTH_IN, 3.4), layout="constrained")
    groups = list(plan.groupby("group", sort=False)) if "group" in plan.columns else [("Staff", plan)]
    for i, (name, g) in enumerate(groups):
        g = g.sort_values("year")
        color = PALETTE[i % len(PALETTE)]
        years = [int(g["year"].iloc[0]) - 1] + [int(y) for y in g["year"]]
        ratios = [float(g["ratio_start"].iloc[0])] + [float(r) for r in g["ratio_end"]]
        ax.plot(years, ratios, marker="o", color=color, label=word(lang, "lesson", "hiring.path", name=name))
        target = float(g["target_ratio"].iloc[0])
        ax.axhline(target, color=color, linestyle="--", linewidth=1.2,
                   label=word(lang, "lesson", "hiring.target", name=name, target=target))
    ax.set_xlabel(word(lang, "chart", "axis.year"))
    ax.set_ylabel(per_label)
    top = max(float(plan["target_ratio"].max()), float(plan["ratio_end"].max()), float(plan["ratio_start"].max()))
    ax.set_ylim(0, top * 1.12)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend(loc="lower right", fontsize=8, ncols=2)
    return ax
