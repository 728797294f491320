import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from councilplan.councils import (
    AlreadyVoted,
    BallotClosed,
    NotInElectorate,
    SecretBallot,
    equal_shares,
    recount,
)
from councilplan.errors import InvalidInput

MEMBERS = frozenset(f"m{i}" for i in range(5))


def election():
    return SecretBallot("b1", MEMBERS, ("ana", "ben"))


def test_vote_receipt_and_recount():
    b = election()
    receipts = {m: b.cast(m, "ana" if m != "m4" else "ben") for m in sorted(MEMBERS)}
    assert b.check_receipt(receipts["m4"]) == "ben"
    assert recount(b.published(), "single", len(MEMBERS)) == {"ana": 4, "ben": 1}
    assert b.turnout() == (5, 5)


def test_how_someone_voted_is_not_linked_to_them():
    b = election()
    b.cast("m0", "ana")
    b.cast("m1", "ben")
    assert b.voted == {"m0", "m1"}
    published = b.published()
    assert all(set(entry) & MEMBERS == set() for entry in published)
    assert [r for r, _ in published] == sorted(r for r, _ in published)


def test_voting_twice_outside_the_electorate_or_after_the_close_is_refused():
    b = election()
    b.cast("m0", "ana")
    with pytest.raises(AlreadyVoted):
        b.cast("m0", "ben")
    with pytest.raises(NotInElectorate, match="stalin"):
        b.cast("stalin", "ana")
    b.close()
    with pytest.raises(BallotClosed):
        b.cast("m1", "ana")
    assert recount(b.published(), "single", len(MEMBERS)) == {"ana": 1}


def test_recount_refuses_more_ballots_than_electors_and_repeated_receipts():
    stuffed = [(f"r{i}", "stalin") for i in range(2122)]
    with pytest.raises(InvalidInput, match="2122 ballots for an electorate of 1617"):
        recount(stuffed, "single", 1617)
    with pytest.raises(InvalidInput, match="twice"):
        recount([("r1", "a"), ("r1", "a")], "single", 10)


def test_approval_and_points_ballots():
    b = SecretBallot("p", MEMBERS, ("school", "clinic", "park"), rule="approval")
    b.cast("m0", ["school", "clinic"])
    b.cast("m1", ["clinic"])
    assert recount(b.published(), "approval", 5) == {"school": 1, "clinic": 2}
    with pytest.raises(InvalidInput, match="unknown option 'palace'"):
        b.cast("m2", ["palace"])
    pts = SecretBallot("q", MEMBERS, ("bread", "steel"), rule="points", points=10)
    pts.cast("m0", {"bread": 7, "steel": 3})
    with pytest.raises(InvalidInput, match="at most 10"):
        pts.cast("m1", {"bread": 11})
    pts.cast("m1", {"steel": 10})
    assert recount(pts.published(), "points", 5) == {"bread": 7, "steel": 13}


def test_equal_shares_by_hand():
    # 4 voters, budget 6 (1.5 each). A (cost 2), approved by all: 0.5 each, leaving 1 each.
    # B (cost 2), voters 0 and 1: 1 each, affordable. C (cost 3/2), voter 3 alone, who has
    # 1 left: not affordable.
    approvals = [["A", "B"], ["A", "B"], ["A"], ["A", "C"]]
    assert equal_shares({"A": 2, "B": 2, "C": Fraction(3, 2)}, approvals, 6) == ["A", "B"]
    assert equal_shares({"A": 7}, approvals, 6) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["cost", "approval"]))
def test_equal_shares_agrees_with_pabutools(seed, utility):
    from pabutools.election import (
        ApprovalBallot,
        ApprovalProfile,
        Cardinality_Sat,
        Cost_Sat,
        Instance,
        Project,
    )
    from pabutools.rules import method_of_equal_shares

    rng = random.Random(seed)
    costs = {f"p{i}": rng.randint(1, 20) for i in range(rng.randint(2, 9))}
    approvals = [rng.sample(sorted(costs), rng.randint(1, min(4, len(costs))))
                 for _ in range(rng.randint(1, 15))]
    budget = rng.randint(5, 60)
    instance = Instance([Project(p, c) for p, c in costs.items()], budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot([p for p in instance if p.name in a])
                               for a in approvals])
    sat = Cost_Sat if utility == "cost" else Cardinality_Sat
    theirs = sorted(p.name for p in method_of_equal_shares(instance, profile, sat_class=sat))
    ours = equal_shares(costs, approvals, budget, utility=utility)
    assert sorted(ours) == theirs
    assert sum(Fraction(costs[p]) for p in ours) <= budget
