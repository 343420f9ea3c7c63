"""Small charts outside the briefings: the hiring-plan chart of lesson 4."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from planlib.analysis import workforce  # noqa: E402
from planlib.report import charts  # noqa: E402


def test_hiring_chart_draws_a_path_and_target_per_group():
    a = workforce.hiring_plan(829, 2.1, 592_143, 0.0, 5, base_year=2020).assign(group="Physicians")
    b = workforce.hiring_plan(764, 3.5, 636_667, 0.0, 5, base_year=2020).assign(group="Nurses")
    ax = charts.hiring_chart(pd.concat([a, b]))
    try:
        paths = [ln for ln in ax.get_lines() if ln.get_label().endswith("planned path")]
        targets = [ln for ln in ax.get_lines() if "target" in ln.get_label()]
        assert len(paths) == 2 and len(targets) == 2
        xs = list(paths[0].get_xdata())
        assert xs[0] == 2020 and xs[-1] == 2025
        assert paths[0].get_ydata()[0] == pytest.approx(829 / 592_143 * 1000)
        assert targets[1].get_ydata()[0] == pytest.approx(3.5)
        assert paths[0].get_color() != paths[1].get_color()
    finally:
        plt.close(ax.figure)
    with pytest.raises(ValueError, match="columns"):
        charts.hiring_chart(pd.DataFrame({"year": [1]}))
