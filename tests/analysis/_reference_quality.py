"""Reference: planlib's data-quality checks before vectorisation, region by region and row by row.

A verbatim copy of ``planlib.analysis.quality`` as it was (its caches removed), kept only to
prove that the vectorised checks return the same findings: same rows, messages and order.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from planlib.data.tables import Tables
from planlib.analysis.targets import baseline_for, derive_relative, meets

FINDING_COLUMNS = ["region_id", "indicator_id", "year", "check", "severity", "message", "source_lines"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

# (count indicator, ratio indicator, ratio's "per" population) for count-vs-ratio checks.
COUNT_RATIO_PAIRS = [
    ("physicians_count", "physicians_per_1000", 1000),
    ("nurses_count", "nurses_per_1000", 1000),
    ("beds_count", "beds_per_1000", 1000),
    ("pharmacists_count", "pharmacists_per_1000", 1000),
    ("public_health_staff_count", "public_health_staff_per_1000", 1000),
]
# Ratio targets implying more than this fold change on their baseline are flagged.
MAX_FOLD_CHANGE = 3.0


def _finding(rows: Iterable[pd.Series] | pd.DataFrame, check: str, severity: str, message: str,
             region: str | None = None, indicator: str | None = None, year: int | None = None) -> dict:
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    first = df.iloc[0]
    return {
        "region_id": region or first["region_id"],
        "indicator_id": indicator or first["indicator_id"],
        "year": int(year if year is not None else first["year"]),
        "check": check, "severity": severity, "message": message,
        "source_lines": "; ".join(dict.fromkeys(df["ref"])),
    }


def _fmt(r: pd.Series) -> str:
    return f"{r['value_text']} ({r['ref']})"


def impossible_relations(obs: pd.DataFrame) -> list[dict]:
    """Under-5 mortality below infant mortality for the same region, year and kind."""
    out = []
    num = obs[obs["value_std"].notna() & obs["unit_ok"]]
    inf = num[num["indicator_id"] == "infant_mortality"]
    u5 = num[num["indicator_id"] == "under5_mortality"]
    m = u5.merge(inf, on=["region_id", "year", "kind"], suffixes=("_u5", "_inf"))
    m = m[m["value_std_u5"] < m["value_std_inf"]]
    for (region, year, kind), g in m.groupby(["region_id", "year", "kind"]):
        pairs = sorted({(r.value_std_u5, r.value_std_inf) for r in g.itertuples()})
        refs = pd.DataFrame({"ref": list(g["ref_u5"]) + list(g["ref_inf"]), "region_id": region,
                             "indicator_id": "under5_mortality", "year": year})
        what = "; ".join(f"{a:g}‰ < {b:g}‰" for a, b in pairs)
        out.append(_finding(refs, "impossible_relation", "error" if kind == "actual" else "warning",
                            f"{kind} under-5 mortality is below infant mortality ({what}): every infant "
                            f"death is also an under-5 death, so this cannot be true"))
    return out


def conflicting_values(obs: pd.DataFrame) -> list[dict]:
    """One quantity (region, indicator, year, kind) reported with different values or comparators."""
    out = []
    rows = obs.copy()
    # Relative targets become comparable through their baseline (提高1岁 on 80.17 → 81.17).
    derived = {}
    for i, r in rows[(rows["comparator"] == "text") & (rows["kind"] == "target")].iterrows():
        base = baseline_for(obs, r["region_id"], r["indicator_id"], int(r["year"]), r["plan_cycle"], r["source_id"])
        if base is None:
            continue
        d = derive_relative(r["value_text"], float(base["value"]))
        if d is not None:
            derived[i] = (round(d[0], 4), base)
    # a target's plan cycle is part of its quantity (planlib's later rule, kept here so the two agree)
    rows["_cycle"] = rows["plan_cycle"].where(rows["kind"] == "target").fillna("")
    for key, g in rows.groupby(["region_id", "indicator_id", "year", "kind", "_cycle"]):
        numeric = g[g["value_std"].notna()]
        rel = g[g.index.isin(derived)]
        levels = {round(v, 6) for v in numeric["value_std"]}
        if len(numeric) + len(rel) < 2:
            continue
        one_doc = g["source_id"].nunique() == 1
        where = "in one document" if one_doc else "by different sources"
        if len(levels) > 1:
            out.append(_finding(numeric, "conflicting_values", "warning",
                                f"{key[3]} reported with different values {where}: "
                                + ", ".join(_fmt(r) for _, r in numeric.iterrows())))
        elif len(numeric) > 1 and numeric["comparator"].nunique() > 1:
            out.append(_finding(numeric, "comparator_differs", "info",
                                f"{key[3]} written with different qualifiers {where}: "
                                + ", ".join(_fmt(r) for _, r in numeric.iterrows())))
        for i, r in rel.iterrows():
            level, base = derived[i]
            for _, n in numeric.iterrows():
                if abs(n["value_std"] - level) > max(0.01, abs(level) * 0.005):
                    both = pd.DataFrame([r, n])
                    out.append(_finding(both, "conflicting_values", "warning",
                                        f"relative target {r['value_text']} ({r['ref']}) on the {int(base['year'])} "
                                        f"value {base['value_text']} ({base['ref']}) implies {level:g}, but "
                                        f"{_fmt(n)} is stated"))
    return out


def implausible_values(obs: pd.DataFrame, indicators: pd.DataFrame) -> list[dict]:
    """Values outside the plausible range the catalog gives for an indicator."""
    rng = indicators.set_index("id")[["plausible_min", "plausible_max", "unit"]]
    o = obs[obs["value_std"].notna() & obs["unit_ok"]].join(rng[["plausible_min", "plausible_max"]],
                                                            on="indicator_id")
    bad = o[(o["value_std"] < o["plausible_min"]) | (o["value_std"] > o["plausible_max"])]
    bad = bad[~((bad["kind"] == "target") & bad["comparator"].isin(["<", "<="])
                & (bad["value_std"] > bad["plausible_max"]))]  # a ceiling above the range says little
    out = []
    for _, g in bad.groupby(["region_id", "indicator_id", "year", "kind", "value_std"], sort=False):
        r = g.iloc[0]
        lines = ", ".join(g["ref"])
        out.append(_finding(g, "implausible_value", "warning",
                            f"{r['kind']} {r['value_text']} ({lines}) = {r['value_std']:,g} {r['unit']} is outside "
                            f"the plausible range {r['plausible_min']:,g}–{r['plausible_max']:,g} for a whole population"))
    return out


def unit_mismatches(obs: pd.DataFrame) -> list[dict]:
    """A unit as written that contradicts the catalog unit (a per-mille rate printed with %)."""
    out = []
    for _, r in obs[~obs["unit_ok"]].iterrows():
        out.append(_finding([r], "unit_mismatch", "warning",
                            f"{_fmt(r)} is written in '{r['unit_text']}' but the indicator is measured "
                            f"{r['unit']}; the unit sign was probably lost or changed in the document"))
    return out


def weak_targets(obs: pd.DataFrame) -> list[dict]:
    """Targets that the baseline already meets: less demanding than what was achieved."""
    out = []
    tg = obs[(obs["kind"] == "target") & obs["value_std"].notna() & obs["unit_ok"]]
    for _, r in tg.iterrows():
        base = baseline_for(obs[obs["unit_ok"]], r["region_id"], r["indicator_id"], int(r["year"]),
                            r["plan_cycle"], r["source_id"])
        if base is None or base["source_id"] in () or pd.isna(base["value_std"]):
            continue
        ok = meets(float(base["value_std"]), r["comparator"], float(r["value_std"]), r["direction"])
        if ok:
            out.append(_finding(pd.DataFrame([r, base]), "weak_target", "info",
                                f"{int(r['year'])} target {_fmt(r)} is already met by the {int(base['year'])} "
                                f"value {_fmt(base)}: it asks for no improvement",
                                year=int(r["year"])))
    return out


def implausible_changes(obs: pd.DataFrame) -> list[dict]:
    """Ratio targets that imply more than a MAX_FOLD_CHANGE-fold change on their baseline."""
    out = []
    tg = obs[(obs["kind"] == "target") & obs["value_std"].notna() & obs["unit_ok"]
             & obs["unit"].str.startswith("per ")]
    for _, r in tg.iterrows():
        base = baseline_for(obs[obs["unit_ok"]], r["region_id"], r["indicator_id"], int(r["year"]),
                            r["plan_cycle"], r["source_id"])
        if base is None or not base["value_std"] or not r["value_std"]:
            continue
        fold = float(r["value_std"]) / float(base["value_std"])
        if fold > MAX_FOLD_CHANGE or fold < 1 / MAX_FOLD_CHANGE:
            out.append(_finding(pd.DataFrame([r, base]), "implausible_change", "warning",
                                f"{int(r['year'])} target {_fmt(r)} is {fold:.1f} times the "
                                f"{int(base['year'])} value {_fmt(base)}; check both numbers"))
    return out


def half_step(value_text: str) -> float:
    """Half a unit of the last written decimal (rounding error of a printed number): 1.4 → 0.05."""
    m = re.search(r"\d+(?:\.(\d+))?", value_text)
    decimals = len(m.group(1)) if m and m.group(1) else 0
    return 0.5 * 10 ** -decimals


def target_outcome_gaps(obs: pd.DataFrame) -> list[dict]:
    """A ratio target and the actual reported for its own year differing more than MAX_FOLD_CHANGE-fold."""
    out = []
    num = obs[obs["value_std"].notna() & obs["unit_ok"] & obs["unit"].str.startswith("per ")]
    tg, ac = num[num["kind"] == "target"], num[num["kind"] == "actual"]
    m = tg.merge(ac, on=["region_id", "indicator_id", "year"], suffixes=("", "_a"))
    m = m.drop_duplicates(["ref", "value_std_a"])
    for _, r in m.iterrows():
        if not r["value_std"] or not r["value_std_a"]:
            continue
        fold = float(r["value_std"]) / float(r["value_std_a"])
        if fold > MAX_FOLD_CHANGE or fold < 1 / MAX_FOLD_CHANGE:
            a = pd.Series({c[:-2]: r[c] for c in m.columns if c.endswith("_a")} | {"ref": r["ref_a"]})
            out.append(_finding(pd.DataFrame([r, a]), "implausible_change", "warning",
                                f"{int(r['year'])} target {_fmt(r)} and the {int(r['year'])} outcome "
                                f"{r['value_text_a']} ({r['ref_a']}) differ {max(fold, 1 / fold):.0f}-fold; "
                                f"one of them may be in another unit"))
    return out


def ratio_count_consistency(obs: pd.DataFrame) -> list[dict]:
    """Ratios against the counts they are computed from, and the populations they imply.

    A printed ratio is rounded, so each count/ratio pair implies a population *interval*;
    pairs whose intervals do not overlap cannot describe the same population.
    """
    out = []
    act = obs[(obs["kind"] == "actual") & obs["value_std"].notna() & obs["unit_ok"]]
    for (region, year), g in act.groupby(["region_id", "year"]):
        by = {k: v for k, v in g.groupby("indicator_id")}
        implied: list[tuple[str, float, float, list[pd.Series]]] = []
        for count_id, ratio_id, per in COUNT_RATIO_PAIRS:
            if count_id in by and ratio_id in by:
                c, q = by[count_id].iloc[0], by[ratio_id].iloc[0]
                h = half_step(q["value_text"])
                hc = half_step(c["value_text"]) * c["value_std"] / c["value"]
                if q["value_std"] - h > 0:
                    implied.append((f"{count_id} {c['value_text']} / {ratio_id} {q['value_text']}",
                                    (c["value_std"] - hc) / (q["value_std"] + h) * per,
                                    (c["value_std"] + hc) / (q["value_std"] - h) * per, [c, q]))
        if "population_65plus_count" in by and "population_65plus_pct" in by:
            c, s = by["population_65plus_count"].iloc[0], by["population_65plus_pct"].iloc[0]
            h = half_step(s["value_text"])
            hc = half_step(c["value_text"]) * c["value_std"] / c["value"]
            # "11.14万余" (more than) reads as 11.14万 up to the next printed step, 11.15万.
            c_lo, c_hi = ((c["value_std"], c["value_std"] + 2 * hc) if c["comparator"] in (">", ">=")
                          else (c["value_std"] - hc, c["value_std"] + hc))
            implied.append((f"population 65+ {c['value_text']} / share {s['value_text']}",
                            c_lo / (s["value_std"] + h) * 100, c_hi / (s["value_std"] - h) * 100, [c, s]))
        if "population_count" in by:
            p = by["population_count"].iloc[0]
            implied.append((f"stated population {p['value_text']}", p["value_std"] * 0.995,
                            p["value_std"] * 1.005, [p]))
        if len(implied) >= 2:
            lo = max(i[1] for i in implied)
            hi = min(i[2] for i in implied)
            if lo > hi:
                rows = [r for i in implied for r in i[3]]
                desc = "; ".join(f"{n} → {a:,.0f}–{b:,.0f}" for n, a, b, _ in implied)
                ratio_row = next((r for i in implied for r in i[3] if "_per_" in r["indicator_id"]), rows[0])
                out.append(_finding(pd.DataFrame(rows), "ratio_count_mismatch", "warning",
                                    f"counts and ratios imply populations that cannot all be true "
                                    f"(allowing for rounding): {desc}",
                                    indicator=ratio_row["indicator_id"]))
        if {"maternal_deaths_count", "maternal_mortality"} <= by.keys():
            d, mmr = by["maternal_deaths_count"].iloc[0], by["maternal_mortality"].iloc[0]
            den = by.get("hospital_deliveries_count")
            if den is not None:
                n = den.iloc[0]
                rate = d["value_std"] / n["value_std"] * 1e5
                if abs(rate - mmr["value_std"]) > 0.01 * max(rate, 1):
                    out.append(_finding(pd.DataFrame([mmr, d, n]), "ratio_count_mismatch", "info",
                                        f"{d['value_std']:g} maternal death(s) over {n['value_std']:,.0f} hospital "
                                        f"deliveries is {rate:.2f}/10万, but the stated ratio is {mmr['value_text']}; "
                                        f"the ratio uses live births ({d['value_std'] / mmr['value_std'] * 1e5:,.0f} implied), "
                                        f"not deliveries"))
        if {"health_technicians_count", "physicians_count", "nurses_count"} <= by.keys():
            h, ph, nu = (by[k].iloc[0] for k in ("health_technicians_count", "physicians_count", "nurses_count"))
            if ph["value_std"] + nu["value_std"] >= h["value_std"]:
                out.append(_finding(pd.DataFrame([h, ph, nu]), "ratio_count_mismatch", "warning",
                                    f"physicians {ph['value_text']} + nurses {nu['value_text']} add up to at least "
                                    f"the health technical staff {h['value_text']}, leaving no pharmacists, "
                                    f"laboratory or imaging staff", indicator="health_technicians_count"))
    return out


def _run_checks(obs: pd.DataFrame, indicators: pd.DataFrame) -> list[dict]:
    return (impossible_relations(obs) + conflicting_values(obs) + implausible_values(obs, indicators)
            + unit_mismatches(obs) + weak_targets(obs) + implausible_changes(obs) + target_outcome_gaps(obs)
            + ratio_count_consistency(obs))


def region_findings(t: Tables, region_id: str) -> pd.DataFrame:
    """Findings of one region (was ``_check_region``)."""
    obs = t.enriched
    mine = obs[obs["region_id"] == region_id]
    df = pd.DataFrame(_run_checks(mine, t.indicators), columns=FINDING_COLUMNS)
    df = df.drop_duplicates(["region_id", "indicator_id", "year", "check", "message"])
    df["_s"] = df["severity"].map(SEVERITY_ORDER)
    df = df.sort_values(["_s", "indicator_id", "year", "check"]).drop(columns=["_s"])
    df["year"] = df["year"].astype("Int64")
    return df.reset_index(drop=True)


def all_findings(t: Tables) -> pd.DataFrame:
    """Findings of every region, region by region in the order of the regions table (was
    ``_check_all``)."""
    parts = [region_findings(t, r) for r in t.regions["id"]]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FINDING_COLUMNS)
