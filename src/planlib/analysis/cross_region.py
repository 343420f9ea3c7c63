"""Every plan region side by side: where each stands against the nation and its province, and how
ambitious its 2025 targets are next to the national ones.

:func:`latest_by_region` gives one row per plan region and core indicator (latest actual,
national and provincial values, the comparison of :func:`planlib.compare_benchmarks`, and the
data-quality findings on the point); :func:`target_ambition` sets each region's required annual
change to its own 2025 target beside the change the national 2025 target would need from the same
baseline; :func:`copied_targets` lists targets copied unchanged from the national plans. The
charts that draw these tables are in :mod:`planlib.apps.compare`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from planlib.analysis.quality import SEVERITY_ORDER, check_quality
from planlib.analysis.region import assess_progress, compare_benchmarks
from planlib.analysis.targets import ABSOLUTE_CHANGE, annual_change, baseline_for, derive_relative, meets
from planlib.data.tables import CORE_INDICATORS, load_tables, plan_regions
from planlib.data.values import num_text

TARGET_YEAR = 2025

LATEST_COLUMNS = [
    "region_id", "region_name", "indicator_id", "indicator_name", "unit", "unit_label", "direction",
    "year", "value_std", "value_text", "ref",
    "national_year", "national_value", "national_ref", "year_note", "difference", "tolerance", "comparison",
    "ci_low", "ci_high", "ci_note",
    "province_id", "province_name", "province_year", "province_value", "province_ref", "province_comparison",
    "n_findings", "quality_severity", "quality_checks", "quality_findings", "quality_messages",
]

AMBITION_COLUMNS = [
    "region_id", "region_name", "indicator_id", "indicator_name", "unit", "unit_label", "direction", "change_measure",
    "baseline_year", "baseline_value", "baseline_ref",
    "target_year", "comparator", "target_value", "target_text", "target_ref", "target_derived",
    "required_annual_change",
    "national_comparator", "national_target_value", "national_target_text", "national_target_ref",
    "national_other_targets", "national_other_refs", "national_target_levels", "national_required_annual_change",
    "national_relative_required_annual_change",
    "copies_national", "already_met", "national_already_met", "note",
]



def latest_by_region(indicators: Sequence[str] = CORE_INDICATORS, path=None) -> pd.DataFrame:
    """One row per plan region and indicator it reports: the latest actual (``value_std``, year,
    ref), the national value of the same or nearest year, the province's where known, the
    polarity-aware comparison with the national value (:func:`planlib.compare_benchmarks`:
    :func:`~planlib.benchmarks.judge` with :func:`~planlib.benchmarks.similar_tolerance`, or an
    exact Poisson interval where counts exist) and the data-quality findings of the same region,
    indicator and year (check names and severities kept)."""
    indicators = tuple(indicators)
    names = load_tables(path).region_names("en")
    findings = check_quality(path)
    iw = load_tables(path).indicator_words(indicators, "en")
    rows = []
    for rid in plan_regions(path):
        cb = compare_benchmarks(rid, path, indicators)
        for ind, g in cb.groupby("indicator_id", sort=False):
            first = g.iloc[0]
            rec = dict.fromkeys(LATEST_COLUMNS)
            rec.update(region_id=rid, region_name=names[rid], indicator_id=ind, indicator_name=iw[ind][0],
                       unit=first["unit"], unit_label=iw[ind][1], direction=first["direction"], year=int(first["year"]), value_std=float(first["value"]),
                       value_text=first["value_text"], ref=first["ref"])
            nat = g[g["benchmark_level"] == "national"]
            if not nat.empty:
                n = nat.iloc[0]
                rec.update(national_year=int(n["benchmark_year"]), national_value=float(n["benchmark_value"]),
                           national_ref=n["benchmark_ref"], year_note=n["year_note"],
                           difference=float(n["difference"]), tolerance=float(n["tolerance"]),
                           comparison=n["comparison"], ci_low=n["ci_low"], ci_high=n["ci_high"],
                           ci_note=n["ci_note"])
            prov = g[g["benchmark_level"] == "provincial"]
            if not prov.empty:
                p = prov.iloc[0]
                rec.update(province_id=p["benchmark_region_id"], province_name=names[p["benchmark_region_id"]],
                           province_year=int(p["benchmark_year"]), province_value=float(p["benchmark_value"]),
                           province_ref=p["benchmark_ref"], province_comparison=p["comparison"])
            f = findings[(findings["region_id"] == rid) & (findings["indicator_id"] == ind)
                         & (findings["year"] == rec["year"])]
            f = f.assign(_s=f["severity"].map(SEVERITY_ORDER)).sort_values(["_s", "check"])
            rec["n_findings"] = len(f)
            if len(f):
                rec["quality_severity"] = f["severity"].iloc[0]
                rec["quality_checks"] = "; ".join(dict.fromkeys(f["check"]))
                rec["quality_findings"] = "; ".join(dict.fromkeys(
                    f"{c} [{s}]" for c, s in zip(f["check"], f["severity"])))
                rec["quality_messages"] = " | ".join(f["message"])
            rows.append(rec)
    df = pd.DataFrame(rows, columns=LATEST_COLUMNS)
    for c in ("year", "national_year", "province_year", "n_findings"):
        df[c] = df[c].astype("Int64")
    for c in ("value_std", "national_value", "province_value", "difference", "tolerance", "ci_low", "ci_high"):
        df[c] = df[c].astype(float)
    return df.reset_index(drop=True)


def _national_targets(obs: pd.DataFrame, path=None) -> dict[str, dict]:
    """Per indicator: the headline national 14th-plan target (as assess_progress("china") picks
    it), the other national target rows and every level they state or imply."""
    head = assess_progress("china", path)
    head = head[(head["target_basis"] == "own plan") & (head["target_year"] == TARGET_YEAR)]
    out: dict[str, dict] = {}
    for _, h in head.iterrows():
        ind = h["indicator_id"]
        rows = obs[(obs["region_id"] == "china") & (obs["indicator_id"] == ind) & (obs["kind"] == "target")
                   & (obs["plan_cycle"] == "14th") & (obs["year"] == TARGET_YEAR)]
        levels, others, relative = [], [], None
        refs = [r["ref"] for _, r in rows.iterrows() if r["ref"] != h["target_ref"]]
        for _, r in rows.iterrows():
            if pd.notna(r["value_std"]):
                levels.append(float(r["value_std"]))
                if r["ref"] != h["target_ref"] or r["value_text"] != h["target_text"]:
                    others.append(f"{r['value_text']} ({r['ref']})")
                continue
            base = baseline_for(obs, "china", ind, TARGET_YEAR, "14th", r["source_id"])
            d = derive_relative(str(r["value_text"]), float(base["value_std"])) if base is not None else None
            if d is None:
                others.append(f"{r['value_text']} ({r['ref']})")
                continue
            levels.append(d[0])
            relative = str(r["value_text"])
            others.append(f"{r['value_text']} ({r['ref']}): {num_text(round(d[0], 4))} on the national "
                          f"{int(base['year'])} value {num_text(base['value_std'])}")
        out[ind] = {"value": float(h["target_value"]) if pd.notna(h["target_value"]) else None,
                    "comparator": h["comparator"], "text": h["target_text"], "ref": h["target_ref"],
                    "others": "; ".join(others), "other_refs": "; ".join(dict.fromkeys(refs)),
                    "levels": sorted(set(round(v, 6) for v in levels)),
                    "relative": relative}
    return out


def target_ambition(path=None, indicators: Sequence[str] = CORE_INDICATORS) -> pd.DataFrame:
    """For each plan region and core indicator with a numeric (or derived) 2025 target of its own:
    the baseline (2020, else the latest actual before 2025), the annual change needed to reach the
    target (absolute years for life expectancy, compound rate otherwise), the national 2025
    target and the annual change it would need from the same baseline, side by side;
    ``copies_national`` (the regional target level equals a national 2025 target level, stated
    or derived) and ``already_met`` (the baseline already meets the region's target)."""
    t = load_tables(path)
    obs = t.enriched
    obs = obs[obs["unit_ok"]]
    names = t.region_names("en")
    national = _national_targets(obs, path)
    iw = t.indicator_words(tuple(indicators), "en")
    rows = []
    for rid in plan_regions(path):
        prog = assess_progress(rid, path)
        prog = prog[(prog["target_basis"] == "own plan") & (prog["target_year"] == TARGET_YEAR)
                    & prog["indicator_id"].isin(indicators) & prog["target_value"].notna()]
        for _, p in prog.iterrows():
            ind = p["indicator_id"]
            absolute = ind in ABSOLUTE_CHANGE
            rec = dict.fromkeys(AMBITION_COLUMNS)
            tv = float(p["target_value"])
            rec.update(region_id=rid, region_name=names[rid], indicator_id=ind, indicator_name=iw[ind][0],
                       unit=p["unit"], unit_label=iw[ind][1], direction=p["direction"], target_year=TARGET_YEAR, comparator=p["comparator"],
                       target_value=tv, target_text=p["target_text"], target_ref=p["target_ref"],
                       target_derived=bool(p["target_derived"]),
                       change_measure="absolute per year" if absolute else "compound annual rate")
            n = national.get(ind)
            notes = []
            if n is not None:
                rec.update(national_comparator=n["comparator"], national_target_value=n["value"],
                           national_target_text=n["text"], national_target_ref=n["ref"],
                           national_other_targets=n["others"], national_other_refs=n["other_refs"],
                           national_target_levels="; ".join(num_text(v) for v in n["levels"]))
            rec["copies_national"] = bool(n is not None and any(math.isclose(tv, v, abs_tol=1e-9) for v in n["levels"]))
            base = baseline_for(obs, rid, ind, TARGET_YEAR, "14th", p["target_source"])
            if base is None or pd.isna(base["value_std"]):
                notes.append("no baseline reported")
            else:
                b, by = float(base["value_std"]), int(base["year"])
                years = TARGET_YEAR - by
                rec.update(baseline_year=by, baseline_value=b, baseline_ref=base["ref"])
                rec["already_met"] = bool(meets(b, p["comparator"], tv, p["direction"]))
                rec["required_annual_change"] = annual_change(b, tv, years, absolute)
                if rec["required_annual_change"] is None:
                    notes.append(f"a compound rate is undefined from a baseline of {num_text(b)}")
                if n is not None and n["value"] is not None:
                    rec["national_already_met"] = bool(meets(b, n["comparator"], n["value"], p["direction"]))
                    rec["national_required_annual_change"] = annual_change(b, n["value"], years, absolute)
                if n is not None and n["relative"] is not None:
                    d = derive_relative(n["relative"], b)
                    if d is not None:
                        rec["national_relative_required_annual_change"] = annual_change(b, d[0], years, absolute)
                        notes.append(f"national {n['relative']} applied to this baseline gives {num_text(round(d[0], 4))}")
            rec["note"] = "; ".join(notes)
            rows.append(rec)
    df = pd.DataFrame(rows, columns=AMBITION_COLUMNS)
    df["baseline_year"] = df["baseline_year"].astype("Int64")
    df["target_year"] = df["target_year"].astype("Int64")
    for c in ("baseline_value", "target_value", "required_annual_change", "national_target_value",
              "national_required_annual_change", "national_relative_required_annual_change"):
        df[c] = df[c].astype(float)
    for c in ("already_met", "national_already_met"):
        df[c] = df[c].astype("boolean")
    df["copies_national"] = df["copies_national"].astype(bool)
    return df.reset_index(drop=True)


def copied_targets(data: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`target_ambition` whose target copies a national 2025 target level."""
    cols = ["region_name", "indicator_id", "target_text", "target_ref", "national_target_text",
            "national_target_ref", "baseline_year", "baseline_value", "already_met"]
    return data.loc[data["copies_national"], cols].reset_index(drop=True)
