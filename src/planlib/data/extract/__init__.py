"""``planlib extract``: read a plan (TXT, HTML, PDF, DOCX), propose every indicator value with
its line, write a review CSV, and merge the accepted rows into a data folder.

Modules, in the order of the flow: :mod:`reading` (formats → lines), :mod:`normalise` (matching
text with an offset map back to the original), :mod:`catalog` (names, aliases, suggestions),
:mod:`tables` and :mod:`prose` (finding values), :mod:`extractor` (both, plus flags),
:mod:`review` (the review CSV and the merge).
"""
from __future__ import annotations

from pathlib import Path


def example_plan() -> Path:
    """A small invented plan (青山县, every figure made up) bundled with planlib for trying
    ``planlib extract`` and the ``add_region`` notebook."""
    return Path(__file__).with_name("example_plan.txt")
