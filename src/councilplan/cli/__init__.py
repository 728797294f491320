"""The ``councilplan`` command: thin wrappers that parse, call the library, and render."""

from . import councils, economy, planning, web  # noqa: F401  (registers the verbs)
from ._app import app

__all__ = ["app"]
