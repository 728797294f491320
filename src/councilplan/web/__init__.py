"""The web app: server-rendered pages over the same service as the JSON API."""

from .app import create_app

__all__ = ["create_app"]
