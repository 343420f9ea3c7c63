"""Build briefings in batch: the briefing notebook run by papermill once per region, exported
to HTML without code, with an index page. One failing region never stops the others.

Faults: a kernel that dies or a cell that runs longer than the cell timeout costs one retry on a
fresh kernel (:mod:`planlib.apps.kernel`), then the region fails with the reason. SIGINT or
SIGTERM stops the build (workers and kernels too) and raises :class:`BuildInterrupted` with the
regions built so far; workers and their kernels exit when the parent dies. A region's notebook,
HTML, numbers (CSV), 2030 options (CSV), figures and, with ``pdf``, PDF are written together or not at all, and a
write error names the file; a PDF that cannot be printed fails its region with the reason.
"""
from __future__ import annotations

import html
import multiprocessing as mp
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from planlib.apps.kernel import (DEFAULT_CELL_TIMEOUT, KernelFault, WarmKernel, exit_with_parent,
                                 remove_stale_connection_files)
from planlib.apps.pages import Built, Facts, Row, dress_briefing, options_csv_name, region_facts, suffix, write_methods
from planlib.apps.pages import write_index as pages_index
from planlib.files import write_atomic, write_together
from planlib.resources import notebook

#: The briefing notebook: the checkout's ``notebooks/briefing.ipynb``, or the installed package's
#: copy (:mod:`planlib.resources`, which, unlike ``planlib.data``, imports no pandas: worker
#: processes start without it).
NOTEBOOK = notebook("briefing.ipynb")
#: Default output folders, relative: resolved against the current working directory when a build
#: starts (never inside the installed package).
DEFAULT_OUT = Path("build/briefings")
DEFAULT_FIGURES = Path("figures")
REGION_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass
class Result:
    """Outcome of one region's build."""

    region_id: str
    lang: str
    ok: bool
    seconds: float
    html: Path | None = None
    notebook: Path | None = None
    cell: str = ""
    error: str = ""
    skipped: bool = False
    csv: Path | None = None
    pdf: Path | None = None
    options_csv: Path | None = None
    #: What the index shows of the region, from the analysis this build made (None: skipped or failed).
    facts: Facts | None = None


def validate_regions(regions: list[str], data: str | None = None) -> list[str]:
    """Check region ids before they touch a path; unknown ids raise with the valid list."""
    from planlib.data.tables import load_tables
    valid = list(load_tables(data).regions["id"])
    bad = [r for r in regions if not REGION_ID.match(r) or r not in valid]
    if bad:
        raise ValueError(f"unknown region id(s): {', '.join(map(repr, bad))}; valid ids: {', '.join(valid)}")
    return regions


def _exporter():
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config
    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
    c.TagRemovePreprocessor.enabled = True
    # templates/briefing: JupyterLab's page without the scripts it would fetch from the internet
    ex = HTMLExporter(config=c, template_name="briefing",
                      extra_template_basedirs=[str(Path(__file__).parent / "templates")])
    ex.exclude_input = True
    ex.exclude_input_prompt = True
    ex.exclude_output_prompt = True
    ex.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return ex


_WARM: WarmKernel | None = None
_EXPORTER = None
_PRINTER = None  # this process's browser for --pdf (planlib.apps.pdf.Printer), started on first use


def _printer():
    global _PRINTER
    if _PRINTER is None:
        import atexit

        from planlib.apps.pdf import Printer
        _PRINTER = Printer()
        atexit.register(_PRINTER.close)
    return _PRINTER


def close_printer() -> None:
    """Stop this process's browser (--pdf), if it runs."""
    if _PRINTER is not None:
        _PRINTER.close()


def _warm_kernel(cwd: Path) -> WarmKernel:
    global _WARM
    if _WARM is None or _WARM.cwd != cwd:
        import atexit
        if _WARM is not None:
            _WARM.shutdown()
        _WARM = WarmKernel(cwd)
        atexit.register(_WARM.shutdown)
    return _WARM


def _skip_slow_imports() -> None:
    """Mark ``rfc3987_syntax`` absent in this process (see ``_init_worker``); nbformat still validates."""
    import sys
    sys.modules.setdefault("rfc3987_syntax", None)


def _init_worker(cwd: str, pdf: bool = False, parent: int | None = None) -> None:
    """Pool initializer: start this worker's kernel first, so it boots while the worker
    imports the rest of its tools.

    The worker stops its kernel and exits on SIGTERM and when the parent process dies
    (:func:`planlib.apps.kernel.exit_with_parent`); it ignores SIGINT, which the parent handles.

    Workers are planlib's own processes, so they also skip a known slow import: jsonschema
    (through nbformat) imports ``rfc3987_syntax`` when installed, which compiles ~35 Earley
    parsers for IRI formats at import (1.1 s here, python-jsonschema/jsonschema#1428). Notebook
    schemas use no IRI formats; marking the module absent makes jsonschema skip those checkers.
    """
    exit_with_parent(_kill_warm_kernel, parent=parent)
    _skip_slow_imports()
    _warm_kernel(Path(cwd)).start()
    if pdf:  # the browser starts in its own thread while the kernel boots
        _printer().warm()
    _html_exporter()


def shutdown_kernel() -> None:
    """Stop this process's warm kernel and remove its connection file (the next region that
    needs it starts a new one)."""
    if _WARM is not None:
        _WARM.shutdown()


def _kill_warm_kernel() -> None:
    """Kill this process's warm kernel and browser (--pdf) at once (signal handlers, parent death)."""
    if _WARM is not None:
        _WARM.kill()
    if _PRINTER is not None:
        _PRINTER.kill()


def _html_exporter():
    global _EXPORTER
    if _EXPORTER is None:
        _EXPORTER = _exporter()
    return _EXPORTER


def _execute(notebook: Path, params: dict, engine: str, cell_timeout: int = DEFAULT_CELL_TIMEOUT,
             after: str | None = None):
    """Run the briefing notebook with ``params``; raise on a failing cell, and
    :class:`~planlib.apps.kernel.KernelFault` when the kernel died or a cell ran longer than
    ``cell_timeout`` seconds twice (the warm engine retries once on a fresh kernel). ``after``:
    code the warm engine runs in the same kernel once the notebook has run."""
    import papermill as pm
    if engine == "papermill":
        return pm.execute_notebook(str(notebook), None, parameters=params, kernel_name="python3",
                                   progress_bar=False, cwd=str(notebook.parent), log_output=False,
                                   execution_timeout=cell_timeout)
    # papermill injects the parameters (prepare_only: no kernel); the warm kernel executes.
    nb = pm.execute_notebook(str(notebook), None, parameters=params, kernel_name="python3",
                             prepare_only=True, progress_bar=False, log_output=False)
    return _warm_kernel(notebook.parent).run(nb, cell_timeout, after=after)


@dataclass
class Extras:
    """What a batch makes beside a briefing's page from the region's analysis: its numbers and its
    2030 options as CSV, the region's name (the PDF's header) and what the index shows of it."""

    csv: bytes
    options: bytes
    name: str
    facts: Facts


def region_extras(region_id: str, lang: str, data: str | None) -> Extras:
    """The :class:`Extras` of a region's briefing in ``lang``, from its (cached) analysis."""
    from planlib.analysis.region import analyse_region
    from planlib.report.downloads import numbers_csv, options_csv
    analysis = analyse_region(region_id, data)
    return Extras(numbers_csv(analysis, lang), options_csv(analysis, lang), analysis.name(lang),
                  region_facts(region_id, data, INDEX_LANGS))


