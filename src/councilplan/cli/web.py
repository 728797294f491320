"""The web app: serve a federation, or build and serve the demo; operator password resets."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._app import _run, app, out

if TYPE_CHECKING:
    from ..api.service import FederationService

HostOpt = Annotated[str, typer.Option(help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on.")]
PasswordOpt = Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True)]


def _serve(service: FederationService, host: str, port: int, operators: list[str],
           secure: bool) -> None:
    import uvicorn

    from ..api.app import Settings
    from ..web import create_app

    settings = Settings(secure_cookies=secure, operators=frozenset(operators))
    application = create_app(service, settings)
    import gc

    gc.collect()
    gc.freeze()  # the libraries and the replayed state stay put: full collections stay short
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command(rich_help_panel="Web app")
def serve(
    database: Annotated[str, typer.Argument(
        help="The federation's database: SQLite file or a postgresql+psycopg:// URL.")],
    data_dir: Annotated[Path, typer.Option(
        help="Where the economy (economy/) and drafted plans (plans/) live.")] = Path("."),
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    operator: Annotated[list[str] | None, typer.Option(
        help="A member who may reset passwords (recorded); repeatable.")] = None,
    secure_cookies: Annotated[bool, typer.Option(
        help="Mark cookies Secure (serve behind HTTPS).")] = False,
) -> None:
    """Serve the web app and the HTTP API (OpenAPI at /docs) for a federation."""
    from ..api.service import FederationService

    service = _run(lambda: FederationService(database, data_dir))
    out.print(f"councilplan serving {database} at http://{host}:{port}/")
    _serve(service, host, port, operator or [], secure_cookies)


@app.command(rich_help_panel="Web app")
def demo(
    directory: Annotated[Path | None, typer.Option(
        "-d", "--directory", help="Keep the demo here (default: a new temporary folder).")]
        = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    no_serve: Annotated[bool, typer.Option(
        "--no-serve", help="Build the demo federation and stop.")] = False,
) -> None:
    """The main job: build a demo federation on SQLite (councils, members, a real
    input-output table, a drafted plan, open ballots) and serve it in the browser."""
    from ..api.demo import build_demo

    folder = directory or Path(tempfile.mkdtemp(prefix="councilplan-demo-"))
    if (folder / "federation.sqlite").exists():
        out.print(f"[red]error:[/] {folder} already holds a federation; serve it with "
                  f"`councilplan serve {folder / 'federation.sqlite'} --data-dir {folder}`")
        raise typer.Exit(2)
    with out.status("building the demo federation"):
        demo_run = _run(lambda: build_demo(folder))
    out.print(f"[bold]councilplan demo[/] in {folder}")
    out.print(f"economy: {demo_run.economy_source}")
    out.print("members and their demo passwords:")
    for member, password in demo_run.passwords.items():
        out.print(f"  {member:8} {password}")
    if no_serve:
        return
    out.print(f"open [bold]http://{host}:{port}/[/] and sign in as any member (Ctrl-C stops)")
    _serve(demo_run.service, host, port, ["ana"], False)


account_app = typer.Typer(help="Members' accounts.", no_args_is_help=True)
app.add_typer(account_app, name="account", rich_help_panel="Web app")


@account_app.command("open")
def account_open(database: str, member: str,
                 password: PasswordOpt,
                 data_dir: Annotated[Path, typer.Option()] = Path(".")) -> None:
    """Open a member's account (noted in the record; the password is not)."""
    from ..api.service import FederationService

    service = _run(lambda: FederationService(database, data_dir))
    _run(lambda: service.open_account(member, password))
    out.print(f"opened an account for {member}")


@account_app.command("reset-password")
def account_reset(database: str, member: str,
                  operator: Annotated[str, typer.Option(help="Who resets (recorded).")],
                  reason: Annotated[str, typer.Option(help="Why (recorded).")],
                  password: PasswordOpt,
                  data_dir: Annotated[Path, typer.Option()] = Path(".")) -> None:
    """An operator sets a member's password; the act and its reason go into the record."""
    from ..api.service import FederationService

    service = _run(lambda: FederationService(database, data_dir))
    _run(lambda: service.reset_password(operator, member, password, reason))
    out.print(f"reset the password of {member}; recorded")
