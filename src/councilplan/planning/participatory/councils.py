"""Worker and consumer councils of the participatory procedure, as flat arrays.

Goods are numbered 0..5n-1 in class order P, I, N, L, G (n goods per class); see
``shared/design/participatory-procedure.md``. Worker councils' inputs are stored CSR-like:
the inputs of council w are ``input_good[input_ptr[w]:input_ptr[w+1]]`` with elasticities
``input_exponent`` in the same positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ...errors import InvalidInput
from ...validation import FloatArray, IndexArray

CLASSES = ("P", "I", "N", "L", "G")
CLASS_NAMES = ("private goods", "intermediate goods", "natural resources", "labour",
               "public goods")
PRIVATE, INTERMEDIATE, NATURE, LABOUR, PUBLIC = range(5)
INDUSTRY_CLASS = {0: PRIVATE, 1: INTERMEDIATE, 2: PUBLIC}


@dataclass(frozen=True, eq=False)
class Councils:
    """Worker councils (WCs), consumer councils (CCs) and the fixed endowments.

    Attributes
    ----------
    goods_per_class : int
    wc_output : ndarray of shape (n_wc,), the good each WC makes
    input_ptr : ndarray of shape (n_wc + 1,)
    input_good, input_exponent : ndarray of shape (n_inputs,)
    a, c, k, s : ndarray of shape (n_wc,), productivity, effort elasticity, disutility
        exponent and disutility coefficient
    income : ndarray of shape (n_cc,)
    private_exponents, public_exponents : ndarray of shape (n_cc, goods_per_class)
    endowment : ndarray of shape (5 * goods_per_class,), supply of N and L goods (0 elsewhere)
    """

    goods_per_class: int
    wc_output: IndexArray
    input_ptr: IndexArray
    input_good: IndexArray
    input_exponent: FloatArray
    a: FloatArray
    c: FloatArray
    k: FloatArray
    s: FloatArray
    income: FloatArray
    private_exponents: FloatArray
    public_exponents: FloatArray
    endowment: FloatArray
    source: str = ""
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def n_goods(self) -> int:
        return 5 * self.goods_per_class

    @property
    def n_wc(self) -> int:
        return len(self.wc_output)

    @property
    def n_cc(self) -> int:
        return len(self.income)

    @property
    def n_inputs(self) -> IndexArray:
        return np.diff(self.input_ptr)

    @property
    def input_owner(self) -> IndexArray:
        """The WC that orders each input."""
        return np.repeat(np.arange(self.n_wc), self.n_inputs)

    def good_labels(self) -> list[str]:
        n = self.goods_per_class
        return [f"{cls}{i + 1}" for cls in CLASSES for i in range(n)]

    def exponent_sums(self) -> FloatArray:
        """c + the sum of each WC's input elasticities (csvgen's ``exponent-sum`` row)."""
        sums = np.bincount(self.input_owner, weights=self.input_exponent, minlength=self.n_wc)
        return self.c + sums

    def augmented(self, rng: np.random.Generator) -> Councils:
        """The "augmented reset" between two years: small random changes of every exponent.

        Each WC input elasticity gains one of {0, .001, .002, .003, .004}; each CC exponent one
        of {-.002, -.001, 0, .001, .002}; draws uniform and independent.
        """
        wc_steps = rng.choice(np.array([0.0, 0.001, 0.002, 0.003, 0.004]),
                              size=self.input_exponent.shape)
        cc_steps = np.array([-0.002, -0.001, 0.0, 0.001, 0.002])
        return replace(
            self,
            input_exponent=self.input_exponent + wc_steps,
            private_exponents=self.private_exponents
            + rng.choice(cc_steps, size=self.private_exponents.shape),
            public_exponents=self.public_exponents
            + rng.choice(cc_steps, size=self.public_exponents.shape),
        )


def _validate(c: Councils) -> None:
    n_goods = 5 * c.goods_per_class
    n_wc = len(c.wc_output)
    for name in ("a", "c", "k", "s"):
        arr = getattr(c, name)
        if arr.shape != (n_wc,) or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
            bad = _first_bad(arr)
            raise InvalidInput(f"worker council {bad + 1}: {name} must be a positive number")
    if c.input_ptr.shape != (n_wc + 1,) or c.input_ptr[-1] != len(c.input_good):
        raise InvalidInput("worker-council input lists do not match their exponents")
    if len(c.input_exponent) != len(c.input_good):
        raise InvalidInput("worker-council input lists do not match their exponents")
    if np.any(c.input_exponent <= 0) or not np.all(np.isfinite(c.input_exponent)):
        owner = int(np.repeat(np.arange(n_wc), np.diff(c.input_ptr))[
            _first_bad(c.input_exponent)])
        raise InvalidInput(f"worker council {owner + 1}: input exponents must be positive")
    if np.any((c.input_good < 0) | (c.input_good >= n_goods)):
        raise InvalidInput("a worker council orders a good that does not exist")
    out_class = c.wc_output // c.goods_per_class
    if np.any(~np.isin(out_class, [PRIVATE, INTERMEDIATE, PUBLIC])):
        w = int(np.flatnonzero(~np.isin(out_class, [PRIVATE, INTERMEDIATE, PUBLIC]))[0])
        raise InvalidInput(f"worker council {w + 1} makes a good of no producible class")
    for name in ("private_exponents", "public_exponents"):
        arr = getattr(c, name)
        if arr.shape != (len(c.income), c.goods_per_class) or not np.all(np.isfinite(arr)):
            raise InvalidInput(f"consumer councils' {name.replace('_', ' ')} have the wrong "
                               f"shape {arr.shape}")
    if np.any(c.income <= 0):
        raise InvalidInput(f"consumer council {_first_bad(c.income) + 1}: income must be "
                           "positive")
    if c.endowment.shape != (n_goods,):
        raise InvalidInput("endowment must hold one number per good")


def _first_bad(arr: FloatArray) -> int:
    bad = ~np.isfinite(arr) | (arr <= 0)
    return int(np.flatnonzero(bad)[0]) if bad.any() else 0
