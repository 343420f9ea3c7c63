"""Staffing arithmetic for workforce targets written per 1,000 (or per 10,000) population.

A plan sets a density target ("≥2.1 physicians per 1,000 population by 2025"); a planner needs
head counts: how many staff that means for the population, how many more than today, and how
many to hire each year. The functions here do that arithmetic and refuse nonsense input
(negative staff, a population of zero, a growth rate that makes the population vanish) with a
ValueError that says what was wrong.

Head counts are whole people: :func:`staff_needed` rounds *up*, because a ratio target written
with ≥ is missed by one person short of it.
"""
from __future__ import annotations

import math
import numbers

import pandas as pd

from planlib.analysis.quality import COUNT_RATIO_PAIRS

#: Columns of :func:`hiring_plan`'s frame, one row per planning year.
PLAN_COLUMNS = [
    "year", "population", "staff_start", "leavers", "net_hires", "gross_hires", "staff_end",
    "ratio_start", "ratio_end", "target_ratio",
]
#: Columns of :func:`implied_populations`' frame, one row per count/ratio pair.
IMPLIED_COLUMNS = [
    "region_id", "year", "count_indicator", "ratio_indicator", "count", "ratio", "per",
    "population", "population_low", "population_high", "count_text", "ratio_text", "refs",
]