def save_extras(region_id: str, lang: str, data: str | None, path: str) -> None:
    """Run in the kernel that has just built the region's briefing: its :class:`Extras`, worked out
    from the analysis the notebook made (the kernel's cache holds it), pickled to ``path``.

    Nothing is written when they cannot be worked out: the worker then works them out itself and
    reports the error with the region. The file is this build's own, in its private staging folder.
    """
    import pickle
    try:
        extras = region_extras(region_id, lang, data)
    except Exception:  # noqa: BLE001 - the worker reports it (see above)
        return
    Path(path).write_bytes(pickle.dumps(extras))


def _extras_code(region_id: str, lang: str, data: str | None, path: Path) -> str:
    """The code the warm kernel runs after the notebook: :func:`save_extras` to ``path``."""
    return (f"from planlib.apps.batch import save_extras\n"
            f"save_extras({region_id!r}, {lang!r}, {data!r}, {str(path)!r})\n")


def _read_extras(path: Path) -> Extras | None:
    """The :class:`Extras` the kernel saved to ``path``, or None when it saved none."""
    import pickle
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        return None


def shown_path(path: Path | str) -> str:
    """A path as a message shows it: relative to the current folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def write_error(exc: OSError) -> str:
    """'cannot write <path>: <reason>' for an OSError from writing outputs."""
    where = f" {shown_path(exc.filename)}" if exc.filename else ""
    return f"cannot write{where}: {exc.strerror or exc}"


def build_one(region_id: str, lang: str, out: Path, figures: Path, data: str | None,
              notebook: Path = NOTEBOOK, engine: str = "warm",
              cell_timeout: int = DEFAULT_CELL_TIMEOUT, langs: tuple[str, ...] | None = None,
              pdf: bool = False, svg: bool = False) -> Result:
    """Execute the notebook for one region and write <out>/<region>.ipynb, .html, .csv (its
    numbers), <region>-2030.csv (its 2030 options, :func:`planlib.apps.pages.options_csv_name`),
    with ``pdf`` .pdf, and its figures (PNG, with ``svg`` also SVG) together: all of them, or none
    (the previous ones stay).

    The page links to the index, to the region's briefings in the other ``langs`` and to its
    downloads. The downloads, the name for the PDF's header and the index facts
    (:class:`Extras`, returned with the Result) come from the kernel that ran the notebook, which
    holds the region's analysis (``engine="warm"``); otherwise they are worked out here.

    The notebook draws the figures into a staging folder inside ``figures``; they are moved
    into ``figures/<region>/`` with the notebook and HTML once all are written. ``engine="warm"``
    reuses this process's kernel (reset between regions); ``"papermill"`` starts a fresh kernel
    through papermill for every region.
    """
    import nbformat

    t0 = time.perf_counter()
    suffix = "" if lang == "en" else f".{lang}"
    nb_path, html_path = out / f"{region_id}{suffix}.ipynb", out / f"{region_id}{suffix}.html"
    csv_path, pdf_path = out / f"{region_id}{suffix}.csv", out / f"{region_id}{suffix}.pdf"
    options_path = out / options_csv_name(region_id, lang)
    params = {"region": region_id, "lang": lang, "figures_dir": str(figures),
              "data_dir": None if data is None else str(Path(data).resolve())}
    if svg:  # only when asked: the notebook's default leaves them out
        params["svg"] = True
    try:
        figures.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".staging-{region_id}{suffix}-", dir=figures))
    except OSError as exc:
        return Result(region_id, lang, False, time.perf_counter() - t0, cell="-",
                      error=write_error(OSError(exc.errno, exc.strerror, str(figures))))
    try:
        extras_path = stage / "extras.pickle"
        after = _extras_code(region_id, lang, params["data_dir"], extras_path) if engine == "warm" else None
        try:
            nb = _execute(notebook, params | {"figures_dir": str(stage)}, engine, cell_timeout, after)
        except KernelFault as exc:
            return Result(region_id, lang, False, time.perf_counter() - t0,
                          cell=f"cell {exc.cell_number}" if exc.cell_number else "-", error=exc.reason)
        except Exception as exc:
            return Result(region_id, lang, False, time.perf_counter() - t0, cell=_failing_cell(exc),
                          error=_error_text(exc))
        for cell in nb.cells:  # the parameters as a reader should see them: the real folder
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                cell.source = cell.source.replace(str(stage), str(figures))
        nb.metadata.setdefault("planlib", {})["parameters"] = params
        nb.metadata["title"] = _title_of(nb) or region_id
        body, _ = _html_exporter().from_notebook_node(nb)
        body = dress_briefing(body, region_id, lang, tuple(langs or (lang,)), pdf)
        extras = _read_extras(extras_path) or region_extras(region_id, lang, data)
        contents = {nb_path: nbformat.writes(nb), html_path: body, csv_path: extras.csv,
                    options_path: extras.options}
        if pdf:
            from planlib.apps.pdf import PrintError
            try:
                contents[pdf_path] = _printer().pdf(body, extras.name, lang)
            except PrintError as exc:
                return Result(region_id, lang, False, time.perf_counter() - t0, cell="-",
                              error=f"cannot make the PDF: {exc}")
        staged = stage / region_id
        moves = {f: figures / region_id / f.name for f in sorted(staged.iterdir())} if staged.is_dir() else {}
        try:
            write_together(contents, moves)
        except OSError as exc:
            return Result(region_id, lang, False, time.perf_counter() - t0, cell="-", error=write_error(exc))
        if not pdf:  # a PDF of an earlier build no longer matches the page (which links none)
            pdf_path.unlink(missing_ok=True)
        if not svg:  # nor do the SVGs of an earlier build with --svg
            for f in _figure_paths(figures, region_id, lang, ("svg",)):
                f.unlink(missing_ok=True)
        del nb, body, contents
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    trim_memory()
    return Result(region_id, lang, True, time.perf_counter() - t0, html=html_path, notebook=nb_path,
                  csv=csv_path, pdf=pdf_path if pdf else None, options_csv=options_path, facts=extras.facts)


def trim_memory() -> bool:
    """Hand memory freed by the last region back to the operating system (glibc ``malloc_trim``).

    A briefing passes a few megabytes of images through the worker (Jupyter messages, notebook,
    HTML); glibc keeps such freed blocks, so a worker's resident memory crept up by ~0.15 MiB
    per region with no live object behind it. Trimming after each region keeps it flat (Dask
    workers do the same). Returns False where there is no glibc (macOS, Windows, musl).
    """
    import ctypes
    global _LIBC
    if _LIBC is None:
        try:
            _LIBC = ctypes.CDLL(None)  # the C library the interpreter runs on
            _LIBC.malloc_trim  # noqa: B018 - glibc only
        except (OSError, AttributeError, TypeError):
            _LIBC = False
    if not _LIBC:
        return False
    _LIBC.malloc_trim(0)
    return True


_LIBC = None


def _title_of(nb) -> str | None:
    """The briefing's title as plain text: the first Markdown heading the executed notebook
    displayed, without the escapes that keep data from reading as markup (the HTML template
    escapes the title itself)."""
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            text = o.get("data", {}).get("text/markdown", "")
            if text.startswith("# "):
                plain = re.sub(r"<[^>]*>", "", text.splitlines()[0][2:].strip())
                return html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", plain))
    return None


def _failing_cell(exc: Exception) -> str:
    count = getattr(exc, "exec_count", None)
    if count is not None:
        return f"cell {count}"
    cell = getattr(exc, "cell", None)
    if cell is not None and cell.get("execution_count") is not None:
        return f"cell {cell['execution_count']}"
    return "-"


def _error_text(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}".strip()


def _safe_build(*args) -> Result:
    try:
        return build_one(*args)
    except Exception as exc:
        return Result(args[0], args[1], False, 0.0, cell="-",
                      error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")


#: Languages of the index pages (both, whatever the briefings' languages).
INDEX_LANGS = ("en", "zh")


def write_index(results: list[Result], out: Path, data: str | None = None,
                langs: tuple[str, ...] = INDEX_LANGS, facts: dict[str, Facts] | None = None) -> Path:
    """The cross-region overview in ``out``: ``index.html`` (English) and ``index.zh.html``
    (Chinese), one row per region with a verdict per core indicator and links to its briefings
    and downloads, then the final assessment per region; ``methods.html`` beside them. ``facts``:
    what the index shows of regions already analysed in this build
    (:func:`planlib.apps.pages.region_facts`); the others are worked out here. Returns the English
    index."""
    by_region: dict[str, Row] = {}
    for r in results:
        by_region.setdefault(r.region_id, Row(r.region_id)).briefings.append(
            Built(r.lang, r.ok, r.skipped, r.seconds, r.error, r.cell,
                  pdf=r.pdf is not None or (r.skipped and (out / f"{r.region_id}{suffix(r.lang)}.pdf").is_file())))
    methods = write_methods(out) is not None
    return pages_index(list(by_region.values()), out, data, langs, methods, facts)[0]


FIGURE_NAMES = ("life_expectancy", "mortality", "workforce", "outlook")


#: The planlib package folder: every file in it is an input of every briefing.
PACKAGE = Path(__file__).resolve().parents[1]


def package_hash(package: Path = PACKAGE) -> str:
    """SHA-256 over every file of the planlib package (path and content), in a stable order.

    No list of modules to keep up to date: a change to any module, or a new one, changes the hash.
    Compiled caches (``__pycache__``) are left out; they follow the sources.
    """
    import hashlib
    h = hashlib.sha256()
    for f in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(f.relative_to(package).as_posix().encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()


def inputs_key(region_id: str, lang: str, figures: Path, data: str | None, notebook: Path,
               package: str | None = None, langs: tuple[str, ...] = (), pdf: bool = False,
               svg: bool = False) -> str:
    """Hash of everything a briefing depends on: data files, notebook, parameters, every file
    of the planlib package (``package``: a precomputed :func:`package_hash`), the languages
    and PDF built with it (its links bar names them), and whether its figures have SVGs."""
    import hashlib
    import json

    from planlib import __version__
    from planlib.data.tables import data_hash
    h = hashlib.sha256()
    h.update(json.dumps({"region": region_id, "lang": lang, "figures": str(figures),
                         "data": data_hash(data), "planlib": __version__,
                         "langs": sorted(langs), "pdf": pdf} | ({"svg": True} if svg else {}),
                        sort_keys=True).encode())
    h.update(notebook.read_bytes())
    h.update((package or package_hash()).encode())
    return h.hexdigest()


def _stamp_path(out: Path, region_id: str, lang: str) -> Path:
    suffix = "" if lang == "en" else f".{lang}"
    return out / f".{region_id}{suffix}.inputs"


def _figure_paths(figures: Path, region_id: str, lang: str, formats: tuple[str, ...]) -> list[Path]:
    """The files of a briefing's figures in ``formats`` (``figures/<region>/<name>[.zh].<format>``)."""
    return [figures / region_id / f"{n}{suffix(lang)}.{e}" for n in FIGURE_NAMES for e in formats]


