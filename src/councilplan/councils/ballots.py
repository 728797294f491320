"""Secret, recountable ballots.

Casting a vote records *that* a member voted (so nobody votes twice) apart from *how*: the
choice is stored under a random receipt, with no link to the voter. The published ballots are
the (receipt, choice) pairs sorted by receipt, so anyone can recount them and every voter can
find their own receipt with their choice. A count can never exceed the electorate, because a
ballot only enters through a member of it.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import DomainError, InvalidInput


class BallotClosed(DomainError):
    """A vote after the ballot closed."""


class NotInElectorate(DomainError):
    """A vote by someone the ballot's council does not count as an elector."""


class AlreadyVoted(DomainError):
    """A second vote by the same member."""


@dataclass
class SecretBallot:
    """One ballot of one council: its electorate, its options and the votes cast so far.

    ``rule`` checks a choice (``approval``: a set of options; ``points``: a mapping of option
    to points adding up to at most ``points``; ``single``: one option).
    """

    ballot_id: str
    electorate: frozenset[str]
    options: tuple[str, ...]
    rule: str = "single"
    points: int = 0
    closed: bool = False
    voted: set[str] = field(default_factory=set)
    _ballots: dict[str, Any] = field(default_factory=dict, repr=False)
    receipt_source: Callable[[], str] = field(default=lambda: secrets.token_hex(16), repr=False)

    def cast(self, voter: str, choice: Any) -> str:
        """Record a vote and return the voter's receipt."""
        if self.closed:
            raise BallotClosed(f"ballot {self.ballot_id!r} is closed")
        if voter not in self.electorate:
            raise NotInElectorate(f"{voter!r} is not an elector of ballot {self.ballot_id!r}")
        if voter in self.voted:
            raise AlreadyVoted(f"{voter!r} has already voted in ballot {self.ballot_id!r}")
        normal = self._check(choice)
        receipt = self.receipt_source()
        while receipt in self._ballots:
            receipt = self.receipt_source()
        self.voted.add(voter)
        self._ballots[receipt] = normal
        return receipt

    def _check(self, choice: Any) -> Any:
        known = set(self.options)
        if self.rule == "single":
            if choice not in known:
                raise InvalidInput(f"unknown option {choice!r}")
            return choice
        if self.rule == "approval":
            chosen = sorted(set(choice))
            unknown = [c for c in chosen if c not in known]
            if unknown:
                raise InvalidInput(f"unknown option {unknown[0]!r}")
            return tuple(chosen)
        if self.rule == "points":
            if not isinstance(choice, Mapping):
                raise InvalidInput("a points ballot maps options to points")
            if any(c not in known for c in choice):
                raise InvalidInput(f"unknown option {next(c for c in choice if c not in known)!r}")
            if any(not isinstance(v, int) or v < 0 for v in choice.values()):
                raise InvalidInput("points must be whole numbers, zero or more")
            if sum(choice.values()) > self.points:
                raise InvalidInput(f"at most {self.points} points may be spread")
            return tuple(sorted((k, v) for k, v in choice.items() if v))
        raise InvalidInput(f"unknown ballot rule {self.rule!r}")

    def close(self) -> None:
        self.closed = True

    def published(self) -> list[tuple[str, Any]]:
        """Every ballot as (receipt, choice), sorted by receipt: what anyone may recount."""
        return sorted(self._ballots.items())

    def check_receipt(self, receipt: str) -> Any:
        """The choice stored under ``receipt``, or None: how a voter checks their vote."""
        return self._ballots.get(receipt)

    def turnout(self) -> tuple[int, int]:
        return len(self.voted), len(self.electorate)


def recount(published: Iterable[tuple[str, Any]], rule: str, electorate_size: int
            ) -> dict[str, int]:
    """Count published ballots; refuse a count with more ballots than electors or repeated
    receipts (stuffing)."""
    ballots = list(published)
    if len(ballots) > electorate_size:
        raise InvalidInput(f"{len(ballots)} ballots for an electorate of {electorate_size}")
    receipts = [r for r, _ in ballots]
    if len(set(receipts)) != len(receipts):
        raise InvalidInput("a receipt appears twice among the published ballots")
    totals: Counter[str] = Counter()
    for _, choice in ballots:
        if rule == "single":
            totals[choice] += 1
        elif rule == "approval":
            totals.update(choice)
        elif rule == "points":
            for option, points in choice:
                totals[option] += points
        else:
            raise InvalidInput(f"unknown ballot rule {rule!r}")
    return dict(totals)


def equal_shares(costs: Mapping[str, Fraction | int], approvals: Sequence[Sequence[str]],
                 budget: Fraction | int, *, utility: str = "cost") -> list[str]:
    """The method of equal shares (Peters and Skowron) for approval ballots.

    Every voter gets an equal share of the budget. Repeatedly, the project whose supporters can
    pay for it with the least maximal payment per unit of utility is funded: with ``"cost"``
    utilities (a supporter values a project at its cost) that is payment / cost, with
    ``"approval"`` utilities (each approved project is worth 1) the payment itself. Each
    supporter pays min(money left, payment); it stops when no project is affordable. Exact
    arithmetic with fractions; ties go to the lower project id; no completion step.
    """
    if utility not in ("cost", "approval"):
        raise InvalidInput(f"unknown utility {utility!r}; use cost or approval")
    n = len(approvals)
    if n == 0:
        return []
    money = [Fraction(budget) / n] * n
    supporters = {p: [i for i, a in enumerate(approvals) if p in a] for p in costs}
    chosen: list[str] = []
    remaining = set(costs)
    while True:
        best: tuple[Fraction, str, Fraction] | None = None
        for p in sorted(remaining):
            pay = _rho(Fraction(costs[p]), [money[i] for i in supporters[p]])
            if pay is None:
                continue
            per_utility = pay / Fraction(costs[p]) if utility == "cost" and costs[p] else pay
            if best is None or per_utility < best[0]:
                best = (per_utility, p, pay)
        if best is None:
            return chosen
        _, p, pay = best
        for i in supporters[p]:
            money[i] -= min(money[i], pay)
        chosen.append(p)
        remaining.discard(p)


def _rho(cost: Fraction, budgets: list[Fraction]) -> Fraction | None:
    """Smallest rho with sum(min(b, rho)) = cost, or None if the supporters cannot pay."""
    if not budgets or sum(budgets) < cost:
        return None
    if cost == 0:
        return Fraction(0)
    paid, left = Fraction(0), len(budgets)
    for b in sorted(budgets):
        rho = (cost - paid) / left
        if rho <= b:
            return rho
        paid += b
        left -= 1
    return None
