"""Planning methods: turn an economy and final demand into a plan."""

from .balance import BalancedPlan, Bottleneck, balanced_plan, technique_shares
from .leontief import LeontiefSolution, SolveStatus, solve_leontief
from .productivity import SpectralBounds, check_productive, spectral_bounds
from .provenance import Provenance

__all__ = [
    "BalancedPlan",
    "Bottleneck",
    "LeontiefSolution",
    "Provenance",
    "SolveStatus",
    "SpectralBounds",
    "balanced_plan",
    "check_productive",
    "solve_leontief",
    "spectral_bounds",
    "technique_shares",
]
