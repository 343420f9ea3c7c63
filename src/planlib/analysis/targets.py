"""Targets: whether a value meets a target, and targets written relative to a baseline."""
from __future__ import annotations

import math
import re

import pandas as pd

from planlib.data.tables import CORE_INDICATORS
from planlib.data.values import parse_relative

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


# --- Progress to target (Open SDG method) -------------------------------------------------

# Ratio of observed to required annual change: thresholds of the Open SDG progress categories.
ON_TRACK, NEEDS_ACCELERATION = 0.95, 0.60
STATUSES = ("achieved", "on track", "needs acceleration", "limited progress", "moving away",
            "cannot assess", "data in doubt")
#: Status of an indicator whose latest value the data-quality checks doubt (see
#: :func:`planlib.analysis.region.RegionAnalysis.doubts`): no other verdict is given for it.
IN_DOUBT = "data in doubt"
#: The one-word verdict a reader sees for each status (summary page, index): met, on track,
#: off track, data in doubt, or no verdict (the row then says what can be said instead).
VERDICTS = {"achieved": "met", "on track": "on track", "needs acceleration": "off track",
            "limited progress": "off track", "moving away": "off track",
            "cannot assess": "no verdict", IN_DOUBT: "data in doubt"}


def verdict(status: str) -> str:
    """The reader's verdict for a progress status (see ``VERDICTS``)."""
    return VERDICTS[status]


# Indicators whose change is measured in absolute units per year rather than compound rates.
ABSOLUTE_CHANGE = {"life_expectancy"}

PROGRESS_COLUMNS = [
    "region_id", "indicator_id", "unit", "direction",
    "baseline_year", "baseline_value", "latest_year", "latest_value", "latest_text",
    "target_year", "comparator", "target_value", "target_text", "target_derived", "target_basis",
    "target_region_id", "target_source", "target_ref", "other_targets",
    "gap", "required_annual_change", "observed_annual_change", "observed_period", "change_measure",
    "projected_value", "progress_ratio", "status", "reason",
    "observed_derived_from", "national_annual_change", "national_period",
    "baseline_below_target_by", "looser_base_year", "looser_base_value",
]


def annual_change(start: float, end: float, years: float, absolute: bool) -> float | None:
    """Annual change: absolute units per year, or a compound annual rate (0.05 = +5 %/year)."""
    if years <= 0:
        return None
    if absolute:
        return (end - start) / years
    if start <= 0 or end < 0:
        return None
    if end == 0:
        return -1.0
    return (end / start) ** (1 / years) - 1


def project(value: float, change: float, years: float, absolute: bool) -> float:
    """The value after ``years`` at a constant annual change."""
    return value + change * years if absolute else value * (1 + change) ** years


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _pick_target(rows: list[dict]) -> tuple[dict, list[dict]]:
    """The headline target among several for one indicator: numeric before text, table (with
    nature) before prose, then the earliest line (a stable sort). Returns it and the others."""
    r = sorted(rows, key=lambda x: (_missing(x["value"]), _missing(x["nature"]), _missing(x["source_line"]),
                                    0 if _missing(x["source_line"]) else x["source_line"]))
    return r[0], r[1:]


def first_per_year(rows: list[dict]) -> list[dict]:
    """Rows sorted by year and source line (lines missing last), the first row of each year."""
    out: dict[int, dict] = {}
    for r in sorted(rows, key=lambda x: (x["year"], _missing(x["source_line"]),
                                         0 if _missing(x["source_line"]) else x["source_line"])):
        out.setdefault(r["year"], r)
    return list(out.values())


def _region_targets(rows: list[dict], region_id: str, province_id: str | None) -> list[dict]:
    """Targets a region is assessed against (records, with ``target_basis``): its own latest-cycle
    targets; for each core indicator its plan leaves without a target, the province's 14th-plan
    target, else the nation's."""
    # the plans being assessed (13th, 14th); 2030 references (Healthy China, the 15th plan) are
    # options for the next plan, not targets of this one
    own = [r for r in rows if r["region_id"] == region_id and r["kind"] == "target"
           and r["plan_cycle"] in CYCLE_BASE_YEAR]
    if own:
        latest = max(r["year"] for r in own)
        own = [r for r in own if r["year"] == latest]
    out = [{**r, "target_basis": "own plan"} for r in own]
    covered = {r["indicator_id"] for r in own}
    for rid, basis in ((province_id, "provincial target"), ("china", "national target")):
        if rid is None or rid == region_id:
            continue
        found = [r for r in rows if r["region_id"] == rid and r["kind"] == "target" and r["plan_cycle"] == "14th"
                 and r["indicator_id"] in CORE_INDICATORS and r["indicator_id"] not in covered]
        out += [{**r, "target_basis": basis} for r in found]
        covered |= {r["indicator_id"] for r in found}
    return out


