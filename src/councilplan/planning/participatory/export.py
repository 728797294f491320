"""A participatory year as a plan in the common economy model.

Products are the produced goods (private P, intermediate I, public G); each worker council is a
technique run by its own plant, with its proposed output as capacity and its input orders per
unit of output as coefficients; natural resources and labour are resources limited by their
endowments; final demand is the consumer councils' requests. The activity levels are the
councils' proposed outputs, so :func:`councilplan.planning.balance.material_balance` shows how
far the converged proposals are from balance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import scipy.sparse as sp

from ...economy.formats import atomic_directory, write_economy
from ...economy.model import Economy, ids
from ...validation import FloatArray
from ..balance import MaterialBalance, material_balance
from .councils import INTERMEDIATE, LABOUR, NATURE, PRIVATE, PUBLIC
from .procedure import Experiment, Year, consumer_spending
from .roundsfile import write_rounds_csv

PRODUCED = (PRIVATE, INTERMEDIATE, PUBLIC)


@dataclass(frozen=True, eq=False)
class ParticipatoryPlan:
    """The economy, the activity of every worker council, the announced prices, the balance."""

    economy: Economy
    activity: FloatArray
    prices: FloatArray
    balance: MaterialBalance


def announced_prices(year: Year) -> FloatArray:
    """The prices at which the year's last proposals were made."""
    return year.final_workers.prices


def export_year(year: Year) -> ParticipatoryPlan:
    """Turn the last round of ``year`` into an economy, activity levels and their balance."""
    c = year.councils
    n = c.goods_per_class
    workers = year.final_workers  # the last proposals, made at the announced prices
    prices = workers.prices
    labels = c.good_labels()
    produced = np.concatenate([np.arange(k * n, (k + 1) * n) for k in PRODUCED])
    product_of_good = np.full(c.n_goods, -1)
    product_of_good[produced] = np.arange(len(produced))
    resource_goods = np.arange(NATURE * n, (LABOUR + 1) * n)
    resource_of_good = np.full(c.n_goods, -1)
    resource_of_good[resource_goods] = np.arange(len(resource_goods))
    per_unit = workers.orders / workers.output[c.input_owner]
    is_input = product_of_good[c.input_good] >= 0
    owner = c.input_owner
    T = sp.csr_array((per_unit[is_input], (owner[is_input], product_of_good[c.input_good][
        is_input])), shape=(c.n_wc, len(produced)))
    R = sp.csr_array((per_unit[~is_input], (owner[~is_input], resource_of_good[c.input_good][
        ~is_input])), shape=(c.n_wc, len(resource_goods)))
    spending = consumer_spending(c)
    Y = np.zeros((len(produced), 2))
    Y[:n, 0] = spending.private_spending / prices[PRIVATE * n:(PRIVATE + 1) * n]
    Y[2 * n:, 1] = spending.public_spending / prices[PUBLIC * n:]
    wc_ids = [f"wc_{w + 1}" for w in range(c.n_wc)]
    economy = Economy(
        products=ids([labels[g] for g in produced], "product"),
        product_names=pa.array([labels[g] for g in produced]),
        product_units=pa.array(["unit"] * len(produced)),
        techniques=ids(wc_ids, "technique"),
        technique_product=product_of_good[c.wc_output].astype(np.int64),
        technique_plant=np.arange(c.n_wc, dtype=np.int64),
        capacity=workers.output.copy(),
        input_coefficients=T,
        plants=ids(wc_ids, "plant"),
        resources=ids([labels[g] for g in resource_goods], "resource"),
        resource_kinds=("natural",) * n + ("labour",) * n,
        resource_units=("unit",) * (2 * n),
        resource_limits=c.endowment[resource_goods].copy(),
        resource_coefficients=R,
        categories=ids(["private consumption", "public goods"], "final-demand category"),
        category_kinds=("consumption", "public"),
        final_demand=Y,
        metadata={"source": c.source, "kind": "participatory",
                  "rounds": str(len(year.rounds)), "converged": str(year.converged),
                  "prices": json.dumps(dict(zip(labels, prices.tolist(), strict=True)))},
    )
    return ParticipatoryPlan(economy, workers.output, prices,
                             material_balance(economy, workers.output))


def write_participatory_plan(plan: ParticipatoryPlan, experiment: Experiment,
                             directory: Path | str) -> Path:
    """Write the rounds CSV, the plan as an economy directory, its balance and the prices."""
    e, b = plan.economy, plan.balance
    balance = {"product": e.products.ids, "supply": b.supply,
               "intermediate_use": b.intermediate_use}
    for j, cat in enumerate(e.categories):
        balance[f"final_{cat}"] = b.final_use[:, j]
    balance |= {"difference": b.difference, "relative_difference": b.relative_difference}
    labels = experiment.years[-1].councils.good_labels()
    with atomic_directory(Path(directory)) as tmp:
        write_rounds_csv(experiment, tmp / "rounds.csv")
        write_economy(e, tmp / "economy")
        for name, table in (("balance", pa.table(balance)),
                            ("prices", pa.table({"good": labels, "price": plan.prices}))):
            pq.write_table(table, tmp / f"{name}.parquet")
            pacsv.write_csv(table, tmp / f"{name}.csv")
    return Path(directory)
