"""Loading, validation and the bad-input messages (file, row, column, value, choices)."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import planlib
from planlib import DataError
from planlib.data.schema import read_dictionary

from conftest import DATA

SEED_REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]


def test_tables_have_dictionary_columns():
    d = read_dictionary(DATA / "dictionary.csv")
    t = planlib.load_tables()
    for name in ("regions", "indicators", "sources", "units", "observations"):
        df = getattr(t, name)
        assert list(df.columns) == [c.name for c in d[name]], name
        assert all(c.meaning for c in d[name]), f"{name}: every column needs a meaning"


def test_required_ids_exist():
    regions = set(planlib.load_regions()["id"])
    assert {"yangchun", "guangan", "anju", "xiangqiao", "weihai", "china", "guangdong", "sichuan",
            "shandong"} <= regions
    ind = planlib.load_indicators().set_index("id")
    assert set(planlib.CORE_INDICATORS) <= set(ind.index)
    assert set(ind.index[ind["core"] == "yes"]) == set(planlib.CORE_INDICATORS)
    assert "人均期望寿命" in ind.loc["life_expectancy", "aliases_zh"].split("|")
    assert ind.loc["maternal_mortality", "unit"] == "per 100000 live births"
    assert ind.loc["infant_mortality", "direction"] == "lower_is_better"


def test_every_seed_region_has_every_core_indicator():
    obs = planlib.load_observations()
    for region in SEED_REGIONS:
        have = set(obs.loc[obs["region_id"] == region, "indicator_id"])
        missing = set(planlib.CORE_INDICATORS) - have
        # Weihai's mid-term report gives no beds or GP ratios.
        allowed = {"beds_per_1000", "gps_per_10000"} if region == "weihai" else set()
        assert missing <= allowed, (region, missing)


def test_types_and_text_targets_preserved():
    obs = planlib.load_observations()
    assert str(obs["year"].dtype) == "Int64" and str(obs["value"].dtype) == "Float64"
    texts = obs[obs["comparator"] == "text"]
    assert texts["value"].isna().all()
    anju = obs[(obs["region_id"] == "anju") & (obs["indicator_id"] == "life_expectancy")
               & (obs["kind"] == "target")]
    assert set(anju["value_text"]) == {"≥82", "提高1岁"}
    assert set(anju["comparator"]) == {">=", "text"}


def test_plan_regions_are_the_five_seeds():
    assert planlib.plan_regions() == SEED_REGIONS


def test_cache_returns_independent_copies():
    a = planlib.load_observations()
    a.loc[0, "value"] = -1
    assert planlib.load_observations().loc[0, "value"] != -1


def test_data_dir_from_environment(data_copy, monkeypatch):
    monkeypatch.setenv("PLANLIB_DATA", str(data_copy))
    assert planlib.data_dir() == data_copy.resolve()
    assert len(planlib.load_observations()) == len(planlib.load_observations(DATA))


def test_users_can_add_a_region(data_copy):
    with (data_copy / "regions.csv").open("a", encoding="utf-8") as fh:
        fh.write("newtown,新城区,Newtown District,district,chaozhou,guangdong\n")
    with (data_copy / "sources.csv").open("a", encoding="utf-8") as fh:
        fh.write("newtown_plan,新城区规划,新城区人民政府,2022,,local plan,,user-supplied,,,\n")
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as fh:
        fh.write("newtown,life_expectancy,2020,actual,,=,78.1,78.1,岁,,newtown_plan,,\n")
    obs = planlib.load_observations(data_copy)
    assert "newtown" in set(obs["region_id"])
    assert "newtown" in planlib.plan_regions(data_copy)


def test_every_source_has_its_title_and_issuer_in_english():
    """English readers see each bundled document's title and issuer in English (and, in a
    briefing's list of sources, the title as published beside it)."""
    t = planlib.load_tables()
    for col in ("title_en", "issuer_en"):
        assert t.sources[col].notna().all(), col
        assert not t.sources[col].str.contains(r"[\u4e00-\u9fff]").any(), col
    assert t.source_title("yangchun_14th_plan", "en") == "Yangchun City 14th Five-Year Plan for Health Development"
    assert t.source_title("yangchun_14th_plan", "zh") == "阳春市卫生健康事业发展“十四五”规划"


