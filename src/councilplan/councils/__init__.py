"""The democratic domain: councils, delegates, recall, pay, ballots and priorities."""

from .ballots import (
    AlreadyVoted,
    BallotClosed,
    NotInElectorate,
    SecretBallot,
    equal_shares,
    recount,
)
from .federation import (
    Constitution,
    Federation,
    FederationState,
    NotAMember,
    PayAboveCap,
    RotationLimit,
    replay,
)
from .priorities import write_priority_targets

__all__ = [
    "AlreadyVoted",
    "BallotClosed",
    "Constitution",
    "Federation",
    "FederationState",
    "NotAMember",
    "NotInElectorate",
    "PayAboveCap",
    "RotationLimit",
    "SecretBallot",
    "equal_shares",
    "recount",
    "replay",
    "write_priority_targets",
]
