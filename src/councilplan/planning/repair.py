"""A feasible Kantorovich plan, with a certified gap, from a first-order one.

PDLP stops with every balance, capacity and limit met only to its tolerance: at 10^5
products a few products fall short of the least fulfilment it reports. This module turns
such an answer into a plan that meets every constraint to rounding, and bounds how far it
is from the optimum.

- **Owners.** Each product's most interior technique becomes its *owner*; every other
  technique keeps PDLP's activity, clipped to its bounds. The owners' activities then follow
  from the balances, affine in lambda: ``x_owner = lambda a + b``, where ``a`` and ``b`` are
  two Leontief solves with the owners' inputs.
- **Handovers.** An owner pushed over its capacity is held there and hands its product to the
  sibling with the most room; an owner pushed below zero (its siblings over-supply) is held
  at zero and hands over to the busiest sibling. Two or three rounds settle it.
- **Frugal moves.** A product whose every technique is full needs less of it used: its users'
  output moves to sibling techniques that need less of it, and what is still too much is
  asked of the users' own products in turn (PDLP's errors are largest on small products).
- **Lambda.** A two-variable LP picks the largest lambda, with the held activities scaled by
  a common share, that keeps every owner within its bounds and every limit: share 1 lowers
  lambda alone, lambda and share falling together scale the whole plan (the balances are
  homogeneous in both), and the LP finds the best mix.
- **Bound.** Any non-negative prices bound the optimum by weak duality. The better of two
  price sets is used: PDLP's own, and prices at which every owner breaks even at PDLP's
  resource prices (one transposed Leontief solve, which removes PDLP's noise on the owners).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import InvalidInput
from ..validation import FloatArray, IndexArray
from ._highs import LinearProgram, LPStatus, solve_lp
from .crossover import (
    CrossoverFailed,
    PlanLP,
    _bounding_prices,
    _dual_bound,
    _Priced,
    _span,
    _violation,
    solve_block,
)
from .nonsubstitution import _cheapest

ROUNDS = 30  # rounds of handovers at most
FRUGAL_PASSES = 3  # passes that move output to techniques needing less of a full product
FEASIBLE = 1e-9  # largest relative violation the repaired plan may keep (rounding)


class RepairFailed(Exception):
    """No feasible plan was found near the first-order one; the caller keeps that one."""


@dataclass(frozen=True, eq=False)
class FeasiblePlan:
    """A plan meeting every constraint, its lambda, and what prices prove about the optimum."""

    activity: FloatArray
    scale: float  # lambda, the least fulfilment the plan guarantees
    bound: float  # an upper bound on the optimal lambda (weak duality)
    prices: _Priced  # the prices behind the bound
    infeasibility: float  # largest relative violation (rounding only)
    moves: int  # owner handovers and frugal moves
    seconds: float

    @property
    def gap(self) -> float:
        """Certified relative gap: the optimum lies between ``scale`` and ``bound``."""
        return (self.bound - self.scale) / max(1.0, abs(self.bound))


def feasible_plan(lp: PlanLP, activity: FloatArray, scale: float, prices: FloatArray,
                  resource_prices: FloatArray, *, rounds: int = ROUNDS) -> FeasiblePlan:
    """Repair a near-optimal Kantorovich plan (``max lambda``) into a feasible one."""
    if not lp.homogeneous or lp.scale_bounds != (0.0, np.inf):
        raise RepairFailed("only the Kantorovich plan (max lambda, no costs) is repaired")
    if not np.any(activity) and not np.any(prices):
        raise RepairFailed("the first-order answer is empty (no iterate to repair)")
    t0 = time.perf_counter()
    z = np.clip(activity, 0.0, lp.capacity)
    owner = _owners(lp, z)
    bound_priced, bound = _best_prices(lp, owner, prices, resource_prices)
    a, b, moves = _settle(lp, owner, z, min(max(float(scale), 0.0), bound), rounds)
    lam, share = _best_mix(lp, owner, z, a, b)
    z *= share
    z[owner] = np.clip(lam * a + share * b, 0.0, lp.capacity[owner])
    z, lam = _scaled_within_bounds(lp, z, lam)
    violation = _violation(lp, z, lam)
    if violation > FEASIBLE:
        raise RepairFailed(f"the repaired plan still violates a constraint by {violation:.2g}")
    return FeasiblePlan(z, lam, bound, bound_priced, violation, moves,
                        time.perf_counter() - t0)


def _settle(lp: PlanLP, owner: IndexArray, z: FloatArray, target: float, rounds: int
            ) -> tuple[FloatArray, FloatArray, int]:
    """Handovers and frugal moves at lambda = ``target`` until no owner moves (``owner``
    and the held activities ``z`` change in place); returns the owners' response ``a, b``
    and the number of moves."""
    siblings = _Siblings(lp.product_of)
    users: sp.csc_array | None = None
    moves = frugal = 0
    for _ in range(rounds):
        z[owner] = 0.0
        a, b = _owner_response(lp, owner, z)
        x_owner = target * a + b
        moved = _hand_over(lp, siblings, owner, z, x_owner)
        stuck = np.flatnonzero(x_owner > lp.capacity[owner])
        if not moved and stuck.size and frugal < FRUGAL_PASSES:
            users = sp.csc_array(lp.inputs) if users is None else users
            moved = _frugal_moves(lp, users, siblings, owner, z, x_owner, stuck)
            frugal += 1
        moves += moved
        if not moved:
            return a, b, moves
    z[owner] = 0.0  # out of rounds: the owners as they are; the mix still keeps them in bounds
    a, b = _owner_response(lp, owner, z)
    return a, b, moves


def _owners(lp: PlanLP, z: FloatArray) -> IndexArray:
    """Each product's technique with the most room on its nearer side."""
    span = _span(lp.capacity)
    room = np.minimum(z / span, np.where(np.isfinite(lp.capacity), (lp.capacity - z) / span,
                                         np.inf))
    try:
        return _cheapest(lp.product_of, -room, lp.N.shape[0])
    except InvalidInput as exc:
        raise RepairFailed("a product has no technique") from exc


