"""Sentences for a briefing, built from the analysis results.

Every sentence states numbers with units and years, names the target and the comparison,
and hedges where the data is weak. All wording lives in ``TEMPLATES`` (one dict per
language) so that another language can be added beside English without touching the logic.
"""
from __future__ import annotations

import math
import re

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
        "level.national": "the national", "level.provincial": "{province}'s",
        "level_short.national": "national", "level_short.provincial": "provincial",
        "year_note": "; {level} value for {byear}, the nearest year to {year}",
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
        "bench.better": "That is better than {level} value of {bvalue} {unit} ({byear}{ynote}).",
        "bench.worse": "That is worse than {level} value of {bvalue} {unit} ({byear}{ynote}).",
        "bench.similar": "That is similar to {level} value of {bvalue} {unit} ({byear}{ynote}).",
        "bench.different": "That differs from {level} value of {bvalue} {unit} ({byear}{ynote}).",
        "bench_alt": "Another official report gives {alts} for the same year.",
        "ci": "With {events} maternal death(s) behind it, the exact 95% interval runs from {low} to {high} per 100,000 live births, so the comparison cannot be called.",
        "no_significance": "The plan reports rates without the counts behind them, so differences from the national and provincial values are not tested for significance; “similar” means within the stated tolerance.",
        "small_numbers": "Maternal deaths are rare: in a population of this size one death moves the ratio by tens per 100,000 live births, so a low or zero ratio is not evidence of zero risk.",
        "quality_flag": "Treat this number with care: {message}",
        "severity.error": "error", "severity.warning": "warning", "severity.info": "info",
        "change_abs.up": "+{v:.2f} {unit}", "change_abs.down": "−{v:.2f} {unit}",
        "change_rel.up": "+{v:.1f} %", "change_rel.down": "−{v:.1f} %",
        "no_targets_doc": "{region}'s document ({title}) sets no {year} targets for these indicators: progress is judged against {province}'s and the national {year} targets instead.",
    },
    "zh": {
        "unit.years": "岁", "unit.per 100000 live births": "/10万",
        "unit.per 1000 live births": "‰", "unit.per 1000 population": "人/千人口",
        "unit.per 10000 population": "人/万人口", "unit.%": "%",
        "cmp.=": "{v}", "cmp.~": "约{v}", "cmp.<": "低于{v}", "cmp.<=": "不高于{v}",
        "cmp.>": "高于{v}", "cmp.>=": "不低于{v}",
        "status.achieved": "已达标", "status.on track": "进展顺利",
        "status.needs acceleration": "需加快进度方能达标",
        "status.limited progress": "进展有限，难以达标", "status.moving away": "偏离目标",
        "status.cannot assess": "无法评估",
        "level.national": "全国", "level.provincial": "{province}",
        "level_short.national": "全国", "level_short.provincial": "省级",
        "year_note": "；{level}无{year}年数据，取最接近的{byear}年",
        "basis.own plan": "规划", "basis.provincial target": "{province}",
        "basis.national target": "全国",
        "latest": "{year}年{name}为{value}{unit}（{ref}）。",
        "trend": "{prev_year}年为{prev}，{period}年均{obs_change}。",
        "target": "{basis}确定的{target_year}年目标为{target}{unit}{derived}。",
        "derived": "（原文为“{text}”，按{base_year}年数值折算为{value}）",
        "no_own_target": "该文件未设定{name}的{target_year}年目标，此处采用{basis}目标{target}{unit}（{source}）。",
        "met": "{year}年数值已达到该目标。",
        "weak": "该目标低于已达到的水平，并未要求进一步改善。",
        "required": "如要达标，{year}—{target_year}年需年均{required}。",
        "projection": "按现有速度，{target_year}年{name}将为{projected}{unit}，{status}。",
        "one_point": "规划未报告更早的数值，无法判断变化趋势和达标可能。",
        "qualitative": "规划对{name}的{target_year}年目标为定性表述（“{text}”），无法量化评估进展。",
        "no_value": "规划设定了{name}{target_year}年达到{target}{unit}的目标，但未报告现状值。",
        "not_reported": "规划未报告{name}。",
        "bench.better": "优于{level}{byear}年水平（{bvalue}{unit}{ynote}）。",
        "bench.worse": "不及{level}{byear}年水平（{bvalue}{unit}{ynote}）。",
        "bench.similar": "与{level}{byear}年水平（{bvalue}{unit}{ynote}）相近。",
        "bench.different": "与{level}{byear}年水平（{bvalue}{unit}{ynote}）不同。",
        "bench_alt": "另有官方报道同年数值为{alts}。",
        "ci": "该比率仅基于{events}例孕产妇死亡，精确95%置信区间为{low}至{high}/10万，差异无法判断。",
        "no_significance": "规划只报告比率、未报告相应例数，因此与全国和省级水平的差异未作显著性检验；“相近”指差异在设定的容差范围内。",
        "small_numbers": "孕产妇死亡属罕见事件：在这样的人口规模下，一例死亡即可使死亡率变动数十/10万，因此较低甚至为零的死亡率并不意味着没有风险。",
        "quality_flag": "该数据需谨慎使用：{message}",
        "check.impossible_relation": "指标之间的关系不可能成立（如5岁以下儿童死亡率低于婴儿死亡率）",
        "check.conflicting_values": "同一数据在不同位置或不同来源中数值不一致",
        "check.comparator_differs": "同一数值在不同位置的限定词（高于、以下等）不一致",
        "check.implausible_value": "数值超出该指标在整体人群中的合理范围",
        "check.unit_mismatch": "原文单位与指标单位不符，可能在转换中丢失或改变了单位符号（如‰写成%）",
        "check.weak_target": "目标已被基期水平达到，并未要求进一步改善",
        "check.implausible_change": "目标与基期值或当年实际值相差数倍，需核对",
        "check.ratio_count_mismatch": "比率与相应人数推算出的人口数不一致",
        "severity.error": "错误", "severity.warning": "警告", "severity.info": "提示",
        "change_abs.up": "提高{v:.2f}{unit}", "change_abs.down": "下降{v:.2f}{unit}",
        "change_rel.up": "增长{v:.1f}%", "change_rel.down": "下降{v:.1f}%",
        "no_targets_doc": "{region}的文件（{title}）未设定上述指标的{year}年目标，以下按{province}和全国的{year}年目标评估进展。",
    },
}


