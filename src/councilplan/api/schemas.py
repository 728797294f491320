"""Request and response models at the HTTP edge."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9 ._-]+$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountIn(Strict):
    member: str = Name
    password: str = Field(min_length=8, max_length=200)


class SignIn(Strict):
    member: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    member: str
    csrf_token: str
    token: str = Field(description="Send as 'Authorization: Bearer …' instead of the cookie.")


class CouncilIn(Strict):
    council: str = Name
    kind: Literal["workplace", "consumer", "district", "industry", "congress"]
    parent: str | None = None
    skilled_pay: float = Field(gt=0, le=1e9)


class MemberIn(Strict):
    member: str = Name


class ElectionIn(Strict):
    candidates: list[str] = Field(min_length=1, max_length=1000)
    mandate: str | None = Field(default=None, max_length=2000)


class PriorityIn(Strict):
    options: list[str] = Field(min_length=1, max_length=1000)
    points: int = Field(ge=1, le=1000)


class AdoptionIn(Strict):
    plan_digest: str = Field(min_length=8, max_length=64, pattern=r"^[0-9a-f]+$")


class ConstitutionIn(Strict):
    proposal: dict[str, float] = Field(min_length=1)


class PayIn(Strict):
    pay: float = Field(ge=0, le=1e9)
    authority: str = Field(min_length=1, max_length=200,
                           description="The closed ballot that decided the pay.")


class VoteIn(Strict):
    choice: str | list[str] | dict[str, int] = Field(
        description="An option; a list of options (approval); or option → points (priority).")


class PlanIn(Strict):
    kind: Literal["balanced", "optimal", "fiveyear"] = "balanced"
    title: str = Field(default="", max_length=200)
    growth: float = Field(default=0.0, ge=-0.5, le=1.0)
    priority_ballot: str | None = Field(default=None, max_length=200)


class PasswordReset(Strict):
    member: str = Name
    password: str = Field(min_length=8, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class Receipt(BaseModel):
    ballot: str
    receipt: str


class ErrorBody(BaseModel):
    status: int
    type: str
    message: str
    where: list[dict[str, Any]] = []


class ErrorOut(BaseModel):
    error: ErrorBody
