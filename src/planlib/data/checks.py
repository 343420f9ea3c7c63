"""Validation rules that span rows or files: files that are not UTF-8 CSV text, the region tree,
a user's data dictionary, and each value against the line of its document that it cites.

Each function returns problems as text, one line per problem, naming the file, the data row and
file line, the column, the value and what to do (the format of :class:`planlib.DataError`).
They work on whole columns at once; only the problems found are written one by one.
"""
from __future__ import annotations

import bisect
import codecs
import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from planlib.data.documents import DOCUMENTS, document_lines, document_path
from planlib.data.schema import DataError

#: Administrative levels, highest first: a region's parent is on a higher level (a smaller rank).
#: County-level cities and districts share a rank (both sit under a prefecture, or a province).
LEVEL_RANK = {"nation": 0, "province": 1, "prefecture-level city": 2, "county-level city": 3, "district": 3}
#: Columns of the data dictionary that change what validation accepts; the others (unit,
#: meaning) only document a column.
DICTIONARY_RULES = ("type", "required", "allowed_values")
DICTIONARY_COLUMNS = ["table", "column", "type", "required", "unit", "allowed_values", "meaning"]


def _where(file: str, i: int) -> str:
    """A data row's location: 'file, row i + 1 (line i + 2)'."""
    return f"{file}, row {i + 1} (line {i + 2})"


# --- files that are not UTF-8 CSV text -----------------------------------------------------------

#: How to save a table so that planlib can read it, said once for every encoding problem.
SAVE_AS_UTF8 = 'save it as UTF-8 (in Excel: File → Save As → "CSV UTF-8 (Comma delimited)")'


