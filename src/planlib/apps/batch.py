"""Build briefings in batch: the briefing notebook run by papermill once per region, exported
to HTML without code, with an index page. One failing region never stops the others."""
from __future__ import annotations

import html
import multiprocessing as mp
import os
import re
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from planlib.files import write_atomic
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
    ex = HTMLExporter(config=c, template_name="lab")
    ex.exclude_input = True
    ex.exclude_input_prompt = True
    ex.exclude_output_prompt = True
    ex.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return ex


#: Run once in a new kernel: import what every briefing needs, then gc.freeze() those objects so
#: the full garbage collection in each reset scans only the last region's objects, not the
#: hundreds of thousands that pandas, matplotlib and seaborn create on import (0.18 s → 0.03 s).
WARM_UP = """\
import gc, planlib.report.briefing, planlib.report.figures
gc.collect()
gc.freeze()
"""

#: Run before each region after the first: a new IPython session (namespace, input and output
#: history, as in a fresh kernel; ``%reset -f`` kept the input history, which grew per region),
#: no open figures, matplotlib's default settings, and no names left behind.
RESET_CODE = """\
get_ipython().reset(new_session=True)
import matplotlib, matplotlib.pyplot as plt
plt.close("all")
matplotlib.rcdefaults()
del matplotlib, plt
"""


class WarmKernel:
    """One Jupyter kernel kept alive across notebooks, reset between them.

    Starting a kernel and importing pandas, matplotlib and planlib costs seconds per notebook;
    a worker keeps one kernel and clears its namespace and matplotlib state before each run
    (``RESET_CODE``: new IPython session, close figures, matplotlib defaults). Imported modules
    stay loaded, which is the point, and are frozen out of the garbage collector's view
    (``WARM_UP``). A kernel that dies is replaced by a fresh one, warmed up the same way.
    """

    def __init__(self, cwd: Path, kernel_name: str = "python3"):
        self.cwd, self.kernel_name = cwd, kernel_name
        self.km = None
        self.kc = None
        self.runs = 0

    def _client(self, nb):
        from jupyter_client.manager import KernelManager
        from nbclient import NotebookClient
        if self.km is None:
            self.km = KernelManager(kernel_name=self.kernel_name)
        client = NotebookClient(nb, km=self.km, kernel_name=self.kernel_name, timeout=600,
                                allow_errors=False, resources={"metadata": {"path": str(self.cwd)}})
        client.kc = self.kc
        return client

    def _start_kw(self) -> dict:
        # The kernel's own log chatter (TCP transport notices, shutdown interrupts) is not for the
        # user; errors in cells arrive through Jupyter messages and are reported per region.
        import subprocess
        return {"cwd": str(self.cwd), "stderr": subprocess.DEVNULL}

    def run(self, nb):
        """Execute ``nb`` in the warm kernel (after a reset) and return it executed.

        The reset runs as an extra first cell of the same execution and is removed afterwards,
        so the returned notebook has exactly the cells of ``nb``.
        """
        import nbformat
        from nbclient.exceptions import CellExecutionError
        self.start()
        reset = self.runs > 0
        if reset:
            nb.cells.insert(0, nbformat.v4.new_code_cell(RESET_CODE))
        c = self._client(nb)
        try:
            out = c.execute(**self._start_kw())
        except CellExecutionError as exc:
            self.kc = c.kc
            self.runs += 1
            failed = [cell for cell in c.nb.cells if cell.cell_type == "code"
                      and any(o.get("output_type") == "error" for o in cell.get("outputs", []))]
            count = failed[0].get("execution_count") if failed else None
            exc.exec_count = count - 1 if (count is not None and reset) else count
            raise
        finally:
            if reset:
                del nb.cells[0]
        self.kc = c.kc
        self.runs += 1
        if reset:  # number the cells as a fresh kernel would
            for cell in out.cells:
                if cell.cell_type == "code" and cell.get("execution_count"):
                    cell.execution_count -= 1
                    for o in cell.get("outputs", []):
                        if "execution_count" in o and o["execution_count"]:
                            o["execution_count"] -= 1
        return out

    def start(self, warm_up: str = WARM_UP) -> None:
        """Start the kernel now and let it import planlib while the caller does other work."""
        from jupyter_client.manager import KernelManager
        if self.km is None:
            self.km = KernelManager(kernel_name=self.kernel_name)
        if not self.km.has_kernel:
            self.km.start_kernel(**self._start_kw())
            self.kc = self.km.client()
            self.kc.start_channels()
            self.kc.execute(warm_up, silent=True, store_history=False)

    def shutdown(self) -> None:
        """Stop the kernel and its client."""
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:
                pass
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        self.km = self.kc = None
        self.runs = 0


_WARM: WarmKernel | None = None
_EXPORTER = None


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