def _owner_response(lp: PlanLP, owner: IndexArray, z: FloatArray
                    ) -> tuple[FloatArray, FloatArray]:
    """``a, b`` with the owners' activities ``lambda a + b`` (others held at ``z``)."""
    A_owner = sp.csr_array(lp.inputs[owner].T)
    try:
        ab = solve_block(A_owner, np.column_stack([lp.quantity, -(lp.N @ z)]), rtol=1e-13)
    except CrossoverFailed as exc:
        raise RepairFailed(str(exc)) from exc
    return ab[:, 0], ab[:, 1]


def _hand_over(lp: PlanLP, siblings: _Siblings, owner: IndexArray, z: FloatArray,
               x_owner: FloatArray) -> int:
    """Move ownership away from owners outside their bounds (``owner`` and ``z`` change in
    place); returns how many moved. Where no sibling has room, the owner stays over capacity
    for the frugal moves and the final mix to deal with."""
    cap = lp.capacity[owner]
    over = np.flatnonzero(x_owner > cap)
    under = np.flatnonzero(x_owner < 0)
    is_owner = np.zeros(z.size, dtype=bool)
    is_owner[owner] = True
    moved = 0
    for i in over.tolist():
        s = siblings.of(i)
        room = np.where(is_owner[s], -np.inf, lp.capacity[s] - z[s])
        if room.max() <= 0:
            continue
        z[owner[i]] = cap[i]
        owner[i] = s[np.argmax(room)]
        moved += 1
    for i in under.tolist():
        s = siblings.of(i)
        busy = np.where(is_owner[s], -np.inf, z[s])
        if busy.max() <= 0:
            continue  # over-supplied through its users' owners; their handovers fix it
        z[owner[i]] = 0.0
        owner[i] = s[np.argmax(busy)]
        moved += 1
    return moved


def _frugal_moves(lp: PlanLP, users: sp.csc_array, siblings: _Siblings, owner: IndexArray,
                  z: FloatArray, x_owner: FloatArray, stuck: IndexArray, depth: int = 3) -> int:
    """Products whose every technique is full still need less of them used: move each
    user's output to a sibling of it that needs less of the product and has room, until the
    excess is gone; what is left is asked of the users' own products in turn (less of them
    used, so less made), ``depth`` levels up. Only held activities change (``z`` in place);
    owners follow from the balances. Returns the number of moves."""
    full = z.copy()
    full[owner] = x_owner
    held = np.ones(z.size, dtype=bool)
    held[owner] = False
    moves = 0
    queue = {int(i): float(x_owner[i] - lp.capacity[owner[i]]) for i in stuck.tolist()}
    for _ in range(depth):
        upstream: dict[int, float] = {}
        for i, excess in queue.items():
            moves += _relieve(lp, users, siblings, held, z, full, i, excess, upstream)
        queue = upstream
    return moves


