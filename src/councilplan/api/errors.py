"""One JSON shape for every error: ``{"error": {status, type, message, where}}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import CouncilplanError, InvalidInput


def error_response(status: int, kind: str, message: str,
                   where: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "type": kind, "message": message,
                                   "where": where or []}}, status_code=status, headers=headers)


def status_of(exc: CouncilplanError) -> int:
    """The HTTP status of a domain error; never 500 for a refusal the rules make."""
    status = exc.http_status
    return status if 400 <= status < 500 else 409


def _where(exc: CouncilplanError) -> list[dict[str, Any]]:
    if isinstance(exc, InvalidInput):
        loc = exc.location
        found = {k: v for k, v in (("file", loc.file), ("line", loc.line),
                                   ("field", loc.field), ("item", loc.item)) if v is not None}
        return [found] if found else []
    return []


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CouncilplanError)
    async def _domain(request: Request, exc: CouncilplanError) -> JSONResponse:
        return error_response(status_of(exc), type(exc).__name__, str(exc), _where(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        where = [{"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg")}
                 for e in errors]
        first = where[0] if where else {"field": "", "problem": "invalid request"}
        return error_response(422, "InvalidRequest",
                              f"{first['field']}: {first['problem']}", where)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return error_response(exc.status_code, "HTTPError", str(exc.detail),
                              headers=getattr(exc, "headers", None))
