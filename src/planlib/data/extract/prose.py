"""Values in the prose of a plan: the sentence patterns these documents use.

Within a sentence, indicator names (catalog names and aliases, longest first) are paired with
the values written after them:

* ``A、B和C分别为a、b和c`` (a shared suffix such as 以下 on the last value applies to all);
* ``A由(2015年的)a提高/下降到b`` (a is the earlier year's value, b the sentence's);
* ``A、B a`` (one value for a list of names);
* ``A达到/为/低于/不低于/控制在 a(以上/以下/以内/左右)``, and ``每千人口配备a名A``;
* relative and qualitative targets (``提高1岁``, ``每年降低0.5个百分点以上``, ``明显下降``).

The year of a value is the last year named before it in the sentence (``到2025年``,
``截至2020年底``, ``“十三五”期间`` → 2020, ``“十四五”末`` → 2025), not counting baseline years
(``比2015年``, ``在2020年基础上``); else the year carried from earlier sentences of the
paragraph; else the section's (background → the plan's base year, goals and tasks → 2025) or
the reference year of a mid-term review, flagged as inferred.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from planlib.data.extract.candidates import UNIT, Candidate, unit_of
from planlib.data.extract.catalog import Catalog
from planlib.data.extract.normalise import Normalised, normal_text, normalise

_PRE = r"不低于|不少于|不高于|不超过|低于|高于|小于|大于|超过|控制在|保持在|稳定在|维持在|<=|>=|[<>≤≥]"
VALUE = re.compile(
    rf"(?P<pre>{_PRE})?(?P<approx>约|近)?(?<![\d.])(?P<num>\d+(?:\.\d+)?)(?![\d.]*(?:年|月|日|号|届|次|\d))"
    rf"(?P<unit>{UNIT})?(?P<suf>以上|以下|以内|左右|余)?")
RELATIVE = re.compile(
    r"(?P<lead>(?:比|较)20\d\d年(?:末|底)?|每年|年均|逐年)?"
    r"(?P<verb>提高|提升|增长|增加|上升|降低|下降|减少)(?![至到在])了?"
    r"(?P<num>\d+(?:\.\d+)?|[一二两三四五六七八九十半]+)(?P<unit>个百分点|%|岁|‰|年)(?P<suf>以上|左右)?")
QUALITATIVE = re.compile(
    r"^(?:[,，:]?(?:要|将|力争|逐步|努力)?)(?P<q>(?:持续|明显|稳步|逐步|进一步|显著|不断)(?:提升|提高|下降|降低|改善|增长|减少)"
    r"|保持[^,，。；;]{1,10}水平|低于[^,，。；;\d]{2,12}(?:平均值|平均水平)|保持增长|持续向好|(?:保持)?稳定(?![在于]))")
_YEAR = re.compile(r"(?P<y>20\d\d)(?:年|(?=\d{1,2}月))(?P<after>底|末|初|基础上|的基础|的)?")
_PERIOD = re.compile(r"[“\"]?(?P<p>十二五|十三五|十四五)[”\"]?(?P<after>期末|末|期间|时期|以来)?")
_SENT = re.compile(r"[^。；;！!？?]+[。；;！!？?]?")
_SEP = re.compile(r"^[、，,和及与以及或/\s]*$")
_LIST = re.compile(r"^[、和及与或/]+$")
_HEADER_LINE = re.compile(r"索引号|发布日期|成文日期|发布机构|文号|浏览次数|当前位置|https?://|www\.|主题词|分类:|公开方式")
_HEADING = re.compile(r"^\s*(第[一二三四五六七八九十百]+[章节篇]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|"
                      r"\[bookmark[^\]]*\])")
_TARGET_SECTION = re.compile(r"发展目标|主要目标|规划目标|总体要求|指导思想|总体目标|具体目标|目标任务|主要任务|重点任务|保障措施")
_ACTUAL_SECTION = re.compile(r"发展基础|发展现状|基础现状|现状|规划背景|发展成就|工作成效|主要成效|成效|回顾|十三五.{0,4}(成就|成绩|成效)")
#: A label that looks like an indicator's name just before a value: …率, …比例, …占比.
_UNKNOWN_LABEL = re.compile(r"(?P<label>[\u4e00-\u9fff()]{2,16}(?:率|比例|占比|比重))(?:均)?(?:达到|达|为|提高到|提高至|提升至|"
                            r"提升到|下降到|下降至|降至|降到|控制在|保持在|稳定在|不低于|低于|超过)?$")
_TRAINING = re.compile(r"培训|培养|转岗|进修|招录|招聘|引进")
_WIDER = re.compile(r"全国|国家级?目标|全省|省定|省级目标|全市同期|国际")
_TARGET_WORDS = re.compile(r"到20\d\d|力争|目标|确保|争取|将|达到|提高至|提高到|下降至|下降到|控制在|不低于|不少于")


@dataclass
class Context:
    """What the extractor knows of the document as a whole."""

    review: bool = False  # a mid-term review (actuals of its reference year)
    reference_year: int = 2020  # the latest year actuals refer to
    target_year: int = 2025


@dataclass
class _Value:
    start: int
    end: int
    text: str  # normalised
    relative: bool = False
    comparator: str | None = None  # a shared suffix (以下) applied from another value
    used: bool = False


@dataclass
class _Mention:
    start: int
    end: int
    alias: str
    ids: list[str]
    values: list[_Value] = field(default_factory=list)
    from_to: bool = False  # 由a提高到b: the first value is the earlier year's


def document_context(lines: list[str], kind: str | None = None) -> Context:
    """A mid-term review (from the source's kind, else its first lines) and its reference year:
    the year its actuals are stated for most often."""
    head = "".join(lines[:40])
    review = kind == "mid-term review" if kind else bool(re.search(r"中期(评估|实施|报告|评价)", head))
    if not review:
        return Context()
    counts: dict[int, int] = {}
    for line in lines:
        for m in re.finditer(r"(?:截至|截止|到)?(20\d\d)(?:年)?(?:底|末|\d{1,2}月)", line):
            y = int(m.group(1))
            if 2021 <= y <= 2024:
                counts[y] = counts.get(y, 0) + 1
    ref = max(counts, key=lambda y: (counts[y], y)) if counts else 2022
    return Context(review=True, reference_year=ref)


def body_start(lines: list[str]) -> int:
    """Index of the first line after a web page's header (index number, dates, URL …)."""
    last = -1
    for i, line in enumerate(lines[:60]):
        if _HEADER_LINE.search(line):
            last = i
    return last + 1


def prose_candidates(lines: list[str], catalog: Catalog, ctx: Context, skip: set[int]) -> list[Candidate]:
    """Candidates from every prose line (lines in ``skip``, 1-based, are table rows)."""
    out: list[Candidate] = []
    section = "actual"
    start = body_start(lines)
    for n, line in enumerate(lines, start=1):
        if n <= start or n in skip or "\t" in line.strip() or not line.strip():
            continue
        s = line.strip()
        if len(s) <= 40 and (_HEADING.match(s) or not re.search(r"[。，,；;]", s)):
            if _TARGET_SECTION.search(s):
                section = "target"
            elif _ACTUAL_SECTION.search(s) and not _TARGET_SECTION.search(s):
                section = "actual"
            if not re.search(r"\d", s.replace("20", "")):
                continue
        out.extend(line_candidates(n, line, catalog, ctx, section))
    return out


def _years(text: str, ctx: Context) -> list[tuple[int, int, bool]]:
    """(position, year, baseline?) for each year named in a sentence, in order."""
    out = []
    for m in _YEAR.finditer(text):
        y = int(m.group("y"))
        before = text[max(0, m.start() - 2):m.start()]
        baseline = m.group("after") in ("基础上", "的基础") or bool(re.search(r"[比较由从与]$", before)) \
            or bool(re.match(r"[到至\-—~～]20\d\d年", text[m.end():m.end() + 6]))
        out.append((m.start(), y, baseline))
    for m in _PERIOD.finditer(text):
        p, after = m.group("p"), m.group("after") or ""
        before = text[max(0, m.start() - 2):m.start()]
        if p == "十二五":
            y = 2015
        elif p == "十三五":
            y = 2020
        else:
            y = ctx.reference_year if ctx.review and after in ("期间", "以来", "时期") else ctx.target_year
        baseline = bool(re.search(r"[比较由从与]$", before))
        out.append((m.start(), y, baseline))
    return sorted(out)


def _values(text: str, mentions: list[_Mention]) -> list[_Value]:
    """Value spans of a sentence, outside names and dates; relative changes kept whole."""
    taken = [(m.start, m.end) for m in mentions]
    out: list[_Value] = []

    def free(a: int, b: int) -> bool:
        """No name or value already covers characters a:b."""
        return not any(a < e and s < b for s, e in taken)

    for m in RELATIVE.finditer(text):
        if free(m.start("verb"), m.end()):
            out.append(_Value(m.start(), m.end(), m.group(), relative=True))
            taken.append((m.start(), m.end()))
    for m in VALUE.finditer(text):
        a, b = m.start(), m.end()
        if not free(m.start("num"), m.end("num")):
            continue
        rest = text[b:b + 8]
        num_end = m.end("num")
        unit = m.group("unit") or ""
        if unit == "岁" and re.match(r"(以上|以下|及以上|及以下|至\d+岁)?(的)?(人群|儿童|老年|老人|婴幼儿|人口|居民|妇女|青少年|学生)",
                                   text[m.end("unit"):m.end("unit") + 6]):
            continue  # an age in a label (65岁以上老年人), not a value
        if "次" in text[b:b + 3]:
            continue  # 3000人次, 12000余村次: counts of services, not of people
        if re.fullmatch(r"(19|20)\d\d", m.group("num")) and not unit:
            continue  # a year in a name (健康潮州2030)
        if re.match(r"(个|家|所|项|支|批|次|处|条)(专项|镇|乡|村|街道|团队|行动|工程|示范|重点)", text[num_end:num_end + 4]):
            continue  # a count of things named after it, not an indicator's value
        if re.match(r"[-—~～]\d", text[num_end:num_end + 2]) or re.search(r"\d[-—~～]$", text[max(0, a - 2):a]):
            continue  # a range such as 0-6岁
        if text[max(0, a - 1):a] in ("第", "前", "后", "近") and not m.group("approx"):
            continue
        if rest.startswith(("倍",)) and not unit:
            continue
        out.append(_Value(a, b, m.group()))
    return sorted(out, key=lambda v: v.start)


def line_candidates(n: int, line: str, catalog: Catalog, ctx: Context, section: str) -> list[Candidate]:
    """Candidates from one prose line (paragraph) ``n``."""
    norm = normalise(line)
    out: list[Candidate] = []
    carried: int | None = None
    for sm in _SENT.finditer(norm.text):
        base = sm.start()
        sent = sm.group()
        years = _years(sent, ctx)
        found = catalog.find(sent)
        mentions = [_Mention(m.start(), m.end(), m.group(), list(catalog.by_alias[m.group()])) for m in found]
        _resolve_short_names(mentions, catalog)
        values = _values(sent, mentions)
        if mentions:
            _pair(sent, mentions, values, catalog)
        for m in mentions:
            for k, v in enumerate(m.values):
                c = _candidate(n, norm, base, sent, m, v, k, years, carried, catalog, ctx, section)
                if c is not None:
                    out.append(c)
            if not m.values:
                tail = m.end
                for x in mentions:  # 孕产妇死亡率、婴儿死亡率保持较好控制水平: the list's last name
                    if x.start >= tail and _LIST.match(sent[tail:x.start]) and not x.values:
                        tail = x.end
                q = QUALITATIVE.match(sent[tail:])
                if q and (section == "target" or ctx.review or any(y >= 2025 for _, y, _ in years)):
                    v = _Value(tail + q.start("q"), tail + q.end("q"), q.group("q"), relative=True)
                    c = _candidate(n, norm, base, sent, m, v, 0, years, carried, catalog, ctx, section)
                    if c is not None and ctx.review and c.kind == "actual":
                        c.year, c.kind, c.plan_cycle = ctx.target_year, "target", "14th"
                        c.flags.append("qualitative aim in a review: read as a 2025 target")
                    if c is not None:
                        c.confidence = 0.5
                        c.via = "prose (qualitative)"
                        out.append(c)
        for v in values:  # a name the catalog lacks (…率达到90%): proposed for review, with suggestions
            if v.used or v.relative:
                continue
            lab = _UNKNOWN_LABEL.search(sent[:v.start])
            if lab and not any(m.start < lab.end("label") and lab.start("label") < m.end for m in mentions):
                label = lab.group("label")
                m = _Mention(lab.start("label"), lab.end("label"), label, ["?"])
                c = _candidate(n, norm, base, sent, m, v, 0, years, carried, catalog, ctx, section)
                if c is not None:
                    sugg = catalog.suggest(label)
                    c.flags.insert(0, f"unknown indicator '{label}'" + (f" (suggestions: {', '.join(sugg)})" if sugg else ""))
                    c.confidence = 0.3
                    out.append(c)
        own = [y for _, y, b in years if not b]
        if own:
            carried = own[-1]
    return out


def _resolve_short_names(mentions: list[_Mention], catalog: Catalog) -> None:
    """A short name right after a full one that ends with it refers back to it
    (``0-6岁儿童健康管理，健康管理率达85%``: the second is the children's rate)."""
    for a, b in zip(mentions, mentions[1:]):
        if len(a.ids) != 1 or b.ids == a.ids or b.start - a.end > 12:
            continue
        full = catalog.indicators[a.ids[0]].name_zh
        if len(b.alias) < len(full) and normal_text(full).endswith(b.alias):
            b.ids = list(a.ids)


def _group_before(sent: str, mentions: list[_Mention], pos: int) -> list[_Mention]:
    """The list of names that ends just before ``pos`` (names joined by 、，和及)."""
    before = [m for m in mentions if m.end <= pos]
    if not before:
        return []
    last = before[-1]
    gap = sent[last.end:pos]
    if len(gap) > 6 or re.search(r"\d", gap):
        return []
    group = [last]
    for m in reversed(before[:-1]):
        if _SEP.match(sent[m.end:group[0].start]):
            group.insert(0, m)
        else:
            break
    return group


def _pair(sent: str, mentions: list[_Mention], values: list[_Value], catalog: Catalog) -> None:
    """Give each name its values (see the module docstring)."""
    # 分别: a list of names, then as many values.
    for fm in re.finditer(r"分别", sent):
        group = _group_before(sent, mentions, fm.start())
        if not group:
            continue
        expanded: list[tuple[_Mention, str | None]] = []
        for m in group:
            if len(m.ids) > 1 and "、" in m.alias:  # 高血压、糖尿病规范化管理率: one name for several
                order = sorted(m.ids, key=lambda i: (m.alias.find(catalog.indicators[i].name_zh[:2]) + 100) % 100)
                expanded.extend((m, i) for i in order)
            else:
                expanded.append((m, None))
        after = [v for v in values if v.start >= fm.end() and not v.used]
        nxt = next((m.start for m in mentions if m.start > fm.end()), len(sent))
        if after and re.search(r"^[^,，]{0,8}(较|比(?!例|重))", sent[fm.end():after[0].start]):
            for v in after:  # 分别较“十二五”末增长…: growth, not levels
                if v.start < nxt:
                    v.used = True
            continue
        seq: list[_Value] = []
        for v in after:
            if v.start >= nxt or len(seq) == len(expanded):
                break
            if seq and not _SEP.match(sent[seq[-1].end:v.start]):
                break
            seq.append(v)
        if not seq:
            continue
        suffix = re.search(r"(以下|以上|以内)$", seq[-1].text)
        extra: list[_Mention] = []
        for k, (m, only) in enumerate(expanded[:len(seq)]):
            v = seq[k]
            if suffix and not re.search(r"(以下|以上|以内|左右)$", v.text) and k < len(seq) - 1:
                v.comparator = {"以下": "<=", "以上": ">=", "以内": "<="}[suffix.group()]
            v.used = True
            if only is not None:
                twin = _Mention(m.start, m.end, m.alias, [only], [v])
                extra.append(twin)
            else:
                m.values.append(v)
        for m, only in expanded:
            if only is not None:
                m.ids = []  # split into one twin per name
        mentions.extend(extra)
    # 每千人口配备2.7名执业(助理)医师, 3个社区服务中心, 1例…孕产妇死亡病例: the value before the name
    for m in mentions:
        if m.values or not m.ids:
            continue
        before = [v for v in values if v.end <= m.start and not v.used and not v.relative]
        if not before:
            continue
        v = before[-1]
        gap = sent[v.end:m.start]
        per_pop = gap in ("", "的") and re.search(r"(每[千万]|千人口|万人口|万名)", sent[max(0, v.start - 12):v.start])
        counted = len(gap) <= 6 and not re.search(r"[,，、:：]", gap) and re.search(r"(例|个|家|所|张|人|名)$", v.text) \
            and any(catalog.indicators[i].is_count for i in m.ids)
        if per_pop or counted:
            m.values.append(v)
            v.used = True
    # the rest: the values after each name, up to the next name
    for i, m in enumerate(mentions):
        if m.values or not m.ids:
            continue
        nxt = next((x.start for x in mentions[i + 1:] if x.start >= m.end), len(sent))
        window = [v for v in values if m.end <= v.start < nxt and not v.used and v.start - m.end <= 30]
        gap_first = sent[m.end:window[0].start] if window else ""
        if window and re.search(r"[由从]", gap_first) and len(window) >= 2 \
                and re.search(r"[至到]", sent[window[0].end:window[1].start]):
            m.values.extend(window[:2])  # 由a提高到b
            m.from_to = True
            window[0].used = window[1].used = True
            continue
        if len(window) >= 2 and window[0].relative and not window[1].relative \
                and not re.search(r"[。；;]", sent[m.end:window[1].start]):
            m.values.extend(window[:2])  # 较2015年提高1.1岁，达到78.9岁: the change and the level
            window[0].used = window[1].used = True
            continue
        if window and _TRAINING.search(gap_first) and not _TRAINING.search(m.alias):
            window[0].used = True  # 转岗培训合格138人: a training count
            continue
        if window and not re.search(r"[。；]", gap_first) and not re.search(r"(较|比(?!例|重))[^,，]{0,10}$", gap_first):
            m.values.append(window[0])
            window[0].used = True
    # A、B 100%: one value for a list of names
    for i, m in enumerate(mentions):
        if m.ids and not m.values:
            later = [x for x in mentions[i + 1:] if x.values and _LIST.match(sent[m.end:x.start])]
            if later and len(later[0].values) == 1 and later[0].values[0].start - later[0].end <= 2:
                m.values.append(later[0].values[0])


def _candidate(n: int, norm: Normalised, base: int, sent: str, m: _Mention, v: _Value, k: int,
               years: list[tuple[int, int, bool]], carried: int | None, catalog: Catalog, ctx: Context,
               section: str) -> Candidate | None:
    """One candidate for value ``v`` of name ``m`` (the k-th of its values)."""
    if not m.ids:
        return None
    flags: list[str] = []
    text = norm.quote(base + v.start, base + v.end)
    # the year: the last year named before the value (not a baseline), else carried
    before_years = [(p, y, b) for p, y, b in years if p < v.start]
    year = None
    via = "prose"
    if m.from_to and k == 0:  # 由a提高到b: a is the earlier value
        baseline = [y for p, y, b in before_years if b or p > m.end]
        year = baseline[-1] if baseline else None
        if year is None:
            own = [y for p, y, b in before_years if not b]
            year = (own[-1] - 5) if own else None
        via = "prose (由…到…)"
    else:
        own = [y for p, y, b in before_years if not b]
        if own:
            year = own[-1]
        elif any(not b for _, y, b in years):
            later = [(p, y) for p, y, b in years if not b and p > v.start and p - v.end < 12]
            year = later[0][1] if later else None
    if m.from_to and k == 1:
        via = "prose (由…到…)"
    inferred = ""
    if year is None:
        if carried is not None:
            year, inferred = carried, "year carried from the paragraph"
        elif ctx.review:
            year, inferred = ctx.reference_year, "year inferred: the review's reference year"
        elif section == "target":
            year, inferred = ctx.target_year, "year inferred: plan goals (2025)"
        else:
            year, inferred = 2020, "year inferred: plan background (2020)"
    if year >= 2026 or year < 2010:
        return None  # 2030 goals of a health-action plan, or older history: not the region's values
    if ctx.review:
        kind = "target" if year >= 2025 else "actual"
    else:
        kind = "target" if year >= 2021 else "actual"
        if kind == "target" and year < ctx.target_year and not _TARGET_WORDS.search(sent):
            kind = "actual"
    if kind == "actual" and v.relative and any(not x.relative for x in m.values):
        return None  # 较2015年提高1.1岁，达到78.9岁: for an actual the level says it, the change is history
    clause_start = max(sent.rfind(c, 0, m.start) for c in "，,：:") + 1
    clause = sent[clause_start:m.start]
    if _TRAINING.search(clause) and not _TRAINING.search(m.alias):
        return None  # a training or recruitment count, not the stock of staff
    value_text = text.strip()
    cand = Candidate(line=n, indicator_id="", year=year, kind=kind,
                     plan_cycle=("14th" if year > 2020 else "13th") if kind == "target" else "",
                     value_text=value_text, unit_text=unit_of(value_text), via=via,
                     confidence=0.75, flags=flags, label=m.alias)
    if v.comparator:
        cand.shared_comparator = v.comparator
        flags.append(f"comparator from the list's shared suffix ({v.comparator})")
    ratio_ctx = bool(re.match(r"每|千人|万人", m.alias)) or bool(
        re.search(r"每[千万]|千人口|万人口|万名", sent[max(0, m.start - 40):m.start]))
    per = 10000 if re.search(r"每万|万人|万名|万常住", sent[max(0, m.start - 40):m.end]) else 1000
    cand.indicator_id = "" if m.ids == ["?"] else catalog.choose(m.ids, ratio_ctx, cand.value, per)
    if inferred:
        flags.append(inferred)
        cand.confidence -= 0.1
    if v.relative:
        cand.via = "prose (relative)"
    if "分别" in sent[m.end:v.start]:
        cand.via = "prose (分别 list)"
        cand.confidence += 0.05
    if sent[max(0, v.start - 1):v.start] == "各":
        flags.append("各: one value for each of several items")
        cand.confidence -= 0.2
    if kind == "target" and re.search(r"全国|国家(?!级)", sent[clause_start:v.start]) \
            and not re.search(r"全国|国家", m.alias):
        return None  # a national target quoted in a local plan, not the region's own
    if _WIDER.search(sent[max(0, clause_start - 4):v.start]):
        flags.append("may quote a national, provincial or city figure")
        cand.confidence -= 0.2
    if not cand.unit_text and cand.comparator != "text":
        flags.append("unit missing")
        cand.confidence -= 0.05
    if inferred and "paragraph" not in inferred:
        cand.note = f"prose; {inferred}"
    else:
        cand.note = "prose"
    return cand
