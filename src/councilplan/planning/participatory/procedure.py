"""The iterative participatory planning procedure (Hahnel and Szczepanczyk), vectorised.

Each round, every worker council (WC) proposes output and input orders, every consumer council
(CC) proposes consumption, at the announced indicative prices; the facilitation board tallies
supply and demand of every good and moves the prices. Sections refer to
``shared/design/participatory-procedure.md``. No Python loop runs over councils.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from ...errors import InvalidInput
from ...validation import FloatArray
from .councils import PRIVATE, PUBLIC, Councils


@dataclass(frozen=True, eq=False)
class WorkerProposals:
    """Section 2: each WC's output at the announced prices; effort and input orders are
    derived on demand, since the board needs only outputs and total orders per good."""

    councils: Councils
    prices: FloatArray
    output: FloatArray
    own_price: FloatArray

    @cached_property
    def effort(self) -> FloatArray:
        c = self.councils
        e: FloatArray = (self.own_price * c.c * self.output / (c.s * c.k)) ** (1.0 / c.k)
        return e

    @cached_property
    def reported_effort(self) -> FloatArray:
        """The effort as csvgen prints it: its formula for WCs with eight inputs has a sign
        error in the ln k and ln s terms, e * (k s)^(2B/D)."""
        c = self.councils
        B = np.bincount(c.input_owner, weights=c.input_exponent, minlength=c.n_wc)
        D = c.c - c.k + c.k * B
        return np.where(c.n_inputs == 8, self.effort * (c.k * c.s) ** (2.0 * B / D), self.effort)

    @cached_property
    def orders(self) -> FloatArray:
        """Each input order x_i = lambda b_i q / p_i, in the order of ``input_good``."""
        c, owner = self.councils, self.councils.input_owner
        x: FloatArray = (self.own_price * self.output)[owner] * c.input_exponent / self.prices[
            c.input_good]
        return x


class WorkerModel:
    """The closed form of section 2 with everything that is fixed within a year precomputed:

    ln q = (K + k * sum_i b_i ln p_i - (c + k B) ln lambda) / D, with
    K = -k ln a - c ln c + c ln k + c ln s - k sum_i b_i ln b_i and D = c - k + k B.
    ``W`` holds b by WC and good, so sum_i b_i ln p_i = W ln p and the total order of each
    good is W^T (lambda q) / p.
    """

    def __init__(self, councils: Councils) -> None:
        c = councils
        b, owner = c.input_exponent, c.input_owner
        self.councils = c
        self.W = sp.csr_array((b, (owner, c.input_good)), shape=(c.n_wc, c.n_goods))
        self.WT = sp.csr_array(self.W.T)
        B = np.bincount(owner, weights=b, minlength=c.n_wc)
        D = c.c - c.k + c.k * B
        K = (-c.k * np.log(c.a) - c.c * np.log(c.c) + c.c * np.log(c.k) + c.c * np.log(c.s)
             - c.k * np.bincount(owner, weights=b * np.log(b), minlength=c.n_wc))
        self.constant, self.price_weight, self.own_weight = K / D, c.k / D, (c.c + c.k * B) / D

    def propose(self, prices: FloatArray) -> WorkerProposals:
        c = self.councils
        own = prices[c.wc_output]
        log_q = (self.constant + self.price_weight * (self.W @ np.log(prices))
                 - self.own_weight * np.log(own))
        return WorkerProposals(c, prices, np.exp(log_q), own)

    def total_orders(self, proposals: WorkerProposals) -> FloatArray:
        orders: FloatArray = (self.WT @ (proposals.own_price * proposals.output)) / \
            proposals.prices
        return orders


def propose_workers(c: Councils, prices: FloatArray) -> WorkerProposals:
    """Closed-form profit-maximising proposals of every WC at ``prices``."""
    return WorkerModel(c).propose(np.asarray(prices, dtype=np.float64))


@dataclass(frozen=True)
class ConsumerShares:
    """Section 3, aggregated: Cobb-Douglas demand is spending share / price, so the CCs'
    total spending on each good is fixed for a year and the round only divides by prices."""

    private_spending: FloatArray
    public_spending: FloatArray


def consumer_spending(c: Councils) -> ConsumerShares:
    S = c.private_exponents.sum(axis=1) + c.public_exponents.sum(axis=1)
    weight = c.income / S
    return ConsumerShares(weight @ c.private_exponents, weight @ c.public_exponents)


def consumer_demand(c: Councils, prices: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Each CC's private consumption y and public-good request z, shape (n_cc, n)."""
    n = c.goods_per_class
    S = (c.private_exponents.sum(axis=1) + c.public_exponents.sum(axis=1))[:, None]
    y = c.income[:, None] * c.private_exponents / (S * prices[PRIVATE * n:(PRIVATE + 1) * n])
    z = c.income[:, None] * c.public_exponents / (S * prices[PUBLIC * n:] / c.n_cc)
    return y, z


@dataclass(frozen=True)
class Tally:
    """Section 4: supply, demand, surplus and relative imbalance of every good."""

    supply: FloatArray
    demand: FloatArray

    @property
    def surplus(self) -> FloatArray:
        return self.supply - self.demand

    @property
    def imbalance(self) -> FloatArray:
        return np.abs(2.0 * self.surplus) / (self.supply + self.demand)

    @property
    def threshold(self) -> FloatArray:
        return 100.0 * self.imbalance


