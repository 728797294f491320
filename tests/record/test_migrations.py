from sqlalchemy import inspect

from councilplan.store import SqlBallotBox, SqlRecordStore, engine_for
from councilplan.store.schema import HEAD, current_revision, upgrade


def test_migrations_build_the_schema_once(database):
    engine = engine_for(database)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == HEAD
    tables = set(inspect(engine).get_table_names())
    assert {"record_entries", "ballot_box", "alembic_version"} <= tables
    upgrade(engine)  # already current: nothing happens
    SqlRecordStore(engine)
    SqlBallotBox(engine)
    assert current_revision(engine) == HEAD
    engine.dispose()
