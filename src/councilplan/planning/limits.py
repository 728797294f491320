"""Limits for a scenario: labour, capacities and resources set from the balanced plan.

An imported input-output table limits nothing, so an optimal plan on it grows without end.
The usual question is what the economy can do with today's labour and a little more
capacity than today's output needs; this sets those limits from the economy's balanced plan
(its own final demand), and any named resource's limit outright.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from ..economy import Economy
from ..errors import InvalidInput
from ..validation import IndexArray
from .balance import balanced_plan


def with_limits(economy: Economy, *, labour: float | None = None,
                capacity: float | None = None,
                resources: Mapping[str, float] | None = None) -> Economy:
    """The economy with each kind of labour limited to ``labour`` times what its balanced
    plan uses, each technique without a capacity given ``capacity`` times its activity in
    that plan (finite capacities are kept), and each resource named in ``resources`` limited
    to the value given (``inf`` lifts a limit)."""
    resources = dict(resources or {})
    named = _check(economy, labour, capacity, resources)
    e = economy
    limits = e.resource_limits.copy()
    cap = e.capacity.copy()
    notes = json.loads(e.metadata.get("notes", "[]"))
    if labour is not None or capacity is not None:
        plan = balanced_plan(e)
        if labour is not None:
            limits[e.labour] = labour * plan.resource_use[e.labour]
            notes.append(f"labour limited to {labour:g} x what the balanced plan uses")
        if capacity is not None:
            unlimited = ~np.isfinite(cap)
            cap[unlimited] = capacity * plan.activity[unlimited]
            notes.append(f"{int(unlimited.sum()):,} techniques without a capacity given "
                         f"{capacity:g} x their activity in the balanced plan")
    for (rid, value), at in zip(resources.items(), named, strict=True):
        limits[at] = value
        notes.append(f"resource {rid!r} limited to {value:g}")
    return replace(e, resource_limits=limits, capacity=cap,
                   metadata={**e.metadata, "notes": json.dumps(notes)})


def _check(e: Economy, labour: float | None, capacity: float | None,
           resources: dict[str, float]) -> IndexArray:
    """Refuse bad factors and limits, naming them; the named resources' positions."""
    for name, factor in (("labour", labour), ("capacity", capacity)):
        if factor is not None and not (math.isfinite(factor) and factor > 0):
            raise InvalidInput(f"{name} must be a positive factor, got {factor!r}")
    if labour is not None and not e.labour.size:
        raise InvalidInput("labour: the economy has no resource of kind 'labour'")
    for rid, value in resources.items():
        if not value >= 0:
            raise InvalidInput(f"resource {rid!r}: the limit must be >= 0, got {value!r}")
    if not resources:  # an empty list has no type for the lookup
        return np.zeros(0, dtype=np.int64)
    return e.resources.positions(list(resources), context="the limits to set")
