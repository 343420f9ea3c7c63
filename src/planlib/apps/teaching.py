"""Helpers for the teaching notebooks (notebooks/lessons/): answer checks, look-ups, unit arithmetic.

Every check prints one line that starts with a marker and returns what it found:

* ``✓ correct …`` and ``True`` for a right answer,
* ``✗ not yet …`` and ``False`` for a wrong one (with what is wrong and, if given, a hint;
  the expected value is not revealed),
* ``… not answered yet`` and ``None`` while the answer is still the ``None`` placeholder.

A check never raises on a student's answer, whatever its type, so a lesson runs top to bottom
with its exercises unanswered. The expected value is always passed in by the lesson, computed
from the data with planlib (never typed in), so a lesson stays right when the data changes.
"""
from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

CORRECT = "✓"
WRONG = "✗"
PENDING = "…"
NOT_ANSWERED = f"{PENDING} not answered yet: replace None with your answer, run that cell, then this one."


def _say(text: str) -> None:
    print(text)


def _fmt(x: float, unit: str = "") -> str:
    """A number for a message: thousands separators, up to 4 significant decimals."""
    if float(x).is_integer() and abs(x) < 1e15:
        s = f"{x:,.0f}"
    elif abs(x) >= 100:
        s = f"{x:,.2f}".rstrip("0").rstrip(".")
    else:
        s = f"{x:.4g}"
    return f"{s} {unit}".rstrip() if unit else s


def _as_number(answer: object) -> float | None:
    """A student's answer as a float: numbers and numeric strings ("7.48", "12,870"); else None."""
    if isinstance(answer, (bool, np.bool_)):
        return None
    if isinstance(answer, numbers.Real):
        return float(answer)
    if isinstance(answer, str):
        try:
            return float(answer.replace(",", "").strip())
        except ValueError:
            return None
    try:  # numpy scalars and 0-d arrays
        v = float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v


def _fail(message: str, hint: str | None) -> bool:
    _say(f"{WRONG} not yet: {message}" + (f" Hint: {hint}" if hint else ""))
    return False


def check_number(answer: object, expected: float, tolerance: float = 1e-6, unit: str = "", *,
                 relative: bool = False, hint: str | None = None) -> bool | None:
    """Is ``answer`` within ``tolerance`` of ``expected``? Prints ✓ / ✗ / "not answered yet".

    ``tolerance`` is absolute (in ``unit``), or a fraction of ``expected`` with ``relative=True``.
    A wrong answer is told whether it is too high or too low, not what is expected.
    """
    if answer is None:
        _say(NOT_ANSWERED)
        return None
    exp = float(expected)
    if not math.isfinite(exp):
        raise ValueError(f"the lesson's expected value is not a finite number: {expected!r}")
    if tolerance < 0:
        raise ValueError(f"tolerance cannot be negative, got {tolerance!r}")
    tol = abs(exp) * tolerance if relative else float(tolerance)
    value = _as_number(answer)
    if value is None:
        return _fail(f"expected a number, got {answer!r} ({type(answer).__name__}).", hint)
    if not math.isfinite(value):
        return _fail(f"{answer!r} is not a finite number.", hint)
    if abs(value - exp) <= tol:
        _say(f"{CORRECT} correct: {_fmt(value, unit)}.")
        return True
    direction = "too high" if value > exp else "too low"
    within = f"{tolerance:.0%} of the answer" if relative else f"±{_fmt(tol, unit)}"
    return _fail(f"{_fmt(value, unit)} is {direction} (the answer needs to be within {within}).", hint)


def _norm(s: str) -> str:
    return " ".join(str(s).replace("_", " ").replace("-", " ").casefold().split())


