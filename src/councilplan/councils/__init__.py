"""The democratic domain: councils, delegates, ballots (this far: ballots and priorities)."""

from .ballots import (
    AlreadyVoted,
    BallotClosed,
    NotInElectorate,
    SecretBallot,
    equal_shares,
    recount,
)
from .priorities import write_priority_targets

__all__ = [
    "AlreadyVoted",
    "BallotClosed",
    "NotInElectorate",
    "SecretBallot",
    "equal_shares",
    "recount",
    "write_priority_targets",
]
