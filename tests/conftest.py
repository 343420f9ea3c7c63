"""Shared fixtures: the seed documents, a writable copy of the data folder."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEEDS = Path(os.environ.get("PLANLIB_SEEDS", ROOT.parent / "shared" / "seeds"))


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The seed documents; skipped for end users, required in CI (CI=true)."""
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must check provenance, but the seed folder {SEEDS} is missing")
        pytest.skip(f"seed documents not found at {SEEDS} (set PLANLIB_SEEDS); provenance not checked")
    return SEEDS


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled tables that a test may break."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst
