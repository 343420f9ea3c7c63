"""Faults during a batch build, each tried for real: a kernel killed in the middle of a cell, a
cell that never ends, the parent killed or interrupted, bad arguments and output folders, a full
disk. Every case must end (no hang) with the stated outcome and leave no process or kernel
connection file behind (``no_leftovers`` in conftest.py checks after each test)."""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from planlib import files
from planlib.apps import batch
from planlib.apps.cli import main

from .conftest import descendants, processes, running


@contextmanager
def time_limit(seconds: float):
    """Fail (instead of hanging) if the block runs longer than ``seconds`` (SIGALRM)."""
    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: hangs")
    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def sleepy(tmp_path, monkeypatch) -> Path:
    """A small briefing-shaped notebook: its second code cell writes the kernel's pid to
    $PIDS/<region>.pid and, for weihai, sleeps a minute; the third displays a heading."""
    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setenv("PIDS", str(pids))  # inherited by workers and kernels
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('region = "x"\nlang = "en"\nfigures_dir = "."\ndata_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params,
                nbformat.v4.new_code_cell(
                    "import os, pathlib, time\n"
                    "pathlib.Path(os.environ['PIDS'], region + '.pid').write_text(str(os.getpid()))\n"
                    "if region == 'weihai':\n    time.sleep(60)"),
                nbformat.v4.new_code_cell("from IPython.display import Markdown\nMarkdown(f'# {region}: test')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "sleepy.ipynb"
    nbformat.write(nb, path)
    return path


def kill_kernels(pid_file: Path, times: int) -> threading.Thread:
    """Kill the kernel that writes ``pid_file``, ``times`` times (each retry writes it anew)."""
    def run():
        for _ in range(times):
            deadline = time.monotonic() + 120
            while not pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            if not pid_file.exists():
                return
            time.sleep(0.5)  # well inside time.sleep(60)
            pid = int(pid_file.read_text())
            pid_file.unlink()
            os.kill(pid, signal.SIGKILL)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _build(sleepy: Path, tmp_path: Path, jobs: int, cell_timeout: int = 300) -> list[batch.Result]:
    return batch.build(["weihai", "anju"], out=tmp_path / "out", figures=tmp_path / "figs", jobs=jobs,
                       notebook=sleepy, progress=False, cell_timeout=cell_timeout)


@pytest.mark.parametrize("jobs", [1, 2])
def test_kernel_killed_mid_cell_twice_fails_the_region_and_the_batch_ends(sleepy, tmp_path, jobs):
    """Before: a kernel killed during a cell left its worker waiting for output forever."""
    killer = kill_kernels(Path(os.environ["PIDS"]) / "weihai.pid", times=2)
    with time_limit(240):
        t0 = time.monotonic()
        weihai, anju = _build(sleepy, tmp_path, jobs)
    killer.join(5)
    assert time.monotonic() - t0 < 200  # well short of the 60 s sleep twice plus timeouts
    assert anju.ok, anju.error
    assert not weihai.ok
    assert weihai.error == "the kernel died while building this region (twice)"
    assert weihai.cell == "cell 3"  # parameters, injected parameters, then the sleeping cell
    assert not (tmp_path / "out" / "weihai.ipynb").exists() and not (tmp_path / "out" / "weihai.html").exists()
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "the kernel died while building this region (twice)" in index


def test_kernel_killed_mid_cell_once_is_replaced_and_the_region_built(sleepy, tmp_path):
    nb = nbformat.read(sleepy, as_version=4)  # sleep 2 s, not 60: the retry must succeed
    nb.cells[1].source = nb.cells[1].source.replace("time.sleep(60)", "time.sleep(2)")
    nbformat.write(nb, sleepy)
    killer = kill_kernels(Path(os.environ["PIDS"]) / "weihai.pid", times=1)
    with time_limit(240):
        weihai, anju = _build(sleepy, tmp_path, jobs=1)
    killer.join(5)
    assert weihai.ok and anju.ok, (weihai.error, anju.error)
    assert "weihai: test" in (tmp_path / "out" / "weihai.html").read_text(encoding="utf-8")


def test_stuck_cell_times_out_is_retried_once_then_fails(sleepy, tmp_path):
    with time_limit(240):
        weihai, anju = _build(sleepy, tmp_path, jobs=1, cell_timeout=2)
    assert anju.ok, anju.error
    assert not weihai.ok and weihai.error == "a cell ran longer than 2 s (twice)"
    assert weihai.cell == "cell 3"


def test_cell_timeout_option(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["briefings", "--cell-timeout", "0"])
    assert stop.value.code == 2
    assert "--cell-timeout: must be a whole number of at least 1, not '0'" in capsys.readouterr().err


# --- the parent process: killed, interrupted, terminated ---------------------------------------



def _start_cli(tmp_path: Path, runtime_dir: Path, jobs: int = 2) -> tuple[subprocess.Popen, list[int]]:
    """``planlib briefings`` for two regions in a new session; returns once each worker (or,
    with one job, planlib itself) has started its kernel, with the process tree at that moment."""
    before = set(runtime_dir.glob("planlib-kernel-*.json"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "planlib.apps.cli", "briefings", "weihai", "anju", "--jobs", str(jobs), "--force",
         "--quiet", "--out", str(tmp_path / "out"), "--figures", str(tmp_path / "figs")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(set(runtime_dir.glob("planlib-kernel-*.json")) - before) < jobs:
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"the workers' kernels did not start: {proc.communicate()}")
        time.sleep(0.1)
    time.sleep(1.0)  # let the kernels get going
    tree = descendants(proc.pid)
    cmds = " ".join(Path(f"/proc/{p}/cmdline").read_text(errors="replace") for p in tree if running(p))
    workers = jobs if jobs > 1 else 0
    assert cmds.count("ipykernel_launcher") == jobs and cmds.count("multiprocessing.spawn") == workers, cmds
    return proc, tree


def _assert_all_gone(tree: list[int], runtime_dir: Path, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while any(running(p) for p in tree) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [(p, Path(f"/proc/{p}/cmdline").read_text(errors="replace")) for p in tree if running(p)]
    assert not left, f"still running {within} s later: {left}"
    assert not list(runtime_dir.glob("planlib-kernel-*.json"))


def test_killed_parent_leaves_no_worker_kernel_or_connection_file(tmp_path, runtime_dir):
    """Before: kill -9 of the parent left 2 workers and 2 kernels running, connection files in /tmp."""
    proc, tree = _start_cli(tmp_path, runtime_dir)
    proc.kill()
    proc.communicate(timeout=30)
    _assert_all_gone(tree, runtime_dir)
    marker = f"JUPYTER_RUNTIME_DIR={runtime_dir}"
    assert not [cmd for cmd in processes(marker).values() if "planlib" in cmd or "ipykernel" in cmd]


@pytest.mark.parametrize("sig, code, jobs", [(signal.SIGINT, 130, 2), (signal.SIGTERM, 143, 2),
                                             (signal.SIGINT, 130, 1)])
def test_interrupted_parent_stops_cleanly(tmp_path, runtime_dir, sig, code, jobs):
    """Before: Ctrl-C reported the regions as "AssertionError:" or "ZMQError" with an asyncio
    traceback; SIGTERM left workers and kernels behind. With one job the kernel is planlib's
    own: nbclient's unfinished wait must not report a dead kernel afterwards."""
    proc, tree = _start_cli(tmp_path, runtime_dir, jobs)
    t0 = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - t0 < 15  # promptly
    assert proc.returncode == code, err
    assert f"planlib: interrupted by {signal.Signals(sig).name}" in err
    assert "interrupted" in err.split("Not built:")[1]
    for noise in ("Traceback", "AssertionError", "ZMQError", "Task exception", "DeadKernelError"):
        assert noise not in err, err
    assert "Built " in out
    _assert_all_gone(tree, runtime_dir)
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "interrupted" in index or "2 of 2 built" in index


# --- arguments and output folders: refused before any work -------------------------------------

@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_at_least_one(jobs, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["briefings", "weihai", "--jobs", jobs, "--out", str(tmp_path / "out")])
    assert stop.value.code == 2
    assert f"argument --jobs: must be a whole number of at least 1, not '{jobs}'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("option", ["--out", "--figures"])
def test_output_folder_that_is_a_file(option, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("taken").write_text("a file", encoding="utf-8")
    assert main(["briefings", "weihai", option, "taken"]) == 2
    assert _one_line(capsys.readouterr().err) == f"planlib: {option} taken is a file, not a folder"
    assert Path("taken").read_text(encoding="utf-8") == "a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # no work started


@pytest.mark.parametrize("option", ["--out", "--figures"])
def test_output_folder_that_cannot_be_written(option, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if os.geteuid() == 0:  # root writes anywhere: a folder under a file cannot be made either way
        Path("taken").write_text("a file", encoding="utf-8")
        assert main(["briefings", "weihai", option, "taken/briefings"]) == 2
        assert _one_line(capsys.readouterr().err) == \
            f"planlib: {option} taken/briefings is inside taken, which is a file, not a folder"
    else:
        Path("locked").mkdir(mode=0o500)
        try:
            assert main(["briefings", "weihai", option, "locked/briefings"]) == 2
        finally:
            Path("locked").chmod(0o700)
        assert _one_line(capsys.readouterr().err) == \
            f"planlib: {option} locked/briefings cannot be written: Permission denied"


# --- a full disk -------------------------------------------------------------------------------

def test_full_disk_names_the_file_and_keeps_the_old_briefing(tmp_path, capsys, monkeypatch, full_disk):
    """Before: "No space left on device" with no path, and a region left with a new .ipynb but
    no .html. Now the region fails naming the file, and the old notebook, HTML and figures stay."""
    monkeypatch.chdir(tmp_path)
    args = ["briefings", "weihai", "--jobs", "1", "--quiet", "--out", "build/briefings", "--figures", "figs"]
    assert main(args) == 0
    out = Path("build/briefings")
    old = {p: p.read_bytes() for p in [out / "weihai.ipynb", out / "weihai.html", out / "weihai.csv",
                                       out / "weihai-2030.csv", *Path("figs/weihai").iterdir()]}
    capsys.readouterr()

    full_disk(lambda path: path.suffix == ".html")
    assert main(args + ["--force"]) == 1
    err = capsys.readouterr().err
    assert "  weihai (en): cannot write build/briefings/weihai.html: No space left on device" in err.splitlines()
    for path, content in old.items():  # the old pair (and figures) as they were
        assert path.read_bytes() == content, path
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".staging-")]
    assert not leftovers
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["index.html", "index.zh.html", "methods.html", "weihai-2030.csv", "weihai.csv", "weihai.html", "weihai.ipynb"]


def test_write_together_removes_the_first_file_when_the_second_fails(tmp_path, full_disk):
    a, b = tmp_path / "r.ipynb", tmp_path / "r.html"
    full_disk(lambda path: path != a)
    with pytest.raises(OSError) as exc:
        files.write_together({a: "new notebook", b: "new html"})
    assert exc.value.filename == str(b) and batch.write_error(exc.value).endswith("r.html: No space left on device")
    assert list(tmp_path.iterdir()) == []  # not the new notebook alone


def test_full_disk_error_from_the_operating_system_names_the_target(tmp_path, monkeypatch):
    """A real ENOSPC from write() carries no file name; planlib adds the target's."""
    def no_space(fd, *args, **kwargs):
        os.close(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    target = tmp_path / "index.html"
    monkeypatch.setattr(files.os, "fdopen", no_space)
    with pytest.raises(OSError) as exc:
        files.write_atomic(target, "page")
    assert exc.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


def test_a_worker_whose_parent_died_while_it_started_exits_at_once(tmp_path):
    """A build killed within a second of starting: its workers start with the process that
    adopted them as parent. Given the pid its parent gave it, a worker notices at once, stops its
    kernel and exits (before, it took the adopter for its parent and ran on with no parent)."""
    import signal
    import subprocess
    import sys
    done = tmp_path / "cleaned"
    code = ("import os, sys, time\nfrom pathlib import Path\nfrom planlib.apps.kernel import exit_with_parent\n"
            "exit_with_parent(lambda: Path(sys.argv[1]).write_text('yes'), parent=os.getppid() + 1_000_000)\n"
            "time.sleep(30)\n")
    out = subprocess.run([sys.executable, "-c", code, str(done)], capture_output=True, text=True, timeout=20)
    assert out.returncode == 128 + signal.SIGTERM, out.stderr
    assert done.read_text() == "yes"