def _up_to_date(region_id: str, lang: str, out: Path, figures: Path, key: str,
                pdf: bool = False, svg: bool = False) -> Result | None:
    """A Result for a briefing whose outputs exist and whose inputs have not changed, else None."""
    suffix = "" if lang == "en" else f".{lang}"
    html_path, nb_path = out / f"{region_id}{suffix}.html", out / f"{region_id}{suffix}.ipynb"
    csv_path, pdf_path = out / f"{region_id}{suffix}.csv", out / f"{region_id}{suffix}.pdf"
    options_path = out / options_csv_name(region_id, lang)
    stamp = _stamp_path(out, region_id, lang)
    figs = _figure_paths(figures, region_id, lang, ("png", "svg") if svg else ("png",))
    if stamp.is_file() and stamp.read_text() == key and html_path.is_file() and nb_path.is_file() \
            and csv_path.is_file() and options_path.is_file() and (pdf_path.is_file() or not pdf) \
            and all(f.is_file() for f in figs):
        return Result(region_id, lang, True, 0.0, html=html_path, notebook=nb_path, skipped=True,
                      csv=csv_path, pdf=pdf_path if pdf else None, options_csv=options_path)
    return None


class BuildInterrupted(Exception):
    """A build stopped by SIGINT or SIGTERM: ``results`` has every briefing, those not built
    with the error "interrupted"; ``signum`` is the signal."""

    def __init__(self, signum: int, results: list[Result]):
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum, self.results = signum, results


