from fractions import Fraction

import pytest

from councilplan.councils.ballots import AlreadyVoted, BallotClosed, NotInElectorate
from councilplan.councils.federation import (
    Federation,
    NotAMember,
    PayAboveCap,
    RotationLimit,
    replay,
)
from councilplan.errors import DomainError, InvalidInput
from councilplan.record import MemoryRecordStore, RecordLog

MEMBERS = [f"m{i}" for i in range(5)]


@pytest.fixture
def fed():
    f = Federation(RecordLog(MemoryRecordStore()))
    f.found_council("district", "district", skilled_pay=3200, actor="founding assembly")
    f.found_council("bakery", "workplace", parent="district", skilled_pay=3000,
                    actor="founding assembly")
    for m in MEMBERS:
        f.admit(m, "bakery", actor="founding assembly")
    return f


def elect(fed, winner="m0", runner="m1"):
    ballot = fed.open_election("bakery", [winner, runner], actor="m2")
    for i, m in enumerate(MEMBERS):
        fed.vote(ballot, m, winner if i < 3 else runner)
    return ballot, fed.close(ballot, actor="m2")


def assert_projection_matches(fed):
    entries = list(fed.log.store.entries())
    assert fed.log.verify().ok
    rebuilt = replay(entries)
    for cid, council in fed.state.councils.items():
        other = rebuilt.councils[cid]
        assert (other.members, other.delegate, other.delegate_pay, other.terms, other.petition) \
            == (council.members, council.delegate, council.delegate_pay, council.terms,
                council.petition)
    assert rebuilt.results == fed.state.results


def test_election_seats_the_delegate_in_the_parent_council(fed):
    _, tally = elect(fed)
    assert tally == {"m0": 3, "m1": 2}
    assert fed.council("bakery").delegate == "m0"
    assert "m0" in fed.council("district").members
    assert_projection_matches(fed)


def test_the_record_says_who_voted_but_not_how(fed):
    ballot, _ = elect(fed)
    entries = list(fed.log.store.entries())
    voted = [e for e in entries if e.kind == "ballot.voted"]
    assert voted[0].payload == {"ballot": ballot, "voter": "m0"}
    assert all(set(e.payload) == {"ballot", "voter"} for e in voted)
    closed = next(e for e in entries if e.kind == "ballot.closed")
    receipts = [r for r, _ in closed.payload["ballots"]]
    assert receipts == sorted(receipts)
    assert not any(m in str(closed.payload["ballots"]) for m in ("m2", "m3", "m4"))
    assert all(e.authority == ballot for e in voted)


def test_rejected_votes_leave_nothing_in_the_record(fed):
    ballot = fed.open_election("bakery", ["m0", "m1"], actor="m2")
    fed.vote(ballot, "m0", "m0")
    size = len(list(fed.log.store.entries()))
    with pytest.raises(AlreadyVoted):
        fed.vote(ballot, "m0", "m1")
    with pytest.raises(NotInElectorate):
        fed.vote(ballot, "outsider", "m1")
    fed.close(ballot, actor="m2")
    with pytest.raises(BallotClosed):
        fed.vote(ballot, "m1", "m1")
    assert len(list(fed.log.store.entries())) == size + 1  # only the close


def test_pay_is_public_capped_and_needs_a_ballot(fed):
    ballot, _ = elect(fed)
    with pytest.raises(PayAboveCap, match="above the cap 3000"):
        fed.set_pay("bakery", 3500, actor="m2", authority=ballot)
    with pytest.raises(DomainError, match="needs a closed ballot"):
        fed.set_pay("bakery", 2900, actor="m2", authority="order:from-above")
    fed.set_pay("bakery", 2900, actor="m2", authority=ballot)
    assert fed.council("bakery").delegate_pay == Fraction(2900)
    assert_projection_matches(fed)


def test_rotation_limits_consecutive_terms(fed):
    elect(fed)
    elect(fed)
    assert fed.council("bakery").terms == {"m0": 2}
    with pytest.raises(RotationLimit, match="2 consecutive terms"):
        fed.open_election("bakery", ["m0", "m1"], actor="m2")
    elect(fed, winner="m1", runner="m2")
    assert fed.council("bakery").terms == {"m1": 1}


