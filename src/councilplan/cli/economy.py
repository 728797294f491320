"""Economy verbs: import, export, generate, inspect, limits."""


from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..economy import Economy, read_economy, write_economy
from ..economy.csvformat import read_economy_csv, write_economy_csv
from ..economy.generator import generate_economy
from ..economy.io import load_pymrio, load_supply_use, load_symmetric
from ..errors import InvalidInput
from ._app import JsonOpt, _emit, _progress, _run, app, out


class ImportKind(StrEnum):
    symmetric = "symmetric"
    supply_use = "supply-use"
    pymrio = "pymrio"
    csv = "csv"


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


@app.command("import", rich_help_panel="Economy")
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


@app.command(rich_help_panel="Economy")
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


@app.command(rich_help_panel="Economy")
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
    from ..economy.generator import with_alternative_techniques

    with _progress("generating", as_json) as update:
        e = _run(lambda: generate_economy(products, plants, seed=seed, mean_inputs=mean_inputs,
                                          progress=update))
        e = _run(lambda: with_alternative_techniques(e, techniques_per_product, seed=seed))
    with _progress("writing", as_json):
        _run(lambda: write_economy(e, output))
    s = _economy_summary(e) | {"output": str(output), "seed": seed}
    _emit(s, as_json, lambda: _render_economy(s, f"generated → {output}"))


@app.command(rich_help_panel="Economy")
def inspect(
    economy_dir: Annotated[Path, typer.Argument(help="Economy directory.")],
    as_json: JsonOpt = False,
) -> None:
    """Show what an economy directory holds, after checking its content hashes."""
    e = _run(lambda: read_economy(economy_dir))
    s = _economy_summary(e)
    _emit(s, as_json, lambda: _render_economy(s, str(economy_dir)))


@app.command(rich_help_panel="Economy")
def limits(
    economy_dir: Annotated[Path, typer.Argument(help="Economy directory.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Economy directory to write.")],
    labour: Annotated[float | None, typer.Option(
        help="Limit each kind of labour to this many times what the balanced plan uses "
             "(1: today's hours).")] = None,
    capacity: Annotated[float | None, typer.Option(
        help="Give each technique without a capacity this many times its activity in the "
             "balanced plan (1.02: 2 % spare).")] = None,
    resource: Annotated[list[str] | None, typer.Option(
        help="ID=LIMIT: a resource's limit ('inf' lifts it); repeat for more.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Set labour, capacity and resource limits (an imported table has none), so that an
    optimal plan meets real limits."""
    from ..planning.limits import with_limits
    from ..planning.output import limits_summary

    e = _run(lambda: read_economy(economy_dir))
    named = _run(lambda: dict(_resource_limit(text) for text in resource or []))
    with _progress("balanced plan", as_json):
        limited = _run(lambda: with_limits(e, labour=labour, capacity=capacity,
                                           resources=named))
    _run(lambda: write_economy(limited, output))
    s = _economy_summary(limited) | limits_summary(limited) | {"output": str(output)}
    _emit(s, as_json, lambda: _render_limits(s))


def _resource_limit(text: str) -> tuple[str, float]:
    rid, sep, value = text.partition("=")
    try:
        if not sep or not rid:
            raise ValueError
        return rid, float(value)
    except ValueError:
        raise InvalidInput(f"--resource {text!r}: expected ID=LIMIT, a number or 'inf'"
                           ) from None


def _render_limits(s: dict[str, Any]) -> None:
    _render_economy(s, f"limits set → {s['output']}")
    for rid, value in s["limits"].items():
        out.print(f"  {rid}: {'no limit' if value is None else f'{value:,.6g}'}",
                  highlight=False)
    out.print(f"  {s['capacities']:,} of {s['techniques']:,} techniques have a capacity")
