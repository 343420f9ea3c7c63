"""The next plan in a briefing: the 14th plan's final assessment and the options for 2030.

Functions take a :class:`planlib.analysis.region.RegionAnalysis` and a language and return HTML
(with ``<h2>`` headings) or a table with reader column names; every string from the data is
escaped. Sources are named by title (and line), never by id.
"""
from __future__ import annotations

import html
import re

import pandas as pd

from planlib.analysis.assessment import CLASSES, completion, region_assessment
from planlib.analysis.options import options_for
from planlib.analysis.region import RegionAnalysis
from planlib.data.tables import OUTLOOK_INDICATORS
from planlib.report.escape import no_math
from planlib.report.narrative import change_phrase, doc_title, fmt_num, unit_after_name
from planlib.report.words import check_language, word

#: Table styling of the two sections (text left-aligned, numbers kept on one line).
OUTLOOK_CSS = ("<style>table.final-assessment th, table.final-assessment td, table.options-2030 th,"
               " table.options-2030 td {text-align: left !important; vertical-align: top}</style>")


def _w(lang: str, key: str, **kw) -> str:
    """A page word of the outlook block; Chinese year spans with a long dash (2015—2020)."""
    text = word(lang, "page", f"outlook.{key}", **kw)
    return re.sub(r"(?<=\d{4})–(?=\d{4})", "—", text) if lang == "zh" else text


def _e(s: object) -> str:
    return html.escape(str(s))


def _name(a: RegionAnalysis, indicator: str, lang: str) -> str:
    return str(a.tables.indicator_index.loc[indicator, "name_en" if lang == "en" else "name_zh"])


def _unit(a: RegionAnalysis, indicator: str, lang: str) -> str:
    return str(a.tables.indicator_index.loc[indicator, "unit_en" if lang == "en" else "unit_zh"])


def source_text(a: RegionAnalysis, ref: object, lang: str) -> str:
    """A reference ("yangchun_14th_plan L40", "national_15th_fyp_outline") as a reader sees it: the
    document's title, with the line where there is one ("" for no reference)."""
    if ref is None or (isinstance(ref, float) and pd.isna(ref)) or not str(ref):
        return ""
    parts = []
    src = a.tables.source_index
    for one in str(ref).split(", "):
        sid, _, line = one.partition(" L")
        title = doc_title(lang, a.tables.source_title(sid, lang), str(src.loc[sid, "kind"])) if sid in src.index else sid
        parts.append(_w(lang, "line", title=title, line=line) if line else title)
    return ("；" if lang == "zh" else "; ").join(dict.fromkeys(parts))