def check_text(name: str, data: bytes, expected: list[str], utf8: bool = True) -> None:
    """Raise DataError when ``data`` (a file's bytes, byte-order mark removed) is not UTF-8 text:
    an Excel or other workbook, UTF-16 text, binary data, or text in another encoding (GBK).
    Names the line and the column of the first byte that is not UTF-8, and what to do. With
    ``utf8=False`` the whole text is not decoded (for a reader that decodes it anyway)."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        excel = data.startswith(b"\xd0\xcf") or b"xl/" in data or b"[Content_Types]" in data[:2000]
        what = ("an OpenDocument spreadsheet" if b"opendocument" in data[:200]
                else "an Excel workbook" if excel else "a zip archive")
        raise DataError([f"{name}: this is {what}, not CSV text: export it as CSV UTF-8 "
                         f'(in Excel: File → Save As → "CSV UTF-8 (Comma delimited)")'])
    head = data[:4000]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head.count(b"\x00") * 3 > len(head):
        raise DataError([f"{name}: saved as UTF-16 (Unicode text), not UTF-8: {SAVE_AS_UTF8}"])
    zero = data.find(b"\x00")
    if zero >= 0:
        line_no = data.count(b"\n", 0, zero) + 1
        raise DataError([f"{name}, line {line_no}: holds binary data (a zero byte), not CSV text: "
                         f"export the table as CSV UTF-8"])
    if not utf8:
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([_not_utf8(name, data, exc.start, expected)]) from None


def _not_utf8(name: str, data: bytes, at: int, expected: list[str]) -> str:
    """The problem of a file whose byte ``at`` is not UTF-8: its line and column, the field as the
    likely encoding reads it, and what to do."""
    line_no = data.count(b"\n", 0, at) + 1
    start = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    line = data[start:len(data) if end < 0 else end].rstrip(b"\r")
    encoding = None  # the file, or else the line, read as GBK
    for what, text in (("the file is", data), ("this line is", line)):
        try:
            text.decode("gb18030")
        except UnicodeDecodeError:
            continue
        encoding = what
        break
    before = next(csv.reader([data[start:at].decode("utf-8", errors="replace") + "x"]), [""])
    k = len(before) - 1  # the field the byte is in (commas and quotes are the same bytes in GBK)
    where = f"{name}, line {line_no}" + (" (header)" if line_no == 1 else "")
    if line_no > 1 and k < len(expected):
        where += f", column '{expected[k]}'"
    value = ""
    if encoding:
        fields = next(csv.reader([line.decode("gb18030", errors="replace")]), [])
        if k < len(fields):
            value = f" (it reads {fields[k]!r} as GBK)"
    said = (f"{encoding} in the GBK (GB2312/GB18030) encoding of Chinese Windows, not UTF-8{value}"
            if encoding else f"byte 0x{data[at]:02x} is not UTF-8 text")
    return f"{where}: {said}: {SAVE_AS_UTF8}"



# --- the region tree -------------------------------------------------------------------------------

def region_tree_problems(regions: pd.DataFrame) -> list[str]:
    """Problems of the tree of regions (validated ``regions.csv``: ids unique, references known):
    a region that is its own parent or lies in a cycle of parents; a parent that is not on a
    higher level; the nation with a parent or province; a region without its parent or province;
    a ``province_id`` that names a region that is not a province, or a province other than the
    one its parents lie in. Problems come in row order."""
    ids = regions["id"].to_numpy(dtype=object)
    n = len(ids)
    index = pd.Index(ids)
    parent_id = regions["parent_id"].to_numpy(dtype=object)
    province_id = regions["province_id"].to_numpy(dtype=object)
    parent = index.get_indexer(regions["parent_id"])  # -1: none
    province = index.get_indexer(regions["province_id"])
    level = regions["level"].to_numpy(dtype=object)
    rank = regions["level"].map(LEVEL_RANK).to_numpy(dtype=int)
    nation, is_province = level == "nation", level == "province"
    rows = np.arange(n)

    # Walk up the parents of every region at once: a region whose walk comes back to it lies in a
    # cycle; a walk that has not ended after n steps is caught in one. On the way, note the first
    # province met above each region.
    in_cycle = np.zeros(n, dtype=bool)
    chain_province = np.full(n, -1)
    up = parent.copy()
    for _ in range(n):
        walking = up >= 0
        if not walking.any():
            break
        at = np.where(walking, up, 0)
        in_cycle |= walking & (at == rows)
        found = walking & (chain_province < 0) & is_province[at]
        chain_province[found] = at[found]
        up = np.where(walking, parent[at], -1)
    stuck = up >= 0  # in a cycle or above one: the rules below cannot be judged

    found: list[tuple[int, int, str]] = []  # (row, order of the rule, problem)

    def add(mask: np.ndarray, order: int, text) -> None:
        for i in np.flatnonzero(mask).tolist():
            found.append((i, order, f"{_where('regions.csv', i)}, {text(i)}"))

    has_parent, has_province = parent >= 0, province >= 0
    own = has_parent & (parent == rows)
    add(own, 0, lambda i: f"column 'parent_id': {ids[i]!r} is its own parent; parent_id names the region "
                          f"one level up")
    first_of_cycle = in_cycle & ~own
    for i in np.flatnonzero(first_of_cycle).tolist():  # one problem per cycle, at its first row
        first_of_cycle[i] = i == min(_cycle(i, parent))
    add(first_of_cycle, 0, lambda i: "column 'parent_id': the parents go round in a circle ("
                                     + " → ".join(repr(ids[k]) for k in _cycle(i, parent)) + f" → {ids[i]!r}); "
                                     "parent_id names the region one level up, ending at the nation")
    judged = ~stuck
    add(judged & nation & has_parent, 1,
        lambda i: f"column 'parent_id': the nation has no parent; leave parent_id empty (got {parent_id[i]!r})")
    add(judged & ~nation & ~has_parent, 1,
        lambda i: f"column 'parent_id': value is required for a {level[i]}: the id of the region one level up")
    wrong_level = judged & ~nation & has_parent & (rank[np.where(has_parent, parent, 0)] >= rank)
    add(wrong_level, 1, lambda i: f"column 'parent_id': {parent_id[i]!r} is a {level[parent[i]]}, not a level "
                                  f"above this {level[i]}; parent_id names the region one level up")
    add(nation & has_province, 2,
        lambda i: f"column 'province_id': must be empty for the nation (got {province_id[i]!r})")
    add(is_province & (province != rows), 2,
        lambda i: f"column 'province_id': a province's province_id is its own id {ids[i]!r} "
                  + (f"(got {province_id[i]!r})" if has_province[i] else "(it is empty)"))
    lower = ~nation & ~is_province
    add(lower & ~has_province, 2,
        lambda i: f"column 'province_id': value is required for a {level[i]}: the id of the province it lies in")
    not_a_province = lower & has_province & ~is_province[np.where(has_province, province, 0)]
    add(not_a_province, 2,
        lambda i: f"column 'province_id': {province_id[i]!r} is a {level[province[i]]}, not a province (its "
                  f"briefing would compare the region with it as its province); set province_id to the "
                  f"province the region lies in")
    other = lower & judged & has_province & ~not_a_province & (chain_province >= 0) & (chain_province != province)
    add(other, 2, lambda i: f"column 'province_id': {province_id[i]!r}, but its parent {parent_id[i]!r} lies in "
                            f"{ids[chain_province[i]]!r}; set province_id to {ids[chain_province[i]]!r} or "
                            f"correct parent_id")
    return [text for _, _, text in sorted(found, key=lambda f: f[:2])]


def _cycle(i: int, parent: np.ndarray) -> list[int]:
    """The regions of the cycle of parents through ``i``, starting at ``i``."""
    path, j = [i], parent[i]
    while j != i:
        path.append(j)
        j = parent[j]
    return path


# --- a user's data dictionary ------------------------------------------------------------------------

def dictionary_problems(user: Path, bundled: Path) -> list[str]:
    """Why the data dictionary ``user`` (a data folder's ``dictionary.csv``) cannot be used in
    place of planlib's own (``bundled``): every column it adds, drops, reorders or validates
    differently. Differences in ``unit`` and ``meaning`` (documentation) are allowed, and so are
    missing optional columns at the end of a table (planlib added them after the dictionary was
    made). An empty list: the user's dictionary can be used."""
    name = user.name
    data = user.read_bytes()
    data = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    check_text(name, data, DICTIONARY_COLUMNS)
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader, None)
    if header != DICTIONARY_COLUMNS:
        return [f"{name}, line 1 (header): columns {header} are not those of a planlib data dictionary "
                f"{DICTIONARY_COLUMNS}: {_REMEDY}"]
    # (a meaning written with commas and no quotes runs on into extra fields: they are its words)
    mine = {(r[0], r[1]): (reader.line_num, r) for r in reader if len(r) >= len(DICTIONARY_COLUMNS)}
    with bundled.open(encoding="utf-8", newline="") as fh:
        ours_rows = list(csv.reader(fh))[1:]
    ours = {(r[0], r[1]): (k + 2, r) for k, r in enumerate(ours_rows) if len(r) >= len(DICTIONARY_COLUMNS)}
    problems = []
    for key, (line, r) in mine.items():
        if key not in ours:
            problems.append(f"{name}, line {line}: column '{key[1]}' of {key[0]}.csv is not in planlib's "
                            f"dictionary (planlib reads only its own columns): {_REMEDY}")
            continue
        theirs = ours[key][1]
        for field in DICTIONARY_RULES:
            k = DICTIONARY_COLUMNS.index(field)
            if r[k] != theirs[k]:
                problems.append(f"{name}, line {line} ({key[0]}.{key[1]}), column '{field}': {r[k]!r} differs "
                                f"from planlib's {theirs[k]!r}: {_REMEDY}")
    later = set()  # optional columns planlib added at the end of a table after this dictionary was made
    for table in dict.fromkeys(t for t, _ in ours):
        for key, (_, r) in reversed([(k, v) for k, v in ours.items() if k[0] == table]):
            if key in mine or r[DICTIONARY_COLUMNS.index("required")] == "yes":
                break
            later.add(key)
    for key, (line, _) in ours.items():
        if key not in mine and key not in later:
            problems.append(f"{name}: column '{key[1]}' of {key[0]}.csv is missing (line {line} of planlib's "
                            f"dictionary): {_REMEDY}")
    for table in dict.fromkeys(t for t, _ in ours):
        a = [c for t, c in mine if t == table and (t, c) in ours]
        b = [c for t, c in ours if t == table and (t, c) in mine]
        if a != b:
            problems.append(f"{name}: the columns of {table}.csv are in another order than in planlib's "
                            f"dictionary ({', '.join(b)}): {_REMEDY}")
    return problems


