"""The federation of councils, as a projection of the public record.

Every change is a command that checks the rules against the current state, appends one entry
to the record (naming the actor and the ballot, mandate or constitution that authorises it)
and applies it. :func:`replay` rebuilds the state from the record alone, so anyone holding the
record can check the state the system shows. Ballot secrecy: the record says *who* voted when
they vote; the choice goes to a :class:`BallotBox` under a random receipt, and the record
publishes how all voted only at the close, sorted by receipt, so the order of entries links no
voter to a choice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

from ..errors import DomainError, InvalidInput
from ..record.chain import Entry, verify_chain
from ..record.log import RecordLog
from ..record.merkle import merkle_root
from .ballots import BallotClosed, SecretBallot, recount

COUNCIL_KINDS = ("workplace", "consumer", "district", "industry", "congress")
CONSTITUTION = "constitution"


class NotAMember(DomainError):
    """An act by someone who does not belong where they act."""


class PayAboveCap(DomainError):
    """Delegate pay above the cap the constitution sets."""


class RotationLimit(DomainError):
    """A candidate who has served the most consecutive terms the constitution allows."""


@dataclass(frozen=True)
class Constitution:
    """The federation's rules; they change only by a congress ballot
    (:meth:`Federation.open_constitution_ballot`)."""

    recall_petition_share: Fraction = Fraction(1, 5)
    max_consecutive_terms: int = 2
    pay_cap_multiple: Fraction = Fraction(1)


@dataclass
class Council:
    council_id: str
    kind: str
    parent: str | None
    skilled_pay: Fraction
    members: set[str] = field(default_factory=set)
    delegate: str | None = None
    mandate: str | None = None  # the binding mandate the delegate was elected on, if any
    delegate_pay: Fraction = Fraction(0)
    terms: dict[str, int] = field(default_factory=dict)  # consecutive terms served
    petition: set[str] = field(default_factory=set)
    seat_above: bool = False  # the delegate sits above by the mandate, not as a member there


@dataclass
class OpenBallot:
    ballot: SecretBallot
    council: str
    purpose: str  # "election", "recall", "adoption", "constitution" or "priority"
    target: str | None = None  # the delegate, plan digest or proposal the ballot is about
    mandate: str | None = None


@dataclass
class FederationState:
    constitution: Constitution = field(default_factory=Constitution)
    councils: dict[str, Council] = field(default_factory=dict)
    ballots: dict[str, OpenBallot] = field(default_factory=dict)
    results: dict[str, dict[str, int]] = field(default_factory=dict)
    published: dict[str, dict[str, Any]] = field(default_factory=dict)  # ballot -> receipts
    adopted_plans: dict[str, str] = field(default_factory=dict)  # council -> plan digest
    drafted_plans: set[str] = field(default_factory=set)  # output digests of drafted plans
    opened: dict[str, dict[str, Any]] = field(default_factory=dict)  # ballot -> how it opened
    accounts: set[str] = field(default_factory=set)  # members who have opened an account


def constitution_from(proposal: Mapping[str, Any], current: Constitution) -> Constitution:
    """The constitution with the proposed rules changed; every value is checked."""
    unknown = sorted(set(proposal) - {"recall_petition_share", "max_consecutive_terms",
                                      "pay_cap_multiple"})
    if unknown:
        raise InvalidInput(f"the constitution has no rule {unknown[0]!r}")
    share = _frac(proposal.get("recall_petition_share", current.recall_petition_share))
    terms = int(proposal.get("max_consecutive_terms", current.max_consecutive_terms))
    cap = _frac(proposal.get("pay_cap_multiple", current.pay_cap_multiple))
    if not 0 < share <= 1:
        raise InvalidInput("the recall petition share must be above 0 and at most 1")
    if terms < 1:
        raise InvalidInput("at least one consecutive term must be allowed")
    if cap <= 0:
        raise InvalidInput("the pay cap multiple must be positive")
    return Constitution(share, terms, cap)


def _frac(value: Any) -> Fraction:
    return Fraction(str(value))


def apply(state: FederationState, entry: Entry) -> None:
    """Fold one record entry into the state; the only place state changes."""
    p = entry.payload
    handler = _HANDLERS.get(entry.kind)
    if handler is None:
        raise InvalidInput(f"record entry {entry.seq} has unknown kind {entry.kind!r}")
    handler(state, p)


def _founded(s: FederationState, p: Mapping[str, Any]) -> None:
    s.councils[p["council"]] = Council(p["council"], p["kind"], p.get("parent"),
                                       _frac(p["skilled_pay"]))


def _joined(s: FederationState, p: Mapping[str, Any]) -> None:
    s.councils[p["council"]].members.add(p["member"])


def _ballot_opened(s: FederationState, p: Mapping[str, Any]) -> None:
    c = s.councils[p["council"]]
    s.opened[p["ballot"]] = dict(p)
    s.ballots[p["ballot"]] = OpenBallot(
        SecretBallot(p["ballot"], frozenset(c.members), tuple(p["options"]),
                     rule=p.get("rule", "single"), points=int(p.get("points", 0))),
        p["council"], p["purpose"], p.get("target"), p.get("mandate"))


def _voted(s: FederationState, p: Mapping[str, Any]) -> None:
    s.ballots[p["ballot"]].ballot.voted.add(p["voter"])


def _ballot_closed(s: FederationState, p: Mapping[str, Any]) -> None:
    open_ballot = s.ballots.pop(p["ballot"])
    c = s.councils[open_ballot.council]
    ballots = [(r, _as_choice(c)) for r, c in p["ballots"]]
    s.results[p["ballot"]] = recount(ballots, open_ballot.ballot.rule,
                                     len(open_ballot.ballot.electorate))
    s.published[p["ballot"]] = dict(ballots)
    winner = p["winner"]
    if open_ballot.purpose == "election" and winner is not None:
        served = c.terms.get(winner, 0) if winner == c.delegate else 0
        _unseat(s, c)
        c.delegate, c.terms, c.mandate = winner, {winner: served + 1}, open_ballot.mandate
        if c.parent is not None:
            above = s.councils[c.parent].members
            c.seat_above = winner not in above
            above.add(winner)
    elif open_ballot.purpose == "constitution" and winner == "adopt":
        s.constitution = constitution_from(json.loads(open_ballot.target or "{}"),
                                           s.constitution)
    elif open_ballot.purpose == "adoption" and winner == "adopt":
        s.adopted_plans[c.council_id] = open_ballot.target or ""
    elif open_ballot.purpose == "recall":
        c.petition.clear()
        if winner == "remove":
            _unseat(s, c)
            c.terms = {}


def _as_choice(choice: Any) -> Any:
    """A published choice as the tally reads it (JSON turns tuples into lists)."""
    if isinstance(choice, list):
        return tuple(tuple(c) if isinstance(c, list) else c for c in choice)
    return choice


def _unseat(s: FederationState, c: Council) -> None:
    """The delegate leaves office and, with it, the seat in the parent council (but not a
    membership there that they held in their own right)."""
    if c.delegate is not None and c.parent is not None and c.seat_above:
        s.councils[c.parent].members.discard(c.delegate)
    c.delegate, c.delegate_pay, c.mandate, c.seat_above = None, Fraction(0), None, False


def _signed(s: FederationState, p: Mapping[str, Any]) -> None:
    s.councils[p["council"]].petition.add(p["member"])


def _pay_set(s: FederationState, p: Mapping[str, Any]) -> None:
    s.councils[p["council"]].delegate_pay = _frac(p["pay"])


def _plan_drafted(s: FederationState, p: Mapping[str, Any]) -> None:
    s.drafted_plans.add(p["output_digest"])


def _account_opened(s: FederationState, p: Mapping[str, Any]) -> None:
    s.accounts.add(p["member"])


def _operator_acted(s: FederationState, p: Mapping[str, Any]) -> None:
    """An operator's act changes no council or ballot; it is in the record to be seen."""


