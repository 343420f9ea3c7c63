"""Benchmark: planlib on a folder the size of every county in China, side by side with a plain read.

The five seed regions' observations are cloned under new ids to N synthetic regions (default
2,850, about the number of county-level units in China) in a temporary data folder (data/ is
never touched). Each measurement runs in a fresh process, so loads are cold:

- read:   a plain ``pandas.read_csv`` of observations.csv (the floor);
- load:   ``planlib.load_observations`` (read, pandera validation, cross-checks), the first call
  in the process; also shown after a first load of the bundled data, without the modules
  pandera imports on first use;
- check:  ``planlib.check_quality`` over all regions, after the load;
- region: one region's analysis, warm (folder loaded, a clone of each seed region analysed
  before, the timed ones not yet), the mean over ten regions; see :func:`one_region`;
- peak:   the largest ru_maxrss of the planlib measuring processes.

The last line is machine-readable:

    scale n=2850 rows=205670 read=0.15s load=0.55s check=0.91s region=28ms peak=232MiB

Run with `make bench-scale` or `python benchmarks/scale.py --n 1000`.
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]
#: Regions timed by the one-region measurement (two clones of each seed region).
REGION_SAMPLE = 10
# Goals printed next to the figures.
LOAD_GOAL, CHECK_GOAL, REGION_GOAL_MS, PEAK_GOAL_MIB = 4.0, 10.0, 50.0, 1024.0


def make_ids(n: int) -> list[str]:
    """Ids of the synthetic regions: seed region ids with a running number."""
    return [f"{SEEDS[i % len(SEEDS)]}_s{i:04d}" for i in range(n)]


def make_data(folder: Path, n: int) -> list[str]:
    """Copy data/ to ``folder`` and add ``n`` synthetic regions cloned from the seed regions."""
    shutil.copytree(ROOT / "data", folder)
    with (folder / "regions.csv").open(encoding="utf-8") as fh:
        regions = list(csv.DictReader(fh))
    with (folder / "observations.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, obs = reader.fieldnames, list(reader)
    by_id = {r["id"]: r for r in regions}
    seed_rows = {s: [o for o in obs if o["region_id"] == s] for s in SEEDS}
    ids = make_ids(n)
    with (folder / "regions.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(regions[0])).writerows(
            {**by_id[SEEDS[i % len(SEEDS)]], "id": rid,
             "name_en": f"{by_id[SEEDS[i % len(SEEDS)]]['name_en']} (synthetic {i})"}
            for i, rid in enumerate(ids))
    with (folder / "observations.csv").open("a", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        for i, rid in enumerate(ids):
            w.writerows({**o, "region_id": rid} for o in seed_rows[SEEDS[i % len(SEEDS)]])
    return ids


def one_region(rid: str, path: Path) -> dict[str, float]:
    """One region's analysis: ``planlib.analyse_region`` when planlib has it, else progress,
    benchmark comparison and quality findings of the region. Returns seconds per part."""
    import time

    import planlib
    if hasattr(planlib, "analyse_region"):  # its parts are computed on first use: time each one
        box = {}
        parts = {"analyse_region": lambda: box.setdefault("a", planlib.analyse_region(rid, path)),
                 "findings": lambda: box["a"].findings, "progress": lambda: box["a"].progress,
                 "comparisons": lambda: box["a"].comparisons}
    else:
        parts = {"assess_progress": lambda: planlib.assess_progress(rid, path),
                 "compare_benchmarks": lambda: planlib.compare_benchmarks(rid, path),
                 "check_quality": lambda: planlib.check_quality(path, region_id=rid)}
    seconds = {}
    for name, call in parts.items():
        t0 = time.perf_counter()
        call()
        seconds[name] = time.perf_counter() - t0
    return seconds


def peak_mib() -> float:
    """Peak resident memory of this process (ru_maxrss, KiB on Linux) in MiB."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(what: str, data: Path, ids: list[str]) -> dict:
    """One measurement, run in a fresh process by :func:`run`; returns seconds and peak MiB."""
    import time
    import pandas as pd
    if what == "read":
        t0 = time.perf_counter()
        rows = len(pd.read_csv(data / "observations.csv"))
        return {"read": time.perf_counter() - t0, "rows": rows, "peak": peak_mib()}
    import planlib
    import planlib.analysis.comparison
    import planlib.analysis.quality
    import planlib.analysis.targets  # noqa: F401  imports are not timed
    out = {"planlib": str(Path(planlib.__file__).parent)}
    if what == "region":  # load the bundled data first: imports done on first use (pandera's) are warm
        planlib.load_observations()
    t0 = time.perf_counter()
    planlib.load_observations(data)
    out["load"] = time.perf_counter() - t0
    if what == "check":
        t0 = time.perf_counter()
        out["findings"] = len(planlib.check_quality(data))
        out["check"] = time.perf_counter() - t0
    elif what == "region":
        planlib.load_tables(data).enriched  # the folder's shared preparation, not one region's
        for rid in ids[:len(SEEDS)]:  # one clone of each seed: imports on first use (scipy) are not
            one_region(rid, data)  # one region's cost
        runs = [one_region(rid, data) for rid in ids[len(SEEDS):]]
        out["region"] = sum(sum(r.values()) for r in runs) / len(runs)
        out["region_max"] = max(sum(r.values()) for r in runs)
        out["region_parts"] = {k: sum(r[k] for r in runs) / len(runs) for k in runs[0]}
    out["peak"] = peak_mib()
    return out


