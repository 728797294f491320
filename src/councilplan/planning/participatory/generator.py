"""Synthetic participatory experiments of any size, reproducible from a seed.

The distributions are those of the shipped dep1 files (see ``shared/data/participatory``):
WCs spread evenly over the three industries and their products (public-good WCs first, then
intermediate, then private, as in the files); 1-4 intermediate inputs, 1-2 natural resources,
1-2 labour types; every elasticity uniform in [0.75/m, 0.85/m) for m inputs; a in [4, 6),
c in [0.05, 0.1), k in [3, 4), s = 1; CC income 5000 and exponents uniform in [0.025, 0.05).
"""

from __future__ import annotations

import numpy as np

from ...errors import InvalidInput
from .councils import INTERMEDIATE, LABOUR, NATURE, PRIVATE, PUBLIC, Councils
from .experiments import ENDOWMENT

CHUNK = 1 << 16


def generate_councils(n_wc: int, n_cc: int, goods_per_class: int = 10, *, seed: int = 0
                      ) -> Councils:
    """Generate ``n_wc`` worker and ``n_cc`` consumer councils over ``5 * goods_per_class``
    goods."""
    if n_wc < 3 or n_cc < 1 or goods_per_class < 4:
        raise InvalidInput("need at least 3 worker councils, 1 consumer council and 4 goods "
                           "per class")
    n = goods_per_class
    seeds = np.random.SeedSequence(seed).spawn(3)
    outputs = _outputs(n_wc, n)
    rng = np.random.default_rng(seeds[0])
    counts = np.stack([rng.integers(1, 5, n_wc), rng.integers(1, 3, n_wc),
                       rng.integers(1, 3, n_wc)], axis=1)
    m = counts.sum(axis=1)
    ptr = np.concatenate([[0], np.cumsum(m)])
    goods = np.empty(ptr[-1], dtype=np.int64)
    for lo in range(0, n_wc, CHUNK):
        hi = min(n_wc, lo + CHUNK)
        goods[ptr[lo]:ptr[hi]] = _pick_inputs(rng, counts[lo:hi], n)
    owner_m = np.repeat(m, m)
    exps = rng.uniform(0.75, 0.85, ptr[-1]) / owner_m
    params = np.random.default_rng(seeds[1])
    a, c, k = (params.uniform(4, 6, n_wc), params.uniform(0.05, 0.1, n_wc),
               params.uniform(3, 4, n_wc))
    cc = np.random.default_rng(seeds[2])
    endowment = np.zeros(5 * n)
    endowment[NATURE * n:(LABOUR + 1) * n] = ENDOWMENT
    return Councils(
        goods_per_class=n, wc_output=outputs, input_ptr=ptr, input_good=goods,
        input_exponent=exps, a=a, c=c, k=k, s=np.ones(n_wc),
        income=np.full(n_cc, 5000.0),
        private_exponents=cc.uniform(0.025, 0.05, (n_cc, n)),
        public_exponents=cc.uniform(0.025, 0.05, (n_cc, n)),
        endowment=endowment, source=f"generated seed={seed}",
    )


def _outputs(n_wc: int, n: int) -> np.ndarray:
    """Output good of each WC: public, intermediate, private blocks, each by product."""
    position = np.arange(n_wc)
    block = np.minimum(position * 3 // n_wc, 2)
    start = (block * n_wc + 2) // 3
    size = ((block + 1) * n_wc + 2) // 3 - start
    product = (position - start) * n // np.maximum(size, 1)
    cls = np.array([PUBLIC, INTERMEDIATE, PRIVATE])[block]
    return np.asarray(cls * n + product, dtype=np.int64)


def _pick_inputs(rng: np.random.Generator, counts: np.ndarray, n: int) -> np.ndarray:
    """For each WC, distinct sorted ids within each class, flattened in I, N, L order."""
    rows = len(counts)
    parts, masks = [], []
    for j, cls in enumerate((INTERMEDIATE, NATURE, LABOUR)):
        order = np.argsort(rng.random((rows, n)), axis=1)
        keep = np.arange(n)[None, :] < counts[:, j:j + 1]
        chosen = np.sort(np.where(keep, order, n), axis=1)  # chosen ids first, ascending
        parts.append(chosen + cls * n)
        masks.append(keep)
    picked: np.ndarray = np.concatenate(parts, axis=1)[np.concatenate(masks, axis=1)]
    return picked
