"""Build step that puts the bundled tables and notebooks into the package.

Contributors keep the tables in ``data/`` and the notebooks in ``notebooks/`` at the top of the
repository. Every build of the package (``pip install .``, ``pip wheel .``, ``python -m build``,
which builds from the sdist: MANIFEST.in puts both folders in it) copies them (and ``docs/methods.md``, the
briefings' methods page) into the built package as ``planlib/bundled/data/``, ``planlib/bundled/notebooks/``
and ``planlib/bundled/docs/``, where
``planlib.resources`` finds them. An editable install (``pip install -e .``) copies nothing:
planlib then reads the checkout's folders directly. Everything else is in pyproject.toml.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: Repository folder -> file patterns shipped from it (searched recursively; hidden folders such
#: as .ipynb_checkpoints are left out).
BUNDLE = {"data": ("*.csv",), "notebooks": ("*.ipynb", "*.md"), "docs": ("methods.md",)}
#: Files whose absence means the source tree is incomplete: fail rather than build a package
#: that cannot load data or build a briefing.
REQUIRED = ("data/dictionary.csv", "data/observations.csv", "notebooks/briefing.ipynb")


def bundle_files() -> list[Path]:
    """The files to bundle, relative to the repository (or sdist) root, in a stable order."""
    missing = [f for f in REQUIRED if not (HERE / f).is_file()]
    if missing:
        raise FileNotFoundError(f"cannot bundle planlib's data and notebooks: missing {', '.join(missing)}")
    found = {p.relative_to(HERE) for folder, patterns in BUNDLE.items() for pattern in patterns
             for p in (HERE / folder).rglob(pattern)}
    return sorted(p for p in found if not any(part.startswith(".") for part in p.parts))


class BuildPyWithBundle(build_py):
    """``build_py`` that also copies ``data/`` and ``notebooks/`` into ``planlib/bundled/``."""

    def _bundle_dir(self) -> Path:
        return Path(self.build_lib, "planlib", "bundled")

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # planlib reads the checkout itself
            return
        target = self._bundle_dir()
        shutil.rmtree(target, ignore_errors=True)  # no leftovers from an earlier build
        for rel in bundle_files():
            self.mkpath(str((target / rel).parent))
            self.copy_file(str(HERE / rel), str(target / rel), preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if not self.editable_mode:
            outputs += [str(self._bundle_dir() / rel) for rel in bundle_files()]
        return outputs


setup(cmdclass={"build_py": BuildPyWithBundle})
