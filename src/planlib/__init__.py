"""planlib: indicator tables, progress-to-target analysis and briefings for local health plans."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .data import (
    CORE_INDICATORS,
    data_dir,
    data_hash,
    load_indicators,
    load_observations,
    load_regions,
    load_sources,
    load_tables,
    load_units,
    plan_regions,
)
from .benchmarks import compare_benchmarks
from .quality import check_quality
from .schema import DataError
from .targets import assess_progress
from .values import parse_relative, parse_value_text

try:
    __version__ = version("planlib")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = [
    "CORE_INDICATORS", "DataError", "__version__", "assess_progress", "check_quality", "compare_benchmarks", "data_dir", "data_hash", "load_indicators",
    "load_observations", "load_regions", "load_sources", "load_tables", "load_units",
    "parse_relative", "parse_value_text", "plan_regions",
]
