"""A federation service on a small economy, and an HTTP client signed in as a member."""

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


def sign_in(client: Any, member: str, password: str = PASSWORD) -> str:
    """Sign the client in by cookie; returns the CSRF token to send with changes."""
    r = client.post("/api/session", json={"member": member, "password": password})
    r.raise_for_status()
    token: str = r.json()["csrf_token"]
    return token
