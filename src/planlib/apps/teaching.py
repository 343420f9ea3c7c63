"""Helpers for the teaching notebooks (notebooks/lessons/): answer checks, look-ups, unit arithmetic.

Every check prints one line that starts with a marker and returns what it found:

* ``✓ correct …`` and ``True`` for a right answer,
* ``✗ not yet …`` and ``False`` for a wrong one (with what is wrong and, if given, a hint;
  the expected value is not revealed),
* ``… not answered yet`` and ``None`` while the answer is still the ``None`` placeholder.

With ``lang="zh"`` the same checks speak Chinese (``✓ 正确``, ``✗ 还不对``, ``… 尚未作答``), with
Chinese units and hints; every word they print is in :mod:`planlib.report.words` (part ``lesson``).

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

from planlib.report.words import WORDS, word

CORRECT = "✓"
WRONG = "✗"
PENDING = "…"
NOT_ANSWERED = word("en", "lesson", "check.pending", marker=PENDING)


def _say(text: str) -> None:
    print(text)


def _w(lang: str, key: str, **kw) -> str:
    """One of the lessons' words (:mod:`planlib.report.words`, part ``lesson``), filled in."""
    return word(lang, "lesson", key, **kw)


def _pending(lang: str) -> str:
    return _w(lang, "check.pending", marker=PENDING)


def _unit(unit: str, lang: str) -> str:
    """An exercise's unit (written in English where the exercise is defined) in ``lang``."""
    return WORDS[lang]["lesson"].get(f"unit.{unit}", unit) if unit else ""


def _fmt(x: float, unit: str = "", lang: str = "en") -> str:
    """A number for a message: thousands separators, up to 4 significant decimals; ``unit``
    follows it (after a space in English, directly in Chinese: ``202/10万``)."""
    if float(x).is_integer() and abs(x) < 1e15:
        s = f"{x:,.0f}"
    elif abs(x) >= 100:
        s = f"{x:,.2f}".rstrip("0").rstrip(".")
    else:
        s = f"{x:.4g}"
    return f"{s}{_w(lang, 'number.sep')}{unit}".rstrip() if unit else s


def _quote(answer: object, lang: str) -> str:
    """A student's answer as the message quotes it: ``'on track'`` / ``“进展顺利”``; non-text as repr."""
    return _w(lang, "check.quote", text=answer) if isinstance(answer, str) else repr(answer)


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


def _fail(message: str, hint: str | None, lang: str = "en") -> bool:
    _say(_w(lang, "check.wrong", marker=WRONG, message=message) + (_w(lang, "check.hint", hint=hint) if hint else ""))
    return False


def _margin(tolerance: float, relative: bool, unit: str = "", lang: str = "en") -> str:
    """A margin in words: "±1%" (a share of the answer) or "±0.5 per 100,000" / "±0.5/10万"."""
    if relative:
        return f"±{tolerance:.1%}".replace(".0%", "%")
    return f"±{_fmt(tolerance, unit, lang)}"


def check_number(answer: object, expected: float, tolerance: float = 1e-6, unit: str = "", *,
                 relative: bool = False, hint: str | None = None, lang: str = "en") -> bool | None:
    """Is ``answer`` within ``tolerance`` of ``expected``? Prints ✓ / ✗ / "not answered yet".

    ``tolerance`` is absolute (in ``unit``), or a fraction of ``expected`` with ``relative=True``.
    A wrong answer is told whether it is too high or too low, not what is expected. ``unit`` and
    ``hint`` are printed as given, in the words of ``lang``.
    """
    if answer is None:
        _say(_pending(lang))
        return None
    exp = float(expected)
    if not math.isfinite(exp):
        raise ValueError(f"the lesson's expected value is not a finite number: {expected!r}")
    if tolerance < 0:
        raise ValueError(f"tolerance cannot be negative, got {tolerance!r}")
    tol = abs(exp) * tolerance if relative else float(tolerance)
    value = _as_number(answer)
    if value is None:
        return _fail(_w(lang, "check.not_number", answer=repr(answer), type=type(answer).__name__), hint, lang)
    if not math.isfinite(value):
        return _fail(_w(lang, "check.not_finite", answer=repr(answer)), hint, lang)
    if abs(value - exp) <= tol:
        _say(_w(lang, "check.correct", marker=CORRECT, value=_fmt(value, unit, lang)))
        return True
    direction = _w(lang, "check.too_high" if value > exp else "check.too_low")
    within = (_w(lang, "check.within_relative", margin=_margin(tolerance, True)) if relative
              else _margin(tol, False, unit, lang))
    return _fail(_w(lang, "check.off", value=_fmt(value, unit, lang), direction=direction, within=within), hint, lang)


