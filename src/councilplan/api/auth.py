"""Who is acting: sessions from a cookie or a bearer token, CSRF checks, sign-in limits.

A browser holds the session in an HttpOnly, SameSite=Lax cookie and must send the session's
CSRF token with every change (the ``X-CSRF-Token`` header, or a ``csrf_token`` form field).
A script may send the session token as ``Authorization: Bearer …`` instead; no cookie is then
involved, so no CSRF token is needed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import HTTPException, Request
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from ..store import Session
from .service import FederationService

SESSION_COOKIE = "councilplan_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Caller:
    member: str
    session: Session
    token: str
    by_cookie: bool


def service_of(request: Request) -> FederationService:
    service: FederationService = request.app.state.service
    return service


def caller(request: Request, *, cached_only: bool = False) -> Caller | None:
    """The signed-in member making the request, if any (``cached_only``: without asking the
    database, None when the session is not in memory)."""
    auth = request.headers.get("authorization", "")
    by_cookie = not auth.lower().startswith("bearer ")
    token = request.cookies.get(SESSION_COOKIE, "") if by_cookie else auth[7:].strip()
    if not token:
        return None
    accounts = service_of(request).accounts
    session = accounts.cached_session(token) if cached_only else accounts.session(token)
    if session is None:
        return None
    return Caller(session.member, session, token, by_cookie)


async def require_caller(request: Request) -> Caller:
    """Dependency: a signed-in member; for changes by cookie, with the CSRF header. A session
    already known is found in memory; only an unknown token goes to the database."""
    who = caller(request, cached_only=True) or await run_in_threadpool(caller, request)
    if who is None:
        raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})
    if request.method not in SAFE_METHODS and who.by_cookie:
        check_csrf(who, request.headers.get("x-csrf-token"))
    return who


def check_csrf(who: Caller, sent: str | None) -> None:
    if not sent or not hmac.compare_digest(sent, who.session.csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token")


class SignInLimiter:
    """At most ``per_member`` sign-in attempts a minute for one member name, and
    ``per_client`` from one address, in a moving window."""

    def __init__(self, per_member: int = 10, per_client: int = 30) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.per_member = RateLimitItemPerMinute(per_member)
        self.per_client = RateLimitItemPerMinute(per_client)

    def check(self, client: str, member: str) -> None:
        ok_member = self.limiter.hit(self.per_member, "member", member)
        ok_client = self.limiter.hit(self.per_client, "client", client)
        if not (ok_member and ok_client):
            raise HTTPException(429, "too many sign-in attempts; wait a minute",
                                headers={"Retry-After": "60"})


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
