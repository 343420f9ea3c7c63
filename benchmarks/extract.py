"""How well ``planlib extract`` reads the five seed plans, against their hand extraction.

    python benchmarks/extract.py [--seeds DIR] [--show-misses]

The hand extraction is ``data/observations.csv`` (rows whose source has a ``seed_file``).
A candidate matches a hand row on (indicator, year, kind, number) — or "text" for relative and
qualitative values — as multisets (two equal rows need two candidates). Printed: precision and
recall overall, for the 8 core indicators, for table and prose rows; on matched pairs the share
with the same line and the same comparator, unit, nature and plan cycle; time per document.
Candidates with no catalog indicator (unknown labels, listed with suggestions for review) are
counted apart: they are not proposals a reviewer can accept unchanged. This is a benchmark: it
prints figures and exits 0; it is not a test.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from planlib.data.extract.catalog import Catalog  # noqa: E402
from planlib.data.extract.extractor import extract_lines  # noqa: E402
from planlib.data.extract.normalise import normalise  # noqa: E402
from planlib.data.extract.reading import read_document  # noqa: E402
from planlib.data.tables import CORE_INDICATORS, load_tables  # noqa: E402


def _key(ind: str, year: int, kind: str, comparator: str, value: float | None) -> tuple:
    """The key candidates and hand rows are matched on."""
    num = "text" if comparator == "text" or value is None else round(float(value), 6)
    return (ind, int(year), kind, num)


def _norm_unit(u: str | None) -> str:
    """A unit as written, spaces and full-width % aside."""
    return "" if u is None else str(u).replace(" ", "").replace("％", "%")


def score(seeds: Path, show: bool = False) -> dict:
    """Run the extractor on each seed document and compare with the hand extraction."""
    t = load_tables(ROOT / "data")
    catalog = Catalog(t.indicators)
    src = t.sources.dropna(subset=["seed_file"])
    obs = t.observations
    labels, preds, times, unknown = [], [], {}, Counter()
    for s in src.itertuples():
        path = seeds / s.seed_file
        runs = []
        for _ in range(4):  # the first run loads OpenCC and compiles the alias pattern; the median of the rest
            normalise.cache_clear()  # every run reads the document as new
            t0 = time.process_time()  # CPU time: what the extraction costs, whatever else the machine runs
            doc = read_document(path)
            cands = extract_lines(doc.lines, catalog, s.kind)
            runs.append(time.process_time() - t0)
        times[s.id] = (sorted(runs[1:])[1], path.stat().st_size)
        for c in cands:
            if not c.indicator_id:
                unknown[s.id] += 1
                continue
            preds.append(dict(source=s.id, key=_key(c.indicator_id, c.year, c.kind, c.comparator, c.value),
                              line=c.line, comparator=c.comparator, unit=_norm_unit(c.unit_text),
                              nature=c.nature, cycle=c.plan_cycle, table=c.table, text=c.value_text,
                              core=c.indicator_id in CORE_INDICATORS))
        rows = obs[obs["source_id"] == s.id].astype(object).where(lambda d: d.notna(), None)
        for r in rows.itertuples():
            value = None if r.value is None else float(r.value)
            labels.append(dict(source=s.id, key=_key(r.indicator_id, r.year, r.kind, r.comparator, value),
                               line=int(r.source_line), comparator=r.comparator, unit=_norm_unit(r.unit_text),
                               nature=str(r.nature or ""), cycle=str(r.plan_cycle or ""),
                               table=str(r.note).lower().split(";")[0].find("table") >= 0, text=r.value_text,
                               core=r.indicator_id in CORE_INDICATORS))
    # match within each document and key, pairing the nearest lines first
    pairs = []
    by = defaultdict(lambda: ([], []))
    for p in preds:
        by[(p["source"], p["key"])][0].append(p)
    for lab in labels:
        by[(lab["source"], lab["key"])][1].append(lab)
    for ps, ls in by.values():
        free = list(ps)
        for lab in sorted(ls, key=lambda x: x["line"]):
            if not free:
                break
            best = min(free, key=lambda p: abs(p["line"] - lab["line"]))
            free.remove(best)
            best["matched"] = lab["matched"] = True
            pairs.append((best, lab))

    def pr(sel_p: Callable[[dict], bool], sel_l: Callable[[dict], bool]) -> tuple[float, float, int, int, int]:
        """Precision, recall, candidates, hand rows and hand rows found for a selection."""
        P = [p for p in preds if sel_p(p)]
        L = [lab for lab in labels if sel_l(lab)]
        tp_p = sum(1 for p in P if p.get("matched"))
        tp_l = sum(1 for lab in L if lab.get("matched"))
        return (tp_p / len(P) if P else float("nan"), tp_l / len(L) if L else float("nan"), len(P), len(L), tp_l)

    res = {
        "overall": pr(lambda p: True, lambda lab: True),
        "core": pr(lambda p: p["core"], lambda lab: lab["core"]),
        "table": pr(lambda p: p["table"], lambda lab: lab["table"]),
        "prose": pr(lambda p: not p["table"], lambda lab: not lab["table"]),
        "core table": pr(lambda p: p["core"] and p["table"], lambda lab: lab["core"] and lab["table"]),
        "core prose": pr(lambda p: p["core"] and not p["table"], lambda lab: lab["core"] and not lab["table"]),
    }
    fields = {f: sum(p[f] == lab[f] for p, lab in pairs) / len(pairs) if pairs else float("nan")
              for f in ("line", "comparator", "unit", "nature", "cycle")}
    per_doc = {}
    for s in src.itertuples():
        per_doc[s.id] = pr(lambda p, s=s: p["source"] == s.id, lambda lab, s=s: lab["source"] == s.id)
        per_doc[s.id + " core"] = pr(lambda p, s=s: p["source"] == s.id and p["core"],
                                     lambda lab, s=s: lab["source"] == s.id and lab["core"])
    out = dict(res=res, fields=fields, per_doc=per_doc, times=times, unknown=unknown)
    if show:
        print("\nMissed hand rows:")
        for lab in labels:
            if not lab.get("matched"):
                print(f"  {lab['source']} L{lab['line']}: {lab['key']} {lab['text']!r}")
        print("\nCandidates not in the hand extraction:")
        for p in preds:
            if not p.get("matched"):
                print(f"  {p['source']} L{p['line']}: {p['key']} {p['text']!r}")
    return out


def main() -> int:
    """Print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default=os.environ.get("PLANLIB_SEEDS", str(ROOT.parent / "shared" / "seeds")))
    ap.add_argument("--show-misses", action="store_true", help="list unmatched rows and candidates")
    args = ap.parse_args()
    seeds = Path(args.seeds)
    if not seeds.is_dir():
        print(f"seed documents not found at {seeds} (set PLANLIB_SEEDS or --seeds)", file=sys.stderr)
        return 2
    out = score(seeds, args.show_misses)
    print(f"\n{'split':<28}{'precision':>10}{'recall':>8}{'cands':>7}{'hand':>6}{'found':>7}")
    for name, (p, r, np_, nl, tp) in list(out["res"].items()) + list(out["per_doc"].items()):
        print(f"{name:<28}{p:>10.3f}{r:>8.3f}{np_:>7}{nl:>6}{tp:>7}")
    print("\nOn matched pairs, share with the same: " + ", ".join(f"{k} {v:.3f}" for k, v in out["fields"].items()))
    print("\nCPU time per document (read + extract; median of 3 runs after a warm-up run):")
    for sid, (sec, size) in out["times"].items():
        print(f"  {sid:<28}{sec * 1000:8.1f} ms  ({size / 1000:.0f} KB)")
    print("\nUnknown labels proposed for review (no catalog indicator): "
          + ", ".join(f"{k} {v}" for k, v in out["unknown"].items()) if out["unknown"] else "\nNo unknown labels.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