def tally(model: WorkerModel, workers: WorkerProposals, consumers: ConsumerShares,
          prices: FloatArray) -> Tally:
    c = model.councils
    n = c.goods_per_class
    supply = c.endowment + np.bincount(c.wc_output, weights=workers.output, minlength=c.n_goods)
    demand = model.total_orders(workers)
    demand[PRIVATE * n:(PRIVATE + 1) * n] += consumers.private_spending / prices[:n]
    demand[PUBLIC * n:] += consumers.public_spending / prices[PUBLIC * n:]
    return Tally(supply, demand)


class PriceRule(Protocol):
    """How the board moves prices: researchers may plug in their own."""

    def initial_state(self, n_goods: int) -> FloatArray: ...

    def update(self, prices: FloatArray, state: FloatArray, t: Tally
               ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Return (new prices, new state, relative step per good)."""
        ...


@dataclass(frozen=True)
class HahnelSzczepanczykRule:
    """Section 5: step = max(floor, min(phi, |phi * rho_prev|)), phi = base - 0.5**v,
    and rho = min(cap, v) carried to the next round."""

    base: float = 1.05
    floor: float = 0.001
    cap: float = 0.25

    def initial_state(self, n_goods: int) -> FloatArray:
        return np.full(n_goods, self.cap)

    def update(self, prices: FloatArray, state: FloatArray, t: Tally
               ) -> tuple[FloatArray, FloatArray, FloatArray]:
        v = t.imbalance
        phi = self.base - 0.5 ** v
        delta = np.maximum(self.floor, np.minimum(phi, np.abs(phi * state)))
        sign = np.sign(t.surplus)
        return prices * (1.0 - sign * delta), np.minimum(self.cap, v), delta


@dataclass(frozen=True)
class ProportionalRule:
    """A plain tatonnement for comparison: each price moves by ``step`` times the imbalance."""

    step: float = 0.1

    def initial_state(self, n_goods: int) -> FloatArray:
        return np.zeros(n_goods)

    def update(self, prices: FloatArray, state: FloatArray, t: Tally
               ) -> tuple[FloatArray, FloatArray, FloatArray]:
        delta = self.step * t.imbalance
        return prices * (1.0 - np.sign(t.surplus) * delta), state, delta


@dataclass(frozen=True, eq=False)
class Round:
    """One printed round: prices after the update, and everything measured before it."""

    iteration: int
    prices: FloatArray
    delta: FloatArray
    state: FloatArray
    tally: Tally
    workers: WorkerProposals

    @property
    def wc_output(self) -> FloatArray:
        return self.workers.output

    @property
    def wc_effort(self) -> FloatArray:
        """Effort as csvgen prints it (see :attr:`WorkerProposals.reported_effort`)."""
        return self.workers.reported_effort

    @property
    def colour(self) -> str:
        tau = self.tally.threshold
        for limit, name in ((3, "blue"), (5, "green"), (10, "yellow"), (20, "orange")):
            if np.all(tau < limit):
                return name
        return "red"


@dataclass(frozen=True, eq=False)
class Year:
    rounds: tuple[Round, ...]
    converged: bool
    councils: Councils
    start_prices: FloatArray
    final_prices: FloatArray
    final_state: FloatArray
    final_workers: WorkerProposals = field(repr=False)


RoundCallback = Callable[[Round], None]


def run_year(
    councils: Councils,
    prices: FloatArray | None = None,
    state: FloatArray | None = None,
    *,
    rule: PriceRule | None = None,
    threshold: float = 3.0,
    max_rounds: int = 200,
    callback: RoundCallback | None = None,
) -> Year:
    """Run rounds until every good's threshold value is at most ``threshold`` percent, or
    ``max_rounds``. Round 1 always runs; the test uses the imbalances measured in the round."""
    if threshold <= 0 or max_rounds < 1:
        raise InvalidInput("threshold must be positive and max_rounds at least 1")
    rule = rule or HahnelSzczepanczykRule()
    c = councils
    p = np.full(c.n_goods, 700.0) if prices is None else np.array(prices, dtype=np.float64)
    rho = rule.initial_state(c.n_goods) if state is None else np.array(state, dtype=np.float64)
    start = p.copy()
    consumers = consumer_spending(c)
    model = WorkerModel(c)
    rounds: list[Round] = []
    for t in range(1, max_rounds + 1):
        workers = model.propose(p)
        counted = tally(model, workers, consumers, p)
        p, rho, delta = rule.update(p, rho, counted)
        rounds.append(Round(t, p, delta, rho, counted, workers))
        if callback is not None:
            callback(rounds[-1])
        if np.all(counted.threshold <= threshold):
            return Year(tuple(rounds), True, c, start, p, rho, workers)
    return Year(tuple(rounds), False, c, start, p, rho, workers)


@dataclass(frozen=True, eq=False)
class Experiment:
    years: tuple[Year, ...]


def run_experiment(
    councils: Councils,
    *,
    years: int = 2,
    rng: np.random.Generator | None = None,
    rule: PriceRule | None = None,
    threshold: float = 3.0,
    max_rounds: int = 200,
    callback: RoundCallback | None = None,
) -> Experiment:
    """csvgen's run (section 6): year 1 from p = 700, then an augmented reset of the councils
    before each further year, which starts from the last prices and state."""
    if years < 1:
        raise InvalidInput("years must be at least 1")
    rng = rng if rng is not None else np.random.default_rng(0)
    done: list[Year] = []
    c, p, rho = councils, None, None
    for y in range(years):
        if y > 0:
            c = c.augmented(rng)
        year = run_year(c, p, rho, rule=rule, threshold=threshold, max_rounds=max_rounds,
                        callback=callback)
        done.append(year)
        p, rho = year.final_prices, year.final_state
    return Experiment(tuple(done))
