"""The democratic domain: councils, delegates, recall, pay, ballots, priorities, reports."""

from .ballots import (
    AlreadyVoted,
    BallotClosed,
    NotInElectorate,
    SecretBallot,
    equal_shares,
    recount,
)
from .federation import (
    Audit,
    Constitution,
    Federation,
    FederationState,
    NotAMember,
    PayAboveCap,
    RotationLimit,
    audit_record,
    replay,
)
from .priorities import write_priority_targets
from .reports import Delivery, Flag, FulfilmentReport, PlantReport, check_reports

__all__ = [
    "AlreadyVoted",
    "Audit",
    "BallotClosed",
    "Constitution",
    "Delivery",
    "Federation",
    "FederationState",
    "Flag",
    "FulfilmentReport",
    "NotAMember",
    "NotInElectorate",
    "PayAboveCap",
    "PlantReport",
    "RotationLimit",
    "SecretBallot",
    "audit_record",
    "check_reports",
    "equal_shares",
    "recount",
    "replay",
    "write_priority_targets",
]
