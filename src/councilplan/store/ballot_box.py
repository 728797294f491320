"""The ballot box: choices of ballots still open, kept apart from who voted.

Rows are keyed by (ballot, receipt); receipts are random, and on SQLite the table has no rowid,
so the stored order is the receipts' order and carries no trace of the order of voting.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Column, Engine, MetaData, String, Table, Text, insert, select

from .schema import upgrade

box_metadata = MetaData()
ballot_box = Table(
    "ballot_box", box_metadata,
    Column("ballot", String(200), primary_key=True),
    Column("receipt", String(64), primary_key=True),
    Column("choice", Text, nullable=False),
    sqlite_with_rowid=False,
)


class SqlBallotBox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        upgrade(engine)

    def put(self, ballot: str, receipt: str, choice: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(ballot_box).values(ballot=ballot, receipt=receipt,
                                                   choice=json.dumps(choice)))

    def contents(self, ballot: str) -> list[tuple[str, Any]]:
        """Every (receipt, choice) of the ballot, sorted by receipt."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(ballot_box.c.receipt, ballot_box.c.choice)
                                .where(ballot_box.c.ballot == ballot)
                                .order_by(ballot_box.c.receipt))
            return [(r, json.loads(c)) for r, c in rows]