def assess(obs: pd.DataFrame, indicators: pd.DataFrame, region_id: str, province_id: str | None) -> pd.DataFrame:
    """Progress of one region to each target: one row per indicator with a target (columns
    ``PROGRESS_COLUMNS``): baseline, latest value, target, required and observed annual change,
    projection and Open SDG status, or why it cannot be assessed.

    ``obs`` are enriched observations (:func:`planlib.data.tables.enrich`) holding at least the
    region's, its province's and the nation's rows; ``indicators`` is the catalog indexed by id.
    A region has a few dozen targets, so they are worked through as plain records.
    """
    # Only the region, its province and the nation matter; a value in a contradicting unit is
    # not used for arithmetic.
    obs = obs[obs["unit_ok"] & obs["region_id"].isin({region_id, province_id, "china"})]
    rows = obs[["region_id", "indicator_id", "year", "kind", "plan_cycle", "comparator", "value", "value_std",
                "value_text", "nature", "source_id", "source_line", "ref"]].to_dict("records")
    actual_by: dict[str, list[dict]] = {}
    for r in rows:
        if r["region_id"] == region_id and r["kind"] == "actual" and not _missing(r["value_std"]):
            actual_by.setdefault(r["indicator_id"], []).append(r)
    _add_growth_baselines(actual_by, rows, indicators, region_id)
    national_by: dict[str, list[dict]] = {}
    for r in rows:
        if r["region_id"] == "china" and r["kind"] == "actual" and not _missing(r["value_std"]):
            national_by.setdefault(r["indicator_id"], []).append(r)
    targets_by: dict[str, list[dict]] = {}
    for r in _region_targets(rows, region_id, province_id):
        targets_by.setdefault(r["indicator_id"], []).append(r)
    direction_of, unit_of = indicators["direction"].to_dict(), indicators["unit"].to_dict()
    out = []
    for indicator, rows in targets_by.items():
        tgt, others = _pick_target(rows)
        direction, unit = direction_of[indicator], unit_of[indicator]
        absolute = indicator in ABSOLUTE_CHANGE
        T = int(tgt["year"])
        a = first_per_year([r for r in actual_by.get(indicator, []) if r["year"] <= T])
        rec = dict.fromkeys(PROGRESS_COLUMNS)
        rec.update(region_id=region_id, indicator_id=indicator, unit=unit, direction=direction,
                   target_year=T, comparator=tgt["comparator"], target_text=tgt["value_text"],
                   target_basis=tgt["target_basis"], target_region_id=tgt["region_id"],
                   target_source=tgt["source_id"], target_ref=tgt["ref"], target_derived=False,
                   other_targets="; ".join(f"{o['value_text']} ({o['ref']})" for o in others))
        target_value = None if _missing(tgt["value_std"]) else tgt["value_std"]
        if target_value is None:
            base = baseline_for(obs, tgt["region_id"], indicator, T, tgt["plan_cycle"], tgt["source_id"])
            if base is not None:
                d = derive_relative(tgt["value_text"], float(base["value_std"]))
                if d is not None:
                    target_value = d[0]
                    rec["target_derived"] = True
                    rec["comparator"] = "~" if d[1] else "="
        rec["target_value"] = target_value
        if a:
            last, first = a[-1], a[0]
            rec.update(latest_year=int(last["year"]), latest_value=float(last["value_std"]),
                       latest_text=last["value_text"])
            rec.update(baseline_year=int(first["year"]), baseline_value=float(first["value_std"]))
        status, reason = _status(rec, a, absolute, direction)
        rec.update(status=status, reason=reason)
        if rec["target_basis"] == "own plan":
            _looser_than_baseline(rec, a, tgt["plan_cycle"], direction)
        if rec["required_annual_change"] is not None and rec["observed_annual_change"] is None:
            _national_pace(rec, first_per_year(national_by.get(indicator, [])), absolute)
        out.append(rec)
    order = {k: i for i, k in enumerate(indicators.index)}
    out.sort(key=lambda r: order[r["indicator_id"]])  # catalog order (one row per indicator)
    return pd.DataFrame(out, columns=PROGRESS_COLUMNS)