_HANDLERS = {
    "account.opened": _account_opened,
    "operator.acted": _operator_acted,
    "plan.drafted": _plan_drafted,
    "council.founded": _founded,
    "member.joined": _joined,
    "ballot.opened": _ballot_opened,
    "ballot.voted": _voted,
    "ballot.closed": _ballot_closed,
    "recall.signed": _signed,
    "delegate.pay_set": _pay_set,
}


def replay(entries: Iterable[Entry]) -> FederationState:
    """The state the record describes, rebuilt from nothing."""
    state = FederationState()
    for entry in entries:
        apply(state, entry)
    return state


def check_projection(entries: Iterable[Entry]) -> tuple[int | None, str]:
    """Replay the record; the first entry that cannot apply to the state before it (an act
    on a council or ballot that does not exist, say) is returned with the reason."""
    state = FederationState()
    for entry in entries:
        problem = _apply_checked(state, entry)
        if problem:
            return entry.seq, problem
    return None, ""


def _apply_checked(state: FederationState, entry: Entry) -> str:
    """Apply one entry; the reason it cannot apply, or "" when it did."""
    try:
        apply(state, entry)
    except (KeyError, ValueError, TypeError, InvalidInput) as exc:
        return f"{entry.kind} cannot apply: {exc!r}"
    return ""


@dataclass(frozen=True)
class Audit:
    """What a full check of the record found: the chain, the rules, and the Merkle root."""

    ok: bool
    checked: int
    first_bad: int | None
    problem: str
    head: str
    merkle_root: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "first_bad": self.first_bad,
                "problem": self.problem, "head": self.head, "merkle_root": self.merkle_root}


def audit_record(entries: Iterable[Entry]) -> Audit:
    """Recompute every hash and link, replay the rules and take the Merkle root, in one pass
    over the entries (a record of millions is read once, and never held whole)."""
    state, hashes = FederationState(), []
    rule_break: tuple[int, str] | None = None

    def observed() -> Iterator[Entry]:
        nonlocal rule_break
        for entry in entries:
            hashes.append(entry.hash)
            if rule_break is None and (problem := _apply_checked(state, entry)):
                rule_break = (entry.seq, problem)
            yield entry

    chain = verify_chain(observed())
    if chain.ok and rule_break is not None:
        return Audit(False, chain.checked, rule_break[0], rule_break[1], chain.head, None)
    return Audit(chain.ok, chain.checked, chain.first_bad, chain.problem, chain.head,
                 merkle_root(hashes) if chain.ok else None)


class BallotBox(Protocol):
    """Where the choices of open ballots wait for the close, apart from who voted."""

    def put(self, ballot: str, receipt: str, choice: Any) -> None: ...

    def contents(self, ballot: str) -> list[tuple[str, Any]]: ...


class MemoryBallotBox:
    def __init__(self) -> None:
        self._box: dict[str, dict[str, Any]] = {}

    def put(self, ballot: str, receipt: str, choice: Any) -> None:
        self._box.setdefault(ballot, {})[receipt] = choice

    def contents(self, ballot: str) -> list[tuple[str, Any]]:
        return sorted(self._box.get(ballot, {}).items())


