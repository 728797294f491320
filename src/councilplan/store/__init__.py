"""Persistence: SQL stores behind the record's and the domain's seams."""

from .accounts import AccountStore, Session
from .ballot_box import SqlBallotBox
from .records import SqlRecordStore, engine_for, record_entries, sqlite_engine

__all__ = [
    "AccountStore",
    "Session",
    "SqlBallotBox",
    "SqlRecordStore",
    "engine_for",
    "record_entries",
    "sqlite_engine",
]
