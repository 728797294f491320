"""The HTTP API over a federation: FastAPI, pydantic at the edge, one JSON error shape."""

from .app import Settings, create_api
from .service import FederationService, NotFound

__all__ = ["FederationService", "NotFound", "Settings", "create_api"]
