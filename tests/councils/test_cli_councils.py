"""The councils through the command line: every call a fresh process state, one database."""

import json

import pytest
from typer.testing import CliRunner

from councilplan.cli import app

runner = CliRunner()


def cli(*args, code=0):
    r = runner.invoke(app, [str(a) for a in args])
    assert r.exit_code == code, r.output
    return json.loads(r.stdout) if "--json" in args and code == 0 else r.output


@pytest.fixture
def db(database):
    path = database
    cli("council", "found", path, "district", "--kind", "district", "--skilled-pay", 3200,
        "--actor", "assembly")
    cli("council", "found", path, "bakery", "--kind", "workplace", "--parent", "district",
        "--skilled-pay", 3000, "--actor", "assembly")
    for m in ("ana", "ben", "cai", "dee"):
        cli("council", "admit", path, "bakery", m, "--actor", "assembly")
    return path


def test_vote_get_a_receipt_check_it_and_recall(db):
    ballot = cli("ballot", "open-election", db, "bakery", "--actor", "ana", "--candidate", "ben",
                 "--candidate", "cai", "--json")["ballot"]
    receipts = {m: cli("ballot", "vote", db, ballot, m, "ben" if m != "dee" else "cai",
                       "--json")["receipt"] for m in ("ana", "ben", "cai", "dee")}
    cli("ballot", "vote", db, ballot, "ana", "cai", code=2)  # voting twice
    assert cli("ballot", "check", db, ballot, receipts["dee"], "--json")["choice"] == "cai"
    assert cli("ballot", "close", db, ballot, "--actor", "ana", "--json")["tally"] == \
        {"ben": 3, "cai": 1}
    assert cli("ballot", "check", db, ballot, receipts["ana"], "--json")["choice"] == "ben"
    cli("ballot", "check", db, ballot, "0" * 32, code=1)
    shown = cli("council", "show", db, "bakery", "--json")
    assert shown["delegate"] == "ben"
    assert "ben" in cli("council", "show", db, "district", "--json")["members"]
    cli("pay", "set", db, "bakery", 3100, "--actor", "ana", "--authority", ballot, code=2)
    cli("pay", "set", db, "bakery", 2950, "--actor", "ana", "--authority", ballot)
    recall = cli("recall", "sign", db, "bakery", "dee", "--json")["recall_ballot"]
    assert recall is not None  # one of four electors reaches the 1/5 share
    for m in ("ana", "cai", "dee"):
        cli("ballot", "vote", db, recall, m, "remove")
    cli("ballot", "close", db, recall, "--actor", "dee")
    shown = cli("council", "show", db, "bakery", "--json")
    assert shown["delegate"] is None and len(shown["open_ballots"]) == 1  # the by-election
    assert "ben" not in cli("council", "show", db, "district", "--json")["members"]
    assert cli("verify", db, "--json")["ok"]


def test_bad_acts_are_refused_with_clear_messages(db):
    out = cli("ballot", "open-election", db, "bakery", "--actor", "stranger", "--candidate",
              "ben", code=2)
    assert "'stranger' is not a member of 'bakery'" in out
    out = cli("council", "found", db, "mine", "--kind", "ministry", "--skilled-pay", 1,
              "--actor", "x", code=2)
    assert "council kind 'ministry'" in out


def test_priority_ballot_from_the_command_line_steers_optimise(db, tmp_path):
    from councilplan.economy import write_economy
    from councilplan.testing import two_technique_economy

    ballot = cli("ballot", "open-priority", db, "bakery", "--actor", "ana", "--option", "power",
                 "--option", "food", "--points", 10, "--json")["ballot"]
    for m in ("ana", "ben", "cai"):
        cli("ballot", "vote", db, ballot, m, "power=2,food=8")
    cli("ballot", "vote", db, ballot, "dee", "power=11", code=2)  # more points than allowed
    assert cli("ballot", "close", db, ballot, "--actor", "ana", "--json")["tally"] == \
        {"power": 6, "food": 24}
    (tmp_path / "q.csv").write_text("product,target\npower,100\nfood,50\n")
    cli("ballot", "targets", db, ballot, "--targets", tmp_path / "q.csv", "-o",
        tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text().splitlines()[1:] == ['"food",50,0.8',
                                                                  '"power",100,0.2']
    write_economy(two_technique_economy(), tmp_path / "e")
    s = cli("optimise", tmp_path / "e", "-o", tmp_path / "p", "--targets", tmp_path / "t.csv",
            "--json")
    assert s["targets"] == 2


def test_mandate_is_shown_and_the_record_replays(db):
    ballot = cli("ballot", "open-election", db, "bakery", "--actor", "ana", "--candidate", "ben",
                 "--mandate", "vote against the night shift", "--json")["ballot"]
    cli("ballot", "vote", db, ballot, "ana", "ben")
    cli("ballot", "close", db, ballot, "--actor", "ana")
    assert cli("council", "show", db, "bakery", "--json")["mandate"] == \
        "vote against the night shift"
    assert cli("verify", db, "--json")["ok"]


def test_verify_catches_an_entry_written_around_the_rules(db):
    from councilplan.record import RecordLog
    from councilplan.store import SqlRecordStore, engine_for

    # properly chained, but it acts on a council that was never founded
    RecordLog(SqlRecordStore(engine_for(db))).append(
        "member.joined", actor="operator", authority="constitution",
        payload={"council": "ghost-ministry", "member": "ana"})
    r = runner.invoke(app, ["verify", str(db), "--json"])
    assert r.exit_code == 1
    s = json.loads(r.stdout)
    assert s["first_bad"] == 7 and "member.joined cannot apply" in s["problem"]