def _norm(s: str) -> str:
    """A text answer for comparison: case, ``_``, ``-`` and spaces ignored, full-width ``／`` as ``/``,
    a trailing full stop dropped."""
    s = str(s).replace("_", " ").replace("-", " ").replace("／", "/").casefold().strip().rstrip("。.")
    return " ".join(s.split())


def check_choice(answer: object, expected: str, options: Iterable[str] | None = None, *,
                 hint: str | None = None, lang: str = "en") -> bool | None:
    """Is ``answer`` the text ``expected``? Case, spaces, ``_`` and ``-`` are ignored.

    With ``options``, an answer that is none of them is told the valid choices.
    """
    if answer is None:
        _say(_pending(lang))
        return None
    if not isinstance(answer, str):
        return _fail(_w(lang, "check.not_text", answer=repr(answer), type=type(answer).__name__), hint, lang)
    opts = list(dict.fromkeys(str(o) for o in options)) if options is not None else None
    if _norm(answer) == _norm(expected):
        _say(_w(lang, "check.correct", marker=CORRECT, value=_quote(answer.strip(), lang)))
        return True
    if opts is not None and _norm(answer) not in {_norm(o) for o in opts}:
        listed = _w(lang, "check.list").join(_quote(o, lang) for o in opts)
        return _fail(_w(lang, "check.not_option", answer=_quote(answer, lang), options=listed), hint, lang)
    return _fail(_w(lang, "check.not_right_choice", answer=_quote(answer, lang)), hint, lang)


_YES = {"yes", "true", "y", "是", "对", "正确"}
_NO = {"no", "false", "n", "否", "不是", "错", "不对", "错误"}


def check_bool(answer: object, expected: bool, *, hint: str | None = None, lang: str = "en") -> bool | None:
    """Is the yes/no ``answer`` right? Accepts True/False (also numpy booleans), "yes"/"no" and
    "是"/"否"."""
    if answer is None:
        _say(_pending(lang))
        return None
    value: bool | None = None
    if isinstance(answer, (bool, np.bool_)):
        value = bool(answer)
    elif isinstance(answer, str) and answer.strip().casefold() in _YES | _NO:
        value = answer.strip().casefold() in _YES
    if value is None:
        return _fail(_w(lang, "check.not_bool", answer=repr(answer), type=type(answer).__name__), hint, lang)
    if value == bool(expected):
        _say(_w(lang, "check.correct", marker=CORRECT, value=value))
        return True
    return _fail(_w(lang, "check.bool_wrong", value=value), hint, lang)


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
                 path=None, cycle: str | None = None) -> pd.DataFrame:
    """The observations of one region and indicator (optionally one year, kind and plan cycle such
    as ``"15th"``), as printed: value_text, unit_text, the catalog unit, unit_ok, value_std and
    ref, in source-line order."""
    from planlib.data.tables import load_tables

    obs = load_tables(path).enriched  # prepared once per data folder state
    sel = (obs["region_id"] == region_id) & (obs["indicator_id"] == indicator_id)
    if year is not None:
        sel &= obs["year"] == int(year)
    if kind is not None:
        sel &= obs["kind"] == kind
    if cycle is not None:
        sel &= obs["plan_cycle"] == cycle
    out = obs[sel].sort_values(["year", "source_line"], na_position="last", kind="stable")
    return out.reset_index(drop=True)


def value(region_id: str, indicator_id: str, year: int, kind: str = "actual", path=None,
          cycle: str | None = None) -> float:
    """The one number a region reports for an indicator and year (of one plan cycle, e.g. the
    nation's 2030 targets of the 15th Five-Year Plan: ``cycle="15th"``), in the catalog unit.

    Rows whose unit contradicts the catalog (Weihai's ``2.02%``) are skipped. KeyError if no row
    is left; ValueError if the remaining rows disagree (look at them with :func:`observations`).
    """
    rows = observations(region_id, indicator_id, year, kind, path, cycle)
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
                   benchmark_label: str = "Benchmark", unit_label: str | None = None, lang: str = "en") -> Axes:
    """Point rates with their intervals, one row per case, and a benchmark line.

    ``table`` is an :func:`interval_table` frame. Draws on ``ax`` (or a new figure) and returns
    it, its axis and labels in ``lang``; ``unit_label`` defaults to the maternal mortality
    ratio's unit. Title and source line are the caller's.
    """
    if unit_label is None:
        unit_label = _w(lang, "interval.unit")
    import matplotlib.pyplot as plt

    from planlib.report.style import COLORS, FIG_WIDTH_IN, TEXT_COLORS

    if ax is None:
        _, ax = plt.subplots(figsize=(FIG_WIDTH_IN, 0.6 + 0.55 * len(table)), layout="constrained")
    ys = list(range(len(table)))[::-1]
    for y, r in zip(ys, table.itertuples()):
        ax.plot([r.low, r.high], [y, y], color=COLORS["region"], linewidth=2.2, solid_capstyle="butt")
        ax.plot([r.rate], [y], marker="o", color=COLORS["region"], markersize=6)
        ax.annotate(_w(lang, "interval.label", rate=r.rate, low=r.low, high=r.high), (r.high, y), textcoords="offset points",
                    xytext=(5, -3), fontsize=8, color=TEXT_COLORS["region"])
    if benchmark is not None:
        ax.axvline(benchmark, color=COLORS["national"], linestyle="--", linewidth=1.2,
                   label=_w(lang, "interval.benchmark", label=benchmark_label, value=benchmark))
        ax.legend(loc="upper right", fontsize=8)
    ax.set_yticks(ys, list(table["label"]))
    ax.set_xlim(left=0, right=max(float(table["high"].max()), benchmark or 0) * 1.35)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.set_xlabel(_w(lang, "interval.axis", unit=unit_label))
    ax.grid(axis="y", visible=False)
    return ax


