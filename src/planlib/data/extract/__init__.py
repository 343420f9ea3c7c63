"""``planlib extract``: read a plan (TXT, HTML, PDF, DOCX), propose every indicator value with
its line, write a review CSV, and merge the accepted rows into a data folder.

Modules, in the order of the flow: :mod:`reading` (formats → lines), :mod:`normalise` (matching
text with an offset map back to the original), :mod:`catalog` (names, aliases, suggestions),
:mod:`tables` and :mod:`prose` (finding values), :mod:`extractor` (both, plus flags),
:mod:`review` (the review CSV and the merge).
"""
