import json
import sqlite3

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from councilplan.cli import app
from councilplan.economy import read_economy, write_economy
from councilplan.economy.generator import generate_economy

runner = CliRunner()


def balanced(tmp_path, *extra):
    write_economy(generate_economy(3000, 30, seed=12), tmp_path / "e")
    r = runner.invoke(app, ["balance", str(tmp_path / "e"), "-o", str(tmp_path / "p"), "--json",
                            *extra])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_replay_matches_bit_for_bit(tmp_path):
    summary = balanced(tmp_path)
    r = runner.invoke(app, ["replay", str(tmp_path / "p"), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["matches"] and s["output_digest"] == summary["output_digest"]


def test_replay_finds_an_edited_published_number(tmp_path):
    balanced(tmp_path)
    path = tmp_path / "p" / "gross_output.parquet"
    table = pq.read_table(path)
    values = table.column("gross_output").to_numpy().copy()
    values[7] = values[7] * (1 + 1e-15) + 1e-12
    pq.write_table(table.set_column(1, "gross_output", pa.array(values)), path)
    r = runner.invoke(app, ["replay", str(tmp_path / "p"), "--json"])
    assert r.exit_code == 1
    assert json.loads(r.stdout)["problems"] == ["gross_output differs from the recomputed plan"]


def test_replay_against_another_economy_says_so(tmp_path):
    balanced(tmp_path)
    e = read_economy(tmp_path / "e")
    Y = e.final_demand.copy()
    Y[0, 0] += 1
    from dataclasses import replace
    write_economy(replace(e, final_demand=Y), tmp_path / "e2")
    r = runner.invoke(app, ["replay", str(tmp_path / "p"), "--economy", str(tmp_path / "e2"),
                            "--json"])
    assert r.exit_code == 1
    assert "economy differs" in json.loads(r.stdout)["problems"][0]


def test_drafted_plan_is_recorded(tmp_path):
    summary = balanced(tmp_path, "--record", str(tmp_path / "record.db"), "--actor",
                       "board", "--authority", "ballot:bakery:7")
    assert summary["record_entry"] == 1
    with sqlite3.connect(tmp_path / "record.db") as conn:
        kind, authority, payload = conn.execute(
            "SELECT kind, authority, payload FROM record_entries").fetchone()
    assert (kind, authority) == ("plan.drafted", "ballot:bakery:7")
    assert json.loads(payload)["output_digest"] == summary["output_digest"]
    assert runner.invoke(app, ["verify", str(tmp_path / "record.db")]).exit_code == 0