def _status(rec: dict, a: list[dict], absolute: bool, direction: str) -> tuple[str, str]:
    """Fill gap, required/observed change and projection in ``rec``; return (status, reason)."""
    tv, comp = rec["target_value"], rec["comparator"]
    if tv is None:
        return "cannot assess", "qualitative target with no number to measure against"
    if rec["latest_value"] is None:
        return "cannot assess", "no reported value for this indicator"
    latest, ly, T = rec["latest_value"], rec["latest_year"], rec["target_year"]
    rec["gap"] = tv - latest
    rec["change_measure"] = "absolute per year" if absolute else "compound annual rate"
    if direction == "no_judgement":
        return "cannot assess", "the indicator has no better or worse direction"
    if meets(latest, comp, tv, direction):
        return "achieved", f"the {ly} value already meets the target"
    if ly >= T:
        return "cannot assess" if ly > T else "moving away", "the target year has passed without meeting it"
    rec["required_annual_change"] = annual_change(latest, tv, T - ly, absolute)
    if len(a) < 2:
        return "cannot assess", "no earlier value, so no observed pace"
    prev = a[-2]
    span = ly - int(prev["year"])
    obs_change = annual_change(float(prev["value_std"]), latest, span, absolute)
    if obs_change is None:  # a zero start value: fall back to absolute change
        obs_change = annual_change(float(prev["value_std"]), latest, span, True)
        rec["required_annual_change"] = annual_change(latest, tv, T - ly, True)
        rec["change_measure"] = "absolute per year (zero start value)"
        absolute = True
    rec["observed_annual_change"] = obs_change
    rec["observed_derived_from"] = prev.get("derived_from")
    rec["observed_period"] = f"{int(prev['year'])}–{ly}"
    rec["projected_value"] = project(latest, obs_change, T - ly, absolute)
    req = rec["required_annual_change"]
    if not req:
        return "cannot assess", "no change is required"
    ratio = obs_change / req
    rec["progress_ratio"] = ratio
    if ratio >= ON_TRACK:
        return "on track", f"observed change is {ratio:.0%} of the change required"
    if ratio >= NEEDS_ACCELERATION:
        return "needs acceleration", f"observed change is {ratio:.0%} of the change required"
    if ratio >= 0:
        return "limited progress", f"observed change is {ratio:.0%} of the change required"
    return "moving away", "the indicator moved away from the target"


def growth_bases(indicators: pd.DataFrame) -> dict[str, tuple[str, int]]:
    """Growth indicators of the catalog → (the indicator they measure, the base year): an id
    ``<indicator>_growth_pct`` whose denominator is "<year> ratio" (growth of the ratio since then)."""
    out = {}
    for gid, den in indicators["denominator"].items():
        m = re.fullmatch(r"(\d{4}) ratio", str(den))
        base = str(gid).removesuffix("_growth_pct")
        if str(gid).endswith("_growth_pct") and m and base in indicators.index:
            out[gid] = (base, int(m.group(1)))
    return out


def _add_growth_baselines(actual_by: dict[str, list[dict]], rows: list[dict], indicators: pd.DataFrame,
                          region_id: str) -> None:
    """Earlier values implied by growth the plan states in words ("比2015年增长21.09%"): the
    value of the same year divided by (1 + growth), dated the base year and marked
    ``derived_from`` the growth's line. Never replaces a value the plan reports for that year."""
    for gid, (ind, base_year) in growth_bases(indicators).items():
        for g in rows:
            if (g["region_id"] != region_id or g["indicator_id"] != gid or g["kind"] != "actual"
                    or _missing(g["value_std"])):
                continue
            known = actual_by.get(ind, [])
            end = first_per_year([r for r in known if r["year"] == g["year"]])
            if not end or any(r["year"] == base_year for r in known) or g["value_std"] <= -100:
                continue
            value = float(end[0]["value_std"]) / (1 + float(g["value_std"]) / 100)
            actual_by[ind].append({**end[0], "year": base_year, "value_std": value, "value": value,
                                   "value_text": None, "derived_from": g["ref"]})


def _looser_than_baseline(rec: dict, a: list[dict], plan_cycle: str | None, direction: str) -> None:
    """Mark a target that asks for less than the plan's baseline already had: a ceiling or floor
    on the wrong side of the base-year value ("> 79" when 2020 was 83.0 allows a fall of 4)."""
    tv, base_year = rec["target_value"], CYCLE_BASE_YEAR.get(plan_cycle or "")
    if tv is None or base_year is None or direction not in ("higher_is_better", "lower_is_better"):
        return
    base = [r for r in a if r["year"] <= base_year and not r.get("derived_from")]
    if not base:
        return
    b = base[-1]
    slack = float(b["value_std"]) - tv if direction == "higher_is_better" else tv - float(b["value_std"])
    if slack > 1e-9:
        rec.update(baseline_below_target_by=slack, looser_base_year=int(b["year"]),
                   looser_base_value=float(b["value_std"]))