def _relieve(lp: PlanLP, users: sp.csc_array, siblings: _Siblings, held: Any, z: FloatArray,
             full: FloatArray, product: int, excess: float, upstream: dict[int, float]) -> int:
    """Use ``excess`` less of ``product``: its biggest users first hand output to frugal
    siblings with room; what is left goes into ``upstream`` as less of the users' products
    to make. ``full`` (every activity) and the held ones in ``z`` change in place."""
    col = slice(users.indptr[product], users.indptr[product + 1])
    using, per_unit = users.indices[col], users.data[col]
    need = dict(zip(using.tolist(), per_unit.tolist(), strict=True))
    moves = 0
    for j in using[np.argsort(-per_unit * full[using])].tolist():
        for k in siblings.of(int(lp.product_of[j])).tolist():
            saving = need[j] - need.get(k, 0.0)
            room = float(lp.capacity[k] - full[k])
            if k == j or saving <= 0 or room <= 0 or full[j] <= 0:
                continue
            step = min(float(full[j]), room, excess / saving)
            for tech, change in ((j, -step), (k, step)):
                full[tech] += change
                if held[tech]:
                    z[tech] += change
            excess -= step * saving
            moves += 1
            if excess <= 0:
                return moves
        made = int(lp.product_of[j])  # still too much: make less of j's product
        cut = min(float(full[j]), excess / need[j])
        upstream[made] = upstream.get(made, 0.0) + cut
        excess -= cut * need[j]
        if excess <= 0:
            return moves
    return moves


def _best_mix(lp: PlanLP, owner: IndexArray, z: FloatArray, a: FloatArray, b: FloatArray
              ) -> tuple[float, float]:
    """The largest lambda with the techniques held at ``share`` times their activity
    (``0 <= share <= 1``) and the owners making up the rest, ``lambda a + share b``: a
    two-variable LP over every owner's bounds and every limit. ``share = 1`` lowers lambda
    alone; ``lambda = share x target`` scales the whole plan; the LP picks the best mix."""
    n = owner.size
    R_owner = lp.R[:, owner]
    A = sp.csc_array(sp.vstack([sp.csr_array(np.column_stack([a, b])),
                                sp.csr_array(np.column_stack([R_owner @ a,
                                                              lp.R @ z + R_owner @ b]))]))
    lower = np.concatenate([np.zeros(n), np.full(lp.limits.size, -np.inf)])
    upper = np.concatenate([lp.capacity[owner], lp.limits])
    sol = solve_lp(LinearProgram(np.array([-1.0, 0.0]), A, lower, upper, np.zeros(2),
                                 np.array([np.inf, 1.0])), method="simplex",
                   feasibility_tolerance=1e-10)
    if sol.status != LPStatus.OPTIMAL:
        raise RepairFailed(f"no feasible mix of the held plan and its owners ({sol.message})")
    return float(sol.x[0]), float(sol.x[1])


def _scaled_within_bounds(lp: PlanLP, z: FloatArray, scale: float
                          ) -> tuple[FloatArray, float]:
    """Scale plan and lambda down together until every capacity and limit holds: the
    balances are homogeneous in both, so they still hold."""
    use = lp.R @ z
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = min(
            float(np.min(np.where(z > lp.capacity, lp.capacity / z, 1.0), initial=1.0)),
            float(np.min(np.where(use > lp.limits, lp.limits / use, 1.0), initial=1.0)))
    return (z * factor, scale * factor) if factor < 1.0 else (z, scale)


def _best_prices(lp: PlanLP, owner: IndexArray, prices: FloatArray,
                 resource_prices: FloatArray) -> tuple[_Priced, float]:
    """The better of the given prices and of prices at which every owner breaks even, and
    the upper bound on lambda they prove."""
    nu = np.maximum(resource_prices, 0.0)
    A_owner = sp.csr_array(lp.inputs[owner].T)
    unit_cost = np.asarray(lp.R[:, owner].T @ nu, dtype=np.float64)
    candidates = [_bounding_prices(lp, prices, resource_prices)]
    try:
        even = solve_block(sp.csr_array(A_owner.T), unit_cost[:, None], rtol=1e-13)[:, 0]
        candidates.append(_bounding_prices(lp, even, nu))
    except CrossoverFailed:
        pass  # the owners' system does not converge: PDLP's prices alone
    bounds = [(-_dual_bound(lp, c), c) for c in candidates if c is not None]
    finite = [(b, c) for b, c in bounds if np.isfinite(b)]
    if not finite:
        raise RepairFailed("the prices give the targets no value")
    bound, priced = min(finite, key=lambda bc: bc[0])
    return priced, bound


class _Siblings:
    """The techniques of each product."""

    def __init__(self, product_of: IndexArray) -> None:
        self.order = np.argsort(product_of, kind="stable")
        self.start = np.searchsorted(product_of[self.order],
                                     np.arange(int(product_of.max(initial=-1)) + 2))

    def of(self, product: int) -> IndexArray:
        return self.order[self.start[product]:self.start[product + 1]]