class Federation:
    """Commands on the federation: each checks the rules, records one entry and applies it."""

    def __init__(self, log: RecordLog, box: BallotBox | None = None, *,
                 state: FederationState | None = None) -> None:
        """``state``: the record's state if the caller has just replayed it (read it once)."""
        self.log = log
        self.box = box if box is not None else MemoryBallotBox()
        self.state = state if state is not None else replay(log.store.entries())

    def _record(self, kind: str, actor: str, authority: str, payload: dict[str, Any]) -> Entry:
        entry = self.log.append(kind, actor=actor, authority=authority, payload=payload)
        apply(self.state, entry)
        return entry

    def council(self, council_id: str) -> Council:
        try:
            return self.state.councils[council_id]
        except KeyError:
            raise InvalidInput(f"unknown council {council_id!r}") from None

    def draft_plan(self, output_digest: str, provenance: Mapping[str, Any], *, actor: str,
                   authority: str = CONSTITUTION) -> Entry:
        """Record a drafted plan; drafting binds no one (see :meth:`open_adoption`)."""
        return self._record("plan.drafted", actor, authority,
                            {"output_digest": output_digest, **provenance})

    def open_account(self, member: str) -> None:
        """Record that a member opened an account (the password never enters the record)."""
        if member in self.state.accounts:
            raise InvalidInput(f"an account for {member!r} exists already")
        self._record("account.opened", member, CONSTITUTION, {"member": member})

    def record_operator_action(self, operator: str, action: str, subject: str,
                               reason: str) -> None:
        """Operators act in the open: what they did, to whom and why goes into the record.
        No operator action can change a vote or an entry; it can only be recorded."""
        if not reason.strip():
            raise InvalidInput("an operator action needs a reason")
        self._record("operator.acted", operator, CONSTITUTION,
                     {"action": action, "subject": subject, "reason": reason})

    def found_council(self, council_id: str, kind: str, *, parent: str | None = None,
                      skilled_pay: Fraction | int, actor: str) -> None:
        if council_id in self.state.councils:
            raise InvalidInput(f"council {council_id!r} exists already")
        if kind not in COUNCIL_KINDS:
            raise InvalidInput(f"council kind {kind!r} is not one of {', '.join(COUNCIL_KINDS)}")
        if parent is not None:
            self.council(parent)
        self._record("council.founded", actor, CONSTITUTION,
                     {"council": council_id, "kind": kind, "parent": parent,
                      "skilled_pay": str(Fraction(skilled_pay))})

    def admit(self, member: str, council_id: str, *, actor: str) -> None:
        c = self.council(council_id)
        if member in c.members:
            raise InvalidInput(f"{member!r} is already a member of {council_id!r}")
        self._record("member.joined", actor, CONSTITUTION,
                     {"council": council_id, "member": member})

    def open_election(self, council_id: str, candidates: list[str], *, actor: str,
                      mandate: str | None = None) -> str:
        """Open the election of the council's delegate, optionally on a binding mandate."""
        c = self.council(council_id)
        self._require_member(actor, c)
        limit = self.state.constitution.max_consecutive_terms
        for cand in candidates:
            self._require_member(cand, c)
            if cand == c.delegate and c.terms.get(cand, 0) >= limit:
                raise RotationLimit(f"{cand!r} has served {limit} consecutive terms in "
                                    f"{council_id!r}")
        return self._open(c, "election", candidates, actor, None, mandate=mandate)

    def open_priority(self, council_id: str, options: list[str], *, points: int, actor: str
                      ) -> str:
        """Open a priority ballot: members spread ``points`` over the options; the tally
        becomes the targets' weights (:func:`write_priority_targets`)."""
        c = self.council(council_id)
        self._require_member(actor, c)
        if points < 1 or len(set(options)) != len(options) or not options:
            raise InvalidInput("a priority ballot needs distinct options and at least 1 point")
        return self._open(c, "priority", options, actor, None, rule="points", points=points)

    def _open(self, c: Council, purpose: str, options: list[str], actor: str,
              target: str | None, *, mandate: str | None = None, rule: str = "single",
              points: int = 0) -> str:
        head = self.log.store.last()
        ballot_id = f"ballot:{c.council_id}:{1 if head is None else head.seq + 1}"
        self._record("ballot.opened", actor, CONSTITUTION,
                     {"ballot": ballot_id, "council": c.council_id, "purpose": purpose,
                      "options": options, "target": target, "mandate": mandate,
                      "rule": rule, "points": points})
        return ballot_id

    def vote(self, ballot_id: str, voter: str, choice: Any) -> str:
        """Cast a secret vote; returns the voter's receipt. The record notes that the voter
        voted; the choice stays in the ballot box (in memory, for now) until the close."""
        open_ballot = self._ballot(ballot_id)
        receipt = open_ballot.ballot.cast(voter, choice)  # electorate, once each, valid option
        self.box.put(ballot_id, receipt, open_ballot.ballot.check_receipt(receipt))
        self._record("ballot.voted", voter, ballot_id, {"ballot": ballot_id, "voter": voter})
        return receipt

    def check_receipt(self, ballot_id: str, receipt: str) -> Any:
        """The choice counted under ``receipt``: from the box while the ballot is open, from
        the published ballots in the record once it has closed."""
        if ballot_id in self.state.published:
            return self.state.published[ballot_id].get(receipt)
        return dict(self.box.contents(ballot_id)).get(receipt)

    def close(self, ballot_id: str, *, actor: str) -> dict[str, int]:
        """Close a ballot, publish every (receipt, choice), and carry out the result: an
        election seats the winner; a recall carried by a majority of the votes cast removes the
        delegate at once and opens a by-election among the other members."""
        open_ballot = self._ballot(ballot_id)
        council = self.council(open_ballot.council)
        self._require_member(actor, council)
        published = [(r, _as_choice(c)) for r, c in self.box.contents(ballot_id)]
        tally = recount(published, open_ballot.ballot.rule, len(open_ballot.ballot.electorate))
        winner = self._winner(open_ballot, tally)
        self._record("ballot.closed", actor, ballot_id,
                     {"ballot": ballot_id, "ballots": [list(b) for b in published],
                      "winner": winner})
        if open_ballot.purpose == "recall" and winner == "remove":
            others = sorted(council.members - {open_ballot.target or ""})
            self._open(council, "election", others, actor, None)
        return tally

    def open_constitution_ballot(self, council_id: str, proposal: Mapping[str, Any], *,
                                 actor: str) -> str:
        """Put a change of the constitution to a congress: the rules change only by ballot."""
        c = self.council(council_id)
        self._require_member(actor, c)
        if c.kind != "congress":
            raise DomainError("only a congress can vote on the constitution")
        constitution_from(proposal, self.state.constitution)  # refuse bad rules before voting
        text = json.dumps({k: str(v) for k, v in proposal.items()}, sort_keys=True)
        return self._open(c, "constitution", ["adopt", "reject"], actor, text)

    def open_adoption(self, council_id: str, plan_digest: str, *, actor: str) -> str:
        """Put a drafted plan (by its output digest) to the council's vote: computing a plan
        never makes it binding; only this ballot does."""
        c = self.council(council_id)
        self._require_member(actor, c)
        if plan_digest not in self.state.drafted_plans:
            raise DomainError(f"no drafted plan with digest {plan_digest[:12]}… is in the record")
        return self._open(c, "adoption", ["adopt", "reject"], actor, plan_digest)

    def _winner(self, open_ballot: OpenBallot, tally: dict[str, int]) -> str | None:
        if open_ballot.purpose in ("recall", "adoption", "constitution"):
            yes = "remove" if open_ballot.purpose == "recall" else "adopt"
            no = "keep" if open_ballot.purpose == "recall" else "reject"
            return yes if tally.get(yes, 0) * 2 > sum(tally.values()) else no
        if not tally or open_ballot.purpose == "priority":
            return None
        best = max(tally.values())
        tied = sorted(o for o, v in tally.items() if v == best)
        return tied[0] if len(tied) == 1 else None

    def sign_recall(self, council_id: str, member: str) -> str | None:
        """Sign the petition to recall the council's delegate; returns the recall ballot's id
        once the signatures reach the constitution's share of the electors."""
        c = self.council(council_id)
        self._require_member(member, c)
        if c.delegate is None:
            raise DomainError(f"{council_id!r} has no delegate to recall")
        if member in c.petition:
            raise DomainError(f"{member!r} has already signed")
        self._record("recall.signed", member, CONSTITUTION,
                     {"council": council_id, "member": member, "delegate": c.delegate})
        share = self.state.constitution.recall_petition_share
        if Fraction(len(c.petition), len(c.members)) >= share:
            return self._open(c, "recall", ["keep", "remove"], member, c.delegate)
        return None

    def set_pay(self, council_id: str, pay: Fraction | int, *, actor: str,
                authority: str) -> None:
        """Set the delegate's pay, public and capped at a multiple of skilled pay."""
        c = self.council(council_id)
        self._require_member(actor, c)
        if c.delegate is None:
            raise DomainError(f"{council_id!r} has no delegate")
        if authority not in self.state.results:
            raise DomainError(f"pay for {council_id!r} needs a closed ballot as authority, "
                              f"not {authority!r}")
        cap = c.skilled_pay * self.state.constitution.pay_cap_multiple
        if Fraction(pay) > cap:
            raise PayAboveCap(f"pay {Fraction(pay)} for the delegate of {council_id!r} is above "
                              f"the cap {cap}")
        self._record("delegate.pay_set", actor, authority,
                     {"council": council_id, "delegate": c.delegate, "pay": str(Fraction(pay))})

    def _ballot(self, ballot_id: str) -> OpenBallot:
        try:
            return self.state.ballots[ballot_id]
        except KeyError:
            raise BallotClosed(f"ballot {ballot_id!r} is not open") from None

    @staticmethod
    def _require_member(who: str, c: Council) -> None:
        if who not in c.members:
            raise NotAMember(f"{who!r} is not a member of {c.council_id!r}")
