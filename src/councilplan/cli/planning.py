"""Planning verbs: balance, replay, optimise, fiveyear, rounds, generate-councils, sample."""


from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from ..economy import Economy, read_economy, write_economy
from ..economy.generator import generate_economy
from ..planning.balance import BalancedPlan, balanced_plan
from ..planning.leontief import METHODS
from ..planning.output import plan_summary, write_balanced_plan
from ._app import JsonOpt, _emit, _progress, _run, app, out


def _solve(e: Economy, method: str, rtol: float, quiet: bool) -> BalancedPlan:
    with _progress("solving", quiet) as update:
        return _run(lambda: balanced_plan(e, method=method, rtol=rtol,  # type: ignore[arg-type]
                                          callback=lambda k, r: update(k, None)))


@app.command(rich_help_panel="Planning")
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
        from ..record import RecordLog
        from ..store import SqlRecordStore, engine_for

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


@app.command(rich_help_panel="Planning")
def sample(
    products: Annotated[int, typer.Option(help="Size of the generated economy.")] = 20_000,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Keep files here.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Generate a sample economy, balance it, and print the report."""
    workdir = output or Path(tempfile.mkdtemp(prefix="councilplan-sample-"))
    with _progress("generating", as_json) as update:
        e = _run(lambda: generate_economy(products, max(1, products // 400), seed=2026,
                                          progress=update))
    write_economy(e, workdir / "economy")
    plan = _solve(e, "auto", 1e-12, as_json)
    write_balanced_plan(plan, e, workdir / "plan")
    s = plan_summary(plan, e) | {"output": str(workdir)}
    _emit(s, as_json, lambda: _render_plan(s, f"sample: balanced plan in {workdir / 'plan'}"))


class ObjectiveChoice(StrEnum):
    kantorovich = "kantorovich"
    min_labour = "min-labour"
    weighted_output = "weighted-output"


class SolverChoice(StrEnum):
    auto = "auto"
    simplex = "simplex"
    ipm = "ipm"
    pdlp = "pdlp"
    policies = "policies"


class PDLPChoice(StrEnum):
    pdlp = "pdlp"
    hipdlp = "hipdlp"


class FiveYearSolverChoice(StrEnum):
    auto = "auto"
    choice = "choice"
    simplex = "simplex"
    ipm = "ipm"
    pdlp = "pdlp"


@app.command(rich_help_panel="Planning")
def optimise(
    economy_dir: Annotated[Path, typer.Argument(help="Economy directory.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Plan directory to write.")],
    objective: Annotated[ObjectiveChoice, typer.Option(
        help="kantorovich: raise the least-fulfilled target, then harmony; min-labour: meet "
             "the targets at least labour; weighted-output: most output valued by the "
             "weights.")] = ObjectiveChoice.kantorovich,
    targets: Annotated[Path | None, typer.Option(
        help="CSV or Parquet with product,target[,weight]; default: the final demand.")] = None,
    solver: Annotated[SolverChoice, typer.Option(
        help="auto picks by the plan and its size; policies: column generation over technique "
             "policies (plans without capacities).")] =
        SolverChoice.auto,
    harmony_stage: Annotated[bool, typer.Option("--harmony/--no-harmony",
                                                help="Second stage: weighted harmony.")] = True,
    crossover: Annotated[bool, typer.Option(
        help="Finish PDLP at an exact, certified vertex (Kantorovich, min-labour); without "
             "it, a Kantorovich plan is repaired to a feasible one with a certified gap.")
    ] = True,
    time_limit: Annotated[float | None, typer.Option(
        help="Seconds before giving up; PDLP's Kantorovich plan, cut off, is repaired to a "
             "feasible one with a certified gap.")] = None,
    harmony_time_limit: Annotated[float | None, typer.Option(
        help="Seconds for the harmony stage alone (within --time-limit); if it runs out, the "
             "first stage's plan stands, its harmony not maximised.")] = None,
    tolerance: Annotated[float | None, typer.Option(
        help="PDLP's target accuracy (relative residuals and gap), e.g. 1e-4 for the largest "
             "plans; default: 1e-7, or a looser start before a crossover.")] = None,
    pdlp: Annotated[PDLPChoice, typer.Option(
        help="Which of HiGHS's PDLPs runs: pdlp (cuPDLP-C) or hipdlp (HiPDLP, often a "
             "tighter answer for the time; cut off by --time-limit it leaves nothing to "
             "repair).")] = PDLPChoice.pdlp,
    as_json: JsonOpt = False,
) -> None:
    """Choose techniques and share out scarce capacity and resources by voted priorities."""
    from ..planning.optimal import optimal_plan, read_targets
    from ..planning.output import optimal_summary, write_optimal_plan

    e = _run(lambda: read_economy(economy_dir))
    t = _run(lambda: read_targets(targets, e)) if targets is not None else None
    with _progress(f"solving ({solver.value})", as_json):
        plan = _run(lambda: optimal_plan(e, t, objective=objective.value,
                                         harmony_stage=harmony_stage,
                                         solver=solver.value, crossover=crossover,
                                         time_limit=time_limit, tolerance=tolerance,
                                         pdlp_solver=pdlp.value,
                                         harmony_time_limit=harmony_time_limit))
    _run(lambda: write_optimal_plan(plan, e, output))
    s = optimal_summary(plan, e) | {"output": str(output)}
    _emit(s, as_json, lambda: _render_optimal(s))


def _render_optimal(s: dict[str, Any]) -> None:
    out.print(f"[bold]optimal plan ({s['objective']})[/] → {s['output']}")
    out.print(f"  least fulfilment {s['min_fulfilment']:.6g}, total labour "
              f"{s['total_labour']:,.6g}" + (f", harmony {s['harmony']:.6g}"
                                             if s["harmony"] is not None else ""))
    sol = s["solver"]
    if not s["harmony_maximised"]:
        out.print(f"  [yellow]{escape(sol['message'])}[/]")
    out.print(f"  {sol['method']}: {sol['iterations']} iterations, {sol['seconds']:.2f} s, "
              f"duality gap {sol['duality_gap']:.2g}, infeasibility {sol['infeasibility']:.2g} "
              f"(dual {sol['dual_infeasibility']:.2g})")
    table = Table(title=f"binding limits ({s['binding_count']} in all)")
    for col in ("kind", "id", "limit", "used", "shadow price"):
        table.add_column(col)
    for b in s["binding"][:10]:
        table.add_row(b["kind"], b["id"], f"{b['limit']:,.6g}", f"{b['used']:,.6g}",
                      f"{b['shadow_price']:.4g}")
    out.print(table)


@app.command(rich_help_panel="Planning")
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
    solver: Annotated[FiveYearSolverChoice, typer.Option(
        help="choice: exact by technique choice; auto tries it, then an LP solver by size.")] =
        FiveYearSolverChoice.auto,
    as_json: JsonOpt = False,
) -> None:
    """Plan several years at once, with investment that builds later years' capacity.

    The capital structure (which products are capital goods, what each technique needs of them,
    initial stocks, depreciation) is generated from --capital-goods and --seed.
    """
    from ..planning.fiveyear import five_year_plan, generate_capital, read_capital
    from ..planning.output import fiveyear_summary, write_fiveyear_plan

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
    sol = s["solver"]
    out.print(f"  {sol['method']}: {sol['seconds']:.2f} s, duality gap {sol['duality_gap']:.2g}, "
              f"infeasibility {sol['infeasibility']:.2g} (dual {sol['dual_infeasibility']:.2g})")
    table = Table()
    for col in ("year", "gross output", "investment", "consumption", "stocks", "labour",
                "bottlenecks"):
        table.add_column(col)
    for y in s["years"]:
        table.add_row(str(y["period"]), f"{y['gross_output']:,.0f}", f"{y['investment']:,.0f}",
                      f"{y['consumption']:,.0f}", f"{y['stocks']:,.0f}", f"{y['labour']:,.0f}",
                      ", ".join(y["bottlenecks"][:4]))
    out.print(table)


@app.command(rich_help_panel="Planning")
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
    from ..planning.participatory import load_experiment, run_experiment
    from ..planning.participatory.export import export_year, write_participatory_plan

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


@app.command("generate-councils", rich_help_panel="Planning")
def generate_councils_(
    output: Annotated[Path, typer.Option("-o", "--output", help="EDN file to write (.gz ok).")],
    worker_councils: Annotated[int, typer.Option("--worker-councils")] = 3000,
    consumer_councils: Annotated[int, typer.Option("--consumer-councils")] = 3000,
    goods_per_class: Annotated[int, typer.Option(help="Goods in each of the 5 classes.")] = 10,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Generate a participatory experiment file in the dep1ex format."""
    from ..planning.participatory import write_experiment
    from ..planning.participatory.generator import generate_councils

    c = _run(lambda: generate_councils(worker_councils, consumer_councils, goods_per_class,
                                       seed=seed))
    write_experiment(c, output)
    s = {"output": str(output), "worker_councils": c.n_wc, "consumer_councils": c.n_cc,
         "goods": c.n_goods, "seed": seed}
    _emit(s, as_json, lambda: out.print(f"wrote {c.n_wc:,} worker and {c.n_cc:,} consumer "
                                        f"councils ({c.n_goods} goods) to {output}"))


@app.command(rich_help_panel="Planning")
def replay(
    plan_dir: Annotated[Path, typer.Argument(help="Plan directory written by balance.")],
    economy: Annotated[Path | None, typer.Option(
        help="Economy directory, if not the one plan.json names.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute a balanced plan from its inputs and confirm it matches bit for bit."""
    from ..planning.replay import replay_balanced_plan

    with _progress("replaying", as_json):
        result = _run(lambda: replay_balanced_plan(plan_dir, economy))
    s = {"matches": result.matches, "input_hash": result.input_hash,
         "output_digest": result.output_digest, "problems": list(result.problems)}
    _emit(s, as_json, lambda: out.print(
        f"[green]plan matches bit for bit[/] (output digest {result.output_digest})"
        if result.matches else "[red]plan does not match[/]: " + "; ".join(result.problems)))
    if not result.matches:
        raise typer.Exit(1)
