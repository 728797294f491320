import pytest

from councilplan.councils.reports import Delivery, PlantReport, check_reports
from councilplan.errors import InvalidInput
from councilplan.testing import two_technique_economy

COUNCILS = ["north-district", "bakery"]


def test_honest_reports_raise_no_flags_and_measure_fulfilment():
    e = two_technique_economy()
    reports = [PlantReport("pit", "t-coal", 30, {"food": 15}),
               PlantReport("farm", "t-food", 50, {"power": 10})]
    deliveries = [Delivery("farm", "north-district", "food", 40, "supplier"),
                  Delivery("farm", "north-district", "food", 40, "receiver")]
    r = check_reports(e, reports, deliveries, COUNCILS, {("north-district", "food"): 50})
    assert r.flags == ()
    assert r.fulfilment[("north-district", "food")] == pytest.approx(0.8)


def test_a_delivery_entered_differently_or_once_is_flagged():
    e = two_technique_economy()
    deliveries = [Delivery("farm", "north-district", "food", 40, "supplier"),
                  Delivery("farm", "north-district", "food", 25, "receiver"),
                  Delivery("pit", "bakery", "power", 10, "supplier")]
    r = check_reports(e, [], deliveries, COUNCILS, {("north-district", "food"): 50})
    assert [(f.kind, f.subject) for f in r.flags] == [
        ("mismatch", "farm -> north-district"), ("mismatch", "pit -> bakery")]
    assert "supplier entered 40, receiver entered 25" in r.flags[0].detail
    assert "receiver entered nothing" in r.flags[1].detail
    # fulfilment counts what the receiver confirms
    assert r.fulfilment[("north-district", "food")] == pytest.approx(0.5)


def test_output_without_inputs_is_flagged():
    e = two_technique_economy()
    # 0.5 food per unit of coal power: 10 food allow at most 20 units
    r = check_reports(e, [PlantReport("pit", "t-coal", 30, {"food": 10})], [], COUNCILS, {})
    (flag,) = r.flags
    assert flag.kind == "impossible output" and "at most 20" in flag.detail


def test_unknown_parties_and_techniques_are_flagged():
    e = two_technique_economy()
    deliveries = [Delivery("farm", "ghost-depot", "food", 5, "supplier"),
                  Delivery("farm", "ghost-depot", "food", 5, "receiver")]
    reports = [PlantReport("pit", "t-wind", 1, {}), PlantReport("pit", "t-nuclear", 1, {})]
    r = check_reports(e, reports, deliveries, COUNCILS, {})
    kinds = sorted(f.kind for f in r.flags)
    assert kinds == ["unknown party", "unknown party", "unknown technique", "unknown technique"]
    with pytest.raises(InvalidInput, match="supplier or the receiver"):
        check_reports(e, [], [Delivery("farm", "bakery", "food", 1, "ministry")], COUNCILS, {})


def test_report_check_from_files(tmp_path):
    import json

    from typer.testing import CliRunner

    from councilplan.cli import app
    from councilplan.economy import write_economy

    write_economy(two_technique_economy(), tmp_path / "e")
    (tmp_path / "r.csv").write_text("plant,technique,output,product,used\n"
                                    "pit,t-coal,30,food,15\nfarm,t-food,50,power,4\n")
    (tmp_path / "d.csv").write_text("supplier,receiver,product,quantity,entered_by\n"
                                    "farm,bakery,food,40,supplier\n"
                                    "farm,bakery,food,40,receiver\n"
                                    "farm,ghost,food,3,supplier\n")
    (tmp_path / "q.csv").write_text("council,product,quantity\nbakery,food,50\n")
    args = ["report", "check", str(tmp_path / "e"), "--reports", str(tmp_path / "r.csv"),
            "--deliveries", str(tmp_path / "d.csv"), "--requests", str(tmp_path / "q.csv")]
    r = CliRunner().invoke(app, [*args, "--json"])
    assert r.exit_code == 1, r.output
    s = json.loads(r.stdout)
    kinds = sorted(f["kind"] for f in s["flags"])
    # food power input 4 allows 20 units at 0.2 power each: 50 is impossible
    assert kinds == ["impossible output", "mismatch", "unknown party"]
    assert s["fulfilment"] == [{"council": "bakery", "product": "food", "fulfilment": 0.8}]
    (tmp_path / "q.csv").write_text("council,product,quantity\nbakery,food,lots\n")
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2 and "q.csv:2, field 'quantity'" in r.output
