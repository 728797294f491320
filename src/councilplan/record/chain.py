"""The public record: an append-only, hash-chained log of entries.

Each entry names who acted (``actor``) and the ballot or mandate that authorises the act
(``authority``), and commits to the entry before it through ``prev_hash``. An entry's hash is
SHA-256 over a canonical JSON encoding of all its fields except the hash itself, so changing any
field, removing, inserting or reordering entries breaks the chain at a place that
:func:`verify_chain` names. Nothing here edits or deletes: a correction is a new entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput

GENESIS = "0" * 64


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8, no NaN."""
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"record payload is not plain JSON data: {exc}") from exc
    return text.encode("utf-8")


@dataclass(frozen=True)
class Entry:
    """One event in the record."""

    seq: int
    kind: str
    actor: str
    authority: str
    payload: Mapping[str, Any]
    recorded_at: str
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        """Every field the hash covers."""
        return {"seq": self.seq, "kind": self.kind, "actor": self.actor,
                "authority": self.authority, "payload": dict(self.payload),
                "recorded_at": self.recorded_at, "prev_hash": self.prev_hash}


def entry_hash(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(dict(body))).hexdigest()


def make_entry(*, seq: int, kind: str, actor: str, authority: str, payload: Mapping[str, Any],
               recorded_at: str, prev_hash: str) -> Entry:
    """A new entry, checked: every act needs a kind, an actor and an authority."""
    for name, value in (("kind", kind), ("actor", actor), ("authority", authority)):
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"a record entry needs a {name}")
    body = {"seq": seq, "kind": kind, "actor": actor, "authority": authority,
            "payload": dict(payload), "recorded_at": recorded_at, "prev_hash": prev_hash}
    return Entry(**body, hash=entry_hash(body))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a record: ``first_bad`` is the seq (or position) of the first
    entry that does not fit, with what is wrong with it."""

    ok: bool
    checked: int
    first_bad: int | None = None
    problem: str = ""
    head: str = GENESIS


def verify_chain(entries: Iterable[Entry]) -> Verification:
    """Recompute every hash and link, in order, and stop at the first entry that fails."""
    prev, expected_seq, checked = GENESIS, 1, 0
    for entry in entries:
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                what = f"entries {expected_seq}..{entry.seq - 1} are missing (removed)"
            else:
                what = f"entry numbered {entry.seq} appears after {expected_seq - 1} " \
                       "(inserted or reordered)"
            return Verification(False, checked, expected_seq, what, prev)
        if entry_hash(entry.body()) != entry.hash:
            return Verification(False, checked, entry.seq,
                                "its content does not match its hash (altered)", prev)
        if entry.prev_hash != prev:
            return Verification(False, checked, entry.seq,
                                "it does not commit to the entry before it (chain broken)", prev)
        prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    return Verification(True, checked, head=prev)
