"""Sentences for a briefing, built from the analysis results.

Every sentence states numbers with units and years, names the target and the comparison,
and hedges where the data is weak. All wording lives in ``TEMPLATES`` (one dict per
language) so that another language can be added beside English without touching the logic.
"""
from __future__ import annotations

import math

import pandas as pd

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        # units and comparators
        "unit.years": "years", "unit.per 100000 live births": "per 100,000 live births",
        "unit.per 1000 live births": "per 1,000 live births", "unit.per 1000 population": "per 1,000 population",
        "unit.per 10000 population": "per 10,000 population", "unit.%": "%",
        "cmp.=": "{v}", "cmp.~": "about {v}", "cmp.<": "below {v}", "cmp.<=": "at most {v}",
        "cmp.>": "more than {v}", "cmp.>=": "at least {v}",
        "status.achieved": "already met", "status.on track": "on track",
        "status.needs acceleration": "on track only with faster progress",
        "status.limited progress": "off track (limited progress)", "status.moving away": "moving away from the target",
        "status.cannot assess": "cannot be assessed",
        "cmp_word.better": "better than", "cmp_word.worse": "worse than", "cmp_word.similar": "similar to",
        "cmp_word.different": "different from",
        "level.national": "the national", "level.provincial": "{province}'s",
        "basis.own plan": "the plan's", "basis.provincial target": "{province}'s provincial",
        "basis.national target": "the national",
        # sentences
        "latest": "{name} was {value} {unit} in {year} ({ref}).",
        "trend": "It changed from {prev} in {prev_year}, {obs_change} a year over {period}.",
        "target": "{basis} {target_year} target is {target} {unit}{derived}.",
        "derived": " (written as “{text}”, which on the {base_year} value means {value})",
        "no_own_target": "The document sets no {target_year} target for {name}; we use {basis} target of {target} {unit} instead ({source}).",
        "met": "The {year} value already meets this target.",
        "weak": "The target asks for no improvement on the level already reached.",
        "required": "Meeting it needs {required} a year from {year} to {target_year}.",
        "projection": "At the observed pace {name} would be {projected} {unit} in {target_year}: {status}.",
        "one_point": "The plan reports no earlier value, so the trend and the chance of meeting the target cannot be judged.",
        "qualitative": "The plan's {target_year} target for {name} is qualitative (“{text}”), so progress cannot be measured.",
        "no_value": "The plan sets a {target_year} target of {target} {unit} for {name} but reports no current value.",
        "not_reported": "The plan does not report {name}.",
        "bench": "That is {word} {level} value of {bvalue} {unit} ({byear}{ynote}).",
        "bench_alt": "Another official report gives {alts} for the same year.",
        "ci": "With {events} maternal death(s) behind it, the exact 95% interval runs from {low} to {high} per 100,000, so the comparison cannot be called.",
        "no_significance": "The plan reports rates without the counts behind them, so differences from the national and provincial values are not tested for significance; “similar” means within the stated tolerance.",
        "small_numbers": "Maternal deaths are rare: in a population of this size a single death moves the ratio by tens per 100,000, so a low or zero ratio is not evidence of zero risk.",
        "quality_flag": "Treat this number with care: {message}",
        "change_abs": "{sign}{v:.2f} {unit}", "change_rel": "{sign}{v:.1f} %",
        "no_targets_doc": "{region}'s document ({title}) sets no {year} targets for these indicators: progress is judged against {province}'s and the national {year} targets instead.",
    },
}


def t(lang: str, key: str, **kw) -> str:
    """A template filled in. Unknown languages raise ValueError."""
    if lang not in TEMPLATES:
        raise ValueError(f"unknown language {lang!r}; available: {', '.join(TEMPLATES)}")
    return TEMPLATES[lang][key].format(**kw)


def fmt_num(v: float | None) -> str:
    """A number as plans print it: no trailing zeros, up to 2 decimals (3 below 1)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    av = abs(v)
    s = f"{v:,.3f}" if 0 < av < 1 else f"{v:,.2f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def mid(lang: str, name: str) -> str:
    """A name as it reads inside an English sentence: 'life expectancy', but 'GPs' stays."""
    if lang != "en" or len(name) < 2 or name[1].isupper():
        return name
    return name[0].lower() + name[1:]


def unit_text(lang: str, unit: str) -> str:
    key = f"unit.{unit}"
    return TEMPLATES[lang].get(key, unit)


def target_phrase(lang: str, comparator: str, value: float | None, text: str) -> str:
    """'more than 79', 'at most 5', or the text as written for qualitative targets."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"“{text}”"
    return t(lang, f"cmp.{comparator}", v=fmt_num(value))


