"""Ballots: see them, vote with a receipt, check a receipt, close and publish."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from ..auth import Caller, require_caller, service_of
from ..schemas import ErrorOut, Receipt, VoteIn

router = APIRouter(prefix="/api", tags=["ballots"], responses={
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
    422: {"model": ErrorOut}})
Member = Annotated[Caller, Depends(require_caller)]


@router.get("/ballots")
def open_ballots(request: Request, offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    """Open ballots with their turnout so far (a page of them, oldest first)."""
    return service_of(request).open_ballots()[offset: offset + limit]


@router.get("/ballots/{ballot}")
def show_ballot(ballot: str, request: Request) -> dict[str, Any]:
    """One ballot: options, rule, turnout; the result once closed."""
    return service_of(request).ballot_view(ballot)


@router.post("/ballots/{ballot}/votes", status_code=201)
async def vote(ballot: str, body: VoteIn, who: Member, request: Request) -> Receipt:
    """Cast your secret vote; keep the receipt to check that it was counted."""
    service = service_of(request)
    receipt = await service.in_writer(lambda: service.vote(ballot, who.member, body.choice))
    return Receipt(ballot=ballot, receipt=receipt)


@router.get("/ballots/{ballot}/receipts/{receipt}")
def check_receipt(ballot: str, receipt: str, request: Request) -> dict[str, Any]:
    """The choice counted under a receipt: from the box while open, the record once closed."""
    choice = service_of(request).check_receipt(ballot, receipt)
    return {"ballot": ballot, "receipt": receipt, "choice": choice}


@router.post("/ballots/{ballot}/close")
def close_ballot(ballot: str, who: Member, request: Request) -> dict[str, Any]:
    """Close the ballot, publish every (receipt, choice) and carry out the result."""
    service = service_of(request)
    service.ballot_view(ballot)
    service.act(lambda f: f.close(ballot, actor=who.member))
    return service.ballot_view(ballot)
