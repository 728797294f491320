"""The HTTP API's routers, one per part of the domain."""

from . import accounts, ballots, councils, plans, record

ROUTERS = [accounts.router, councils.router, ballots.router, plans.router, record.router]

__all__ = ["ROUTERS"]
