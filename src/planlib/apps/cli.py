"""Command line: ``planlib check`` (validate the tables, list data-quality findings), ``planlib summary``
(numbers per region), ``planlib briefings`` (build every briefing in parallel) and ``planlib extract``
(propose a new plan's values for review, then merge the accepted ones)."""
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
                              force=args.force, cell_timeout=args.cell_timeout, pdf=args.pdf, svg=args.svg)
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


def cmd_extract(args: argparse.Namespace) -> int:
    """Read a plan and write its candidate values for review (or show them); with --accept, merge a
    reviewed CSV into the data folder and check the region. Exit 2 on unreadable input or a
    rejected merge (nothing changed)."""
    from planlib.data.extract import extractor, review
    from planlib.data.extract.catalog import Catalog
    from planlib.data.extract.reading import ReadError
    if args.accept:
        try:
            res = review.merge_review(args.accept, args.data)
        except review.MergeError as exc:
            print(f"planlib: {args.accept}: not merged, the data folder is unchanged:", file=sys.stderr)
            for p in exc.problems:
                print(f"  {p}", file=sys.stderr)
            return 2
        made = f" (created {', '.join(res.created)})" if res.created else ""
        print(f"Merged {res.added} accepted row(s) of {res.source_id} into {res.folder}{made}; "
              f"{res.skipped} row(s) not accepted.")
        check = argparse.Namespace(data=str(res.folder), region=res.region_id, severity=None)
        return cmd_check(check)
    if not args.file or not args.region:
        print("planlib: extract needs a plan FILE and --region ID (or --accept REVIEW.csv)", file=sys.stderr)
        return 2
    t = data.load_tables(args.data)
    kind = args.source_kind
    source_id = args.source or f"{args.region}_{'14th_midterm' if kind == 'mid-term review' else '14th_plan'}"
    try:
        ext = extractor.extract(args.file, Catalog(t.indicators), args.region, source_id, kind)
    except ReadError as exc:
        print(f"planlib: {exc}", file=sys.stderr)
        return 2
    if not args.output:
        print(review.summary(ext))
        return 0
    region = {"name_zh": args.region_name_zh, "name_en": args.region_name_en, "level": args.level,
              "parent_id": args.parent, "province_id": args.province}
    source = {"title": args.title, "issuer": args.issuer, "date": args.date, "kind": kind,
              "document_number": args.document_number, "title_en": args.title_en, "issuer_en": args.issuer_en,
              "note": f"Added with planlib extract from {ext.document.path.name}; values reviewed by hand."}
    paths = review.write_review(ext, args.output, region, source)
    print(f"{ext.document.path}: read as {ext.document.encoding}; {len(ext.candidates)} candidate value(s) "
          f"written to {paths[0]} (document text: {paths[1].name}, region and source: {paths[2].name}).")
    print(f"Mark each row accept or reject in its status column (or edit it), then run "
          f"planlib extract --accept {paths[0]}")
    return 0


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
                    "Figures go to <figures>/<region>/ as PNG (200 dpi), with --svg also as SVG. "
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
    b.add_argument("--svg", action="store_true",
                   help="also write each figure as SVG beside its PNG (vector, for editing; about 0.8 s "
                        "more per briefing)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--force", action="store_true",
                   help="rebuild briefings whose inputs have not changed since the last build")
    b.add_argument("--engine", default="warm", choices=["warm", "papermill"],
                   help="warm: one kernel per worker, reset between regions (fast); "
                        "papermill: a fresh kernel per region")
    b.set_defaults(func=cmd_briefings)
    e = sub.add_parser("extract", help="propose a plan's indicator values for review; --accept merges a review")
    e.add_argument("file", nargs="?", metavar="FILE", help="the plan: .txt, .html, .pdf or .docx")
    e.add_argument("--region", help="id of the region the plan is about (new or in regions.csv)")
    e.add_argument("--source", help="id for the document in sources.csv (default: <region>_14th_plan)")
    e.add_argument("-o", "--output", metavar="REVIEW.csv", help="write the review CSV (default: a summary on screen)")
    e.add_argument("--accept", metavar="REVIEW.csv", help="merge the rows marked accept into the data folder")
    e.add_argument("--data", default=argparse.SUPPRESS, help="data folder (as planlib --data)")
    e.add_argument("--source-kind", default="local plan", choices=["local plan", "mid-term review"],
                   help="kind of document (default: local plan)")
    for name, what in (("region-name-zh", "region's Chinese name"), ("region-name-en", "region's English name"),
                       ("level", "region's level (county-level city, district …)"),
                       ("parent", "id of the region one level up"), ("province", "id of the region's province"),
                       ("title", "document title"), ("issuer", "body that issued the document"),
                       ("title-en", "document title in English, for English readers"),
                       ("issuer-en", "issuer in English, for English readers"),
                       ("date", "date of issue (YYYY[-MM[-DD]])"), ("document-number", "文号")):
        e.add_argument(f"--{name}", help=f"for a new region or source: {what}")
    e.set_defaults(func=cmd_extract)
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
