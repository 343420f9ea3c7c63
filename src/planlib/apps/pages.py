"""The pages around the briefings: each briefing's links bar and print rules, the cross-region
index (one page per language) and the methods page, all self-contained (no script, style or font
from the internet).

Words come from :mod:`planlib.report.words` (``page`` part: ``nav.*``, ``index.*``,
``methods.*``); every name and message from the data is escaped.
"""
from __future__ import annotations

import datetime as _dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from planlib.files import write_atomic

#: Font stack that shows Chinese on common systems (Linux Noto, macOS PingFang, Windows YaHei).
FONT_STACK = ('system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans SC", '
              '"Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", sans-serif')

#: Screen and print rules added to every briefing. Print: A4 portrait, the one-page summary
#: (``section.planlib-summary``) alone on page 1, readable type, tables whose rows and words are
#: not split, figures no wider than the text, no links bar.
BRIEFING_CSS = f"""<style>
body, .jp-RenderedHTMLCommon {{ font-family: {FONT_STACK}; }}
nav.planlib-nav {{ font-size: 0.95rem; padding: 0.5rem 0; margin: 0 0 0.5rem; border-bottom: 1px solid #ddd; }}
nav.planlib-nav a {{ margin-right: 1.2em; white-space: nowrap; color: #0645ad; text-decoration: underline; }}
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th {{ word-break: normal; overflow-wrap: normal; hyphens: manual; }}
.jp-RenderedHTMLCommon td:first-child, .jp-RenderedHTMLCommon th:first-child {{ text-align: left; min-width: 14em; }}
/* JupyterLab lays tables out in equal columns (table-layout: fixed): a column of short values then
   wraps or spills into its neighbour while the indicator column stays half empty */
.jp-RenderedHTMLCommon table {{ table-layout: auto !important; }}
/* Chinese lines break between words and at punctuation, never inside a word */
:lang(zh) .jp-RenderedHTMLCommon td, :lang(zh) .jp-RenderedHTMLCommon th {{ word-break: keep-all !important; }}
@page {{ size: A4 portrait; }}
@media print {{
  html, body {{ background: #fff !important; }}
  nav.planlib-nav, p.planlib-download {{ display: none !important; }}
  body {{ margin: 0 !important; padding: 0 !important; }}
  .jp-Notebook, main {{ padding: 0 !important; margin: 0 !important; }}
  .jp-Cell, .jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output {{
    padding: 0 !important; margin: 0 !important; overflow: visible !important; }}
  .jp-OutputPrompt, .jp-InputPrompt, .jp-Collapser {{ display: none !important; }}
  /* JupyterLab keeps each output whole on a page (a long section then leaves half a page empty);
     paragraphs, table rows and figures are kept whole instead */
  .jp-OutputArea-child, .jp-Cell, .jp-Cell-outputWrapper {{ break-inside: auto !important; }}
  .jp-RenderedHTMLCommon {{ font-size: 10.5pt !important; line-height: 1.5 !important; padding-right: 0 !important; }}
  .jp-RenderedHTMLCommon h1 {{ font-size: 18pt !important; margin-top: 0 !important; }}
  .jp-RenderedHTMLCommon h2 {{ font-size: 14pt !important; }}
  h1, h2, h3, h4 {{ break-after: avoid; page-break-after: avoid; }}
  p, li {{ orphans: 3; widows: 3; }}
  section.planlib-summary {{ break-after: page; page-break-after: always; break-inside: avoid; }}
  img, svg {{ max-width: 100% !important; height: auto !important; break-inside: avoid; page-break-inside: avoid; }}
  table {{ width: 100% !important; max-width: 100% !important; border-collapse: collapse; font-size: 9.5pt !important; }}
  thead {{ display: table-header-group; }}
  td:first-child, th:first-child {{ width: 30%; }}
  table.key-figures td:nth-child(3), table.key-figures td:nth-child(5) {{ white-space: nowrap !important; }}
  tr, td, th {{ break-inside: avoid; page-break-inside: avoid; }}
  td, th {{ overflow-wrap: normal !important; hyphens: manual !important; padding: 3pt 5pt !important; }}
  a {{ color: inherit; text-decoration: none; }}
}}
</style>"""


