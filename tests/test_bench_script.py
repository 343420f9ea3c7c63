"""The speed benchmark's own helpers (benchmarks/briefings.py): its synthetic data is valid
planlib data, and its output comparison notices a difference. The timings themselves are
printed by `make bench`, never asserted in tests."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest

import planlib

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "briefings.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_briefings", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_regions_are_valid_clones(bench, tmp_path):
    ids = bench.make_data(tmp_path / "data", 7)
    assert ids == bench.make_ids(7) and len(set(ids)) == 7
    obs = planlib.load_observations(tmp_path / "data")  # validated like any user folder
    bundled = planlib.load_observations()
    assert set(ids) <= set(obs["region_id"])
    for rid in (ids[0], ids[5]):  # both cloned from the first seed region
        mine = obs[obs["region_id"] == rid].drop(columns="region_id").reset_index(drop=True)
        seed = bundled[bundled["region_id"] == bench.SEEDS[0]].drop(columns="region_id").reset_index(drop=True)
        assert mine.equals(seed)
    assert len(bundled) == len(planlib.load_observations())  # data/ untouched


def _briefing(folder: Path, rid: str, text: str) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": text})]
    nb.cells = [cell]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{rid}.ipynb")


def test_output_comparison_finds_differences(bench, tmp_path):
    a, b, fa, fb = (tmp_path / n for n in ("a", "b", "fa", "fb"))
    _briefing(a, "r1", "Built 2026-11-30 09:15 UTC. Life expectancy 77.8")
    _briefing(b, "r1", "Built 2026-12-01 16:40 UTC. Life expectancy 77.8")  # only the build time differs
    (fa / "r1").mkdir(parents=True)
    (fa / "r1" / "x.png").write_bytes(b"png")
    shutil.copytree(fa, fb)
    assert bench.compare_outputs(["r1"], a, fa, b, fb) == (1, 1, [])
    _briefing(b, "r1", "Built 2026-12-01 16:40 UTC. Life expectancy 77.9")
    (fb / "r1" / "x.png").write_bytes(b"pnG")
    assert bench.compare_outputs(["r1"], a, fa, b, fb)[2] == ["r1: narrative differs", "r1/x.png: bytes differ"]


def test_floor_does_every_call_of_the_briefing_notebook(bench):
    """The floor is the notebook's work without the notebook: every function or method the
    notebook's cells call to build the page is called by the floor too (else the overhead ratio
    flatters planlib)."""
    import ast
    import inspect
    import re

    nb = nbformat.read(SCRIPT.parents[1] / "notebooks" / "briefing.ipynb", as_version=4)
    called = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Call):
                    f = node.func
                    called.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
    called -= {"display", "HTML", "Markdown", "Path", ""}
    floor = inspect.getsource(bench.run_floor)
    missing = sorted(c for c in called if not re.search(rf"\b{re.escape(c)}\(", floor))
    assert called and not missing, f"the floor leaves out {missing}"


def test_floor_makes_what_the_batch_makes_beside_each_page(bench):
    """Beside each page the batch makes the region's CSVs and index facts (in the kernel, after
    the notebook); the floor makes them too, so the overhead ratio measures the machinery, not
    missing work."""
    import inspect
    import re

    from planlib.apps import batch
    beside = set(re.findall(r"\b(numbers_csv|options_csv|region_facts)\(", inspect.getsource(batch.region_extras)))
    assert beside == {"numbers_csv", "options_csv", "region_facts"}
    floor = inspect.getsource(bench.run_floor)
    assert all(re.search(rf"\b{name}\(", floor) for name in beside)
