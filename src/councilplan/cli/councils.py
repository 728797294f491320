"""Councils and the record: verify, council, ballot, recall, pay, report."""


from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

import typer

from ..economy import read_economy
from ..errors import InvalidInput, Location
from ._app import JsonOpt, _emit, _fail, _run, app, out


@app.command(rich_help_panel="Councils and the record")
def verify(
    database: Annotated[str, typer.Argument(
        help="SQLite file, or a database URL such as postgresql+psycopg://…")],
    as_json: JsonOpt = False,
) -> None:
    """Recompute the record's hash chain and name the first entry that does not fit."""
    from ..councils import audit_record
    from ..store import SqlRecordStore, engine_for

    if "://" not in database and not Path(database).is_file():
        _fail(InvalidInput("no such database file", Location(file=database)))
    store = _run(lambda: SqlRecordStore(engine_for(database, read_only=True), create=False))
    result = _run(lambda: audit_record(store.entries()))
    _emit(result.as_dict(), as_json, lambda: out.print(
        f"[green]record verifies[/]: {result.checked} entries, Merkle root {result.merkle_root}"
        if result.ok else f"[red]record broken at entry {result.first_bad}[/]: {result.problem}"))
    if not result.ok:
        raise typer.Exit(1)


council_app = typer.Typer(help="Councils: found, admit members, show.", no_args_is_help=True)


ballot_app = typer.Typer(help="Secret ballots: open an election, vote, close, check a receipt.",
                         no_args_is_help=True)


recall_app = typer.Typer(help="Recall a delegate by petition.", no_args_is_help=True)


pay_app = typer.Typer(help="Delegates' pay, public and capped.", no_args_is_help=True)


app.add_typer(council_app, name="council", rich_help_panel="Councils and the record")


app.add_typer(ballot_app, name="ballot", rich_help_panel="Councils and the record")


app.add_typer(recall_app, name="recall", rich_help_panel="Councils and the record")


app.add_typer(pay_app, name="pay", rich_help_panel="Councils and the record")


DbArg = Annotated[str, typer.Argument(help="The federation's database: SQLite file or URL.")]


ActorOpt = Annotated[str, typer.Option("--actor", help="Who acts (recorded).")]


def _federation(database: str) -> Any:
    from ..councils import Federation
    from ..record import RecordLog
    from ..store import SqlBallotBox, SqlRecordStore, engine_for

    engine = engine_for(database)
    return Federation(RecordLog(SqlRecordStore(engine)), SqlBallotBox(engine))


@council_app.command("found")
def council_found(database: DbArg, council: str, kind: Annotated[str, typer.Option()],
                  skilled_pay: Annotated[float, typer.Option()], actor: ActorOpt,
                  parent: Annotated[str | None, typer.Option()] = None,
                  as_json: JsonOpt = False) -> None:
    """Found a council (workplace, consumer, district, industry, congress)."""
    fed = _federation(database)
    _run(lambda: fed.found_council(council, kind, parent=parent,
                                   skilled_pay=Fraction(str(skilled_pay)), actor=actor))
    _emit({"council": council}, as_json, lambda: out.print(f"founded {council}"))


@council_app.command("admit")
def council_admit(database: DbArg, council: str, member: str, actor: ActorOpt,
                  as_json: JsonOpt = False) -> None:
    """Admit a member to a council."""
    fed = _federation(database)
    _run(lambda: fed.admit(member, council, actor=actor))
    _emit({"council": council, "member": member}, as_json,
          lambda: out.print(f"{member} joined {council}"))


@council_app.command("show")
def council_show(database: DbArg, council: str, as_json: JsonOpt = False) -> None:
    """Show a council: members, delegate, pay, terms, petition, open ballots."""
    fed = _federation(database)
    c = _run(lambda: fed.council(council))
    s = {"council": c.council_id, "kind": c.kind, "parent": c.parent,
         "members": sorted(c.members), "delegate": c.delegate, "mandate": c.mandate,
         "delegate_pay": str(c.delegate_pay),
         "skilled_pay": str(c.skilled_pay), "terms": c.terms, "petition": sorted(c.petition),
         "open_ballots": sorted(b for b, ob in fed.state.ballots.items()
                                if ob.council == council)}
    _emit(s, as_json, lambda: out.print(json.dumps(s, indent=2)))


@ballot_app.command("open-election")
def ballot_open(database: DbArg, council: str, actor: ActorOpt,
                candidate: Annotated[list[str], typer.Option("--candidate")],
                mandate: Annotated[str | None, typer.Option(
                    help="A binding mandate the delegate is elected on.")] = None,
                as_json: JsonOpt = False) -> None:
    """Open an election of the council's delegate among the candidates."""
    fed = _federation(database)
    ballot = _run(lambda: fed.open_election(council, candidate, actor=actor, mandate=mandate))
    _emit({"ballot": ballot}, as_json, lambda: out.print(ballot))


@ballot_app.command("open-priority")
def ballot_open_priority(database: DbArg, council: str, actor: ActorOpt,
                         option: Annotated[list[str], typer.Option("--option")],
                         points: Annotated[int, typer.Option(help="Points per member.")] = 10,
                         as_json: JsonOpt = False) -> None:
    """Open a priority ballot: members spread points over products or projects."""
    fed = _federation(database)
    ballot = _run(lambda: fed.open_priority(council, option, points=points, actor=actor))
    _emit({"ballot": ballot}, as_json, lambda: out.print(ballot))


@ballot_app.command("open-adoption")
def ballot_open_adoption(database: DbArg, council: str, plan_digest: str, actor: ActorOpt,
                         as_json: JsonOpt = False) -> None:
    """Put a drafted plan (by its output digest) to the council's vote."""
    fed = _federation(database)
    ballot = _run(lambda: fed.open_adoption(council, plan_digest, actor=actor))
    _emit({"ballot": ballot}, as_json, lambda: out.print(ballot))


