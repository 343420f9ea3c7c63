"""planlib: indicator tables, progress-to-target analysis and briefings for local health plans.

The top-level names are loaded on first use (PEP 562 ``__getattr__``), so ``import planlib`` and
``import planlib.apps.batch`` stay cheap: batch worker processes never import pandas or pandera,
which only the kernels that build briefings need.

The package reads in the order of its flow: :mod:`planlib.data` (schema, value parsing, the
validated tables) → :mod:`planlib.analysis` (progress to target, comparison with the nation and
province, data-quality checks, uncertainty, workforce arithmetic) → :mod:`planlib.report` (words,
house style, figures, narrative, the briefing) → :mod:`planlib.apps` (command line, batch builds,
explorer, cross-region views, teaching helpers). Each layer imports only the layers before it.
"""
from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("planlib")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

#: Public name -> module that defines it.
_EXPORTS = {
    "CORE_INDICATORS": "data.tables", "data_dir": "data.tables", "data_hash": "data.tables",
    "load_indicators": "data.tables", "load_observations": "data.tables", "load_regions": "data.tables",
    "load_sources": "data.tables", "load_tables": "data.tables", "load_units": "data.tables",
    "plan_regions": "data.tables", "DataError": "data.schema",
    "parse_relative": "data.values", "parse_value_text": "data.values",
    "check_quality": "analysis.quality", "analyse_region": "analysis.region",
    "assess_progress": "analysis.region", "compare_benchmarks": "analysis.region",
    "assess_plan": "analysis.assessment", "target_options": "analysis.options",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'planlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
