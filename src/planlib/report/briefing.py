"""Content of one region's briefing: key figures, section texts, quality notes, sources, stamp.

A :class:`Briefing` words a region's analysis (:func:`planlib.analyse_region`) in one language.
The briefing notebook calls its methods and displays what they return; all logic is here.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import platform
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from planlib import __version__
from planlib.analysis.comparison import TOLERANCE_ABS, TOLERANCE_REL
from planlib.analysis.region import RegionAnalysis
from planlib.data.tables import CORE_INDICATORS, MORTALITY_INDICATORS, WORKFORCE_INDICATORS, Tables, data_hash
from planlib.report.escape import md_text, no_math
from planlib.analysis.targets import ABSOLUTE_CHANGE, IN_DOUBT, verdict
from planlib.report.narrative import (TITLED_KINDS, change_phrase, doc_title, finding_text, fmt_num,
                                      indicator_paragraph, join, status_text, t, target_phrase, unit_after_name)
from planlib.report.words import check_language, word

SECTIONS: dict[str, tuple[str, ...]] = {
    "life_expectancy": ("life_expectancy",),
    "maternal_child": ("maternal_mortality", "infant_mortality", "under5_mortality"),
    "workforce": ("physicians_per_1000", "nurses_per_1000", "beds_per_1000", "gps_per_10000",
                  "pharmacists_per_1000", "tcm_physicians_per_1000"),
}
OPTIONAL = {"pharmacists_per_1000", "tcm_physicians_per_1000"}  # mentioned only where present
#: Reading order for the briefing's word tables: text left-aligned, numbers kept on one line.
TABLE_CSS = ("<style>.planlib-summary table th, .planlib-summary table td, table.previous-plan th, table.previous-plan td"
             " {text-align: left !important; vertical-align: top}"
             " .planlib-summary table th, table.previous-plan th {white-space: nowrap}"
             " .planlib-summary table td:nth-child(2), .planlib-summary table td:nth-child(4) {white-space: nowrap !important}"
             " .planlib-summary table th:first-child {width: 34%} .planlib-summary table th:last-child {width: 30%}"
             " .planlib-summary p.table-note {font-size: 0.85em; color: #444}"
             # on paper the summary keeps to the first page with the title
             " @media print {.planlib-summary {font-size: 9pt} .planlib-summary table {font-size: 8.5pt !important}"
             " .planlib-summary h2 {font-size: 13pt; margin: 0.3em 0} .planlib-summary h3 {font-size: 10.5pt;"
             " margin: 0.5em 0 0.2em} .planlib-summary p, .planlib-summary li {margin: 0.15em 0}"
             " .planlib-summary td, .planlib-summary th {padding: 1px 4px !important}}"
             "</style>")
#: The indicators each briefing figure shows (as :mod:`planlib.report.figures` draws them).
FIGURE_INDICATORS: dict[str, tuple[str, ...]] = {
    "life_expectancy": ("life_expectancy",), "mortality": MORTALITY_INDICATORS, "workforce": WORKFORCE_INDICATORS}

def _h(lang: str, key: str, **kw) -> str:
    return word(lang, "page", key, **kw)


def _people(lang: str, n: float) -> str:
    """A number of people as a reader writes it: 514,900 / 51.49万."""
    if n >= 10_000:  # populations: to the nearest hundred, as the plans give them (51.49万)
        return f"{fmt_num(round(n / 10_000, 2))}万" if lang == "zh" else f"{round(n, -2):,.0f}"
    return f"{round(n):,}" if lang == "en" else str(round(n))


@dataclass
class Briefing:
    """Everything a briefing says about one region, in one language."""

    analysis: RegionAnalysis
    lang: str = "en"

    def __post_init__(self) -> None:
        check_language(self.lang)

    # --- analysis results, computed once -------------------------------------------------
    @property
    def region_id(self) -> str:
        return self.analysis.region_id

    @property
    def _t(self) -> Tables:
        return self.analysis.tables

    @property
    def progress(self) -> pd.DataFrame:
        return self.analysis.progress

    @cached_property
    def benchmarks(self) -> pd.DataFrame:
        """Comparisons of the indicators the briefing's sections cover."""
        c = self.analysis.comparisons
        return c[c["indicator_id"].isin([i for s in SECTIONS.values() for i in s])]

    @property
    def findings(self) -> pd.DataFrame:
        return self.analysis.findings

    @property
    def obs(self) -> pd.DataFrame:
        """Enriched observations of this region, its province and the nation (all it cites)."""
        return self.analysis.observations

    def name(self, indicator_id: str) -> str:
        """The indicator's name in the briefing's language (from the catalog)."""
        return self._t.indicator_index.loc[indicator_id, "name_en" if self.lang == "en" else "name_zh"]

    def unit(self, indicator_id: str) -> str:
        """The indicator's unit as the reader sees it (from the catalog)."""
        return self._t.indicator_index.loc[indicator_id, "unit_en" if self.lang == "en" else "unit_zh"]

    def text_unit(self, indicator_id: str) -> str:
        """The unit after a number in a sentence, where the name does not already say it: Chinese
        names state the denominator (每千人口执业（助理）医师数), so the number takes only the counting
        word (2.04人, 4.1张); an English name "… per 1,000 population" takes the bare number."""
        return unit_after_name(self.lang, self.name(indicator_id), self.unit(indicator_id))

    @property
    def region(self) -> pd.Series:
        return self._t.region(self.region_id)

    def region_name(self, rid: str | None = None) -> str:
        return self.analysis.name(self.lang, rid)

    @cached_property
    def region_names(self) -> dict[str, str]:
        """Region id → name in the briefing's language, for the regions the briefing cites."""
        return {r: self.region_name(r) for r in (self.region_id, self.analysis.province_id, "china") if r}

    @cached_property
    def plan_source(self) -> pd.Series:
        """The region's own document (local plan or mid-term review)."""
        src = self._t.source_index
        mine = self.obs[(self.obs["region_id"] == self.region_id)]["source_id"].unique()
        if len(mine) == 0:
            raise ValueError(f"region {self.region_id!r} has no observations in {self._t.folder}; "
                             f"a briefing needs at least its own plan's numbers")
        local = src.loc[[s for s in mine if src.loc[s, "kind"] in ("local plan", "mid-term review")]]
        return local.iloc[0] if len(local) else src.loc[mine[0]]

    def latest_actual(self, indicator_id: str) -> pd.Series | None:
        """The region's latest usable actual of an indicator (the first-listed report of its year)."""
        a = self.analysis.actuals(self.region_id, indicator_id)
        if a is None or a.empty:
            return None
        return a.sort_values(["year", "source_line"], ascending=[False, True]).iloc[0]

    # --- content ---------------------------------------------------------------------------
    def title(self) -> str:
        return _h(self.lang, "title", name=self.region_name())

    def subtitle(self) -> str:
        r = self.region
        src = self.plan_source
        parent = self.region_name(r["parent_id"])
        province = self.region_name(r["province_id"])
        date = src["date"] if pd.notna(src["date"]) else _h(self.lang, "undated")
        where = parent if parent == province else (f"{parent}, {province}" if self.lang == "en"
                                                    else f"{province}{parent}")
        return _h(self.lang, "subtitle", level=_h(self.lang, f"level.{r['level']}"), parent=where,
                  title=doc_title(self.lang, self._t.source_title(src.name, self.lang), src["kind"]), date=date,
                  name=self.region_name())

    def period(self) -> str:
        """The plan period is over: which 2025 outcomes the data hold for the region's core indicators."""
        years = [int(a["year"]) for a in map(self.latest_actual, CORE_INDICATORS) if a is not None]
        n = sum(y >= 2025 for y in years)
        if n:
            return _h(self.lang, "period.some", n=n, total=len(CORE_INDICATORS), region=self.region_name())
        spread = sorted(set(years))
        when = "–".join(map(str, (spread[0], spread[-1]))) if len(spread) > 1 else str(spread[0]) if spread else "–"
        return _h(self.lang, "period.none", region=self.region_name(), years=when)

    def header_markdown(self) -> str:
        return f"# {md_text(self.title())}\n\n{md_text(self.subtitle())}\n\n{md_text(self.period())}"

    def key_figures_html(self) -> str:
        """The key-figures table as HTML (with a heading), for notebooks and the HTML briefing."""
        table = self.key_figures().to_html(index=False, border=0, classes="key-figures", escape=True)
        return f"<h2>{_h(self.lang, 'key_figures')}</h2>\n{no_math(table)}"

    def has_own_targets(self) -> bool:
        p = self.progress
        return bool(((p["target_basis"] == "own plan") & p["indicator_id"].isin(CORE_INDICATORS)
                     & p["target_value"].notna()).any())

    def key_figures(self) -> pd.DataFrame:
        """Indicator, unit, latest value (year), 2025 target, national value, status."""
        rows = []
        prog = self.progress.set_index("indicator_id")
        bench = self.benchmarks
        for ind in CORE_INDICATORS:
            latest = self.latest_actual(ind)
            p = prog.loc[ind] if ind in prog.index else None
            nat = bench[(bench["indicator_id"] == ind) & (bench["benchmark_level"] == "national")]
            target = self.target_cell(p)
            rows.append({
                _h(self.lang, "col.indicator"): self.name(ind),
                _h(self.lang, "col.unit"): self.unit(ind),
                _h(self.lang, "col.latest"): "–" if latest is None else f"{fmt_num(float(latest['value_std']))} ({int(latest['year'])})",
                _h(self.lang, "col.target"): target,
                _h(self.lang, "col.national"): "–" if nat.empty else f"{fmt_num(nat.iloc[0]['benchmark_value'])} ({int(nat.iloc[0]['benchmark_year'])})",
                _h(self.lang, "col.status"): "–" if p is None else status_text(self.lang, p, self.text_unit(ind)),
            })
        return pd.DataFrame(rows)

    # --- one-page summary -----------------------------------------------------------------
    def target_cell(self, p: pd.Series | None) -> str:
        """A progress row's target as a table cell ("more than 79", "提高1岁 (≈81.17)")."""
        if p is None:
            return "–"
        tv = None if pd.isna(p["target_value"]) else float(p["target_value"])
        target = self.as_written(p["target_text"]) if p["target_derived"] or tv is None else target_phrase(
            self.lang, p["comparator"], tv, p["target_text"])
        if p["target_derived"]:
            target += f" (≈{fmt_num(tv)})"
        if p["target_basis"] != "own plan":
            target += _h(self.lang, "basis_tag", basis=_h(self.lang, f"basis.{p['target_basis']}"))
        return target

    def value_year(self, value: float, year: int) -> str:
        """'77.8 (2020)' / '77.8（2020年）'."""
        return f"{fmt_num(value)} ({year})" if self.lang == "en" else f"{fmt_num(value)}（{year}年）"

    def indicator_label(self, ind: str) -> str:
        """The indicator's name with the unit its numbers are in, unless the name already says it."""
        u = self.text_unit(ind)
        if not u:
            return self.name(ind)
        return f"{self.name(ind)} ({u})" if self.lang == "en" else f"{self.name(ind)}（{u}）"

    def summary_table(self) -> pd.DataFrame:
        """One row per core indicator: latest value (year), 2025 target, national value, one verdict
        (met, on track, off track, data in doubt; or what can be said instead of a verdict)."""
        prog = self.progress.set_index("indicator_id")
        bench = self.benchmarks
        rows = []
        for ind in CORE_INDICATORS:
            latest = self.latest_actual(ind)
            p = prog.loc[ind] if ind in prog.index else None
            nat = bench[(bench["indicator_id"] == ind) & (bench["benchmark_level"] == "national")]
            if p is None:
                cell = "–"
            elif verdict(p["status"]) == "no verdict":
                cell = status_text(self.lang, p, self.text_unit(ind), short=True)
            else:
                cell = t(self.lang, f"verdict.{verdict(p['status'])}")
                if p["status"] == "achieved" and pd.notna(p["baseline_below_target_by"]):
                    cell = status_text(self.lang, p, self.text_unit(ind)).replace(
                        t(self.lang, "status.achieved"), cell, 1)
            rows.append({_h(self.lang, "col.indicator"): self.indicator_label(ind),
                         _h(self.lang, "col.latest"): "–" if latest is None
                         else self.value_year(float(latest["value_std"]), int(latest["year"])),
                         _h(self.lang, "col.target"): self.target_cell(p),
                         _h(self.lang, "col.national"): "–" if nat.empty else self.value_year(
                             float(nat.iloc[0]["benchmark_value"]), int(nat.iloc[0]["benchmark_year"])),
                         _h(self.lang, "col.verdict"): cell})
        return pd.DataFrame(rows)

    def largest_gaps(self, n: int = 3) -> list[str]:
        """One sentence for each of the ``n`` core indicators furthest short of a numeric target,
        relative to the target (values in doubt and met targets are left out)."""
        p = self.progress
        p = p[p["indicator_id"].isin(CORE_INDICATORS) & p["target_value"].notna() & p["latest_value"].notna()
              & ~p["status"].isin(["achieved", IN_DOUBT]) & p["direction"].isin(["higher_is_better", "lower_is_better"])]
        p = p.assign(share=((p["target_value"] - p["latest_value"]).abs() / p["target_value"].abs()))
        out = []
        for _, r in p.sort_values("share", ascending=False, kind="stable").head(n).iterrows():
            u = self.text_unit(r["indicator_id"])
            if pd.notna(r["projected_value"]):
                pace = t(self.lang, "gap.pace", period=r["observed_period"], projected=fmt_num(float(r["projected_value"])),
                         unit=u, target_year=int(r["target_year"]))
            else:
                pace = t(self.lang, "gap.required", required=change_phrase(
                    self.lang, float(r["required_annual_change"]), r["change_measure"], u))
            share = float(r["share"]) * 100
            if r["indicator_id"] in ABSOLUTE_CHANGE:  # years of life: the gap in years, not a share
                short = t(self.lang, "gap.short.abs", gap=fmt_num(round(abs(float(r["target_value"])
                                                                        - float(r["latest_value"])), 2)), unit=u)
            else:  # under 1 %: one decimal (never "0% short")
                short = t(self.lang, "gap.short.share", share=fmt_num(round(share) if share >= 1 else round(share, 1)))
            out.append(t(self.lang, "gap", name=self.name(r["indicator_id"]), latest=fmt_num(float(r["latest_value"])),
                         unit=u, year=int(r["latest_year"]), target_year=int(r["target_year"]),
                         target=target_phrase(self.lang, r["comparator"], float(r["target_value"]), r["target_text"]),
                         short=short, pace=pace))
        return out

    def staff_sentences(self) -> list[str]:
        """What reaching the physician and nurse targets means in people, and on what population."""
        needs = self.analysis.staff_needs
        if needs.empty:
            return []
        out = []
        for _, r in needs.iterrows():
            out.append(t(self.lang, "people", target=fmt_num(r["target_ratio"]), target_year=int(r["target_year"]),
                         name_lower=self.name(r["indicator_id"]) if self.lang == "zh"
                         else self.name(r["indicator_id"]).lower().replace("gps", "GPs"),
                         name=self.name(r["indicator_id"]), unit=self.text_unit(r["indicator_id"]),
                         staff=t(self.lang, f"staff.{r['indicator_id']}"), needed=_people(self.lang, r["staff_needed"]),
                         population=_people(self.lang, r["population"]), extra=_people(self.lang, r["extra_staff"]),
                         current=_people(self.lang, r["current_staff"]), year=int(r["latest_year"]),
                         estimated=t(self.lang, "people.current_estimated") if r["current_estimated"] else ""))
        r = needs.iloc[0]
        basis = (t(self.lang, "people.basis.implied", count=t(self.lang, f"count.{r['population_basis']}"),
                   ref=r["population_refs"]) if r["population_estimated"]
                 else t(self.lang, "people.basis.reported", ref=r["population_refs"]))
        out.append(t(self.lang, "people.population", population=_people(self.lang, r["population"]),
                     year=int(r["population_year"]), basis=basis, target_year=int(r["target_year"])))
        return out

    def summary_html(self) -> str:
        """The one-page summary (after the page's title, which names the region and the plan): one
        verdict per core indicator, the largest gaps to target and the workforce targets in people.
        Wrapped in ``<section class="planlib-summary">``: printed with the title alone on page 1."""
        table = self.summary_table().to_html(index=False, border=0, classes="summary-table", escape=True)
        p = self.progress
        paced = (p["indicator_id"].isin(CORE_INDICATORS) & (p["status"] == "cannot assess")
                 & p["required_annual_change"].notna() & p["observed_annual_change"].isna())
        note = f'<p class="table-note">{_h(self.lang, "summary.pace_note")}</p>' if paced.any() else ""
        gaps = self.largest_gaps() or [_h(self.lang, "summary.no_gaps")]
        people = self.staff_sentences()
        parts = [f'<section class="planlib-summary">', TABLE_CSS, f"<h2>{_h(self.lang, 'summary')}</h2>",
                 no_math(table), note,
                 f"<h3>{_h(self.lang, 'summary.gaps')}</h3>",
                 "<ul>" + "".join(f"<li>{html.escape(self.cite(g))}</li>" for g in gaps) + "</ul>",
                 f"<h3>{_h(self.lang, 'summary.people')}</h3>",
                 "".join(f"<p>{html.escape(self.cite(x))}</p>" for x in people) if people
                 else f"<p>{_h(self.lang, 'summary.no_people')}</p>", "</section>"]
        return no_math("\n".join(parts))

    # --- figures ------------------------------------------------------------------------------
    def figure_alt(self, key: str) -> str:
        """Alt text for a briefing figure (``life_expectancy``, ``mortality``, ``workforce``) in the
        page's language, from the data it shows: per indicator the latest value, the target, the verdict."""
        prog = self.progress.set_index("indicator_id")
        items = []
        for ind in FIGURE_INDICATORS[key]:
            latest = self.latest_actual(ind)
            p = prog.loc[ind] if ind in prog.index else None
            value = "–" if latest is None else f"{fmt_num(float(latest['value_std']))}{'' if self.lang == 'zh' else ' '}{self.text_unit(ind)}".strip()
            items.append(t(self.lang, "alt.item", name=self.name(ind), value=value,
                           year="–" if latest is None else int(latest["year"]), target=self.target_cell(p),
                           verdict="–" if p is None else t(self.lang, f"verdict.{verdict(p['status'])}")))
        what = word(self.lang, "chart", f"title.{key}", region=self.region_name())
        return t(self.lang, "alt", what=what, items=("" if self.lang == "zh" else " ").join(items))

    def figure_html(self, key: str, path: str | Path) -> str:
        """The figure at ``path`` (PNG) as an inline image with its alt text, fitted to the page width."""
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        return (f'<img class="briefing-figure" src="data:image/png;base64,{data}" '
                f'alt="{html.escape(self.figure_alt(key))}" style="max-width:100%;height:auto">')

    # --- results of the previous plan ---------------------------------------------------------
    def _previous_plan_raw(self) -> list[str]:
        """Sentences about the 13th plan's results, sources named by id."""
        r = self.analysis.previous_plan
        if r.empty:
            return []
        out = [_h(self.lang, "previous_plan.intro", n=len(r), met=int((r["met"] == True).sum()),  # noqa: E712
                  missed=int((r["met"] == False).sum()),  # noqa: E712
                  other=_h(self.lang, "previous_plan.other", n=int(r["met"].isna().sum())) if r["met"].isna().any()
                  else "")]
        for _, x in r[r["next_below_missed"]].iterrows():
            out.append(t(self.lang, "below_missed", name=self.name(x["indicator_id"]) if self.lang == "zh"
                         else self.name(x["indicator_id"]).lower().replace("gps", "GPs"),
                         next_year=int(x["target_year"]) + 5, next=fmt_num(x["next_target_value"]),
                         year=int(x["target_year"]), target=fmt_num(x["target_value"]),
                         outcome=fmt_num(x["outcome_value"])))
        return out

    def as_written(self, text: str) -> str:
        """A target as the plan writes it; on the English page, words in Chinese are not quoted
        but named as such (the reference gives the line)."""
        if self.lang == "en" and re.search(r"[\u4e00-\u9fff]", str(text)):
            return _h(self.lang, "in_words")
        return str(text)

    def previous_plan_table(self) -> pd.DataFrame:
        """Indicator, unit, 2020 target as written, 2020 outcome, result (met / missed / …)."""
        rows = []
        for _, x in self.analysis.previous_plan.iterrows():
            result = ("doubt" if isinstance(x["doubt"], str) else "unjudged" if x["met"] is None or pd.isna(x["met"])
                      else "met" if x["met"] else "missed")
            rows.append({_h(self.lang, "col.indicator"): self.name(x["indicator_id"]),
                         _h(self.lang, "col.unit"): self.unit(x["indicator_id"]),
                         _h(self.lang, "col.target_2020"): self.as_written(x["target_text"]),
                         _h(self.lang, "col.outcome_2020"): fmt_num(x["outcome_value"]),
                         _h(self.lang, "col.result"): _h(self.lang, f"result.{result}")})
        return pd.DataFrame(rows)

    def previous_plan_html(self) -> str:
        """The 13th plan's results as a heading, sentences and a table ("" when the documents give none)."""
        said = self._previous_plan_raw()
        if not said:
            return ""
        table = self.previous_plan_table().to_html(index=False, border=0, classes="previous-plan", escape=True)
        return no_math(f"{TABLE_CSS}<h2>{_h(self.lang, 'previous_plan')}</h2>\n"
                       + "".join(f"<p>{html.escape(self.cite(x))}</p>" for x in said) + "\n" + table)

    def section(self, key: str) -> list[str]:
        """Paragraphs (one per indicator) for a section: life_expectancy, maternal_child, workforce.
        Sources are cited by reference number and line (:meth:`cite`)."""
        return [self.cite(p) for p in self._raw_sections[key]]

    @cached_property
    def _raw_sections(self) -> dict[str, list[str]]:
        """Every section's paragraphs with sources named by id, worked out once (the reference
        numbers and the displayed text both read them)."""
        return {k: self._section(k) for k in SECTIONS}

    def _section(self, key: str) -> list[str]:
        """The section's paragraphs with sources named by id ("anju_14th_plan L7")."""
        prog = self.progress.set_index("indicator_id")
        names = self.region_names
        paras = []
        if key == "life_expectancy" and not self.has_own_targets():
            src = self.plan_source
            paras.append(t(self.lang, "no_targets_doc", region=self.region_name(),
                           title=doc_title(self.lang, self._t.source_title(src.name, self.lang), src["kind"]), year=2025,
                           province=self.region_name(self.region["province_id"])))
        for ind in SECTIONS[key]:
            latest = self.latest_actual(ind)
            p = prog.loc[ind] if ind in prog.index else None
            if ind in OPTIONAL and latest is None and p is None:
                continue
            bench = self.benchmarks[self.benchmarks["indicator_id"] == ind]
            f = self.findings[self.findings["indicator_id"] == ind]
            sentences = indicator_paragraph(self.lang, self.name(ind), self.text_unit(ind), p, bench, latest, f, names)
            paras.append(join(self.lang, sentences))
        if key == "maternal_child":
            paras.append(t(self.lang, "small_numbers"))
        if key in ("maternal_child", "workforce") and not self.benchmarks.empty:
            paras.append(t(self.lang, "no_significance", years=fmt_num(TOLERANCE_ABS["life_expectancy"]),
                           share=fmt_num(TOLERANCE_REL * 100)))
        return paras

    def section_markdown(self, key: str) -> str:
        return f"## {_h(self.lang, key)}\n\n" + "\n\n".join(map(md_text, self.section(key)))

    def _quality_items(self) -> list[tuple[str, str]]:
        """(severity and indicator, finding in words) per finding, sources named by id."""
        return [(_h(self.lang, "finding", severity=t(self.lang, "severity." + r["severity"]),
                    name=md_text(self.name(r["indicator_id"])), year=r["year"]),
                 finding_text(self.lang, r, self.unit(r["indicator_id"]))) for _, r in self.findings.iterrows()]

    def quality_markdown(self) -> str:
        head = f"## {_h(self.lang, 'quality')}\n\n{_h(self.lang, 'quality_intro')}\n\n"
        if self.findings.empty:
            return head + _h(self.lang, "no_findings")
        return head + "\n".join(f"- {what}{md_text(self.cite(text))}" for what, text in self._quality_items())

    # --- sources, cited by number ------------------------------------------------------------
    @cached_property
    def references(self) -> dict[str, int]:
        """Source id → reference number, in order of first citation on the page (the region's own
        document first)."""
        text = " ".join([*(p for k in SECTIONS for p in self._raw_sections[k]),
                         *(text for _, text in self._quality_items())])
        ids = sorted(self._t.sources["id"], key=len, reverse=True)
        found = re.findall(r"(?<![\w])(" + "|".join(map(re.escape, ids)) + r")(?![\w])", text)
        return {sid: n for n, sid in enumerate(dict.fromkeys([self.plan_source.name, *found]), start=1)}

    def cite(self, text: str) -> str:
        """``text`` with every source id ("anju_14th_plan L7") replaced by its reference number and
        line ("[1] line 7", "[1]第7行"), and every indicator id by the indicator's name."""
        if not self.references:
            return text

        def ref(sid: str, line: str | None) -> str:
            n = self.references[sid]
            return _h(self.lang, "cite.line", n=n, line=line) if line else _h(self.lang, "cite", n=n)

        return self._name_ids(text, self.references, ref)

    def uncited(self, text: str) -> str:
        """``text`` for a page with no list of references (the index): every source id and line
        ("anju_14th_plan L7") given as the document's title and line, every indicator id as the
        indicator's name."""
        sources = self._t.source_index

        def ref(sid: str, line: str | None) -> str:
            title = doc_title(self.lang, self._t.source_title(sid, self.lang), str(sources.at[sid, "kind"]))
            return _h(self.lang, "uncite.line", title=title, line=line) if line else _h(self.lang, "uncite", title=title)

        return self._name_ids(text, sources.index, ref)

    def _name_ids(self, text: str, source_ids, ref) -> str:
        """``text`` with each of ``source_ids`` (with its line, "anju_14th_plan L7") replaced by
        ``ref(id, line or None)`` and every indicator id by the indicator's name."""
        ids = "|".join(map(re.escape, sorted(source_ids, key=len, reverse=True)))
        text = re.sub(r"(?<![\w])(" + ids + r")(?: L(\d+))?(?![\w])", lambda m: ref(m.group(1), m.group(2)), text)
        inds = "|".join(map(re.escape, sorted(self._t.indicator_index.index, key=len, reverse=True)))
        return re.sub(r"(?<![\w])(" + inds + r")(?![\w])", lambda m: self.name(m.group(1)), text)

    def doubt_reason(self, indicator_id: str) -> str | None:
        """Why the checks doubt the indicator's latest value, in the reader's words and without
        reference numbers (:meth:`uncited`); None when its value is not in doubt."""
        prog = self.progress
        row = prog[prog["indicator_id"] == indicator_id]
        if row.empty or row.iloc[0]["status"] != "data in doubt" or not isinstance(row.iloc[0]["reason"], str):
            return None
        message = row.iloc[0]["reason"]
        found = self.findings[self.findings["message"] == message]
        text = finding_text(self.lang, found.iloc[0], self.unit(indicator_id)) if not found.empty else message
        return self.uncited(text)

    def _benchmark_sources(self) -> list[str]:
        """Sources of the national and provincial values and targets the briefing compares with."""
        ids = set(self.benchmarks["benchmark_ref"].str.split(" ").str[0]) | set(
            self.progress.loc[self.progress["target_basis"] != "own plan", "target_source"])
        return sorted(ids)

    def sources_markdown(self) -> str:
        """The numbered references: title (on English pages in English, with a document's title as
        published), issuer, date and document number; for the region's own documents the lines its
        numbers come from; a note for the reader on each source."""
        src = self._t.source_index
        used = self.obs[self.obs["region_id"] == self.region_id]
        lines_of = {sid: sorted(int(x) for x in g["source_line"].dropna().unique())
                    for sid, g in used.groupby("source_id")}
        refs = list(self.references) + [s for s in self._benchmark_sources() if s not in self.references]
        note_col = "note" if self.lang == "en" else "note_zh"
        out = [f"## {_h(self.lang, 'sources')}", ""]
        for n, sid in enumerate(refs, start=1):
            s = src.loc[sid]
            date = md_text(s["date"]) if pd.notna(s["date"]) else _h(self.lang, "undated")
            doc = f"{_h(self.lang, 'sep')}{md_text(s['document_number'])}" if pd.notna(s["document_number"]) else ""
            nums = lines_of.get(sid, [])
            where = (f"{_h(self.lang, 'sep2')}{_h(self.lang, 'lines', lines=_h(self.lang, 'list').join(map(str, nums)))}"
                     if nums else "")
            note = f"{_h(self.lang, 'space')}{md_text(s[note_col])}" if pd.notna(s[note_col]) else ""
            title = self._t.source_title(sid, self.lang)  # a translated document title names the original too
            title = (md_text(title) if title == s["title"] or s["kind"] not in TITLED_KINDS else
                     _h(self.lang, "published_as", title=md_text(title), original=md_text(s["title"])))
            issuer = md_text(self._t.source_issuer(sid, self.lang))
            out.append(f"{n}. {title}{_h(self.lang, 'sep')}{issuer}{_h(self.lang, 'sep')}"
                       f"{date}{doc}{where}{_h(self.lang, 'end')}{note}")
        return "\n".join(out)

    def stamp(self) -> str:
        """How the briefing was made: planlib version, build time, data version (the notebook's
        parameters are kept in the executed notebook's metadata)."""
        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return f"## {_h(self.lang, 'stamp')}\n\n" + _h(self.lang, "stamp_text", version=__version__,
                                                       hash=data_hash(self._t.folder), now=now,
                                                       py=platform.python_version())
