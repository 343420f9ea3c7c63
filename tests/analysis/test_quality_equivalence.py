"""The quality checks give exactly the findings of the region-by-region, row-by-row code.

``_reference_quality`` is a verbatim copy of the checks before they ran over all regions at
once. Findings must be frame-equal (rows, columns, messages, order, dtypes) on the bundled
data and on a synthetic folder of many cloned regions whose values were changed so that every
check fires.
"""
from __future__ import annotations

import csv
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import _reference_quality as reference
import planlib
from planlib.analysis.quality import check_quality

from conftest import DATA, clone_regions

CHECKS = {"impossible_relation", "conflicting_values", "comparator_differs", "implausible_value",
          "unit_mismatch", "weak_target", "implausible_change", "ratio_count_mismatch"}
NUMBER = re.compile(r"(?<![\d.])[-−]?\d+(?:[,，]\d{3})*(?:\.\d+)?")
OBS_KEY = ["region_id", "indicator_id", "year", "kind", "source_id", "source_line", "value_text"]


def _num(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".")


def _rescale(r: dict, factor: float) -> None:
    """Multiply a numeric observation by ``factor``, in value and value_text alike."""
    m = NUMBER.search(r["value_text"])
    if r["comparator"] == "text" or not r["value"] or not m:
        return
    new = _num(float(r["value"]) * factor)
    r["value"] = new
    r["value_text"] = r["value_text"][: m.start()] + new + r["value_text"][m.end():]


def _as_target(r: dict, rnd: random.Random) -> dict:
    """A 2025 14th-plan target made from an actual: a level with a random qualifier, or a
    change on the baseline written in words."""
    t = {**r, "kind": "target", "year": "2025", "plan_cycle": "14th", "nature": rnd.choice(["", "预期性"])}
    if rnd.random() < 0.3:
        return {**t, "comparator": "text", "value": "",
                "value_text": rnd.choice(["提高1岁", "增长30%", "降低5%", "提高2个百分点", "持续提升", "下降10%左右"])}
    v = _num(float(r["value"]) * rnd.choice([0.5, 0.9, 1.0, 1.05, 1.5, 4.0]))
    comp, text = rnd.choice([("=", v), (">=", f"≥{v}"), ("<=", f"≤{v}"), ("<", f"<{v}"), (">", f">{v}"),
                             ("~", f"{v}左右")])
    return {**t, "comparator": comp, "value": v, "value_text": text}


def _perturb(folder: Path, seed: int) -> None:
    """Change values of the synthetic regions so that every quality check has something to find:
    rescaled numbers, second reports of a number, units as written, new targets and years."""
    rnd = random.Random(seed)
    path = folder / "observations.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    out = []
    for r in rows:
        out.append(r)
        if "_c" not in r["region_id"]:
            continue
        x = rnd.random()
        numeric = r["comparator"] != "text" and r["value"]
        if x < 0.08 and numeric:
            _rescale(r, rnd.choice([0.1, 0.3, 0.5, 0.97, 1.02, 1.5, 3.5, 8.0, 20.0]))
        elif x < 0.13 and numeric:  # the same quantity reported again, by another source or line
            again = dict(r)
            _rescale(again, rnd.choice([1.0, 1.0, 1.01, 1.3, 0.2]))
            if rnd.random() < 0.5:
                again.update(source_id="guangdong_press_a", source_line="")
            elif again["source_line"]:
                again["source_line"] = str(int(again["source_line"]) + 1000)
            if again["comparator"] == "=" and rnd.random() < 0.3:
                again.update(comparator="~", value_text=f"{again['value_text']}左右")
            out.append(again)
        elif x < 0.17:
            r["unit_text"] = rnd.choice(["%", "‰", "万", "人", ""])
        elif x < 0.25 and numeric and r["kind"] == "actual":
            out.append(_as_target(r, rnd))
        elif x < 0.28 and r["kind"] == "actual":
            r["year"] = str(int(r["year"]) + rnd.choice([-2, -1, 1]))
        elif x < 0.30 and r["kind"] == "target":
            r["plan_cycle"] = "13th" if r["plan_cycle"] == "14th" else "14th"
    seen, kept = set(), []
    for r in out:  # a perturbation must not make a duplicate row (that is a load error)
        key = tuple(r[k] for k in OBS_KEY)
        if key not in seen:
            seen.add(key)
            kept.append(r)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(kept)


