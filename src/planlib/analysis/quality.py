"""Data-quality checks. Findings are information: no check ever changes a value.

Each check takes enriched observations (one region's or many regions' rows: every check compares
numbers within one region) and returns findings, dicts with the keys of ``FINDING_COLUMNS``. The
checks choose their rows with array operations over all regions at once (joins and group-wise
reductions from :mod:`planlib.analysis.grouping`); only the messages of the findings are written
one by one. :func:`findings` runs them all on a frame; ``check_quality`` on a data folder.
Severity: ``error`` (impossible), ``warning`` (conflicting or implausible, treat the number with
care), ``info`` (worth knowing when reading it).
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from planlib.data.tables import data_dir, folder_stamp, load_tables
from planlib.analysis.baselines import baseline_positions
from planlib.analysis.grouping import first_rows, key_codes, matching_pairs
from planlib.analysis.targets import derive_relative

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
# One quantity: the same region, indicator, year and kind.
QUANTITY = ["region_id", "indicator_id", "year", "kind"]


def target_cycle(c: Columns) -> np.ndarray:
    """Each row's plan cycle if it is a target, "" otherwise (and for a target without one): targets
    of different plan cycles for the same year (the Healthy China 2030 Outline's 79 years and the
    15th Five-Year Plan's 80) are different documents' goals, not one number reported twice."""
    cycle = c["plan_cycle"]
    return np.array(["" if k != "target" or not isinstance(x, str) else x for k, x in zip(c["kind"], cycle)],
                    dtype=object)


def _finding(rows: list[dict], check: str, severity: str, message: str,
             indicator: str | None = None, year: int | None = None) -> dict:
    """A finding about ``rows`` (the first names region, indicator and year unless given)."""
    first = rows[0]
    return {
        "region_id": first["region_id"],
        "indicator_id": indicator or first["indicator_id"],
        "year": int(year if year is not None else first["year"]),
        "check": check, "severity": severity, "message": message,
        "source_lines": "; ".join(dict.fromkeys(r["ref"] for r in rows)),
    }


def _fmt(r: dict) -> str:
    return f"{r['value_text']} ({r['ref']})"


class Columns:
    """The columns of an observations frame as read-only numpy arrays, each converted once, on
    first use: numbers as floats (NaN when missing), ``unit_ok`` as booleans, text as objects. A
    check reads a few columns several times, and on one region's rows a pandas column lookup costs
    more than the arithmetic; :func:`findings` hands the same Columns to every check."""

    NUMBERS = {"year", "value", "value_std", "source_line"}
    #: The columns a finding's message is written from.
    MESSAGE = ["region_id", "indicator_id", "year", "kind", "value_text", "unit_text", "unit", "value_std", "ref"]

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._arrays: dict[str, np.ndarray] = {}

    @classmethod
    def of(cls, obs: pd.DataFrame | Columns) -> Columns:
        return obs if isinstance(obs, Columns) else cls(obs)

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._arrays:
            s = self.frame[name]
            if name in self.NUMBERS:
                values = s.to_numpy(dtype=float, na_value=np.nan)
            elif name == "unit_ok":
                values = s.to_numpy(dtype=bool)
            else:
                values = s.to_numpy(dtype=object)
            values.flags.writeable = False  # often a view of the frame: checks never change a value
            self._arrays[name] = values
        return self._arrays[name]

    def rows_at(self, positions) -> dict[int, dict]:
        """Rows at these positions (row numbers) as {position: {column: value}}, with the columns
        messages are written from (Python values: a year is an int)."""
        unique = list(dict.fromkeys(int(p) for p in positions))
        if not unique:
            return {}
        columns = {c: self.frame[c].array[unique].tolist() for c in self.MESSAGE}
        return {p: {c: values[k] for c, values in columns.items()} for k, p in enumerate(unique)}


def _ratio_unit(c: Columns) -> np.ndarray:
    """Rows whose indicator is a ratio (its unit reads 'per ...')."""
    codes, units = pd.factorize(c["unit"])
    per = np.array([u.startswith("per ") for u in units] + [False])  # the last one for a missing unit
    return per[codes]


def impossible_relations(obs: pd.DataFrame | Columns) -> list[dict]:
    """Under-5 mortality below infant mortality for the same region, year and kind."""
    c = Columns.of(obs)
    vs, indicator = c["value_std"], c["indicator_id"]
    num = ~np.isnan(vs) & c["unit_ok"]
    u5 = np.flatnonzero(num & (indicator == "under5_mortality"))
    inf = np.flatnonzero(num & (indicator == "infant_mortality"))
    if not len(u5) or not len(inf):
        return []
    both = np.concatenate([u5, inf])
    key = key_codes(c["region_id"][both], c["year"][both], c["kind"][both])
    i, j = matching_pairs(key[: len(u5)], key[len(u5):])
    below = vs[u5[i]] < vs[inf[j]]
    u5, inf = u5[i][below], inf[j][below]  # the pairs, in merge order
    row = c.rows_at(np.concatenate([u5, inf]))
    groups: dict[tuple, list[tuple[dict, dict]]] = {}  # (region, year, kind) -> its pairs
    for x, y in zip(u5.tolist(), inf.tolist()):
        r = row[x]
        groups.setdefault((r["region_id"], r["year"], r["kind"]), []).append((r, row[y]))
    out = []
    for (region, year, kind), g in sorted(groups.items(), key=lambda kv: kv[0]):
        pairs = sorted({(u["value_std"], f["value_std"]) for u, f in g})
        rows = [{"region_id": region, "indicator_id": "under5_mortality", "year": year, "ref": ref}
                for ref in [u["ref"] for u, _ in g] + [f["ref"] for _, f in g]]
        what = "; ".join(f"{a:g}‰ < {b:g}‰" for a, b in pairs)
        out.append(_finding(rows, "impossible_relation", "error" if kind == "actual" else "warning",
                            f"{kind} under-5 mortality is below infant mortality ({what}): every infant "
                            f"death is also an under-5 death, so this cannot be true"))
    return out


def _distinct_per_group(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Number of distinct ``values`` in each group (groups numbered 0 .. n_groups - 1)."""
    return np.bincount(group[first_rows(key_codes(group, values))], minlength=n_groups)


def conflicting_values(obs: pd.DataFrame | Columns) -> list[dict]:
    """One quantity (region, indicator, year, kind; for a target also its plan cycle) reported with
    different values or comparators."""
    c = Columns.of(obs)
    cycle = target_cycle(c)
    comparator, kind = c["comparator"], c["kind"]
    vs, value = c["value_std"], c["value"]
    # Relative targets become comparable through their baseline (提高1岁 on 80.17 → 81.17).
    text_targets = np.flatnonzero((comparator == "text") & (kind == "target"))
    base = baseline_positions(c, text_targets)
    level: dict[int, float] = {}  # position of a relative target -> the level it implies
    base_of: dict[int, int] = {}
    texts = c["value_text"]
    for i, b in zip(text_targets[base >= 0].tolist(), base[base >= 0].tolist()):
        d = derive_relative(texts[i], float(value[b]))
        if d is not None:
            level[i], base_of[i] = round(d[0], 4), b
    numeric = ~np.isnan(vs)
    relative = np.zeros(len(c), dtype=bool)
    relative[list(level)] = True
    quantity = key_codes(*(c[q] for q in QUANTITY), cycle)
    n_quantities = quantity.max() + 1 if len(quantity) else 0
    # Quantities with at least two comparable values.
    cand = np.flatnonzero(numeric | relative)
    cand = cand[np.bincount(quantity[cand], minlength=n_quantities)[quantity[cand]] >= 2]
    if not len(cand):
        return []
    num = cand[numeric[cand]]
    distinct, at = np.unique(vs[num], return_inverse=True)
    rounded = np.array([round(v, 6) for v in distinct.tolist()])[at]
    n_numeric = np.bincount(quantity[num], minlength=n_quantities)
    levels = _distinct_per_group(quantity[num], rounded, n_quantities)
    comparators = _distinct_per_group(quantity[num], comparator[num], n_quantities)
    flagged = (levels > 1) | ((n_numeric > 1) & (comparators > 1))
    # ((region, indicator, year, kind, cycle, 0), finding) for a quantity's finding and
    # ((..., 1, relative row, numeric row), finding) for a relative target's: the order of report.
    out: list[tuple[tuple, dict]] = []
    shown = num[flagged[quantity[num]]]
    if len(shown):
        # Documents behind a quantity: all its rows (text rows too).
        sources = _distinct_per_group(quantity, c["source_id"], n_quantities)
        row = c.rows_at(shown)
        rows_of: dict[int, list[dict]] = {}
        rows_at: dict[int, int] = {}  # quantity -> position of its first shown row
        for i, q in zip(shown.tolist(), quantity[shown].tolist()):
            rows_of.setdefault(q, []).append(row[i])
            rows_at.setdefault(q, i)
        for q, rows in rows_of.items():
            first = rows[0]
            where = "in one document" if sources[q] == 1 else "by different sources"
            listed = ", ".join(_fmt(r) for r in rows)
            if levels[q] > 1:
                f = _finding(rows, "conflicting_values", "warning",
                             f"{first['kind']} reported with different values {where}: " + listed)
            else:
                f = _finding(rows, "comparator_differs", "info",
                             f"{first['kind']} written with different qualifiers {where}: " + listed)
            out.append(((first["region_id"], first["indicator_id"], first["year"], first["kind"], cycle[rows_at[q]], 0),
                        f))
    rel = cand[relative[cand]]
    i, j = matching_pairs(quantity[rel], quantity[num])
    rel, other = rel[i], num[j]
    lv = np.array([level[r] for r in rel.tolist()], dtype=float)
    far = np.abs(vs[other] - lv) > np.fmax(0.01, np.abs(lv) * 0.005)
    rel, other = rel[far], other[far]
    row = c.rows_at(np.concatenate([rel, other, [base_of[r] for r in rel.tolist()]]))
    for i, n in zip(rel.tolist(), other.tolist()):
        r, b, nr = row[i], row[base_of[i]], row[n]
        out.append(((r["region_id"], r["indicator_id"], r["year"], r["kind"], cycle[i], 1, i, n),
                    _finding([r, nr], "conflicting_values", "warning",
                             f"relative target {r['value_text']} ({r['ref']}) on the {int(b['year'])} "
                             f"value {b['value_text']} ({b['ref']}) implies {level[i]:g}, but "
                             f"{_fmt(nr)} is stated")))
    return [f for _, f in sorted(out, key=lambda kf: kf[0])]


def implausible_values(obs: pd.DataFrame | Columns, indicators: pd.DataFrame) -> list[dict]:
    """Values outside the plausible range the catalog gives for an indicator."""
    c = Columns.of(obs)
    at = pd.Index(indicators["id"]).get_indexer(c["indicator_id"])  # each row's indicator in the catalog
    low = indicators["plausible_min"].to_numpy(dtype=float, na_value=np.nan)[at]
    high = indicators["plausible_max"].to_numpy(dtype=float, na_value=np.nan)[at]
    vs = c["value_std"]
    bad = c["unit_ok"] & ((vs < low) | (vs > high))
    # A ceiling above the range says little (nor one on an indicator with no upper bound).
    ceiling = (c["kind"] == "target") & np.isin(c["comparator"], ["<", "<="])
    bad &= ~(ceiling & (np.isnan(high) | (vs > high)))
    bounds = dict(zip(indicators["id"].tolist(),
                      zip(indicators["plausible_min"].tolist(), indicators["plausible_max"].tolist())))
    groups: dict[tuple, list[dict]] = {}  # in order of first appearance
    for r in c.rows_at(np.flatnonzero(bad)).values():
        groups.setdefault((r["region_id"], r["indicator_id"], r["year"], r["kind"], r["value_std"]), []).append(r)
    out = []
    for g in groups.values():
        r = g[0]
        low, high = bounds[r["indicator_id"]]
        lines = ", ".join(x["ref"] for x in g)
        out.append(_finding(g, "implausible_value", "warning",
                            f"{r['kind']} {r['value_text']} ({lines}) = {r['value_std']:,g} {r['unit']} is outside "
                            f"the plausible range {low:,g}–{high:,g} for a whole population"))
    return out


def unit_mismatches(obs: pd.DataFrame | Columns) -> list[dict]:
    """A unit as written that contradicts the catalog unit (a per-mille rate printed with %)."""
    c = Columns.of(obs)
    out = []
    for r in c.rows_at(np.flatnonzero(~c["unit_ok"])).values():
        out.append(_finding([r], "unit_mismatch", "warning",
                            f"{_fmt(r)} is written in '{r['unit_text']}' but the indicator is measured "
                            f"{r['unit']}; the unit sign was probably lost or changed in the document"))
    return out


def meets_all(value: np.ndarray, comparator: np.ndarray, target: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Element-wise: where :func:`planlib.analysis.targets.meets` is True (False where it is
    False or None)."""
    slack = np.where(comparator == "~", np.abs(target) * 0.01, 0.0)
    level = (comparator == "=") | (comparator == "~")
    with np.errstate(invalid="ignore"):
        met = np.select(
            [comparator == "<", comparator == "<=", comparator == ">", comparator == ">=",
             level & (direction == "higher_is_better"), level & (direction == "lower_is_better")],
            [value < target, value <= target, value > target, value >= target,
             value >= target - slack, value <= target + slack], default=False)
    return met & ~np.isnan(value)


def _targets_with_baselines(c: Columns, ratios_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the numeric targets in a matching unit (ratios only, if asked) that have a
    baseline among the rows in a matching unit, and the positions of those baselines."""
    ok = c["unit_ok"]
    targets = ok & (c["kind"] == "target") & ~np.isnan(c["value_std"])
    if ratios_only:
        targets &= _ratio_unit(c)
    at = np.flatnonzero(targets)
    base = baseline_positions(c, at, among=ok)
    return at[base >= 0], base[base >= 0]


def weak_targets(obs: pd.DataFrame | Columns) -> list[dict]:
    """Targets that the baseline already meets: less demanding than what was achieved."""
    c = Columns.of(obs)
    at, base = _targets_with_baselines(c, ratios_only=False)
    vs = c["value_std"]
    met = meets_all(vs[base], c["comparator"][at], vs[at], c["direction"][at])
    at, base = at[met], base[met]
    row = c.rows_at(np.concatenate([at, base]))
    out = []
    for i, b in zip(at.tolist(), base.tolist()):
        r, bs = row[i], row[b]
        out.append(_finding([r, bs], "weak_target", "info",
                            f"{int(r['year'])} target {_fmt(r)} is already met by the {int(bs['year'])} "
                            f"value {_fmt(bs)}: it asks for no improvement", year=int(r["year"])))
    return out


def implausible_changes(obs: pd.DataFrame | Columns) -> list[dict]:
    """Ratio targets that imply more than a MAX_FOLD_CHANGE-fold change on their baseline."""
    c = Columns.of(obs)
    at, base = _targets_with_baselines(c, ratios_only=True)
    vs = c["value_std"]
    nonzero = (vs[base] != 0) & (vs[at] != 0)
    at, base = at[nonzero], base[nonzero]
    fold = vs[at] / vs[base]
    far = (fold > MAX_FOLD_CHANGE) | (fold < 1 / MAX_FOLD_CHANGE)
    at, base = at[far], base[far]
    row = c.rows_at(np.concatenate([at, base]))
    out = []
    for i, b, f in zip(at.tolist(), base.tolist(), fold[far].tolist()):
        r, bs = row[i], row[b]
        out.append(_finding([r, bs], "implausible_change", "warning",
                            f"{int(r['year'])} target {_fmt(r)} is {f:.1f} times the "
                            f"{int(bs['year'])} value {_fmt(bs)}; check both numbers"))
    return out


def half_step(value_text: str) -> float:
    """Half a unit of the last written decimal (rounding error of a printed number): 1.4 → 0.05."""
    m = re.search(r"\d+(?:\.(\d+))?", value_text)
    decimals = len(m.group(1)) if m and m.group(1) else 0
    return 0.5 * 10 ** -decimals


def target_outcome_gaps(obs: pd.DataFrame | Columns) -> list[dict]:
    """A ratio target and the actual reported for its own year differing more than MAX_FOLD_CHANGE-fold."""
    c = Columns.of(obs)
    vs, kind = c["value_std"], c["kind"]
    num = ~np.isnan(vs) & c["unit_ok"] & _ratio_unit(c)
    tg, ac = np.flatnonzero(num & (kind == "target")), np.flatnonzero(num & (kind == "actual"))
    both = np.concatenate([tg, ac])
    key = key_codes(c["region_id"][both], c["indicator_id"][both], c["year"][both])
    i, j = matching_pairs(key[: len(tg)], key[len(tg):])
    t, a = tg[i], ac[j]
    # Each target line once per outcome value (within its region).
    once = first_rows(key_codes(c["region_id"][t], c["ref"][t], vs[a]))
    t, a = t[once], a[once]
    nonzero = (vs[t] != 0) & (vs[a] != 0)
    t, a = t[nonzero], a[nonzero]
    fold = vs[t] / vs[a]
    far = (fold > MAX_FOLD_CHANGE) | (fold < 1 / MAX_FOLD_CHANGE)
    row = c.rows_at(np.concatenate([t[far], a[far]]))
    out = []
    for x, y, f in zip(t[far].tolist(), a[far].tolist(), fold[far].tolist()):
        r, o = row[x], row[y]
        out.append(_finding([r, o], "implausible_change", "warning",
                            f"{int(r['year'])} target {_fmt(r)} and the {int(r['year'])} outcome "
                            f"{o['value_text']} ({o['ref']}) differ {max(f, 1 / f):.0f}-fold; "
                            f"one of them may be in another unit"))
    return out


def _builtin_max(candidates: list[tuple[np.ndarray, np.ndarray]], larger: bool = True) -> np.ndarray:
    """Element-wise ``max`` (``min`` if not ``larger``) of the values present, taken in order the
    way Python's builtin does it: the first value, replaced by each later one that compares
    greater (so a NaN first stays)."""
    best = np.full(len(candidates[0][0]), np.nan)
    seen = np.zeros(len(best), dtype=bool)
    for values, present in candidates:
        better = values > best if larger else values < best
        best = np.where(present & (~seen | better), values, best)
        seen |= present
    return best


#: Indicators the count/ratio checks read.
RATIO_CHECK_INDICATORS = [i for pair in COUNT_RATIO_PAIRS for i in pair[:2]] + [
    "population_65plus_count", "population_65plus_pct", "population_count", "maternal_deaths_count",
    "maternal_mortality", "hospital_deliveries_count", "health_technicians_count"]


def ratio_count_consistency(obs: pd.DataFrame | Columns) -> list[dict]:
    """Ratios against the counts they are computed from, and the populations they imply.

    A printed ratio is rounded, so each count/ratio pair implies a population *interval*;
    pairs whose intervals do not overlap cannot describe the same population.
    """
    cols = Columns.of(obs)
    indicator = cols["indicator_id"]
    vs, value = cols["value_std"], cols["value"]
    used = np.flatnonzero((cols["kind"] == "actual") & ~np.isnan(vs) & cols["unit_ok"]
                          & np.isin(indicator, RATIO_CHECK_INDICATORS))
    if not len(used):
        return []
    region, year = cols["region_id"][used], cols["year"][used]
    # Each indicator's first row in each (region, year): a table with a row per (region, year)
    # and a column per indicator holding that row's position (-1: none).
    first = first_rows(key_codes(region, year, indicator[used]))
    group = key_codes(region, year)[first]
    column = {ind: k for k, ind in enumerate(RATIO_CHECK_INDICATORS)}
    table = np.full((group.max() + 1, len(RATIO_CHECK_INDICATORS)), -1)
    table[group, [column[i] for i in indicator[used][first]]] = used[first]
    half = np.full(len(cols), np.nan)  # half the printed step of each row used
    texts = cols["value_text"][used]
    steps = {t: half_step(t) for t in pd.unique(texts)}
    half[used] = [steps[t] for t in texts]

    def pos(ind: str) -> np.ndarray:
        return table[:, column[ind]]

    def of(values: np.ndarray, ind: str) -> np.ndarray:
        """The indicator's value in each (region, year); NaN where it has none."""
        p = pos(ind)
        return np.where(p >= 0, values[p], np.nan)

    def has(*inds: str) -> np.ndarray:
        return np.logical_and.reduce([pos(i) >= 0 for i in inds])

    # The populations implied: (indicators of the rows, low, high, where present), in order.
    implied: list[tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]] = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for count_id, ratio_id, per in COUNT_RATIO_PAIRS:
            c, q, h = of(vs, count_id), of(vs, ratio_id), of(half, ratio_id)
            hc = of(half, count_id) * c / of(value, count_id)
            implied.append(((count_id, ratio_id), (c - hc) / (q + h) * per, (c + hc) / (q - h) * per,
                            has(count_id, ratio_id) & (q - h > 0)))
        c, s = of(vs, "population_65plus_count"), of(vs, "population_65plus_pct")
        h = of(half, "population_65plus_pct")
        hc = of(half, "population_65plus_count") * c / of(value, "population_65plus_count")
        # "11.14万余" (more than) reads as 11.14万 up to the next printed step, 11.15万.
        p = pos("population_65plus_count")
        more = (p >= 0) & np.isin(cols["comparator"][p], [">", ">="])
        c_lo, c_hi = np.where(more, c, c - hc), np.where(more, c + 2 * hc, c + hc)
        implied.append((("population_65plus_count", "population_65plus_pct"), c_lo / (s + h) * 100,
                        c_hi / (s - h) * 100, has("population_65plus_count", "population_65plus_pct")))
        p = of(vs, "population_count")
        implied.append((("population_count",), p * 0.995, p * 1.005, has("population_count")))
        lo = _builtin_max([(i[1], i[3]) for i in implied])
        hi = _builtin_max([(i[2], i[3]) for i in implied], larger=False)
        clash = (np.sum([i[3] for i in implied], axis=0) >= 2) & (lo > hi)
        d, mmr = of(vs, "maternal_deaths_count"), of(vs, "maternal_mortality")
        births = of(vs, "hospital_deliveries_count")
        rate = d / births * 1e5
        maternal = has("maternal_deaths_count", "maternal_mortality", "hospital_deliveries_count") & (
            np.abs(rate - mmr) > 0.01 * np.where(1 > rate, 1, rate))
        live_births = d / mmr * 1e5
        tech = has("health_technicians_count", "physicians_count", "nurses_count") & (
            of(vs, "physicians_count") + of(vs, "nurses_count") >= of(vs, "health_technicians_count"))

    found = np.flatnonzero(clash | maternal | tech)
    row = cols.rows_at(table[found][table[found] >= 0])

    def rows(g: int, *inds: str) -> list[dict]:
        return [row[int(pos(i)[g])] for i in inds]

    out = []  # ((region, year, part), finding): a (region, year)'s findings in the order of report
    for g in found.tolist():
        if clash[g]:
            present = [(rows(g, *ids), ids, low[g], high[g]) for ids, low, high, here in implied if here[g]]
            names = []
            for rs, ids, _, _ in present:
                if ids[0] == "population_65plus_count":
                    names.append(f"population 65+ {rs[0]['value_text']} / share {rs[1]['value_text']}")
                elif ids[0] == "population_count":
                    names.append(f"stated population {rs[0]['value_text']}")
                else:
                    names.append(f"{ids[0]} {rs[0]['value_text']} / {ids[1]} {rs[1]['value_text']}")
            all_rows = [r for rs, _, _, _ in present for r in rs]
            desc = "; ".join(f"{name} → {a:,.0f}–{b:,.0f}" for name, (_, _, a, b) in zip(names, present))
            ratio_row = next((r for r in all_rows if "_per_" in r["indicator_id"]), all_rows[0])
            out.append(((all_rows[0]["region_id"], all_rows[0]["year"], 0), _finding(
                all_rows, "ratio_count_mismatch", "warning",
                f"counts and ratios imply populations that cannot all be true "
                f"(allowing for rounding): {desc}", indicator=ratio_row["indicator_id"])))
        if maternal[g]:
            m, dr, nr = rows(g, "maternal_mortality", "maternal_deaths_count", "hospital_deliveries_count")
            out.append(((m["region_id"], m["year"], 1), _finding(
                [m, dr, nr], "ratio_count_mismatch", "info",
                f"{d[g]:g} maternal death(s) over {births[g]:,.0f} hospital "
                f"deliveries is {rate[g]:.2f}/10万, but the stated ratio is {m['value_text']}; "
                f"the ratio uses live births ({live_births[g]:,.0f} implied), not deliveries")))
        if tech[g]:
            h, ph, nu = rows(g, "health_technicians_count", "physicians_count", "nurses_count")
            out.append(((h["region_id"], h["year"], 2), _finding(
                [h, ph, nu], "ratio_count_mismatch", "warning",
                f"physicians {ph['value_text']} + nurses {nu['value_text']} add up to at least "
                f"the health technical staff {h['value_text']}, leaving no pharmacists, "
                f"laboratory or imaging staff", indicator="health_technicians_count")))
    return [f for _, f in sorted(out, key=lambda kf: kf[0])]


#: Counts whose size per head of population is bounded by the plausible range of a ratio in the
#: catalog: count → (ratio indicator, the ratio's "per" population).
COUNT_PER_HEAD = {count: (ratio, per) for count, ratio, per in
                  COUNT_RATIO_PAIRS + [("childcare_places_count", "childcare_places_per_1000", 1000)]}
#: How far outside its ratio's plausible range a count may be before it is implausible: the range
#: is for a whole population, and a region's count may be of a slightly other year or area.
COUNT_SLACK = 3.0
#: Units of counts that cannot exceed the population of the region they are counted in.
COUNT_UNITS = ("persons", "beds", "places", "deliveries", "deaths", "centres", "institutions")
#: Counts that may exceed the region's population: the population itself, people served from outside.
NOT_PER_HEAD = ("population_count", "catchment_population_count")
#: How many years apart a count and the population it is measured against may be.
POPULATION_YEARS = 5


def _among(values: np.ndarray, wanted: tuple[str, ...]) -> np.ndarray:
    """Element-wise: is each of ``values`` (text) one of ``wanted``? (hash look-ups: much faster
    than ``np.isin`` on text)."""
    return pd.Index(wanted).get_indexer(values) >= 0


def _populations(c: Columns) -> pd.DataFrame:
    """The populations the data state or imply, one per (region, year): the stated total
    population (an actual), else the population aged 65 and over divided by its share. Columns:
    region_id, year, population, rows (positions of the rows it comes from)."""
    ind, kind, vs = c["indicator_id"], c["kind"], c["value_std"]
    usable = (kind == "actual") & ~np.isnan(vs) & c["unit_ok"]
    frames = []
    stated = np.flatnonzero(usable & (ind == "population_count"))
    if len(stated):
        frames.append(pd.DataFrame({"region_id": c["region_id"][stated], "year": c["year"][stated],
                                    "population": vs[stated], "rows": [(int(i),) for i in stated], "rank": 0}))
    old = np.flatnonzero(usable & (ind == "population_65plus_count"))
    share = np.flatnonzero(usable & (ind == "population_65plus_pct") & (vs > 0))
    if len(old) and len(share):
        both = np.concatenate([old, share])
        key = key_codes(c["region_id"][both], c["year"][both])
        i, j = matching_pairs(key[: len(old)], key[len(old):])
        o, s = old[i], share[j]
        frames.append(pd.DataFrame({"region_id": c["region_id"][o], "year": c["year"][o],
                                    "population": vs[o] / vs[s] * 100,
                                    "rows": [(int(a), int(b)) for a, b in zip(o, s)], "rank": 1}))
    if not frames:
        return pd.DataFrame(columns=["region_id", "year", "population", "rows", "rank"])
    pops = pd.concat(frames, ignore_index=True).sort_values(["region_id", "year", "rank"], kind="stable")
    return pops.drop_duplicates(["region_id", "year"]).reset_index(drop=True)


def implausible_counts(obs: pd.DataFrame | Columns, indicators: pd.DataFrame) -> list[dict]:
    """Counts that cannot be true for the region's population, where the data state or imply it
    (:func:`_populations`, the nearest year within POPULATION_YEARS): a count whose size per head
    is more than COUNT_SLACK times outside the plausible range of its ratio (beds per 1,000
    people), or any other count larger than the population itself. Severity error for an actual
    (its value is in doubt), warning for a target; a ceiling target is not judged."""
    c = Columns.of(obs)
    ind, vs, kind = c["indicator_id"], c["value_std"], c["kind"]
    counts = np.flatnonzero(~np.isnan(vs) & c["unit_ok"] & _among(c["unit"], COUNT_UNITS)
                            & ~_among(ind, NOT_PER_HEAD)
                            & ~((kind == "target") & _among(c["comparator"], ("<", "<="))))
    if not len(counts):
        return []
    pops = _populations(c)
    if pops.empty:
        return []
    rows = pd.DataFrame({"pos": counts, "region_id": c["region_id"][counts], "year": c["year"][counts]})
    pairs = rows.merge(pops.rename(columns={"year": "pop_year"}), on="region_id")
    pairs["gap"] = (pairs["year"] - pairs["pop_year"]).abs()
    pairs = pairs[pairs["gap"] <= POPULATION_YEARS]
    # the nearest year; of two as near, the later
    pairs = pairs.sort_values(["pos", "gap", "pop_year"], ascending=[True, True, False], kind="stable")
    pairs = pairs.drop_duplicates("pos")
    if pairs.empty:
        return []
    pos = pairs["pos"].to_numpy()
    population = pairs["population"].to_numpy(dtype=float)
    at = pd.Index(indicators["id"]).get_indexer(
        [COUNT_PER_HEAD.get(i, (None, 0))[0] for i in ind[pos].tolist()])  # -1: no ratio
    low = np.where(at >= 0, indicators["plausible_min"].to_numpy(dtype=float, na_value=np.nan)[at], np.nan)
    high = np.where(at >= 0, indicators["plausible_max"].to_numpy(dtype=float, na_value=np.nan)[at], np.nan)
    per = np.array([COUNT_PER_HEAD.get(i, (None, 1))[1] for i in ind[pos].tolist()], dtype=float)
    head = vs[pos] / population * per
    with np.errstate(invalid="ignore"):
        ratio_bad = (at >= 0) & ((head > high * COUNT_SLACK) | (head < low / COUNT_SLACK))
        bad = ratio_bad | ((at < 0) & (vs[pos] > population))
    keep = np.flatnonzero(bad)
    row = c.rows_at(np.concatenate([pos[keep]] + [np.array(r, dtype=int) for r in pairs["rows"].iloc[keep]]))
    out = []
    for k in keep.tolist():
        r = row[int(pos[k])]
        p = pairs.iloc[k]
        src = [row[i] for i in p["rows"]]
        if len(src) == 1:
            said = (f"the {int(p['pop_year'])} population of {population[k]:,.0f} "
                    f"({src[0]['value_text']}, {src[0]['ref']})")
        else:
            said = (f"the {int(p['pop_year'])} population of {population[k]:,.0f} implied by the population "
                    f"aged 65 and over {_fmt(src[0])} and its share {_fmt(src[1])}")
        first = f"{r['kind']} {_fmt(r)} is {r['value_std']:,.0f} {r['unit']}"
        if ratio_bad[k]:
            n = f"{head[k]:,.0f}" if head[k] >= 100 else f"{head[k]:.3g}"
            what = (f"{first}: {n} per {per[k]:,.0f} people for {said}, far outside the plausible "
                    f"{low[k]:g}–{high[k]:g} per {per[k]:,.0f}")
        else:
            what = f"{first}, more than {said}"
        out.append(_finding([r, *src], "implausible_count", "error" if r["kind"] == "actual" else "warning",
                            what + "; check the number and its unit", indicator=r["indicator_id"],
                            year=int(r["year"])))
    return out


def findings(obs: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Every check's findings for enriched observations (``load_tables(path).enriched`` or any
    subset of its regions) and the indicator catalog: one row per finding, repeated findings
    dropped, ordered by region (as they first appear in ``obs``), severity, indicator, year and
    check (ties in the order the checks report them). ``obs`` is not changed."""
    c = Columns(obs)
    records = (impossible_relations(c) + conflicting_values(c) + implausible_values(c, indicators)
               + unit_mismatches(c) + weak_targets(c) + implausible_changes(c)
               + target_outcome_gaps(c) + ratio_count_consistency(c) + implausible_counts(c, indicators))
    seen, kept = set(), []
    for f in records:
        key = (f["region_id"], f["indicator_id"], f["year"], f["check"], f["message"])
        if key not in seen:
            seen.add(key)
            kept.append(f)
    rank = {r: k for k, r in enumerate(pd.unique(c["region_id"]))}
    kept.sort(key=lambda f: (rank[f["region_id"]], SEVERITY_ORDER[f["severity"]], f["indicator_id"], f["year"],
                             f["check"]))  # a stable sort: ties stay in the order reported
    return _frame(kept)


def _frame(records: list[dict]) -> pd.DataFrame:
    """Findings as a frame (pandas infers the text columns' type; an empty frame's are objects)."""
    df = pd.DataFrame(records, columns=FINDING_COLUMNS)
    df["year"] = df["year"].astype("Int64")
    return df


#: Whole-folder findings per folder state (the latest few), in regions-table order.
_FOLDER_FINDINGS: dict[tuple[Path, tuple], pd.DataFrame] = {}
_FOLDERS_KEPT = 4


def _folder_findings(folder: Path, stamp: tuple) -> pd.DataFrame:
    key = (folder, stamp)
    if key not in _FOLDER_FINDINGS:
        t = load_tables(folder)
        df = findings(t.enriched, t.indicators)
        order = {r: i for i, r in enumerate(t.regions["id"].tolist())}
        df = df.iloc[np.argsort(df["region_id"].map(order).to_numpy(), kind="stable")].reset_index(drop=True)
        while len(_FOLDER_FINDINGS) >= _FOLDERS_KEPT:
            del _FOLDER_FINDINGS[next(iter(_FOLDER_FINDINGS))]
        _FOLDER_FINDINGS[key] = df
    return _FOLDER_FINDINGS[key]


@lru_cache(maxsize=_FOLDERS_KEPT)
def _rows_by_region(folder: Path, stamp: tuple) -> dict[str, np.ndarray]:
    """Each region's row positions in the folder's enriched observations (found once, so that
    one region's rows are taken without comparing every row)."""
    return load_tables(folder).enriched.groupby("region_id", sort=False).indices


def check_quality(path: str | os.PathLike | None = None, region_id: str | None = None) -> pd.DataFrame:
    """All data-quality findings for a data folder (optionally one region), one row per finding.

    The whole folder's findings are kept per folder state; one region's are read from them when
    they are kept, else found on the region's rows alone."""
    folder = data_dir(path)
    stamp = folder_stamp(folder)
    t = load_tables(folder)
    regions = t.regions["id"].tolist()
    if region_id is not None:
        if region_id not in regions:
            raise KeyError(f"unknown region {region_id!r}; valid ids: {', '.join(regions)}")
        if (folder, stamp) in _FOLDER_FINDINGS:
            df = _FOLDER_FINDINGS[(folder, stamp)]
            return _frame(df[df["region_id"] == region_id].to_dict("records"))
        rows = _rows_by_region(folder, stamp).get(region_id, np.zeros(0, dtype=int))
        return findings(t.enriched.iloc[rows], t.indicators)
    df = _folder_findings(folder, stamp).copy()
    if not regions:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    if set(regions) - set(df["region_id"].tolist()):
        # As when each region's findings were put together: a region without findings (an empty
        # frame) made the text columns plain objects.
        df = df.astype({c: object for c in FINDING_COLUMNS if c != "year"})
    return df
