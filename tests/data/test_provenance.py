"""Every number from a seed document is on the line it cites, exactly as written."""
from __future__ import annotations

import re

import pytest

import planlib


@pytest.fixture(scope="module")
def seed_lines(seeds):
    src = planlib.load_sources()
    out = {}
    for sid, f in src.dropna(subset=["seed_file"])[["id", "seed_file"]].itertuples(index=False):
        path = seeds / f
        assert path.is_file(), f"sources.csv names seed file {f} for {sid}, but it is not in {seeds}"
        out[sid] = path.read_text(encoding="utf-8").split("\n")
    return out


def test_value_text_is_on_the_cited_line(seed_lines):
    obs = planlib.load_observations()
    rows = obs[obs["source_id"].isin(seed_lines)]
    assert len(rows) > 300
    bad = []
    for i, r in rows.iterrows():
        lines = seed_lines[r["source_id"]]
        n = int(r["source_line"])
        if not 1 <= n <= len(lines) or r["value_text"] not in lines[n - 1]:
            bad.append(f"observations.csv row {i + 1}: {r['value_text']!r} not on {r['source_id']} line {n}")
    assert not bad, "\n".join(bad)


def test_unit_text_is_on_the_cited_line_or_near_it(seed_lines):
    """A unit comes from the number itself or from the table's row label just above it."""
    obs = planlib.load_observations()
    rows = obs[obs["source_id"].isin(seed_lines) & obs["unit_text"].notna()]
    bad = []
    for i, r in rows.iterrows():
        lines = seed_lines[r["source_id"]]
        n = int(r["source_line"])
        window = "".join(lines[max(0, n - 12):n]).replace(" ", "")
        in_order = re.search(".*?".join(map(re.escape, r["unit_text"])), r["value_text"])  # 万余人 → 万人
        if r["unit_text"].replace(" ", "") not in window and not in_order:
            bad.append(f"row {i + 1}: unit {r['unit_text']!r} not within 12 lines above line {n}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("region, indicator, year, kind, value_text", [
    ("yangchun", "life_expectancy", 2015, "actual", "77.2岁"),
    ("yangchun", "life_expectancy", 2020, "actual", "77.8"),
    ("yangchun", "life_expectancy", 2025, "target", ">79"),
    ("yangchun", "infant_mortality", 2020, "actual", "3.11‰"),
    ("yangchun", "maternal_mortality", 2020, "actual", "0/10万"),
    ("guangan", "life_expectancy", 2025, "target", "78.2岁"),
    ("guangan", "beds_count", 2020, "actual", "6012张"),
    ("anju", "life_expectancy", 2025, "target", "≥82"),
    ("anju", "life_expectancy", 2025, "target", "提高1岁"),
    ("anju", "life_expectancy", 2020, "actual", "80.17岁"),
    ("xiangqiao", "under5_mortality", 2020, "actual", "0.14"),
    ("xiangqiao", "infant_mortality", 2020, "actual", "0.35"),
    ("weihai", "infant_mortality", 2022, "actual", "2.02%"),
    ("weihai", "life_expectancy", 2022, "actual", "81.58"),
])
def test_known_numbers_are_recorded(region, indicator, year, kind, value_text):
    obs = planlib.load_observations()
    hit = obs[(obs["region_id"] == region) & (obs["indicator_id"] == indicator) & (obs["year"] == year)
              & (obs["kind"] == kind) & (obs["value_text"] == value_text)]
    assert len(hit) >= 1


# Lines that name an indicator next to a number that is not a level of that indicator.
NOT_INDICATOR_NUMBERS = {
    ("weihai_14th_midterm", 73): "GPs who completed transfer training: a training count, not the GP stock",
}


def test_core_numbers_in_prose_are_all_recorded(seed_lines):
    """Every line of a seed that names a core or workforce indicator next to a number is cited."""
    names = ["预期寿命", "期望寿命", "孕产妇死亡率", "婴儿死亡率", "5岁以下儿童死亡率",
             "执业（助理）医师", "执业(助理)医师", "注册护士", "床位", "全科医生", "药师", "中医类别",
             "公共卫生人员", "卫生技术人员", "卫生人员"]
    obs = planlib.load_observations()
    cited = set(zip(obs["source_id"], obs["source_line"].astype("Int64")))
    missing = []
    for sid, lines in seed_lines.items():
        for n, line in enumerate(lines, start=1):
            for name in names:
                for m in re.finditer(re.escape(name), line):
                    tail = line[m.end():m.end() + 12]
                    if re.match(r"\s*[（(]", tail):
                        continue  # a table label with its unit, e.g. 孕产妇死亡率(/10万)
                    if re.search(r"\d", tail) and (sid, n) not in cited and (sid, n) not in NOT_INDICATOR_NUMBERS:
                        missing.append(f"{sid} line {n}: {name} followed by a number")
    assert not missing, "\n".join(sorted(set(missing)))


def test_no_copied_prose():
    """Short value strings only: nothing longer than a value phrase is copied from the documents."""
    obs = planlib.load_observations()
    assert obs["value_text"].str.len().max() <= 20
    notes = obs["note"].dropna()
    cjk = notes[notes.str.contains(r"[\u4e00-\u9fff]{9,}", regex=True)]
    assert cjk.empty, f"notes with long Chinese passages: {list(cjk.index + 1)}"


def test_seed_documents_are_cited_under_their_own_titles(seeds):
    """Each bundled document is cited by the title it gives itself (spacing aside; a draft's
    "（征求意见稿）" may stand on its own line)."""
    src = planlib.load_sources().dropna(subset=["seed_file"])
    wrong = []
    for r in src.itertuples():
        head = re.sub(r"\s", "", "".join((seeds / r.seed_file).read_text(encoding="utf-8").splitlines()[:100]))
        title = re.sub(r"\s", "", r.title)
        core = title.removesuffix("（征求意见稿）")
        if core not in head or (core != title and "征求意见稿" not in head):
            wrong.append(f"{r.id}: {r.title!r}")
    assert not wrong, wrong