def _init_worker(cwd: str) -> None:
    """Pool initializer: start this worker's kernel first, so it boots while the worker
    imports the rest of its tools.

    Workers are planlib's own processes, so they also skip a known slow import: jsonschema
    (through nbformat) imports ``rfc3987_syntax`` when installed, which compiles ~35 Earley
    parsers for IRI formats at import (1.1 s here, python-jsonschema/jsonschema#1428). Notebook
    schemas use no IRI formats; marking the module absent makes jsonschema skip those checkers.
    """
    _skip_slow_imports()
    _warm_kernel(Path(cwd)).start()
    _html_exporter()


def _html_exporter():
    global _EXPORTER
    if _EXPORTER is None:
        _EXPORTER = _exporter()
    return _EXPORTER


def _execute(notebook: Path, params: dict, engine: str):
    """Run the briefing notebook with ``params``; raise on a failing cell."""
    if engine == "papermill":
        import papermill as pm
        return pm.execute_notebook(str(notebook), None, parameters=params, kernel_name="python3",
                                   progress_bar=False, cwd=str(notebook.parent), log_output=False)
    import papermill as pm
    from nbclient.exceptions import DeadKernelError
    # papermill injects the parameters (prepare_only: no kernel); the warm kernel executes.
    nb = pm.execute_notebook(str(notebook), None, parameters=params, kernel_name="python3",
                             prepare_only=True, progress_bar=False, log_output=False)
    warm = _warm_kernel(notebook.parent)
    try:
        return warm.run(nb)
    except DeadKernelError:
        warm.shutdown()  # a region that crashed its kernel is retried once on a fresh kernel
        return warm.run(nb)


def build_one(region_id: str, lang: str, out: Path, figures: Path, data: str | None,
              notebook: Path = NOTEBOOK, engine: str = "warm") -> Result:
    """Execute the notebook for one region and write <out>/<region>.ipynb and .html atomically.

    ``engine="warm"`` reuses this process's kernel (reset between regions); ``"papermill"``
    starts a fresh kernel through papermill for every region.
    """
    import nbformat

    t0 = time.perf_counter()
    suffix = "" if lang == "en" else f".{lang}"
    nb_path, html_path = out / f"{region_id}{suffix}.ipynb", out / f"{region_id}{suffix}.html"
    params = {"region": region_id, "lang": lang, "figures_dir": str(figures),
              "data_dir": None if data is None else str(Path(data).resolve())}
    try:
        nb = _execute(notebook, params, engine)
    except Exception as exc:
        return Result(region_id, lang, False, time.perf_counter() - t0, cell=_failing_cell(exc),
                      error=_error_text(exc))
    nb.metadata.setdefault("planlib", {})["parameters"] = params
    nb.metadata["title"] = _title_of(nb) or region_id
    body, _ = _html_exporter().from_notebook_node(nb)
    body = re.sub(r"<html[^>]*>", f'<html lang="{lang}">', body, count=1)
    body = body.replace("</head>", CJK_CSS + "</head>", 1)
    write_atomic(nb_path, nbformat.writes(nb))
    write_atomic(html_path, body)
    del nb, body
    trim_memory()
    return Result(region_id, lang, True, time.perf_counter() - t0, html=html_path, notebook=nb_path)


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


LANG_NAMES = {"en": "English", "zh": "中文"}
#: Font stack that shows Chinese on common systems (Linux Noto, macOS PingFang, Windows YaHei).
FONT_STACK = ('system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans SC", '
              '"Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", sans-serif')
CJK_CSS = f"<style>body, .jp-RenderedHTMLCommon {{ font-family: {FONT_STACK}; }}</style>"


def write_index(results: list[Result], out: Path, data: str | None = None) -> Path:
    """<out>/index.html linking every briefing, one status line per region (all its languages)."""
    from planlib.data.tables import load_tables
    reg = load_tables(data).regions.set_index("id")
    by_region: dict[str, list[Result]] = {}
    for r in results:
        by_region.setdefault(r.region_id, []).append(r)
    items = []
    for region, rs in by_region.items():
        label = html.escape(f"{reg.loc[region, 'name_en']} · {reg.loc[region, 'name_zh']} ({region})"
                            if region in reg.index else region)
        parts = []
        for r in sorted(rs, key=lambda r: r.lang):
            lang = LANG_NAMES.get(r.lang, r.lang)
            if r.ok:
                when = "unchanged since the last build" if r.skipped else f"built in {r.seconds:.1f} s"
                parts.append(f'<a href="{r.html.name}" hreflang="{r.lang}">{lang}</a> '
                             f'<span class="ok">{when}</span>')
            else:
                first = r.error.splitlines()[0] if r.error else ""
                parts.append(f'{lang} <strong class="failed">failed</strong> at {html.escape(r.cell)}: '
                             f"{html.escape(first)}")
        items.append(f"<li>{label}: " + " · ".join(parts) + "</li>")
    ok = sum(r.ok for r in results)
    page = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>planlib briefings</title>'
            f"<style>body{{font-family:{FONT_STACK};max-width:52rem;margin:2rem auto;line-height:1.6}}"
            f".failed{{color:#b00}}.ok{{color:#555}}</style></head><body>\n"
            f"<h1>Health-plan briefings · 卫生健康规划简报</h1>\n<p>{ok} of {len(results)} built.</p>\n<ul>\n"
            + "\n".join(items) + "\n</ul>\n</body></html>\n")
    path = out / "index.html"
    write_atomic(path, page)
    return path