def _as_written(text: object, lang: str) -> str:
    """A target as the plan writes it; on the English page words in Chinese are named as such."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return "–"
    if lang == "en" and re.search(r"[\u4e00-\u9fff]", str(text)):
        return word(lang, "page", "in_words")
    return str(text)


def _number_as_written(text: object, value: float) -> str:
    """The number of a value as the document writes it ("3.0" of "3.0‰"), else ``value`` formatted."""
    m = re.search(r"\d+(?:\.\d+)?", str(text))
    return m.group(0) if m and float(m.group(0)) == value else fmt_num(value)


def _years(years: list[int], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(map(str, years)) or "–"


# --- final assessment ---------------------------------------------------------------------------

def assessment_table(a: RegionAnalysis, lang: str = "en") -> pd.DataFrame:
    """One row per target: indicator, target as written, type, latest outcome (year), class."""
    check_language(lang)
    df = region_assessment(a)
    rows = []
    for _, r in df.iterrows():
        outcome = ("–" if r["latest_value"] is None or pd.isna(r["latest_value"])
                   else _w(lang, "value_year", value=fmt_num(float(r["latest_value"])), year=int(r["latest_year"])))
        nature = r["nature"] if r["nature"] in ("约束性", "预期性") else "none"
        rows.append({word(lang, "page", "col.indicator"): _name(a, r["indicator_id"], lang),
                     word(lang, "page", "col.unit"): _unit(a, r["indicator_id"], lang),
                     _w(lang, "col.target"): _as_written(r["target_text"], lang),
                     _w(lang, "col.type"): _w(lang, f"type.{nature}"),
                     _w(lang, "col.outcome"): outcome,
                     _w(lang, "col.class"): _w(lang, f"class.{r['class']}")})
    return pd.DataFrame(rows)


def assessment_sentences(a: RegionAnalysis, lang: str = "en") -> list[str]:
    """The completion rate, what it rests on, the class thresholds and the method note."""
    df = region_assessment(a)
    c = completion(df)
    out = []
    if c["judged"]:
        out.append(_w(lang, "assess.intro", total=c["total"], judged=c["judged"], years=_years(c["latest_years"], lang),
                      met=c["met"], rate=fmt_num(round(100 * c["rate"])), not_judged=c["not_judged"]))
        if c["latest_years"] and max(c["latest_years"]) <= 2020:
            out.append(_w(lang, "assess.baseline", years=_years(c["latest_years"], lang)))
    else:
        out.append(_w(lang, "assess.none", total=c["total"]))
    if c["binding_behind"]:
        out.append(_w(lang, "assess.binding", n=c["binding_behind"]))
    out.append(_w(lang, "assess.classes"))
    out.append(_w(lang, "assess.method"))
    both = df[df["progress_ratio"].notna() & df["open_sdg_ratio"].notna()]
    items = [_w(lang, "assess.method.item", name=_name(a, r["indicator_id"], lang),
                ours=f"{float(r['progress_ratio']):.2f}", theirs=f"{float(r['open_sdg_ratio']):.2f}")
             for _, r in both.iterrows() if abs(float(r["progress_ratio"]) - float(r["open_sdg_ratio"])) >= 0.005]
    if items:
        out.append(_w(lang, "assess.method.example", items=("；" if lang == "zh" else "; ").join(items)))
    return out


def assessment_html(a: RegionAnalysis, lang: str = "en") -> str:
    """The final assessment section: heading, completion rate and method, the table."""
    table = assessment_table(a, lang).to_html(index=False, border=0, classes="final-assessment", escape=True)
    paras = "".join(f"<p>{_e(x)}</p>" for x in assessment_sentences(a, lang))
    return no_math(f"{OUTLOOK_CSS}\n<h2>{_e(_w(lang, 'assess'))}</h2>\n{paras}\n{table}")


def assessment_summary(a: RegionAnalysis) -> dict[str, object]:
    """One region's completion for an index table: region, met, judged, not judged, rate, years,
    the number of binding targets behind and their indicators (``binding_behind_indicators``, in
    the assessment's order), and the number of targets in each class (``classes``, every class of
    :data:`planlib.analysis.assessment.CLASSES`)."""
    df = region_assessment(a)
    c = completion(df)
    behind = df[df["binding"].astype(bool) & (df["class"] == "behind")] if len(df) else df
    counts = df["class"].value_counts() if len(df) else pd.Series(dtype=int)
    return {"region_id": a.region_id, **c, "binding_behind_indicators": list(behind["indicator_id"]),
            "classes": {k: int(counts.get(k, 0)) for k in CLASSES}}


# --- options for 2030 ---------------------------------------------------------------------------

def _option_label(a: RegionAnalysis, r: pd.Series, lang: str) -> str:
    o = r["option"]
    if o == "continue pace":
        return _w(lang, "option.continue pace", period=r["own_period"] or "–")
    if o == "province level":
        return _w(lang, "option.province level", province=a.name(lang, a.province_id), year=int(r["basis_year"]))
    if o == "peer level":
        return _w(lang, "option.peer level", n=int(r["peers"]))
    if o == "plan style":
        return (_w(lang, "option.plan style.life", year=int(r["latest_year"])) if r["indicator_id"] == "life_expectancy"
                else _w(lang, "option.plan style"))
    return _w(lang, f"option.{o}")


def _times(m: float, lang: str) -> str:
    """A multiple of a pace to one decimal; below 0.05 "<0.1" / "不到0.1" (never "0.0", which reads
    as no pace at all)."""
    return ("<0.1" if lang == "en" else "不到0.1") if 0 < m < 0.05 else f"{m:.1f}"


def _feasibility(r: pd.Series, lang: str) -> str:
    f = r["feasibility"]
    if f == "already reached":
        return _w(lang, "feas.already reached")
    parts = []
    if f == "against own trend":
        parts.append(_w(lang, "feas.against", period=r["own_period"]))
    elif f in ("within own pace", "faster than own pace") and pd.notna(r["own_multiple"]):
        parts.append(_w(lang, "feas.own", m=_times(float(r["own_multiple"]), lang), period=r["own_period"]))
    else:
        parts.append(_w(lang, "feas.no own"))
    if pd.notna(r["national_multiple"]) and float(r["national_multiple"]) > 0:
        parts.append(_w(lang, "feas.national", m=_times(float(r["national_multiple"]), lang), period=r["national_period"]))
    return ("；" if lang == "zh" else "; ").join(parts)


def _value(r: pd.Series) -> str:
    return fmt_num(float(r["value"]))


def options_table(a: RegionAnalysis, lang: str = "en", year: int = 2030) -> pd.DataFrame:
    """The 2030 options as a planning office can paste them into its draft: reader column names in
    the page's language; one row per option with a value (and, for rare-event rates, its range),
    the pace needed a year, the comparison with past paces and the basis (document and line)."""
    check_language(lang)
    df = options_for(a, year)
    df = df[df["option"].notna() & df["value"].notna()]
    columns = [word(lang, "page", "col.indicator"), word(lang, "page", "col.unit"), _w(lang, "col.latest"),
               _w(lang, "col.latest_year"), _w(lang, "col.option"), _w(lang, "col.value"), _w(lang, "col.low"),
               _w(lang, "col.high"), _w(lang, "col.pace"), _w(lang, "col.feasibility"), _w(lang, "col.basis")]
    rows = []
    for _, r in df.iterrows():
        unit = _unit(a, r["indicator_id"], lang)
        # an option already reached asks for no pace (a "needed" fall would read as a plan to get worse)
        pace = "–" if r["feasibility"] == "already reached" else change_phrase(
            lang, float(r["required_annual_change"]), r["change_measure"], unit.split("/")[0] if lang == "zh" else unit)
        basis = ("" if r["option"] == "peer level"
                 else source_text(a, r["basis_ref"] if pd.notna(r["basis_ref"]) else r["latest_ref"], lang))
        rows.append({word(lang, "page", "col.indicator"): _name(a, r["indicator_id"], lang),
                     word(lang, "page", "col.unit"): unit,
                     _w(lang, "col.latest"): fmt_num(float(r["latest_value"])),
                     _w(lang, "col.latest_year"): int(r["latest_year"]),
                     _w(lang, "col.option"): _option_label(a, r, lang),
                     _w(lang, "col.value"): _value(r),
                     _w(lang, "col.low"): "" if pd.isna(r["value_low"]) else fmt_num(float(r["value_low"])),
                     _w(lang, "col.high"): "" if pd.isna(r["value_high"]) else fmt_num(float(r["value_high"])),
                     _w(lang, "col.pace"): pace,
                     _w(lang, "col.feasibility"): _feasibility(r, lang),
                     _w(lang, "col.basis"): basis})
    return pd.DataFrame(rows, columns=columns)


def options_notes(a: RegionAnalysis, lang: str = "en", year: int = 2030) -> list[str]:
    """What a reader must be told beside the options: values in doubt, definitions that differ,
    ranges for rare-event rates, paces that cannot go on, other national and provincial figures."""
    df = options_for(a, year)
    out: list[str] = []
    for _, r in df.iterrows():
        flags = [f for f in str(r["flags"] or "").split(",") if f]
        name = _name(a, r["indicator_id"], lang)
        for f in flags:
            if f in ("doubt", "no_value"):
                out.append(_w(lang, f"note.{f}", name=name))
            elif f == "definition":
                out.append(_w(lang, "note.definition", name=name, value=r["basis_text"],
                              source=source_text(a, r["basis_ref"], lang)))
                same = df[(df["indicator_id"] == r["indicator_id"]) & (df["option"] == "national reference")
                          & df["value"].notna()]
                if len(same):  # the option rests on an older document that counts as the local ratio does
                    out.append(_w(lang, "note.definition.same", name=name, value=same.iloc[0]["basis_text"],
                                  source=source_text(a, same.iloc[0]["basis_ref"], lang)))
            elif f == "small_births":
                births = float(r["births"])
                out.append(_w(lang, "note.small_births", name=name,
                              births=f"{births:.0f}" if lang == "zh" else f"{births:,.0f}",
                              source=source_text(a, r["births_ref"], lang)))
            elif f == "small_no_births":
                out.append(_w(lang, "note.small_no_births", name=name))
            elif f == "beyond":
                out.append(_w(lang, "note.beyond", name=name, period=r["own_period"]))
            elif f == "other_reference":
                refs = a.observations
                other = refs[(refs["region_id"] == "china") & (refs["kind"] == "target") & (refs["year"] == year)
                             & (refs["indicator_id"] == r["indicator_id"]) & (refs["ref"] != r["basis_ref"])]
                for _, o in other.iterrows():
                    out.append(_w(lang, "note.other_reference", name=name, source=source_text(a, r["basis_ref"], lang),
                                  other=source_text(a, o["ref"], lang), value=o["value_text"]))
            elif f == "province_target":
                obs = a.observations
                goals = obs[(obs["region_id"] == a.province_id) & (obs["kind"] == "target") & (obs["year"] == year)
                            & (obs["indicator_id"] == r["indicator_id"]) & obs["value_std"].notna()]
                for _, g in goals.iterrows():
                    value = _w(lang, f"note.goal{'.about' if g['comparator'] == '~' else ''}",
                               value=_number_as_written(g["value_text"], float(g["value_std"])),
                               unit=_unit(a, r["indicator_id"], lang))
                    out.append(_w(lang, "note.province_target", name=name, province=a.name(lang, a.province_id),
                                  year=year, value=value, source=source_text(a, g["ref"], lang)))
            elif f == "province_alt":
                alt = a.actuals(a.province_id, r["indicator_id"])
                alt = alt[(alt["year"] == r["basis_year"]) & (alt["ref"] != r["basis_ref"])]
                for _, x in alt.iterrows():
                    out.append(_w(lang, "note.province_alt", name=name, value=x["value_text"],
                                  province=a.name(lang, a.province_id), year=int(r["basis_year"])))
    return list(dict.fromkeys(out))


def _options_page_table(full: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The options table as the page shows it, narrow enough for A4: the unit beside the name, the
    year beside the latest value, the range beside the value; the basis stays in the CSV."""
    if full.empty:
        return full
    ind, unit, latest, year, option, value, low, high, pace, feas, _basis = full.columns
    open_, close = (" (", ")") if lang == "en" else ("（", "）")
    year_word = "" if lang == "en" else "年"
    page = pd.DataFrame({
        ind: [f"{n}{open_}{u}{close}" if u else n
              for n, u in ((n, unit_after_name(lang, n, u)) for n, u in zip(full[ind], full[unit]))],
        latest: [f"{v}{open_}{y}{year_word}{close}" for v, y in zip(full[latest], full[year])],
        option: full[option],
        value: [f"{v}{open_}{lo}–{hi}{close}" if lo != "" else v for v, lo, hi in zip(full[value], full[low], full[high])],
        pace: full[pace],
        feas: full[feas],
    })
    first = page[ind].ne(page[ind].shift())  # the indicator once per group of options
    page.loc[~first, [ind, latest]] = ""
    return page


