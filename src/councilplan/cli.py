"""The ``councilplan`` command: thin wrappers that parse, call the library, and render."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .economy import Economy, read_economy, write_economy
from .economy.csvformat import read_economy_csv, write_economy_csv
from .economy.generator import generate_economy
from .economy.io import load_pymrio, load_supply_use, load_symmetric
from .errors import CouncilplanError, InvalidInput, Location
from .planning.balance import BalancedPlan, balanced_plan
from .planning.leontief import METHODS
from .planning.output import plan_summary, write_balanced_plan

app = typer.Typer(help="Plan an economy democratically: import, generate, balance, inspect.",
                  no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False)
err = Console(stderr=True, soft_wrap=True)  # never break a path or id in an error
out = Console()
T = TypeVar("T")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")]


class ImportKind(StrEnum):
    symmetric = "symmetric"
    supply_use = "supply-use"
    pymrio = "pymrio"
    csv = "csv"


def _run(action: Callable[[], T]) -> T:
    """Run ``action``; our errors become a red message and their exit code (2 for bad input)."""
    try:
        return action()
    except CouncilplanError as exc:
        _fail(exc)


def _fail(exc: CouncilplanError) -> NoReturn:
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
    raise typer.Exit(exc.exit_code)


@contextmanager
def _progress(description: str, quiet: bool) -> Iterator[Callable[[int, int | None], None]]:
    """A Rich progress bar on stderr; yields ``update(done, total)``."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.fields[detail]}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=quiet) as bar:
        task = bar.add_task(description, total=None, detail="")

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total, detail=f"{done}/{total or '?'}")

        yield update