_REMEDY = ("planlib validates with its own dictionary and cannot use a changed one; undo the change, "
           "or remove dictionary.csv from the data folder")


# --- values against the lines of their documents ------------------------------------------------------

def available_documents(sources: pd.DataFrame, folder: Path) -> dict[str, Path]:
    """Source id → the text of its document, for the sources whose document planlib has
    (stored in the data folder's documents/, or a bundled seed document)."""
    out = {}
    seed = sources["seed_file"].astype(object).where(sources["seed_file"].notna(), None)
    for sid, file in zip(sources["id"].tolist(), seed.tolist()):
        path = document_path(folder, sid, file)
        if path is not None:
            out[sid] = path
    return out


def document_name(folder: Path, path: Path) -> str:
    """A document as a user finds it: ``documents/<id>.txt`` in the data folder, else its file name."""
    return f"{DOCUMENTS}/{path.name}" if path.parent == Path(folder) / DOCUMENTS else path.name


def cited_line_problems(obs: pd.DataFrame, documents: dict[str, Path], folder: Path) -> dict[int, str]:
    """Rows whose value_text is not on the line of the document they cite → the problem (without
    the row's location), for the sources whose document planlib has (``documents``).

    Each document is read once; each distinct (source, line, value_text) is looked up once. A
    value not on its line is looked for in the whole document, and the problem names the line it
    is on (the nearest to the one cited)."""
    if not documents or obs.empty:
        return {}
    line = obs["source_line"].to_numpy(dtype=float, na_value=np.nan)
    rows = np.flatnonzero(obs["source_id"].isin(list(documents)).to_numpy() & ~np.isnan(line))
    if not len(rows):
        return {}
    source = obs["source_id"].to_numpy(dtype=object)[rows]
    text = obs["value_text"].to_numpy(dtype=object)[rows]
    s_code, s_names = pd.factorize(source)
    t_code, t_values = pd.factorize(text)
    l_code, l_values = pd.factorize(line[rows])
    key = (s_code.astype(np.int64) * len(l_values) + l_code) * len(t_values) + t_code
    distinct, first, back = np.unique(key, return_index=True, return_inverse=True)
    lines: dict[str, tuple[str, ...] | str] = {}
    for sid in s_names:
        try:
            lines[sid] = document_lines(documents[sid])
        except (OSError, UnicodeDecodeError) as exc:
            lines[sid] = f"cannot be read ({exc.__class__.__name__}): save it as UTF-8 text"
    # Is each distinct value on its line? (one test per distinct key, not per row)
    k_source = s_names[s_code[first]]
    k_line = l_values[l_code[first]].astype(int)
    k_text = t_values[t_code[first]]
    ok = np.array([isinstance(lines[s], tuple) and 1 <= n <= len(lines[s]) and t in lines[s][n - 1]
                   for s, n, t in zip(k_source.tolist(), k_line.tolist(), k_text.tolist())], dtype=bool)
    if ok.all():
        return {}
    message = {}
    joined: dict[str, tuple[str, list[int]]] = {}
    for k in np.flatnonzero(~ok).tolist():
        s, n, t = k_source[k], int(k_line[k]), k_text[k]
        doc = document_name(folder, documents[s])
        if isinstance(lines[s], str):
            message[k] = f"column 'source_line': the document of source {s!r} ({doc}) {lines[s]}"
            continue
        if s not in joined:
            joined[s] = _line_starts(lines[s])
        on = _lines_with(t, *joined[s])
        what = (f"line {n} is past the end of the document of source {s!r} ({doc}, {len(lines[s])} lines)"
                if n > len(lines[s]) else
                f"value_text {t!r} is not on line {n} of the document of source {s!r} ({doc})")
        nearest = [m for m in on if abs(m - n) == min(abs(x - n) for x in on)] if n <= len(lines[s]) else []
        if nearest:  # the nearest line first (two as near: both)
            also = [m for m in on if m not in nearest]
            more = f" (also on line{'s' if len(also) > 1 else ''} {_numbers(also)})" if also else ""
            message[k] = (f"column 'source_line': {what}; it is on line {nearest[0]}{more}: set source_line to "
                          f"{nearest[0]}" if len(nearest) == 1 else
                          f"column 'source_line': {what}; it is on lines {nearest[0]} and {nearest[1]}, as near"
                          f"{more}: set source_line to the one meant")
        elif on:
            message[k] = (f"column 'source_line': {what}; value_text {t!r} is on line"
                          + (f" {on[0]}: set source_line to {on[0]}" if len(on) == 1 else
                             f"s {_numbers(on)}: set source_line to the one meant"))
        else:
            message[k] = (f"column 'value_text': {what}, nor anywhere else in it: write value_text exactly as "
                          f"the document does, and source_line as the line it is on")
    bad = ~ok[back]
    return {int(r): message[int(k)] for r, k in zip(rows[bad].tolist(), back[bad].tolist())}


def _numbers(lines: list[int], shown: int = 5) -> str:
    """Line numbers as text, at most ``shown`` of them."""
    return ", ".join(map(str, lines[:shown])) + (", …" if len(lines) > shown else "")


def _line_starts(lines: tuple[str, ...]) -> tuple[str, list[int]]:
    """A document as one text and the offset where each of its lines starts."""
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    return "\n".join(lines), starts


def _lines_with(text: str, joined: str, starts: list[int], limit: int = 50) -> list[int]:
    """The (1-based) lines of a document on which ``text`` is written, at most ``limit``."""
    found: list[int] = []
    at = joined.find(text)
    while at >= 0 and len(found) < limit:
        n = bisect.bisect_right(starts, at)
        if joined.find("\n", at, at + len(text)) < 0 and (not found or found[-1] != n):
            found.append(n)  # the whole text on one line
        at = joined.find(text, at + 1)
    return found
