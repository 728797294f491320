"""The democratic domain: councils, delegates, ballots (this far: ballots)."""

from .ballots import (
    AlreadyVoted,
    BallotClosed,
    NotInElectorate,
    SecretBallot,
    equal_shares,
    recount,
)

__all__ = [
    "AlreadyVoted",
    "BallotClosed",
    "NotInElectorate",
    "SecretBallot",
    "equal_shares",
    "recount",
]
