"""Councils, members, delegates, elections, recalls, pay and the constitution."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ..auth import Caller, require_caller, service_of
from ..schemas import (
    AdoptionIn,
    ConstitutionIn,
    CouncilIn,
    ElectionIn,
    ErrorOut,
    MemberIn,
    PayIn,
    PriorityIn,
)

router = APIRouter(prefix="/api", tags=["councils"], responses={
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
    422: {"model": ErrorOut}})
Member = Annotated[Caller, Depends(require_caller)]


@router.get("/councils")
def list_councils(request: Request) -> list[dict[str, Any]]:
    """Every council: kind, parent, number of members, delegate."""
    return service_of(request).councils()


@router.post("/councils", status_code=201)
def found_council(body: CouncilIn, who: Member, request: Request) -> dict[str, Any]:
    """Found a council (below one you belong to, or at the top); you are its first member."""
    service = service_of(request)
    service.found_council(who.member, body.council, body.kind, body.parent,
                          Fraction(str(body.skilled_pay)))
    return service.council_view(body.council)


@router.get("/councils/{council}")
def show_council(council: str, request: Request) -> dict[str, Any]:
    """Members, delegate with pay and terms, open ballots and the recall petition."""
    return service_of(request).council_view(council)


@router.post("/councils/{council}/members", status_code=201)
def admit_member(council: str, body: MemberIn, who: Member, request: Request
                 ) -> dict[str, Any]:
    """A member admits another member (who has an account) to the council."""
    service = service_of(request)
    service.admit(who.member, council, body.member)
    return service.council_view(council)


@router.post("/councils/{council}/elections", status_code=201)
def open_election(council: str, body: ElectionIn, who: Member, request: Request
                  ) -> dict[str, Any]:
    """Open the election of the council's delegate, optionally on a binding mandate."""
    service = service_of(request)
    ballot = service.act(lambda f: f.open_election(council, body.candidates, actor=who.member,
                                                   mandate=body.mandate))
    return service.ballot_view(ballot)


@router.post("/councils/{council}/priorities", status_code=201)
def open_priority(council: str, body: PriorityIn, who: Member, request: Request
                  ) -> dict[str, Any]:
    """Open a priority ballot: members spread points; the tally weighs the plan's targets."""
    service = service_of(request)
    ballot = service.act(lambda f: f.open_priority(council, body.options, points=body.points,
                                                   actor=who.member))
    return service.ballot_view(ballot)


@router.post("/councils/{council}/adoptions", status_code=201)
def open_adoption(council: str, body: AdoptionIn, who: Member, request: Request
                  ) -> dict[str, Any]:
    """Put a drafted plan to the council's vote; only this ballot makes it binding."""
    service = service_of(request)
    digest = service.plan(body.plan_digest).digest
    ballot = service.act(lambda f: f.open_adoption(council, digest, actor=who.member))
    return service.ballot_view(ballot)


@router.post("/councils/{council}/constitution", status_code=201)
def open_constitution_ballot(council: str, body: ConstitutionIn, who: Member,
                             request: Request) -> dict[str, Any]:
    """Put a change of the constitution to a congress."""
    service = service_of(request)
    ballot = service.act(lambda f: f.open_constitution_ballot(council, body.proposal,
                                                              actor=who.member))
    return service.ballot_view(ballot)


@router.post("/councils/{council}/recall")
def sign_recall(council: str, who: Member, request: Request) -> dict[str, Any]:
    """Sign the petition to recall the delegate; at the threshold a recall ballot opens."""
    service = service_of(request)
    service.council_view(council)
    ballot = service.act(lambda f: f.sign_recall(council, who.member))
    return {"signed": who.member, "recall_ballot": ballot,
            "council": service.council_view(council)}


@router.post("/councils/{council}/pay")
def set_pay(council: str, body: PayIn, who: Member, request: Request) -> dict[str, Any]:
    """Set the delegate's pay: public, capped, and only on a closed ballot's authority."""
    service = service_of(request)
    service.council_view(council)
    service.set_pay(who.member, council, Fraction(str(body.pay)), body.authority)
    return service.council_view(council)


@router.get("/constitution")
def constitution(request: Request) -> dict[str, str]:
    """The federation's rules now in force."""
    c = service_of(request).act(lambda f: f.state.constitution)
    return {"recall_petition_share": str(c.recall_petition_share),
            "max_consecutive_terms": str(c.max_consecutive_terms),
            "pay_cap_multiple": str(c.pay_cap_multiple)}
