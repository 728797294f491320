"""Participatory planning rounds: councils propose, a facilitation board moves prices."""

from .councils import CLASSES, Councils
from .experiments import load_experiment, write_experiment
from .procedure import (
    Experiment,
    HahnelSzczepanczykRule,
    PriceRule,
    ProportionalRule,
    Round,
    Tally,
    Year,
    consumer_demand,
    propose_workers,
    run_experiment,
    run_year,
)

__all__ = [
    "CLASSES",
    "Councils",
    "Experiment",
    "HahnelSzczepanczykRule",
    "PriceRule",
    "ProportionalRule",
    "Round",
    "Tally",
    "Year",
    "consumer_demand",
    "load_experiment",
    "propose_workers",
    "run_experiment",
    "run_year",
    "write_experiment",
]