# --- the lessons' worked examples, in the reader's language -----------------------------------

def say(key: str, *, lang: str = "en", **values) -> None:
    """Print one sentence of a lesson's worked example (``l1.literal`` …, :mod:`planlib.report.words`,
    part ``lesson``) in ``lang``, filled in with ``values``. A ``status`` is given in planlib's
    word for it in that language, ``statuses`` as a list of them, a True/False as yes/no."""
    filled = {}
    for k, v in values.items():
        if k == "status":
            v = status_word(str(v), lang)
        elif k == "statuses":
            v = _w(lang, "check.list").join(_w(lang, "say.item", text=status_word(str(x), lang)) for x in v)
        elif isinstance(v, (bool, np.bool_)):
            v = _w(lang, "yes" if v else "no")
        filled[k] = v
    if "{source}" in WORDS[lang]["lesson"][key] and "source" not in filled:  # a sourced assumption
        filled["source"] = _w(lang, f"{key}_source")
    _say(_w(lang, key, **filled))


def quality_findings(region_id: str, lang: str = "en") -> pd.DataFrame:
    """The data-quality findings of one region (:func:`planlib.check_quality`), their messages in
    ``lang`` and in full; the columns keep their names, so lessons select them the same way in
    every language."""
    from planlib.analysis.quality import check_quality
    from planlib.data.tables import load_tables
    from planlib.report.narrative import finding_text

    found = check_quality(region_id=region_id).reset_index(drop=True)
    if lang == "en" or found.empty:
        return found
    t = load_tables()
    units = {i: u for i, (_, u) in t.indicator_words(tuple(t.indicators["id"]), lang).items()}
    names = dict(zip(t.indicators["id"], t.indicators["name_zh"]))  # full names: 每千人口…数, not 医师
    known = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")
    messages = []
    for _, r in found.iterrows():
        text = finding_text(lang, r, units.get(r["indicator_id"], ""))
        messages.append(known.sub(lambda m: names[m.group(1)], text))
    found["message"] = messages
    return found


def deaths_what_if_figure(region_id: str = "weihai", year: int = 2022, most: int = 3, lang: str = "en"):
    """Lesson 3: a region's maternal mortality ratio with its exact interval if it had had 0 … ``most``
    deaths over its hospital deliveries (the reported count marked), against the national ratio
    of the same year; title, labels and source line in ``lang``. Returns the figure."""
    from planlib.data.tables import load_tables
    from planlib.report import style

    deaths = value(region_id, "maternal_deaths_count", year)
    deliveries = value(region_id, "hospital_deliveries_count", year)
    national = value("china", "maternal_mortality", year)
    refs = "; ".join(observations(region_id, i, year)["ref"].iloc[0]
                     for i in ("maternal_deaths_count", "hospital_deliveries_count"))
    national_ref = observations("china", "maternal_mortality", year)["ref"].iloc[0]
    cases = []
    for k in range(0, most + 1):
        case = _w(lang, "l3.case.one" if k == 1 else "l3.case.many", k=k)
        cases.append((_w(lang, "l3.case.reported", case=case) if k == deaths else case, k, deliveries, refs))
    style.set_style()
    ax = interval_chart(interval_table(cases), benchmark=national,
                        benchmark_label=_w(lang, "l3.benchmark", year=year), lang=lang)
    fig = ax.figure
    style.add_title(fig, _w(lang, "l3.title", region=load_tables().region_name(region_id, lang), year=year, n=most))
    style.add_source_line(fig, style.source_line_text(pd.DataFrame({"ref": [refs, national_ref]}), lang)
                          + _w(lang, "l3.source", deliveries=deliveries))
    return fig


