"""Empty a test database completely (tables and migration history); for tests only."""

from __future__ import annotations

from sqlalchemy import Engine, text

TABLES = ("ballot_box", "record_entries", "accounts", "web_sessions", "alembic_version")


def reset_database(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