def check_choice(answer: object, expected: str, options: Iterable[str] | None = None, *,
                 hint: str | None = None) -> bool | None:
    """Is ``answer`` the text ``expected``? Case, spaces, ``_`` and ``-`` are ignored.

    With ``options``, an answer that is none of them is told the valid choices.
    """
    if answer is None:
        _say(NOT_ANSWERED)
        return None
    if not isinstance(answer, str):
        return _fail(f"expected a text answer (in quotes), got {answer!r} ({type(answer).__name__}).", hint)
    opts = list(dict.fromkeys(str(o) for o in options)) if options is not None else None
    if _norm(answer) == _norm(expected):
        _say(f"{CORRECT} correct: {answer.strip()!r}.")
        return True
    if opts is not None and _norm(answer) not in {_norm(o) for o in opts}:
        return _fail(f"{answer!r} is not one of the choices: {', '.join(map(repr, opts))}.", hint)
    return _fail(f"{answer!r} is not the right choice.", hint)


_YES = {"yes", "true", "y"}
_NO = {"no", "false", "n"}


def check_bool(answer: object, expected: bool, *, hint: str | None = None) -> bool | None:
    """Is the yes/no ``answer`` right? Accepts True/False (also numpy booleans) and "yes"/"no"."""
    if answer is None:
        _say(NOT_ANSWERED)
        return None
    value: bool | None = None
    if isinstance(answer, (bool, np.bool_)):
        value = bool(answer)
    elif isinstance(answer, str) and answer.strip().casefold() in _YES | _NO:
        value = answer.strip().casefold() in _YES
    if value is None:
        return _fail(f"expected True or False, got {answer!r} ({type(answer).__name__}).", hint)
    if value == bool(expected):
        _say(f"{CORRECT} correct: {value}.")
        return True
    return _fail(f"{value} is not right.", hint)


# --- units ----------------------------------------------------------------------------------

_PER_SIGNS = {"%": 100.0, "％": 100.0, "‰": 1000.0, "‱": 10000.0}


def per_of_unit(unit: str) -> float:
    """The "per" of a unit: ``%`` → 100, ``‰`` → 1,000, ``per 100000 live births`` → 100,000, ``/10万`` → 100,000."""
    u = str(unit).strip()
    if u in _PER_SIGNS:
        return _PER_SIGNS[u]
    m = re.match(r"^per\s+([\d,]+)\b", u)
    if m:
        return float(m.group(1).replace(",", ""))
    m = re.match(r"^1?\s*/\s*([\d.]+)\s*(万)?$", u)
    if m:
        return float(m.group(1)) * (10000 if m.group(2) else 1)
    raise ValueError(f"cannot read a 'per' from unit {unit!r}; expected %, ‰, 'per N …' or '/N万'")


def convert_rate(value: float, from_per: float, to_per: float) -> float:
    """The same rate on another base: 2.02 per 1,000 is 202 per 100,000 (value × to_per / from_per)."""
    if from_per <= 0 or to_per <= 0:
        raise ValueError(f"a rate's base must be positive, got from_per={from_per!r}, to_per={to_per!r}")
    return float(value) * float(to_per) / float(from_per)


# --- look-ups -------------------------------------------------------------------------------

def observations(region_id: str, indicator_id: str, year: int | None = None, kind: str | None = None,
                 path=None) -> pd.DataFrame:
    """The observations of one region and indicator (optionally one year and kind), as printed:
    value_text, unit_text, the catalog unit, unit_ok, value_std and ref, in source-line order."""
    from planlib.data.tables import load_tables
    from planlib.data.tables import enrich

    t = load_tables(path)
    obs = enrich(t)
    sel = (obs["region_id"] == region_id) & (obs["indicator_id"] == indicator_id)
    if year is not None:
        sel &= obs["year"] == int(year)
    if kind is not None:
        sel &= obs["kind"] == kind
    out = obs[sel].sort_values(["year", "source_line"], na_position="last", kind="stable")
    return out.reset_index(drop=True)


def value(region_id: str, indicator_id: str, year: int, kind: str = "actual", path=None) -> float:
    """The one number a region reports for an indicator and year, in the catalog unit.

    Rows whose unit contradicts the catalog (Weihai's ``2.02%``) are skipped. KeyError if no row
    is left; ValueError if the remaining rows disagree (look at them with :func:`observations`).
    """
    rows = observations(region_id, indicator_id, year, kind, path)
    usable = rows[rows["unit_ok"] & rows["value_std"].notna()]
    if usable.empty:
        raise KeyError(f"no usable {kind} value of {indicator_id} for {region_id} in {year}")
    values = sorted({round(float(v), 9) for v in usable["value_std"]})
    if len(values) > 1:
        listed = ", ".join(f"{r.value_text} ({r.ref})" for r in usable.itertuples())
        raise ValueError(f"{region_id} reports different {kind} values of {indicator_id} for {year}: {listed}")
    return float(usable["value_std"].iloc[0])


