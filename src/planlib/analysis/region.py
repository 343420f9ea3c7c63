"""One region's analysis, worked out once and handed to the figures, the narrative and the briefing.

:func:`analyse_region` returns a :class:`RegionAnalysis`: the region's observations (with its
province's and the nation's, which it is measured against), its progress to each target, its
comparison with the nation and its province, and its data-quality findings. Each part is
computed on first use and kept; the analyses of the last few regions are cached per data-folder
state, so a briefing, its figures and the public functions below share one computation.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from planlib.analysis.comparison import compare
from planlib.analysis.quality import findings
from planlib.analysis.targets import IN_DOUBT, assess, plan_results
from planlib.analysis.workforce import staff_needs
from planlib.data.tables import CORE_INDICATORS, REGION_CACHE, Tables, data_dir, folder_stamp, load_tables

#: Checks whose error or warning puts a reported value in doubt, most telling first: impossible
#: (an under-5 rate below the infant rate), outside the plausible range, a count implausible for the
#: region's population, contradicted by the counts it is computed from, or several-fold off its own
#: target. A doubted value gets no verdict anywhere.
DOUBTING_CHECKS = ("impossible_relation", "implausible_value", "implausible_count", "ratio_count_mismatch",
                   "implausible_change")


@dataclass(frozen=True, eq=False)
class RegionAnalysis:
    """Everything planlib works out about one region. Frames are shared: do not modify them."""

    region_id: str
    tables: Tables

    @cached_property
    def province_id(self) -> str | None:
        """The region's province (None for the nation and for a province itself)."""
        return self.tables.province_of(self.region_id)

    @cached_property
    def observations(self) -> pd.DataFrame:
        """Enriched observations of the region, its province and the nation (all it is measured by)."""
        return self.tables.region_rows(self.region_id, self.province_id, "china")

    @cached_property
    def _usable_actuals(self) -> dict[tuple[str, str], pd.DataFrame]:
        usable = self.observations
        usable = usable[usable["unit_ok"] & usable["value_std"].notna() & (usable["kind"] == "actual")]
        return {key: g for key, g in usable.groupby(["region_id", "indicator_id"], sort=False)}

    def actuals(self, region_id: str, indicator_id: str) -> pd.DataFrame | None:
        """Numeric actuals of one indicator in its catalog unit, for the region, its province or the
        nation (None when there are none)."""
        return self._usable_actuals.get((region_id, indicator_id))

    @cached_property
    def progress(self) -> pd.DataFrame:
        """Progress to each target (:func:`planlib.analysis.targets.assess`); an indicator whose
        latest value is in doubt (:attr:`doubts`) has the status "data in doubt" and the reason."""
        p = assess(self.observations, self.tables.indicator_index, self.region_id, self.province_id)
        if self.doubts:
            doubted = self._doubted(p["indicator_id"], p["latest_year"])
            p.loc[doubted.notna(), "status"] = IN_DOUBT
            p.loc[doubted.notna(), "reason"] = doubted[doubted.notna()]
            # a target is not called looser than a baseline the checks doubt
            base_doubted = self._doubted(p["indicator_id"], p["looser_base_year"]).notna()
            p.loc[base_doubted, ["baseline_below_target_by", "looser_base_year", "looser_base_value"]] = None
        return p

    @cached_property
    def previous_plan(self) -> pd.DataFrame:
        """Results of the 13th plan (:func:`planlib.analysis.targets.plan_results`): met or missed
        per target whose 2020 outcome the documents give; an outcome in doubt is judged neither
        way (``met`` None, its ``doubt`` says why)."""
        r = plan_results(self.observations, self.tables.indicator_index, self.region_id)
        r["doubt"] = self._doubted(r["indicator_id"], r["target_year"]) if len(r) else pd.Series(dtype=object)
        r.loc[r["doubt"].notna(), "met"] = None
        return r

    @cached_property
    def staff_needs(self) -> pd.DataFrame:
        """What the plan's physician and nurse targets mean in people
        (:func:`planlib.analysis.workforce.staff_needs`), using no value in doubt."""
        obs = self.observations
        mine = obs[(obs["region_id"] == self.region_id) & (obs["kind"] == "actual") & obs["unit_ok"]
                   & obs["value_std"].notna()]
        return staff_needs(self.progress, mine[["indicator_id", "year", "value_std", "ref"]], set(self.doubts))

    @cached_property
    def comparisons(self) -> pd.DataFrame:
        """Latest actual of every reported indicator against the nation and the province; a value in
        doubt is compared with nothing ("data in doubt")."""
        c = compare(self.observations, self.tables.indicator_index, self.region_id, self.province_id)
        if self.doubts:
            c.loc[self._doubted(c["indicator_id"], c["year"]).notna(), "comparison"] = IN_DOUBT
        return c

    @cached_property
    def doubts(self) -> dict[tuple[str, int], str]:
        """(indicator, year) → why the checks doubt the region's value: the message of its most
        telling error or warning (in the order of :data:`DOUBTING_CHECKS`)."""
        f = self.findings
        f = f[f["check"].isin(DOUBTING_CHECKS) & f["severity"].isin(["error", "warning"])]
        # a finding about a target ("target 12 … is outside the plausible range") doubts the target,
        # not the value reported for the same year
        f = f[~f["message"].str.startswith("target ")]
        f = f.sort_values("check", key=lambda c: c.map(DOUBTING_CHECKS.index), kind="stable")
        out: dict[tuple[str, int], str] = {}
        for r in f.itertuples():
            out.setdefault((r.indicator_id, int(r.year)), r.message)
        return out

    def _doubted(self, indicators: pd.Series, years: pd.Series) -> pd.Series:
        """The doubt about each (indicator, year) pair, or None."""
        return pd.Series([self.doubts.get((i, int(y))) if pd.notna(y) else None
                          for i, y in zip(indicators, years)], index=indicators.index, dtype=object)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Data-quality findings about the region's own numbers (every check compares numbers
        within one region, so the region's rows are all it needs)."""
        obs = self.observations
        return findings(obs[obs["region_id"] == self.region_id], self.tables.indicators)

    def name(self, lang: str = "en", region_id: str | None = None) -> str:
        """The name of the region (or of ``region_id``) in English or Chinese."""
        return self.tables.region_name(region_id or self.region_id, lang)


@lru_cache(maxsize=REGION_CACHE)
def _analysis(folder: Path, stamp: tuple, region_id: str) -> RegionAnalysis:
    t = load_tables(folder)
    t.region(region_id)  # unknown ids fail here, naming the valid ones
    return RegionAnalysis(region_id, t)


def analyse_region(region_id: str, path: str | os.PathLike | None = None) -> RegionAnalysis:
    """The analysis of one region of a data folder (cached until a table file changes)."""
    folder = data_dir(path)
    return _analysis(folder, folder_stamp(folder), region_id)


def assess_progress(region_id: str, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per indicator with a target: baseline, latest value, target, required and observed
    annual change, projection and Open SDG status (or why it cannot be assessed)."""
    return analyse_region(region_id, path).progress.copy()


def compare_benchmarks(region_id: str, path: str | os.PathLike | None = None,
                       indicators: tuple[str, ...] = CORE_INDICATORS) -> pd.DataFrame:
    """Each of ``indicators``' latest actual against the national value and the province's (same
    or nearest year, stated), with better / similar / worse and the tolerance used."""
    c = analyse_region(region_id, path).comparisons
    order = {k: i for i, k in enumerate(indicators)}
    c = c[c["indicator_id"].isin(order)]
    return c.sort_values("indicator_id", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
