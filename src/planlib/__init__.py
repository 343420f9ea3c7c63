"""planlib: indicator tables, progress-to-target analysis and briefings for local health plans.

The top-level names are loaded on first use (PEP 562 ``__getattr__``), so ``import planlib`` and
``import planlib.batch`` stay cheap: batch worker processes never import pandas or pandera,
which only the kernels that build briefings need.
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
    "CORE_INDICATORS": "data", "data_dir": "data", "data_hash": "data", "load_indicators": "data",
    "load_observations": "data", "load_regions": "data", "load_sources": "data", "load_tables": "data",
    "load_units": "data", "plan_regions": "data",
    "compare_benchmarks": "benchmarks", "check_quality": "quality", "DataError": "schema",
    "assess_progress": "targets", "parse_relative": "values", "parse_value_text": "values",
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
