"""Provenance: enough to recompute a plan bit for bit and to know if anything changed."""

from __future__ import annotations

import hashlib
import platform
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy

from .. import __version__
from ..economy.model import Economy


@dataclass(frozen=True)
class Provenance:
    input_hash: str
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    code_version: str = __version__
    environment: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "input_hash": self.input_hash,
            "method": self.method,
            "params": self.params,
            "code_version": self.code_version,
            "environment": self.environment,
        }


def make_provenance(economy: Economy, override: Any, method: str,
                    params: dict[str, Any]) -> Provenance:
    h = economy.digest
    if override is not None:
        demand = hashlib.sha256(np.ascontiguousarray(override).tobytes()).hexdigest()
        h = hashlib.sha256((h + demand).encode()).hexdigest()
    return Provenance(
        input_hash=h, method=method, params=dict(params), code_version=__version__,
        environment={"numpy": np.__version__, "scipy": scipy.__version__,
                     "python": platform.python_version()},
    )
