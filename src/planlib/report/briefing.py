"""Content of one region's briefing: key figures, section texts, quality notes, sources, stamp.

A :class:`Briefing` words a region's analysis (:func:`planlib.analyse_region`) in one language.
The briefing notebook calls its methods and displays what they return; all logic is here.
"""
from __future__ import annotations

import datetime as _dt
import platform
import re
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from planlib import __version__
from planlib.analysis.comparison import TOLERANCE_ABS, TOLERANCE_REL
from planlib.analysis.region import RegionAnalysis
from planlib.data.tables import CORE_INDICATORS, Tables, data_hash
from planlib.report.escape import md_text, no_math
from planlib.report.narrative import finding_text, fmt_num, indicator_paragraph, join, t, target_phrase
from planlib.report.words import check_language, word

SECTIONS: dict[str, tuple[str, ...]] = {
    "life_expectancy": ("life_expectancy",),
    "maternal_child": ("maternal_mortality", "infant_mortality", "under5_mortality"),
    "workforce": ("physicians_per_1000", "nurses_per_1000", "beds_per_1000", "gps_per_10000",
                  "pharmacists_per_1000", "tcm_physicians_per_1000"),
}
OPTIONAL = {"pharmacists_per_1000", "tcm_physicians_per_1000"}  # mentioned only where present

def _h(lang: str, key: str, **kw) -> str:
    return word(lang, "page", key, **kw)


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
        unit, name = self.unit(indicator_id), self.name(indicator_id)
        if self.lang == "zh" and name.startswith(("每千", "每万")) and "/" in unit:
            return unit.split("/")[0]
        if self.lang == "en" and unit.startswith("per ") and name.endswith(unit):
            return ""
        return unit

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
        src = self._t.sources.set_index("id")
        mine = self.obs[(self.obs["region_id"] == self.region_id)]["source_id"].unique()
        if len(mine) == 0:
            raise ValueError(f"region {self.region_id!r} has no observations in {self._t.folder}; "
                             f"a briefing needs at least its own plan's numbers")
        local = src.loc[[s for s in mine if src.loc[s, "kind"] in ("local plan", "mid-term review")]]
        return local.iloc[0] if len(local) else src.loc[mine[0]]

    def latest_actual(self, indicator_id: str) -> pd.Series | None:
        a = self.obs[(self.obs["region_id"] == self.region_id) & (self.obs["indicator_id"] == indicator_id)
                     & (self.obs["kind"] == "actual") & self.obs["value_std"].notna() & self.obs["unit_ok"]]
        if a.empty:
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
                  title=src["title"], date=date)

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
            target = "–"
            if p is not None:
                tv = None if pd.isna(p["target_value"]) else float(p["target_value"])
                target = p["target_text"] if p["target_derived"] or tv is None else target_phrase(
                    self.lang, p["comparator"], tv, p["target_text"])
                if p["target_derived"]:
                    target += f" (≈{fmt_num(tv)})"
                if p["target_basis"] != "own plan":
                    target += _h(self.lang, "basis_tag", basis=_h(self.lang, f"basis.{p['target_basis']}"))
            rows.append({
                _h(self.lang, "col.indicator"): self.name(ind),
                _h(self.lang, "col.unit"): self.unit(ind),
                _h(self.lang, "col.latest"): "–" if latest is None else f"{fmt_num(float(latest['value_std']))} ({int(latest['year'])})",
                _h(self.lang, "col.target"): target,
                _h(self.lang, "col.national"): "–" if nat.empty else f"{fmt_num(nat.iloc[0]['benchmark_value'])} ({int(nat.iloc[0]['benchmark_year'])})",
                _h(self.lang, "col.status"): "–" if p is None else t(self.lang, f"status.{p['status']}"),
            })
        return pd.DataFrame(rows)

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
            paras.append(t(self.lang, "no_targets_doc", region=self.region_name(), title=src["title"], year=2025,
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
                 finding_text(self.lang, r)) for _, r in self.findings.iterrows()]

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
        ids = "|".join(map(re.escape, sorted(self.references, key=len, reverse=True)))

        def ref(m: re.Match) -> str:
            n = self.references[m.group(1)]
            return _h(self.lang, "cite.line", n=n, line=m.group(2)) if m.group(2) else _h(self.lang, "cite", n=n)

        text = re.sub(r"(?<![\w])(" + ids + r")(?: L(\d+))?(?![\w])", ref, text)
        inds = "|".join(map(re.escape, sorted(self._t.indicator_index.index, key=len, reverse=True)))
        return re.sub(r"(?<![\w])(" + inds + r")(?![\w])", lambda m: self.name(m.group(1)), text)

    def _benchmark_sources(self) -> list[str]:
        """Sources of the national and provincial values and targets the briefing compares with."""
        ids = set(self.benchmarks["benchmark_ref"].str.split(" ").str[0]) | set(
            self.progress.loc[self.progress["target_basis"] != "own plan", "target_source"])
        return sorted(ids)

    def sources_markdown(self) -> str:
        """The numbered references: title, issuer, date and document number; for the region's own
        documents the lines its numbers come from; a note for the reader on each source."""
        src = self._t.sources.set_index("id")
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
            out.append(f"{n}. {md_text(s['title'])}{_h(self.lang, 'sep')}{md_text(s['issuer'])}{_h(self.lang, 'sep')}"
                       f"{date}{doc}{where}{_h(self.lang, 'end')}{note}")
        return "\n".join(out)

    def stamp(self) -> str:
        """How the briefing was made: planlib version, build time, data version (the notebook's
        parameters are kept in the executed notebook's metadata)."""
        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return f"## {_h(self.lang, 'stamp')}\n\n" + _h(self.lang, "stamp_text", version=__version__,
                                                       hash=data_hash(self._t.folder), now=now,
                                                       py=platform.python_version())
