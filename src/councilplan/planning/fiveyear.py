"""Multi-period plans (a five-year plan): investment builds the capacity of later years.

For periods tau = 0..T-1, with activity z_tau, investment I_tau (output of each capital good put
into stock) and stocks K_tau, one LP maximises lambda, the share of the consumption targets met
in every year, the targets growing by ``growth`` a year::

    N z_tau - E I_tau - lambda (1 + growth)^tau c  >= 0       material balance
    B' z_tau - K_tau                               <= 0       capital is the capacity
    K_tau - (1 - d) K_{tau-1} - I_{tau-L}          =  0       stocks (K_0 given)
    R' z_tau                                       <= limits  labour and natural resources
    (1 - d) K_{T-1} + sum of investment arriving after the plan  >= terminal * K_0

Capital goods produced in period t join the stock in t + L; stocks depreciate at rate d. In
this model capital stocks are the capacity: the techniques' fixed capacities are not used.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from ..economy.model import Economy
from ..errors import Infeasible, InvalidInput, Location, PlanningError
from ..validation import (
    FloatArray,
    IndexArray,
    check_matrix,
    check_vector,
    non_negative_number,
    read_csv_rows,
)
from ._highs import LinearProgram, LPSolution, LPStatus
from .balance import balanced_plan
from .choice import ChoiceFailed, ChoiceProblem, solve_by_choice
from .optimal import LPChoice, _solve, _Structure, _structure, choose_solver, explain_unbounded
from .provenance import Provenance, make_provenance


@dataclass(frozen=True, eq=False)
class CapitalStock:
    """Capital goods and what each technique needs of them.

    Attributes
    ----------
    goods : ndarray of shape (n_capital,), product positions of the capital goods
    requirement : csr_array of shape (n_techniques, n_capital), stock per unit of activity
    initial : ndarray of shape (n_capital,), stocks at the start of the plan
    depreciation : ndarray of shape (n_capital,), share of a stock lost each period
    lag : int, periods from producing a capital good to using it
    """

    goods: IndexArray
    requirement: sp.csr_array
    initial: FloatArray
    depreciation: FloatArray
    lag: int = 1

    def check(self, economy: Economy) -> None:
        k = len(self.goods)
        if np.any((self.goods < 0) | (self.goods >= economy.n_products)):
            raise InvalidInput("a capital good names no product")
        check_matrix(self.requirement, name="capital requirement",
                     shape=(economy.n_techniques, k), ensure_non_negative=True)
        check_vector(self.initial, name="initial stock", size=k, ensure_non_negative=True)
        d = check_vector(self.depreciation, name="depreciation", size=k,
                         ensure_non_negative=True)
        if np.any(d >= 1):
            raise InvalidInput("depreciation must be below 1 per period")
        if self.lag < 0:
            raise InvalidInput("the investment lag must be at least 0 periods")


def generate_capital(economy: Economy, n_capital: int, *, seed: int = 0,
                     slack: tuple[float, float] = (1.0, 1.1)) -> CapitalStock:
    """Capital for a generated economy: the most widely used products become capital goods,
    each technique needs one or two of them (capital-output ratios 0.5-3), and the initial
    stocks cover the balanced plan with a little slack."""
    e = economy
    if not 1 <= n_capital <= e.n_products:
        raise InvalidInput("the number of capital goods must be between 1 and the products")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    used_by = np.bincount(e.input_coefficients.indices, minlength=e.n_products)
    goods = np.sort(np.argsort(-used_by, kind="stable")[:n_capital]).astype(np.int64)
    n_t = e.n_techniques
    first = rng.integers(0, n_capital, n_t)
    second = rng.integers(0, n_capital, n_t)
    has_second = rng.random(n_t) < 0.5
    rows = np.concatenate([np.arange(n_t), np.flatnonzero(has_second)])
    cols = np.concatenate([first, second[has_second]])
    B = sp.csr_array((rng.uniform(0.5, 3.0, rows.size), (rows, cols)), shape=(n_t, n_capital))
    B.sum_duplicates()
    activity = balanced_plan(e).activity
    initial = (B.T @ activity) * rng.uniform(*slack, n_capital)
    return CapitalStock(goods, B, initial, rng.uniform(0.05, 0.1, n_capital), 1)


@dataclass(frozen=True, eq=False)
class FiveYearPlan:
    """A multi-period plan, period by period (arrays have ``periods`` rows)."""

    periods: int
    capital_goods: IndexArray
    fulfilment: float
    activity: FloatArray  # (T, n_techniques)
    gross_output: FloatArray  # (T, n_products)
    investment: FloatArray  # (T, n_capital)
    stocks: FloatArray  # (T, n_capital)
    consumption: FloatArray  # (T, n_products)
    labour: FloatArray  # (T, n_resources): use of every resource
    capital_prices: FloatArray  # (T, n_capital): value of one more unit of stock
    resource_prices: FloatArray  # (T, n_resources)
    duality_gap: float
    solver: str
    seconds: float
    provenance: Provenance
    infeasibility: float = 0.0  # largest bound violation, relative (see primal_infeasibility)
    dual_infeasibility: float = 0.0  # largest wrong-sign price (see dual_infeasibility)

    def year_by_year(self, economy: Economy) -> list[dict[str, Any]]:
        """One summary row per period: output, investment, consumption, stocks, labour,
        and the limits that bind in that year."""
        rows = []
        labour = economy.labour
        for t in range(self.periods):
            binding = [economy.resources[int(r)] for r in np.flatnonzero(
                self.resource_prices[t] > 1e-9)]
            binding += [f"capital {economy.products[int(g)]}" for g, p in
                        zip(self.capital_goods, self.capital_prices[t], strict=True) if p > 1e-9]
            rows.append({
                "period": t + 1, "gross_output": float(self.gross_output[t].sum()),
                "investment": float(self.investment[t].sum()),
                "consumption": float(self.consumption[t].sum()),
                "stocks": float(self.stocks[t].sum()),
                "labour": float(self.labour[t][labour].sum()),
                "bottlenecks": binding})
        return rows


# Interior point well beyond the single-period threshold: HiGHS PDLP, with no crossover for
# this LP, ended "unknown" on 2,000 products x 2 techniques x 5 years (20,200 columns), where
# interior point is exact (bench/results/optimal_scale.md).
IPM_UP_TO = 200_000
FiveYearSolver = Literal["auto", "choice", "simplex", "ipm", "pdlp"]


def five_year_plan(
    economy: Economy,
    capital: CapitalStock,
    *,
    periods: int = 5,
    growth: float = 0.0,
    terminal: float = 1.0,
    consumption: FloatArray | None = None,
    solver: FiveYearSolver = "auto",
    time_limit: float | None = None,
) -> FiveYearPlan:
    """Plan ``periods`` years at once; see the module docstring for the LP.

    ``"auto"`` tries technique choice first (:mod:`.choice`, exact and certified) and, where it
    finds no certified plan, the general LP solver that :func:`choose_solver` picks by size.
    """
    e = economy
    if periods < 1:
        raise InvalidInput("periods must be at least 1")
    if growth <= -1:
        raise InvalidInput("growth must be above -100 %")
    capital.check(e)
    c = _consumption_targets(e) if consumption is None else check_vector(
        consumption, name="consumption target", size=e.n_products, ensure_non_negative=True,
        labels=e.products)
    st = _structure(e)
    lp, layout = _lp(e, st, capital, periods, growth, terminal, c)
    sol = _solve_fiveyear(e, st, capital, c, lp, layout, growth, terminal, solver, time_limit)
    if sol.status == LPStatus.UNBOUNDED:
        raise explain_unbounded(e, sol.ray)
    if sol.status == LPStatus.INFEASIBLE:
        raise Infeasible("no plan keeps the capital stocks at the terminal level with these "
                         "resource limits, even with no consumption: lower --terminal or raise "
                         "the limits")
    return _result(e, st, capital, periods, growth, c, sol, layout, terminal)


def _solve_fiveyear(e: Economy, st: _Structure, capital: CapitalStock, c: FloatArray,
                    lp: LinearProgram, layout: _Layout, growth: float, terminal: float,
                    solver: FiveYearSolver, time_limit: float | None) -> LPSolution:
    """Technique choice where asked or by default; a general LP solver otherwise or after."""
    started = time.perf_counter()
    general: LPChoice = "auto"  # the LP solver: picked by size after technique choice
    if solver == "auto" or solver == "choice":
        problem = ChoiceProblem(
            lp, layout, sp.csr_array(e.input_coefficients), e.technique_product,
            capital.requirement, st.R_rows, st.limits, capital.goods,
            1.0 - capital.depreciation, capital.lag, capital.initial, terminal,
            np.stack([(1 + growth) ** t * c for t in range(layout.T)]), st.labour)
        try:
            return solve_by_choice(problem, time_limit=time_limit)
        except ChoiceFailed as exc:
            if solver == "choice":
                raise PlanningError(f"technique choice found no certified plan: {exc}") from None
    else:
        general = solver
    left = None if time_limit is None else max(1.0, time_limit - (time.perf_counter() - started))
    method = choose_solver(lp.A.shape[1], general, ipm_up_to=IPM_UP_TO)
    return _solve(lp, {"method": method, "time_limit": left, "tolerance": None})


def _consumption_targets(e: Economy) -> FloatArray:
    keep = np.array([k != "investment" for k in e.category_kinds])
    targets: FloatArray = np.clip(e.final_demand[:, keep].sum(axis=1), 0, None)
    return targets


@dataclass(frozen=True)
class _Layout:
    """Where each year's variables and rows sit in the five-year LP."""

    n_t: int
    n_k: int
    T: int
    n_p: int  # products
    n_r: int  # limited resources

    def row_start(self, t: int) -> int:
        """First row of year t's block: balance, capital, resources, stocks (t > 0)."""
        per_year = self.n_p + 2 * self.n_k + self.n_r
        return t * per_year - (self.n_k if t > 0 else 0)

    @property
    def terminal_row(self) -> int:
        return self.row_start(self.T)

    def z(self, t: int) -> slice:
        return slice(t * self.n_t, (t + 1) * self.n_t)

    def inv(self, t: int) -> slice:
        base = self.T * self.n_t
        return slice(base + t * self.n_k, base + (t + 1) * self.n_k)

    def stock(self, t: int) -> slice:
        base = self.T * (self.n_t + self.n_k)
        return slice(base + t * self.n_k, base + (t + 1) * self.n_k)

    @property
    def lam(self) -> int:
        return self.T * (self.n_t + 2 * self.n_k)


def _lp(e: Economy, st: _Structure, cap: CapitalStock, T: int, growth: float, terminal: float,
        c: FloatArray) -> tuple[LinearProgram, _Layout]:
    n_p, n_t = st.N.shape
    n_k = len(cap.goods)
    L = _Layout(n_t, n_k, T, n_p, st.R_rows.shape[0])
    n_var = L.lam + 1
    E = sp.csr_array((np.ones(n_k), (cap.goods, np.arange(n_k))), shape=(n_p, n_k))
    keep = 1.0 - cap.depreciation
    blocks: list[tuple[sp.csr_array, FloatArray, FloatArray]] = []

    def row(parts: list[tuple[slice | int, Any]], n_rows: int, lo: Any, up: Any) -> None:
        """Append rows whose blocks sit at the given variable positions."""
        pieces, start = [], 0
        for where, mat in sorted(parts, key=lambda p: _start(p[0])):
            if _start(where) > start:
                pieces.append(sp.csr_array((n_rows, _start(where) - start)))
            pieces.append(sp.csr_array(mat))
            start = _start(where) + pieces[-1].shape[1]
        if start < n_var:
            pieces.append(sp.csr_array((n_rows, n_var - start)))
        blocks.append((sp.csr_array(sp.hstack(pieces, format="csr")),
                       np.broadcast_to(np.asarray(lo, dtype=float), n_rows),
                       np.broadcast_to(np.asarray(up, dtype=float), n_rows)))

    for t in range(T):
        row([(L.z(t), st.N), (L.inv(t), -E), (L.lam, (-(1 + growth) ** t * c).reshape(-1, 1))],
            n_p, 0.0, np.inf)
        row([(L.z(t), cap.requirement.T), (L.stock(t), -sp.eye_array(n_k))], n_k, -np.inf, 0.0)
        if st.R_rows.shape[0]:
            row([(L.z(t), st.R_rows)], st.R_rows.shape[0], -np.inf, st.limits)
        if t > 0:
            parts: list[tuple[slice | int, Any]] = [(L.stock(t), sp.eye_array(n_k)),
                                                    (L.stock(t - 1), -sp.diags_array(keep))]
            if t - cap.lag >= 0:
                parts.append((L.inv(t - cap.lag), -sp.eye_array(n_k)))
            row(parts, n_k, 0.0, 0.0)
    arriving = [(L.inv(t), sp.eye_array(n_k)) for t in range(max(0, T - cap.lag), T)]
    row([(L.stock(T - 1), sp.diags_array(keep)), *arriving], n_k, terminal * cap.initial, np.inf)
    A = sp.csc_array(sp.vstack([b[0] for b in blocks]))
    lo = np.concatenate([b[1] for b in blocks])
    up = np.concatenate([b[2] for b in blocks])
    cost = np.zeros(n_var)
    cost[L.lam] = -1.0
    col_lo = np.zeros(n_var)
    col_up = np.full(n_var, np.inf)
    col_lo[L.stock(0)] = col_up[L.stock(0)] = cap.initial
    return LinearProgram(cost, A, lo, up, col_lo, col_up), L


