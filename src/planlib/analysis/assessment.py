"""Final assessment of a plan (终期评估): each target's class in the Chinese convention and the
plan's completion rate.

Chinese evaluations class each indicator as 提前实现 (met early), 快于预期 (ahead of schedule),
基本符合预期 (roughly on schedule) or 滞后 (behind). planlib derives the class from its progress
assessment (:func:`planlib.analysis.targets.assess`, an adaptation of the Open SDG method, see
docs/methods.md): met targets by the year of the outcome, unmet ones by the progress ratio, with
thresholds that nest inside the Open SDG categories (:data:`CLASS_THRESHOLDS`). Beside planlib's
ratio each row also carries the ratio Open SDG itself would compute (:func:`open_sdg_ratio`), so a
reader can see where the adaptation changes a verdict.
"""
from __future__ import annotations

import math
import os
from functools import lru_cache

import pandas as pd

from planlib.analysis.region import RegionAnalysis, analyse_region
from planlib.analysis.targets import IN_DOUBT, NEEDS_ACCELERATION, ON_TRACK
from planlib.data.tables import REGION_CACHE

#: Classes of the final assessment, in reading order.
CLASSES = ("met early", "met", "ahead of schedule", "roughly on schedule", "behind",
           "not met, pace unknown", "no outcome yet", "cannot assess", IN_DOUBT)
#: The Chinese name of each class as evaluations write it.
CLASSES_ZH = {"met early": "提前实现", "met": "如期实现", "ahead of schedule": "快于预期",
              "roughly on schedule": "基本符合预期", "behind": "滞后", "not met, pace unknown": "尚未实现（进度无法判断）",
              "no outcome yet": "暂无结果", "cannot assess": "无法评估", IN_DOUBT: "数据存疑"}
#: Progress ratio (observed ÷ required annual change) bounds of the classes of unmet targets:
#: ahead of schedule from AHEAD up; roughly on schedule from ON_TRACK (Open SDG's "on track") to
#: AHEAD; behind below ON_TRACK (Open SDG's "needs acceleration", "limited progress" and
#: "deterioration").
AHEAD = 1.05
CLASS_THRESHOLDS = {"ahead of schedule": AHEAD, "roughly on schedule": ON_TRACK}
#: Classes that count as met in the completion rate, and those that can be judged at all.
MET_CLASSES = ("met early", "met")
#: An unmet target whose outcome predates the target year and that has no observed pace cannot be
#: judged: it may still be met by the target year.
JUDGED_CLASSES = ("met early", "met", "ahead of schedule", "roughly on schedule", "behind")
BINDING = "约束性"

ASSESSMENT_COLUMNS = [
    "indicator_id", "unit", "direction", "nature", "binding", "target_year", "comparator", "target_text",
    "target_value", "target_derived", "target_basis", "target_ref", "latest_year", "latest_value",
    "latest_text", "progress_ratio", "status", "class", "class_zh", "reason", "open_sdg_base_year",
    "open_sdg_ratio", "open_sdg_status",
]

# --- Open SDG's own method (sdg-build ProgressMeasure, methodology 2), for comparison ---------

#: Open SDG's default thresholds for the ratio of observed to required growth (methodology 2).
OPEN_SDG_THRESHOLDS = {"high": ON_TRACK, "med": NEEDS_ACCELERATION, "low": 0.0}
#: Open SDG's default base year (first year with data from then on is used).
OPEN_SDG_BASE_YEAR = 2015


def open_sdg_ratio(base_value: float, base_year: float, current_value: float, current_year: float,
                   target: float, target_year: float) -> float:
    """Open SDG's ratio R = CAGR observed / CAGR required, both measured from the base year:
    ((current/base)^(1/(t-t0)) - 1) / ((target/base)^(1/(T-t0)) - 1); a target of 0 is taken as 0.001."""
    if target == 0:
        target = 0.001
    observed = (current_value / base_value) ** (1 / (current_year - base_year)) - 1
    required = (target / base_value) ** (1 / (target_year - base_year)) - 1
    return observed / required


def open_sdg_status(ratio: float | None, achieved: bool = False) -> str | None:
    """Open SDG's label for a ratio: target_achieved, on_track, progress_needs_acceleration,
    limited_progress or deterioration (None without a ratio)."""
    if achieved:
        return "target_achieved"
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return None
    th = OPEN_SDG_THRESHOLDS
    if ratio >= th["high"]:
        return "on_track"
    if ratio >= th["med"]:
        return "progress_needs_acceleration"
    if ratio >= th["low"]:
        return "limited_progress"
    return "deterioration"


# --- classes ----------------------------------------------------------------------------------

