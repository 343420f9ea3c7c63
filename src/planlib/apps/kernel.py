"""Warm Jupyter kernels for batch builds, and what happens when things go wrong.

A :class:`WarmKernel` keeps one kernel alive across notebooks and resets it between them. It
notices a kernel that dies in the middle of a cell (within about a second) and a cell that runs
longer than the cell timeout; either way the kernel is replaced and the notebook run once more on
a fresh kernel before the fault is raised (:class:`KernelDied`, :class:`CellTimedOut`).

Kernels started here write their connection files as ``planlib-kernel-<pid>-<n>.json`` in the
Jupyter runtime folder and remove them when they stop; :func:`remove_stale_connection_files`
removes those of processes that were killed before they could. :func:`exit_with_parent` makes a
worker process stop its kernel and exit when its parent dies or asks it to stop (SIGTERM).
Kernels also watch their own parent: jupyter_client starts them with ``JPY_PARENT_PID`` and
ipykernel exits within a second when that process is gone.
"""
from __future__ import annotations

import itertools
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

#: Default limit on one cell's run time, in seconds (``planlib briefings --cell-timeout``).
DEFAULT_CELL_TIMEOUT = 300

#: Run once in a new kernel: import what every briefing needs, then gc.freeze() those objects so
#: the full garbage collection in each reset scans only the last region's objects, not the
#: hundreds of thousands that pandas, matplotlib and seaborn create on import (0.18 s → 0.03 s).
WARM_UP = """\
import gc, planlib.report.briefing, planlib.report.figures
gc.collect()
gc.freeze()
"""

#: Run before each region after the first: no open figures, matplotlib's default settings, a new
#: IPython session (namespace, input and output history, as in a fresh kernel; ``%reset -f`` kept
#: the input history, which grew per region), and no names left behind. Then the garbage of the
#: last region is collected and what survives it (the loaded tables, the cached analyses) is frozen
#: like the imports: a full collection scanned them all again before every region, ~0.1 s each
#: once the analysis cache had filled. Frozen objects that are later dropped from a cache are still
#: freed by reference counting (a kernel's memory stays flat; ``make bench`` reads it).
RESET_CODE = """\
import matplotlib, matplotlib.pyplot as plt
plt.close("all")
matplotlib.rcdefaults()
get_ipython().reset(new_session=True)
import gc
gc.collect()
gc.freeze()
del gc
"""

#: Kernel options of warm kernels: no SQLite input history (each region starts a new session,
#: and nobody reads a batch kernel's history; writing it cost a thread's time every cell).
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]

CONNECTION_PREFIX = "planlib-kernel-"
_SERIAL = itertools.count(1)


class KernelFault(RuntimeError):
    """The kernel failed a notebook (died or ran out of time); ``cell_number`` is the code cell it
    was running, counted as a fresh kernel numbers them (None if not known)."""

    def __init__(self, reason: str, cell: int | None = None):
        super().__init__(reason)
        self.reason, self.cell_number = reason, cell


class KernelDied(KernelFault):
    """The kernel process ended while it ran a notebook."""


class CellTimedOut(KernelFault):
    """A cell ran longer than the cell timeout."""


