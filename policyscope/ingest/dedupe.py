"""Near-duplicate documents (drafts and finals, reprints): MinHash + LSH banding, verified exactly.

    find_near_duplicates([(doc_id, date, text), ...], threshold=0.8)
        -> [(dup_doc_id, canonical_doc_id, jaccard), ...]

- Shingles: word 5-grams of the lower-cased word tokens, hashed to 32 bits with a keyed-free,
  process-independent hash (blake2b per token, then a polynomial roll), so a signature computed
  in one worker equals the one computed in another (Python's own hash() is salted per process).
- Signature: NUM_PERM MinHash values, one per hash function from the multiply-add-shift family
  h(x) = ((a*x + b) mod 2^64) >> 32 (Dietzfelbinger: strongly universal for 32-bit keys, and
  3x faster in numpy than a Mersenne-prime modulus), a and b drawn from a fixed seed. `signature(text)` is picklable (a numpy uint32 array).
- Candidates: LSH banding (b bands of r rows, chosen so a pair at the threshold becomes a
  candidate with probability >= 0.98), so the work grows with the number of documents, not with
  the number of pairs.
- Verification: candidates whose MinHash estimate is within ESTIMATE_SLACK of the threshold are
  checked with the exact Jaccard of their shingle sets; only pairs at or above the threshold join.
- Documents with identical signatures enter LSH once (their copies are paired with the first),
  so many exact copies cost linear, not quadratic, work. Documents under MIN_SHINGLES shingles
  are not compared at all.
- Groups are the connected components of verified pairs. The canonical document of a group is
  the earliest dated (undated last), then the lowest doc_id. Each other member is reported with
  its exact Jaccard to the canonical one (in a chain of drafts this can be below the threshold).
"""
from __future__ import annotations

import functools
import hashlib
import re
import string
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from policyscope.arrays import sorted_unique

SHINGLE_WORDS = 5
NUM_PERM = 128
SEED = 20240601
RECALL_AT_THRESHOLD = 0.98  # chance that a pair exactly at the threshold shares an LSH bucket
ESTIMATE_SLACK = 0.1  # ~3 standard errors of a 128-permutation estimate near J = 0.8
MIN_SHINGLES = 20  # shorter documents (under ~24 words) are not compared
_SHIFT = np.uint64(32)
_EMPTY = np.uint32(0xFFFFFFFF)
_WORD = re.compile(r"\w+")  # the definition of a token; _word_tokens() finds the same ones faster
_ROLL_BASE = np.uint64(1099511628211)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
# Shingles hashed per step: the scratch array is NUM_PERM * _CHUNK * 8 bytes (8 MB). numpy's
# broadcast multiply runs ~2.5x faster per element once rows exceed ~2,700 columns, so big chunks pay.
_CHUNK = 8192
_TOKEN_CACHE_SIZE = 1 << 17  # token hashes kept between calls (~15 MB at most); the cache is emptied when full

# For _word_tokens: ASCII bytes that are not word characters become spaces; bytes >= 0x80 (parts of
# non-ASCII characters, dealt with before encoding) are kept.
_ASCII_WORD_BYTES = frozenset((string.ascii_letters + string.digits + "_").encode())
_ASCII_SEPARATORS_TO_SPACE = bytes(b if b in _ASCII_WORD_BYTES or b >= 0x80 else 0x20 for b in range(256))
_ASCII_BYTES = bytes(range(0x80))
_NON_ASCII_SEPARATORS = re.compile(r"[^\w\x00-\x7f]+")
_MAX_SEPARATOR_REPLACES = 32  # more distinct non-ASCII separators than this: one regex pass is cheaper


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 1 << 64, size=num_perm, dtype=np.uint64, endpoint=False) | np.uint64(1)  # odd
    b = rng.integers(0, 1 << 64, size=num_perm, dtype=np.uint64, endpoint=False)
    return a, b


_A, _B = _permutations(NUM_PERM, SEED)


def _token_hash(token: bytes) -> int:
    """64-bit hash of one token's UTF-8 bytes (blake2b: the same in every process)."""
    return int.from_bytes(hashlib.blake2b(token, digest_size=8).digest(), "little")


class _TokenHashes(dict):
    """token bytes -> _token_hash(token), computed on first lookup. A plain dict lookup costs less
    than an lru_cache call, and a document's text repeats most of its tokens many times."""

    def __missing__(self, token: bytes) -> int:
        value = self[token] = _token_hash(token)
        return value


