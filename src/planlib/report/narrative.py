"""Sentences for a briefing, built from the analysis results.

Every sentence states numbers with units and years, names the target and the comparison,
and hedges where the data is weak. All wording lives in :mod:`planlib.report.words` (the
``text`` part of each language), units as readers see them in the indicator catalog, so that
another language can be added beside English without touching the logic.
"""
from __future__ import annotations

import math
import re

import pandas as pd

from planlib.analysis.comparison import INDISTINGUISHABLE
from planlib.analysis.targets import IN_DOUBT
from planlib.report.words import check_language, words

def t(lang: str, key: str, **kw) -> str:
    """A template filled in. Unknown languages raise ValueError. Chinese text writes numbers
    as the plans do, without thousands separators (6012, not 6,012), year spans with a dash
    (2015—2020) and brackets full width; an empty unit leaves no stray space."""
    check_language(lang)
    if lang == "zh":
        kw = {k: _zh(v) if isinstance(v, str) else v for k, v in kw.items()}
    text = words(lang, "text")[key].format(**kw)
    return re.sub(r" +(?=[.,;:)])", "", re.sub(r" {2,}", " ", text))


def _zh(v: str) -> str:
    v = re.sub(r"(?<=\d),(?=\d{3})", "", v)
    v = re.sub(r"(?<=\d{4})–(?=\d{4})", "—", v)
    return re.sub(r" ?\(([^()]*)\)", r"（\1）", v)


#: Kinds of source that are documents with a title of their own (cited 《…》 in Chinese text); a
#: press report's title only describes it.
TITLED_KINDS = ("local plan", "mid-term review", "national plan", "provincial plan", "statistical bulletin")


def doc_title(lang: str, title: str, kind: str) -> str:
    """A document's title as running text cites it: in Chinese in 《》 (a title inside it in 〈〉),
    as in 《〈威海市卫生与健康“十四五”规划〉中期实施情况报告》; in English in quotation marks (a
    quotation inside it in single ones), as in “‘Healthy China 2030’ Planning Outline”. A press
    report's description is given as it is."""
    if kind not in TITLED_KINDS:
        return title
    if lang == "zh":
        if title.startswith("《") and title.endswith("》"):
            return title
        return "《" + title.replace("《", "〈").replace("》", "〉") + "》"
    if title.startswith("“") and title.endswith("”") and title.count("“") == 1:
        return title
    return "“" + title.replace("“", "‘").replace("”", "’") + "”"


def unit_after_name(lang: str, name: str, unit: str) -> str:
    """The unit to write after an indicator's number or name, where the name does not already say
    it: Chinese names state the denominator (每千人口执业（助理）医师数), so only the counting word
    remains (人, 张); an English name ending "… per 1,000 population" needs no unit at all."""
    if lang == "zh" and name.startswith(("每千", "每万")) and "/" in unit:
        return unit.split("/")[0]
    if lang == "en" and unit.startswith("per ") and name.endswith(unit):
        return ""
    return unit


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


def target_phrase(lang: str, comparator: str, value: float | None, text: str) -> str:
    """'more than 79', 'at most 5', or the text as written for qualitative targets."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"“{text}”"
    return t(lang, f"cmp.{comparator}", v=fmt_num(value))


def change_phrase(lang: str, change: float, measure: str, unit: str) -> str:
    """'+0.24 years' or '-3.5 %' for an annual change; ``unit`` as the reader sees it."""
    way = "up" if change >= 0 else "down"
    if measure.startswith("absolute"):
        return t(lang, f"change_abs.{way}", v=abs(change), unit=unit)
    return t(lang, f"change_rel.{way}", v=abs(change) * 100)


def looser_sentence(lang: str, p: pd.Series, target: str, unit: str) -> str:
    """'The 2025 target (more than 79) is below the 2020 value of 83 years: it allows a fall of up
    to 4 years.' for a progress row whose target asks less than its baseline already had."""
    way = "down" if p["direction"] == "higher_is_better" else "up"
    return t(lang, f"looser.{way}", target_year=int(p["target_year"]), target=target,
             base_year=int(p["looser_base_year"]), base=fmt_num(float(p["looser_base_value"])),
             slack=fmt_num(float(p["baseline_below_target_by"])), unit=unit)


