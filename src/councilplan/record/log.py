"""Appending to the record through a store, with checkpoints anyone can check.

:class:`RecordStore` is the one seam to persistence: append one entry, read entries in order.
:class:`MemoryRecordStore` keeps them in a list (tests, examples); SQL stores live in
``councilplan.store``. Authority is checked by the caller's ``authority_exists`` (the councils
layer knows which ballots and mandates exist); there is no override.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from ..errors import DomainError
from .chain import GENESIS, Entry, Verification, make_entry, verify_chain
from .merkle import merkle_root


class RecordStore(Protocol):
    def append(self, entry: Entry) -> None: ...

    def entries(self) -> Iterator[Entry]: ...

    def last(self) -> Entry | None: ...


class MemoryRecordStore:
    """Entries in a Python list, in order."""

    def __init__(self) -> None:
        self._entries: list[Entry] = []

    def append(self, entry: Entry) -> None:
        self._entries.append(entry)

    def entries(self) -> Iterator[Entry]:
        return iter(self._entries)

    def last(self) -> Entry | None:
        return self._entries[-1] if self._entries else None


class NoAuthority(DomainError):
    """An act that names no ballot or mandate that exists."""


@dataclass(frozen=True)
class Checkpoint:
    """A published summary of the record: its size, last hash and Merkle root."""

    size: int
    head: str
    root: str


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class RecordLog:
    """The single writer of the record: it keeps the head it last wrote, so one append is one
    insert and one commit (a second writer on the same store would be refused by the store's
    unique sequence numbers)."""

    def __init__(self, store: RecordStore,
                 authority_exists: Callable[[str], bool] = lambda _: True,
                 clock: Callable[[], str] = utc_now) -> None:
        self.store = store
        self.authority_exists = authority_exists
        self.clock = clock
        self._head: Entry | None = store.last()  # the single writer remembers its head

    def append(self, kind: str, *, actor: str, authority: str,
               payload: Mapping[str, Any] | None = None) -> Entry:
        """Append one act; refused if its authority does not exist."""
        if not self.authority_exists(authority):
            raise NoAuthority(f"{kind} by {actor!r}: authority {authority!r} does not exist")
        last = self._head
        entry = make_entry(seq=1 if last is None else last.seq + 1, kind=kind, actor=actor,
                           authority=authority, payload=payload or {},
                           recorded_at=self.clock(),
                           prev_hash=GENESIS if last is None else last.hash)
        self.store.append(entry)
        self._head = entry
        return entry

    def verify(self) -> Verification:
        return verify_chain(self.store.entries())

    def checkpoint(self) -> Checkpoint:
        hashes = [e.hash for e in self.store.entries()]
        return Checkpoint(len(hashes), hashes[-1] if hashes else GENESIS, merkle_root(hashes))