def options_html(a: RegionAnalysis, lang: str = "en", year: int = 2030) -> str:
    """The "Looking to 2030" section: heading, introduction, the options table, the notes."""
    table = _options_page_table(options_table(a, lang, year), lang).to_html(
        index=False, border=0, classes="options-2030", escape=True)
    notes = "".join(f"<li>{_e(x)}</li>" for x in options_notes(a, lang, year))
    return no_math(f"{OUTLOOK_CSS}\n<h2>{_e(_w(lang, 'options'))}</h2>\n"
                   f"<p>{_e(_w(lang, 'options.intro', region=a.name(lang)))}</p>\n{table}\n"
                   + (f"<ul>{notes}</ul>" if notes else ""))


def outlook_html(a: RegionAnalysis, lang: str = "en") -> str:
    """Both sections, as the briefing shows them."""
    return assessment_html(a, lang) + "\n" + options_html(a, lang)


# --- the options figure ---------------------------------------------------------------------------

def figure_alt(a: RegionAnalysis, lang: str = "en") -> str:
    """Alt text of the 2030 options figure: per panel the latest outcome and the options' values."""
    df = options_for(a)
    items = []
    for ind in OUTLOOK_INDICATORS:
        o = df[(df["indicator_id"] == ind) & df["option"].notna() & df["value"].notna()]
        name = _name(a, ind, lang)
        if o.empty:
            items.append(_w(lang, "alt.none", name=name))
            continue
        values = ("、" if lang == "zh" else ", ").join(fmt_num(float(v)) for v in o["value"])
        items.append(_w(lang, "alt.item", name=name, latest=fmt_num(float(o.iloc[0]["latest_value"])),
                        year=int(o.iloc[0]["latest_year"]), values=values))
    return _w(lang, "alt", region=a.name(lang), items=("" if lang == "zh" else " ").join(items))


def figure_html(a: RegionAnalysis, path, lang: str = "en") -> str:
    """The options figure at ``path`` (PNG) inline, with its alt text, fitted to the page width."""
    import base64
    from pathlib import Path
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (f'<img class="briefing-figure" src="data:image/png;base64,{data}" '
            f'alt="{html.escape(figure_alt(a, lang))}" style="max-width:100%;height:auto">')
