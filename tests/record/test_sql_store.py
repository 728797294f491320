import json
import sqlite3

from sqlalchemy import text
from typer.testing import CliRunner

from councilplan.cli import app
from councilplan.record import RecordLog
from councilplan.store import SqlRecordStore, engine_for


def execute(database, statement, **params):
    """Run SQL straight against the database, behind the program's back."""
    engine = engine_for(database)
    with engine.begin() as conn:
        conn.execute(text(statement), params)
    engine.dispose()


def make_record(database):
    """Five real federation events: a council is founded and four members join."""
    log = RecordLog(SqlRecordStore(engine_for(database)))
    log.append("council.founded", actor="assembly", authority="constitution",
               payload={"council": "bakery", "kind": "workplace", "parent": None,
                        "skilled_pay": "3000"})
    for i in range(4):
        log.append("member.joined", actor="assembly", authority="constitution",
                   payload={"council": "bakery", "member": f"member:{i}"})
    return log


def verify(database):
    r = CliRunner().invoke(app, ["verify", database, "--json"])
    return r.exit_code, json.loads(r.stdout)


def test_record_survives_reopening_and_verifies(database):
    first = make_record(database).checkpoint()
    reopened = RecordLog(SqlRecordStore(engine_for(database)))
    assert reopened.checkpoint() == first
    code, s = verify(database)
    assert code == 0 and s["ok"] and s["checked"] == 5 and s["merkle_root"] == first.root


def test_row_edited_directly_in_the_database_is_named(database):
    make_record(database)
    execute(database, "UPDATE record_entries SET payload = :p WHERE seq = 3",
            p=json.dumps({"council": "bakery", "member": "stalin"}))
    code, s = verify(database)
    assert code == 1 and not s["ok"] and s["first_bad"] == 3 and "altered" in s["problem"]


def test_row_deleted_directly_is_named(database):
    make_record(database)
    execute(database, "DELETE FROM record_entries WHERE seq = 2")
    code, s = verify(database)
    assert code == 1 and s["first_bad"] == 2 and "removed" in s["problem"]


def test_sqlite_file_is_in_wal_mode(tmp_path):
    make_record(str(tmp_path / "r.db"))
    with sqlite3.connect(tmp_path / "r.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_missing_database_exits_2(tmp_path):
    r = CliRunner().invoke(app, ["verify", str(tmp_path / "none.db")])
    assert r.exit_code == 2 and "no such database file" in r.output


def test_verify_writes_nothing_and_rejects_other_databases(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE x (a)")
    before = other.read_bytes()
    r = CliRunner().invoke(app, ["verify", str(other)])
    assert r.exit_code == 2 and "not a councilplan record" in r.output
    with sqlite3.connect(other) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["x"] and other.read_bytes() == before
