"""Persistence: SQL stores behind the record's and the domain's seams."""

from .records import SqlRecordStore, engine_for, record_entries, sqlite_engine

__all__ = ["SqlRecordStore", "engine_for", "record_entries", "sqlite_engine"]
