"""Command line: ``planlib check`` (validate the tables, list data-quality findings), ``planlib summary``
(numbers per region) and ``planlib briefings`` (build every briefing in parallel)."""
from __future__ import annotations

import argparse
import sys
import textwrap

import pandas as pd

from planlib.data import tables as data
from planlib.analysis.quality import check_quality
from planlib.data.schema import DataError


def _print_findings(df: pd.DataFrame, width: int = 100) -> None:
    if df.empty:
        print("No data-quality findings.")
        return
    for region, g in df.groupby("region_id", sort=False):
        print(f"\n== {region}: {len(g)} finding(s)")
        for r in g.itertuples():
            head = f"[{r.severity}] {r.indicator_id} {r.year} — {r.check}"
            print(head)
            print(textwrap.fill(r.message, width, initial_indent="    ", subsequent_indent="    "))
            print(textwrap.fill(f"lines: {r.source_lines}", width, initial_indent="    ",
                                subsequent_indent="    "))
    counts = df.groupby(["check", "severity"]).size().rename("findings").reset_index()
    print("\nSummary by check:")
    print(counts.to_string(index=False))


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the tables and print every data-quality finding. Findings are not failures."""
    t = data.load_tables(args.data)
    print(f"Loaded {len(t.observations)} observations, {len(t.indicators)} indicators, "
          f"{len(t.regions)} regions, {len(t.sources)} sources from {t.folder}: all valid.")
    df = check_quality(args.data, region_id=args.region)
    if args.severity:
        keep = {"error": ["error"], "warning": ["error", "warning"], "info": ["error", "warning", "info"]}
        df = df[df["severity"].isin(keep[args.severity])]
    _print_findings(df)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Print how many numbers each region has, by kind, and the core indicators covered."""
    t = data.load_tables(args.data)
    obs = t.observations
    names = t.regions.set_index("id")["name_en"]
    tab = obs.pivot_table(index="region_id", columns="kind", values="value_text", aggfunc="count",
                          fill_value=0)
    core = obs[obs["indicator_id"].isin(data.CORE_INDICATORS)]
    tab["core indicators"] = core.groupby("region_id")["indicator_id"].nunique()
    tab["indicators"] = obs.groupby("region_id")["indicator_id"].nunique()
    tab["sources"] = obs.groupby("region_id")["source_id"].nunique()
    tab = tab.fillna(0).astype(int)
    order = [r for r in t.regions["id"] if r in tab.index]
    tab = tab.loc[order]
    tab.insert(0, "name", names.reindex(tab.index))
    print(f"Data folder: {t.folder} (hash {data.data_hash(args.data)})")
    print(tab.to_string())
    print(f"\nBriefing regions (with a local plan or review): {', '.join(data.plan_regions(args.data))}")
    return 0


def cmd_briefings(args: argparse.Namespace) -> int:
    """Build briefings; exit 1 if any region failed (after building all the others), 2 on bad
    arguments or output folders, 128 + the signal number if interrupted (SIGINT 130, SIGTERM 143)."""
    from planlib.apps import batch
    regions = args.regions or []
    if args.all or not regions:
        regions = list(dict.fromkeys(regions + batch.default_regions(args.data)))
    try:
        batch.validate_regions(regions, args.data)
    except ValueError as exc:
        print(f"planlib: {exc}", file=sys.stderr)
        return 2
    try:  # before any work: folders that cannot hold the output stop the run here
        for create in (False, True):
            out = batch.check_folder(args.out, "--out", create)
            figures = batch.check_folder(args.figures, "--figures", create)
    except ValueError as exc:
        print(f"planlib: {exc}", file=sys.stderr)
        return 2
    if args.pdf:  # before any work: without a browser that prints, say what to install
        from planlib.apps.pdf import unavailable
        problem = unavailable()
        if problem:
            print(f"planlib: {problem}", file=sys.stderr)
            return 2
    langs = ("en", "zh") if args.lang == "both" else (args.lang,)
    code = 0
    try:
        results = batch.build(regions, out=out, jobs=args.jobs, langs=langs, data=args.data,
                              figures=figures, progress=not args.quiet, engine=args.engine,
                              force=args.force, cell_timeout=args.cell_timeout, pdf=args.pdf)
    except batch.BuildInterrupted as stop:
        results, code = stop.results, 128 + stop.signum
        print(f"planlib: {stop}", file=sys.stderr)
    failed = [r for r in results if not r.ok]
    skipped = sum(r.skipped for r in results)
    note = f" ({skipped} unchanged since the last build, skipped; --force rebuilds them)" if skipped else ""
    print(f"Built {len(results) - len(failed)} of {len(results)} briefing(s){note} into {out}"
          f" (index: {out / 'index.html'})")
    if failed:
        print("\nNot built:" if code else "\nFailed:", file=sys.stderr)
        for r in failed:
            where = f" at {r.cell}" if r.cell not in ("", "-") else ""
            print(f"  {r.region_id} ({r.lang}){where}: {r.error.splitlines()[0] if r.error else ''}",
                  file=sys.stderr)
    return code or (1 if failed else 0)


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planlib", description=__doc__)
    p.add_argument("--data", help="data folder (default: $PLANLIB_DATA or the bundled data/)")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="validate the tables and list data-quality findings")
    c.add_argument("--region", help="only this region id")
    c.add_argument("--severity", choices=["error", "warning", "info"],
                   help="show findings of this severity and worse")
    c.set_defaults(func=cmd_check)
    s = sub.add_parser("summary", help="numbers per region and indicator coverage")
    s.set_defaults(func=cmd_summary)
    from planlib.apps.batch import DEFAULT_FIGURES, DEFAULT_OUT
    from planlib.apps.kernel import DEFAULT_CELL_TIMEOUT
    b = sub.add_parser(
        "briefings", help="build per-region briefings (notebook → HTML, CSV, optionally PDF) in parallel",
        description="Build each region's briefing: <region>.html (offline, no internet needed), "
                    "<region>.csv (its numbers; UTF-8 for Excel/WPS), with --pdf <region>.pdf (A4), "
                    "and the executed notebook; Chinese ones end in .zh.html, .zh.csv, .zh.pdf. "
                    "index.html / index.zh.html give every region's status per core indicator and link "
                    "to each briefing, its downloads and methods.html.")
    b.add_argument("regions", nargs="*", metavar="REGION", help="region ids (default: every plan region)")
    b.add_argument("--all", action="store_true", help="every region with a local plan or review")
    b.add_argument("--jobs", type=_at_least_one, default=None,
                   help="worker processes, at least 1 (default: number of cores)")
    b.add_argument("--cell-timeout", type=_at_least_one, default=DEFAULT_CELL_TIMEOUT,
                   metavar="SECONDS",
                   help=f"longest a notebook cell may run; a region whose cell runs longer is "
                        f"retried once on a fresh kernel, then fails (default: {DEFAULT_CELL_TIMEOUT})")
    b.add_argument("--lang", default="en", choices=["en", "zh", "both"],
                   help="language of the briefings (both: English and Chinese)")
    b.add_argument("--out", default=str(DEFAULT_OUT),
                   help=f"output folder (default: {DEFAULT_OUT} in the current folder)")
    b.add_argument("--figures", default=str(DEFAULT_FIGURES),
                   help=f"figures folder, one sub-folder per region (default: {DEFAULT_FIGURES}/ in the current folder)")
    b.add_argument("--pdf", action="store_true",
                   help="also print each briefing to <region>.pdf beside its HTML (A4; needs Chromium: "
                        "Debian/Ubuntu `apt-get install chromium`, or `python -m playwright install "
                        "chromium`; checked before any work)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--force", action="store_true",
                   help="rebuild briefings whose inputs have not changed since the last build")
    b.add_argument("--engine", default="warm", choices=["warm", "papermill"],
                   help="warm: one kernel per worker, reset between regions (fast); "
                        "papermill: a fresh kernel per region")
    b.set_defaults(func=cmd_briefings)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataError as exc:
        print(f"planlib: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"planlib: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # e.g. the index page on a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"planlib: cannot write {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # before or after the build, which handles its own
        print("planlib: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