def status_text(lang: str, p: pd.Series, unit: str, short: bool = False) -> str:
    """A progress row's status as a table cell: the status, and what it leaves out: a target
    looser than its baseline, or the pace needed (and the nation's) where the data show no trend.
    ``short``: the one-page summary's wording (its note under the table says what the pace means)."""
    status = t(lang, f"status.{p['status']}")
    if p["status"] == "achieved" and pd.notna(p["baseline_below_target_by"]):
        way = "down" if p["direction"] == "higher_is_better" else "up"
        return t(lang, f"status.looser.{way}", status=status, year=int(p["looser_base_year"]))
    if (p["status"] == "cannot assess" and pd.notna(p["required_annual_change"])
            and pd.isna(p["observed_annual_change"])):
        required = change_phrase(lang, float(p["required_annual_change"]), p["change_measure"], unit)
        prefix = "verdict" if short else "status"
        if pd.notna(p["national_annual_change"]):
            return t(lang, f"{prefix}.pace.national", required=required, period=p["national_period"],
                     change=change_phrase(lang, float(p["national_annual_change"]), p["change_measure"], unit))
        return t(lang, f"{prefix}.pace", required=required)
    return status


def indicator_paragraph(lang: str, name: str, unit: str, progress: pd.Series | None, bench: pd.DataFrame,
                        latest: pd.Series | None, findings: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Sentences about one indicator (``name`` and ``unit`` as the reader sees them): latest value,
    trend, target, progress, benchmarks, caveats."""
    out: list[str] = []
    u = unit
    if latest is None and (progress is None or pd.isna(progress["latest_value"])):
        if progress is None:
            return [t(lang, "not_reported", name=mid(lang, name))]
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
            return out + _bench_sentences(lang, bench, u, names) + _flags(lang, findings, unit=u)
        else:
            derived = ""
            if p["target_derived"]:
                derived = t(lang, "derived", text=p["target_text"], base_year=ty - 5, value=fmt_num(tv))
            out.append(t(lang, "target", basis=t(lang, "basis.own plan").capitalize() if lang == "en"
                         else t(lang, "basis.own plan"), target_year=ty, target=target, unit=u, derived=derived))
        status = p["status"]
        if status == IN_DOUBT:
            out.append(t(lang, "doubt", reason=_doubt_reason(lang, p["reason"], findings, u)))
        elif pd.isna(p["latest_value"]):
            if tv is not None and p["target_basis"] == "own plan":
                out[-1] = t(lang, "no_value", target_year=ty, target=target, unit=u, name=mid(lang, name))
        elif status == "achieved":
            out.append(t(lang, "met", year=int(p["latest_year"])))
            if pd.notna(p["baseline_below_target_by"]):  # a target that allows things to get worse
                out.append(looser_sentence(lang, p, target, u))
            elif p["target_basis"] == "own plan":  # the plan's own target was met before it was set
                out.append(t(lang, "weak"))
        elif tv is not None:
            if pd.notna(p["observed_annual_change"]):
                prev_year, ly = p["observed_period"].split("–")
                derived = isinstance(p["observed_derived_from"], str)
                out.insert(1, t(lang, "trend_derived" if derived else "trend", prev=fmt_num(p["baseline_value"]),
                                prev_year=prev_year, ref=p["observed_derived_from"] if derived else "",
                                obs_change=change_phrase(lang, float(p["observed_annual_change"]),
                                                         p["change_measure"], u),
                                period=p["observed_period"]))
            if pd.notna(p["required_annual_change"]):
                out.append(t(lang, "required", required=change_phrase(lang, float(p["required_annual_change"]),
                                                                     p["change_measure"], u),
                             year=int(p["latest_year"]), target_year=ty))
            if pd.notna(p["projected_value"]):
                out.append(t(lang, "projection", name=mid(lang, name), projected=fmt_num(float(p["projected_value"])),
                             unit=u, target_year=ty, status=t(lang, f"status.{status}")))
            elif status == "cannot assess":
                out.append(t(lang, "one_point"))
                if pd.notna(p["national_annual_change"]):
                    out.append(t(lang, "national_pace", period=p["national_period"],
                                 change=change_phrase(lang, float(p["national_annual_change"]), p["change_measure"], u)))
    out += _bench_sentences(lang, bench, u, names)
    said = progress["reason"] if progress is not None and progress["status"] == IN_DOUBT else None
    out += _flags(lang, findings, said, u)
    return out


def _bench_sentences(lang: str, bench: pd.DataFrame, u: str, names: dict[str, str]) -> list[str]:
    out = []
    small = bench[bench["comparison"] == INDISTINGUISHABLE]
    if not small.empty:  # a rare event: say once what the ratio rests on
        b = small.iloc[0]
        if pd.notna(b["ci_low"]):
            kind = t(lang, f"exposure.{b['ci_exposure_kind']}")
            deaths = t(lang, "deaths.one" if b["ci_events"] == 1 else "deaths.many", n=fmt_num(b["ci_events"]))
            out.append(t(lang, "small.counts", deaths=deaths, exposure=fmt_num(b["ci_exposure"]), kind=kind,
                         year=int(b["year"]), low=fmt_num(b["ci_low"]), high=fmt_num(b["ci_high"])))
        else:
            out.append(t(lang, "small.no_counts"))
    for _, b in bench.iterrows():
        level = t(lang, f"level.{b['benchmark_level']}", province=names.get(b["benchmark_region_id"], ""))
        ynote = t(lang, "year_note", level=t(lang, f"level_short.{b['benchmark_level']}"), byear=int(b["benchmark_year"]),
                  year=int(b["year"])) if b["year_note"] else ""
        out.append(t(lang, "bench.far" if b["far_better"] else f"bench.{b['comparison']}", level=level,
                     bvalue=fmt_num(b["benchmark_value"]), unit=u, byear=int(b["benchmark_year"]), ynote=ynote))
        if pd.notna(b["latest_benchmark_year"]):  # the period is over: the latest value beside it
            out.append(t(lang, "bench.latest", level=t(lang, f"level_short.{b['benchmark_level']}"),
                         value=fmt_num(b["latest_benchmark_value"]), unit=u, year=int(b["latest_benchmark_year"])))
        if b["benchmark_alternatives"]:
            out.append(t(lang, "bench_alt", alts=b["benchmark_alternatives"]))
    return out


def join(lang: str, sentences: list[str]) -> str:
    """Sentences into a paragraph: spaced in English, run together in Chinese."""
    return ("" if lang == "zh" else " ").join(sentences)


#: The shapes of the quality checks' messages (:mod:`planlib.analysis.quality`), each with the key
#: of its wording in another language (``finding.<key>`` in :mod:`planlib.report.words`), so that a
#: Chinese note states the same values, lines and numbers as the English one.
FINDING_SHAPES: list[tuple[str, re.Pattern]] = [(k, re.compile(p)) for k, p in [
    ("values", r"^(?P<kind>actual|target) reported with different values (?P<where>in one document|by different sources): (?P<items>.+)$"),
    ("qualifiers", r"^(?P<kind>actual|target) written with different qualifiers [^:]+: (?P<items>.+)$"),
    ("relative", r"^relative target (?P<t>.+?) \((?P<r1>[^()]+)\) on the (?P<y>\d{4}) value (?P<v>.+?) \((?P<r2>[^()]+)\) implies (?P<x>[\d.]+), but (?P<s>.+?) \((?P<r3>[^()]+)\) is stated$"),
    ("implausible", r"^(?P<kind>actual|target) (?P<vt>.+?) \((?P<refs>[^()]+)\) = (?P<val>[\d,.]+) .+? is outside the plausible range (?P<lo>[\d,.]+)–(?P<hi>[\d,.]+) for a whole population$"),
    ("unit", r"^(?P<vt>.+?) \((?P<ref>[^()]+)\) is written in '(?P<u1>[^']+)' but the indicator is measured .+?; the unit sign was probably lost or changed in the document$"),
    ("weak", r"^(?P<y>\d{4}) target (?P<t>.+?) \((?P<r1>[^()]+)\) is already met by the (?P<by>\d{4}) value (?P<v>.+?) \((?P<r2>[^()]+)\): it asks for no improvement$"),
    ("times", r"^(?P<y>\d{4}) target (?P<t>.+?) \((?P<r1>[^()]+)\) is (?P<f>[\d.]+) times the (?P<by>\d{4}) value (?P<v>.+?) \((?P<r2>[^()]+)\); check both numbers$"),
    ("fold", r"^(?P<y>\d{4}) target (?P<t>.+?) \((?P<r1>[^()]+)\) and the (?P<y2>\d{4}) outcome (?P<v>.+?) \((?P<r2>[^()]+)\) differ (?P<f>\d+)-fold; one of them may be in another unit$"),
    ("impossible", r"^(?P<kind>actual|target) under-5 mortality is below infant mortality \((?P<what>.+)\): every infant death is also an under-5 death, so this cannot be true$"),
    ("populations", r"^counts and ratios imply populations that cannot all be true \(allowing for rounding\): (?P<desc>.+)$"),
    ("maternal", r"^(?P<d>[\d.]+) maternal death(?:\(s\)|s)? over (?P<n>[\d,]+) hospital deliveries is (?P<r>[\d.]+)/10万, but the stated ratio is (?P<s>.+?); the ratio uses live births \((?P<lb>[\d,]+) implied\), not deliveries$"),
    ("technicians", r"^physicians (?P<p>.+?) \+ nurses (?P<n>.+?) add up to at least the health technical staff (?P<h>.+?), leaving no pharmacists, laboratory or imaging staff$"),
    ("count.rate", r"^(?P<kind>actual|target) (?P<vt>.+?) \((?P<ref>[^()]+)\) is (?P<val>[\d,.]+) (?P<u>[^:]+): (?P<n>[\d,.]+) per (?P<per>[\d,]+) people for (?P<said>.+), far outside the plausible (?P<lo>[\d.]+)–(?P<hi>[\d.]+) per [\d,]+; check the number and its unit$"),
    ("count.total", r"^(?P<kind>actual|target) (?P<vt>.+?) \((?P<ref>[^()]+)\) is (?P<val>[\d,.]+) (?P<u>[^,]+), more than (?P<said>.+); check the number and its unit$"),
]]
#: The population a count is measured against (inside a ``count.*`` finding): stated, or implied
#: by the population aged 65 and over and its share.
POPULATION_SAID: list[tuple[str, re.Pattern]] = [(k, re.compile(p)) for k, p in [
    ("stated", r"^the (?P<py>\d{4}) population of (?P<pop>[\d,]+) \((?P<pvt>[^()]+), (?P<pref>[^(),]+)\)$"),
    ("elderly", r"^the (?P<py>\d{4}) population of (?P<pop>[\d,]+) implied by the population aged 65 and over (?P<a>.+?) and its share (?P<s>.+)$"),
]]
#: English words inside the population descriptions of a count/ratio finding, in Chinese.
_POPULATION_WORDS = {"population 65+": "65岁及以上人口", "share": "占比", "stated population": "报告的人口数"}


def _items(lang: str, text: str) -> str:
    """'43 (ref), 提高到50% (ref)' as the language lists them: '43（ref）、提高到50%（ref）'."""
    text = re.sub(r" \(([^()]+)\)", r"（\1）", text)
    return text.replace("）, ", "）、")


def _population_said(lang: str, said: str) -> str:
    """The population a count finding measures against, in the reader's language."""
    for key, shape in POPULATION_SAID:
        m = shape.match(said)
        if m:
            g = {k: (_items(lang, v) if lang != "en" and k in ("a", "s") else v) for k, v in m.groupdict().items()}
            return t(lang, f"finding.population.{key}", **g)
    return said


def finding_text(lang: str, finding, unit: str = "") -> str:
    """A quality finding in words, in the reader's language: the values, lines and numbers of the
    check's message in the wording of :mod:`planlib.report.words` (``unit``: the indicator's unit
    as the reader sees it). A message of a shape not known here is given as the check wrote it
    (English) or as the check's description with its lines (other languages)."""
    for key, shape in FINDING_SHAPES:
        m = shape.match(str(finding.get("message", "")))
        if m is None:
            continue
        g = m.groupdict()
        if "kind" in g:
            g["kind"] = t(lang, f"finding.kind.{g['kind']}")
        if key == "values":
            key = f"values.{g.pop('where')}"
        if "items" in g and lang != "en":
            g["items"] = _items(lang, g["items"])
        if key == "maternal":
            g["deaths"] = t(lang, "finding.deaths.one" if g["d"] == "1" else "finding.deaths.many")
        if lang == "en":
            return t(lang, f"finding.{key}", unit=unit, **g)
        if key.startswith("count."):
            g["said"] = _population_said(lang, g["said"])
        if key == "populations":
            desc = g["desc"].replace("; ", "；").replace(" → ", "→").replace("–", "—")
            for en_word, zh_word in _POPULATION_WORDS.items():
                desc = desc.replace(en_word, zh_word)
            g["desc"] = desc
        if key == "impossible":
            g["what"] = g["what"].replace("; ", "；")
        if key == "implausible":
            g["refs"] = g["refs"].replace(", ", "、")
        return t(lang, f"finding.{key}", unit=unit, **g)
    if lang == "en":
        return str(finding.get("message", ""))
    return f"{t(lang, 'check.' + finding['check'])}（{finding['source_lines'].replace('; ', '、')}）"


def _doubt_reason(lang: str, message: str, findings: pd.DataFrame, unit: str = "") -> str:
    """Why a value is in doubt, in the reader's language (the finding's own words in English)."""
    if lang == "en":
        return message
    f = findings[findings["message"] == message]
    return finding_text(lang, f.iloc[0], unit) if not f.empty else message


def _flags(lang: str, findings: pd.DataFrame, said: str | None = None, unit: str = "") -> list[str]:
    """Cautions for the serious findings about an indicator, except the one already ``said``."""
    serious = findings[findings["severity"].isin(["error", "warning"]) & (findings["message"] != said)]
    return [t(lang, "quality_flag", message=finding_text(lang, f, unit)) for _, f in serious.head(2).iterrows()]
