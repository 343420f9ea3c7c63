"""Shared fixtures: the seed documents, a writable copy of the data folder."""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEED_REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]
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


@pytest.fixture
def no_documents(tmp_path_factory, monkeypatch) -> None:
    """planlib finds no source documents (as an installed planlib without the bundled texts), so
    values are not checked against their cited lines: for tests that change the numbers of a
    copy of the data on purpose (what-if data), which then no longer stand on the lines they cite."""
    monkeypatch.setenv("PLANLIB_DOCUMENTS", str(tmp_path_factory.mktemp("no_documents")))


def clone_regions(folder: Path, n: int) -> list[str]:
    """Add ``n`` synthetic regions to the data folder ``folder``, each a copy of one seed region's
    region row and observations under a new id (``<seed>_c<i>``, seeds in turn). Returns the ids."""
    with (folder / "regions.csv").open(encoding="utf-8", newline="") as fh:
        regions = {r["id"]: r for r in csv.DictReader(fh)}
    with (folder / "observations.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, obs = reader.fieldnames, list(reader)
    ids = [f"{SEED_REGIONS[i % len(SEED_REGIONS)]}_c{i:04d}" for i in range(n)]
    seed_of = {rid: SEED_REGIONS[i % len(SEED_REGIONS)] for i, rid in enumerate(ids)}
    with (folder / "regions.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(regions["china"])).writerows(
            {**regions[seed_of[rid]], "id": rid} for rid in ids)
    with (folder / "observations.csv").open("a", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        for rid in ids:
            w.writerows({**o, "region_id": rid} for o in obs if o["region_id"] == seed_of[rid])
    return ids
