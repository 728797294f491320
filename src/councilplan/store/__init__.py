"""Persistence: SQL stores behind the record's and the domain's seams."""

from .records import SqlRecordStore, record_entries, sqlite_engine

__all__ = ["SqlRecordStore", "record_entries", "sqlite_engine"]
