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
from planlib.analysis.quality import check_quality
from planlib.analysis.targets import assess
from planlib.data.tables import CORE_INDICATORS, REGION_CACHE, Tables, data_dir, folder_stamp, load_tables


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
        obs = self.tables.enriched
        return obs[obs["region_id"].isin({self.region_id, self.province_id, "china"})]

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
        """Progress to each target (:func:`planlib.analysis.targets.assess`)."""
        return assess(self.observations, self.tables.indicator_index, self.region_id, self.province_id)

    @cached_property
    def comparisons(self) -> pd.DataFrame:
        """Latest actual of every reported indicator against the nation and the province."""
        return compare(self.observations, self.tables.indicator_index, self.region_id, self.province_id)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Data-quality findings about the region's own numbers."""
        return check_quality(self.tables.folder, region_id=self.region_id)

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
