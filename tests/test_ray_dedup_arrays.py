"""The Ray driver's candidate arrays: narrower integers, the same pairs."""

from __future__ import annotations

import numpy as np
import pytest

from curator.core.dedup import lsh as L
from curator.core.engine.ray_dedup import _pairs_of_codes


@pytest.mark.parametrize("m", [7, 5_000_000, 2**31 + 5])
def test_pairs_of_codes_are_the_pairs_lsh_gives(m: int) -> None:
    rng = np.random.default_rng(m)
    i = rng.integers(0, m - 1, 1000)
    j = i + 1 + rng.integers(0, m - 1 - i)
    codes = np.unique(i * m + j)
    got = _pairs_of_codes(codes, m)
    assert got.dtype == (np.int32 if m < 2**31 else np.int64)  # int32 only where rows fit
    np.testing.assert_array_equal(got, L.pairs_of_codes(codes, m))