class _Stop(BaseException):
    """Raised by the signal handler in the main thread: not an Exception, so no ``except
    Exception`` on the way swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """While building, SIGINT and SIGTERM raise :class:`_Stop` in the main thread (once: further
    signals are ignored while the build stops); the previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGINT, signal.SIGTERM)

    def handler(signum, frame):
        for s in signals:
            signal.signal(s, signal.SIG_IGN)
        raise _Stop(signum)

    old = {s: signal.signal(s, handler) for s in signals}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _stop_workers(workers: list, grace: float = 5.0) -> None:
    """SIGTERM the pool's workers (each kills its kernel and exits), then SIGKILL any left."""
    for p in workers:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + grace
    for p in workers:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in workers:
        if p.is_alive():
            p.kill()
            p.join(1.0)


def check_folder(path: Path | str, option: str = "folder", create: bool = True) -> Path:
    """``path`` as a folder planlib can write to (created if missing), resolved; ValueError with
    a one-line reason (``option`` names it: "--out") if it is a file, lies under a file, or
    cannot be written. ``create=False`` checks only what can be checked without creating it."""
    path = Path(path)
    for p in [path, *path.parents]:
        if p.exists():
            if not p.is_dir():
                where = "is a file" if p == path else f"is inside {shown_path(p)}, which is a file"
                raise ValueError(f"{option} {shown_path(path)} {where}, not a folder")
            break
    if not create:
        return path.resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".planlib-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ValueError(f"{option} {shown_path(path)} cannot be written: {exc.strerror or exc}") from None
    return path.resolve()


