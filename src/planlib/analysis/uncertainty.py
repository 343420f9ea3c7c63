"""Uncertainty for rates built on small counts: exact Poisson intervals."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RateInterval:
    """A rate per ``per`` with its exact (Garwood) Poisson 95% interval."""

    events: float
    exposure: float
    per: float
    rate: float
    low: float
    high: float


def poisson_ci(events: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence interval for a Poisson count."""
    from scipy.stats import chi2  # imported on use: scipy.stats costs ~0.3 s at start-up

    a = 1 - level
    low = 0.0 if events == 0 else chi2.ppf(a / 2, 2 * events) / 2
    high = chi2.ppf(1 - a / 2, 2 * (events + 1)) / 2
    return float(low), float(high)


def rate_interval(events: float, exposure: float, per: float, level: float = 0.95) -> RateInterval:
    """Rate of ``events`` over ``exposure`` (e.g. live births) per ``per`` with its exact interval."""
    if exposure <= 0:
        raise ValueError(f"exposure must be positive, got {exposure}")
    lo, hi = poisson_ci(events, level)
    return RateInterval(events, exposure, per, events / exposure * per, lo / exposure * per, hi / exposure * per)