FIGURE_NAMES = ("life_expectancy", "mortality", "workforce")


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
               package: str | None = None) -> str:
    """Hash of everything a briefing depends on: data files, notebook, parameters and every file
    of the planlib package (``package``: a precomputed :func:`package_hash`)."""
    import hashlib
    import json

    from planlib import __version__
    from planlib.data.tables import data_hash
    h = hashlib.sha256()
    h.update(json.dumps({"region": region_id, "lang": lang, "figures": str(figures),
                         "data": data_hash(data), "planlib": __version__}, sort_keys=True).encode())
    h.update(notebook.read_bytes())
    h.update((package or package_hash()).encode())
    return h.hexdigest()


def _stamp_path(out: Path, region_id: str, lang: str) -> Path:
    suffix = "" if lang == "en" else f".{lang}"
    return out / f".{region_id}{suffix}.inputs"


def _up_to_date(region_id: str, lang: str, out: Path, figures: Path, key: str) -> Result | None:
    """A Result for a briefing whose outputs exist and whose inputs have not changed, else None."""
    suffix = "" if lang == "en" else f".{lang}"
    html_path, nb_path = out / f"{region_id}{suffix}.html", out / f"{region_id}{suffix}.ipynb"
    stamp = _stamp_path(out, region_id, lang)
    figs = [figures / region_id / f"{n}{suffix}.{e}" for n in FIGURE_NAMES for e in ("png", "svg")]
    if stamp.is_file() and stamp.read_text() == key and html_path.is_file() and nb_path.is_file() \
            and all(f.is_file() for f in figs):
        return Result(region_id, lang, True, 0.0, html=html_path, notebook=nb_path, skipped=True)
    return None


def build(regions: list[str], out: Path = DEFAULT_OUT, jobs: int | None = None, langs: tuple[str, ...] = ("en",),
          data: str | None = None, figures: Path = DEFAULT_FIGURES, progress: bool = True,
          notebook: Path = NOTEBOOK, engine: str = "warm", force: bool = False) -> list[Result]:
    """Build every (region, language) in worker processes; returns one Result each.

    A briefing whose outputs exist and whose inputs (data, notebook, parameters, planlib code)
    are unchanged since its last successful build is skipped unless ``force``.
    """
    from tqdm import tqdm

    validate_regions(regions, data)
    out, figures = Path(out).resolve(), Path(figures).resolve()
    out.mkdir(parents=True, exist_ok=True)
    code = package_hash()
    keys = {(r, lang): inputs_key(r, lang, figures, data, notebook, code) for r in regions for lang in langs}
    results: list[Result] = []
    tasks = []
    for (r, lang), key in keys.items():
        done = None if force else _up_to_date(r, lang, out, figures, key)
        if done is not None:
            results.append(done)
        else:
            _stamp_path(out, r, lang).unlink(missing_ok=True)
            tasks.append((r, lang, out, figures, data, notebook, engine))
    jobs = max(1, min(jobs or os.cpu_count() or 1, max(len(tasks), 1)))
    bar = tqdm(total=len(tasks), desc="briefings", unit="region", disable=not progress)
    if not tasks:
        pass
    elif jobs == 1:
        for task in tasks:
            results.append(_safe_build(*task))
            bar.update()
    else:
        # spawn: a forked pool can hang once the parent has started a kernel.
        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"), initializer=_init_worker,
                                 initargs=(str(notebook.parent),)) as pool:
            futures = {pool.submit(_safe_build, *task): task for task in tasks}
            for f in as_completed(futures):
                try:
                    results.append(f.result())
                except Exception as exc:  # a worker process died
                    task = futures[f]
                    results.append(Result(task[0], task[1], False, 0.0, cell="-", error=repr(exc)))
                bar.update()
    bar.close()
    for r in results:
        if r.ok and not r.skipped:
            write_atomic(_stamp_path(out, r.region_id, r.lang), keys[(r.region_id, r.lang)])
    write_index(results, out, data)
    return sorted(results, key=lambda r: (regions.index(r.region_id), r.lang))


def default_regions(data: str | None = None) -> list[str]:
    """The regions with a local plan or review."""
    from planlib.data.tables import plan_regions
    return plan_regions(data)