@ballot_app.command("targets")
def ballot_targets(database: DbArg, ballot: str,
                   targets: Annotated[Path, typer.Option(help="product,target quantities")],
                   output: Annotated[Path, typer.Option("-o", "--output")],
                   as_json: JsonOpt = False) -> None:
    """Write a closed priority ballot's tally as the targets file of `optimise --targets`."""
    from ..councils import write_priority_targets
    from ..councils.reports import read_targets_quantities

    fed = _federation(database)
    if ballot not in fed.state.results:
        _fail(InvalidInput(f"ballot {ballot!r} has no closed result"))
    quantities = _run(lambda: read_targets_quantities(targets))
    _run(lambda: write_priority_targets(fed.state.results[ballot], quantities, output))
    _emit({"ballot": ballot, "output": str(output)}, as_json,
          lambda: out.print(f"wrote {output}"))


@ballot_app.command("vote")
def ballot_vote(database: DbArg, ballot: str, voter: str, choice: str,
                as_json: JsonOpt = False) -> None:
    """Cast a secret vote; prints the receipt to check it was counted."""
    fed = _federation(database)
    receipt = _run(lambda: fed.vote(ballot, voter, _parse_choice(choice)))
    _emit({"ballot": ballot, "receipt": receipt}, as_json, lambda: out.print(receipt))


def _parse_choice(text: str) -> Any:
    """"ana" for one option, "bread=7,steel=3" for points."""
    if "=" not in text:
        return text
    points = {}
    for part in text.split(","):
        option, _, value = part.partition("=")
        if not value.strip().isdigit():
            raise InvalidInput(f"points for {option.strip()!r} must be a whole number")
        points[option.strip()] = int(value)
    return points


@ballot_app.command("close")
def ballot_close(database: DbArg, ballot: str, actor: ActorOpt, as_json: JsonOpt = False
                 ) -> None:
    """Close a ballot, publish every ballot by receipt, and carry out the result."""
    fed = _federation(database)
    tally = _run(lambda: fed.close(ballot, actor=actor))
    _emit({"ballot": ballot, "tally": tally}, as_json, lambda: out.print(tally))


@ballot_app.command("check")
def ballot_check(database: DbArg, ballot: str, receipt: str, as_json: JsonOpt = False) -> None:
    """Show the choice counted under a receipt (exit 1 if there is none)."""
    fed = _federation(database)
    choice = fed.check_receipt(ballot, receipt)
    _emit({"ballot": ballot, "receipt": receipt, "choice": choice}, as_json,
          lambda: out.print(choice if choice is not None else "no ballot under this receipt"))
    if choice is None:
        raise typer.Exit(1)


@recall_app.command("sign")
def recall_sign(database: DbArg, council: str, member: str, as_json: JsonOpt = False) -> None:
    """Sign the petition to recall a council's delegate; opens the recall ballot at threshold."""
    fed = _federation(database)
    ballot = _run(lambda: fed.sign_recall(council, member))
    _emit({"council": council, "recall_ballot": ballot}, as_json, lambda: out.print(
        f"recall ballot {ballot} is open" if ballot else "signed"))


@pay_app.command("set")
def pay_set(database: DbArg, council: str, amount: float, actor: ActorOpt,
            authority: Annotated[str, typer.Option(help="The closed ballot that decided it.")],
            as_json: JsonOpt = False) -> None:
    """Set the delegate's pay (public; refused above the cap)."""
    fed = _federation(database)
    _run(lambda: fed.set_pay(council, Fraction(str(amount)), actor=actor, authority=authority))
    _emit({"council": council, "pay": amount}, as_json,
          lambda: out.print(f"pay of {council}'s delegate set to {amount:g}"))


report_app = typer.Typer(help="Fulfilment reports, checked in public.", no_args_is_help=True)


app.add_typer(report_app, name="report", rich_help_panel="Councils and the record")


@report_app.command("check")
def report_check(
    economy_dir: Annotated[Path, typer.Argument(help="Economy directory (techniques, plants).")],
    reports: Annotated[Path, typer.Option(help="plant,technique,output,product,used")],
    deliveries: Annotated[Path, typer.Option(help="supplier,receiver,product,quantity,"
                                                  "entered_by")],
    requests: Annotated[Path, typer.Option(help="council,product,quantity")],
    council: Annotated[list[str] | None, typer.Option(
        "--council", help="A known council that requested nothing (repeatable).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Flag mismatched deliveries, output without inputs and unknown parties; measure
    fulfilment against the consumer councils' requests. Exit 1 when anything is flagged."""
    from ..councils.reports import check_reports, read_report_files

    e = _run(lambda: read_economy(economy_dir))
    plant_reports, entries, wanted = _run(lambda: read_report_files(reports, deliveries,
                                                                    requests))
    councils = {c for c, _ in wanted} | set(council or [])
    result = _run(lambda: check_reports(e, plant_reports, entries, sorted(councils), wanted))
    flags = [{"kind": f.kind, "subject": f.subject, "detail": f.detail} for f in result.flags]
    s = {"flags": flags,
         "fulfilment": [{"council": c, "product": p, "fulfilment": v}
                        for (c, p), v in sorted(result.fulfilment.items())]}
    _emit(s, as_json, lambda: _render_flags(flags))
    if result.flags:
        raise typer.Exit(1)


def _render_flags(flags: list[dict[str, str]]) -> None:
    for f in flags:
        out.print(f"[red]{f['kind']}[/] {f['subject']}: {f['detail']}", highlight=False)
    if not flags:
        out.print("no flags")
