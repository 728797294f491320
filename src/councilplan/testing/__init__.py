"""Tiny economies for tests and examples: small enough to check by hand."""

from .economies import two_sector_economy, two_technique_economy, unproductive_economy

__all__ = ["two_sector_economy", "two_technique_economy", "unproductive_economy"]
