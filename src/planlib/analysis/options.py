"""Target options for the next plan (2026–2030): per core indicator, a few targets a planning
office can choose and cite, each with the pace it asks for and how that pace compares with the
region's own past pace and the nation's.

Options (:data:`OPTIONS`): continue the observed pace; reach the national 2030 reference; reach the
province's latest level (or, without one, the better quartile of the plan regions in the data);
and the plans' own style (life expectancy "+1 year" on the latest outcome, other indicators the
14th plan's own step repeated). A value the data-quality checks doubt gets no option (the row says
why); a national reference of another definition is never used (the row names the difference);
rates of rare events in a county (:data:`planlib.analysis.comparison.SMALL_NUMBER_INDICATORS`)
get ranges, not points.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from planlib.analysis.comparison import SMALL_NUMBER_INDICATORS
from planlib.analysis.quality import check_quality
from planlib.analysis.region import DOUBTING_CHECKS, RegionAnalysis, analyse_region
from planlib.analysis.targets import ABSOLUTE_CHANGE, CYCLE_BASE_YEAR, annual_change, first_per_year, meets, project
from planlib.data.tables import CORE_INDICATORS, REGION_CACHE, folder_stamp, load_tables, plan_regions

OPTIONS = ("continue pace", "national reference", "province level", "peer level", "plan style")
#: National 2030 documents in order of preference: the 15th Five-Year Plan outline, then the
#: Healthy China 2030 Outline.
REFERENCE_CYCLES = ("15th", "hc2030")
#: National references that measure something else than the local indicator of the same name:
#: local indicator → (the national reference's indicator, what differs).
DEFINITION_GUARD = {
    "physicians_per_1000": ("licensed_physicians_per_1000",
                            "licensed physicians only (执业医师), while the local ratio counts licensed and assistant "
                            "physicians (执业（助理）医师)"),
}
#: Region levels where a rate of rare events rests on a handful of cases a year.
SMALL_AREA_LEVELS = ("prefecture-level city", "county-level city", "district")
#: Quantile of the plan regions' latest values used as the peer level (the better quartile).
PEER_QUANTILE = 0.75
MIN_PEERS = 3

OPTION_COLUMNS = [
    "region_id", "indicator_id", "unit", "direction", "option", "year", "latest_year", "latest_value",
    "latest_ref", "value", "value_low", "value_high", "basis_value", "basis_year", "basis_ref", "basis_text",
    "required_annual_change", "change_measure", "own_pace", "own_period", "own_multiple", "national_pace",
    "national_period", "national_multiple", "feasibility", "flags", "note", "births", "births_ref", "peers",
]
#: Keys of ``flags`` (what a reader must be told about a row): no_value, doubt, one_point, definition,
#: beyond, other_reference, province_alt, small_births, small_no_births, small_no_peer, province_target
#: (the province has its own goal for the year, e.g. Healthy Shandong's).


def _latest_usable(a: RegionAnalysis, region_id: str, indicator: str) -> list[dict]:
    """The region's actuals of one indicator, one per year (document order), oldest first."""
    rows = a.actuals(region_id, indicator)
    if rows is None:
        return []
    return first_per_year(rows.to_dict("records"))


def _pace(rows: list[dict], absolute: bool) -> tuple[float | None, str | None]:
    """Annual change over the latest two years of ``rows`` (and the period), or (None, None)."""
    if len(rows) < 2:
        return None, None
    prev, last = rows[-2], rows[-1]
    ch = annual_change(float(prev["value_std"]), float(last["value_std"]), last["year"] - prev["year"], absolute)
    if ch is None:
        return None, None
    return ch, f"{int(prev['year'])}–{int(last['year'])}"


def _multiple(required: float | None, pace: float | None) -> float | None:
    """How many times ``pace`` the required change is (None when the pace is zero or none)."""
    if required is None or pace is None or pace == 0:
        return None
    return required / pace


def _feasibility(required: float | None, own: float | None, already: bool) -> str:
    """already reached / within own pace / faster than own pace / against own trend / no own pace."""
    if already:
        return "already reached"
    if own is None or required is None:
        return "no own pace"
    if own == 0 or (own > 0) != (required > 0):
        return "against own trend"
    return "within own pace" if required / own <= 1 else "faster than own pace"