def suffix(lang: str) -> str:
    """File-name suffix of a language: "" for English, ".zh" for Chinese."""
    return "" if lang == "en" else f".{lang}"


def index_name(lang: str) -> str:
    return f"index{suffix(lang)}.html"


def options_csv_name(region_id: str, lang: str) -> str:
    """File name of a briefing's 2030 options as CSV, beside its numbers: ``<region>-2030.csv``
    (``<region>-2030.zh.csv`` in Chinese). Region ids have no hyphen, so the name never meets
    another region's files."""
    return f"{region_id}-2030{suffix(lang)}.csv"


def _w(lang: str, key: str, **kw) -> str:
    from planlib.report.words import word
    return word(lang, "page", key, **kw)


def nav_html(region_id: str, lang: str, langs: tuple[str, ...], pdf: bool) -> str:
    """The links bar at the top of a briefing, in its language: the index, the other language
    (when built), the numbers as CSV and the PDF (when built)."""
    s = suffix(lang)
    links = [(index_name(lang), _w(lang, "nav.index"), "")]
    for other in langs:
        if other != lang:
            links.append((f"{region_id}{suffix(other)}.html", _w(other, "nav.this_lang"),  # in its own language
                          f' hreflang="{other}" lang="{other}"'))
    links.append((f"{region_id}{s}.csv", _w(lang, "nav.csv"), " download"))
    links.append((options_csv_name(region_id, lang), _w(lang, "nav.options_csv"), " download"))
    if pdf:
        links.append((f"{region_id}{s}.pdf", _w(lang, "nav.pdf"), ""))
    a = "".join(f'<a href="{html.escape(href)}"{extra}>{html.escape(text)}</a>' for href, text, extra in links)
    return f'<nav class="planlib-nav" aria-label="{html.escape(_w(lang, "nav.label"))}">{a}</nav>'


#: The "Looking to 2030" options table of a briefing (:func:`planlib.report.outlook.options_html`).
OPTIONS_TABLE = re.compile(r'<table[^>]*class="[^"]*\boptions-2030\b[^"]*"[^>]*>.*?</table>', re.S)


def options_link_html(region_id: str, lang: str) -> str:
    """The line under the 2030 options table that links their CSV (not printed)."""
    link = (f'<a href="{html.escape(options_csv_name(region_id, lang))}" download>'
            f'{html.escape(_w(lang, "nav.options_csv"))}</a>')
    text = html.escape(_w(lang, "options_csv.intro", link="\0")).replace("\0", link)
    return f'<p class="planlib-download">{text}</p>'


def dress_briefing(body: str, region_id: str, lang: str, langs: tuple[str, ...], pdf: bool) -> str:
    """The exported HTML of a briefing with its language, its styles (fonts, print), links bar and,
    under the 2030 options table, the link to their CSV."""
    body = re.sub(r"<html[^>]*>", f'<html lang="{lang}">', body, count=1)
    body = body.replace("</head>", BRIEFING_CSS + "</head>", 1)
    body = OPTIONS_TABLE.sub(lambda m: m.group(0) + options_link_html(region_id, lang), body, count=1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav_html(region_id, lang, langs, pdf), body, count=1)


# --- the index ------------------------------------------------------------------------------

@dataclass
class Built:
    """What the index shows of one briefing (one region, one language)."""

    lang: str
    ok: bool
    skipped: bool = False
    seconds: float = 0.0
    error: str = ""
    cell: str = ""
    pdf: bool = False


@dataclass
class Row:
    """One region of the index: its verdicts and its briefings."""

    region_id: str
    briefings: list[Built] = field(default_factory=list)


VERDICT_CLASS = {"met": "met", "on track": "ontrack", "off track": "off", "data in doubt": "doubt",
                 "no verdict": "none"}