def t(lang: str, key: str, **kw) -> str:
    """A template filled in. Unknown languages raise ValueError. Chinese text writes numbers
    as the plans do, without thousands separators (6012, not 6,012)."""
    if lang not in TEMPLATES:
        raise ValueError(f"unknown language {lang!r}; available: {', '.join(TEMPLATES)}")
    if lang == "zh":
        kw = {k: re.sub(r"(?<=\d),(?=\d{3})", "", v) if isinstance(v, str) else v for k, v in kw.items()}
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
    way = "up" if change >= 0 else "down"
    if measure.startswith("absolute"):
        return t(lang, f"change_abs.{way}", v=abs(change), unit=unit_text(lang, unit))
    return t(lang, f"change_rel.{way}", v=abs(change) * 100)


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
            if p["target_basis"] == "own plan":  # the plan's own target was met before it was set
                out.append(t(lang, "weak"))
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
        ynote = t(lang, "year_note", level=t(lang, f"level_short.{b['benchmark_level']}"), byear=int(b["benchmark_year"]),
                  year=int(b["year"])) if b["year_note"] else ""
        out.append(t(lang, f"bench.{b['comparison']}", level=level,
                     bvalue=fmt_num(b["benchmark_value"]), unit=u, byear=int(b["benchmark_year"]), ynote=ynote))
        if b["benchmark_alternatives"]:
            out.append(t(lang, "bench_alt", alts=b["benchmark_alternatives"]))
        if pd.notna(b["ci_low"]) and b["comparison"] == "similar":
            out.append(t(lang, "ci", events=fmt_num(b["ci_events"]), low=fmt_num(b["ci_low"]),
                         high=fmt_num(b["ci_high"])))
            break
    return out


def join(lang: str, sentences: list[str]) -> str:
    """Sentences into a paragraph: spaced in English, run together in Chinese."""
    return ("" if lang == "zh" else " ").join(sentences)


def finding_text(lang: str, finding) -> str:
    """A quality finding in words: the check's own message in English; in other languages the
    check's description in that language with the lines it concerns."""
    if lang == "en":
        return finding["message"]
    return f"{t(lang, 'check.' + finding['check'])}（{finding['source_lines']}）"


def _flags(lang: str, findings: pd.DataFrame) -> list[str]:
    serious = findings[findings["severity"].isin(["error", "warning"])]
    return [t(lang, "quality_flag", message=finding_text(lang, f)) for _, f in serious.head(2).iterrows()]