def _number(name: str, x: object) -> float:
    """``x`` as a finite float; ValueError for bools, non-numbers, NaN and infinity."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{name} must be a number, got {x!r} ({type(x).__name__})")
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return v


def _positive(name: str, x: object) -> float:
    v = _number(name, x)
    if v <= 0:
        raise ValueError(f"{name} must be positive, got {x!r}")
    return v


def _whole(name: str, x: object, minimum: int = 0) -> int:
    """``x`` as an int (whole-valued floats accepted); ValueError below ``minimum`` or fractional."""
    v = _number(name, x)
    if not v.is_integer():
        raise ValueError(f"{name} must be a whole number, got {x!r}")
    if v < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {x!r}")
    return int(v)


def _ceil(x: float) -> int:
    """Ceiling that ignores floating-point noise: 2.1 × 600,000 / 1,000 is 1,260, not 1,261."""
    return math.ceil(round(x, 9))


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def staff_needed(ratio_target: float, population: float, per: float = 1000) -> int:
    """Staff needed for ``ratio_target`` staff per ``per`` population, rounded up to whole people.

    >>> staff_needed(2.1, 600_000)
    1260
    >>> staff_needed(3.5, 100_001)   # 350.0035 people: the 351st is needed to reach 3.5
    351
    """
    r = _number("ratio_target", ratio_target)
    if r < 0:
        raise ValueError(f"ratio_target cannot be negative, got {ratio_target!r}")
    pop = _positive("population", population)
    p = _positive("per", per)
    return _ceil(r * pop / p)


def implied_population(count: float, ratio: float, per: float = 1000) -> float:
    """The population that ``count`` staff at ``ratio`` per ``per`` imply: count / ratio × per.

    >>> round(implied_population(829, 1.4))   # 829 physicians at 1.4 per 1,000
    592143
    """
    c = _number("count", count)
    if c < 0:
        raise ValueError(f"count cannot be negative, got {count!r}")
    return c / _positive("ratio", ratio) * _positive("per", per)


def staff_gap(current_staff: int, ratio_target: float, population: float, per: float = 1000) -> int:
    """How many more staff than ``current_staff`` the target needs (0 if it is already met)."""
    current = _whole("current_staff", current_staff)
    return max(0, staff_needed(ratio_target, population, per) - current)


def project_population(population_now: float, growth: float, years: int) -> float:
    """Population after ``years`` at a constant annual ``growth`` (0.005 = +0.5 % a year)."""
    pop = _positive("population_now", population_now)
    g = _number("growth", growth)
    if g <= -1:
        raise ValueError(f"growth must be above -1 (-100 % a year), got {growth!r}")
    n = _whole("years", years)
    return pop * (1 + g) ** n


def hiring_plan(current_staff: int, target_ratio: float, population_now: float,
                population_growth: float, years: int, *, per: float = 1000, base_year: int = 0,
                attrition: float = 0.0) -> pd.DataFrame:
    """Year-by-year hiring that reaches ``target_ratio`` per ``per`` population after ``years``.

    The head count needed at the end is :func:`staff_needed` for the population projected
    ``years`` ahead at ``population_growth`` a year. The gap to ``current_staff`` is spread as
    evenly as whole people allow over the years (earlier years take the remainder), a straight
    line in head count. If the target is already met, no net hiring is planned (nobody is laid off).

    ``attrition`` is the share of staff at the start of a year who leave during it (retirement,
    moving away); they must be replaced, so ``gross_hires`` = ``net_hires`` + ``leavers``.

    One row per year ``base_year + 1 … base_year + years`` with the columns of ``PLAN_COLUMNS``:
    population at the end of the year, staff at its start and end, leavers, net and gross hires,
    and the ratio per ``per`` at the start and end of the year.
    """
    current = _whole("current_staff", current_staff)
    ratio = _positive("target_ratio", target_ratio)
    pop0 = _positive("population_now", population_now)
    g = _number("population_growth", population_growth)
    if g <= -1:
        raise ValueError(f"population_growth must be above -1 (-100 % a year), got {population_growth!r}")
    n = _whole("years", years, minimum=1)
    p = _positive("per", per)
    a = _number("attrition", attrition)
    if not 0 <= a < 1:
        raise ValueError(f"attrition is a yearly share of staff leaving, 0 ≤ attrition < 1; got {attrition!r}")
    y0 = _whole("base_year", base_year)

    final_pop = project_population(pop0, g, n)
    gap = max(0, staff_needed(ratio, final_pop, p) - current)
    per_year, extra = divmod(gap, n)
    rows = []
    staff = current
    for i in range(1, n + 1):
        pop_start = pop0 * (1 + g) ** (i - 1)
        pop_end = pop0 * (1 + g) ** i
        net = per_year + (1 if i <= extra else 0)
        leavers = _round_half_up(staff * a)
        rows.append({
            "year": y0 + i, "population": pop_end, "staff_start": staff, "leavers": leavers,
            "net_hires": net, "gross_hires": net + leavers, "staff_end": staff + net,
            "ratio_start": staff / pop_start * p, "ratio_end": (staff + net) / pop_end * p,
            "target_ratio": ratio,
        })
        staff += net
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def implied_populations(region_id: str, year: int, path=None) -> pd.DataFrame:
    """Populations implied by each staff count and ratio a region reports for one year.

    Printed ratios are rounded (1.4 may be anything from 1.35 to 1.45), so each pair implies a
    population *range*, given in ``population_low``–``population_high`` around the point value
    ``population``. Pairs whose ranges do not overlap cannot describe the same population;
    :func:`planlib.check_quality` reports that as ``ratio_count_mismatch``.
    """
    from planlib.analysis.quality import half_step
    from planlib.data.tables import load_tables

    t = load_tables(path)
    t.region(region_id)  # unknown ids fail here, naming the valid ones
    obs = t.enriched
    act = obs[(obs["region_id"] == region_id) & (obs["year"] == int(year)) & (obs["kind"] == "actual")
              & obs["value_std"].notna() & obs["unit_ok"]]
    act = act.sort_values("source_line", na_position="last", kind="stable")
    rows = []
    for count_id, ratio_id, per in COUNT_RATIO_PAIRS:
        c = act[act["indicator_id"] == count_id]
        q = act[act["indicator_id"] == ratio_id]
        if c.empty or q.empty:
            continue
        c, q = c.iloc[0], q.iloc[0]
        count, ratio = float(c["value_std"]), float(q["value_std"])
        if ratio <= 0:
            continue
        h = half_step(str(q["value_text"]))
        hc = half_step(str(c["value_text"])) * count / float(c["value"]) if float(c["value"]) else 0.0
        rows.append({
            "region_id": region_id, "year": int(year), "count_indicator": count_id,
            "ratio_indicator": ratio_id, "count": count, "ratio": ratio, "per": per,
            "population": implied_population(count, ratio, per),
            "population_low": (count - hc) / (ratio + h) * per,
            "population_high": (count + hc) / (ratio - h) * per if ratio - h > 0 else math.inf,
            "count_text": str(c["value_text"]), "ratio_text": str(q["value_text"]),
            "refs": "; ".join(dict.fromkeys([str(c["ref"]), str(q["ref"])])),
        })
    return pd.DataFrame(rows, columns=IMPLIED_COLUMNS)


# --- What a region's workforce targets mean in people -------------------------------------------

#: The staff ratios whose targets a briefing turns into people: (ratio, count, per).
STAFF_TARGETS = (("physicians_per_1000", "physicians_count", 1000), ("nurses_per_1000", "nurses_count", 1000))

NEEDS_COLUMNS = ["indicator_id", "count_indicator", "latest_year", "latest_ratio", "target_year", "target_ratio",
                 "population", "population_year", "population_estimated", "population_basis", "population_refs",
                 "current_staff", "current_estimated", "staff_needed", "extra_staff"]


def population_basis(actuals: pd.DataFrame, doubted: set[tuple[str, int]]) -> dict | None:
    """The region's population as its own documents give it: a reported total population
    (latest year), else the population implied by a staff or bed count and its ratio for the same
    year (an estimate), using no value the checks doubt. None when the documents allow neither.

    ``actuals`` are the region's numeric actuals in catalog units (``indicator_id``, ``year``,
    ``value_std``, ``ref``); ``doubted`` holds the (indicator, year) pairs in doubt.
    """
    ok = actuals[[(i, int(y)) not in doubted for i, y in zip(actuals["indicator_id"], actuals["year"])]]
    pop = ok[ok["indicator_id"] == "population_count"].sort_values("year")
    if len(pop):
        r = pop.iloc[-1]
        return {"population": float(r["value_std"]), "year": int(r["year"]), "estimated": False,
                "basis": "population_count", "refs": str(r["ref"])}
    best = None
    for count_id, ratio_id, per in COUNT_RATIO_PAIRS:
        c, q = ok[ok["indicator_id"] == count_id], ok[ok["indicator_id"] == ratio_id]
        for year in sorted(set(c["year"]) & set(q["year"]), reverse=True):
            cv, qv = c[c["year"] == year].iloc[0], q[q["year"] == year].iloc[0]
            if float(qv["value_std"]) > 0 and (best is None or year > best["year"]):
                best = {"population": implied_population(float(cv["value_std"]), float(qv["value_std"]), per),
                        "year": int(year), "estimated": True, "basis": count_id,
                        "refs": "; ".join(dict.fromkeys([str(cv["ref"]), str(qv["ref"])]))}
            break
    return best


def staff_needs(progress: pd.DataFrame, actuals: pd.DataFrame, doubted: set[tuple[str, int]]) -> pd.DataFrame:
    """For each staff ratio with a numeric target in the region's own plan (``STAFF_TARGETS``):
    how many staff the target means for the region's population and how many more than today.

    Today's staff are the reported count for the latest ratio's year, else the ratio times the
    population (an estimate). The population is the latest one :func:`population_basis` finds
    (held constant to the target year; said so in the briefing). Rows whose latest value is in
    doubt, or with no population, are left out. Columns ``NEEDS_COLUMNS``.
    """
    pop = population_basis(actuals, doubted)
    rows = []
    if pop is None or progress.empty:
        return pd.DataFrame(rows, columns=NEEDS_COLUMNS)
    prog = progress.set_index("indicator_id")
    for ratio_id, count_id, per in STAFF_TARGETS:
        if ratio_id not in prog.index:
            continue
        p = prog.loc[ratio_id]
        if (p["target_basis"] != "own plan" or pd.isna(p["target_value"]) or pd.isna(p["latest_value"])
                or (ratio_id, int(p["latest_year"])) in doubted):
            continue
        year = int(p["latest_year"])
        counts = actuals[(actuals["indicator_id"] == count_id) & (actuals["year"] == year)]
        estimated = counts.empty or (count_id, year) in doubted  # a doubted count is not used
        current = (_round_half_up(float(p["latest_value"]) * pop["population"] / per) if estimated
                   else _round_half_up(float(counts.iloc[0]["value_std"])))
        needed = staff_needed(float(p["target_value"]), pop["population"], per)
        rows.append({"indicator_id": ratio_id, "count_indicator": count_id, "latest_year": year,
                     "latest_ratio": float(p["latest_value"]), "target_year": int(p["target_year"]),
                     "target_ratio": float(p["target_value"]), "population": pop["population"],
                     "population_year": pop["year"], "population_estimated": pop["estimated"],
                     "population_basis": pop["basis"], "population_refs": pop["refs"],
                     "current_staff": current, "current_estimated": estimated, "staff_needed": needed,
                     "extra_staff": max(0, needed - current)})
    return pd.DataFrame(rows, columns=NEEDS_COLUMNS)
