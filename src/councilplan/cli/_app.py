"""The councilplan command: one Typer app, its consoles and the helpers every verb uses."""


from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .. import __version__
from ..errors import CouncilplanError

app = typer.Typer(help="Plan an economy democratically: economies, plans, councils and the record.",
                  no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False)


err = Console(stderr=True, soft_wrap=True)  # never break a path or id in an error


out = Console()


T = TypeVar("T")


JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")]


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


@app.command(rich_help_panel="Help")
def version(as_json: JsonOpt = False) -> None:
    """Print the version."""
    _emit({"version": __version__}, as_json, lambda: out.print(__version__))