def small_number_range(value: float, births: float | None) -> tuple[float, float]:
    """Range of yearly ratios per 100,000 a region would see if its true rate were ``value``: the
    central 95% of a Poisson count of deaths among ``births``; without births, 0 to ``value``
    (a ceiling for the five-year average, since any single year from 0 up is consistent with it)."""
    if not births or births <= 0:
        return 0.0, float(value)
    from scipy.stats import poisson  # imported on use (start-up cost)
    mu = value * births / 100_000
    low, high = poisson.ppf(0.025, mu), poisson.ppf(0.975, mu)
    return float(low) / births * 100_000, float(high) / births * 100_000


def _births(a: RegionAnalysis) -> tuple[float | None, str | None]:
    """The region's latest count of live births or hospital deliveries (the exposure of a maternal
    mortality ratio) and its reference, if the data hold one."""
    for ind in ("live_births_count", "hospital_deliveries_count"):
        rows = _latest_usable(a, a.region_id, ind)
        if rows:
            return float(rows[-1]["value_std"]), rows[-1]["ref"]
    return None, None


@lru_cache(maxsize=4)
def _peer_latest(folder: Path, stamp: tuple) -> dict[str, list[float]]:
    """Core indicator → the latest usable value of each plan region in the data (values the checks
    doubt left out; the first-listed report of the latest year). Worked out once per folder state:
    every region's options read the same peers."""
    t = load_tables(folder)
    rows = t.region_rows(*plan_regions(folder))
    rows = rows[rows["indicator_id"].isin(CORE_INDICATORS) & (rows["kind"] == "actual") & rows["unit_ok"]
                & rows["value_std"].notna()]
    f = check_quality(folder)  # kept per folder state: one pass over all regions
    f = f[f["check"].isin(DOUBTING_CHECKS) & f["severity"].isin(["error", "warning"])
          & ~f["message"].str.startswith("target ")]
    f = f[f["year"].notna()]
    doubted = set(zip(f["region_id"], f["indicator_id"], f["year"].astype(int)))
    keys = zip(rows["region_id"], rows["indicator_id"], rows["year"].astype(int))
    rows = rows[[k not in doubted for k in keys]]
    rows = rows[rows["year"] == rows.groupby(["region_id", "indicator_id"])["year"].transform("max")]
    # first per year: lowest source line first, rows without a line last, else table order
    rows = rows.sort_values("source_line", na_position="last", kind="stable")
    rows = rows.drop_duplicates(["region_id", "indicator_id"])
    return {ind: [float(v) for v in g["value_std"]] for ind, g in rows.groupby("indicator_id")}


def _peer_level(a: RegionAnalysis, indicator: str, direction: str) -> tuple[float | None, int]:
    """The better quartile of the latest values of the plan regions in the data (values the checks
    doubt left out), and the number of regions it is taken over."""
    folder = a.tables.folder
    latest = _peer_latest(folder, folder_stamp(folder)).get(indicator, [])
    if len(latest) < MIN_PEERS:
        return None, len(latest)
    q = PEER_QUANTILE if direction == "higher_is_better" else 1 - PEER_QUANTILE
    return float(pd.Series(latest).quantile(q)), len(latest)


def options_for(a: RegionAnalysis, year: int = 2030) -> pd.DataFrame:
    """Target options of one region's core indicators for ``year`` (columns :data:`OPTION_COLUMNS`).

    Worked out once per region analysis and year (the briefing's table, notes, figure and alt text
    read the same frame): shared, do not modify it."""
    return _options(a, int(year))


