import hashlib
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from councilplan.errors import InvalidInput
from councilplan.record import (
    MemoryRecordStore,
    NoAuthority,
    RecordLog,
    inclusion_proof,
    merkle_root,
    verify_chain,
    verify_inclusion,
)


def filled(n=6):
    ticks = iter(f"2026-11-26T12:00:{i:02d}+00:00" for i in range(100))
    log = RecordLog(MemoryRecordStore(), authority_exists=lambda a: a.startswith("ballot:"),
                    clock=lambda: next(ticks))
    for i in range(n):
        log.append("delegate.elected", actor=f"member:{i}", authority=f"ballot:{i}",
                   payload={"council": "bakery", "votes": i})
    return log


def test_a_clean_record_verifies():
    log = filled()
    v = log.verify()
    assert v.ok and v.checked == 6 and v.head == log.store.last().hash


def test_altered_entry_is_named():
    log = filled()
    entries = list(log.store.entries())
    entries[2] = replace(entries[2], payload={"council": "bakery", "votes": 2122})
    v = verify_chain(entries)
    assert not v.ok and v.first_bad == 3 and "altered" in v.problem


def test_rehashed_forgery_breaks_the_next_link():
    log = filled()
    entries = list(log.store.entries())
    forged = replace(entries[2], payload={"votes": 2122})
    from councilplan.record import entry_hash
    entries[2] = replace(forged, hash=entry_hash(forged.body()))
    v = verify_chain(entries)
    assert not v.ok and v.first_bad == 4 and "chain broken" in v.problem


def test_removed_inserted_and_reordered_entries_are_named():
    entries = list(filled().store.entries())
    removed = entries[:2] + entries[3:]
    assert verify_chain(removed).first_bad == 3
    assert "removed" in verify_chain(removed).problem
    reordered = [*entries[:2], entries[3], entries[2], *entries[4:]]
    assert verify_chain(reordered).first_bad == 3
    inserted = [*entries[:3], entries[1], *entries[3:]]
    v = verify_chain(inserted)
    assert v.first_bad == 4 and "inserted or reordered" in v.problem


def test_acts_need_an_existing_authority_and_an_actor():
    log = filled(1)
    with pytest.raises(NoAuthority, match="order:42"):
        log.append("plan.adopted", actor="member:1", authority="order:42")
    with pytest.raises(InvalidInput, match="actor"):
        log.append("plan.adopted", actor=" ", authority="ballot:1")
    with pytest.raises(InvalidInput, match="plain JSON"):
        log.append("plan.adopted", actor="m", authority="ballot:1", payload={"x": float("nan")})
    assert log.verify().checked == 1


def rfc6962_root(leaves):
    """The recursive definition of RFC 6962, to check the bottom-up implementation."""
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + bytes.fromhex(leaves[0])).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962_root(leaves[:k]) + rfc6962_root(leaves[k:])).digest()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 70), st.data())
def test_merkle_root_and_every_inclusion_proof(n, data):
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]
    root = merkle_root(hashes)
    assert root == rfc6962_root(hashes).hex()
    i = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(hashes, i)
    assert verify_inclusion(hashes[i], i, n, proof, root)
    assert not verify_inclusion(hashes[i], (i + 1) % n, n, proof, root) or n == 1
    other = hashlib.sha256(b"forged").hexdigest()
    assert not verify_inclusion(other, i, n, proof, root)


def test_checkpoint_commits_to_every_entry():
    log = filled()
    cp = log.checkpoint()
    assert cp.size == 6 and cp.root == merkle_root([e.hash for e in log.store.entries()])
    log.append("plan.adopted", actor="member:1", authority="ballot:9")
    assert log.checkpoint().root != cp.root
