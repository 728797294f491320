"""Merkle trees over entry hashes, for published checkpoints and inclusion proofs.

The construction follows RFC 6962 (Certificate Transparency): a leaf is H(0x00 || data), an
inner node H(0x01 || left || right), and a tree of n leaves splits at the largest power of two
below n. Anyone holding a published root can check that an entry is in the record with a
proof of about log2(n) hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..errors import InvalidInput

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def _leaf(entry_hash: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly below n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _root(leaves: Sequence[bytes]) -> bytes:
    level = list(leaves)
    # Bottom-up pairing gives the same root as RFC 6962's recursive split.
    while len(level) > 1:
        paired = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def merkle_root(entry_hashes: Sequence[str]) -> str:
    """Root over the given entry hashes, in order."""
    if not entry_hashes:
        return EMPTY_ROOT
    return _root([_leaf(h) for h in entry_hashes]).hex()


def inclusion_proof(entry_hashes: Sequence[str], index: int) -> list[str]:
    """The sibling hashes from leaf ``index`` up to the root."""
    if not 0 <= index < len(entry_hashes):
        raise InvalidInput(f"no entry at position {index} of {len(entry_hashes)}")
    return [h.hex() for h in _path(index, [_leaf(h) for h in entry_hashes])]


def _path(index: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*_path(index, leaves[:k]), _root(leaves[k:])]
    return [*_path(index - k, leaves[k:]), _root(leaves[:k])]


def verify_inclusion(entry_hash: str, index: int, size: int, proof: Sequence[str],
                     root: str) -> bool:
    """Check that ``entry_hash`` is leaf ``index`` of the tree of ``size`` leaves with ``root``."""
    if not 0 <= index < size:
        return False
    try:
        node = _climb(_leaf(entry_hash), index, size, [bytes.fromhex(p) for p in proof])
    except (IndexError, ValueError):
        return False
    return node.hex() == root


def _climb(node: bytes, index: int, size: int, proof: list[bytes]) -> bytes:
    if size == 1:
        if proof:
            raise ValueError("proof too long")
        return node
    k = _split(size)
    sibling = proof[-1]
    if index < k:
        return _node(_climb(node, index, k, proof[:-1]), sibling)
    return _node(sibling, _climb(node, index - k, size - k, proof[:-1]))