def test_recall_removes_the_delegate_at_once_and_opens_a_by_election(fed):
    elect(fed)
    recall = fed.sign_recall("bakery", "m3")  # 1 of 5 electors reaches the 1/5 share
    assert recall is not None
    for i, m in enumerate(MEMBERS):
        fed.vote(recall, m, "remove" if i >= 2 else "keep")
    assert fed.close(recall, actor="m3") == {"keep": 2, "remove": 3}
    assert fed.council("bakery").delegate is None
    assert "m0" not in fed.council("district").members
    by_election = next(iter(fed.state.ballots))
    assert fed.state.ballots[by_election].ballot.options == ("m1", "m2", "m3", "m4")
    # a recalled delegate acting in the council above is refused
    with pytest.raises(NotAMember, match="'m0' is not a member of 'district'"):
        fed.open_election("district", ["m0"], actor="m0")
    assert_projection_matches(fed)


def test_a_recalled_delegate_keeps_a_membership_held_in_their_own_right(fed):
    fed.admit("m0", "district", actor="assembly")  # m0 belongs to the district already
    elect(fed)
    recall = fed.sign_recall("bakery", "m3")
    for m in MEMBERS:
        fed.vote(recall, m, "remove")
    fed.close(recall, actor="m3")
    assert fed.council("bakery").delegate is None
    assert "m0" in fed.council("district").members
    assert_projection_matches(fed)


def test_recall_without_a_majority_keeps_the_delegate(fed):
    elect(fed)
    recall = fed.sign_recall("bakery", "m4")
    for i, m in enumerate(MEMBERS):
        fed.vote(recall, m, "remove" if i == 4 else "keep")
    fed.close(recall, actor="m4")
    assert fed.council("bakery").delegate == "m0"
    assert fed.council("bakery").petition == set()


def test_state_is_rebuilt_from_a_reopened_record(fed):
    elect(fed)
    reopened = Federation(fed.log)
    assert reopened.council("bakery").delegate == "m0"
    assert reopened.council("district").members == {"m0"}


def test_a_tied_recall_is_no_majority_for_removal(fed):
    elect(fed)
    recall = fed.sign_recall("bakery", "m1")
    for m, choice in zip(MEMBERS[:4], ["remove", "remove", "keep", "keep"], strict=True):
        fed.vote(recall, m, choice)  # m4 abstains
    assert fed.close(recall, actor="m1") == {"remove": 2, "keep": 2}
    assert fed.council("bakery").delegate == "m0"


def test_the_constitution_changes_only_by_a_congress_ballot(fed):
    fed.found_council("congress", "congress", skilled_pay=3000, actor="assembly")
    for m in MEMBERS[:3]:
        fed.admit(m, "congress", actor="assembly")
    with pytest.raises(DomainError, match="only a congress"):
        fed.open_constitution_ballot("bakery", {"max_consecutive_terms": 3}, actor="m0")
    with pytest.raises(InvalidInput, match="no rule 'salary_of_the_leader'"):
        fed.open_constitution_ballot("congress", {"salary_of_the_leader": 10}, actor="m0")
    with pytest.raises(InvalidInput, match="pay cap multiple must be positive"):
        fed.open_constitution_ballot("congress", {"pay_cap_multiple": 0}, actor="m0")
    ballot = fed.open_constitution_ballot(
        "congress", {"max_consecutive_terms": 3, "pay_cap_multiple": Fraction(6, 5)}, actor="m0")
    assert fed.state.constitution.max_consecutive_terms == 2  # not before the vote
    for m in MEMBERS[:3]:
        fed.vote(ballot, m, "adopt")
    fed.close(ballot, actor="m0")
    assert fed.state.constitution.max_consecutive_terms == 3
    assert fed.state.constitution.pay_cap_multiple == Fraction(6, 5)
    assert replay(fed.log.store.entries()).constitution == fed.state.constitution
    ballot, _ = elect(fed)
    fed.set_pay("bakery", 3600, actor="m2", authority=ballot)  # 1.2 x 3000 is now allowed