_TOKEN_HASHES = _TokenHashes()


def _word_tokens(text: str) -> list[bytes]:
    """The UTF-8 bytes of `_WORD.findall(text.lower())`, found ~2x faster.

    A regex \\w is a character for which str.isalnum() holds, or "_". Every other character is
    turned into a space (non-ASCII ones with str.replace, ASCII ones with one bytes.translate
    after encoding), so the tokens are what bytes.split() leaves.
    """
    lowered = text.lower()
    if not lowered.isascii():
        # The distinct non-ASCII characters, cheaply: drop the ASCII bytes and decode the rest.
        non_ascii = set(lowered.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
                        .decode("utf-8", "surrogatepass"))
        separators = [c for c in non_ascii if not c.isalnum()]
        if len(separators) > _MAX_SEPARATOR_REPLACES:
            lowered = _NON_ASCII_SEPARATORS.sub(" ", lowered)
        else:
            for c in separators:
                lowered = lowered.replace(c, " ")
    return lowered.encode("utf-8").translate(_ASCII_SEPARATORS_TO_SPACE).split()


def shingles(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted unique 32-bit hashes of the text's word k-grams (a text shorter than k is one shingle)."""
    tokens = _word_tokens(text)
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    if len(_TOKEN_HASHES) > _TOKEN_CACHE_SIZE:
        _TOKEN_HASHES.clear()
    ids = np.fromiter(map(_TOKEN_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    n = max(len(ids) - k + 1, 1)
    width = min(k, len(ids))
    rolled = np.zeros(n, dtype=np.uint64)
    for j in range(width):  # polynomial roll over the window, mod 2^64, in place (no temporaries)
        rolled *= _ROLL_BASE
        rolled += ids[j:j + n]
    rolled ^= rolled >> np.uint64(29)  # mix high bits down before keeping the top 32
    rolled *= _MIX
    rolled >>= _SHIFT
    return sorted_unique(rolled.astype(np.uint32))


def signature(text_or_shingles: str | np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signature (uint32, length num_perm). All-0xFFFFFFFF for a text without words."""
    sh = shingles(text_or_shingles) if isinstance(text_or_shingles, str) else text_or_shingles
    a, b = (_A, _B) if num_perm == NUM_PERM else _permutations(num_perm, SEED)
    a, b = a[:, None], b[:, None]
    x = np.asarray(sh, dtype=np.uint64)
    # The minimum of (h >> 32) is (minimum of h) >> 32, so the shift is applied to num_perm values only.
    lowest = np.full(num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
    if x.size:
        n_chunks = -(-x.size // _CHUNK)
        step = -(-x.size // n_chunks)  # equal chunks of at most _CHUNK: no thin, slow last one
        scratch = np.empty((num_perm, step), dtype=np.uint64)
        for start in range(0, x.size, step):
            chunk = x[start:start + step]
            hashed = scratch[:, :chunk.size]
            np.multiply(a, chunk, out=hashed)  # (a*x + b) mod 2^64: numpy integer arithmetic wraps
            hashed += b
            np.minimum(lowest, hashed.min(axis=1), out=lowest)
    return (lowest >> _SHIFT).astype(np.uint32)


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    return float(np.mean(sig_a == sig_b))


def exact_jaccard(sh_a: np.ndarray, sh_b: np.ndarray) -> float:
    if sh_a.size == 0 and sh_b.size == 0:
        return 0.0
    inter = np.intersect1d(sh_a, sh_b, assume_unique=True).size
    return inter / (sh_a.size + sh_b.size - inter)


@functools.lru_cache(maxsize=32)
def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows): the longest bands that still make a pair AT the threshold a candidate with
    probability >= RECALL_AT_THRESHOLD. Longer bands mean fewer false candidates; recall comes first
    because every candidate is checked exactly anyway.
    """
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold ** rows) ** bands >= RECALL_AT_THRESHOLD:
            return bands, rows
    return num_perm, 1


def lsh_candidates(signatures: Mapping[str, np.ndarray], threshold: float = 0.8) -> set[tuple[str, str]]:
    """Pairs (a, b) with a < b that share at least one LSH band bucket."""
    ids = [d for d, sig in signatures.items() if not np.all(sig == _EMPTY)]
    if len(ids) < 2:
        return set()
    num_perm = len(signatures[ids[0]])
    bands, rows = lsh_bands(threshold, num_perm)
    pairs: set[tuple[str, str]] = set()
    for band in range(bands):
        buckets: dict[bytes, list[str]] = {}
        lo, hi = band * rows, (band + 1) * rows
        for doc_id in ids:
            buckets.setdefault(signatures[doc_id][lo:hi].tobytes(), []).append(doc_id)
        for members in buckets.values():
            if len(members) > 1:
                members = sorted(members)
                pairs.update((members[i], members[j]) for i in range(len(members)) for j in range(i + 1, len(members)))
    return pairs


def find_near_duplicates(docs: Iterable[tuple[str, str | None, str]], threshold: float = 0.8, *,
                         min_shingles: int = MIN_SHINGLES) -> list[tuple[str, str, float]]:
    """[(dup_doc_id, canonical_doc_id, jaccard)], sorted by canonical then duplicate.

    Documents with fewer than `min_shingles` shingles (about min_shingles + 4 words) are left out:
    two short rows such as "Answer the question." are separate events, not a draft and its final.
    If `docs` can be iterated twice (a list, or a store stream), only signatures are held in
    memory and the texts of candidate pairs are read again for the exact check; a one-shot
    iterator keeps every document's shingle set instead (4 bytes per shingle).
    """
    reiterable = iter(docs) is not docs
    sigs: dict[str, np.ndarray] = {}
    dates: dict[str, str | None] = {}
    kept: dict[str, np.ndarray] = {}
    for doc_id, date, text in docs:
        sh = shingles(text)
        if sh.size < min_shingles:
            continue
        sigs[doc_id] = signature(sh)
        dates[doc_id] = date
        if not reiterable:
            kept[doc_id] = sh

    def shingles_of(wanted: set[str]) -> dict[str, np.ndarray]:
        if not reiterable:
            return kept
        return {doc_id: shingles(text) for doc_id, _, text in docs if doc_id in wanted}

    return group_near_duplicates(sigs, dates, shingles_of, threshold)


def group_near_duplicates(sigs: Mapping[str, np.ndarray], dates: Mapping[str, str | None],
                          shingles_of: Callable[[set[str]], Mapping[str, np.ndarray]],
                          threshold: float = 0.8) -> list[tuple[str, str, float]]:
    """Groups from precomputed signatures (e.g. stored beside each document); `shingles_of(ids)`
    returns the shingle sets of just the candidate documents for the exact check."""
    unique: dict[str, np.ndarray] = {}
    twins: list[tuple[str, str]] = []  # (document, earlier document with the identical signature)
    first_with: dict[bytes, str] = {}
    for doc_id, sig in sigs.items():
        # Exact copies share one LSH entry: a thousand copies must not make a million candidate pairs.
        twin = first_with.setdefault(sig.tobytes(), doc_id)
        if twin != doc_id:
            twins.append((min(doc_id, twin), max(doc_id, twin)))
        else:
            unique[doc_id] = sig
    candidates = {(a, b) for a, b in lsh_candidates(unique, threshold)
                  if estimate_jaccard(unique[a], unique[b]) >= threshold - ESTIMATE_SLACK}
    pairs = sorted(candidates | set(twins))
    if not pairs:
        return []
    kept = shingles_of({d for pair in pairs for d in pair})
    return _groups(pairs, kept, dates, threshold)


def _groups(pairs: Iterable[tuple[str, str]], kept: Mapping[str, np.ndarray], dates: Mapping[str, str | None],
            threshold: float) -> list[tuple[str, str, float]]:
    """Connected components of the pairs that pass the exact check, each reported against its canonical."""
    parent = {d: d for pair in pairs for d in pair}

    def root(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for a, b in pairs:
        if exact_jaccard(kept[a], kept[b]) >= threshold:
            parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for d in parent:
        groups.setdefault(root(d), []).append(d)
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue
        canonical = min(members, key=lambda d: (dates[d] is None, dates[d] or "", d))
        for d in sorted(members):
            if d != canonical:
                out.append((d, canonical, round(exact_jaccard(kept[d], kept[canonical]), 4)))
    return sorted(out, key=lambda t: (t[1], t[0]))