INDEX_CSS = f"""
body {{ font-family: {FONT_STACK}; margin: 1.5rem auto; max-width: 80rem; padding: 0 1rem; line-height: 1.5; color: #222; }}
h1 {{ font-size: 1.6rem; margin-bottom: 0.3rem; }}
p.meta {{ color: #444; margin: 0.3rem 0; }}
table {{ border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: 0.95rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.35rem 0.5rem; vertical-align: top; text-align: left; }}
th {{ background: #f3f3f3; font-weight: 600; }}
.met {{ background: #e3f1e3; }} .ontrack {{ background: #eef6e0; }} .off {{ background: #fbe3dc; }}
.doubt {{ background: #fff1c9; font-weight: 600; }} .none {{ color: #555; }}
.failed {{ color: #b00; }} .muted {{ color: #666; font-size: 0.9em; }}
td:first-child {{ white-space: nowrap; }} th {{ word-break: keep-all; }} td.n {{ text-align: right; }} .files {{ font-size: 0.9em; }} .files::before {{ content: "("; }} .files::after {{ content: ")"; }}
a {{ color: #0645ad; }}
/* The region table fits the page: a briefing's downloads go under its link and verdicts may wrap
   at spaces (never inside a Chinese word); on one line each, the table ran off the right edge even
   at the page's full width once both languages were built */
td.b .files {{ display: block; }} td.v, td.b {{ white-space: normal; word-break: keep-all; }}
/* A 1024-pixel screen or projector: smaller table text */
@media (max-width: 72rem) {{ table {{ font-size: 0.85rem; }} th, td {{ padding: 0.3rem 0.35rem; }} }}
@page {{ size: A4 landscape; margin: 12mm; }}
@media print {{ body {{ max-width: none; margin: 0; font-size: 9pt; }} a {{ color: inherit; }} }}
"""


def _verdicts(a, lang: str) -> tuple[dict[str, tuple[str, str]], str]:
    """Core indicator → (verdict key, hover text) for a region's analysis
    (:class:`planlib.analysis.region.RegionAnalysis`), and the latest year of its own reported
    values ("–" when none)."""
    from planlib.analysis.targets import verdict
    from planlib.data.tables import CORE_INDICATORS
    from planlib.report.briefing import Briefing
    from planlib.report.narrative import t
    region_id = a.region_id
    prog = a.progress.set_index("indicator_id")
    words = Briefing(a, lang=lang)
    out = {}
    for ind in CORE_INDICATORS:
        if ind in prog.index:
            status = str(prog.loc[ind, "status"])
            hover = t(lang, f"status.{status}")
            reason = words.doubt_reason(ind)  # worded as the briefing words it, without its references
            if reason:
                hover += _w(lang, "index.because", reason=reason)
            out[ind] = (verdict(status), hover)
        else:
            out[ind] = ("no verdict", "")
    own = a.observations
    own = own[(own["region_id"] == region_id) & (own["kind"] == "actual")]
    latest = str(int(own["year"].max())) if len(own) else "–"
    return out, latest


@dataclass
class Facts:
    """What the index shows of one region, from one analysis of it: per language the verdicts
    and the latest year (None when the analysis fails), and the final assessment's summary
    (:func:`planlib.report.outlook.assessment_summary`; None when it fails)."""

    verdicts: dict[str, tuple[dict[str, tuple[str, str]], str]] | None
    assessment: dict[str, object] | None


def region_facts(region_id: str, data: str | None, langs: tuple[str, ...]) -> Facts:
    """The index's facts about one region, its analysis worked out once for both tables and every
    language (the batch has analysed it already: the analysis comes from the cache)."""
    from planlib.analysis.region import analyse_region
    from planlib.report.outlook import assessment_summary
    try:
        a = analyse_region(region_id, data)
        verdicts = {lang: _verdicts(a, lang) for lang in langs}
    except Exception:  # noqa: BLE001 - a broken region still gets its rows
        return Facts(None, None)
    try:
        summary = assessment_summary(a)
    except Exception:  # noqa: BLE001
        summary = None
    return Facts(verdicts, summary)


def _head(text: str) -> str:
    """A class name as a column heading ("met early" → "Met early")."""
    return text[:1].upper() + text[1:]


#: Final-assessment classes counted in the index, in reading order (those that can be judged).
INDEX_CLASSES = ("met early", "met", "ahead of schedule", "roughly on schedule", "behind")


