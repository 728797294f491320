"""The public record: an append-only, hash-chained log that anyone can verify."""

from .chain import GENESIS, Entry, Verification, entry_hash, make_entry, verify_chain
from .log import Checkpoint, MemoryRecordStore, NoAuthority, RecordLog, RecordStore
from .merkle import inclusion_proof, merkle_root, verify_inclusion

__all__ = [
    "GENESIS",
    "Checkpoint",
    "Entry",
    "MemoryRecordStore",
    "NoAuthority",
    "RecordLog",
    "RecordStore",
    "Verification",
    "entry_hash",
    "inclusion_proof",
    "make_entry",
    "merkle_root",
    "verify_chain",
    "verify_inclusion",
]
