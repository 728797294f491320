"""The web app's CLI: the demo main job (without serving), accounts and operator resets."""

import re

from typer.testing import CliRunner

from conftest import IO_TABLES, require
from councilplan.api.service import FederationService
from councilplan.cli import app

runner = CliRunner()


def run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def test_demo_builds_a_federation_on_the_uk_table_and_prints_passwords(tmp_path):
    require(IO_TABLES / "uk-ons-2015")
    r = run("demo", "-d", tmp_path / "demo", "--no-serve")
    assert r.exit_code == 0, r.output
    assert "UK ONS 2015" in r.output
    passwords = dict(re.findall(r"^  (\w+)\s+(\S+)$", r.output, re.M))
    assert len(passwords) == 12
    service = FederationService(tmp_path / "demo" / "federation.sqlite", tmp_path / "demo")
    assert service.accounts.check_password("ana", passwords["ana"])
    assert service.economy.n_products == 129
    assert {b["purpose"] for b in service.open_ballots()} == {"adoption", "priority"}
    assert {p.kind for p in service.plans.values()} == {"balanced", "fiveyear"}
    assert service.verify()["ok"]
    r = run("demo", "-d", tmp_path / "demo", "--no-serve")
    assert r.exit_code == 2 and "already holds a federation" in r.output


def test_demo_without_the_shared_data_uses_a_generated_economy(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNCILPLAN_DATA", str(tmp_path / "nowhere"))
    r = run("demo", "-d", tmp_path / "demo", "--no-serve")
    assert r.exit_code == 0, r.output
    assert "generated economy of 300 products" in r.output and "was not found" in r.output


def test_accounts_and_a_recorded_operator_reset(tmp_path):
    db = tmp_path / "fed.db"
    r = run("account", "open", db, "zoe", "--data-dir", tmp_path, input="secret pw\nsecret pw\n")
    assert r.exit_code == 0, r.output
    r = run("account", "open", db, "zoe", "--data-dir", tmp_path, input="secret pw\nsecret pw\n")
    assert r.exit_code == 2 and "exists already" in r.output
    r = run("account", "reset-password", db, "zoe", "--operator", "ops", "--reason", "lost it",
            "--data-dir", tmp_path, input="new secret\nnew secret\n")
    assert r.exit_code == 0, r.output
    service = FederationService(db, tmp_path)
    assert service.accounts.check_password("zoe", "new secret")
    last = list(service.entries())[-1]
    assert (last.kind, last.actor, last.payload["reason"]) == ("operator.acted", "ops", "lost it")
    r = run("account", "reset-password", db, "nobody", "--operator", "ops", "--reason", "x",
            "--data-dir", tmp_path, input="new secret\nnew secret\n")
    assert r.exit_code == 2 and "no account for 'nobody'" in r.output