def _start(where: slice | int) -> int:
    return where.start if isinstance(where, slice) else where


def _result(e: Economy, st: _Structure, cap: CapitalStock, T: int, growth: float,
            c: FloatArray, sol: LPSolution, L: _Layout, terminal: float) -> FiveYearPlan:
    x, method = sol.x, sol.method
    z = np.stack([x[L.z(t)] for t in range(T)])
    lam = float(x[L.lam])
    n_p, n_k, n_r = e.n_products, L.n_k, st.R_rows.shape[0]
    offsets = [L.row_start(t) for t in range(T)]
    capital_prices = np.stack([-sol.row_dual[o + n_p:o + n_p + n_k] for o in offsets])
    resource_prices = np.zeros((T, e.n_resources))
    for t, o in enumerate(offsets):
        resource_prices[t, st.limited] = -sol.row_dual[o + n_p + n_k:o + n_p + n_k + n_r]
    supply = np.stack([np.bincount(e.technique_product, weights=z[t], minlength=n_p)
                       for t in range(T)]).astype(np.float64)
    return FiveYearPlan(
        periods=T, capital_goods=cap.goods, fulfilment=lam, activity=z, gross_output=supply,
        investment=np.stack([x[L.inv(t)] for t in range(T)]),
        stocks=np.stack([x[L.stock(t)] for t in range(T)]),
        consumption=np.stack([lam * (1 + growth) ** t * c for t in range(T)]),
        labour=np.stack([e.resource_coefficients.T @ z[t] for t in range(T)]),
        capital_prices=capital_prices, resource_prices=resource_prices,
        duality_gap=sol.relative_gap, solver=method, seconds=sol.seconds,
        infeasibility=sol.primal_infeasibility, dual_infeasibility=sol.dual_infeasibility,
        provenance=make_provenance(e, None, "fiveyear", {
            "periods": T, "growth": growth, "terminal": terminal, "lag": cap.lag,
            "solver": method}),
    )


