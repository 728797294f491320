"""A federation service on a small economy for the web app's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..economy import Economy, write_economy
from .economies import two_sector_economy

PASSWORD = "correct horse battery"


def make_service(database: str, data_dir: Path, economy: Economy | None = None) -> Any:
    """A :class:`FederationService` with ``economy`` (two sectors by default) in place."""
    from ..api.service import FederationService

    write_economy(economy or two_sector_economy(), data_dir / "economy")
    return FederationService(database, data_dir)
