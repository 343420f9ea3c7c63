"""Fixtures of the apps tests: no test may leave a process or a kernel connection file behind.

The test run gets a Jupyter runtime folder of its own (``JUPYTER_RUNTIME_DIR``, inherited by
planlib's workers, their kernels and any ``planlib`` started in a subprocess), so that kernels of
other programs on the machine are not counted, and processes of this run are recognised by it
even after their parent died. Before each test the fixture records the connection files in that
folder and this run's processes (descendants of pytest, or carrying the folder in their
environment); after it, new ones must be gone within a few seconds.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

#: Long-lived helpers that the standard library starts once per process, by design.
LONG_LIVED = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


@pytest.fixture(scope="session", autouse=True)
def runtime_dir(tmp_path_factory) -> Path:
    """This run's Jupyter runtime folder (where kernel connection files go)."""
    folder = tmp_path_factory.mktemp("jupyter-runtime")
    old = os.environ.get("JUPYTER_RUNTIME_DIR")
    os.environ["JUPYTER_RUNTIME_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("JUPYTER_RUNTIME_DIR", None)
    else:
        os.environ["JUPYTER_RUNTIME_DIR"] = old


def _stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state, start time) of a process, None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[0], fields[19]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (read from /proc)."""
    kids: dict[int, list[int]] = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                ppid = int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            kids.setdefault(ppid, []).append(int(p))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def processes(marker: str) -> dict[tuple[int, str], str]:
    """Live processes of this test run (not pytest itself, no zombies): descendants of this
    process and processes whose environment holds ``marker``; (pid, start time) → command."""
    me = os.getpid()
    stats = {int(p): s for p in os.listdir("/proc") if p.isdigit() and (s := _stat(int(p)))}
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), list(children.get(me, []))
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo += children.get(pid, [])
    needle = marker.encode()
    for pid in stats:
        if pid != me and pid not in found:
            try:
                if needle in Path(f"/proc/{pid}/environ").read_bytes():
                    found.add(pid)
            except OSError:
                pass
    out = {}
    for pid in found:
        if pid in stats and stats[pid][1] != "Z":
            cmd = _cmdline(pid)
            if not any(name in cmd for name in LONG_LIVED):
                out[(pid, stats[pid][2])] = cmd
    return out


@pytest.fixture(autouse=True)
def no_leftovers(runtime_dir: Path):
    """Fail a test that leaves a process or a kernel connection file behind (after a grace of a
    few seconds: a kernel notices its parent's death within one); kill and remove them."""
    marker = f"JUPYTER_RUNTIME_DIR={runtime_dir}"
    files_before = set(runtime_dir.iterdir())
    procs_before = set(processes(marker))
    yield
    from planlib.apps import batch
    batch.shutdown_kernel()  # this process's warm kernel is kept between regions on purpose
    deadline = time.monotonic() + 10
    while True:
        procs = {k: v for k, v in processes(marker).items() if k not in procs_before}
        files = set(runtime_dir.iterdir()) - files_before
        if (not procs and not files) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for pid, _ in procs:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for f in files:
        f.unlink(missing_ok=True)
    assert not procs, f"processes left behind: {sorted(procs.items())}"
    assert not files, f"kernel connection files left behind: {sorted(f.name for f in files)}"


@pytest.fixture
def full_disk(monkeypatch):
    """``full_disk(when)``: from now on, writing a file whose path satisfies ``when`` fails as a
    full disk does (ENOSPC, naming the file); other files are written as usual."""
    import errno

    from planlib import files
    real = files.write_temporary

    def fail_when(when):
        def write(path, content):
            if when(path):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            return real(path, content)
        monkeypatch.setattr(files, "write_temporary", write)

    return fail_when