def classify(status: str, latest_year: float | None, target_year: int, ratio: float | None,
             has_target: bool = True, direction: str = "higher_is_better") -> str:
    """The final-assessment class of one target from its progress status (see :data:`CLASSES`)."""
    if status == IN_DOUBT:
        return IN_DOUBT
    if not has_target or direction not in ("higher_is_better", "lower_is_better"):
        return "cannot assess"
    if _missing(latest_year):
        return "no outcome yet"
    if status == "achieved":
        return "met early" if latest_year < target_year else "met"
    if latest_year >= target_year:
        return "behind"  # the target year has come without the target being met
    if _missing(ratio):
        return "not met, pace unknown"
    if ratio >= AHEAD:
        return "ahead of schedule"
    if ratio >= ON_TRACK:
        return "roughly on schedule"
    return "behind"


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def assessment(progress: pd.DataFrame, observations: pd.DataFrame, region_id: str) -> pd.DataFrame:
    """The final assessment of one region (columns :data:`ASSESSMENT_COLUMNS`) from its progress
    (:attr:`planlib.analysis.region.RegionAnalysis.progress`, statuses in doubt already set) and
    enriched observations: one row per indicator with a target, binding targets that are behind first."""
    obs = observations
    targets = obs[obs["kind"] == "target"]
    actual = obs[(obs["region_id"] == region_id) & (obs["kind"] == "actual") & obs["unit_ok"]
                 & obs["value_std"].notna()]
    out = []
    for _, p in progress.iterrows():
        rec = dict.fromkeys(ASSESSMENT_COLUMNS)
        for c in ("indicator_id", "unit", "direction", "target_year", "comparator", "target_text", "target_value",
                  "target_derived", "target_basis", "target_ref", "latest_year", "latest_value", "latest_text",
                  "progress_ratio", "status", "reason"):
            rec[c] = None if _missing(p[c]) else p[c]
        t = targets[(targets["region_id"] == p["target_region_id"]) & (targets["indicator_id"] == p["indicator_id"])
                    & (targets["year"] == p["target_year"]) & (targets["ref"] == p["target_ref"])]
        nature = t["nature"].dropna()
        rec["nature"] = nature.iloc[0] if len(nature) else None
        rec["binding"] = rec["nature"] == BINDING
        status = p["status"]
        cls = classify(status, rec["latest_year"], int(p["target_year"]), rec["progress_ratio"],
                       has_target=rec["target_value"] is not None, direction=p["direction"])
        rec["class"], rec["class_zh"] = cls, CLASSES_ZH[cls]
        _open_sdg(rec, actual[actual["indicator_id"] == p["indicator_id"]], status)
        out.append(rec)
    df = pd.DataFrame(out, columns=ASSESSMENT_COLUMNS)
    if df.empty:
        return df
    first = (df["binding"] & (df["class"] == "behind")).map({True: 0, False: 1})
    return df.assign(_k=first).sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)


def _open_sdg(rec: dict, actual: pd.DataFrame, status: str) -> None:
    """Open SDG's own ratio and label for a row planlib could assess with a pace: compound growth
    for every indicator, both rates from the base year (2015, else the first year after it)."""
    if status in (IN_DOUBT,) or rec["target_value"] is None or rec["latest_year"] is None:
        return
    if status == "achieved":
        rec["open_sdg_status"] = open_sdg_status(None, achieved=True)
        return
    a = actual[actual["year"] <= rec["latest_year"]].sort_values("year").drop_duplicates("year")
    a = a[a["year"] >= OPEN_SDG_BASE_YEAR]
    if len(a) < 2 or rec["direction"] not in ("higher_is_better", "lower_is_better"):
        return
    b, c = a.iloc[0], a.iloc[-1]
    if float(b["value_std"]) <= 0 or float(c["value_std"]) <= 0 or int(rec["target_year"]) <= int(b["year"]):
        return
    r = open_sdg_ratio(float(b["value_std"]), int(b["year"]), float(c["value_std"]), int(c["year"]),
                       float(rec["target_value"]), int(rec["target_year"]))
    rec.update(open_sdg_base_year=int(b["year"]), open_sdg_ratio=r, open_sdg_status=open_sdg_status(r))


def completion(assessed: pd.DataFrame) -> dict[str, object]:
    """The plan's completion rate: indicators met ÷ indicators that can be judged (a numeric target,
    an outcome the checks accept, and either the target met, the target year reached or an observed
    pace to class it by), with the counts of each and of those that cannot be judged."""
    judged = assessed["class"].isin(JUDGED_CLASSES)
    met = assessed["class"].isin(MET_CLASSES)
    n_judged, n_met = int(judged.sum()), int(met.sum())
    return {"met": n_met, "judged": n_judged, "not_judged": int((~judged).sum()), "total": len(assessed),
            "rate": n_met / n_judged if n_judged else None,
            "binding_behind": int((assessed["binding"] & (assessed["class"] == "behind")).sum()),
            "latest_years": sorted({int(y) for y in assessed.loc[judged, "latest_year"].dropna()})}


def assess_plan(region_id: str, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Final assessment of a region's 14th-plan targets: per indicator the target as written, its
    type (约束性/预期性 where the plan says), the latest outcome and its year, the class
    (提前实现 / 快于预期 / 基本符合预期 / 滞后, or no outcome yet / cannot assess / data in doubt) and
    Open SDG's own ratio beside planlib's. Binding targets that are behind come first; the plan's
    completion rate is :func:`completion` of this frame (``df.attrs["completion"]``)."""
    return region_assessment(analyse_region(region_id, path)).copy()


@lru_cache(maxsize=REGION_CACHE)
def region_assessment(a: RegionAnalysis) -> pd.DataFrame:
    """:func:`assess_plan` of a region analysis, worked out once per analysis (the briefing's table,
    sentences and the index read the same frame): shared, do not modify it."""
    df = assessment(a.progress, a.observations, a.region_id)
    df.attrs["completion"] = completion(df)
    return df
