"""Hand-checkable economies."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from ..economy.model import Economy, build_economy, ids


def two_sector_economy() -> Economy:
    """Grain and iron. One unit of grain needs 0.2 grain and 0.1 iron and 2 hours; one unit
    of iron needs 0.3 grain and 0.4 iron and 1 hour. Final demand: 60 grain, 30 iron.

    By hand: x = (I - A)^-1 y with A = [[0.2, 0.3], [0.1, 0.4]] gives x = (100, 66.67);
    v = v A + l gives v = (26/9, 28/9) hours per unit.
    """
    A = np.array([[0.2, 0.3], [0.1, 0.4]])
    return build_economy(product_ids=["grain", "iron"], input_coefficients=A,
                         final_demand=[[60.0], [30.0]], category_ids=["households"],
                         category_kinds=["consumption"], labour=[2.0, 1.0], unit="t")


def unproductive_economy() -> Economy:
    """Coal needs 0.9 steel per unit, steel needs 1.2 coal: the cycle has gain 1.08 > 1.
    Bread, outside the cycle, is fine."""
    A = np.array([[0.0, 1.2, 0.0], [0.9, 0.0, 0.0], [0.0, 0.0, 0.1]])
    return build_economy(product_ids=["coal", "steel", "bread"], input_coefficients=A,
                         final_demand=[[1.0], [1.0], [1.0]], category_ids=["households"],
                         category_kinds=["consumption"], labour=[1.0, 1.0, 1.0])


def two_technique_economy() -> Economy:
    """Power from coal (technique t-coal, capacity 30) or wind (t-wind, capacity 90), and
    food. The balanced plan splits power 1:3 by capacity."""
    T = sp.csr_array(np.array([
        [0.0, 0.5],   # t-coal: 0.5 food per unit of power
        [0.0, 0.1],   # t-wind
        [0.2, 0.0],   # t-food: 0.2 power per unit of food
    ]))
    R = sp.csr_array(np.array([[1.0], [3.0], [2.0]]))
    return Economy(
        products=ids(["power", "food"], "product"),
        product_names=pa.array(["power", "food"]),
        product_units=pa.array(["MWh", "t"]),
        techniques=ids(["t-coal", "t-wind", "t-food"], "technique"),
        technique_product=np.array([0, 0, 1]),
        technique_plant=np.array([0, 1, 2]),
        capacity=np.array([30.0, 90.0, np.inf]),
        input_coefficients=T,
        plants=ids(["pit", "farm-of-turbines", "farm"], "plant"),
        resources=ids(["labour"], "resource"),
        resource_kinds=("labour",),
        resource_units=("hours",),
        resource_limits=np.array([1000.0]),
        resource_coefficients=R,
        categories=ids(["households"], "final-demand category"),
        category_kinds=("consumption",),
        final_demand=np.array([[100.0], [50.0]]),
    )