def change_phrase(lang: str, change: float, measure: str, unit: str) -> str:
    """'+0.24 years' or '-3.5 %' for an annual change."""
    sign = "+" if change >= 0 else "−"
    if measure.startswith("absolute"):
        return t(lang, "change_abs", sign=sign, v=abs(change), unit=unit_text(lang, unit))
    return t(lang, "change_rel", sign=sign, v=abs(change) * 100)


def indicator_paragraph(lang: str, name: str, progress: pd.Series | None, bench: pd.DataFrame,
                        latest: pd.Series | None, findings: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Sentences about one indicator: latest value, trend, target, progress, benchmarks, caveats."""
    out: list[str] = []
    unit = progress["unit"] if progress is not None else (latest["unit"] if latest is not None else "")
    u = unit_text(lang, unit)
    if latest is None and (progress is None or pd.isna(progress["latest_value"])):
        if progress is None:
            return [t(lang, "not_reported", name=name)]
    if latest is not None:
        out.append(t(lang, "latest", name=name, value=fmt_num(float(latest["value_std"])), unit=u,
                     year=int(latest["year"]), ref=latest["ref"]))
    if progress is not None:
        p = progress
        tv = None if pd.isna(p["target_value"]) else float(p["target_value"])
        target = target_phrase(lang, p["comparator"], tv, p["target_text"])
        ty = int(p["target_year"])
        if p["target_basis"] != "own plan":
            basis = t(lang, f"basis.{p['target_basis']}", province=names.get(p["target_region_id"], ""))
            out.append(t(lang, "no_own_target", target_year=ty, name=mid(lang, name),
                         basis=basis, target=target, unit=u, source=p["target_ref"]))
        elif tv is None:
            out.append(t(lang, "qualitative", target_year=ty, name=mid(lang, name),
                         text=p["target_text"]))
            return out + _bench_sentences(lang, bench, u, names) + _flags(lang, findings)
        else:
            derived = ""
            if p["target_derived"]:
                derived = t(lang, "derived", text=p["target_text"], base_year=ty - 5, value=fmt_num(tv))
            out.append(t(lang, "target", basis=t(lang, "basis.own plan").capitalize() if lang == "en"
                         else t(lang, "basis.own plan"), target_year=ty, target=target, unit=u, derived=derived))
        status = p["status"]
        if pd.isna(p["latest_value"]):
            if tv is not None and p["target_basis"] == "own plan":
                out[-1] = t(lang, "no_value", target_year=ty, target=target, unit=u, name=mid(lang, name))
        elif status == "achieved":
            out.append(t(lang, "met", year=int(p["latest_year"])))
        elif tv is not None:
            if pd.notna(p["observed_annual_change"]):
                prev_year, ly = p["observed_period"].split("–")
                out.insert(1, t(lang, "trend", prev=fmt_num(p["baseline_value"]), prev_year=prev_year,
                                obs_change=change_phrase(lang, float(p["observed_annual_change"]),
                                                         p["change_measure"], unit),
                                period=p["observed_period"]))
            if pd.notna(p["required_annual_change"]):
                out.append(t(lang, "required", required=change_phrase(lang, float(p["required_annual_change"]),
                                                                     p["change_measure"], unit),
                             year=int(p["latest_year"]), target_year=ty))
            if pd.notna(p["projected_value"]):
                out.append(t(lang, "projection", name=mid(lang, name), projected=fmt_num(float(p["projected_value"])),
                             unit=u, target_year=ty, status=t(lang, f"status.{status}")))
            elif status == "cannot assess":
                out.append(t(lang, "one_point"))
    out += _bench_sentences(lang, bench, u, names)
    out += _flags(lang, findings)
    return out


def _bench_sentences(lang: str, bench: pd.DataFrame, u: str, names: dict[str, str]) -> list[str]:
    out = []
    for _, b in bench.iterrows():
        level = t(lang, f"level.{b['benchmark_level']}", province=names.get(b["benchmark_region_id"], ""))
        ynote = f"; {b['year_note']}" if b["year_note"] else ""
        out.append(t(lang, "bench", word=t(lang, f"cmp_word.{b['comparison']}"), level=level,
                     bvalue=fmt_num(b["benchmark_value"]), unit=u, byear=int(b["benchmark_year"]), ynote=ynote))
        if b["benchmark_alternatives"]:
            out.append(t(lang, "bench_alt", alts=b["benchmark_alternatives"]))
        if pd.notna(b["ci_low"]) and b["comparison"] == "similar":
            out.append(t(lang, "ci", events=1, low=fmt_num(b["ci_low"]), high=fmt_num(b["ci_high"])))
            break
    return out


def _flags(lang: str, findings: pd.DataFrame) -> list[str]:
    serious = findings[findings["severity"].isin(["error", "warning"])]
    return [t(lang, "quality_flag", message=m) for m in serious["message"].head(2)]
