"""Benchmark: building N briefings three ways on this machine, side by side.

(a) naive: per region, the papermill CLI then `jupyter nbconvert --to html --no-input`, serially;
(b) `planlib briefings` with its defaults (warm kernel per worker, one worker per core);
(c) floor: planlib's narrative and figure functions in one warm process, no notebook (and the
    CSVs and index facts the batch makes beside each page).

Synthetic regions are clones of the five seed regions' observations under new ids, written to
a temporary data folder (data/ is never touched). Prints seconds per briefing, the ratios, the
cores and peak memory of (b), checks that (b)'s narrative and figure files equal (a)'s, and
(d) reads one worker's and its kernel's memory over many regions built one after another (it
must stay flat). The last line is machine-readable:

    briefings n=40 cores=2 naive=13.9s planlib=1.2s floor=1.6s speedup=11.6 overhead=1.5

speedup = naive / planlib; overhead = planlib × cores / floor (per-core cost relative to the floor).
Run with `make bench` or `python benchmarks/briefings.py --n 40`.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "briefing.ipynb"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import SEEDS, make_data, make_ids  # the synthetic regions of both benchmarks


class TreeMemory(threading.Thread):
    """Samples the resident memory of a process and all its descendants (Linux /proc)."""

    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples, self.stop = pid, every, [], threading.Event()

    def _tree(self) -> list[int]:
        """The process and its descendants, read from /proc/<pid>/task/<tid>/children (cheap)."""
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            try:
                for tid in os.listdir(f"/proc/{p}/task"):
                    with open(f"/proc/{p}/task/{tid}/children") as fh:
                        todo += [int(c) for c in fh.read().split()]
            except OSError:
                pass
        return out

    def run(self) -> None:
        while not self.stop.is_set():
            total = 0
            for p in self._tree():
                try:
                    with open(f"/proc/{p}/status") as fh:
                        total += next((int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:")), 0)
                except OSError:
                    pass
            self.samples.append((time.perf_counter(), total))
            time.sleep(self.every)


def run_naive(ids: list[str], data: Path, out: Path, figs: Path) -> float:
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    for rid in ids:
        nb = out / f"{rid}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(NOTEBOOK), str(nb), "-p", "region", rid, "-p", "lang", "en",
                        "-p", "figures_dir", str(figs), "-p", "data_dir", str(data), "-k", "python3",
                        "--cwd", str(NOTEBOOK.parent), "--no-progress-bar"],
                       check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)],
                       check=True, capture_output=True)
    return (time.perf_counter() - t0) / len(ids)


def run_planlib(ids: list[str], data: Path, out: Path, figs: Path) -> tuple[float, int, list]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "planlib"), "--data", str(data), "briefings", *ids, "--out", str(out),
                             "--figures", str(figs), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mem = TreeMemory(proc.pid)
    mem.start()
    _, stderr = proc.communicate()
    mem.stop.set()
    mem.join()
    if proc.returncode:
        sys.exit(f"planlib briefings failed:\n{stderr.decode()[-2000:]}")
    return (time.perf_counter() - t0) / len(ids), max(s for _, s in mem.samples), mem.samples


def run_floor(ids: list[str], data: Path, figs: Path) -> float:
    """The same work as a batch's briefing, as plain function calls in this (warm) process: the
    notebook's calls, then what the batch makes beside each page (its two CSVs and what the index
    shows of the region)."""
    from planlib import analyse_region
    from planlib.apps.batch import INDEX_LANGS
    from planlib.apps.pages import region_facts
    from planlib.report.briefing import Briefing
    from planlib.report.downloads import numbers_csv, options_csv
    from planlib.report.figures import region_figures
    from planlib.report.outlook import assessment_html, figure_html, options_html

    def one(rid: str) -> tuple[list, list]:  # the cells of notebooks/briefing.ipynb, in order
        analysis = analyse_region(rid, str(data))
        b = Briefing(analysis, lang="en")
        figures = region_figures(analysis, figs / rid, lang="en")
        text = [b.header_markdown(), b.summary_html()]
        for section, figure in (("life_expectancy", "life_expectancy"), ("maternal_child", "mortality"),
                                ("workforce", "workforce")):
            text += [b.section_markdown(section), b.figure_html(figure, figures[figure][0])]
        text += [b.previous_plan_html(), assessment_html(analysis, "en"), options_html(analysis, "en"),
                 figure_html(analysis, figures["outlook"][0], "en")]
        text += [b.quality_markdown(), b.sources_markdown(), b.stamp()]
        # beside the page (planlib.apps.batch works these out in its parent process)
        downloads = [numbers_csv(analysis, "en"), options_csv(analysis, "en"), region_facts(rid, str(data), INDEX_LANGS)]
        return text, downloads

    one(ids[0])  # warm-up: imports and data caches, not counted
    t0 = time.perf_counter()
    for rid in ids:
        one(rid)
    return (time.perf_counter() - t0) / len(ids)


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def run_memory(ids: list[str], data: Path, out: Path, figs: Path, skip: int) -> dict[str, tuple[float, float, float]]:
    """One worker's view, in a new process like a batch worker: build ``ids`` one after another
    through planlib's warm kernel, reading the resident memory of the worker and of its kernel
    after each. Returns, per process: MiB after region ``skip`` (caches filled), MiB at the end,
    and the least-squares slope from region ``skip`` on, in MiB per region."""
    import json
    r = subprocess.run([sys.executable, __file__, "--memory-probe", str(data), str(out), str(figs), str(skip), *ids],
                       capture_output=True, text=True, check=False)
    if r.returncode:
        sys.exit(f"memory run failed:\n{r.stderr[-2000:]}")
    return {k: tuple(v) for k, v in json.loads(r.stdout.splitlines()[-1]).items()}


def memory_probe(data: Path, out: Path, figs: Path, skip: int, ids: list[str]) -> None:
    """The child process of :func:`run_memory`; prints its result as JSON."""
    import json

    from planlib.apps import batch
    batch._skip_slow_imports()  # as batch._init_worker does
    out.mkdir(parents=True)
    worker, kernel = [], []
    for rid in ids:
        r = batch.build_one(rid, "en", out, figs, str(data))
        if not r.ok:
            sys.exit(f"memory run: {rid} failed: {r.error}")
        worker.append(rss_mib(os.getpid()))
        kernel.append(rss_mib(batch._WARM.km.provisioner.pid))
    batch._WARM.shutdown()

    def summary(values: list[float]) -> tuple[float, float, float]:
        ys = values[skip - 1:]
        xs = range(len(ys))
        mx, my = sum(xs) / len(ys), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        return ys[0], ys[-1], slope

    print(json.dumps({"worker": summary(worker), "kernel": summary(kernel)}))


def load_times() -> dict[str, float]:
    """Seconds, in a fresh process: ``import planlib`` (top level, loads on first use), importing
    the data layer (pandas, pandera), the first load of the bundled data and the slowest warm
    ``planlib.load_*`` call (mean of 20)."""
    code = ("import time, json; t0 = time.perf_counter(); import planlib; t1 = time.perf_counter()\n"
            "import planlib.data; t2 = time.perf_counter(); planlib.load_observations(); t3 = time.perf_counter()\n"
            "names = ['load_tables', 'load_regions', 'load_indicators', 'load_sources', 'load_units', 'load_observations']\n"
            "warm = {}\n"
            "for n in names:\n"
            "    f = getattr(planlib, n); s = time.perf_counter()\n"
            "    for _ in range(20): f()\n"
            "    warm[n] = (time.perf_counter() - s) / 20\n"
            "print(json.dumps({'import': t1 - t0, 'import_data': t2 - t1, 'first_load': t3 - t2,"
            " 'warm_max': max(warm.values()), 'warm_slowest': max(warm, key=warm.get)}))")
    import json
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


STAMP_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def displayed_text(nb_path: Path) -> list[str]:
    """Markdown and HTML a briefing notebook displayed, with the build time masked."""
    import nbformat
    nb = nbformat.read(nb_path, as_version=4)
    return [STAMP_TIME.sub("<time>", o["data"][mime]) for c in nb.cells for o in c.get("outputs", [])
            for mime in ("text/markdown", "text/html") if mime in o.get("data", {})]


def compare_outputs(ids: list[str], a: Path, figs_a: Path, b: Path, figs_b: Path) -> tuple[int, int, list[str]]:
    """Compare (b)'s briefings with the naive (a) ones: displayed text and figure files.
    Returns (regions compared, figure files compared, differences)."""
    diffs, files = [], 0
    for rid in ids:
        if displayed_text(a / f"{rid}.ipynb") != displayed_text(b / f"{rid}.ipynb"):
            diffs.append(f"{rid}: narrative differs")
        names = sorted(p.name for p in (figs_a / rid).iterdir())
        if names != sorted(p.name for p in (figs_b / rid).iterdir()):
            diffs.append(f"{rid}: different figure files")
        for name in names:
            files += 1
            if (figs_a / rid / name).read_bytes() != (figs_b / rid / name).read_bytes():
                diffs.append(f"{rid}/{name}: bytes differ")
    return len(ids), files, diffs


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--memory-probe"]:
        data, out, figs, skip, *ids = argv[1:]
        return memory_probe(Path(data), Path(out), Path(figs), int(skip), ids)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=40, help="briefings per method (default 40)")
    p.add_argument("--naive-n", type=int, default=None,
                   help="measure the naive loop on the first K regions only (default: all N); "
                        "its seconds per briefing are reported as measured")
    p.add_argument("--memory-n", type=int, default=80,
                   help="regions built one after another by one worker for the memory check (default 80)")
    args = p.parse_args(argv)
    cores = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="planlib-bench-"))
    try:
        data = tmp / "data"
        ids = make_data(data, args.n)
        lt = load_times()
        print(f"cold `import planlib`: {lt['import']:.3f} s; data layer (pandas, pandera) {lt['import_data']:.2f} s; "
              f"first load_observations() {lt['first_load']:.2f} s; slowest warm planlib.load_*: "
              f"{lt['warm_max'] * 1000:.2f} ms ({lt['warm_slowest']}; goal < 200 ms)")
        naive_ids = ids[: args.naive_n or args.n]
        print(f"(a) naive: papermill CLI + nbconvert CLI per region, serial, {len(naive_ids)} regions …", flush=True)
        naive = run_naive(naive_ids, data, tmp / "a", tmp / "figs_a")
        print(f"    {naive:.2f} s per briefing")
        print(f"(b) planlib briefings (defaults: warm kernel per worker, {cores} workers), {len(ids)} regions …", flush=True)
        planlib_s, peak, samples = run_planlib(ids, data, tmp / "b", tmp / "figs_b")
        quarter = [s for t, s in samples if t <= samples[0][0] + (samples[-1][0] - samples[0][0]) * 0.25]
        late = [s for t, s in samples if t >= samples[0][0] + (samples[-1][0] - samples[0][0]) * 0.75]
        print(f"    {planlib_s:.2f} s per briefing; peak memory of the process tree {peak / 2**20:.0f} MiB "
              f"(max in first quarter {max(quarter) / 2**20:.0f} MiB, last quarter {max(late) / 2**20:.0f} MiB)")
        n_cmp, n_files, diffs = compare_outputs(naive_ids, tmp / "a", tmp / "figs_a", tmp / "b", tmp / "figs_b")
        print(f"    outputs of (b) against (a), {n_cmp} regions: "
              + ("narrative identical, " f"{n_files} figure files byte-identical" if not diffs
                 else f"{len(diffs)} DIFFERENCES: " + "; ".join(diffs[:10])))
        print(f"(c) floor: planlib functions in one warm process, no notebook, {len(ids)} regions …", flush=True)
        floor = run_floor(ids, data, tmp / "figs_c")
        print(f"    {floor:.2f} s per briefing")
        skip = min(20, max(1, args.memory_n // 2))  # caches fill over the first regions; fewer in a short run
        print(f"(d) memory: one worker and its warm kernel, {args.memory_n} regions one after another "
              f"(slope from region {skip} on) …", flush=True)
        mem_data = data
        if args.memory_n > args.n:
            mem_data = tmp / "data_memory"
            make_data(mem_data, args.memory_n)
        mem_ids = make_ids(args.memory_n)
        for name, (start, end, slope) in run_memory(mem_ids, mem_data, tmp / "d", tmp / "figs_d", skip).items():
            print(f"    {name}: {start:.0f} MiB after region {skip}, {end:.0f} MiB after region {args.memory_n} "
                  f"({slope:+.3f} MiB per region)")
        speedup, overhead = naive / planlib_s, planlib_s * cores / floor
        print(f"naive/planlib = {speedup:.1f}x (goal >= 8); planlib/floor = {planlib_s / floor:.2f}; "
              f"planlib x cores / floor = {overhead:.2f} (goal <= 1.5)")
        print(f"briefings n={args.n} cores={cores} naive={naive:.1f}s planlib={planlib_s:.1f}s floor={floor:.1f}s "
              f"speedup={speedup:.1f} overhead={overhead:.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
