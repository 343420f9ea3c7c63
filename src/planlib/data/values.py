"""Parse a value as written in a plan ("≥82", "3.11‰", "<8", "提高1岁") into comparator and number."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

COMPARATORS = ("=", "<", "<=", ">", ">=", "~", "text")

# Symbol prefixes, full-width and half-width, longest first.
_PREFIX = [
    ("≤", "<="), ("<=", "<="), ("＜=", "<="), ("≦", "<="),
    ("≥", ">="), (">=", ">="), ("＞=", ">="), ("≧", ">="),
    ("<", "<"), ("＜", "<"), (">", ">"), ("＞", ">"),
]
# Chinese qualifier words. Following Chinese statutory usage, 以上/以下 include the number itself.
_WORDS = [
    ("不低于", ">="), ("不少于", ">="), ("以上", ">="),
    ("不高于", "<="), ("不超过", "<="), ("以下", "<="), ("以内", "<="),
    ("低于", "<"), ("小于", "<"), ("少于", "<"),
    ("高于", ">"), ("大于", ">"), ("超过", ">"),
    ("左右", "~"), ("约", "~"), ("近", "~"), ("余", ">"),
]
# Words that make a target relative or qualitative even when a number is present (提高1岁, 增长30%).
# Followed by 至/到/在 they introduce a level instead (提高至70%, 保持在3‰以下).
_RELATIVE = re.compile(r"(提高|提升|增长|增加|上升|下降|降低|减少|保持|持续|稳步|逐步|稳定|有所|明显)(?![至到在])")

_NUMBER = re.compile(r"(?<![\d.])[-−]?\d+(?:[,，]\d{3})*(?:\.\d+)?")


@dataclass(frozen=True)
class ParsedValue:
    """A value string split into comparator, number (None for text) and trailing unit text."""

    comparator: str
    value: float | None


def first_number(text: str) -> float | None:
    """Return the first number written in ``text`` (thousands separators allowed), or None."""
    m = _NUMBER.search(text)
    if not m:
        return None
    return float(m.group(0).replace(",", "").replace("，", "").replace("−", "-"))


def parse_value_text(text: str) -> ParsedValue:
    """Split a value as written into comparator and number.

    Symbols win over words: ``"<3"`` is ``<``; ``"3‰以下"`` is ``<=``; ``"79左右"`` is ``~``.
    A string with no number, or one that states a change rather than a level
    (``"提高1岁"``, ``"增长30%"``, ``"持续提升"``), is a ``text`` target with no value.
    """
    s = text.strip()
    number = first_number(s)
    if number is None or _RELATIVE.search(s):
        return ParsedValue("text", None)
    for sym, comp in _PREFIX:
        if s.startswith(sym):
            return ParsedValue(comp, number)
    for word, comp in _WORDS:
        if word in s:
            return ParsedValue(comp, number)
    return ParsedValue("=", number)


def qualifier_word(text: str) -> tuple[str, str] | None:
    """The qualifier word that decides the comparator of a value written without a leading
    symbol, as (word, comparator): ``"77.8岁以下"`` → ``("以下", "<=")``, ``"80左右"`` →
    ``("左右", "~")``. None when a symbol leads, when the text has no number or states a change
    (``"提高1岁"``), or when no qualifier word is written (a plain number)."""
    s = text.strip()
    if first_number(s) is None or _RELATIVE.search(s) or any(s.startswith(sym) for sym, _ in _PREFIX):
        return None
    for word, comp in _WORDS:
        if word in s:
            return word, comp
    return None


def format_target(comparator: str, value: float | None, value_text: str) -> str:
    """Human-readable target: the comparator symbol and number, or the text as written."""
    if comparator == "text" or value is None:
        return value_text
    sym = {"=": "", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "~": "≈"}[comparator]
    return f"{sym}{value:g}"


_REL = re.compile(
    r"(?P<verb>提高|增长|增加|上升|降低|下降|减少)\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>个百分点|%|％|岁|年)?"
)


@dataclass(frozen=True)
class RelativeChange:
    """A target written as a change on a baseline: 提高1岁 (+1), 增长30% (×1.3), 降低5% (×0.95)."""

    kind: str  # "add" (absolute change in the indicator's unit) or "mul" (relative change)
    amount: float
    approximate: bool  # 左右 / 约 in the text

    def apply(self, baseline: float) -> float:
        """The target level this change implies for a given baseline."""
        if self.kind == "add":
            return baseline + self.amount
        return baseline * (1 + self.amount)


def parse_relative(text: str) -> RelativeChange | None:
    """Read a relative target such as 提高1岁, 增长30%, 比2015年降低5%; None if the text is not one."""
    m = _REL.search(text.replace(" ", ""))
    if not m:
        return None
    sign = -1.0 if m.group("verb") in ("降低", "下降", "减少") else 1.0
    num = float(m.group("num"))
    unit = m.group("unit") or ""
    approx = "左右" in text or "约" in text
    if unit in ("%", "％"):
        return RelativeChange("mul", sign * num / 100, approx)
    return RelativeChange("add", sign * num, approx)


def num_text(value: float, value_text: str | None = None) -> str:
    """A number as printed in its source where that is the same number (keeps "2.90"), else :g."""
    if value_text is not None and not (isinstance(value_text, float) and math.isnan(value_text)):
        m = re.search(r"\d+(?:\.\d+)?", str(value_text))
        if m and math.isclose(float(m.group()), value, rel_tol=0, abs_tol=1e-9):
            return m.group()
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")