def read_capital(directory: Path | str, economy: Economy, *, lag: int = 1) -> CapitalStock:
    """Capital from CSV files: ``capital_goods.csv`` (product,initial_stock,depreciation) and
    ``capital_requirements.csv`` (technique,product,stock_per_unit). Errors name file and line."""
    directory = Path(directory)
    goods_rows = read_csv_rows(directory / "capital_goods.csv",
                               ("product", "initial_stock", "depreciation"))
    req_rows = read_csv_rows(directory / "capital_requirements.csv",
                             ("technique", "product", "stock_per_unit"))
    names = [r["product"] for _, r in goods_rows]
    if len(set(names)) != len(names):
        line = next(n for n, r in goods_rows if names.count(r["product"]) > 1)
        raise InvalidInput("capital good listed twice",
                           Location(str(directory / "capital_goods.csv"), line, "product"))
    goods = _positions(economy.products, goods_rows, "product",
                       directory / "capital_goods.csv")
    column = {name: k for k, name in enumerate(names)}
    cols, vals = [], []
    for line, r in req_rows:
        if r["product"] not in column:
            raise InvalidInput(f"{r['product']!r} is not a capital good",
                               Location(str(directory / "capital_requirements.csv"), line,
                                        "product"))
        cols.append(column[r["product"]])
        vals.append(non_negative_number(r, "stock_per_unit", line,
                                        directory / "capital_requirements.csv"))
    rows = list(_positions(economy.techniques, req_rows, "technique",
                           directory / "capital_requirements.csv"))
    B = sp.csr_array((vals, (rows, cols)), shape=(economy.n_techniques, len(names)))
    path = directory / "capital_goods.csv"
    return CapitalStock(
        goods=np.asarray(goods, dtype=np.int64), requirement=B,
        initial=np.array([non_negative_number(r, "initial_stock", n, path)
                          for n, r in goods_rows]),
        depreciation=np.array([non_negative_number(r, "depreciation", n, path)
                               for n, r in goods_rows]),
        lag=lag)


def _positions(index: Any, rows: list[tuple[int, dict[str, str]]], field: str, path: Path
               ) -> Any:
    try:
        return index.positions([r[field] for _, r in rows])
    except InvalidInput as exc:
        line = next(n for n, r in rows if r[field] == exc.location.item)
        raise InvalidInput(exc.reason, Location(str(path), line, field)) from None