@pytest.fixture(scope="module", autouse=True)
def no_documents(tmp_path_factory):
    """No source documents: the synthetic values are changed on purpose, so they are not on the
    lines they cite (the line check is tested in tests/data/test_bad_inputs.py)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PLANLIB_DOCUMENTS", str(tmp_path_factory.mktemp("no_documents")))
        yield


def _old_checks(df: pd.DataFrame) -> pd.DataFrame:
    """Findings of the checks the reference has (implausible_count came with issue 13 and is
    tested in test_quality.py), with their dtypes as check_quality gives them."""
    new = ~df["check"].isin(CHECKS)
    if not new.any():
        return df
    kept = df[~new].reset_index(drop=True)
    return kept.astype({c: object for c in kept.columns if c != "year"}) if kept.empty else kept


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """Bundled data plus 40 cloned regions with perturbed values."""
    folder = tmp_path_factory.mktemp("many") / "data"
    shutil.copytree(DATA, folder)
    clone_regions(folder, 40)
    _perturb(folder, seed=7)
    return folder


@pytest.fixture(scope="module")
def many_reference(many) -> pd.DataFrame:
    return reference.all_findings(planlib.load_tables(many))


def test_bundled_findings_identical():
    t = planlib.load_tables()
    ref = reference.all_findings(t)
    pd.testing.assert_frame_equal(check_quality(), ref)
    for r in t.regions["id"]:  # including regions with no findings (dtypes of an empty frame)
        pd.testing.assert_frame_equal(check_quality(region_id=r), reference.region_findings(t, r))


def test_many_regions_trigger_every_check(many_reference):
    clones = many_reference[many_reference["region_id"].str.contains("_c")]
    assert set(clones["check"]) == CHECKS
    assert len(clones) > len(many_reference) // 2


def test_many_regions_findings_identical(many, many_reference):
    pd.testing.assert_frame_equal(_old_checks(check_quality(many)), many_reference)


def test_many_regions_one_region_identical(many):
    t = planlib.load_tables(many)
    for r in list(t.regions["id"])[::4]:
        pd.testing.assert_frame_equal(_old_checks(check_quality(many, region_id=r)), reference.region_findings(t, r))


@pytest.mark.parametrize("folder", ["bundled", "many"])
def test_baseline_positions_are_baseline_for(folder, many):
    """The vectorised baseline choice returns, for every target, the row baseline_for returns:
    among all rows and among the rows in a matching unit, as the checks use them."""
    from planlib.analysis.baselines import baseline_positions
    from planlib.analysis.targets import baseline_for
    obs = planlib.load_tables(None if folder == "bundled" else many).enriched
    targets = np.flatnonzero((obs["kind"] == "target").to_numpy())
    if folder == "many":  # every target of a sample of regions
        regions = random.Random(5).sample(sorted(set(obs["region_id"])), 12)
        targets = targets[obs["region_id"].iloc[targets].isin(regions).to_numpy()]
    for among in (None, obs["unit_ok"].to_numpy()):
        pool = obs if among is None else obs[among]
        got = baseline_positions(obs, targets, among)
        assert (got >= 0).sum() > 20 and (got < 0).sum() > 5
        for t, pos in zip(targets, got):
            r = obs.iloc[t]
            base = baseline_for(pool, r["region_id"], r["indicator_id"], int(r["year"]), r["plan_cycle"], r["source_id"])
            if base is None:
                assert pos == -1
            else:
                assert pos >= 0 and obs.index[pos] == base.name


def test_meets_all_is_meets():
    """The element-wise target test says True exactly where targets.meets does."""
    from planlib.analysis.quality import meets_all
    from planlib.analysis.targets import meets
    values = [0.0, 1.0, 2.0, 2.01, 1.99, 2.03, -1.0, float("nan")]
    rows = [(v, c, t, d) for v in values for c in ("=", "<", "<=", ">", ">=", "~", "text")
            for t in (2.0, -2.0, 0.0) for d in ("higher_is_better", "lower_is_better", "no_judgement")]
    v, c, t, d = (np.array(x, dtype=float if k in (0, 2) else object) for k, x in enumerate(zip(*rows)))
    assert meets_all(v, c, t, d).tolist() == [meets(*r) is True for r in rows]