def test_a_folder_made_before_the_english_titles_still_loads(data_copy):
    """Optional columns planlib added at the end of a table (sources' English title and issuer)
    may be missing from an older folder's table and its own dictionary: they are read as empty,
    and readers see the title and issuer as published. A missing required or inner column is
    still an error."""
    rows = list(csv.DictReader((data_copy / "sources.csv").open(encoding="utf-8")))
    old = [c for c in rows[0] if c not in ("title_en", "issuer_en")]
    with (data_copy / "sources.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=old, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    dictionary = (DATA / "dictionary.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (data_copy / "dictionary.csv").write_text(
        "".join(line for line in dictionary if not line.startswith(("sources,title_en,", "sources,issuer_en,"))),
        encoding="utf-8")
    t = planlib.load_tables(data_copy)
    assert t.sources["title_en"].isna().all() and len(t.sources) == len(rows)
    assert t.source_title("yangchun_14th_plan", "en") == "阳春市卫生健康事业发展“十四五”规划"
    assert t.source_issuer("yangchun_14th_plan", "en") == "阳春市人民政府"
    pd.testing.assert_frame_equal(t.observations, planlib.load_observations())
    # without note_zh too (optional, at the end once the newer columns are gone): still read
    with (data_copy / "sources.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=old[:-1], extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    assert planlib.load_tables(data_copy).sources["note_zh"].isna().all()
    # a required column (kind) left out is an error, as is an optional one left out inside the table
    for drop in ("kind", "date"):
        with (data_copy / "sources.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=[c for c in old if c != drop], extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        with pytest.raises(DataError, match=r"sources.csv, line 1 \(header\): columns"):
            planlib.load_tables(data_copy)


def _edit_observation(folder: Path, row: int, **changes: str) -> None:
    path = folder / "observations.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[row - 1].update(changes)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _error(folder: Path) -> str:
    with pytest.raises(DataError) as exc:
        planlib.load_tables(folder)
    return str(exc.value)


def test_malformed_csv_row(data_copy):
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as fh:
        fh.write("yangchun,life_expectancy,2020\n")
    n = len(pd.read_csv(DATA / "observations.csv"))
    msg = _error(data_copy)
    assert f"observations.csv, row {n + 1} (line {n + 2})" in msg
    assert "3 fields, expected 13" in msg and "region_id" in msg


def test_unknown_region(data_copy):
    _edit_observation(data_copy, 5, region_id="atlantis")
    msg = _error(data_copy)
    assert "observations.csv, row 5 (line 6), column 'region_id': bad value 'atlantis'" in msg
    assert "valid choices:" in msg and "yangchun" in msg


def test_duplicated_row(data_copy):
    path = data_copy / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[3]]), encoding="utf-8")
    msg = _error(data_copy)
    assert f"row {len(lines)} (line {len(lines) + 1})" in msg and "duplicate of row 3" in msg


def test_non_numeric_value(data_copy):
    _edit_observation(data_copy, 7, value="seventy")
    msg = _error(data_copy)
    assert "observations.csv, row 7 (line 8), column 'value': bad value 'seventy'" in msg
    assert "float" in msg


def test_value_must_match_value_text(data_copy):
    _edit_observation(data_copy, 2, value="99.9")
    msg = _error(data_copy)
    assert "row 2 (line 3), column 'value'" in msg and "does not match value_text" in msg


def test_unknown_unit_spelling(data_copy):
    _edit_observation(data_copy, 4, unit_text="furlongs")
    msg = _error(data_copy)
    assert "observations.csv, row 4 (line 5), column 'unit_text': bad value 'furlongs'" in msg
    assert "‰" in msg


def test_bad_allowed_value_lists_choices(data_copy):
    _edit_observation(data_copy, 3, kind="forecast")
    msg = _error(data_copy)
    assert "row 3 (line 4), column 'kind': bad value 'forecast'; valid choices: actual, target" in msg


def test_broken_file_never_loads_half(data_copy):
    _edit_observation(data_copy, 3, kind="forecast")
    with pytest.raises(DataError):
        planlib.load_observations(data_copy)
    with pytest.raises(DataError):
        planlib.load_regions(data_copy)  # regions are fine, but the folder is loaded as a whole


def test_missing_file_named(data_copy):
    (data_copy / "sources.csv").unlink()
    assert "sources.csv: file is missing" in _error(data_copy)
