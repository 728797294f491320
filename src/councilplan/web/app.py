"""The whole application: the JSON API, the pages and their static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..api.app import Settings, create_api
from ..api.service import FederationService
from .pages import HERE, router


def create_app(service: FederationService, settings: Settings | None = None) -> FastAPI:
    app = create_api(service, settings)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
