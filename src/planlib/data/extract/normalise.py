"""Normalise a line of a plan for matching, keeping a map back to the original characters.

Matching works on a normalised copy of each line: full-width digits, letters and signs made
half-width (``８０％`` → ``80%``), traditional characters made simplified (OpenCC), spaces and
Markdown emphasis dropped (``2020 年`` → ``2020年``, ``/10 万`` → ``/10万``), pinyin glosses
after characters removed (``衛(wèi)``). Every character of the normalised text remembers the
span of the original line it came from, so that a value found in the normalised text is always
quoted from the original line (:meth:`Normalised.quote`): ``value_text`` stays a substring of
the cited line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: Characters dropped from the normalised text (spaces of every width, Markdown emphasis).
_DROP = set(" \t\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff*")
#: Full-width and other signs that mean the same as an ASCII one.
_SIGNS = {"（": "(", "）": ")", "，": "，", "：": ":", "；": "；", "％": "%", "＜": "<", "＞": ">",
          "≦": "≤", "≧": "≥", "〜": "~", "～": "～", "−": "-", "﹪": "%", "．": ".", "／": "/"}
#: A pinyin gloss after a character, as some mirrors print them: 衛(wèi).
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]")


@lru_cache(maxsize=1)
def _converter() -> "opencc.OpenCC | None":
    """OpenCC's traditional → simplified converter, or None when opencc is not installed."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a dependency; keep matching without it
        return None
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8192)
def _simplified_char(ch: str) -> str:
    """One character made simplified (itself when OpenCC gives more than one)."""
    conv = _converter()
    if conv is None:
        return ch
    out = conv.convert(ch)
    return out if len(out) == 1 else ch


def to_simplified(text: str) -> str:
    """Traditional characters made simplified, one character for one (lengths never change)."""
    conv = _converter()
    if conv is None or not text:
        return text
    whole = conv.convert(text)
    if len(whole) == len(text):
        return whole
    return "".join(_simplified_char(c) for c in text)


@dataclass(frozen=True)
class Normalised:
    """A normalised line with, for each of its characters, the original span it stands for."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of normalised characters ``start:end`` (end exclusive)."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def quote(self, start: int, end: int) -> str:
        """The original text behind normalised characters ``start:end``."""
        a, b = self.span(start, end)
        return self.original[a:b]


#: Full-width digits and letters and the signs above, as one translation table (one for one).
_TABLE = {**{c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}, **{c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)},
          **{c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)}, **{ord(k): v for k, v in _SIGNS.items()}}


@lru_cache(maxsize=16384)
def normalise(line: str) -> Normalised:
    """Normalise one line (see the module docstring) and keep the offset map (cached: the
    result is immutable)."""
    glosses = {i for m in _PINYIN.finditer(line) for i in range(m.start(), m.end())}
    mapped = to_simplified(line).translate(_TABLE)
    keep = [i for i, ch in enumerate(mapped) if ch not in _DROP and i not in glosses]
    return Normalised(line, "".join(mapped[i] for i in keep), tuple(keep), tuple(i + 1 for i in keep))


def normal_text(text: str) -> str:
    """Just the normalised text (for labels, aliases and headers)."""
    return normalise(text).text
