"""Hand our economies to peer tools (demplan), so results can be compared side by side."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..economy.model import Economy


def to_demplan(economy: Economy) -> Any:
    """A demplan ``Economy``: products then resources as commodities, techniques as Leontief
    units, resource limits as endowments. demplan has no capacities; they are left out."""
    from demplan.economy import LEONTIEF
    from demplan.economy import Economy as DemplanEconomy

    e = economy
    M = sp.csr_array(sp.hstack([e.input_coefficients, e.resource_coefficients], format="csr"))
    limits = np.where(np.isfinite(e.resource_limits), e.resource_limits, 1e30)
    n_t = e.n_techniques
    return DemplanEconomy(
        period=0, commodity_id=np.arange(e.n_products + e.n_resources),
        endowment=np.concatenate([np.zeros(e.n_products), limits]),
        unit_id=np.arange(n_t), technology_kind=np.array([LEONTIEF] * n_t),
        technology_scale=np.ones(n_t), input_offsets=M.indptr.astype(np.int64),
        input_commodity=M.indices.astype(np.int64), input_coefficient=M.data,
        output_offsets=np.arange(n_t + 1, dtype=np.int64),
        output_commodity=e.technique_product.astype(np.int64), output_coefficient=np.ones(n_t),
        consumer_id=np.arange(1))