@cache
def client_class() -> type:
    """The kernel client class of warm kernels: asynchronous channels, so that nbclient's
    liveness check runs while a cell waits for its reply (with blocking channels a kernel that
    died mid-cell left nbclient waiting for output forever), with blocking ``execute_interactive``
    and ``wait_for_ready`` for plain callers. Made on first use: jupyter_client loads slowly."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.blocking import BlockingKernelClient

    class WarmClient(AsyncKernelClient):
        execute_interactive = BlockingKernelClient.execute_interactive
        wait_for_ready = BlockingKernelClient.wait_for_ready

    return WarmClient


@cache
def notebook_client_class() -> type:
    """nbclient's NotebookClient, except that it leaves the process's SIGINT and SIGTERM handlers
    alone. nbclient replaces them while it runs a notebook (its own handler only schedules a
    kernel shutdown) and resets them to the defaults afterwards, which made a worker ignore
    SIGTERM in the middle of a region and lose its handler after the first one. planlib handles
    these signals itself (:func:`exit_with_parent`, :func:`planlib.apps.batch.build`)."""
    import asyncio
    from contextlib import asynccontextmanager

    from nbclient import NotebookClient

    def refuse(*args, **kwargs):
        raise RuntimeError("planlib handles signals")  # nbclient skips its handlers on this

    class WarmNotebookClient(NotebookClient):
        @asynccontextmanager
        async def async_setup_kernel(self, **kwargs):
            loop = asyncio.get_event_loop()
            loop.add_signal_handler = loop.remove_signal_handler = refuse
            try:
                async with super().async_setup_kernel(**kwargs):
                    yield
            finally:
                del loop.add_signal_handler, loop.remove_signal_handler

    return WarmNotebookClient


def runtime_dir() -> Path:
    """The Jupyter runtime folder (created if missing), where kernel connection files go."""
    from jupyter_core.paths import jupyter_runtime_dir
    path = Path(jupyter_runtime_dir())
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_connection_files() -> list[Path]:
    """Remove planlib's kernel connection files whose process no longer runs (a worker or a
    single-process build killed with SIGKILL cannot remove its own); returns those removed."""
    try:
        files = list(runtime_dir().glob(f"{CONNECTION_PREFIX}*.json"))
    except OSError:
        return []
    removed = []
    for f in files:
        m = re.match(rf"{CONNECTION_PREFIX}(\d+)-", f.name)
        if m and not _pid_alive(int(m.group(1))):
            f.unlink(missing_ok=True)
            removed.append(f)
    return removed


class WarmKernel:
    """One Jupyter kernel kept alive across notebooks, reset between them.

    Starting a kernel and importing pandas, matplotlib and planlib costs seconds per notebook;
    a worker keeps one kernel and clears its namespace and matplotlib state before each run
    (``RESET_CODE``: new IPython session, close figures, matplotlib defaults). Imported modules
    stay loaded, which is the point, and are frozen out of the garbage collector's view
    (``WARM_UP``). A kernel that dies, between notebooks or in the middle of a cell, or that runs
    one cell longer than the timeout, is replaced by a fresh one, warmed up the same way.
    """

    def __init__(self, cwd: Path, kernel_name: str = "python3"):
        self.cwd, self.kernel_name = cwd, kernel_name
        self.km = None
        self.kc = None
        self.runs = 0
        self._fresh = False  # started and not yet used: wait until it answers before a run

    def _manager(self):
        from jupyter_client.manager import KernelManager
        km = KernelManager(kernel_name=self.kernel_name)
        km.client_factory = client_class()
        try:
            km.connection_file = str(runtime_dir() / f"{CONNECTION_PREFIX}{os.getpid()}-{next(_SERIAL)}.json")
        except OSError:
            pass  # no runtime folder: jupyter_client's default (a temporary file)
        return km

    def _client(self, nb, timeout: int):
        client = notebook_client_class()(nb, km=self.km, kernel_name=self.kernel_name, timeout=timeout,
                                allow_errors=False, resources={"metadata": {"path": str(self.cwd)}})
        client.kc = self.kc
        return client

    def _start_kw(self) -> dict:
        # The kernel's own log chatter (TCP transport notices, shutdown interrupts) is not for the
        # user; errors in cells arrive through Jupyter messages and are reported per region.
        import subprocess
        return {"cwd": str(self.cwd), "stderr": subprocess.DEVNULL, "extra_arguments": KERNEL_ARGUMENTS}

    def is_alive(self) -> bool:
        """Whether the kernel process runs."""
        return self.km is not None and self.km.has_kernel and self.km.is_alive()

    def start(self, warm_up: str = WARM_UP) -> None:
        """Start the kernel now (or replace a dead one) and let it import planlib while the
        caller does other work."""
        if self.km is not None and self.km.has_kernel and not self.km.is_alive():
            self.shutdown()
        if self.km is None:
            self.km = self._manager()
        if not self.km.has_kernel:
            self.km.start_kernel(**self._start_kw())
            self.kc = self.km.client()
            self.kc.start_channels()
            self.kc.execute(warm_up, silent=True, store_history=False)
            self._fresh = True

    def run(self, nb, timeout: int = DEFAULT_CELL_TIMEOUT, tries: int = 2, after: str | None = None):
        """Execute ``nb`` in the warm kernel and return it executed; a kernel that dies or a cell
        that runs longer than ``timeout`` seconds costs the kernel, and the notebook is run again
        on a fresh one, up to ``tries`` times in all, before :class:`KernelFault` is raised.
        Errors in cells raise nbclient's ``CellExecutionError`` at once. ``after``: code run in
        the same kernel once the notebook has run (see :meth:`run_once`)."""
        import copy
        faults: list[KernelFault] = []
        for _ in range(tries):
            try:
                return self.run_once(copy.deepcopy(nb) if len(faults) + 1 < tries else nb, timeout, after)
            except KernelFault as fault:
                self.shutdown()
                faults.append(fault)
        last = faults[-1]
        if len({type(f) for f in faults}) == 1 and len({f.reason for f in faults}) == 1:
            reason = f"{last.reason} ({'twice' if tries == 2 else f'{tries} times'})"
        else:
            reason = f"{last.reason} (on the retry; before that, {faults[0].reason})"
        raise type(last)(reason, last.cell_number)

    def run_once(self, nb, timeout: int = DEFAULT_CELL_TIMEOUT, after: str | None = None):
        """Execute ``nb`` once (after a reset); a dead kernel raises :class:`KernelDied`, a cell
        longer than ``timeout`` s :class:`CellTimedOut`.

        The reset runs as an extra first cell of the same execution and ``after`` (code that
        uses what the notebook left in the kernel, such as its cached analysis) as an extra last
        cell; both are removed afterwards, so the returned notebook has exactly the cells of ``nb``.
        """
        import nbformat
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        self.start()
        if self._fresh:  # a kernel that dies while it starts is noticed here, not after `timeout`
            try:
                self.kc.wait_for_ready(timeout=max(timeout, 60))
            except RuntimeError as exc:
                raise KernelDied(f"the kernel did not start ({exc})") from None
            self._fresh = False
        reset = self.runs > 0
        if reset:
            nb.cells.insert(0, nbformat.v4.new_code_cell(RESET_CODE))
        if after:
            nb.cells.append(nbformat.v4.new_code_cell(after))
        c = self._client(nb, timeout)
        own = sum(cell.cell_type == "code" for cell in nb.cells) - reset - bool(after)

        def running() -> int | None:  # the notebook's code cell that was running (None: reset or after)
            n = c.code_cells_executed - reset
            return n if 0 < n <= own else None

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
        except DeadKernelError:
            raise KernelDied("the kernel died while building this region", running()) from None
        except CellTimeoutError:
            raise CellTimedOut(f"a cell ran longer than {timeout} s", running()) from None
        finally:
            if after:
                del nb.cells[-1]
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

    def shutdown(self) -> None:
        """Stop the kernel and its client and remove its connection file."""
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:
                pass
        if self.km is not None:
            try:
                if self.km.has_kernel:
                    self.km.shutdown_kernel(now=True)
            except Exception:
                self.kill()
            finally:
                self.km.cleanup_connection_file()
        self.km = self.kc = None
        self.runs = 0

    def abandon(self) -> None:
        """Stop after an interruption (a signal raised in the middle of a run): kill the kernel,
        cancel what nbclient left waiting in this thread's event loop (so nothing reports a dead
        kernel later), then shut down as usual."""
        import asyncio

        from jupyter_core.utils import ensure_event_loop
        self.kill()
        loop = ensure_event_loop()
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        if pending and not loop.is_running():
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.shutdown()

    def kill(self) -> None:
        """Kill the kernel (and anything it started) at once and remove its connection file:
        safe in a signal handler or another thread, no messages, no event loop."""
        km = self.km
        if km is None:
            return
        pid = getattr(getattr(km, "provisioner", None), "pid", None)
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)  # jupyter_client starts kernels in a new session
            except OSError:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        try:
            km.cleanup_connection_file()
        except Exception:
            pass


def exit_with_parent(cleanup: Callable[[], None], poll: float = 1.0, parent: int | None = None) -> None:
    """In a worker process: on SIGTERM, or when the parent process dies, call ``cleanup`` (stop
    the kernel) and exit at once.

    On Linux the kernel sends SIGTERM when the parent dies (``prctl(PR_SET_PDEATHSIG)``); a
    thread that polls the parent's pid covers other systems and the moment before prctl. SIGINT
    is ignored: on Ctrl-C the parent decides, and stops its workers with SIGTERM. ``parent``: the
    pid of the process that started this one, as that process gave it (default: the current
    parent). Give it: a parent killed while this process was still starting is then noticed
    here at once; read only now, the parent is already the process that adopted the orphan, and
    the worker ran on with no parent (seen when a build was killed within a second of starting).
    """
    parent = os.getppid() if parent is None else parent

    def stop(code: int) -> None:
        try:
            cleanup()
        finally:
            os._exit(code)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: stop(128 + signum))
    if sys.platform == "linux":
        import ctypes
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        stop(128 + signal.SIGTERM)

    threading.Thread(target=watch, name="planlib-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the watch began
        stop(128 + signal.SIGTERM)
