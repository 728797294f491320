import numpy as np
import pytest
import scipy.sparse as sp

from councilplan.economy.generator import generate_economy
from councilplan.errors import InvalidInput
from councilplan.planning import spectral_bounds


def test_reproducible_from_seed_and_different_across_seeds():
    a, b = generate_economy(5000, 50, seed=3), generate_economy(5000, 50, seed=3)
    assert a.digest == b.digest
    assert generate_economy(5000, 50, seed=4).digest != a.digest


def test_structure_resembles_real_tables():
    e = generate_economy(50_000, 500, seed=11)
    T = e.input_coefficients
    n_inputs = np.diff(T.indptr)
    assert 8 <= n_inputs.mean() <= 11
    assert n_inputs.max() >= 5 * n_inputs.mean()  # heavy tail
    shares = np.asarray(T.sum(axis=1)).ravel()
    assert shares.min() >= 0.05 and shares.max() < 0.86
    assert 0.4 <= shares.mean() <= 0.55
    use_counts = np.bincount(T.indices, minlength=e.n_products)
    assert use_counts.max() > 50 * max(1, np.median(use_counts))  # widely used inputs
    assert T.diagonal().max() == 0
    assert len(np.unique(e.technique_plant)) == 500


def test_productive_by_construction():
    e = generate_economy(20_000, 100, seed=2)
    assert spectral_bounds(sp.csr_array(e.input_coefficients)).productive


@pytest.mark.parametrize(("products", "plants"), [(1, 1), (100, 0), (100, 101)])
def test_bad_sizes(products, plants):
    with pytest.raises(InvalidInput):
        generate_economy(products, plants)