def build(regions: list[str], out: Path = DEFAULT_OUT, jobs: int | None = None, langs: tuple[str, ...] = ("en",),
          data: str | None = None, figures: Path = DEFAULT_FIGURES, progress: bool = True,
          notebook: Path = NOTEBOOK, engine: str = "warm", force: bool = False,
          cell_timeout: int = DEFAULT_CELL_TIMEOUT, pdf: bool = False, svg: bool = False) -> list[Result]:
    """Build every (region, language) in worker processes; returns one Result each.

    Each briefing gets its numbers as CSV beside its HTML, and with ``pdf`` a PDF (printed by
    the worker's browser, :mod:`planlib.apps.pdf`; check :func:`planlib.apps.pdf.unavailable`
    first); its figures are PNG, with ``svg`` also SVG. The index pages (English and Chinese)
    and the methods page are written last.

    A briefing whose outputs exist and whose inputs (data, notebook, parameters, planlib code)
    are unchanged since its last successful build is skipped unless ``force``. A cell that runs
    longer than ``cell_timeout`` seconds, or a kernel that dies, fails the region after one
    retry. SIGINT or SIGTERM stops the build, its workers and their kernels, writes the index and
    raises :class:`BuildInterrupted`. ValueError: unknown regions, ``out`` or ``figures`` not a
    writable folder, ``jobs`` or ``cell_timeout`` below 1.
    """
    from tqdm import tqdm

    validate_regions(regions, data)
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if cell_timeout < 1:
        raise ValueError(f"cell_timeout must be at least 1 second, not {cell_timeout}")
    out, figures = check_folder(out, "out"), check_folder(figures, "figures")
    remove_stale_connection_files()
    code = package_hash()
    keys = {(r, lang): inputs_key(r, lang, figures, data, notebook, code, langs, pdf, svg)
            for r in regions for lang in langs}
    results: list[Result] = []
    tasks = []
    for (r, lang), key in keys.items():
        done = None if force else _up_to_date(r, lang, out, figures, key, pdf, svg)
        if done is not None:
            results.append(done)
        else:
            _stamp_path(out, r, lang).unlink(missing_ok=True)
            tasks.append((r, lang, out, figures, data, notebook, engine, cell_timeout, tuple(langs), pdf, svg))
    jobs = max(1, min(jobs or os.cpu_count() or 1, max(len(tasks), 1)))
    bar = tqdm(total=len(tasks), desc="briefings", unit="region", disable=not progress)
    stopped: int | None = None
    try:  # outside the handlers' block: a signal while they are being restored is caught too
        with _stop_on_signals():
            if not tasks:
                pass
            elif jobs == 1:
                try:
                    for task in tasks:
                        results.append(_safe_build(*task))
                        bar.update()
                except _Stop:
                    if _PRINTER is not None:
                        _PRINTER.kill()
                    if _WARM is not None:
                        _WARM.abandon()
                    raise
                finally:
                    close_printer()
            else:
                _build_in_pool(tasks, jobs, notebook, results, bar)
    except _Stop as stop:
        stopped = stop.signum
    bar.close()
    built = {(r.region_id, r.lang) for r in results}
    results += [Result(t[0], t[1], False, 0.0, cell="-", error="interrupted")
                for t in tasks if (t[0], t[1]) not in built]
    for r in results:
        if r.ok and not r.skipped:
            try:
                write_atomic(_stamp_path(out, r.region_id, r.lang), keys[(r.region_id, r.lang)])
            except OSError:
                pass  # no stamp: the next build rebuilds this briefing
    facts: dict[str, Facts] = {}  # what the index shows of each region, from the analysis the build made
    for r in results:
        if r.facts is not None:
            facts.setdefault(r.region_id, r.facts)
    write_index(results, out, data, facts=facts)
    results = sorted(results, key=lambda r: (regions.index(r.region_id), r.lang))
    if stopped is not None:
        raise BuildInterrupted(stopped, results)
    return results


