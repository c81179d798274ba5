"""The Mann-Whitney U test the timing tests use, against values worked by hand."""
import math

import pytest

from tests.support.statistics import mann_whitney_p


def test_two_samples_that_do_not_overlap_are_separable():
    # U = 0, mean 800, variance 40 * 40 * 81 / 12 = 10800: z = 799.5 / sqrt(10800)
    expected = math.erfc(799.5 / math.sqrt(10800) / math.sqrt(2))
    assert mann_whitney_p(list(range(40)), list(range(40, 80))) == pytest.approx(expected)
    assert expected < 1e-13


def test_interleaved_samples_are_not():
    assert mann_whitney_p(list(range(0, 80, 2)), list(range(1, 80, 2))) > 0.8


def test_a_small_case_with_ties():
    # Ranks 1, 3, 3, 5.5, 7: R1 = 19.5, U1 = 4.5, mean 12.5; tie terms 24 + 6 + 6 = 36,
    # variance 25 / 12 * (11 - 36 / 90) = 22.083; z = (8 - 0.5) / sqrt(22.083) = 1.596
    assert mann_whitney_p([1, 2, 2, 3, 4], [2, 3, 5, 6, 6]) == pytest.approx(0.1105, abs=1e-3)
    assert mann_whitney_p([2, 3, 5, 6, 6], [1, 2, 2, 3, 4]) == pytest.approx(0.1105, abs=1e-3)


def test_identical_samples():
    assert mann_whitney_p([1.0] * 5, [1.0] * 5) == 1.0
