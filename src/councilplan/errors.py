"""Exceptions raised by councilplan.

The hierarchy, each leaf mapping to one CLI exit code and one HTTP status::

    CouncilplanError
    ├── InvalidInput            bad data from a user or a file (exit 2, HTTP 422)
    │   └── UnproductiveEconomy the economy cannot reproduce its own inputs
    ├── PlanningError           a computation could not reach a plan (exit 1, HTTP 409)
    │   ├── Infeasible          targets conflict with limits (exit 2); says which, by how much
    │   ├── Unbounded           nothing limits the objective (exit 2); names the direction
    │   └── NotConverged
    ├── DomainError             a rule of the councils forbids the action (exit 2, HTTP 403)
    └── RecordError             the public record does not verify
        └── ChainBroken
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class CouncilplanError(Exception):
    """Base class of every error councilplan raises on purpose."""

    exit_code = 1
    http_status = 500


@dataclass(frozen=True)
class Location:
    """Where a bad value sits: a file, a line, a field, an id; any may be unknown."""

    file: str | None = None
    line: int | None = None
    field: str | None = None
    item: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        if self.item is not None:
            parts.append(self.item)
        return ", ".join(parts)


class InvalidInput(CouncilplanError, ValueError):
    """Input data is malformed or inconsistent; the message names what and where."""

    exit_code = 2
    http_status = 422

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.location = location or Location()
        where = str(self.location)
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message


class UnproductiveEconomy(InvalidInput):
    """The input coefficients have spectral radius >= 1, so no gross output meets demand."""

    def __init__(self, message: str, cycle: tuple[str, ...] = (), gain: float = float("nan")):
        super().__init__(message)
        self.cycle = cycle
        self.gain = gain


class PlanningError(CouncilplanError):
    """A planning method could not produce a plan."""

    http_status = 409


class Infeasible(PlanningError):
    """No plan satisfies every constraint; ``shortfalls`` and ``conflicts`` say why."""

    exit_code = 2

    def __init__(self, message: str, shortfalls: tuple[Any, ...] = (),
                 conflicts: tuple[Any, ...] = ()) -> None:
        super().__init__(message)
        self.shortfalls = shortfalls
        self.conflicts = conflicts


class Unbounded(PlanningError):
    """The objective can grow without limit along ``direction``."""

    exit_code = 2

    def __init__(self, message: str, direction: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.direction = direction


class NotConverged(PlanningError):
    """An iterative method stopped before reaching its tolerance."""


class DomainError(CouncilplanError):
    """An action that the councils' rules forbid."""

    exit_code = 2
    http_status = 403


class RecordError(CouncilplanError):
    """The public record is inconsistent."""

    http_status = 409


class ChainBroken(RecordError):
    """A record entry does not hash to what its successor committed to."""
