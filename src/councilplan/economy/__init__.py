"""The economy: products, techniques, plants, resources and final demand."""

from .formats import read_economy, write_economy
from .io import LoadReport, load_pymrio, load_supply_use, load_symmetric
from .model import CATEGORY_KINDS, RESOURCE_KINDS, Economy, IdIndex, build_economy

__all__ = [
    "CATEGORY_KINDS",
    "RESOURCE_KINDS",
    "Economy",
    "IdIndex",
    "LoadReport",
    "build_economy",
    "load_pymrio",
    "load_supply_use",
    "load_symmetric",
    "read_economy",
    "write_economy",
]
