"""A candidate value: one proposed observation with where it was found, how and how sure."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from planlib.data.values import parse_value_text

#: Columns of the review CSV: observations.csv's, then the review's own.
OBS_COLUMNS = ["region_id", "indicator_id", "year", "kind", "plan_cycle", "comparator", "value",
               "value_text", "unit_text", "nature", "source_id", "source_line", "note"]
REVIEW_COLUMNS = ["status"] + OBS_COLUMNS + ["confidence", "via", "flags", "context"]

#: A unit written after a number.
UNIT = r"(?:%|‰|岁|1?/10万|/万|人/千人口|万人|万名|万|人|名|张|个|家|所|天|元|例|平方米|倍)"
_UNIT_AT_END = re.compile(UNIT + r"(?=(以上|以下|以内|左右|余)?$)")


@dataclass
class Candidate:
    """One proposed observation (fields as in observations.csv) and the review's columns."""

    line: int
    indicator_id: str
    year: int | None
    kind: str
    plan_cycle: str
    value_text: str
    unit_text: str = ""
    nature: str = ""
    via: str = ""
    confidence: float = 0.5
    flags: list[str] = field(default_factory=list)
    label: str = ""
    note: str = ""
    shared_comparator: str = ""  # from a list's shared suffix (a、b和c以下)

    @property
    def comparator(self) -> str:
        """The comparator the value as written states (see :func:`parse_value_text`), or the
        one a list's shared suffix gives it."""
        written = parse_value_text(self.value_text).comparator
        return self.shared_comparator if self.shared_comparator and written == "=" else written

    @property
    def value(self) -> float | None:
        """The number as written; None for a text (relative or qualitative) value."""
        return parse_value_text(self.value_text).value

    @property
    def table(self) -> bool:
        """Found in a table (rather than in prose)."""
        return self.via.startswith("table")


def unit_of(value_text: str) -> str:
    """The unit written at the end of a value (``3.11‰`` → ``‰``, ``4名以上`` → ``名``), or ''."""
    m = _UNIT_AT_END.search(value_text.replace(" ", ""))
    if not m:
        return ""
    # quote it as written (spaces inside /10 万 kept)
    unit = m.group()
    spaced = re.search(r"\s*".join(map(re.escape, unit)), value_text)
    return spaced.group() if spaced else unit