def assessment_table_html(rows: list[Row], facts: dict[str, Facts], names: dict[str, str], lang: str,
                          indicator_names: dict[str, str]) -> str:
    """The index's final-assessment table: per region the completion rate (met of judged), how
    many targets cannot be judged, the count per class, the years of the outcomes judged and the
    binding targets that are behind, named."""
    from planlib.report.narrative import fmt_num
    sep = "、" if lang == "zh" else ", "
    head = "".join(f"<th>{html.escape(x)}</th>" for x in (
        [_w(lang, "index.col.region"), _w(lang, "index.assess.col.rate"), _w(lang, "index.assess.col.not_judged")]
        + [_head(_w(lang, f"outlook.class.{c}")) for c in INDEX_CLASSES]
        + [_w(lang, "index.assess.col.years"), _w(lang, "index.assess.col.binding")]))
    body = []
    for row in rows:
        s = facts[row.region_id].assessment
        if s is None:
            cells = ['<td class="none">–</td>'] * (len(INDEX_CLASSES) + 4)
        else:
            rate = ("–" if not s["judged"] else
                    _w(lang, "index.assess.rate", rate=fmt_num(round(100 * s["rate"])), met=s["met"], judged=s["judged"]))
            binding = sep.join(indicator_names.get(i, i) for i in s["binding_behind_indicators"]) \
                or _w(lang, "index.assess.none")
            years = sep.join(map(str, s["latest_years"])) or "–"
            cells = ([f'<td class="v">{html.escape(rate)}</td>', f'<td class="n">{s["not_judged"]}</td>']
                     + [f'<td class="n">{s["classes"][c]}</td>' for c in INDEX_CLASSES]
                     + [f"<td>{html.escape(years)}</td>", f"<td>{html.escape(binding)}</td>"])
        body.append(f'<tr><th scope="row">{names[row.region_id]}</th>{"".join(cells)}</tr>')
    return (f'<h2>{html.escape(_w(lang, "outlook.assess"))}</h2>\n'
            f'<p>{html.escape(_w(lang, "index.assess.intro"))}</p>\n'
            f'<table class="planlib-assessment"><thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(body) + "\n</tbody></table>\n")


def write_index(rows: list[Row], out: Path, data: str | None = None, langs: tuple[str, ...] = ("en", "zh"),
                methods: bool = True, facts: dict[str, Facts] | None = None) -> list[Path]:
    """``index.html`` (English) and ``index.zh.html`` (Chinese) in ``out``: one row per region,
    one verdict per core indicator, the data date, links to the methods and to each briefing and
    its downloads; then the 14th plan's final assessment, one row per region
    (:func:`assessment_table_html`). A region whose analysis fails still gets its rows ("–").
    ``facts``: what is already known of some regions (:func:`region_facts`, in ``langs``); the
    others are analysed here, once each."""
    from planlib.data.tables import CORE_INDICATORS, load_tables
    t = load_tables(data)
    obs = t.observations
    data_year = int(obs.loc[obs["kind"] == "actual", "year"].max()) if len(obs) else None
    today = _dt.date.today().isoformat()
    known = set(t.regions["id"])
    known_facts = facts or {}
    facts = {}
    for row in rows:
        f = known_facts.get(row.region_id)
        if f is None or (f.verdicts is not None and not set(langs) <= set(f.verdicts)):
            f = region_facts(row.region_id, data, langs)
        facts[row.region_id] = f
    paths = []
    for lang in langs:
        short = t.indicator_words(CORE_INDICATORS, lang)
        head = "".join(f"<th>{html.escape(short[i][0])}</th>" for i in CORE_INDICATORS)
        body = []
        names: dict[str, str] = {}
        for row in rows:
            rid = row.region_id
            if rid in known:
                name = html.escape(t.region_name(rid, lang))
                prov = t.province_of(rid)
                if prov:
                    name += f'<br><span class="muted">{html.escape(t.region_name(prov, lang))}</span>'
            else:
                name = html.escape(rid)
            names[rid] = name
            got = None if facts[rid].verdicts is None else facts[rid].verdicts[lang]
            if got is None:
                cells = "".join('<td class="v none">–</td>' for _ in CORE_INDICATORS)
                latest = "–"
            else:
                verdicts, latest = got
                cells = "".join(
                    f'<td class="v {VERDICT_CLASS[v]}" title="{html.escape(hover)}">'
                    f'{html.escape(_t(lang, "verdict." + v))}</td>'
                    for v, hover in (verdicts[i] for i in CORE_INDICATORS))
            links = []
            for b in sorted(row.briefings, key=lambda b: (b.lang != lang, b.lang)):
                label = _w(b.lang, "index.lang")  # each language named in itself: English, 中文
                s = suffix(b.lang)
                if b.ok:
                    when = html.escape(_w(lang, "index.unchanged") if b.skipped
                                       else _w(lang, "index.built_in", seconds=f"{b.seconds:.1f}"))
                    files = [f'<a href="{rid}{s}.csv" download>CSV</a>',
                             f'<a href="{options_csv_name(rid, b.lang)}" download>'
                             f'{html.escape(_w(lang, "index.options_csv"))}</a>']
                    if b.pdf:
                        files.append(f'<a href="{rid}{s}.pdf">PDF</a>')
                    links.append(f'<a href="{rid}{s}.html" hreflang="{b.lang}" title="{when}">{html.escape(label)}</a>'
                                 f' <span class="files">{" · ".join(files)}</span>')
                elif b.error == "interrupted":
                    links.append(f'{html.escape(label)} <span class="failed">{html.escape(_w(lang, "index.interrupted"))}</span>')
                else:
                    first = b.error.splitlines()[0] if b.error else ""
                    where = f" ({html.escape(b.cell)})" if b.cell not in ("", "-") else ""
                    links.append(f'{html.escape(label)} <strong class="failed">{html.escape(_w(lang, "index.failed"))}'
                                 f'</strong>{where}: <span class="muted">{html.escape(first)}</span>')
            body.append(f"<tr><th scope=\"row\">{name}</th>{cells}<td>{html.escape(latest)}</td>"
                        f"<td class=\"b\">{''.join(f'<div>{link}</div>' for link in links)}</td></tr>")
        ok = sum(b.ok for r in rows for b in r.briefings)
        total = sum(len(r.briefings) for r in rows)
        other = [x for x in langs if x != lang]
        switch = (f'<p class="meta"><a href="{index_name(other[0])}" hreflang="{other[0]}" lang="{other[0]}">'
                  f'{html.escape(_w(other[0], "index.this_index"))}</a></p>') if other else ""
        meta = [html.escape(_w(lang, "index.data_date", year=data_year or "–", date=today)),
                html.escape(_w(lang, "index.built", ok=ok, total=total))]
        if methods:
            link = f'<a href="methods.html">{html.escape(_w(lang, "methods.title"))}</a>'
            meta.append(html.escape(_w(lang, "index.methods", link="\0")).replace("\0", link))
        page = (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<title>{html.escape(_w(lang, "index.title"))}</title><style>{INDEX_CSS}</style></head><body>\n'
                f'<h1>{html.escape(_w(lang, "index.title"))}</h1>\n{switch}'
                f'<p>{html.escape(_w(lang, "index.intro"))}</p>\n'
                + "".join(f'<p class="meta">{m}</p>\n' for m in meta)
                + f'<table class="planlib-index"><thead><tr><th>{html.escape(_w(lang, "index.col.region"))}</th>{head}'
                f'<th>{html.escape(_w(lang, "index.col.latest"))}</th><th>{html.escape(_w(lang, "index.col.briefing"))}</th>'
                f'</tr></thead>\n<tbody>\n'
                + "\n".join(body) + "\n</tbody></table>\n"
                + assessment_table_html(rows, facts, names, lang, indicator_names(t, lang))
                + "</body></html>\n")
        path = out / index_name(lang)
        write_atomic(path, page)
        paths.append(path)
    return paths


def indicator_names(t, lang: str) -> dict[str, str]:
    """Indicator id → its name in ``lang`` from the catalog of tables ``t``."""
    return t.indicator_index["name_en" if lang == "en" else "name_zh"].astype(str).to_dict()


def _t(lang: str, key: str) -> str:
    from planlib.report.narrative import t
    return t(lang, key)


# --- the methods page --------------------------------------------------------------------------

_SYMBOLS = {r"\left": "", r"\right": "", r"\cdot": "·", r"\times": "×", r"\chi": "χ", r"\,": "\u2009",
            r"\ ": " ", "{,}": ","}


def math_html(tex: str) -> str:
    """The little LaTeX of the methods page as plain HTML (no MathJax offline): sub- and
    superscripts, ½, χ, ×, ·, \\text{…}."""
    s = tex.strip()
    s = re.sub(r"\\t?frac\{([^{}]*)\}\{([^{}]*)\}",
               lambda m: "½" if (m.group(1), m.group(2)) == ("1", "2") else f"{m.group(1)}/{m.group(2)}", s)
    s = re.sub(r"\\text\{([^{}]*)\}", r"\1", s)
    for k, v in _SYMBOLS.items():
        s = s.replace(k, v)
    s = html.escape(s, quote=False)
    for mark, tag in (("^", "sup"), ("_", "sub")):
        s = re.sub(re.escape(mark) + r"\{([^{}]*)\}", rf"<{tag}>\1</{tag}>", s)
        s = re.sub(re.escape(mark) + r"([A-Za-z0-9*])", rf"<{tag}>\1</{tag}>", s)
    s = s.replace(" - ", " − ").replace("-", "−")
    # single letters are variables (italic); tags and words (observed, χ²) stay as they are
    s = re.sub(r"(<[^>]+>)|(?<![A-Za-z])([A-Za-z])(?![A-Za-z])", lambda m: m.group(1) or f"<i>{m.group(2)}</i>", s)
    return s


def methods_html(markdown: str, lang: str = "en") -> str:
    """``docs/methods.md`` as a page for readers: mathematics as plain HTML, internal function
    names left out of headings, links to other documents as plain text."""
    import mistune
    maths: list[str] = []

    def keep(m: re.Match) -> str:
        display = m.group(0).startswith("$$")
        maths.append(f'<div class="math">{math_html(m.group(1))}</div>' if display
                     else f'<span class="math">{math_html(m.group(1))}</span>')
        return f"MATH{len(maths) - 1}X"

    text = re.sub(r"\$\$(.+?)\$\$", keep, markdown, flags=re.S)
    text = re.sub(r"\$([^$\n]+?)\$", keep, text)
    text = re.sub(r"^(#+ .*?)\s*\(`[^`]+`\)\s*$", r"\1", text, flags=re.M)  # "## Progress (`planlib.x`)"
    # links to other documents of the repository: named, not linked (they are not beside the page)
    text = re.sub(r"\[([^\]]+)\]\((?!https?:)([^)#]*\.md)[^)]*\)",
                  lambda m: f"planlib's documentation (docs/{m.group(2)})" if m.group(1) == m.group(2) else m.group(1), text)
    body = mistune.html(text)
    body = re.sub(r"MATH(\d+)X", lambda m: maths[int(m.group(1))], body)
    back = f'<p><a href="{index_name("en")}">{html.escape(_w(lang, "methods.back"))}</a></p>'
    return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(_w(lang, "methods.title"))}</title><style>{INDEX_CSS}'
            f"body {{ max-width: 52rem; }} .math {{ font-family: 'DejaVu Serif', Georgia, serif; }}"
            f"div.math {{ text-align: center; margin: 0.8rem 0; }} code {{ background: #f3f3f3; padding: 0 0.2em; }}"
            f"</style></head><body>\n{back}\n{body}\n</body></html>\n")


def methods_source() -> Path | None:
    """``docs/methods.md`` (checkout or installed package), or None when it is missing."""
    from planlib.resources import methods_text
    path = methods_text()
    return path if path.is_file() else None


def write_methods(out: Path) -> Path | None:
    """``methods.html`` in ``out`` from ``docs/methods.md``; None when there is no methods text."""
    src = methods_source()
    if src is None:
        return None
    path = out / "methods.html"
    write_atomic(path, methods_html(src.read_text(encoding="utf-8")))
    return path