def run(what: str, data: Path, ids: list[str], repeat: int = 1) -> dict:
    """:func:`measure` in a new Python process (cold caches), ``repeat`` times; the fastest run's
    result (by its main figure), with the largest peak memory of all runs."""
    results = []
    for _ in range(repeat):
        r = subprocess.run([sys.executable, __file__, "--measure", what, str(data), *ids],
                           capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"measurement {what!r} failed:\n{r.stderr[-3000:]}")
        results.append(json.loads(r.stdout.splitlines()[-1]))
    best = min(results, key=lambda x: x[what])
    return {**best, "peak": max(x["peak"] for x in results)}


def goal(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--measure"]:
        what, data, *ids = argv[1:]
        print(json.dumps(measure(what, Path(data), ids)))
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=2850, help="synthetic regions (default 2850)")
    p.add_argument("--repeat", type=int, default=1,
                   help="run each measurement K times, each in a fresh process, and report the fastest "
                        "(default 1; more steadies the figures on a busy machine)")
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="planlib-scale-"))
    try:
        data = tmp / "data"
        print(f"cloning the seed regions to {args.n} synthetic regions …", flush=True)
        ids = make_data(data, args.n)
        sample = ids[: len(SEEDS) + REGION_SAMPLE]  # the first of each seed's clones warm up
        print(f"measuring, each figure in a fresh process{f', fastest of {args.repeat}' if args.repeat > 1 else ''} …",
              flush=True)
        read = run("read", data, [], args.repeat)
        check = run("check", data, [], args.repeat)
        region = run("region", data, sample, args.repeat)
        print(f"{read['rows']:,} observations of {args.n} synthetic and the bundled regions; planlib from "
              f"{check['planlib']}")
        x = {k: check[k] / read["read"] for k in ("load", "check")}
        ms = region["region"] * 1000
        peak = max(check["peak"], region["peak"])
        print(f"  {'plain pandas.read_csv(observations.csv)':<42}{read['read']:7.2f} s")
        print(f"  {'load_observations (cold)':<42}{check['load']:7.2f} s  {x['load']:5.1f}x read "
              f"(goal <= {LOAD_GOAL:g}x: {goal(x['load'] <= LOAD_GOAL)})")
        print(f"  {'  with first-use imports warm':<42}{region['load']:7.2f} s  "
              f"{region['load'] / read['read']:5.1f}x read")
        print(f"  {f'check_quality, all {args.n} regions':<42}{check['check']:7.2f} s  {x['check']:5.1f}x read "
              f"(goal <= {CHECK_GOAL:g}x: {goal(x['check'] <= CHECK_GOAL)}); {check['findings']:,} findings")
        print(f"  {'one region (warm), mean of ' + str(REGION_SAMPLE):<42}{ms:7.1f} ms (goal < {REGION_GOAL_MS:g} ms: "
              f"{goal(ms < REGION_GOAL_MS)}); slowest {region['region_max'] * 1000:.1f} ms")
        print("      " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in region["region_parts"].items()))
        print(f"  {'peak memory (ru_maxrss)':<42}{peak:7.0f} MiB (goal < {PEAK_GOAL_MIB:g} MiB: "
              f"{goal(peak < PEAK_GOAL_MIB)}); the plain read {read['peak']:.0f} MiB")
        print(f"scale n={args.n} rows={read['rows']} read={read['read']:.2f}s load={check['load']:.2f}s "
              f"check={check['check']:.2f}s region={ms:.0f}ms peak={peak:.0f}MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
