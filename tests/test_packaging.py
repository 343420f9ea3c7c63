"""Packaging: environment.yml and pyproject.toml list the same packages with the same lower
bounds; the built wheel carries the bundled tables and notebooks and works outside the checkout."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(>=\s*[0-9][^,;\s]*)?")


def _parse(spec: str) -> tuple[str, str]:
    m = REQ.match(spec)
    assert m, f"cannot parse requirement {spec!r}"
    return m.group(1).lower().replace("_", "-"), (m.group(3) or "").replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(meta["dependencies"])
    for extra in meta.get("optional-dependencies", {}).values():
        specs += extra
    return dict(_parse(s) for s in specs)


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, bound = _parse(dep)
            if name not in ("python", "pip"):  # the interpreter and pip itself (python-docx is a package)
                out[name] = bound
    return out


def test_every_dependency_has_a_lower_bound():
    missing = [n for n, b in pyproject_requirements().items() if not b]
    assert not missing, f"pyproject.toml dependencies without a >= lower bound: {missing}"


def test_environment_yml_agrees_with_pyproject():
    py, env = pyproject_requirements(), environment_requirements()
    assert set(py) == set(env), (f"only in pyproject.toml: {sorted(set(py) - set(env))}; "
                                 f"only in environment.yml: {sorted(set(env) - set(py))}")
    differ = {n: (py[n], env[n]) for n in py if py[n] != env[n]}
    assert not differ, f"lower bounds differ (pyproject, environment.yml): {differ}"


def test_python_version_agrees():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert py.replace("python", "") == meta["requires-python"]


# --- The built wheel: bundled tables and notebooks, usable outside the checkout ----------------

BUNDLED_NOTEBOOKS = ["briefing.ipynb", "compare_regions.ipynb", "explore.ipynb", "add_region.ipynb",
                     *(f"lessons/{p.name}" for p in sorted((ROOT / "notebooks" / "lessons").glob("*.ipynb")))]


def _run(cmd: list, **kw) -> subprocess.CompletedProcess:
    """Run ``cmd``; on failure, fail the test with its output."""
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=900, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} exited {r.returncode}\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r


#: Left out of the copy the wheel is built from: environments, Git, and what builds and runs leave behind.
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                     ".pytest_cache", ".hypothesis", ".ipynb_checkpoints")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """planlib's wheel, built with ``pip wheel .`` as a package index or conda recipe would.

    Built from a clean copy of the repository: setuptools builds in the source folder and keeps
    its ``build/lib`` between builds, so a build in the checkout could pass on a previous build's
    leftovers (and would write into the checkout)."""
    src, out = tmp_path_factory.mktemp("source") / "planlib", tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, src, ignore=NOT_SOURCES)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, "."], cwd=src)
    (whl,) = out.glob("planlib-*.whl")
    return whl


def test_resources_read_the_checkout_in_an_editable_install():
    """Contributors edit data/ and notebooks/ at the top of the checkout; planlib reads them there."""
    from planlib import resources
    from planlib.apps import batch
    from planlib.data.tables import BUNDLED_DATA, DICTIONARY
    assert resources.checkout() == ROOT
    assert BUNDLED_DATA == resources.bundled_data() == ROOT / "data"
    assert DICTIONARY == ROOT / "data" / "dictionary.csv"
    assert batch.NOTEBOOK == resources.notebook("briefing.ipynb") == ROOT / "notebooks" / "briefing.ipynb"
    assert not (ROOT / "src" / "planlib" / resources.BUNDLED).exists()  # no copy that could go stale
    assert not batch.DEFAULT_OUT.is_absolute() and not batch.DEFAULT_FIGURES.is_absolute()


@pytest.mark.slow
def test_wheel_carries_the_tables_and_notebooks(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        expected = {f"planlib/bundled/data/{p.name}": p for p in (ROOT / "data").glob("*.csv")}
        expected |= {f"planlib/bundled/notebooks/{n}": ROOT / "notebooks" / n for n in BUNDLED_NOTEBOOKS}
        assert "planlib/bundled/data/dictionary.csv" in expected
        assert "planlib/bundled/notebooks/briefing.ipynb" in expected
        missing = sorted(set(expected) - names)
        assert not missing, f"not in {wheel.name}: {missing}"
        for name, source in expected.items():
            assert z.read(name) == source.read_bytes(), f"{name} differs from {source}"
        assert not [n for n in names if "checkpoint" in n]
        assert "planlib/data/extract/example_plan.txt" in names  # the add_region notebook's example


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_installed_wheel_checks_and_builds_a_briefing_in_the_working_folder(wheel, tmp_path):
    """``pip install`` of the built wheel (not editable) into a fresh virtual environment outside
    the checkout: ``planlib check`` and ``planlib briefings`` work from any folder, read the
    package's own tables and notebook, and write their outputs under the current folder only.

    The fresh environment gets planlib from the wheel and, to avoid downloading them again, its
    dependencies from this test environment: a ``.pth`` file adds this environment's
    site-packages (a path line: the ``.pth`` files there, such as the editable install's link
    to the checkout, are not processed), and ``JUPYTER_PATH`` its Jupyter data (kernel spec,
    nbconvert templates)."""
    import site
    import sysconfig

    venv = tmp_path / "venv"
    work = tmp_path / "work"
    work.mkdir()
    assert not venv.is_relative_to(ROOT) and not work.is_relative_to(ROOT)
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    py, planlib_cmd = venv / "bin" / "python", venv / "bin" / "planlib"
    _run([sys.executable, "-m", "pip", "--python", py, "install", "--quiet", "--no-deps", "--no-index", wheel])
    purelib = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()).resolve()
    ours = [p for p in dict.fromkeys([*site.getsitepackages(), sysconfig.get_paths()["purelib"]]) if Path(p).is_dir()]
    (purelib / "_planlib_test_dependencies.pth").write_text("".join(f"{p}\n" for p in ours), encoding="utf-8")

    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PLANLIB_DATA", "JUPYTER_PATH"}}
    # No bytecode caches (Python's doing, not planlib's): any file that appears in site-packages is planlib's.
    env |= {"PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", "PYTHONDONTWRITEBYTECODE": "1",
            "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    where = _run([py, "-c", "import sys, planlib, planlib.resources as r, planlib.apps.batch as b\n"
                            "print(planlib.__file__, r.bundled_data(), b.NOTEBOOK, r.checkout(), sep='\\n')\n"
                            "print(any(p.startswith(sys.argv[1]) for p in sys.path))", ROOT / "src"],
                 cwd=work, env=env).stdout.splitlines()
    package = purelib / "planlib"
    assert where == [str(package / "__init__.py"), str(package / "bundled" / "data"),
                     str(package / "bundled" / "notebooks" / "briefing.ipynb"), "None", "False"]

    before = _files(purelib)
    check = _run([planlib_cmd, "check"], cwd=work, env=env)
    assert f"from {package / 'bundled' / 'data'}: all valid" in check.stdout
    _run([planlib_cmd, "briefings", "yangchun", "--jobs", "1"], cwd=work, env=env)
    html = work / "build" / "briefings" / "yangchun.html"
    assert html.is_file() and "Yangchun: health-plan briefing" in html.read_text(encoding="utf-8")
    pngs = sorted(p.name for p in (work / "figures" / "yangchun").glob("*.png"))
    assert pngs == ["life_expectancy.png", "mortality.png", "outlook.png", "workforce.png"]
    assert _files(purelib) == before, "planlib wrote into its installation"
