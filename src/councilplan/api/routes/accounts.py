"""Accounts and sessions: open an account, sign in and out, operator password resets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from ..auth import SESSION_COOKIE, Caller, caller, client_address, require_caller, service_of
from ..schemas import AccountIn, ErrorOut, PasswordReset, SessionOut, SignIn

router = APIRouter(prefix="/api", tags=["accounts"],
                   responses={400: {"model": ErrorOut}, 422: {"model": ErrorOut}})
Member = Annotated[Caller, Depends(require_caller)]


@router.post("/accounts", status_code=201, responses={409: {"model": ErrorOut}})
def open_account(body: AccountIn, request: Request) -> dict[str, str]:
    """Open a member's account. The record notes the new account, never the password."""
    service_of(request).open_account(body.member, body.password)
    return {"member": body.member}


@router.post("/session", responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}})
def sign_in(body: SignIn, request: Request, response: Response) -> SessionOut:
    """Sign in: sets the session cookie and returns the CSRF token (and a bearer token)."""
    request.app.state.sign_in_limiter.check(client_address(request), body.member)
    token, session = start_session(request, body.member, body.password)
    set_session_cookie(request, response, token)
    return SessionOut(member=session.member, csrf_token=session.csrf_token, token=token)


def start_session(request: Request, member: str, password: str) -> Any:
    service = service_of(request)
    if not service.accounts.check_password(member, password):
        raise HTTPException(401, "wrong member name or password")
    return service.accounts.start_session(member)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.app.state.settings.secure_cookies, path="/")


@router.delete("/session", status_code=204)
def sign_out(request: Request, response: Response) -> None:
    """Sign out: the session ends on the server too."""
    who = caller(request)
    if who is not None:
        service_of(request).accounts.end_session(who.token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", responses={401: {"model": ErrorOut}})
def me(who: Member, request: Request) -> dict[str, Any]:
    """The signed-in member and the councils they belong to."""
    return {"member": who.member, "councils": service_of(request).memberships(who.member),
            "csrf_token": who.session.csrf_token}


@router.post("/operator/password-reset", status_code=204,
             responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}})
def reset_password(body: PasswordReset, who: Member, request: Request) -> None:
    """An operator (named at start-up) resets a password; the act goes into the record."""
    if who.member not in request.app.state.settings.operators:
        raise HTTPException(403, f"{who.member!r} is not an operator")
    service_of(request).reset_password(who.member, body.member, body.password, body.reason)