def _emit(summary: dict[str, Any], as_json: bool, render: Callable[[], None]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
    else:
        render()


def _economy_summary(e: Economy) -> dict[str, Any]:
    notes = json.loads(e.metadata.get("notes", "[]"))
    return {"products": e.n_products, "techniques": e.n_techniques, "plants": e.n_plants,
            "resources": e.resources.to_list(), "categories": e.categories.to_list(),
            "inputs": int(e.input_coefficients.nnz), "digest": e.digest,
            "metadata": {k: v for k, v in e.metadata.items() if k != "notes"}, "notes": notes}


def _render_economy(s: dict[str, Any], title: str) -> None:
    out.print(f"[bold]{title}[/]: {s['products']:,} products, {s['techniques']:,} techniques, "
              f"{s['plants']:,} plants, {s['inputs']:,} input coefficients")
    out.print(f"final-demand categories: {', '.join(s['categories'])}")
    out.print(f"content hash: {s['digest']}")
    for note in s["notes"]:
        out.print(f"  • {note}", highlight=False)


@app.command("import")
def import_(
    kind: Annotated[ImportKind, typer.Argument(help="Table layout of PATH.")],
    path: Annotated[str, typer.Argument(help="CSV file, directory, or 'test' for pymrio.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Economy directory to write.")],
    as_json: JsonOpt = False,
) -> None:
    """Import an input-output table as an economy directory (Parquet + manifest)."""
    loaders: dict[ImportKind, Callable[[Any], Economy]] = {
        ImportKind.symmetric: load_symmetric, ImportKind.supply_use: load_supply_use,
        ImportKind.pymrio: load_pymrio, ImportKind.csv: read_economy_csv}

    def act() -> Economy:
        e = loaders[kind](path)
        write_economy(e, output)
        return e

    e = _run(act)
    s = _economy_summary(e) | {"output": str(output)}
    _emit(s, as_json, lambda: _render_economy(s, f"imported {path} → {output}"))


@app.command()
def export(
    economy_dir: Annotated[Path, typer.Argument(help="Economy directory.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory for the CSV files.")],
    as_json: JsonOpt = False,
) -> None:
    """Export an economy as plain CSV files keyed by ids."""
    e = _run(lambda: read_economy(economy_dir))
    _run(lambda: write_economy_csv(e, output))
    s = _economy_summary(e) | {"output": str(output)}
    _emit(s, as_json, lambda: out.print(f"wrote CSV files for {e.n_products:,} products to "
                                        f"{output}"))


@app.command()
def generate(
    products: Annotated[int, typer.Option("--products", help="Number of products.")],
    plants: Annotated[int, typer.Option("--plants", help="Number of plants.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Economy directory to write.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    mean_inputs: Annotated[float, typer.Option(help="Mean number of inputs per product.")] = 10.0,
    techniques_per_product: Annotated[int, typer.Option(
        help="Techniques per product (alternatives trade inputs against labour).")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Generate a synthetic productive economy, reproducible from its seed."""
    from .economy.generator import with_alternative_techniques

    with _progress("generating", as_json) as update:
        e = _run(lambda: generate_economy(products, plants, seed=seed, mean_inputs=mean_inputs,
                                          progress=update))
        e = _run(lambda: with_alternative_techniques(e, techniques_per_product, seed=seed))
    with _progress("writing", as_json):
        _run(lambda: write_economy(e, output))
    s = _economy_summary(e) | {"output": str(output), "seed": seed}
    _emit(s, as_json, lambda: _render_economy(s, f"generated → {output}"))


@app.command()
def inspect(
    economy_dir: Annotated[Path, typer.Argument(help="Economy directory.")],
    as_json: JsonOpt = False,
) -> None:
    """Show what an economy directory holds, after checking its content hashes."""
    e = _run(lambda: read_economy(economy_dir))
    s = _economy_summary(e)
    _emit(s, as_json, lambda: _render_economy(s, str(economy_dir)))


def _solve(e: Economy, method: str, rtol: float, quiet: bool) -> BalancedPlan:
    with _progress("solving", quiet) as update:
        return _run(lambda: balanced_plan(e, method=method, rtol=rtol,  # type: ignore[arg-type]
                                          callback=lambda k, r: update(k, None)))


@app.command()
def balance(
    economy_dir: Annotated[Path, typer.Argument(help="Economy directory.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Plan directory to write.")],
    method: Annotated[str, typer.Option(help=f"Solver: {', '.join(METHODS)}.")] = "auto",
    rtol: Annotated[float, typer.Option(help="Relative residual to reach.")] = 1e-12,
    record: Annotated[str | None, typer.Option(
        help="Append a plan.drafted entry to this record (SQLite file or database URL).")] =
        None,
    actor: Annotated[str, typer.Option(help="Who drafts, for the record.")] = "planning board",
    authority: Annotated[str, typer.Option(help="Mandate for the record.")] = "constitution",
    as_json: JsonOpt = False,
) -> None:
    """Compute a balanced plan: gross output, labour values, balances and bottlenecks."""
    with _progress("reading", as_json):
        e = _run(lambda: read_economy(economy_dir))
    plan = _solve(e, method, rtol, as_json)
    with _progress("writing", as_json):
        _run(lambda: write_balanced_plan(plan, e, output,
                                         economy_source=str(economy_dir.resolve())))
    s = plan_summary(plan, e) | {"output": str(output)}
    if record is not None:
        from .record import RecordLog
        from .store import SqlRecordStore, engine_for

        entry = _run(lambda: RecordLog(SqlRecordStore(engine_for(record))).append(
            "plan.drafted", actor=actor, authority=authority,
            payload={"plan": str(output), "output_digest": plan.output_digest,
                     **plan.provenance.as_dict()}))
        s["record_entry"] = entry.seq
    _emit(s, as_json, lambda: _render_plan(s, f"balanced plan → {output}"))


def _render_plan(s: dict[str, Any], title: str) -> None:
    out.print(f"[bold]{title}[/]")
    out.print(f"{s['products']:,} products, {s['plants']:,} plants; total gross output "
              f"{s['total_gross_output']:,.6g}, final use {s['total_final_use']:,.6g}, "
              f"labour {s['total_labour']:,.6g}")
    for name, sol in s["solver"].items():
        out.print(f"  {name}: {sol['method']}, {sol['iterations']} iterations, residual "
                  f"{sol['residual']:.3g}")
    out.print(f"  largest material-balance error: {s['max_balance_error']:.3g}")
    table = Table(title=f"worst bottlenecks ({s['bottlenecks']} in all)")
    for col in ("kind", "id", "required", "limit", "excess"):
        table.add_column(col, justify="right" if col in ("required", "limit", "excess") else "left")
    for b in s["worst_bottlenecks"]:
        table.add_row(b["kind"], b["id"], f"{b['required']:,.6g}", f"{b['limit']:,.6g}",
                      f"{b['excess']:,.6g}")
    out.print(table)
    out.print(f"input hash: {s['provenance']['input_hash']}")


@app.command()
def demo(
    products: Annotated[int, typer.Option(help="Size of the generated economy.")] = 20_000,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Keep files here.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Generate a sample economy, balance it, and print the report."""
    workdir = output or Path(tempfile.mkdtemp(prefix="councilplan-demo-"))
    with _progress("generating", as_json) as update:
        e = _run(lambda: generate_economy(products, max(1, products // 400), seed=2026,
                                          progress=update))
    write_economy(e, workdir / "economy")
    plan = _solve(e, "auto", 1e-12, as_json)
    write_balanced_plan(plan, e, workdir / "plan")
    s = plan_summary(plan, e) | {"output": str(workdir)}
    _emit(s, as_json, lambda: _render_plan(s, f"demo: balanced plan in {workdir / 'plan'}"))


class ObjectiveChoice(StrEnum):
    kantorovich = "kantorovich"
    min_labour = "min-labour"
    weighted_output = "weighted-output"


class SolverChoice(StrEnum):
    auto = "auto"
    simplex = "simplex"
    ipm = "ipm"
    pdlp = "pdlp"


@app.command()
def optimise(
    economy_dir: Annotated[Path, typer.Argument(help="Economy directory.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Plan directory to write.")],
    objective: Annotated[ObjectiveChoice, typer.Option(
        help="kantorovich: raise the least-fulfilled target, then harmony; min-labour: meet "
             "the targets at least labour; weighted-output: most output valued by the "
             "weights.")] = ObjectiveChoice.kantorovich,
    targets: Annotated[Path | None, typer.Option(
        help="CSV or Parquet with product,target[,weight]; default: the final demand.")] = None,
    solver: Annotated[SolverChoice, typer.Option(help="LP solver; auto picks by size.")] =
        SolverChoice.auto,
    harmony_stage: Annotated[bool, typer.Option("--harmony/--no-harmony",
                                                help="Second stage: weighted harmony.")] = True,
    time_limit: Annotated[float | None, typer.Option(help="Seconds before giving up.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Choose techniques and share out scarce capacity and resources by voted priorities."""
    from .planning.optimal import optimal_plan, read_targets
    from .planning.output import optimal_summary, write_optimal_plan

    e = _run(lambda: read_economy(economy_dir))
    t = _run(lambda: read_targets(targets, e)) if targets is not None else None
    with _progress(f"solving ({solver.value})", as_json):
        plan = _run(lambda: optimal_plan(e, t, objective=objective.value,
                                         harmony_stage=harmony_stage,
                                         solver=solver.value,
                                         time_limit=time_limit))
    _run(lambda: write_optimal_plan(plan, e, output))
    s = optimal_summary(plan, e) | {"output": str(output)}
    _emit(s, as_json, lambda: _render_optimal(s))


def _render_optimal(s: dict[str, Any]) -> None:
    out.print(f"[bold]optimal plan ({s['objective']})[/] → {s['output']}")
    out.print(f"  least fulfilment {s['min_fulfilment']:.6g}, total labour "
              f"{s['total_labour']:,.6g}" + (f", harmony {s['harmony']:.6g}"
                                             if s["harmony"] is not None else ""))
    sol = s["solver"]
    out.print(f"  {sol['method']}: {sol['iterations']} iterations, {sol['seconds']:.2f} s, "
              f"duality gap {sol['duality_gap']:.2g}")
    table = Table(title=f"binding limits ({s['binding_count']} in all)")
    for col in ("kind", "id", "limit", "used", "shadow price"):
        table.add_column(col)
    for b in s["binding"][:10]:
        table.add_row(b["kind"], b["id"], f"{b['limit']:,.6g}", f"{b['used']:,.6g}",
                      f"{b['shadow_price']:.4g}")
    out.print(table)


@app.command()
def fiveyear(
    economy_dir: Annotated[Path, typer.Argument(help="Economy directory.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Plan directory to write.")],
    periods: Annotated[int, typer.Option(help="Number of years.")] = 5,
    growth: Annotated[float, typer.Option(help="Yearly growth of consumption targets.")] = 0.0,
    terminal: Annotated[float, typer.Option(help="Final stocks as a share of the initial.")] =
        1.0,
    capital_goods: Annotated[int, typer.Option(help="How many products are capital goods.")] =
        20,
    seed: Annotated[int, typer.Option(help="Seed of the generated capital structure.")] = 0,
    capital: Annotated[Path | None, typer.Option(
        help="Directory with capital_goods.csv and capital_requirements.csv; without it the "
             "capital structure is generated.")] = None,
    lag: Annotated[int, typer.Option(help="Periods before new capital can be used.")] = 1,
    solver: Annotated[SolverChoice, typer.Option(help="LP solver; auto picks by size.")] =
        SolverChoice.auto,
    as_json: JsonOpt = False,
) -> None:
    """Plan several years at once, with investment that builds later years' capacity.

    The capital structure (which products are capital goods, what each technique needs of them,
    initial stocks, depreciation) is generated from --capital-goods and --seed.
    """
    from .planning.fiveyear import five_year_plan, generate_capital, read_capital
    from .planning.output import fiveyear_summary, write_fiveyear_plan

    e = _run(lambda: read_economy(economy_dir))
    cap = _run(lambda: read_capital(capital, e, lag=lag) if capital is not None
               else generate_capital(e, capital_goods, seed=seed))
    with _progress(f"solving {periods} years", as_json):
        plan = _run(lambda: five_year_plan(e, cap, periods=periods, growth=growth,
                                           terminal=terminal,
                                           solver=solver.value))
    _run(lambda: write_fiveyear_plan(plan, e, output))
    s = fiveyear_summary(plan, e) | {"output": str(output)}
    _emit(s, as_json, lambda: _render_fiveyear(s))


def _render_fiveyear(s: dict[str, Any]) -> None:
    out.print(f"[bold]{s['periods']}-year plan[/] → {s['output']}: consumption targets met at "
              f"{s['fulfilment']:.4g} of their level every year")
    table = Table()
    for col in ("year", "gross output", "investment", "consumption", "stocks", "labour",
                "bottlenecks"):
        table.add_column(col)
    for y in s["years"]:
        table.add_row(str(y["period"]), f"{y['gross_output']:,.0f}", f"{y['investment']:,.0f}",
                      f"{y['consumption']:,.0f}", f"{y['stocks']:,.0f}", f"{y['labour']:,.0f}",
                      ", ".join(y["bottlenecks"][:4]))
    out.print(table)


@app.command()
def rounds(
    experiment: Annotated[Path, typer.Argument(help="dep1ex*.clj or ppex*.cljs file (or .gz).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory to write.")],
    years: Annotated[int, typer.Option(help="Planning years (augmented reset between).")] = 2,
    seed: Annotated[int, typer.Option(help="Seed of the augmented reset.")] = 0,
    threshold: Annotated[float, typer.Option(help="Stop when every imbalance is at most "
                                                  "this many percent.")] = 3.0,
    max_rounds: Annotated[int, typer.Option(help="Most rounds per year.")] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Run participatory planning rounds; write the per-round CSV and the plan."""
    from .planning.participatory import load_experiment, run_experiment
    from .planning.participatory.export import export_year, write_participatory_plan

    councils = _run(lambda: load_experiment(experiment))
    with _progress("rounds", as_json) as update:
        run = _run(lambda: run_experiment(
            councils, years=years, rng=np.random.default_rng(seed), threshold=threshold,
            max_rounds=max_rounds, callback=lambda r: update(r.iteration, None)))
    plan = export_year(run.years[-1])
    _run(lambda: write_participatory_plan(plan, run, output))
    s = {"experiment": str(experiment), "worker_councils": councils.n_wc,
         "consumer_councils": councils.n_cc, "goods": councils.n_goods,
         "years": [{"rounds": len(y.rounds), "converged": y.converged,
                    "worst_imbalance_pct": float(y.rounds[-1].tally.threshold.max())}
                   for y in run.years],
         "max_relative_difference": float(plan.balance.relative_difference.max()),
         "notes": list(councils.notes), "output": str(output)}
    _emit(s, as_json, lambda: _render_rounds(s))


def _render_rounds(s: dict[str, Any]) -> None:
    out.print(f"[bold]participatory rounds[/]: {s['worker_councils']:,} worker and "
              f"{s['consumer_councils']:,} consumer councils, {s['goods']} goods")
    for i, y in enumerate(s["years"], start=1):
        state = "converged" if y["converged"] else "stopped at the round cap"
        out.print(f"  year {i}: {y['rounds']} rounds, {state}; worst imbalance "
                  f"{y['worst_imbalance_pct']:.3g}%")
    for note in s["notes"]:
        out.print(f"  • {note}", highlight=False)
    out.print(f"plan, balance, prices and rounds.csv in {s['output']}")


@app.command("generate-councils")
def generate_councils_(
    output: Annotated[Path, typer.Option("-o", "--output", help="EDN file to write (.gz ok).")],
    worker_councils: Annotated[int, typer.Option("--worker-councils")] = 3000,
    consumer_councils: Annotated[int, typer.Option("--consumer-councils")] = 3000,
    goods_per_class: Annotated[int, typer.Option(help="Goods in each of the 5 classes.")] = 10,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Generate a participatory experiment file in the dep1ex format."""
    from .planning.participatory import write_experiment
    from .planning.participatory.generator import generate_councils

    c = _run(lambda: generate_councils(worker_councils, consumer_councils, goods_per_class,
                                       seed=seed))
    write_experiment(c, output)
    s = {"output": str(output), "worker_councils": c.n_wc, "consumer_councils": c.n_cc,
         "goods": c.n_goods, "seed": seed}
    _emit(s, as_json, lambda: out.print(f"wrote {c.n_wc:,} worker and {c.n_cc:,} consumer "
                                        f"councils ({c.n_goods} goods) to {output}"))


@app.command()
def verify(
    database: Annotated[str, typer.Argument(
        help="SQLite file, or a database URL such as postgresql+psycopg://…")],
    as_json: JsonOpt = False,
) -> None:
    """Recompute the record's hash chain and name the first entry that does not fit."""
    from .record import RecordLog
    from .store import SqlRecordStore, engine_for

    if "://" not in database and not Path(database).is_file():
        _fail(InvalidInput("no such database file", Location(file=database)))
    from .councils.federation import check_projection

    log = RecordLog(_run(lambda: SqlRecordStore(engine_for(database, read_only=True),
                                                   create=False)))
    result = _run(log.verify)
    if result.ok:
        bad, problem = check_projection(log.store.entries())
        if bad is not None:
            result = replace(result, ok=False, first_bad=bad, problem=problem)
    checkpoint = _run(log.checkpoint) if result.ok else None
    s = {"ok": result.ok, "checked": result.checked, "first_bad": result.first_bad,
         "problem": result.problem, "head": result.head,
         "merkle_root": checkpoint.root if checkpoint else None}
    _emit(s, as_json, lambda: out.print(
        f"[green]record verifies[/]: {result.checked} entries, Merkle root {s['merkle_root']}"
        if result.ok else f"[red]record broken at entry {result.first_bad}[/]: {result.problem}"))
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def replay(
    plan_dir: Annotated[Path, typer.Argument(help="Plan directory written by balance.")],
    economy: Annotated[Path | None, typer.Option(
        help="Economy directory, if not the one plan.json names.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute a balanced plan from its inputs and confirm it matches bit for bit."""
    from .planning.replay import replay_balanced_plan

    with _progress("replaying", as_json):
        result = _run(lambda: replay_balanced_plan(plan_dir, economy))
    s = {"matches": result.matches, "input_hash": result.input_hash,
         "output_digest": result.output_digest, "problems": list(result.problems)}
    _emit(s, as_json, lambda: out.print(
        f"[green]plan matches bit for bit[/] (output digest {result.output_digest})"
        if result.matches else "[red]plan does not match[/]: " + "; ".join(result.problems)))
    if not result.matches:
        raise typer.Exit(1)


council_app = typer.Typer(help="Councils: found, admit members, show.", no_args_is_help=True)
ballot_app = typer.Typer(help="Secret ballots: open an election, vote, close, check a receipt.",
                         no_args_is_help=True)
recall_app = typer.Typer(help="Recall a delegate by petition.", no_args_is_help=True)
pay_app = typer.Typer(help="Delegates' pay, public and capped.", no_args_is_help=True)
app.add_typer(council_app, name="council")
app.add_typer(ballot_app, name="ballot")
app.add_typer(recall_app, name="recall")
app.add_typer(pay_app, name="pay")
DbArg = Annotated[str, typer.Argument(help="The federation's database: SQLite file or URL.")]
ActorOpt = Annotated[str, typer.Option("--actor", help="Who acts (recorded).")]


def _federation(database: str) -> Any:
    from .councils import Federation
    from .record import RecordLog
    from .store import SqlBallotBox, SqlRecordStore, engine_for

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
    from .councils import write_priority_targets
    from .councils.reports import read_targets_quantities

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
app.add_typer(report_app, name="report")


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
    from .councils.reports import check_reports, read_report_files

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


@app.command()
def version(as_json: JsonOpt = False) -> None:
    """Print the version."""
    _emit({"version": __version__}, as_json, lambda: out.print(__version__))