def _national_pace(rec: dict, national: list[dict], absolute: bool) -> None:
    """The nation's observed pace from the region's latest year on, for a row with no observed
    pace of its own (so the pace needed can be read against something)."""
    ly = rec["latest_year"]
    later = [r for r in national if ly is not None and r["year"] >= ly]
    if len(later) < 2:
        return
    first, last = later[0], later[-1]
    change = annual_change(float(first["value_std"]), float(last["value_std"]), last["year"] - first["year"], absolute)
    if change is not None:
        rec.update(national_annual_change=change, national_period=f"{int(first['year'])}–{int(last['year'])}")


# --- Results of the previous plan ------------------------------------------------------------

PLAN_RESULT_COLUMNS = [
    "indicator_id", "unit", "direction", "target_year", "comparator", "target_value", "target_text",
    "target_derived", "target_ref", "outcome_value", "outcome_text", "outcome_ref", "met",
    "next_target_text", "next_target_value", "next_target_ref", "next_below_missed",
]


def plan_results(obs: pd.DataFrame, indicators: pd.DataFrame, region_id: str, cycle: str = "13th") -> pd.DataFrame:
    """Whether the region met each target of an earlier plan (``cycle``) for which its documents
    give the outcome of the target year: one row per indicator (``PLAN_RESULT_COLUMNS``), ``met``
    True, False or None (a text target with nothing to measure it by), and whether the next plan's
    target is below a target that was missed (``next_below_missed``).

    ``obs`` are enriched observations holding the region's rows; values in a contradicting unit
    are not used.
    """
    mine = obs[(obs["region_id"] == region_id) & obs["unit_ok"]]
    rows = mine[["indicator_id", "year", "kind", "plan_cycle", "comparator", "value", "value_std", "value_text",
                 "nature", "source_id", "source_line", "ref"]].to_dict("records")
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["indicator_id"], []).append(r)
    direction_of, unit_of = indicators["direction"].to_dict(), indicators["unit"].to_dict()
    next_cycle = {"13th": "14th", "14th": "15th"}.get(cycle)
    out = []
    for indicator, rs in by.items():
        targets = [r for r in rs if r["kind"] == "target" and r["plan_cycle"] == cycle]
        if not targets:
            continue
        tgt, _ = _pick_target(targets)
        T = int(tgt["year"])
        outcome = first_per_year([r for r in rs if r["kind"] == "actual" and r["year"] == T
                                  and not _missing(r["value_std"])])
        if not outcome:
            continue
        direction = direction_of[indicator]
        tv = None if _missing(tgt["value_std"]) else float(tgt["value_std"])
        comparator, derived = tgt["comparator"], False
        if tv is None:
            base = baseline_for(mine, region_id, indicator, T, cycle, tgt["source_id"])
            d = None if base is None else derive_relative(tgt["value_text"], float(base["value_std"]))
            if d is not None:
                tv, derived, comparator = d[0], True, "~" if d[1] else "="
        o = outcome[0]
        rec = dict.fromkeys(PLAN_RESULT_COLUMNS)
        rec.update(indicator_id=indicator, unit=unit_of[indicator], direction=direction, target_year=T,
                   comparator=comparator, target_value=tv, target_text=tgt["value_text"], target_derived=derived,
                   target_ref=tgt["ref"], outcome_value=float(o["value_std"]), outcome_text=o["value_text"],
                   outcome_ref=o["ref"], met=meets(float(o["value_std"]), comparator, tv, direction),
                   next_below_missed=False)
        nxt = [r for r in rs if r["kind"] == "target" and r["plan_cycle"] == next_cycle]
        if nxt:
            n, _ = _pick_target(nxt)
            nv = None if _missing(n["value_std"]) else float(n["value_std"])
            rec.update(next_target_text=n["value_text"], next_target_value=nv, next_target_ref=n["ref"])
            if rec["met"] is False and nv is not None and tv is not None:
                rec["next_below_missed"] = (nv < tv if direction == "higher_is_better"
                                            else nv > tv if direction == "lower_is_better" else False)
        out.append(rec)
    order = {k: i for i, k in enumerate(indicators.index)}
    out.sort(key=lambda r: order[r["indicator_id"]])
    return pd.DataFrame(out, columns=PLAN_RESULT_COLUMNS)