@lru_cache(maxsize=REGION_CACHE)
def _options(a: RegionAnalysis, year: int) -> pd.DataFrame:
    """:func:`options_for`, kept per region analysis and year."""
    t = a.tables
    ind = t.indicator_index
    level = t.region(a.region_id)["level"]
    prog = a.progress.set_index("indicator_id")
    obs = a.observations
    refs = obs[(obs["region_id"] == "china") & (obs["kind"] == "target") & (obs["year"] == year)
               & obs["plan_cycle"].isin(REFERENCE_CYCLES) & obs["value_std"].notna()]
    births, births_ref = _births(a)
    prov_goals = obs[(obs["region_id"] == a.province_id) & (obs["kind"] == "target") & (obs["year"] == year)
                     & obs["value_std"].notna()] if a.province_id else obs.iloc[:0]
    out: list[dict] = []
    for indicator in CORE_INDICATORS:
        direction, unit = ind.loc[indicator, "direction"], ind.loc[indicator, "unit"]
        absolute = indicator in ABSOLUTE_CHANGE
        base = dict.fromkeys(OPTION_COLUMNS)
        base.update(region_id=a.region_id, indicator_id=indicator, unit=unit, direction=direction, year=year,
                    change_measure="absolute per year" if absolute else "compound annual rate")
        rows = _latest_usable(a, a.region_id, indicator)
        if not rows:
            out.append({**base, "option": None, "flags": "no_value", "note": "no reported value: no option can be built"})
            continue
        last = rows[-1]
        ly, latest = int(last["year"]), float(last["value_std"])
        base.update(latest_year=ly, latest_value=latest, latest_ref=last["ref"])
        doubt = a.doubts.get((indicator, ly))
        if doubt:
            out.append({**base, "option": None, "flags": "doubt",
                        "note": f"the checks doubt the latest value, so no option is built on it: {doubt}"})
            continue
        usable = [r for r in rows if (indicator, int(r["year"])) not in a.doubts]
        if latest == 0 and not absolute:
            absolute = True
            base["change_measure"] = "absolute per year (zero start value)"
        own, own_period = _pace(usable, absolute)
        p = prog.loc[indicator] if indicator in prog.index else None
        if (p is not None and p["status"] != "data in doubt" and pd.notna(p["observed_annual_change"])
                and p["latest_year"] == ly and p["change_measure"] == base["change_measure"]):
            own, own_period = float(p["observed_annual_change"]), p["observed_period"]  # incl. growth stated in words
        nat = first_per_year(a.actuals("china", indicator).to_dict("records")) if a.actuals("china", indicator) is not None else []
        nat = [r for r in nat if r["year"] >= CYCLE_BASE_YEAR["14th"]]
        nat_pace, nat_period = (annual_change(float(nat[0]["value_std"]), float(nat[-1]["value_std"]),
                                              nat[-1]["year"] - nat[0]["year"], absolute),
                                f"{int(nat[0]['year'])}–{int(nat[-1]['year'])}") if len(nat) >= 2 else (None, None)
        base.update(own_pace=own, own_period=own_period, national_pace=nat_pace, national_period=nat_period)
        small = indicator in SMALL_NUMBER_INDICATORS and level in SMALL_AREA_LEVELS

        def add(option: str, value: float | None, note: str | None = None, flags: str = "", **kw) -> None:
            rec = {**base, "option": option, "value": value, "note": note, "flags": flags, **kw}
            if value is not None:
                req = annual_change(latest, value, year - ly, absolute)
                rec["required_annual_change"] = req
                already = bool(meets(latest, "=", value, direction))
                rec["own_multiple"] = None if already else _multiple(req, own)
                rec["national_multiple"] = None if already else _multiple(req, nat_pace)
                rec["feasibility"] = _feasibility(req, own, already)
                if small:
                    rec["value_low"], rec["value_high"] = small_number_range(value, births)
                    why = (f"a ratio of rare deaths: with {births:,.0f} births a year ({births_ref}) one year's ratio "
                           f"would lie in this range 19 times in 20 if the true rate were the option's value"
                           if births else
                           "a ratio of rare deaths with no births in the data: any single year from 0 up to the value "
                           "is consistent with it, so it is a ceiling for the five-year average, not a yearly value")
                    rec["note"] = why if not rec["note"] else f"{rec['note']}; {why}"
                    flag = "small_births" if births else "small_no_births"
                    rec["flags"] = ",".join(x for x in (rec["flags"], flag) if x)
                    rec["births"], rec["births_ref"] = births, births_ref
            out.append(rec)

        # 1. continue the observed pace
        if own is not None:
            value = project(latest, own, year - ly, absolute)
            lo, hi = ind.loc[indicator, "plausible_min"], ind.loc[indicator, "plausible_max"]
            beyond = ((pd.notna(hi) and value > hi) or (pd.notna(lo) and value < lo))
            add("continue pace", value, f"beyond the plausible range {lo:g}–{hi:g}: the {own_period} pace cannot "
                f"go on for another {year - ly} years" if beyond else None, "beyond" if beyond else "",
                basis_value=latest, basis_year=ly)
        else:
            add("continue pace", None, "only one reported value: no observed pace to continue", "one_point")
        # 2. the national 2030 reference (same definition only)
        r = refs[refs["indicator_id"] == indicator]
        if len(r):
            r = r.sort_values("plan_cycle", key=lambda s: s.map(REFERENCE_CYCLES.index), kind="stable").iloc[0]
            others = refs[(refs["indicator_id"] == indicator) & (refs["ref"] != r["ref"])]
            note = ("; ".join(f"another national document gives {o['value_text']} ({o['ref']})"
                              for _, o in others.iterrows()) or None)
            add("national reference", float(r["value_std"]), note, "other_reference" if note else "",
                basis_value=float(r["value_std"]),
                basis_year=year, basis_ref=r["ref"], basis_text=r["value_text"])
        if indicator in DEFINITION_GUARD:  # said even when a same-definition reference gives the option
            other, what = DEFINITION_GUARD[indicator]
            g = refs[refs["indicator_id"] == other]
            if len(g):
                add("national reference", None,
                    f"the national {year} figure {g.iloc[0]['value_text']} ({g.iloc[0]['ref']}) counts {what}: "
                    f"not comparable, so no option is built on it", "definition", basis_ref=g.iloc[0]["ref"],
                    basis_text=g.iloc[0]["value_text"])
        # 3. the province's latest level, else the better quartile of the plan regions
        prov = _latest_usable(a, a.province_id, indicator) if a.province_id else []
        if prov:
            pv = prov[-1]
            alt = a.actuals(a.province_id, indicator)
            alt = alt[(alt["year"] == pv["year"]) & (alt["ref"] != pv["ref"])]
            note = "; ".join(f"another report gives {x['value_text']} ({x['ref']}) for the same year"
                             for _, x in alt.iterrows()) or None
            add("province level", float(pv["value_std"]), note, "province_alt" if note else "", basis_value=float(pv["value_std"]),
                basis_year=int(pv["year"]), basis_ref=pv["ref"], basis_text=pv["value_text"])
        elif small:
            out.append({**base, "option": "peer level", "flags": "small_no_peer", "note": "no peer level for a ratio of rare deaths: the plan "
                        "regions' latest ratios rest on a few deaths each, and their quartile is mostly chance"})
        else:
            peer, n = _peer_level(a, indicator, direction)
            if peer is not None:
                add("peer level", peer, f"the better quartile of the latest values of {n} plan regions in the data",
                    basis_value=peer, peers=n)
        # the province's own goal for the year: said beside the options (flag province_target)
        if (prov_goals["indicator_id"] == indicator).any():
            mine = [rec for rec in out if rec["indicator_id"] == indicator and rec["option"] and rec["value"] is not None]
            if mine:
                mine[0]["flags"] = ",".join(x for x in (mine[0]["flags"], "province_target") if x)
        # 4. the plans' own style
        if indicator == "life_expectancy":
            add("plan style", latest + 1, "one year more than the latest outcome (提高1岁), as the plans write it",
                basis_value=latest, basis_year=ly, basis_ref=last["ref"])
        elif (p is not None and p["target_basis"] == "own plan" and pd.notna(p["target_value"])
              and pd.notna(p["baseline_value"]) and p["status"] != "data in doubt"):
            b0, tv = float(p["baseline_value"]), float(p["target_value"])
            b0_year = int(p["baseline_year"])
            base_rows = [x for x in usable if int(x["year"]) == CYCLE_BASE_YEAR["14th"]]
            if base_rows:
                b0, b0_year = float(base_rows[0]["value_std"]), CYCLE_BASE_YEAR["14th"]
            step_ok = (tv > b0) if direction == "higher_is_better" else (tv < b0)
            if step_ok and b0 > 0:
                value = latest + (tv - b0) if absolute else latest * tv / b0
                add("plan style", value, f"the 14th plan's step ({b0_year} {b0:g} → {int(p['target_year'])} "
                    f"{p['target_text']}) repeated from the latest outcome", basis_value=tv,
                    basis_year=int(p["target_year"]), basis_ref=p["target_ref"], basis_text=p["target_text"])
    return pd.DataFrame(out, columns=OPTION_COLUMNS)


def target_options(region_id: str, year: int = 2030, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Target options for ``year`` per core indicator of a region: continue the observed pace, the
    national reference, the province's level (or the plan regions' better quartile), the plans' own
    style; each with its value (a range for rare-event rates in a county), the required annual
    change from the latest outcome and that change against the region's own and the nation's pace.
    Rows with no ``option`` say why no option could be built."""
    return options_for(analyse_region(region_id, path), year).copy()
