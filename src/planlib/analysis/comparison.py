"""Compare a region with the nation and its province, polarity-aware.

Plan tables give rates without the counts behind them, so no significance test is possible.
A difference within a stated tolerance is called "similar"; everything else is "better" or
"worse" by the indicator's direction.

Rates of rare events (:data:`SMALL_NUMBER_INDICATORS`: a county sees a handful of maternal
deaths a year) are judged only through the exact Poisson 95% interval of their counts: "better"
or "worse" when the interval excludes the benchmark, otherwise "cannot be told apart", which is
also the verdict when the plan gives no counts.
"""
from __future__ import annotations

import pandas as pd

from planlib.analysis.targets import first_per_year
from planlib.analysis.uncertainty import rate_interval
from planlib.data.tables import enriched

# "similar" when the region's value is within this of the benchmark: years for life
# expectancy, otherwise a share of the benchmark value.
TOLERANCE_ABS = {"life_expectancy": 0.5}
TOLERANCE_REL = 0.05
#: Rates of events so rare in a county that a difference means something only when the exact
#: interval of the counts excludes the benchmark.
SMALL_NUMBER_INDICATORS = ("maternal_mortality",)
#: Verdict for a small-number rate whose interval contains the benchmark, or that has no counts.
INDISTINGUISHABLE = "cannot be told apart"

#: A value better than its province by more than this (years for life expectancy, else a share of
#: the provincial value) is questioned rather than praised: a county far ahead of its own province
#: is more often a definition or reporting difference than an achievement.
FAR_ABS = {"life_expectancy": 2.0}
FAR_REL = 0.5

BENCHMARK_COLUMNS = [
    "region_id", "indicator_id", "unit", "direction", "year", "value", "value_text", "ref",
    "benchmark_region_id", "benchmark_level", "benchmark_year", "benchmark_value", "benchmark_ref",
    "year_note", "benchmark_alternatives", "difference", "comparison", "tolerance", "ci_events", "ci_exposure",
    "ci_exposure_kind", "ci_low", "ci_high", "ci_note", "latest_benchmark_year", "latest_benchmark_value",
    "latest_benchmark_ref", "far_better",
]


def similar_tolerance(indicator_id: str, benchmark: float) -> float:
    """Half-width of the band in which two values are called similar."""
    return TOLERANCE_ABS.get(indicator_id, abs(benchmark) * TOLERANCE_REL)


def far_better(indicator_id: str, difference: float, benchmark: float) -> bool:
    """Whether a "better" value is so far from its province's that it should be checked first."""
    if indicator_id in FAR_ABS:
        return abs(difference) > FAR_ABS[indicator_id]
    return benchmark != 0 and abs(difference) > FAR_REL * abs(benchmark)


def judge(value: float, benchmark: float, direction: str, tolerance: float) -> str:
    """better / similar / worse (or different/similar when the indicator has no polarity)."""
    diff = value - benchmark
    if abs(diff) <= tolerance:
        return "similar"
    if direction == "higher_is_better":
        return "better" if diff > 0 else "worse"
    if direction == "lower_is_better":
        return "better" if diff < 0 else "worse"
    return "different"


def national_series(indicator_id: str, path=None) -> pd.DataFrame:
    """National actuals of one indicator over time (year, value, ref)."""
    obs = enriched(path)
    s = obs[(obs["region_id"] == "china") & (obs["indicator_id"] == indicator_id)
            & (obs["kind"] == "actual") & obs["value_std"].notna()]
    return s.sort_values("year")[["year", "value_std", "value_text", "ref"]].rename(columns={"value_std": "value"})


def nearest_year(rows: pd.DataFrame, year: int) -> pd.Series | None:
    """The row of ``year``, else of the nearest year; on a tie the earlier one (what was known at
    the time). None when there are no rows."""
    if rows.empty:
        return None
    d = (rows["year"] - year).abs()
    return rows.assign(_d=d).sort_values(["_d", "year"]).iloc[0].drop("_d")


