"""Is an economy productive? Bounds on the spectral radius, and the cycle that breaks it.

A non-negative A is productive (every final demand can be met) exactly when its spectral
radius rho(A) < 1. Cheap certificates come first: rho(A) <= max column sum. Otherwise the
Collatz-Wielandt bounds min_i (A u)_i / u_i <= rho(A) <= max_i (A u)_i / u_i hold for any
positive u, and power iteration tightens them. A cycle i1 -> i2 -> ... -> i1 of inputs whose
coefficients multiply to g >= 1 proves rho(A) >= g^(1/k) >= 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..errors import UnproductiveEconomy


@dataclass(frozen=True)
class SpectralBounds:
    lower: float
    upper: float

    @property
    def productive(self) -> bool | None:
        if self.upper < 1.0:
            return True
        if self.lower >= 1.0:
            return False
        return None


def spectral_bounds(M: sp.csr_array, *, iterations: int = 300, gap: float = 1e-4
                    ) -> SpectralBounds:
    """Bounds on rho(M) for M holding inputs per unit of each product by rows.

    The row sums bound rho from above. Otherwise power iteration runs on I + M, which has
    the Perron vector of M but is aperiodic, so the bounds close in even on cyclic blocks.
    """
    if M.shape[0] == 0:
        return SpectralBounds(0.0, 0.0)
    upper = float(np.asarray(M.sum(axis=1)).max())
    if upper < 1.0:
        return SpectralBounds(0.0, upper)
    u = np.ones(M.shape[0])
    lower = 0.0
    for _ in range(iterations):
        w = u + M @ u
        ratio = w / u - 1.0
        lower, upper = max(lower, float(ratio.min())), min(upper, float(ratio.max()))
        if upper - lower <= gap * max(upper, 1e-12) or upper < 1.0 or lower >= 1.0:
            break
        u = np.maximum(w / w.max(), 1e-300)
    return SpectralBounds(lower, upper)


def check_productive(M: sp.csr_array, labels: Any) -> SpectralBounds:
    """Raise :class:`UnproductiveEconomy` naming a cycle of products if rho(M) >= 1.

    rho(M) is the largest rho over the strongly connected blocks of M, so each block is
    bounded on its own when the whole matrix gives no verdict.
    """
    bounds = spectral_bounds(M)
    if bounds.productive is True:
        return bounds
    n_comp, comp = connected_components(M, directed=True, connection="strong")
    sizes = np.bincount(comp, minlength=n_comp)
    diag = M.diagonal()
    lowers, uppers = [float(diag.max(initial=0.0))], [float(diag.max(initial=0.0))]
    worst: tuple[float, list[int]] | None = None
    if diag.max(initial=0.0) >= 1.0:
        worst = (float(diag.max()), [int(np.argmax(diag))])
    for c in np.flatnonzero(sizes > 1):
        members = np.flatnonzero(comp == c)
        b = spectral_bounds(sp.csr_array(M[members][:, members]))
        cycle, gain = heaviest_cycle(M, members.tolist())
        low = max(b.lower, gain ** (1.0 / len(cycle)) if gain > 0 else 0.0)
        lowers.append(low)
        uppers.append(b.upper)
        if low >= 1.0 and (worst is None or low > worst[0]):
            worst = (low, members.tolist())
    if worst is None:
        return SpectralBounds(max(lowers), max(uppers))
    cycle, gain = heaviest_cycle(M, worst[1])
    names = [str(labels[i]) for i in cycle]
    chain = " -> ".join([*names, names[0]])
    raise UnproductiveEconomy(
        f"the economy cannot produce its own inputs: spectral radius >= {worst[0]:.6g}. "
        f"Sector cycle responsible: {chain}; along it, one unit of {names[0]!r} needs "
        f"{gain:.6g} units of itself",
        cycle=tuple(names), gain=gain,
    )


def heaviest_cycle(M: sp.csr_array, members: list[int]) -> tuple[list[int], float]:
    """Follow each product's largest input inside ``members`` until a product repeats."""
    inside = np.zeros(M.shape[0], dtype=bool)
    inside[members] = True
    start = members[0]
    path: list[int] = []
    seen: dict[int, int] = {}
    node = start
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        row = slice(M.indptr[node], M.indptr[node + 1])
        cols, vals = M.indices[row], M.data[row]
        mask = inside[cols]
        if not mask.any():
            return [start], 0.0
        node = int(cols[mask][np.argmax(vals[mask])])
    cycle = path[seen[node]:]
    gain = 1.0
    for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
        gain *= float(M[a, b])
    return cycle, gain
