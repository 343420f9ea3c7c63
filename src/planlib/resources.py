"""Where planlib finds its bundled tables and notebooks, in every way it can be installed.

* **Source checkout / editable install** (``pip install -e .``, as the Makefile and
  environment.yml do): the package is ``<checkout>/src/planlib``, and the files are read
  straight from the checkout's top-level ``data/`` and ``notebooks/``, where contributors edit
  them. No copy is made, so none can go stale.
* **Built wheel** (``pip install .``, ``pip wheel .``, ``python -m build``, a package index, a
  conda recipe): the build copies ``data/`` and ``notebooks/`` into the package as
  ``planlib/bundled/data/`` and ``planlib/bundled/notebooks/`` (see ``setup.py``), and they are
  found through :mod:`importlib.resources`.

This module imports nothing heavy (no pandas): batch worker processes import it at start-up.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: Folder inside the installed package that holds the copies made at build time.
BUNDLED = "bundled"


def package_dir() -> Path:
    """The folder of the imported ``planlib`` package.

    :func:`importlib.resources.files` returns a ``Traversable``. For a package on the file
    system, which is how pip installs a wheel (unpacked into site-packages) and how an editable
    install works, that is a real folder (a :class:`pathlib.Path`), so planlib can hand plain
    paths to pandas and Jupyter. A package imported from a zip archive is not supported.
    """
    root = files("planlib")
    if not isinstance(root, Path):
        raise RuntimeError(f"planlib must be installed as a folder, not imported from {root!r}")
    return root.resolve()


def checkout() -> Path | None:
    """The source checkout planlib is imported from (``<checkout>/src/planlib``), else None.

    A checkout is recognised by its layout: the package sits in ``src/`` next to
    ``pyproject.toml`` and ``data/``. An installed wheel sits in ``site-packages/`` and never
    matches, so it reads its bundled copies.
    """
    pkg = package_dir()
    root = pkg.parent.parent
    if pkg.parent.name == "src" and (root / "pyproject.toml").is_file() and (root / "data").is_dir():
        return root
    return None


def _folder(name: str) -> Path:
    root = checkout()
    return root / name if root is not None else package_dir() / BUNDLED / name


def bundled_data() -> Path:
    """The folder of the bundled tables (``regions.csv``, ``observations.csv``, ``dictionary.csv``…).

    ``<checkout>/data`` in a checkout, ``planlib/bundled/data`` in an installed wheel. The path is
    returned even if it does not exist (a package built without its data), so that importing
    planlib never fails; loading the tables then reports the missing folder.
    """
    return _folder("data")


def notebooks_dir() -> Path:
    """The folder of the notebooks (briefing, explorer, comparison, lessons).

    ``<checkout>/notebooks`` in a checkout, ``planlib/bundled/notebooks`` in an installed wheel.
    """
    return _folder("notebooks")


def notebook(name: str) -> Path:
    """The path of a bundled notebook, e.g. ``notebook("briefing.ipynb")`` or
    ``notebook("lessons/01_indicators_and_units.ipynb")`` (it may not exist; see :func:`bundled_data`)."""
    return notebooks_dir() / name


def methods_text() -> Path:
    """``docs/methods.md`` (how progress is judged), the page the briefings' index links to:
    the checkout's, or the installed package's copy. The path is returned even if it does not
    exist (a package built without it)."""
    return _folder("docs") / "methods.md"
