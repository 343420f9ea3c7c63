"""The actual each target is set against, for many targets at once.

:func:`baseline_positions` chooses, for every target row, the row that
:func:`planlib.analysis.targets.baseline_for` returns for it, with array joins and group-wise
reductions instead of one filter of the whole table per target.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from planlib.analysis.grouping import first_of_runs, key_codes, matching_pairs, per_group
from planlib.analysis.targets import CYCLE_BASE_YEAR


def baseline_positions(obs: pd.DataFrame | Mapping[str, np.ndarray], targets: np.ndarray,
                       among: np.ndarray | None = None) -> np.ndarray:
    """For the target rows of ``obs`` at positions ``targets`` (0-based row numbers), the position
    of the actual that ``baseline_for(obs[among], region_id, indicator_id, year, plan_cycle,
    source_id)`` returns for each, or -1 where it returns None. ``among``: a boolean mask of the
    rows to choose from (default: all). ``obs``: observations, or any mapping of their column
    names to arrays.

    The rule: of the actuals with a value for the same region and indicator before the target
    year, those of the plan cycle's base year if there are any, else those of the latest year;
    of these, the target's own source's if there are any; then the first.
    """
    targets = np.asarray(targets, dtype=int)
    out = np.full(len(targets), -1)
    pool = (np.asarray(obs["kind"]) == "actual") & ~pd.isna(np.asarray(obs["value"]))
    if among is not None:
        pool &= among
    actuals = np.flatnonzero(pool)
    if not len(targets) or not len(actuals):
        return out
    rows = np.concatenate([targets, actuals])
    key = key_codes(np.asarray(obs["region_id"])[rows], np.asarray(obs["indicator_id"])[rows])
    i, j = matching_pairs(key[: len(targets)], key[len(targets):])  # target i, actual j
    year = np.asarray(obs["year"], dtype=float)
    before = year[actuals[j]] < year[targets[i]]
    i, j = i[before], j[before]
    a_year = year[actuals[j]]
    cycles, cycle = pd.factorize(np.asarray(obs["plan_cycle"], dtype=object)[targets])
    # Each target's base year (NaN: none; a target with no plan cycle takes the last, code -1).
    base_year = np.array([CYCLE_BASE_YEAR.get(p, np.nan) for p in cycle] + [np.nan])[cycles]
    at_base = a_year == base_year[i]
    latest = a_year == per_group(np.maximum, a_year, i)
    keep = at_base | (~per_group(np.logical_or, at_base, i) & latest)
    i, j = i[keep], j[keep]
    source = np.asarray(obs["source_id"], dtype=object)
    same = source[actuals[j]] == source[targets[i]]
    keep = same | ~per_group(np.logical_or, same, i)
    i, j = i[keep], j[keep]
    first = first_of_runs(i)  # an actual's rows come in row order within each target
    out[i[first]] = actuals[j[first]]
    return out
