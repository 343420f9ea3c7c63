"""Where planlib finds the text of a source document, so that a cited line can be checked.

A source's document is its text, normalised to UTF-8 with one paragraph or one table row per
line, so that ``source_line`` numbers (1-based) point into it. planlib looks, in order, for

1. ``<data folder>/documents/<source id>.txt``: documents stored with a data folder (this is
   where ``planlib extract --accept`` keeps the plan it read);
2. ``<documents folder>/<seed_file>`` for a source whose ``seed_file`` is filled in, where the
   documents folder is ``$PLANLIB_DOCUMENTS`` if set, else the ``shared/seeds`` folder beside a
   source checkout (the five bundled documents are not shipped with planlib: their text is the
   publishers', and planlib holds only figures taken from them).

A source with no document found is simply not checked line by line.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

#: Sub-folder of a data folder that holds stored documents, one ``<source id>.txt`` each.
DOCUMENTS = "documents"


def documents_dir() -> Path | None:
    """The folder of the bundled sources' documents: $PLANLIB_DOCUMENTS, else ``shared/seeds``
    beside a source checkout, else None."""
    env = os.environ.get("PLANLIB_DOCUMENTS")
    if env:
        return Path(env)
    from planlib.resources import checkout

    root = checkout()
    if root is not None and (root.parent / "shared" / "seeds").is_dir():
        return root.parent / "shared" / "seeds"
    return None


def document_path(folder: Path, source_id: str, seed_file: str | None = None) -> Path | None:
    """The stored text of a source, or None when planlib has no copy of it.

    ``folder`` is the data folder; ``seed_file`` the source's file name among the bundled
    documents (``sources.csv``), if it has one.
    """
    stored = Path(folder) / DOCUMENTS / f"{source_id}.txt"
    if stored.is_file():
        return stored
    if seed_file:
        base = documents_dir()
        if base is not None and (base / seed_file).is_file():
            return base / seed_file
    return None


@lru_cache(maxsize=64)
def _lines(path: Path, mtime_ns: int) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8").splitlines())


def document_lines(path: Path) -> tuple[str, ...]:
    """The lines of a stored document (line n is item n - 1), read once per file state."""
    return _lines(path, path.stat().st_mtime_ns)
