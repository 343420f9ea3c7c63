"""The array helpers behind the vectorised checks agree with pandas' merge, groupby and
drop_duplicates on random keys."""
from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.analysis.grouping import first_of_runs, first_rows, key_codes, matching_pairs, per_group


def test_key_codes_equal_exactly_for_equal_rows():
    rnd = np.random.default_rng(1)
    a = rnd.choice(np.array(["x", "y", "z", np.nan], dtype=object), 500)
    b = rnd.integers(0, 4, 500).astype(float)
    code = key_codes(a, b)
    expected = pd.DataFrame({"a": a, "b": b}).groupby(["a", "b"], dropna=False, sort=False).ngroup().to_numpy()
    assert (pd.factorize(code)[0] == expected).all()  # the same partition, missing values equal


def test_matching_pairs_is_an_inner_merge_in_its_order():
    rnd = np.random.default_rng(2)
    for n_left, n_right in ((0, 5), (5, 0), (40, 60), (300, 200)):
        left, right = rnd.integers(0, 12, n_left), rnd.integers(0, 12, n_right)
        i, j = matching_pairs(left, right)
        m = pd.DataFrame({"k": left, "i": np.arange(n_left)}).merge(
            pd.DataFrame({"k": right, "j": np.arange(n_right)}), on="k")
        assert list(zip(i, j)) == list(zip(m["i"], m["j"]))


def test_per_group_and_first_rows():
    groups = np.array([0, 0, 1, 3, 3, 3])
    values = np.array([5, 2, 7, 1, 9, 4])
    assert per_group(np.maximum, values, groups).tolist() == [5, 5, 7, 9, 9, 9]
    flags = np.array([False, True, False, False, False, True])
    assert per_group(np.logical_or, flags, groups).tolist() == [True, True, False, True, True, True]
    assert first_of_runs(groups).tolist() == [True, False, True, True, False, False]
    assert per_group(np.maximum, values[:0], groups[:0]).tolist() == []
    codes = np.array([3, 1, 3, 2, 1, 0])
    assert first_rows(codes).tolist() == pd.Series(codes).drop_duplicates().index.tolist()
