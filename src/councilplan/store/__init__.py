"""Persistence: SQL stores behind the record's and the domain's seams."""

from .ballot_box import SqlBallotBox
from .records import SqlRecordStore, engine_for, record_entries, sqlite_engine

__all__ = [
    "SqlBallotBox",
    "SqlRecordStore",
    "engine_for",
    "record_entries",
    "sqlite_engine",
]