def compare(obs: pd.DataFrame, indicators: pd.DataFrame, region_id: str, province_id: str | None,
            indicator_ids: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Each indicator's latest actual of a region against the national value and the province's
    (same or nearest year, stated), with better / similar / worse and the tolerance used.

    ``obs`` are enriched observations holding at least the region's, its province's and the
    nation's rows; ``indicators`` is the catalog indexed by id; ``indicator_ids`` limits and orders
    the indicators (default: every indicator the region reports, in catalog order). Columns:
    ``BENCHMARK_COLUMNS``.
    """
    obs = obs[obs["unit_ok"] & obs["value_std"].notna() & (obs["kind"] == "actual")
              & obs["comparator"].isin(["=", "~"]) & obs["region_id"].isin({region_id, province_id, "china"})]
    # only indicators that the region reports and a benchmark has are worth grouping
    mine = set(obs.loc[obs["region_id"] == region_id, "indicator_id"])
    benchmarked = set(obs.loc[obs["region_id"].isin({"china", province_id} - {region_id}), "indicator_id"])
    pairs = obs.loc[obs["indicator_id"].isin(mine & benchmarked),
                    ["region_id", "indicator_id", "year", "source_line", "value_std", "value_text", "ref"]]
    by: dict[tuple[str, str], list[dict]] = {}  # a few rows each: plain records are quickest
    for r in pairs.to_dict("records"):
        by.setdefault((r["region_id"], r["indicator_id"]), []).append(r)
    ind = indicators
    if indicator_ids is None:
        indicator_ids = tuple(i for i in ind.index if i in mine)
    rows = []
    for indicator in indicator_ids:
        own = by.get((region_id, indicator))
        if own is None:
            continue  # nothing reported, or nothing to compare with
        latest = first_per_year(own)[-1]
        year = int(latest["year"])
        ci = _interval(obs, region_id, year, indicator)
        for bid, level in (("china", "national"), (province_id, "provincial")):
            if bid is None or bid == region_id:
                continue
            bench = by.get((bid, indicator))
            if bench is None:
                continue
            series = first_per_year(bench)
            b = min(series, key=lambda r: (abs(r["year"] - year), r["year"]))  # as nearest_year
            last = series[-1]  # the benchmark's latest value, when later than the one compared
            alternatives = "; ".join(f"{v['value_text']} ({v['ref']})" for v in bench
                                     if v["year"] == b["year"] and v["value_std"] != b["value_std"])
            tol = similar_tolerance(indicator, float(b["value_std"]))
            by_year = int(b["year"])
            verdict = judge(float(latest["value_std"]), float(b["value_std"]), ind.loc[indicator, "direction"], tol)
            ci_note = ci["ci_note"]
            if indicator in SMALL_NUMBER_INDICATORS:
                if ci["ci_low"] is None:
                    verdict = INDISTINGUISHABLE
                elif ci["ci_low"] <= float(b["value_std"]) <= ci["ci_high"]:
                    verdict = INDISTINGUISHABLE
                    ci_note += f"; the {level} value lies inside it, so the difference is not distinguishable from chance"
                else:  # the interval excludes the benchmark: better or worse, never "similar"
                    verdict = judge(float(latest["value_std"]), float(b["value_std"]),
                                    ind.loc[indicator, "direction"], 0.0)
            rows.append({
                "region_id": region_id, "indicator_id": indicator, "unit": ind.loc[indicator, "unit"],
                "direction": ind.loc[indicator, "direction"], "year": year,
                "value": float(latest["value_std"]), "value_text": latest["value_text"], "ref": latest["ref"],
                "benchmark_region_id": bid, "benchmark_level": level, "benchmark_year": by_year,
                "benchmark_value": float(b["value_std"]), "benchmark_ref": b["ref"],
                "year_note": "" if by_year == year else f"{level} value for {by_year}, the nearest year to {year}",
                "benchmark_alternatives": alternatives,
                "difference": float(latest["value_std"]) - float(b["value_std"]),
                "comparison": verdict, "tolerance": tol,
                "ci_events": ci["ci_events"], "ci_exposure": ci["ci_exposure"],
                "ci_exposure_kind": ci["ci_exposure_kind"], "ci_low": ci["ci_low"], "ci_high": ci["ci_high"],
                "ci_note": ci_note,
                "latest_benchmark_year": int(last["year"]) if last["year"] > b["year"] else None,
                "latest_benchmark_value": float(last["value_std"]) if last["year"] > b["year"] else None,
                "latest_benchmark_ref": last["ref"] if last["year"] > b["year"] else None,
                "far_better": level == "provincial" and verdict == "better" and far_better(
                    indicator, float(latest["value_std"]) - float(b["value_std"]), float(b["value_std"])),
            })
    return pd.DataFrame(rows, columns=BENCHMARK_COLUMNS)


def _interval(obs: pd.DataFrame, region_id: str, year: int, indicator: str) -> dict:
    """Exact Poisson interval where the counts behind a rate are reported."""
    none = {"ci_events": None, "ci_exposure": None, "ci_exposure_kind": None, "ci_low": None, "ci_high": None,
            "ci_note": "the plan gives the rate without its counts: no interval or significance test possible"}
    if indicator != "maternal_mortality":
        return none
    o = obs[(obs["region_id"] == region_id) & (obs["year"] == year)]
    deaths = o[o["indicator_id"] == "maternal_deaths_count"]
    births = o[o["indicator_id"].isin(["live_births_count", "hospital_deliveries_count"])]
    if deaths.empty or births.empty:
        return none
    d, b = deaths.iloc[0], births.iloc[0]
    ri = rate_interval(float(d["value_std"]), float(b["value_std"]), 100000)
    kind = "hospital deliveries" if b["indicator_id"] == "hospital_deliveries_count" else "live births"
    what = f"{kind} (an approximation of live births)" if kind == "hospital deliveries" else kind
    deaths_text = f"{ri.events:g} death" + ("" if ri.events == 1 else "s")
    return {"ci_events": ri.events, "ci_exposure": ri.exposure, "ci_exposure_kind": kind,
            "ci_low": ri.low, "ci_high": ri.high,
            "ci_note": f"exact Poisson 95% interval from {deaths_text} in {ri.exposure:,.0f} {what}"}
