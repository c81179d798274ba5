"""The Mann-Whitney U test (two-sided, the large-sample normal form with the tie and
continuity corrections, as scipy's `method="asymptotic"`), for tests that compare
two samples of timings without asserting any duration."""
from __future__ import annotations

import math
from collections import Counter


def mann_whitney_p(first: list[float], second: list[float]) -> float:
    """The two-sided p-value that both samples come from one distribution."""
    n1, n2 = len(first), len(second)
    ranks = _ranks([*first, *second])
    u1 = sum(ranks[:n1]) - n1 * (n1 + 1) / 2
    ties = sum(t ** 3 - t for t in Counter([*first, *second]).values())
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance == 0:
        return 1.0
    z = (abs(u1 - n1 * n2 / 2) - 0.5) / math.sqrt(variance)
    return min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2)))


def _ranks(values: list[float]) -> list[float]:
    """1-based ranks, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks
