"""The demo federation the main job serves: councils, members with passwords, a real
input-output table as the economy, a drafted plan and open ballots.

The economy is the UK ONS 2015 domestic table read from the shared reference data (set
``COUNCILPLAN_DATA``, or keep ``../shared/data`` beside the checkout); where that is missing,
a generated economy stands in and the demo says so.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ..economy import Economy, write_economy
from ..economy.generator import generate_economy
from ..planning.limits import with_limits
from .service import FederationService

UK_TABLE = Path("io-tables") / "uk-ons-2015" / "domesticiot.csv"
MEMBERS = ("ana", "ben", "chloe", "dev", "emma", "femi", "grace", "hugo", "ines", "jon",
           "kofi", "lena")
#: council, kind, parent, members
COUNCILS = (
    ("federation", "congress", None, ()),
    ("riverside", "district", "federation", ("ana", "ben", "chloe", "dev", "emma")),
    ("bakery", "workplace", "riverside", ("ana", "ben", "chloe", "femi", "grace")),
    ("clinic", "workplace", "riverside", ("dev", "emma", "hugo", "ines")),
    ("riverside-households", "consumer", "riverside",
     ("ana", "ben", "chloe", "dev", "emma", "femi", "grace", "hugo", "ines", "jon", "kofi",
      "lena")),
)


@dataclass(frozen=True)
class Demo:
    service: FederationService
    passwords: dict[str, str]
    economy_source: str


def data_root() -> Path:
    """Where the shared reference data lives."""
    if "COUNCILPLAN_DATA" in os.environ:
        return Path(os.environ["COUNCILPLAN_DATA"])
    for base in (Path.cwd(), Path(__file__).resolve().parents[3]):
        candidate = base.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data"


def demo_economy() -> tuple[Economy, str]:
    """The UK table with labour limited to what its balanced plan uses and plant capacities
    2 % above it, so growth meets real limits; a generated economy where the table is absent."""
    from ..economy.io import load_symmetric

    table = data_root() / UK_TABLE
    if table.is_file():
        e, source = load_symmetric(table), f"UK ONS 2015 input-output table ({table})"
    else:
        e = generate_economy(300, 20, seed=2026)
        source = f"a generated economy of 300 products ({table} was not found)"
    return with_limits(e, labour=1.0, capacity=1.02), source


def build_demo(directory: Path, *, seed_passwords: bool = True) -> Demo:
    """Create the demo federation in ``directory`` (a SQLite file and the economy's files)."""
    directory.mkdir(parents=True, exist_ok=True)
    economy, source = demo_economy()
    write_economy(economy, directory / "economy")
    service = FederationService(directory / "federation.sqlite", directory)
    passwords = {m: f"{m}-{secrets.token_hex(4)}" if seed_passwords else f"{m}-demo-pass"
                 for m in MEMBERS}
    for member, password in passwords.items():
        service.open_account(member, password)
    fed = service.federation
    fed.found_council("federation", "congress", skilled_pay=25, actor="ana")
    for council, kind, parent, members in COUNCILS[1:]:
        fed.found_council(council, kind, parent=parent, skilled_pay=Fraction(24), actor="ana")
        for member in members:
            fed.admit(member, council, actor="ana")
    _elect(service, "bakery", "ana", ["ana", "ben"], voters={"ana": "ana", "ben": "ana",
                                                            "chloe": "ana", "femi": "ben"})
    _elect(service, "clinic", "dev", ["dev", "hugo"], voters={"dev": "dev", "emma": "dev",
                                                             "hugo": "hugo"})
    _elect(service, "riverside", "chloe", ["chloe", "emma"], voters={
        "ana": "chloe", "ben": "chloe", "chloe": "chloe", "emma": "emma"})
    plan = service.draft_plan("ana", "balanced", title="Next year: 2 % more final use",
                              growth=0.02)
    service.draft_plan("dev", "fiveyear", title="Five years at 2 % growth", growth=0.02)
    fed.open_adoption("riverside", plan.digest, actor="ana")
    products = economy.products.ids.to_pylist()
    fed.open_priority("riverside-households", products[:3] + products[-3:], points=10,
                      actor="chloe")
    return Demo(service, passwords, source)


def _elect(service: FederationService, council: str, winner: str, candidates: list[str],
           voters: dict[str, str]) -> None:
    fed = service.federation
    ballot = fed.open_election(council, candidates, actor=winner)
    for voter, choice in voters.items():
        fed.vote(ballot, voter, choice)
    fed.close(ballot, actor=winner)
    fed.set_pay(council, Fraction(24), actor=winner, authority=ballot)
