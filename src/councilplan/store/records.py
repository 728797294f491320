"""The record in a SQL database (SQLite by default, WAL and durable commits).

One table holds the entries; the database enforces nothing that the chain does not already
prove, so a row edited, removed or inserted behind the program's back is found by
:func:`councilplan.record.verify_chain`, which names it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    inspect,
    select,
)

from ..errors import InvalidInput, Location
from ..record.chain import Entry
from .schema import upgrade

metadata = MetaData()
record_entries = Table(
    "record_entries", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(200), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("authority", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)


def sqlite_engine(path: Path | str, *, read_only: bool = False) -> Engine:
    """An engine on a SQLite file in WAL mode with synchronous=FULL: a commit is on disk.
    ``read_only`` opens it with SQLite's mode=ro and changes nothing in it."""
    if read_only:
        return create_engine(f"sqlite:///file:{Path(path).resolve()}?mode=ro&uri=true")
    engine = create_engine(f"sqlite:///{Path(path)}")

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return engine


def engine_for(target: str | Path, *, read_only: bool = False) -> Engine:
    """A SQLAlchemy URL (``postgresql+psycopg://…``) or the path of a SQLite file."""
    text = str(target)
    if "://" in text:
        return create_engine(text, pool_pre_ping=True)
    return sqlite_engine(text, read_only=read_only)


class SqlRecordStore:
    """A :class:`councilplan.record.RecordStore` on any SQLAlchemy engine."""

    def __init__(self, engine: Engine, *, create: bool = True) -> None:
        """``create=False`` opens an existing record only, writing nothing (for verifying)."""
        self.engine = engine
        self._writer: Connection | None = None
        self._insert = insert(record_entries)
        if create:
            upgrade(engine)
        elif not inspect(engine).has_table(record_entries.name):
            raise InvalidInput("not a councilplan record (no record_entries table)",
                               Location(file=str(engine.url.render_as_string(
                                   hide_password=True))))

    def append(self, entry: Entry) -> None:
        """Insert and commit one entry on the writer's own connection (one round trip less
        than checking a connection out of the pool for every entry)."""
        if self._writer is None:
            self._writer = self.engine.connect()
        try:
            self._writer.execute(self._insert, {
                "seq": entry.seq, "kind": entry.kind, "actor": entry.actor,
                "authority": entry.authority,
                "payload": json.dumps(dict(entry.payload), sort_keys=True),
                "recorded_at": entry.recorded_at, "prev_hash": entry.prev_hash,
                "hash": entry.hash})
            self._writer.commit()
        except BaseException:
            self._writer.rollback()
            raise

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def entries(self) -> Iterator[Entry]:
        """Every entry in the order the rows are stored, which is the order they were added."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(record_entries).order_by(record_entries.c.seq))
            for row in rows:
                yield _entry(row._mapping)

    def page(self, start: int, limit: int) -> list[Entry]:
        """Up to ``limit`` entries from sequence number ``start`` on."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(record_entries).where(record_entries.c.seq >= start)
                                .order_by(record_entries.c.seq).limit(limit))
            return [_entry(row._mapping) for row in rows]

    def last(self) -> Entry | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(record_entries).order_by(record_entries.c.seq.desc())
                               .limit(1)).first()
        return None if row is None else _entry(row._mapping)


def _entry(row: Any) -> Entry:
    try:
        payload = json.loads(row["payload"])
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"record entry {row['seq']}: payload is not JSON",
                           Location(item=str(row["seq"]))) from exc
    return Entry(seq=row["seq"], kind=row["kind"], actor=row["actor"],
                 authority=row["authority"], payload=payload, recorded_at=row["recorded_at"],
                 prev_hash=row["prev_hash"], hash=row["hash"])
