"""One test per row of the safeguards table in shared/design/SYSTEM.md that is built so far."""

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from councilplan.cli import app
from councilplan.councils import Federation, PayAboveCap, recount
from councilplan.councils.reports import Delivery, PlantReport, check_reports
from councilplan.economy import write_economy
from councilplan.errors import DomainError, InvalidInput
from councilplan.planning import balanced_plan
from councilplan.record import RecordLog
from councilplan.record.log import NoAuthority
from councilplan.store import SqlBallotBox, SqlRecordStore, engine_for
from councilplan.testing import two_sector_economy, two_technique_economy

runner = CliRunner()
MEMBERS = ["ana", "ben", "cai", "dee", "eve"]


@pytest.fixture
def fed(database):
    engine = engine_for(database)
    f = Federation(RecordLog(SqlRecordStore(engine)), SqlBallotBox(engine))
    f.found_council("congress", "congress", skilled_pay=3000, actor="assembly")
    f.found_council("bakery", "workplace", parent="congress", skilled_pay=3000, actor="assembly")
    for m in MEMBERS:
        f.admit(m, "bakery", actor="assembly")
    f.db = database
    return f


def elect(fed, winner="ben"):
    ballot = fed.open_election("bakery", [winner, "cai"], actor="ana")
    for m in MEMBERS:
        fed.vote(ballot, m, winner)
    fed.close(ballot, actor="ana")
    return ballot


def test_history_cannot_be_rewritten(fed):
    elect(fed)
    engine = engine_for(fed.db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE record_entries SET actor = 'stalin' WHERE seq = 4"))
    r = runner.invoke(app, ["verify", fed.db, "--json"])
    assert r.exit_code == 1 and json.loads(r.stdout)["first_bad"] == 4


def test_no_order_through_unseen_channels(fed):
    with pytest.raises(NoAuthority):
        RecordLog(fed.log.store, authority_exists=lambda a: a == "constitution").append(
            "plan.adopted", actor="ministry", authority="phone call")
    assert all(e.actor and e.authority for e in fed.log.store.entries())


def test_no_rigged_elections(fed):
    ballot = elect(fed)
    closed = next(e for e in fed.log.store.entries() if e.kind == "ballot.closed")
    assert recount(closed.payload["ballots"], "single", len(MEMBERS)) == fed.state.results[ballot]
    with pytest.raises(InvalidInput, match="2122 ballots for an electorate of 1617"):
        recount([(f"r{i}", "stalin") for i in range(2122)], "single", 1617)


def test_officials_can_be_removed(fed):
    elect(fed)
    recall = fed.sign_recall("bakery", "dee")
    for m in MEMBERS:
        fed.vote(recall, m, "remove")
    fed.close(recall, actor="dee")
    assert fed.council("bakery").delegate is None


def test_no_hidden_privileges(fed):
    ballot = elect(fed)
    with pytest.raises(PayAboveCap):
        fed.set_pay("bakery", 4000, actor="ana", authority=ballot)
    fed.set_pay("bakery", 3000, actor="ana", authority=ballot)
    paid = [e for e in fed.log.store.entries() if e.kind == "delegate.pay_set"]
    assert paid[-1].payload == {"council": "bakery", "delegate": "ben", "pay": "3000"}


def test_falsified_reports_show(fed):
    e = two_technique_economy()
    r = check_reports(e, [PlantReport("pit", "t-coal", 100, {"food": 5})],
                      [Delivery("pit", "bakery", "power", 100, "supplier"),
                       Delivery("pit", "bakery", "power", 60, "receiver")],
                      ["bakery"], {("bakery", "power"): 100})
    assert {f.kind for f in r.flags} == {"impossible output", "mismatch"}
    # targets are what was asked for, and fulfilment counts what the receiver confirms
    assert r.fulfilment[("bakery", "power")] == pytest.approx(0.6)


def test_every_number_can_be_checked(tmp_path):
    write_economy(two_technique_economy(), tmp_path / "e")
    assert runner.invoke(app, ["balance", str(tmp_path / "e"), "-o", str(tmp_path / "p")]
                         ).exit_code == 0
    r = runner.invoke(app, ["replay", str(tmp_path / "p"), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["matches"]


def test_the_body_that_decides_is_not_the_one_that_computes(fed):
    plan = balanced_plan(two_sector_economy())
    with pytest.raises(DomainError, match="no drafted plan"):
        fed.open_adoption("bakery", plan.output_digest, actor="ana")
    fed.draft_plan(plan.output_digest, plan.provenance.as_dict(), actor="planning board")
    assert "bakery" not in fed.state.adopted_plans  # drafted, not binding
    ballot = fed.open_adoption("bakery", plan.output_digest, actor="ana")
    for m, choice in zip(MEMBERS, ["adopt", "adopt", "adopt", "reject", "reject"], strict=True):
        fed.vote(ballot, m, choice)
    fed.close(ballot, actor="ana")
    assert fed.state.adopted_plans["bakery"] == plan.output_digest
    reopened = Federation(fed.log, fed.box)
    assert reopened.state.adopted_plans == fed.state.adopted_plans