def _hiring_groups(plans: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    return pd.concat([plan.assign(group=_w(lang, f"group.{name}")) for name, plan in plans.items()])


def hiring_figure(region_id: str, plans: dict[str, pd.DataFrame], refs: Sequence[str], population_growth: float,
                  lang: str = "en"):
    """Lesson 4: the ratio path of each staff group's hiring plan against its target.

    ``plans`` maps ``physicians`` / ``nurses`` to :func:`planlib.analysis.workforce.hiring_plan`
    frames; ``refs`` are the source references of the numbers used. Title, legend and source line
    in ``lang``. Returns the figure."""
    from planlib.data.tables import load_tables
    from planlib.report import charts, style

    both = _hiring_groups(plans, lang)
    style.set_style()
    ax = charts.hiring_chart(both, lang=lang)
    fig = ax.figure
    start, end = int(both["year"].min()) - 1, int(both["year"].max())
    style.add_title(fig, _w(lang, "l4.title", region=load_tables().region_name(region_id, lang), start=start, end=end))
    style.add_source_line(fig, style.source_line_text(pd.DataFrame({"ref": list(refs)}), lang)
                          + _w(lang, "l4.source", growth=population_growth))
    return fig


def hiring_summary(plans: dict[str, pd.DataFrame], lang: str = "en") -> pd.DataFrame:
    """Net and gross hires over the whole plan, one row per staff group, labelled in ``lang``."""
    both = _hiring_groups(plans, lang)
    out = both.groupby("group", sort=False)[["net_hires", "gross_hires"]].sum()
    out.index.name = None
    return out.rename(columns={c: _w(lang, f"col.{c}") for c in out.columns})


# --- the lessons' exercises ----------------------------------------------------------------
#
# Each exercise of notebooks/lessons/ is checked by ``check(lesson, number, answer)``. The
# expected value is computed here from the data (never in the student's notebook, where running
# it would show the answer), the tolerance is part of the exercise and printed with every
# verdict, and the model answers live in the teacher's notebook (notebooks/lessons/teacher/).

#: China's crude birth rate in 2020, live births per 1,000 (resident) population: National Bureau
#: of Statistics, Statistical Communiqué on the 2020 National Economic and Social Development
#: (28 Feb 2021): 12.0 million births, 8.52‰. Lesson 3 uses it to estimate a district's births.
CHINA_CRUDE_BIRTH_RATE_2020 = 8.52
CHINA_CRUDE_BIRTH_RATE_SOURCE = word("en", "lesson", "l3.birth_rate_source")

#: The Open SDG method's own names for its progress categories, accepted beside planlib's
#: status words (the method publishes "substantial progress / on track", "moderate progress /
#: acceleration needed", "limited or no progress", "deterioration"), then the Chinese names of
#: the same categories as the Chinese lessons give them (lesson 2's table). planlib's own
#: Chinese status words (those of the briefings, e.g. 进展顺利) are accepted too: see
#: :func:`status_answers`.
STATUS_SYNONYMS = {
    "achieved": ("target achieved", "met", "已实现", "已达到", "已实现目标", "目标已实现"),
    "on track": ("substantial progress", "substantial progress/on track", "substantial progress / on track",
                 "进展顺利", "按进度", "显著进展", "取得显著进展", "显著进展/步入正轨", "取得显著进展/步入正轨",
                 "步入正轨"),
    "needs acceleration": ("moderate progress", "acceleration needed", "moderate progress/acceleration needed",
                           "moderate progress / acceleration needed", "需加快", "需要加快", "中等进展",
                           "取得中等进展", "中等进展/需加快", "中等进展/需要加快", "中等进展/需加速", "需加速"),
    "limited progress": ("limited or no progress", "limited/no progress", "no progress", "进展有限",
                         "进展有限或无进展", "进展有限/无进展"),
    "moving away": ("deterioration", "regression", "倒退", "背离目标", "退步"),
}

#: The Chinese Open SDG category names the Chinese lesson 2 teaches, one per status (each is in
#: :data:`STATUS_SYNONYMS`).
STATUS_OPEN_SDG_ZH = {"achieved": "已实现目标", "on track": "显著进展/步入正轨",
                      "needs acceleration": "中等进展/需加快", "limited progress": "进展有限或无进展",
                      "moving away": "倒退"}


def status_word(status: str, lang: str = "en") -> str:
    """planlib's word for a progress status in ``lang``: the status itself in English
    (``on track``), the briefings' word in Chinese (``进展顺利``)."""
    return status if lang == "en" else WORDS[lang]["text"].get(f"status.{status}", status)


def status_answers(status: str) -> list[str]:
    """Every answer accepted for a status: planlib's word, its Chinese word in the briefings,
    and the Open SDG category names in English and Chinese."""
    return list(dict.fromkeys([status, *(status_word(status, lang) for lang in WORDS),
                               *STATUS_SYNONYMS.get(status, ())]))


class Exercise:
    """One numbered exercise: how to compute its answer and how close an answer must be."""

    def __init__(self, lesson: int, number: int, kind: str, compute, *, tolerance: float = 0.0,
                 relative: bool = False, unit: str = "", hint: str = "", options=None, synonyms=None,
                 decimals: int | None = None):
        if kind not in ("number", "choice", "bool"):
            raise ValueError(f"unknown exercise kind {kind!r}")
        self.lesson, self.number, self.kind, self.compute = lesson, number, kind, compute
        self.tolerance, self.relative, self.unit, self.hint = tolerance, relative, unit, hint
        self.options, self._synonyms, self.decimals = options, synonyms or {}, decimals

    @property
    def synonyms(self) -> dict[str, tuple[str, ...]]:
        """Other accepted names of each choice (``synonyms`` may be given as a function, called on use)."""
        return self._synonyms() if callable(self._synonyms) else self._synonyms

    def expected(self, **params):
        """The right answer, from the data; ``params`` the exercise does not use are ignored (a
        lesson passes its parameters to every check)."""
        import inspect

        accepted = inspect.signature(self.compute).parameters
        return self.compute(**{k: v for k, v in params.items() if k in accepted})

    def tolerance_text(self, lang: str = "en", **params) -> str:
        """The accepted margin in words, e.g. "±0.5 per 100,000 live births" (``±0.5/10万`` in
        Chinese) or "±1%"."""
        if self.kind != "number":
            return ""
        return _margin(self.tolerance, self.relative, _unit(self.unit, lang), lang)

    def hint_text(self, lang: str = "en") -> str:
        """The hint in ``lang`` (Chinese hints are in :mod:`planlib.report.words`)."""
        if lang == "en":
            return self.hint
        return WORDS[lang]["lesson"].get(f"hint.{self.lesson}.{self.number}", "") if self.hint else ""


def _obs_value(region, indicator, year):
    return value(region, indicator, year)


def _l1_ex1():
    rows = observations("weihai", "infant_mortality", 2022)
    imr = rows[rows["unit_ok"]].iloc[0]
    return convert_rate(imr["value_std"], per_of_unit(imr["unit"]), 100_000)


def _l1_ex2():
    rows = observations("weihai", "infant_mortality", 2022)
    pct = rows[~rows["unit_ok"]].iloc[0]
    return convert_rate(pct["value"], per_of_unit(pct["unit_text"]), per_of_unit(pct["unit"]))


def _l1_ex3():
    from planlib.analysis.quality import unit_mismatches
    from planlib.data.tables import load_tables

    flagged = pd.DataFrame(unit_mismatches(load_tables().enriched))
    flagged = flagged[(flagged["region_id"] == "weihai") & (flagged["indicator_id"] == "infant_mortality")]
    return str(flagged["check"].iloc[0])


def _quality_checks():
    from planlib.analysis.quality import check_quality

    return sorted(check_quality()["check"].unique())


def _l1_ex4():
    per = per_of_unit(observations("weihai", "maternal_mortality", 2022)["unit"].iloc[0])
    return value("weihai", "maternal_deaths_count", 2022) * per / value("weihai", "maternal_mortality", 2022)


def _progress(region):
    from planlib.analysis.region import assess_progress

    return assess_progress(region).set_index("indicator_id")


def _l2_guangan():
    return _progress("guangan").loc["life_expectancy"]


def _l2_ex1():
    from planlib.analysis.targets import annual_change

    g = _l2_guangan()
    return annual_change(g["baseline_value"], g["latest_value"], g["latest_year"] - g["baseline_year"], absolute=True)


def _l2_ex2():
    from planlib.analysis.targets import annual_change

    g = _l2_guangan()
    return annual_change(g["latest_value"], g["target_value"], g["target_year"] - g["latest_year"], absolute=True)


def _l2_ex3():
    return str(_l2_guangan()["status"])


def _l2_ex4():
    from planlib.analysis.targets import annual_change

    a = _progress("anju").loc["physicians_per_1000"]
    return annual_change(a["latest_value"], a["target_value"], a["target_year"] - a["latest_year"], absolute=False)


def _l3_ex1():
    anju = observations("anju", "maternal_mortality", 2020, "actual").iloc[0]
    return 1 * per_of_unit(anju["unit"]) / anju["value_std"]


def xiangqiao_interval(birth_rate: float = CHINA_CRUDE_BIRTH_RATE_2020):
    """Lesson 3: Xiangqiao's 2020 maternal mortality ratio with an exact interval, its live
    births estimated as population × ``birth_rate`` ÷ 1,000 and its deaths from the ratio
    (ratio × births ÷ 100,000, a whole number: 0 for its printed 0/10万)."""
    from planlib.analysis.uncertainty import rate_interval

    births = value("xiangqiao", "population_count", 2020) * float(birth_rate) / 1_000
    row = observations("xiangqiao", "maternal_mortality", 2020, "actual").iloc[0]
    per = per_of_unit(row["unit"])
    deaths = round(float(row["value_std"]) * births / per)
    return rate_interval(deaths, births, per=per)


def _l3_ex2(birth_rate: float = CHINA_CRUDE_BIRTH_RATE_2020):
    return xiangqiao_interval(birth_rate).high


def _l3_ex3(birth_rate: float = CHINA_CRUDE_BIRTH_RATE_2020):
    xq = xiangqiao_interval(birth_rate)
    return bool(xq.low <= value("china", "maternal_mortality", 2020) <= xq.high)


def _l3_ex4():
    from planlib.analysis.uncertainty import rate_interval

    deaths = value("weihai", "maternal_deaths_count", 2022)
    deliveries = value("weihai", "hospital_deliveries_count", 2022)
    return rate_interval(deaths + 1, deliveries, per=100_000).rate - rate_interval(deaths, deliveries, per=100_000).rate


def _l4_pairs():
    from planlib.analysis import workforce

    return workforce.implied_populations("anju", 2020).set_index("count_indicator")


def _l4_ex1():
    from planlib.analysis import workforce

    return workforce.implied_population(value("anju", "nurses_count", 2020), value("anju", "nurses_per_1000", 2020))


def _l4_ex2():
    from planlib.analysis import workforce

    p = _l4_pairs()
    target = _progress("anju").loc["physicians_per_1000", "target_value"]
    return (workforce.staff_needed(target, p.loc["nurses_count", "population"])
            - workforce.staff_needed(target, p.loc["physicians_count", "population"]))


def _l4_ex3():
    from planlib.analysis import workforce

    return workforce.staff_gap(int(value("anju", "nurses_count", 2020)),
                               _progress("anju").loc["nurses_per_1000", "target_value"],
                               _l4_pairs().loc["nurses_count", "population"])


def _l4_ex4():
    from planlib.analysis import workforce

    prog = _progress("anju").loc["nurses_per_1000"]
    years = int(prog["target_year"]) - int(prog["latest_year"])
    plan = workforce.hiring_plan(int(value("anju", "nurses_count", 2020)), prog["target_value"],
                                 _l4_pairs().loc["nurses_count", "population"], 0.0, years)
    return float(plan["net_hires"].mean())


def _statuses():
    from planlib.analysis.targets import STATUSES

    return STATUSES


EXERCISES: dict[tuple[int, int], Exercise] = {e.lesson * 100 + e.number: e for e in [
    Exercise(1, 1, "number", _l1_ex1, tolerance=0.5, unit="per 100,000 live births", decimals=0,
             hint="‰ means per 1,000; multiply by new base ÷ old base."),
    Exercise(1, 2, "number", _l1_ex2, tolerance=0.05, unit="per 1,000 live births", decimals=1,
             hint="% means per 100."),
    Exercise(1, 3, "choice", _l1_ex3, options=_quality_checks,
             hint="find the finding whose source line is the line of the % row."),
    Exercise(1, 4, "number", _l1_ex4, tolerance=0.005, relative=True, unit="live births", decimals=-1,
             hint="deaths × 100,000 ÷ ratio."),
    Exercise(2, 1, "number", _l2_ex1, tolerance=0.01, unit="years a year", decimals=2,
             hint="life expectancy: absolute change, (end − start) ÷ years."),
    Exercise(2, 2, "number", _l2_ex2, tolerance=0.01, unit="years a year", decimals=2,
             hint="start from the latest value, not the 2015 one."),
    Exercise(2, 3, "choice", _l2_ex3, options=_statuses, synonyms=STATUS_SYNONYMS,
             hint="progress ratio = observed ÷ required, against the thresholds in section 1."),
    Exercise(2, 4, "number", _l2_ex4, tolerance=0.001, unit="per year", decimals=3,
             hint="(end ÷ start) ** (1 / years) − 1, not (end − start) ÷ years."),
    Exercise(3, 1, "number", _l3_ex1, tolerance=0.01, relative=True, unit="live births", decimals=-2,
             hint="births = deaths × 100,000 ÷ ratio, with deaths = 1."),
    Exercise(3, 2, "number", _l3_ex2, tolerance=0.02, relative=True, unit="per 100,000 live births", decimals=1,
             hint="the upper end of poisson_ci(0), divided by the births, times 100,000."),
    Exercise(3, 3, "bool", _l3_ex3, hint="compare the national value with 0 and with your upper bound."),
    Exercise(3, 4, "number", _l3_ex4, tolerance=0.05, unit="per 100,000", decimals=1,
             hint="compare the ratio for 2 deaths with the ratio for 1."),
    Exercise(4, 1, "number", _l4_ex1, tolerance=0.01, relative=True, unit="persons", decimals=-3,
             hint="population = count ÷ ratio × 1,000."),
    Exercise(4, 2, "number", _l4_ex2, tolerance=1, unit="physicians", decimals=0,
             hint="staff needed = target × population ÷ 1,000, rounded up; do it twice."),
    Exercise(4, 3, "number", _l4_ex3, tolerance=1, unit="nurses", decimals=0,
             hint="round the head count up before subtracting the nurses in post."),
    Exercise(4, 4, "number", _l4_ex4, tolerance=0.5, unit="nurses a year", decimals=1,
             hint="the gap from exercise 3 divided by the years from 2020 to 2025."),
]}

# --- lesson 5: from the final assessment to 2030 targets ---------------------------------------

#: The region of lesson 5. Xiangqiao's plan types its targets (约束性/预期性), its assessment shows
#: nearly every class (data in doubt included, so the completion rate's denominator matters), and
#: its workforce ratios have a 2015–2020 pace to set the 2030 options against.
LESSON5_REGION = "xiangqiao"


def _classes():
    from planlib.analysis.assessment import CLASSES

    return CLASSES


def _class_synonyms() -> dict[str, tuple[str, ...]]:
    """Each final-assessment class in Chinese (as evaluations write it) and as the briefing's page
    words name it, accepted beside planlib's class name."""
    from planlib.analysis.assessment import CLASSES, CLASSES_ZH

    extra = {"met": ("met on time",), "behind": ("behind schedule",),
             "not met, pace unknown": ("not yet met, pace unknown",), "cannot assess": ("cannot be assessed",)}
    return {c: (CLASSES_ZH[c], *extra.get(c, ())) for c in CLASSES}


def lesson5_assessment() -> pd.DataFrame:
    """Lesson 5: the final assessment of the lesson's region (:func:`planlib.assess_plan`)."""
    from planlib.analysis.assessment import assess_plan

    return assess_plan(LESSON5_REGION)


def _l5_option(indicator: str, option: str) -> pd.Series:
    from planlib.analysis.options import target_options

    o = target_options(LESSON5_REGION)
    return o[(o["indicator_id"] == indicator) & (o["option"] == option)].iloc[0]


def _l5_ex1():
    return str(lesson5_assessment().set_index("indicator_id").loc["gps_per_10000", "class"])


def _l5_ex2():
    return 100 * float(lesson5_assessment().attrs["completion"]["rate"])


def _l5_ex3():
    return float(_l5_option("nurses_per_1000", "national reference")["required_annual_change"])


def _l5_ex4():
    return float(_l5_option("nurses_per_1000", "national reference")["own_multiple"])


EXERCISES.update({e.lesson * 100 + e.number: e for e in [
    Exercise(5, 1, "choice", _l5_ex1, options=_classes, synonyms=_class_synonyms,
             hint="progress ratio = observed ÷ required compound rate, against the bounds 1.05 and 0.95."),
    Exercise(5, 2, "number", _l5_ex2, tolerance=0.5, unit="%", decimals=0,
             hint="targets met (early or on time) ÷ targets that can be judged; leave out those with no outcome, "
                  "no number, an outcome in doubt or no pace to judge by."),
    Exercise(5, 3, "number", _l5_ex3, tolerance=0.001, unit="per year", decimals=3,
             hint="(2030 value ÷ latest value) ** (1 / years) − 1, counting the years from the latest outcome."),
    Exercise(5, 4, "number", _l5_ex4, tolerance=0.1, unit="times", decimals=1,
             hint="the plan states the growth of 2015–2020 as a percentage: (1 + growth) ** (1 / 5) − 1 is its "
                  "pace a year."),
]})


def exercise(lesson: int, number: int) -> Exercise:
    try:
        return EXERCISES[lesson * 100 + number]
    except KeyError:
        raise KeyError(f"lesson {lesson} has no exercise {number}") from None


def check(lesson: int, number: int, answer: object, *, lang: str = "en", **params) -> bool | None:
    """Check the answer to exercise ``number`` of lesson ``lesson``: prints ✓ / ✗ / "not answered
    yet" and the accepted margin, in English or (``lang="zh"``) Chinese. ``params`` are the
    lesson's parameters the answer depends on (lesson 3: ``birth_rate``)."""
    if lang not in WORDS:
        raise ValueError(f"unknown language {lang!r}; available: {', '.join(WORDS)}")
    ex = exercise(lesson, number)
    hint = ex.hint_text(lang) or None
    if answer is None:
        _say(_pending(lang))
        return None
    if ex.kind == "number":
        ok = check_number(answer, expected=ex.expected(**params), tolerance=ex.tolerance,
                          unit=_unit(ex.unit, lang), relative=ex.relative, hint=hint, lang=lang)
        if ok:
            _say(_w(lang, "check.margin", margin=ex.tolerance_text(lang, **params)))
        return ok
    if ex.kind == "bool":
        return check_bool(answer, expected=ex.expected(**params), hint=hint, lang=lang)
    expected = ex.expected(**params)
    options = list(ex.options() if callable(ex.options) else ex.options or [])
    accepted = status_answers(expected) if ex.synonyms is STATUS_SYNONYMS else [expected, *ex.synonyms.get(expected, ())]
    if isinstance(answer, str) and any(_norm(answer) == _norm(a) for a in accepted):
        return check_choice(answer, expected=answer, hint=hint, lang=lang)
    if ex.synonyms is STATUS_SYNONYMS:  # every status in every accepted wording
        choices = [a for o in options for a in status_answers(o)]
        shown = options if lang == "en" else [w for o in options
                                              for w in (status_word(o, lang), STATUS_OPEN_SDG_ZH.get(o))
                                              if w]
    else:
        choices = options + [s for syns in ex.synonyms.values() for s in syns]
        shown = choices
    if options and isinstance(answer, str) and _norm(answer) not in {_norm(c) for c in choices}:
        return check_choice(answer, expected=expected, options=shown, hint=hint, lang=lang)
    return check_choice(answer, expected=expected, options=choices if options else None, hint=hint, lang=lang)


# --- the end-of-course assessment (notebooks/lessons/assessment.ipynb) -----------------------
#
# Graded, so the student's notebook has no checks: the student types each answer as a plain
# value (``answer_1 = 0.24``) and hands the notebook in; the teacher's grade_assessment() reads
# the answers from the saved file (nothing of the student's is executed) and marks them with the
# same rules as the lessons' checks. Written answers are marked by hand.

ASSESSMENT = 9  #: the "lesson" number of the assessment's exercises in EXERCISES


def _a_ex1():
    rows = observations("weihai", "under5_mortality", 2022)
    u5 = rows[rows["unit_ok"]].iloc[0]
    return convert_rate(u5["value_std"], per_of_unit(u5["unit"]), 100_000)


def _a_ex2():
    from planlib.analysis.targets import annual_change

    p = _progress("yangchun").loc["life_expectancy"]
    return annual_change(p["latest_value"], p["target_value"], p["target_year"] - p["latest_year"], absolute=True)


def _a_ex3():
    from planlib.analysis.uncertainty import rate_interval

    return rate_interval(value("weihai", "maternal_deaths_count", 2022),
                         value("weihai", "hospital_deliveries_count", 2022), per=100_000).high


def _a_ex4():
    return value("xiangqiao", "physicians_per_1000", 2020) * value("xiangqiao", "population_count", 2020) / 1_000


def _a_ex5():
    from planlib.analysis.options import target_options

    o = target_options("yangchun")
    return float(o[(o["indicator_id"] == "life_expectancy") & (o["option"] == "national reference")]["own_multiple"].iloc[0])


ASSESSMENT_POINTS = {1: 2, 2: 2, 3: 3, 4: 3, 5: 2}
EXERCISES.update({e.lesson * 100 + e.number: e for e in [
    Exercise(ASSESSMENT, 1, "number", _a_ex1, tolerance=0.5, unit="per 100,000 live births", decimals=0),
    Exercise(ASSESSMENT, 2, "number", _a_ex2, tolerance=0.01, unit="years a year", decimals=2),
    Exercise(ASSESSMENT, 3, "number", _a_ex3, tolerance=0.01, relative=True, unit="per 100,000", decimals=1),
    Exercise(ASSESSMENT, 4, "number", _a_ex4, tolerance=0.01, relative=True, unit="physicians", decimals=-1),
    Exercise(ASSESSMENT, 5, "number", _a_ex5, tolerance=0.1, unit="times", decimals=1),
]})


def submitted_answers(notebook_path) -> dict[int, object]:
    """The answers typed in a saved assessment notebook: ``answer_n = <value>`` read as a
    literal (never executed); an expression or a missing answer gives ``None``."""
    import ast

    import nbformat

    nb = nbformat.read(str(notebook_path), as_version=4)
    found: dict[int, object] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and re.fullmatch(r"answer_\d+", node.targets[0].id)):
                try:
                    found[int(node.targets[0].id.split("_")[1])] = ast.literal_eval(node.value)
                except ValueError:
                    found[int(node.targets[0].id.split("_")[1])] = None
    return found


def grade_assessment(notebook_path) -> pd.DataFrame:
    """Marks of one handed-in assessment: question, answer, points, awarded, verdict (the check's
    line). Unanswered or non-literal answers get 0 points. Written questions are not in it."""
    import contextlib
    import io

    answers = submitted_answers(notebook_path)
    rows = []
    for n, points in ASSESSMENT_POINTS.items():
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            ok = check(ASSESSMENT, n, answers.get(n))
        rows.append({"question": n, "answer": answers.get(n), "points": points,
                     "awarded": points if ok else 0, "verdict": buf.getvalue().strip().splitlines()[0]})
    return pd.DataFrame(rows)
