"""Targets: whether a value meets a target, and targets written relative to a baseline."""
from __future__ import annotations

import math

import pandas as pd

from .values import parse_relative

# Base year of each plan cycle: 13th-plan targets are set on 2015, 14th-plan targets on 2020.
CYCLE_BASE_YEAR = {"13th": 2015, "14th": 2020}


def meets(value: float, comparator: str, target: float, direction: str) -> bool | None:
    """Whether ``value`` satisfies the target ``comparator target``.

    ``=`` and ``~`` targets are read through the indicator's polarity: reaching 79 years
    means at least 79; a mortality target of 8 means at most 8. ``~`` (左右, about) also
    accepts values within 1% of the target. None when the question has no answer
    (a text target, or ``=`` on an indicator with no polarity).
    """
    if value is None or target is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if comparator == "<":
        return value < target
    if comparator == "<=":
        return value <= target
    if comparator == ">":
        return value > target
    if comparator == ">=":
        return value >= target
    if comparator in ("=", "~"):
        slack = abs(target) * 0.01 if comparator == "~" else 0.0
        if direction == "higher_is_better":
            return value >= target - slack
        if direction == "lower_is_better":
            return value <= target + slack
        return None
    return None


def baseline_for(obs: pd.DataFrame, region_id: str, indicator_id: str, target_year: int,
                 plan_cycle: str | None, source_id: str | None = None) -> pd.Series | None:
    """The actual a target is set against: the plan cycle's base year if reported, else the
    latest actual before the target year. Rows from ``source_id`` are preferred."""
    a = obs[(obs["region_id"] == region_id) & (obs["indicator_id"] == indicator_id)
            & (obs["kind"] == "actual") & obs["value"].notna() & (obs["year"] < target_year)]
    if a.empty:
        return None
    base = CYCLE_BASE_YEAR.get(plan_cycle or "")
    if base is not None and (a["year"] == base).any():
        a = a[a["year"] == base]
    else:
        a = a[a["year"] == a["year"].max()]
    if source_id is not None and (a["source_id"] == source_id).any():
        a = a[a["source_id"] == source_id]
    return a.iloc[0]


def derive_relative(value_text: str, baseline: float) -> tuple[float, bool] | None:
    """Target level implied by a relative target (提高1岁 on 80.17 → 81.17) and whether it is approximate."""
    rel = parse_relative(value_text)
    if rel is None:
        return None
    return rel.apply(baseline), rel.approximate
