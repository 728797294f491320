"""The application service: one federation, its economy and its plans, behind a lock.

The HTTP API and the web pages both call this class; it holds no rules of its own beyond who
may act (which follows only from memberships, as the domain decides) and where plan files go.
Every change goes through :class:`councilplan.councils.Federation`, so it is in the record.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow.parquet as pq

from ..councils import Federation, audit_record
from ..councils.federation import FederationState, NotAMember, apply
from ..economy import Economy, read_economy
from ..errors import DomainError, InvalidInput
from ..record import RecordLog
from ..record.chain import Entry
from ..store import AccountStore, SqlBallotBox, SqlRecordStore, engine_for

T = TypeVar("T")
PLAN_KINDS = ("balanced", "optimal", "fiveyear")


class NotFound(InvalidInput):
    """A council, ballot, plan or file that does not exist (HTTP 404)."""

    http_status = 404


@dataclass(frozen=True)
class DraftedPlan:
    digest: str
    kind: str
    title: str
    drafted_by: str
    seq: int
    directory: Path


class FederationService:
    """A federation on one database, with its economy and plans under ``data_dir``."""

    def __init__(self, database: str | Path, data_dir: Path | str) -> None:
        self.engine = engine_for(database)
        self.data_dir = Path(data_dir)
        self.records = SqlRecordStore(self.engine)
        self.plans: dict[str, DraftedPlan] = {}
        state = FederationState()
        for entry in self.records.entries():  # one read of the record: the state and the plans
            apply(state, entry)
            self._index_plan(entry)
        self.federation = Federation(RecordLog(self.records), SqlBallotBox(self.engine),
                                     state=state)
        self.accounts = AccountStore(self.engine)
        self.lock = threading.RLock()
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="councilplan-writer")
        self._economy: Economy | None = None

    # -- the economy and plans ---------------------------------------------------------------

    @property
    def economy_dir(self) -> Path:
        return self.data_dir / "economy"

    @property
    def economy(self) -> Economy:
        if self._economy is None:
            if not (self.economy_dir / "manifest.json").is_file():
                raise NotFound("this federation has no economy yet")
            self._economy = read_economy(self.economy_dir)
        return self._economy

    def _index_plan(self, entry: Entry) -> None:
        p = entry.payload
        if entry.kind == "plan.drafted" and "plan_kind" in p:
            self.plans[p["output_digest"]] = DraftedPlan(
                p["output_digest"], p["plan_kind"], p.get("title", ""), entry.actor, entry.seq,
                self.data_dir / "plans" / p["output_digest"][:16])

    def plan(self, digest: str) -> DraftedPlan:
        """The plan with this digest, or with a unique prefix of it."""
        if digest in self.plans:
            return self.plans[digest]
        found = [p for d, p in self.plans.items() if d.startswith(digest)] if digest else []
        if len(found) != 1:
            raise NotFound(f"no drafted plan with digest {digest!r}")
        return found[0]

    def draft_plan(self, actor: str, kind: str, *, title: str = "", growth: float = 0.0,
                   priority_ballot: str | None = None) -> DraftedPlan:
        """Compute a plan on the federation's economy, write it, and record it as drafted.
        Any member of a council may draft; drafting binds no one."""
        from .drafting import compute_plan

        with self.lock:
            self._require_some_membership(actor)
            tally = self._priority_tally(priority_ballot) if priority_ballot else None
        if kind not in PLAN_KINDS:
            raise InvalidInput(f"plan kind {kind!r} is not one of {', '.join(PLAN_KINDS)}")
        if not -0.5 <= growth <= 1.0:
            raise InvalidInput(f"growth {growth} is outside -0.5 to 1.0")
        digest, provenance, write = compute_plan(self.economy, kind, growth, tally)
        directory = self.data_dir / "plans" / digest[:16]
        if not directory.exists():
            write(directory)
        with self.lock:
            if digest in self.plans:
                return self.plans[digest]
            entry = self.federation.draft_plan(digest, {
                "plan_kind": kind, "title": title or f"{kind} plan", "growth": growth,
                "priority_ballot": priority_ballot, "plan": str(directory), **provenance},
                actor=actor)
            self._index_plan(entry)
            return self.plans[digest]

    def replay_plan(self, digest: str) -> dict[str, Any]:
        """Recompute a drafted plan from the economy and the parameters in its record entry;
        the plan replays when the new output digest equals the recorded one, bit for bit."""
        from .drafting import compute_plan

        plan = self.plan(digest)
        entry = self.records.page(plan.seq, 1)[0]
        p = entry.payload
        with self.lock:
            tally = self.federation.state.results.get(p["priority_ballot"]) \
                if p.get("priority_ballot") else None
        recomputed, provenance, _ = compute_plan(self.economy, plan.kind,
                                                 float(p.get("growth", 0.0)), tally)
        return {"digest": plan.digest, "recomputed": recomputed,
                "matches": recomputed == plan.digest,
                "input_hash": provenance.get("input_hash"),
                "recorded_input_hash": p.get("input_hash"), "record_entry": plan.seq}

    def _priority_tally(self, ballot: str) -> dict[str, int]:
        state = self.federation.state
        if ballot not in state.results:
            raise InvalidInput(f"ballot {ballot!r} has no closed result")
        if state.opened[ballot]["purpose"] != "priority":
            raise InvalidInput(f"ballot {ballot!r} is not a priority ballot")
        return state.results[ballot]

    def plan_summary(self, digest: str) -> dict[str, Any]:
        plan = self.plan(digest)
        summary: dict[str, Any] = json.loads((plan.directory / "plan.json").read_text())
        return summary

    def plan_table(self, digest: str, name: str) -> Any:
        path = self.plan(digest).directory / f"{name}.parquet"
        if not path.is_file():
            raise NotFound(f"plan {digest[:12]} has no table {name!r}")
        return pq.read_table(path)

    def plan_file(self, digest: str, filename: str) -> Path:
        return _file_in(self.plan(digest).directory, filename, f"plan {digest[:12]}")

    def economy_file(self, filename: str) -> Path:
        return _file_in(self.economy_dir, filename, "the economy")

    def compare_plans(self, a: str, b: str, top: int = 20) -> dict[str, Any]:
        """Gross output of two plans side by side, largest differences first."""
        first, second = self.plan(a), self.plan(b)
        xa, xb = (self._gross_output(p) for p in (first, second))
        ids = self.economy.products.ids.to_pylist()
        diff = xb - xa
        order = np.argsort(-np.abs(diff))[:top]
        return {"a": first.digest, "b": second.digest,
                "total_a": float(xa.sum()), "total_b": float(xb.sum()),
                "largest_changes": [{"product": ids[i], "a": float(xa[i]), "b": float(xb[i]),
                                     "change": float(diff[i])} for i in order]}

    def _gross_output(self, plan: DraftedPlan) -> Any:
        if plan.kind == "balanced":
            return self.plan_table(plan.digest, "gross_output")["gross_output"].to_numpy()
        if plan.kind == "optimal":
            t = self.plan_table(plan.digest, "activity").to_pandas()
            totals = t.groupby("product", sort=False)["activity"].sum()
            return totals.reindex(self.economy.products.ids.to_pylist()).fillna(0.0).to_numpy()
        t = self.plan_table(plan.digest, "output").to_pandas()
        first_year = t[t["period"] == 1]
        return first_year["gross_output"].to_numpy()

    # -- accounts ----------------------------------------------------------------------------

    def open_account(self, member: str, password: str) -> None:
        """A member opens an account; the record notes it (never the password)."""
        _check_name(member, "member")
        with self.lock:
            if self.accounts.exists(member) or member in self.federation.state.accounts:
                raise InvalidInput(f"an account for {member!r} exists already")
            self.accounts.create(member, password)
            self.federation.open_account(member)

    def reset_password(self, operator: str, member: str, password: str, reason: str) -> None:
        """An operator sets a member's password; the act and its reason go into the record."""
        with self.lock:
            self.accounts.set_password(member, password)
            self.federation.record_operator_action(operator, "password reset", member, reason)

    # -- councils, with who may act ----------------------------------------------------------

    async def in_writer(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the one writer thread: changes are serial anyway (one record, one
        head), and one thread spares the many-threads-one-lock convoy under load."""
        return await asyncio.get_running_loop().run_in_executor(self.writer, fn)

    def act(self, fn: Callable[[Federation], T]) -> T:
        """Run one domain command (or read) under the lock."""
        with self.lock:
            return fn(self.federation)

    def found_council(self, actor: str, council: str, kind: str, parent: str | None,
                      skilled_pay: Fraction) -> None:
        """A member of the parent council founds a council below it; anyone signed in may
        found a council at the top. The founder is its first member."""
        _check_name(council, "council")
        with self.lock:
            if parent is not None:
                self._require_member(actor, parent)
            self.federation.found_council(council, kind, parent=parent,
                                          skilled_pay=skilled_pay, actor=actor)
            self.federation.admit(actor, council, actor=actor)

    def admit(self, actor: str, council: str, member: str) -> None:
        """Members admit members. Only members with an account can be admitted."""
        with self.lock:
            self._require_member(actor, council)
            if member not in self.federation.state.accounts:
                raise NotFound(f"{member!r} has no account")
            self.federation.admit(member, council, actor=actor)

    def set_pay(self, actor: str, council: str, pay: Fraction, authority: str) -> None:
        with self.lock:
            self.federation.set_pay(council, pay, actor=actor, authority=authority)

    def council_view(self, council_id: str) -> dict[str, Any]:
        with self.lock:
            state = self.federation.state
            if council_id not in state.councils:
                raise NotFound(f"unknown council {council_id!r}")
            c = state.councils[council_id]
            share = state.constitution.recall_petition_share
            needed = math.ceil(share * len(c.members))  # the share is an exact Fraction
            return {
                "council": c.council_id, "kind": c.kind, "parent": c.parent,
                "children": sorted(k for k, v in state.councils.items()
                                   if v.parent == c.council_id),
                "members": sorted(c.members), "delegate": c.delegate, "mandate": c.mandate,
                "delegate_pay": str(c.delegate_pay), "skilled_pay": str(c.skilled_pay),
                "pay_cap": str(c.skilled_pay * state.constitution.pay_cap_multiple),
                "terms": dict(c.terms), "petition": sorted(c.petition),
                "petition_needed": needed,
                "open_ballots": [self._ballot_view(b) for b, ob in sorted(state.ballots.items())
                                 if ob.council == council_id],
                "closed_ballots": [b for b in sorted(state.results)
                                   if b.startswith(f"ballot:{council_id}:")],
                "adopted_plan": state.adopted_plans.get(c.council_id),
            }

    def councils(self) -> list[dict[str, Any]]:
        with self.lock:
            return [{"council": c.council_id, "kind": c.kind, "parent": c.parent,
                     "members": len(c.members), "delegate": c.delegate}
                    for c in self.federation.state.councils.values()]

    def memberships(self, member: str) -> list[str]:
        with self.lock:
            return sorted(c.council_id for c in self.federation.state.councils.values()
                          if member in c.members)

    def ballot_view(self, ballot_id: str) -> dict[str, Any]:
        with self.lock:
            return self._ballot_view(ballot_id)

    def _ballot_view(self, ballot_id: str) -> dict[str, Any]:
        state = self.federation.state
        if ballot_id in state.ballots:
            ob = state.ballots[ballot_id]
            b = ob.ballot
            return {"ballot": ballot_id, "council": ob.council, "purpose": ob.purpose,
                    "target": ob.target, "mandate": ob.mandate, "options": list(b.options),
                    "rule": b.rule, "points": b.points, "open": True,
                    "electorate": len(b.electorate), "voted": len(b.voted),
                    "result": None}
        if ballot_id in state.results:
            p = state.opened.get(ballot_id, {})
            return {"ballot": ballot_id, "council": p.get("council"),
                    "purpose": p.get("purpose"), "target": p.get("target"),
                    "mandate": p.get("mandate"), "options": p.get("options", []),
                    "rule": p.get("rule", "single"), "points": p.get("points", 0),
                    "open": False, "electorate": None,
                    "voted": len(state.published.get(ballot_id, {})),
                    "result": state.results[ballot_id]}
        raise NotFound(f"no ballot {ballot_id!r}")

    def open_ballots(self) -> list[dict[str, Any]]:
        with self.lock:
            return [self._ballot_view(b) for b in sorted(self.federation.state.ballots)]

    def vote(self, ballot_id: str, voter: str, choice: Any) -> str:
        with self.lock:
            rule = self._ballot_view(ballot_id)["rule"]  # 404 for a ballot never opened
            expected = {"single": str, "approval": list, "points": dict}.get(rule, object)
            if not isinstance(choice, expected):
                shape = {"single": "one option", "approval": "a list of options",
                         "points": "a mapping of option to points"}[rule]
                raise InvalidInput(f"ballot {ballot_id!r} takes {shape}")
            return self.federation.vote(ballot_id, voter, choice)

    def check_receipt(self, ballot_id: str, receipt: str) -> Any:
        with self.lock:
            self._ballot_view(ballot_id)
            choice = self.federation.check_receipt(ballot_id, receipt)
        if choice is None:
            raise NotFound(f"no ballot with receipt {receipt!r} in {ballot_id!r}")
        return choice

    def _require_member(self, actor: str, council: str) -> None:
        c = self.federation.state.councils.get(council)
        if c is None:
            raise NotFound(f"unknown council {council!r}")
        if actor not in c.members:
            raise NotAMember(f"{actor!r} is not a member of {council!r}")

    def _require_some_membership(self, actor: str) -> None:
        if not any(actor in c.members for c in self.federation.state.councils.values()):
            raise DomainError(f"{actor!r} belongs to no council, so cannot draft a plan")

    # -- the record --------------------------------------------------------------------------

    def record_page(self, start: int, limit: int) -> list[Entry]:
        return self.records.page(start, limit)

    def record_size(self) -> int:
        head = self.records.last()
        return 0 if head is None else head.seq

    def verify(self) -> dict[str, Any]:
        """Recompute the chain and the projection; name the first entry that does not fit.
        Reads the stored record without the lock, so votes go on while it runs."""
        return audit_record(self.records.entries()).as_dict()

    def entries(self) -> Iterator[Entry]:
        return self.records.entries()


def _file_in(directory: Path, filename: str, owner: str) -> Path:
    """A file directly in ``directory``; a path that climbs out or hides is not one."""
    path = directory / filename
    if "/" in filename or filename.startswith(".") or not path.is_file():
        raise NotFound(f"{owner} has no file {filename!r}")
    return path


def _check_name(value: str, what: str) -> None:
    if not value or len(value) > 100 or not all(ch.isalnum() or ch in "-_. " for ch in value):
        raise InvalidInput(f"a {what} name is 1-100 letters, digits, spaces, '-', '_' or '.'; "
                           f"got {value!r}")


__all__ = ["PLAN_KINDS", "DraftedPlan", "FederationService", "NotFound"]
