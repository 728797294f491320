import numpy as np
import pyarrow as pa
import pytest
import scipy.sparse as sp

from councilplan.councils import SecretBallot, recount, write_priority_targets
from councilplan.economy.model import Economy, ids
from councilplan.errors import InvalidInput
from councilplan.planning.optimal import optimal_plan, read_targets


def contested_economy():
    """A, B and C each need one hour of labour (400 hours in all); C also needs half a hectare
    of land (60 in all). Land caps C at 120, so every target of 100 can be met 1.2 times, and
    40 hours are left that A and B compete for."""
    return Economy(
        products=ids(["A", "B", "C"], "product"), product_names=pa.array(["A", "B", "C"]),
        product_units=pa.array(["unit"] * 3), techniques=ids(["tA", "tB", "tC"], "technique"),
        technique_product=np.arange(3), technique_plant=np.arange(3),
        capacity=np.full(3, np.inf), input_coefficients=sp.csr_array((3, 3)),
        plants=ids(["a", "b", "c"], "plant"), resources=ids(["labour", "land"], "resource"),
        resource_kinds=("labour", "natural"), resource_units=("hours", "ha"),
        resource_limits=np.array([400.0, 60.0]),
        resource_coefficients=sp.csr_array(np.array([[1, 0], [1, 0], [1, 0.5]])),
        categories=ids(["households"], "final-demand category"),
        category_kinds=("consumption",), final_demand=np.full((3, 1), 100.0))


def plan_after_ballot(tmp_path, points_for_a, name):
    e = contested_economy()
    voters = frozenset(f"m{i}" for i in range(4))
    ballot = SecretBallot(name, voters, ("A", "B", "C"), rule="points", points=10)
    for m in sorted(voters):
        ballot.cast(m, {"A": points_for_a, "B": 9 - points_for_a, "C": 1})
    tally = recount(ballot.published(), "points", len(voters))
    path = write_priority_targets(tally, {"A": 100, "B": 100, "C": 100}, tmp_path / f"{name}.csv")
    targets = read_targets(path, e)
    np.testing.assert_allclose(targets.weight, np.array([points_for_a, 9 - points_for_a, 1]) / 10)
    return optimal_plan(e, targets)


def test_priority_ballot_steers_the_optimal_plan(tmp_path):
    for_a = plan_after_ballot(tmp_path, 8, "for-a")
    for_b = plan_after_ballot(tmp_path, 1, "for-b")
    for plan in (for_a, for_b):
        assert plan.min_fulfilment == pytest.approx(1.2, rel=1e-7)
        assert plan.resource_use[0] == pytest.approx(400, rel=1e-7)
    assert for_a.fulfilment[0] > for_a.fulfilment[1] + 0.1
    assert for_b.fulfilment[1] > for_b.fulfilment[0] + 0.1


def test_points_for_a_product_without_target_are_refused(tmp_path):
    with pytest.raises(InvalidInput, match="'steel'"):
        write_priority_targets({"steel": 3}, {"power": 1}, tmp_path / "t.csv")
