import json

import pytest
from typer.testing import CliRunner

from councilplan.cli import app
from councilplan.economy import write_economy
from councilplan.economy.csvformat import write_economy_csv
from councilplan.testing import two_sector_economy, unproductive_economy

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_generate_balance_inspect_with_json(tmp_path):
    r = run("generate", "--products", 3000, "--plants", 30, "--seed", 7, "-o", tmp_path / "e",
            "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["products"] == 3000
    r = run("balance", tmp_path / "e", "-o", tmp_path / "p", "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["solver"]["gross_output"]["residual"] < 1e-6
    assert summary["max_balance_error"] < 1e-6
    for name in ("gross_output", "labour_values", "balance", "bottlenecks"):
        assert (tmp_path / "p" / f"{name}.csv").is_file()
        assert (tmp_path / "p" / f"{name}.parquet").is_file()
    r = run("inspect", tmp_path / "e", "--json")
    assert json.loads(r.stdout)["digest"] == summary["provenance"]["input_hash"]


def test_same_seed_same_economy(tmp_path):
    for name in ("a", "b"):
        assert run("generate", "--products", 500, "--plants", 5, "--seed", 1,
                   "-o", tmp_path / name).exit_code == 0
    a = json.loads(run("inspect", tmp_path / "a", "--json").stdout)["digest"]
    b = json.loads(run("inspect", tmp_path / "b", "--json").stdout)["digest"]
    assert a == b


@pytest.mark.parametrize(("kind", "table", "products"), [
    ("symmetric", "uk-ons-2015/domesticiot.csv", 129),
    ("symmetric", "oecd-2015/KOR2015dom.csv", 36),
    ("supply-use", "us-bea-2017", 400),
])
def test_import_real_table_and_balance(tmp_path, io_tables, kind, table, products):
    r = run("import", kind, io_tables / table, "-o", tmp_path / "e", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["products"] == products
    r = run("balance", tmp_path / "e", "-o", tmp_path / "plan", "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["max_balance_error"] <= 1e-9 * summary["total_gross_output"]
    assert (tmp_path / "plan" / "balance.csv").read_text().count("\n") == products + 1


def test_unproductive_economy_exits_2_and_writes_nothing(tmp_path):
    write_economy(unproductive_economy(), tmp_path / "e")
    r = run("balance", tmp_path / "e", "-o", tmp_path / "plan")
    assert r.exit_code == 2
    assert "coal" in r.output and "steel" in r.output
    assert not (tmp_path / "plan").exists()


@pytest.mark.parametrize("args", [
    ("generate", "--products", 1, "--plants", 1),
    ("generate", "--products", 10, "--plants", 20),
])
def test_bad_generator_settings_exit_2(tmp_path, args):
    r = run(*args, "-o", tmp_path / "e")
    assert r.exit_code == 2
    assert not (tmp_path / "e").exists()


def test_bad_csv_import_exits_2_naming_line_and_writes_nothing(tmp_path):
    write_economy_csv(two_sector_economy(), tmp_path / "csv")
    path = tmp_path / "csv" / "inputs.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",oops"
    path.write_text("\n".join(lines) + "\n")
    r = run("import", "csv", tmp_path / "csv", "-o", tmp_path / "e")
    assert r.exit_code == 2
    assert "inputs.csv:3" in r.output and "quantity" in r.output
    assert not (tmp_path / "e").exists()


def test_missing_economy_exits_2(tmp_path):
    r = run("balance", tmp_path / "nowhere", "-o", tmp_path / "plan")
    assert r.exit_code == 2 and "manifest.json" in r.output


def test_export_and_reimport_keeps_the_hash(tmp_path):
    write_economy(two_sector_economy(), tmp_path / "e")
    assert run("export", tmp_path / "e", "-o", tmp_path / "csv").exit_code == 0
    assert run("import", "csv", tmp_path / "csv", "-o", tmp_path / "e2").exit_code == 0
    a = json.loads(run("inspect", tmp_path / "e", "--json").stdout)["digest"]
    b = json.loads(run("inspect", tmp_path / "e2", "--json").stdout)["digest"]
    assert a == b


def test_sample_prints_a_report(tmp_path):
    r = run("sample", "--products", 2000, "-o", tmp_path / "demo", "--json")
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["products"] == 2000 and s["max_balance_error"] < 1e-6
