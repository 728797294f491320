"""The HTTP API as a FastAPI application over one :class:`FederationService`."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from .auth import SignInLimiter
from .errors import install_error_handlers
from .routes import ROUTERS
from .service import FederationService


@dataclass(frozen=True)
class Settings:
    """How the app runs: cookies marked Secure (behind HTTPS), who may act as operator, and
    how many sign-in attempts a minute are allowed."""

    secure_cookies: bool = False
    operators: frozenset[str] = field(default_factory=frozenset)
    sign_ins_per_member: int = 10
    sign_ins_per_client: int = 30


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; "
                                "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                                "frame-ancestors 'none'; form-action 'self'"),
}


def create_api(service: FederationService, settings: Settings | None = None) -> FastAPI:
    """The JSON API alone (the web app adds its pages to it)."""
    settings = settings or Settings()
    app = FastAPI(title="councilplan", version=__version__, docs_url=None, redoc_url=None,
                  description="Councils, ballots, plans and the public record of a federation "
                              "that plans its economy democratically.")
    app.state.service = service
    app.state.settings = settings
    app.state.sign_in_limiter = SignInLimiter(settings.sign_ins_per_member,
                                              settings.sign_ins_per_client)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response (plain ASGI: no per-request task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
