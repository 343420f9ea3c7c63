"""The scale benchmark (benchmarks/scale.py) runs and prints its figures in the documented shape.
The timings themselves are printed by `make bench-scale`, never asserted in tests."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import planlib

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "scale.py"


def test_synthetic_regions_are_valid_clones(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_scale", SCRIPT)
    scale = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scale)
    ids = scale.make_data(tmp_path / "data", 12)
    assert ids == scale.make_ids(12) and len(set(ids)) == 12
    obs = planlib.load_observations(tmp_path / "data")  # validated like any user folder
    bundled = planlib.load_observations()
    for rid in (ids[1], ids[6]):  # both cloned from the second seed region
        mine = obs[obs["region_id"] == rid].drop(columns="region_id").reset_index(drop=True)
        seed = bundled[bundled["region_id"] == scale.SEEDS[1]].drop(columns="region_id").reset_index(drop=True)
        assert mine.equals(seed)
    assert len(bundled) == len(planlib.load_observations())  # data/ untouched


def test_output_shape():
    r = subprocess.run([sys.executable, str(SCRIPT), "--n", "20"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.strip().splitlines()
    for words in ("pandas.read_csv", "load_observations", "check_quality, all 20 regions",
                  "one region (warm)", "peak memory"):
        assert any(words in line for line in lines), words
    assert any("analyse_region" in line or "assess_progress" in line for line in lines)  # the parts timed
    assert sum("goal" in line for line in lines) == 4
    m = re.fullmatch(r"scale n=20 rows=(\d+) read=[\d.]+s load=[\d.]+s check=[\d.]+s region=\d+ms peak=\d+MiB",
                     lines[-1])
    assert m, lines[-1]
    obs = planlib.load_observations()
    seeds = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]
    assert int(m.group(1)) == len(obs) + 4 * obs["region_id"].isin(seeds).sum()  # four clones of each seed
