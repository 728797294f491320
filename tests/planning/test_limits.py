import json

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import IO_TABLES, require
from councilplan.cli import app
from councilplan.economy import read_economy, write_economy
from councilplan.errors import InvalidInput
from councilplan.planning.balance import balanced_plan
from councilplan.planning.limits import with_limits
from councilplan.planning.optimal import optimal_plan
from councilplan.testing import two_sector_economy

# Two sectors by hand: the balanced plan makes x = (100, 200/3) with 2 x_1 + x_2 = 800/3 hours.
HOURS = 800 / 3


def test_limits_from_the_balanced_plan_hand_checked():
    e = two_sector_economy()
    limited = with_limits(e, labour=1.0, capacity=1.02)
    np.testing.assert_allclose(limited.resource_limits, [HOURS], rtol=1e-12)
    np.testing.assert_allclose(limited.capacity, [102, 68], rtol=1e-12)
    assert "labour limited to 1 x" in limited.metadata["notes"]
    # today's hours make exactly today's final demand; with more hours the 2 % spare
    # capacity binds (one technique per product: every activity scales with lambda)
    assert optimal_plan(limited, harmony_stage=False).min_fulfilment == pytest.approx(1, rel=1e-9)
    more = with_limits(e, labour=1.5, capacity=1.02)
    plan = optimal_plan(more, harmony_stage=False)
    assert plan.min_fulfilment == pytest.approx(1.02, rel=1e-9)
    assert {b.kind for b in plan.binding} == {"capacity"}
    named = with_limits(e, resources={"labour": 100.0}, capacity=2.0)
    assert optimal_plan(named, harmony_stage=False).min_fulfilment == pytest.approx(
        100 / HOURS, rel=1e-9)
    assert np.isinf(with_limits(limited, resources={"labour": np.inf}).resource_limits[0])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"labour": 0.0}, "labour must be a positive factor"),
    ({"capacity": float("nan")}, "capacity must be a positive factor"),
    ({"resources": {"water": 5.0}}, "unknown resource id 'water' in the limits to set"),
    ({"resources": {"labour": -1.0}}, "resource 'labour': the limit must be >= 0"),
])
def test_bad_limits_name_what_is_wrong(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        with_limits(two_sector_economy(), **kwargs)


def test_cli_limits_on_the_uk_table(tmp_path):
    table = require(IO_TABLES / "uk-ons-2015" / "domesticiot.csv")
    runner = CliRunner()
    assert runner.invoke(app, ["import", "symmetric", str(table), "-o",
                               str(tmp_path / "uk")]).exit_code == 0
    unlimited = runner.invoke(app, ["optimise", str(tmp_path / "uk"), "-o", str(tmp_path / "x")])
    assert unlimited.exit_code == 2 and "unbounded" in unlimited.output
    r = runner.invoke(app, ["limits", str(tmp_path / "uk"), "-o", str(tmp_path / "ukl"),
                            "--labour", "1", "--capacity", "1.02", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    uk = read_economy(tmp_path / "uk")
    hours = balanced_plan(uk).resource_use[uk.labour]
    assert s["limits"]["labour"] == pytest.approx(float(hours[0]), rel=1e-12)
    assert s["capacities"] == uk.n_techniques
    r = runner.invoke(app, ["optimise", str(tmp_path / "ukl"), "-o", str(tmp_path / "p"),
                            "--json"])
    assert r.exit_code == 0, r.output
    plan = json.loads(r.stdout)
    # the plan runs into the limits set: some bind, none is crossed
    assert plan["binding"]
    assert all(b["used"] == pytest.approx(b["limit"], rel=1e-9) for b in plan["binding"])
    assert all(r["use"] <= r["limit"] * (1 + 1e-9) for r in plan["resources"])
    assert plan["solver"]["duality_gap"] < 1e-8
    api = optimal_plan(with_limits(uk, labour=1.0, capacity=1.02))
    assert plan["min_fulfilment"] == pytest.approx(api.min_fulfilment, rel=1e-12)


@pytest.mark.parametrize(("args", "message"), [
    (["--resource", "water=5"], "unknown resource id 'water'"),
    (["--resource", "labour"], "expected ID=LIMIT"),
    (["--resource", "labour=lots"], "expected ID=LIMIT"),
    (["--labour", "-1"], "labour must be a positive factor"),
])
def test_cli_limits_bad_input(tmp_path, args, message):
    write_economy(two_sector_economy(), tmp_path / "e")
    r = CliRunner().invoke(app, ["limits", str(tmp_path / "e"), "-o", str(tmp_path / "out"),
                                 *args])
    assert r.exit_code == 2 and message in r.output, r.output
    assert not (tmp_path / "out").exists()
