"""The indicator catalog as the extractor uses it: names and aliases (normalised, longest first),
counts told apart from ratios, plausible ranges, and suggestions for unknown labels."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from planlib.data.extract.normalise import normal_text

#: Words that make a label a per-population ratio (每千人口…, 每万…, 千人口…).
RATIO = re.compile(r"(每|千人|万人|万名|千名)")


@dataclass(frozen=True)
class Indicator:
    """What the extractor needs of one catalog row."""

    id: str
    name_zh: str
    unit: str
    core: bool
    direction: str
    low: float | None
    high: float | None

    @property
    def per(self) -> int | None:
        """1000 or 10000 for a per-population ratio (people, not live births), else None."""
        if self.unit == "per 1000 population" and "千" in self.name_zh:
            return 1000
        if self.unit == "per 10000 population":
            return 10000
        return None

    @property
    def is_count(self) -> bool:
        """A count (persons, beds, places …) rather than a rate or share."""
        return self.unit in {"persons", "beds", "places", "centres", "institutions", "deaths", "deliveries"}

    def plausible(self, value: float) -> bool:
        """Within the catalog's plausible range (always, where the catalog gives none)."""
        return not ((self.low is not None and value < self.low) or (self.high is not None and value > self.high))


def _num(x: object) -> float | None:
    """A number from the catalog, None when empty."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


class Catalog:
    """Indicator names and aliases of a data folder's ``indicators.csv``, ready for matching."""

    def __init__(self, indicators: pd.DataFrame) -> None:
        """Index the names and aliases of a catalog table (indicators.csv)."""
        self.indicators: dict[str, Indicator] = {}
        self.by_alias: dict[str, list[str]] = {}
        for r in indicators.itertuples(index=False):
            rid = str(r.id)
            self.indicators[rid] = Indicator(rid, str(r.name_zh), str(r.unit), str(r.core) == "yes",
                                             str(r.direction),
                                             _num(r.plausible_min), _num(r.plausible_max))
            names = [str(r.name_zh)] + [a for a in str(r.aliases_zh if isinstance(r.aliases_zh, str) else "").split("|") if a]
            for name in names:
                key = normal_text(name)
                if len(key) >= 2:
                    ids = self.by_alias.setdefault(key, [])
                    if rid not in ids:
                        ids.append(rid)

    @cached_property
    def ratio_of(self) -> dict[str, list[str]]:
        """Count indicator → the per-population ratios named after it (执业(助理)医师数 →
        每千人口执业(助理)医师数), for a count's name read in a ratio's context."""
        out: dict[str, list[str]] = {}
        for c in self.indicators.values():
            if not c.is_count:
                continue
            name = normal_text(c.name_zh)
            out[c.id] = [r.id for r in self.indicators.values() if r.per and name in normal_text(r.name_zh)]
        return out

    @cached_property
    def pattern(self) -> re.Pattern:
        """Every alias, longest first, as one regular expression (leftmost, then longest match)."""
        keys = sorted(self.by_alias, key=len, reverse=True)
        return re.compile("|".join(re.escape(k) for k in keys))

    def find(self, text: str) -> list[re.Match]:
        """Non-overlapping alias matches in normalised text, left to right."""
        return list(self.pattern.finditer(text))

    def label(self, text: str) -> tuple[list[str], str]:
        """Indicator ids a table row label names, and the alias matched ('' when none). The label
        is normalised, its leading ``其中:`` and trailing unit in brackets set aside."""
        key = clean_label(text)
        if key in self.by_alias:
            return list(self.by_alias[key]), key
        found = self.find(key)
        if found:
            m = max(found, key=lambda m: len(m.group()))
            return list(self.by_alias[m.group()]), m.group()
        return [], ""

    def choose(self, ids: list[str], ratio: bool | None, value: float | None = None,
               per: int | None = None) -> str:
        """One indicator among those an alias names: a ratio where the context says 每千/每万
        (matching 千 or 万), a count where it does not, and one whose plausible range holds the
        value where that decides."""
        if ratio and not any(self.indicators[i].per for i in ids):
            ids = ids + [r for i in ids for r in self.ratio_of.get(i, [])]
        if len(ids) == 1:
            return ids[0]
        inds = [self.indicators[i] for i in ids]

        def score(ind: Indicator) -> tuple:
            """How well an indicator fits the context: plausible first, then ratio or count."""
            fits = value is None or ind.plausible(value)
            kind = 0
            if ratio is True:
                kind = 2 if ind.per and (per is None or ind.per == per) else (1 if ind.per else 0)
            elif ratio is False:
                kind = 2 if ind.is_count else (1 if not ind.per else 0)
            return (fits, kind)

        return max(inds, key=score).id

    @cached_property
    def _choices(self) -> list[tuple[str, str]]:
        """Every (alias, indicator id), for suggestions."""
        return [(k, ids[0]) for k, ids in self.by_alias.items()]

    def suggest(self, label: str, limit: int = 3) -> list[str]:
        """Catalog indicators whose names look like an unknown label (best first)."""
        key = clean_label(label)
        if not key:
            return []
        try:
            from rapidfuzz import fuzz, process
        except ImportError:  # pragma: no cover - rapidfuzz is a dependency
            import difflib
            names = [k for k, _ in self._choices]
            best = difflib.get_close_matches(key, names, n=limit * 3, cutoff=0.4)
            ids = [dict(self._choices)[b] for b in best]
        else:
            res = process.extract(key, [k for k, _ in self._choices], scorer=fuzz.WRatio, limit=limit * 3,
                                  score_cutoff=50)
            ids = [self._choices[i][1] for _, _, i in res]
        return list(dict.fromkeys(ids))[:limit]


_UNIT_BRACKET = re.compile(r"\(([^()]{0,12})\)$")


def clean_label(text: str) -> str:
    """A row label as matched: normalised, without a leading 其中:/序号 and a trailing (unit)."""
    key = normal_text(text)
    key = re.sub(r"^(其中[:,，]?|\d{1,2}[.、](?=\D))", "", key)
    m = _UNIT_BRACKET.search(key)
    if m and looks_like_unit(m.group(1)):
        key = key[: m.start()]
    return key


def label_unit(text: str) -> str:
    """The unit a row label gives in brackets at its end (``人均预期寿命(岁)`` → ``岁``), as written."""
    m = re.search(r"[(（]([^()（）]{0,12})[)）]\s*$", text.strip())
    if m and looks_like_unit(normal_text(m.group(1))):
        return m.group(1).strip()
    return ""


def looks_like_unit(s: str) -> bool:
    """A unit as written in a table cell or a label's brackets (岁, %, ‰, /10万, 人, 张 …)."""
    return bool(re.fullmatch(r"(%|‰|岁|人|名|张|个|家|所|天|元|万人|万|平方米|例|1?/10万|/万|床|人/千人口|张/千人口)", s))