def _build_in_pool(tasks: list[tuple], jobs: int, notebook: Path, results: list[Result], bar) -> None:
    """Run ``tasks`` in ``jobs`` worker processes, appending to ``results`` as they finish; on
    :class:`_Stop` (or any exception), stop the workers (and so their kernels) before it
    propagates."""
    before = set(mp.active_children())
    # spawn: a forked pool can hang once the parent has started a kernel.
    pool = ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"), initializer=_init_worker,
                               initargs=(str(notebook.parent), any(t[9] for t in tasks), os.getpid()))
    try:
        futures = {pool.submit(_safe_build, *task): task for task in tasks}
        for f in as_completed(futures):
            try:
                results.append(f.result())
            except Exception as exc:  # a worker process died
                task = futures[f]
                results.append(Result(task[0], task[1], False, 0.0, cell="-",
                                      error=f"the worker process building this region ended ({exc})"))
            bar.update()
    except BaseException:  # a signal (_Stop), or anything else that ends the wait early
        pool.shutdown(wait=False, cancel_futures=True)
        _stop_workers([p for p in mp.active_children() if p not in before])
        raise
    finally:
        pool.shutdown(wait=True)


def default_regions(data: str | None = None) -> list[str]:
    """The regions with a local plan or review."""
    from planlib.data.tables import plan_regions
    return plan_regions(data)