# --- figures --------------------------------------------------------------------------------

def show_figure(fig, dpi: int = 150):
    """The whole figure as an image for a notebook, then closed.

    Jupyter's inline display crops figures to their axes ("tight" bounding box) and so cuts
    off the title and source line that planlib keeps outside the layout; this renders the
    figure at its full size instead. Returns an ``IPython.display.Image`` (displayed when it
    is the last expression of a cell).
    """
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi)
    finally:
        plt.close(fig)
    return Image(data=buf.getvalue(), format="png", width=round(fig.get_figwidth() * 100))


# --- small numbers (lesson 3) ---------------------------------------------------------------

INTERVAL_COLUMNS = ["label", "events", "exposure", "per", "rate", "low", "high", "ref"]


def interval_table(cases: Sequence[tuple], per: float = 100_000, level: float = 0.95) -> pd.DataFrame:
    """Rates with exact Poisson intervals for several cases, one row each.

    ``cases`` holds ``(label, events, exposure)`` or ``(label, events, exposure, ref)`` tuples,
    ``ref`` being "source_id L12" references (joined with "; ") for the chart's source line.
    """
    from planlib.analysis.uncertainty import rate_interval

    rows = []
    for case in cases:
        if len(case) not in (3, 4):
            raise ValueError(f"a case is (label, events, exposure[, ref]), got {case!r}")
        label, events, exposure = case[:3]
        ref = case[3] if len(case) == 4 else None
        if events < 0:
            raise ValueError(f"events cannot be negative ({label}: {events!r})")
        ri = rate_interval(events, exposure, per, level)
        rows.append({"label": label, "events": events, "exposure": exposure, "per": per, "rate": ri.rate,
                     "low": ri.low, "high": ri.high, "ref": ref})
    return pd.DataFrame(rows, columns=INTERVAL_COLUMNS)


def interval_chart(table: pd.DataFrame, ax: Axes | None = None, benchmark: float | None = None,
                   benchmark_label: str = "Benchmark", unit_label: str = "per 100,000 live births") -> Axes:
    """Point rates with their intervals, one row per case, and a benchmark line.

    ``table`` is an :func:`interval_table` frame. Draws on ``ax`` (or a new figure) and returns
    it; title and source line are the caller's.
    """
    import matplotlib.pyplot as plt

    from planlib.report.style import COLORS, FIG_WIDTH_IN, TEXT_COLORS

    if ax is None:
        _, ax = plt.subplots(figsize=(FIG_WIDTH_IN, 0.6 + 0.55 * len(table)), layout="constrained")
    ys = list(range(len(table)))[::-1]
    for y, r in zip(ys, table.itertuples()):
        ax.plot([r.low, r.high], [y, y], color=COLORS["region"], linewidth=2.2, solid_capstyle="butt")
        ax.plot([r.rate], [y], marker="o", color=COLORS["region"], markersize=6)
        ax.annotate(f"{r.rate:.1f} ({r.low:.1f}–{r.high:.1f})", (r.high, y), textcoords="offset points",
                    xytext=(5, -3), fontsize=8, color=TEXT_COLORS["region"])
    if benchmark is not None:
        ax.axvline(benchmark, color=COLORS["national"], linestyle="--", linewidth=1.2,
                   label=f"{benchmark_label}: {benchmark:g}")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_yticks(ys, list(table["label"]))
    ax.set_xlim(left=0, right=max(float(table["high"].max()), benchmark or 0) * 1.35)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.set_xlabel(f"{unit_label} (dot: observed; line: exact 95% interval)")
    ax.grid(axis="y", visible=False)
    return ax
